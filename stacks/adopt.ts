/**
 * What `npm run adopt` finds: the objects each configured platform holds, read with the stack's
 * credentials, written as config sections whose every object carries `adopt: <id>`, so that the
 * first `pulumi up` takes them over without a change. Each object's settings come from the same
 * conversion its provider's refresh uses, so the config says exactly what the object is.
 *
 * Objects a stack marked as its own (Stripe metadata, URN marks, the stack names
 * `<project>-<stack>-…`) are skipped and reported: they are managed already.
 */
import type Stripe from "stripe";
import { allProjects } from "../dynamic-providers/agora/client";
import { AGORA_BASE_URL } from "../dynamic-providers/agora/schema";
import { appwrite, listAllPages } from "../dynamic-providers/appwrite/client";
import { attributeFromApi } from "../dynamic-providers/appwrite/attribute";
import { schemaApi } from "../dynamic-providers/appwrite/schema-api";
import { OWNER_METADATA_KEY } from "../dynamic-providers/core/ownership";
import { OperationContext } from "../dynamic-providers/core/provider";
import { gitlab, listAll as gitlabList } from "../dynamic-providers/gitlab/client";
import { eventsOf } from "../dynamic-providers/gitlab/hook";
import { GITLAB_BASE_URL } from "../dynamic-providers/gitlab/schema";
import { openaiAdmin } from "../dynamic-providers/openai/client";
import { OPENAI_BASE_URL } from "../dynamic-providers/openai/schema";
import { listAll as posthogList } from "../dynamic-providers/posthog/client";
import { liveProjects } from "../dynamic-providers/posthog/project";
import { POSTHOG_BASE_URL } from "../dynamic-providers/posthog/schema";
import { API_KEY_MARK } from "../dynamic-providers/resend/api-key";
import { listAll as resendList, resend } from "../dynamic-providers/resend/client";
import { RESEND_BASE_URL } from "../dynamic-providers/resend/schema";
import type { ConfigSource } from "../dynamic-providers/core/credentials";
import { stripeClient, stripeKey } from "../dynamic-providers/stripe/client";
import { fromApi as priceFromApi } from "../dynamic-providers/stripe/price";
import { fromApi as productFromApi } from "../dynamic-providers/stripe/product";
import { STRIPE_API_BASE } from "../dynamic-providers/stripe/schema";
import { segment } from "../dynamic-providers/core/gone";
import { nextLink } from "../dynamic-providers/core/rest";
import { managementApi, serviceRoleKey, storageClient } from "../dynamic-providers/supabase/client";
import { SUPABASE_MANAGEMENT_URL } from "../dynamic-providers/supabase/schema";
import { trello } from "../dynamic-providers/trello/client";
import { TRELLO_BASE_URL } from "../dynamic-providers/trello/schema";
import type { StackSettings } from "./config";
import type { Environment } from "./environment";
import { keyOf, LOGICAL_NAME_MAX } from "./naming";
import { githubToken } from "./services/github";
import { stripeKeyModes } from "./services/stripe";

/** GitHub's API, unless github.baseUrl names a GitHub Enterprise Server. */
const GITHUB_API_URL = "https://api.github.com";

/** One object found, as the table shows it. */
export interface FoundObject {
    service: string;
    kind: string;
    id: string;
    name: string;
    /** Where it goes in the config (`stripe.products.pro`), or why it was left out. */
    placed: string;
    skipped?: boolean;
}

export interface Discovery {
    /** Config sections to merge: each object under its logical name, with `adopt`. */
    sections: Record<string, Record<string, unknown>>;
    found: FoundObject[];
    /** Settings that cannot be read back (secrets, tokens): to set or rotate by hand. */
    toProvide: string[];
}

export interface AdoptTarget {
    env: Environment;
    settings: StackSettings;
    /** Only these services (config keys). @default every configured one that adopt knows */
    services?: string[];
    /** Only objects whose name matches. */
    match?: RegExp;
    credentials?: ConfigSource;
    /** Ids the config adopts already (a second run of adopt): skipped, never written twice. */
    alreadyAdopted?: Set<string>;
    /** Called as listings advance: a platform, what it is reading, how many so far. */
    progress?(service: string, what: string, count: number): void;
}

/**
 * A logical name from an object's name, unique among `taken`: "Pro Plan" → "pro-plan", then
 * "pro-plan-2". `startWith` is put before a name that must start with a letter (a list's key).
 */
function logicalFrom(name: string, taken: Set<string>, fallback: string, startWith?: string): string {
    let base = keyOf(name).replace(/^[^a-z0-9]+/, "") || fallback;
    if (startWith && !/^[a-z]/.test(base)) base = `${startWith}-${base}`;
    // Room for a "-<n>" suffix within the limit.
    base = base.slice(0, LOGICAL_NAME_MAX - 5).replace(/-+$/, "") || fallback;
    let logical = base;
    for (let n = 2; taken.has(logical); n++) logical = `${base}-${n}`;
    taken.add(logical);
    return logical;
}

/** A URL as the table shows it: without user, password or query, which may carry a credential. */
function shownUrl(url: string): string {
    try {
        const u = new URL(url);
        return `${u.protocol}//${u.host}${u.pathname}${u.search ? "?…" : ""}`;
    } catch {
        return "(not a URL)";
    }
}

/** Whether a URL carries what looks like a credential: a user or password, or a token-like query parameter. */
function carriesCredential(url: string): boolean {
    try {
        const u = new URL(url);
        return u.username !== "" || u.password !== "" || [...u.searchParams.keys()].some((k) => /token|key|secret|sig|auth|password/i.test(k));
    } catch {
        return false;
    }
}

/** Whether a mirror URL (credentials masked or not) is exactly this repository's. */
function isRepositoryUrl(url: unknown, host: string, owner: string, name: string): boolean {
    if (typeof url !== "string") return false;
    try {
        const u = new URL(url);
        return u.host.toLowerCase() === host.toLowerCase() && u.pathname.replace(/\.git$/, "").replace(/\/+$/, "").toLowerCase() === `/${owner}/${name}`.toLowerCase();
    } catch {
        return false;
    }
}

/** The settings worth writing: nulls, empty lists and maps, and the listed defaults left out. */
function written(state: Record<string, unknown>, keys: readonly string[], defaults: Record<string, unknown> = {}): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of keys) {
        const value = state[key];
        if (value === null || value === undefined) continue;
        if (Array.isArray(value) && value.length === 0) continue;
        if (typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0) continue;
        if (key in defaults && JSON.stringify(defaults[key]) === JSON.stringify(value)) continue;
        out[key] = value;
    }
    return out;
}

const PRODUCT_KEYS = ["name", "description", "active", "metadata", "images", "taxCode", "statementDescriptor", "unitLabel", "url"] as const;
const PRICE_KEYS = ["currency", "unitAmount", "unitAmountDecimal", "billingScheme", "tiersMode", "tiers", "recurring", "transformQuantity", "lookupKey", "nickname", "taxBehavior", "metadata", "active"] as const;

type Discoverer = (target: AdoptTarget) => Promise<Discovery>;

/** The row of an object the config adopts already. */
const alreadyThere = (target: AdoptTarget, service: string, kind: string, id: string, name: string): FoundObject | undefined =>
    target.alreadyAdopted?.has(id) ? { service, kind, id, name, placed: "skipped: the config adopts it already", skipped: true } : undefined;

const discoverStripe: Discoverer = async (target) => {
    const s = target.settings.stripe!;
    const ctx = new OperationContext("stripe", target.credentials);
    const keyModes = stripeKeyModes(target.env, s.allowTestKeyInProd);
    const apiBase = s.apiBase ?? STRIPE_API_BASE;
    const stripe = (operation: string): Stripe => {
        return stripeClient(apiBase, stripeKey(ctx, keyModes), ctx.http(operation));
    };
    const home: Record<string, unknown> = { apiBase, keyModes, resourceUrn: "", account: null, livemode: target.env.allowLiveKeys };
    const found: FoundObject[] = [];
    // Every active price of the account, 100 a page, grouped by product: one listing, not one per product.
    const pricesOf = new Map<string, Stripe.Price[]>();
    let listed = 0;
    for await (const price of stripe("list prices").prices.list({ limit: 100, active: true })) {
        const product = typeof price.product === "string" ? price.product : price.product.id;
        pricesOf.set(product, [...(pricesOf.get(product) ?? []), price]);
        if (++listed % 100 === 0) target.progress?.("Stripe", "prices", listed);
    }
    target.progress?.("Stripe", "prices", listed);
    const products: Record<string, unknown> = {};
    const taken = new Set(Object.keys(s.products));
    let seen = 0;
    for await (const p of stripe("list products").products.list({ limit: 100, active: true })) {
        seen++;
        const owner = p.metadata?.[OWNER_METADATA_KEY];
        if (owner) {
            found.push({ service: "stripe", kind: "product", id: p.id, name: p.name, placed: `skipped: managed by stack ${owner}`, skipped: true });
            continue;
        }
        if (target.match && !target.match.test(p.name)) continue;
        const again = alreadyThere(target, "stripe", "product", p.id, p.name);
        if (again) {
            found.push(again);
            continue;
        }
        const logical = logicalFrom(p.name, taken, "product");
        const priceTaken = new Set<string>();
        const prices = Object.fromEntries(
            (pricesOf.get(p.id) ?? []).map((price) => {
                // A decimal amount is written only where the price has no integer one (Stripe answers both).
                const state = priceFromApi({ ...home, product: p.id, unitAmountDecimal: price.unit_amount === null ? "" : null, tiers: null } as never, price) as unknown as Record<string, unknown>;
                const label = price.nickname ?? price.lookup_key ?? (price.recurring ? `${price.recurring.interval}ly` : "one-time");
                const priceLogical = logicalFrom(label, priceTaken, "price");
                found.push({ service: "stripe", kind: "price", id: price.id, name: `${p.name} ${label}`, placed: `stripe.products.${logical}.prices.${priceLogical}` });
                return [priceLogical, { ...written(state, PRICE_KEYS, { active: true, billingScheme: "per_unit" }), adopt: price.id }];
            }),
        );
        const state = productFromApi(home as never, p) as unknown as Record<string, unknown>;
        products[logical] = { ...written(state, PRODUCT_KEYS, { active: true }), ...(Object.keys(prices).length > 0 ? { prices } : {}), adopt: p.id };
        found.push({ service: "stripe", kind: "product", id: p.id, name: p.name, placed: `stripe.products.${logical}` });
    }
    target.progress?.("Stripe", "products", seen);
    return { sections: { stripe: { products } }, found, toProvide: [] };
};

const discoverSupabase: Discoverer = async (target) => {
    const s = target.settings.supabase!;
    const ctx = new OperationContext("supabase", target.credentials);
    const { data, error } = await storageClient(s.url, ctx.credential(serviceRoleKey), ctx.http("list buckets")).listBuckets();
    if (error) throw new Error(`Supabase Storage refused to list buckets: ${error.message}`);
    const found: FoundObject[] = [];
    const buckets: Record<string, unknown> = {};
    const taken = new Set(Object.keys(s.buckets));
    const stackNames = `${target.env.project}-`;
    for (const b of data ?? []) {
        if (b.id.startsWith(stackNames)) {
            found.push({ service: "supabase", kind: "bucket", id: b.id, name: b.name, placed: `skipped: named like a ${target.env.project} stack's bucket`, skipped: true });
            continue;
        }
        if (target.match && !target.match.test(b.name)) continue;
        const again = alreadyThere(target, "supabase", "bucket", b.id, b.name);
        if (again) {
            found.push(again);
            continue;
        }
        const logical = logicalFrom(b.name, taken, "bucket");
        buckets[logical] = { ...written({ public: b.public, fileSizeLimit: b.file_size_limit ?? null, allowedMimeTypes: b.allowed_mime_types ?? null }, ["public", "fileSizeLimit", "allowedMimeTypes"], { public: false }), adopt: b.id };
        found.push({ service: "supabase", kind: "bucket", id: b.id, name: b.name, placed: `supabase.buckets.${logical}` });
    }
    target.progress?.("Supabase", "buckets", found.length);
    // Edge Function secrets list names and digests, never values: named here for the user to hand on.
    const toProvide: string[] = [];
    if (s.projectRef) {
        const project = { projectRef: s.projectRef, managementUrl: s.managementUrl ?? SUPABASE_MANAGEMENT_URL };
        const listed = await managementApi(ctx, project, "list Edge Function secrets", "Edge Function secrets").send<{ name: string }[]>("GET", `/v1/projects/${segment(s.projectRef)}/secrets`, undefined, "must exist");
        for (const { name } of listed?.body ?? []) {
            // Supabase's own (SUPABASE_URL, SUPABASE_ANON_KEY, …) come with every project.
            if (name.startsWith("SUPABASE_") || (target.match && !target.match.test(name))) continue;
            found.push({ service: "supabase", kind: "function secret", id: name, name, placed: "not adopted: its value cannot be read back", skipped: true });
            toProvide.push(`Supabase function secret ${name}: its value cannot be read back; declare where it comes from (platformKeys and keyConsumers, docs/configuration.md) and the stack writes it from then on`);
        }
    }
    return { sections: { supabase: { buckets } }, found, toProvide };
};

interface ApiBoard {
    id: string;
    name: string;
    desc: string;
    prefs?: { permissionLevel?: string };
}

const discoverTrello: Discoverer = async (target) => {
    const s = target.settings.trello!;
    const baseUrl = s.baseUrl ?? TRELLO_BASE_URL;
    const ctx = new OperationContext("trello", target.credentials);
    const get = async <T>(operation: string, path: string, query?: Record<string, string>) => ((await trello(ctx, baseUrl, operation).get<T>(path, query)) ?? []) as T;
    const found: FoundObject[] = [];
    const boards: Record<string, unknown> = {};
    const taken = new Set(Object.keys(s.boards));
    for (const b of await get<ApiBoard[]>("list boards", "/members/me/boards", { filter: "open", fields: "name,desc,prefs" })) {
        if (/stackwire:urn:pulumi:/.test(b.desc ?? "")) {
            found.push({ service: "trello", kind: "board", id: b.id, name: b.name, placed: "skipped: marked as a stack's", skipped: true });
            continue;
        }
        if (target.match && !target.match.test(b.name)) continue;
        const again = alreadyThere(target, "trello", "board", b.id, b.name);
        if (again) {
            found.push(again);
            continue;
        }
        const logical = logicalFrom(b.name, taken, "board");
        const lists = await get<{ id: string; name: string; pos: number }[]>(`list lists of board ${b.id}`, `/boards/${b.id}/lists`, { filter: "open" });
        const labels = await get<{ id: string; name: string; color: string | null }[]>(`list labels of board ${b.id}`, `/boards/${b.id}/labels`);
        const listKeys = new Set<string>();
        // A label is keyed by its name in the config: the first of a name is adopted, others listed.
        const labelNames = new Set<string>();
        const named = labels.filter((l) => l.name !== "" && !labelNames.has(l.name) && labelNames.add(l.name));
        boards[logical] = {
            name: b.name,
            ...(b.desc ? { description: b.desc } : {}),
            ...(b.prefs?.permissionLevel && b.prefs.permissionLevel !== "private" ? { permissionLevel: b.prefs.permissionLevel } : {}),
            lists: [...lists].sort((x, y) => x.pos - y.pos).map((l) => ({ key: logicalFrom(l.name, listKeys, "list", "list"), name: l.name, adopt: l.id })),
            ...(named.length > 0 ? { labels: Object.fromEntries(named.map((l) => [l.name, { color: l.color, adopt: l.id }])) } : {}),
            adopt: b.id,
        };
        found.push({ service: "trello", kind: "board", id: b.id, name: b.name, placed: `trello.boards.${logical}` });
        for (const l of lists) found.push({ service: "trello", kind: "list", id: l.id, name: l.name, placed: `trello.boards.${logical}.lists` });
        for (const l of named) found.push({ service: "trello", kind: "label", id: l.id, name: l.name, placed: `trello.boards.${logical}.labels` });
        for (const l of labels.filter((x) => x.name !== "" && !named.includes(x))) found.push({ service: "trello", kind: "label", id: l.id, name: l.name, placed: `skipped: another label of the board is named "${l.name}"`, skipped: true });
        for (const l of labels.filter((x) => x.name === "")) found.push({ service: "trello", kind: "label", id: l.id, name: `(${l.color ?? "no colour"}, unnamed)`, placed: "skipped: a label needs a name in the config", skipped: true });
        target.progress?.("Trello", "boards", Object.keys(boards).length);
    }
    return { sections: { trello: { boards } }, found, toProvide: [] };
};

type Listed = Record<string, any> & { $id: string; name: string };

const discoverAppwrite: Discoverer = async (target) => {
    const s = target.settings.appwrite!;
    const ctx = new OperationContext("appwrite", target.credentials);
    const api = (operation: string) => appwrite(ctx, { endpoint: s.endpoint, projectId: s.projectId }, operation);
    const stackNames = `${target.env.project}-`;
    const found: FoundObject[] = [];
    const databases: Record<string, unknown> = {};
    const taken = new Set(Object.keys(s.databases));
    const matches = (name: string) => !target.match || target.match.test(name);
    for (const db of await listAllPages<Listed>((queries) => schemaApi.listDatabases(api("list databases").databases, queries) as never, "databases")) {
        if (db.$id.startsWith(stackNames)) {
            found.push({ service: "appwrite", kind: "database", id: db.$id, name: db.name, placed: `skipped: named like a ${target.env.project} stack's database`, skipped: true });
            continue;
        }
        if (!matches(db.name)) continue;
        const again = alreadyThere(target, "appwrite", "database", db.$id, db.name);
        if (again) {
            found.push(again);
            continue;
        }
        const logical = logicalFrom(db.name, taken, "database");
        const collections: Record<string, unknown> = {};
        for (const c of await listAllPages<Listed>((queries) => api(`list collections of ${db.$id}`).databases.listCollections({ databaseId: db.$id, queries }) as never, "collections")) {
            const at = `appwrite.databases.${logical}.collections.${c.$id}`;
            const attributes: Record<string, unknown> = {};
            for (const a of c.attributes as Record<string, any>[]) {
                // The other side of a two-way relationship is made with its parent: adopted with it, never on its own.
                if (a.type === "relationship" && a.side === "child") continue;
                const relationship = a.type === "relationship" ? { relatedCollection: a.relatedCollection, relationType: a.relationType, twoWay: a.twoWay, ...(a.twoWay ? { twoWayKey: a.twoWayKey } : {}), onDelete: a.onDelete } : {};
                attributes[a.key] = { ...written({ ...attributeFromApi(a), ...relationship }, [...ATTRIBUTE_KEYS, "relatedCollection"], { required: false, array: false, twoWay: false }), adopt: `${c.$id}.${a.key}` };
                found.push({ service: "appwrite", kind: "attribute", id: `${c.$id}.${a.key}`, name: a.key, placed: `${at}.attributes` });
            }
            const indexes = Object.fromEntries(
                (c.indexes as Record<string, any>[]).map((i) => {
                    found.push({ service: "appwrite", kind: "index", id: `${c.$id}.${i.key}`, name: i.key, placed: `${at}.indexes` });
                    return [i.key, { type: i.type, attributes: i.attributes, adopt: `${c.$id}.${i.key}` }];
                }),
            );
            collections[c.$id] = {
                ...written({ name: c.name, permissions: [...c.$permissions].sort(), documentSecurity: c.documentSecurity, enabled: c.enabled }, ["name", "permissions", "documentSecurity", "enabled"], { documentSecurity: false, enabled: true }),
                ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
                ...(Object.keys(indexes).length > 0 ? { indexes } : {}),
                adopt: c.$id,
            };
            found.push({ service: "appwrite", kind: "collection", id: c.$id, name: c.name, placed: at });
        }
        databases[logical] = { name: db.name, ...(db.enabled === false ? { enabled: false } : {}), ...(Object.keys(collections).length > 0 ? { collections } : {}), adopt: db.$id };
        found.push({ service: "appwrite", kind: "database", id: db.$id, name: db.name, placed: `appwrite.databases.${logical}` });
        target.progress?.("Appwrite", "databases", Object.keys(databases).length);
    }
    const buckets: Record<string, unknown> = {};
    const bucketNames = new Set(Object.keys(s.buckets));
    for (const b of await listAllPages<Listed>((queries) => api("list buckets").storage.listBuckets({ queries }) as never, "buckets")) {
        if (b.$id.startsWith(stackNames)) {
            found.push({ service: "appwrite", kind: "bucket", id: b.$id, name: b.name, placed: `skipped: named like a ${target.env.project} stack's bucket`, skipped: true });
            continue;
        }
        if (!matches(b.name)) continue;
        const again = alreadyThere(target, "appwrite", "bucket", b.$id, b.name);
        if (again) {
            found.push(again);
            continue;
        }
        const logical = logicalFrom(b.name, bucketNames, "bucket");
        const settings = { name: b.name, permissions: [...b.$permissions].sort(), fileSecurity: b.fileSecurity, enabled: b.enabled, maximumFileSize: b.maximumFileSize, allowedFileExtensions: [...b.allowedFileExtensions].sort(), compression: b.compression, encryption: b.encryption, antivirus: b.antivirus };
        buckets[logical] = { ...written(settings, Object.keys(settings)), adopt: b.$id };
        found.push({ service: "appwrite", kind: "bucket", id: b.$id, name: b.name, placed: `appwrite.buckets.${logical}` });
    }
    return { sections: { appwrite: { databases, buckets } }, found, toProvide: [] };
};

const discoverResend: Discoverer = async (target) => {
    const s = target.settings.resend!;
    const ctx = new OperationContext("resend", target.credentials);
    const baseUrl = s.baseUrl ?? RESEND_BASE_URL;
    const list = <T extends { id: string }>(what: string, path: string) => resendList<T>(resend(ctx, baseUrl, `list ${what}`), path);
    const found: FoundObject[] = [];
    const toProvide: string[] = [];
    const matches = (name: string) => !target.match || target.match.test(name);
    const domains: Record<string, unknown> = {};
    for (const d of await list<{ id: string; name: string; region: string }>("domains", "/domains")) {
        if (!matches(d.name) || d.name in s.domains) continue;
        const again = alreadyThere(target, "resend", "domain", d.id, d.name);
        if (again) {
            found.push(again);
            continue;
        }
        domains[d.name] = { region: d.region, adopt: d.id };
        found.push({ service: "resend", kind: "domain", id: d.id, name: d.name, placed: `resend.domains.${d.name}` });
    }
    const webhooks: Record<string, unknown> = {};
    const taken = new Set(Object.keys(s.webhooks));
    for (const w of await list<{ id: string; endpoint: string; events: string[] | null; status?: string }>("webhooks", "/webhooks")) {
        if (!matches(w.endpoint)) continue;
        const skip = (why: string) => found.push({ service: "resend", kind: "webhook", id: w.id, name: shownUrl(w.endpoint), placed: `skipped: ${why}`, skipped: true });
        const again = alreadyThere(target, "resend", "webhook", w.id, shownUrl(w.endpoint));
        if (again) {
            found.push(again);
            continue;
        }
        // Never written into the stack file in plain text: a URL that carries a credential is declared by hand.
        if (carriesCredential(w.endpoint)) {
            skip("its endpoint carries a credential (user, password or a token in the query), which the stack file would hold in plain text");
            continue;
        }
        if ((w.events ?? []).length === 0) {
            skip("it listens to no event, which the stack's webhooks must");
            continue;
        }
        const logical = logicalFrom(new URL(w.endpoint).hostname, taken, "webhook");
        webhooks[logical] = { endpoint: w.endpoint, events: [...(w.events ?? [])].sort(), ...(w.status === "disabled" ? { enabled: false } : {}), adopt: w.id };
        found.push({ service: "resend", kind: "webhook", id: w.id, name: shownUrl(w.endpoint), placed: `resend.webhooks.${logical}` });
        toProvide.push(`resend.webhooks.${logical}: its signing secret cannot be read back: the stack's output for it stays empty until the webhook is made again (remove adopt)`);
    }
    // A key's token is shown once, at creation: an existing key cannot hand it to the stack's consumers.
    for (const k of await list<{ id: string; name: string }>("API keys", "/api-keys")) {
        if (API_KEY_MARK.test(k.name) || !matches(k.name)) continue;
        found.push({ service: "resend", kind: "API key", id: k.id, name: k.name, placed: "not adopted: its token cannot be read back", skipped: true });
        toProvide.push(`Resend API key "${k.name}" (${k.id}): its token cannot be read back; declare it in resend.apiKeys so the stack makes a new one, switch its users to that, then delete this one`);
    }
    target.progress?.("Resend", "domains, webhooks and keys", found.length);
    return { sections: { resend: { domains, webhooks } }, found, toProvide };
};

interface GithubRepository {
    name: string;
    owner: { login: string };
    description: string | null;
    visibility: "public" | "private" | "internal";
    topics?: string[];
    default_branch: string;
    archived: boolean;
}

/** Every page of a GitHub list, following the Link header's rel="next". */
async function githubPages<T>(ctx: OperationContext, token: string, first: string): Promise<{ status: number; items: T[] }> {
    const items: T[] = [];
    for (let url: string | undefined = first; url; ) {
        const answer = await ctx.http(`list ${new URL(url).pathname}`).fetch(url, { headers: { authorization: `Bearer ${token}`, accept: "application/vnd.github+json" } });
        if (!answer.ok) return { status: answer.status, items };
        items.push(...((await answer.json()) as T[]));
        url = nextLink(answer.headers);
    }
    return { status: 200, items };
}

/**
 * GitHub repositories, and the GitLab project mirroring each (same path): a repository comes in
 * through Pulumi's import, its mirror project, push mirror and hooks by adopt. CI variables are
 * listed for the user: their values are secrets the stack file should not hold in plain text.
 */
const discoverGithub: Discoverer = async (target) => {
    const s = target.settings.github!;
    const ctx = new OperationContext("github", target.credentials);
    const token = ctx.credential(githubToken);
    const api = (s.baseUrl ?? GITHUB_API_URL).replace(/\/+$/, "");
    let listed = await githubPages<GithubRepository>(ctx, token, `${api}/orgs/${encodeURIComponent(s.owner)}/repos?type=all&per_page=100`);
    // Not an organization: the token's own repositories.
    if (listed.status === 404) listed = await githubPages<GithubRepository>(ctx, token, `${api}/user/repos?affiliation=owner&per_page=100`);
    if (listed.status !== 200) throw new Error(`GitHub refused to list the repositories of ${s.owner} (${listed.status}): check githubToken (GITHUB_TOKEN) and github.owner`);
    const found: FoundObject[] = [];
    const toProvide: string[] = [];
    const repositories: Record<string, unknown> = {};
    const taken = new Set(Object.keys(s.repositories));
    const stackNames = `${target.env.project}-`;
    const gitlabBase = target.settings.gitlab ? (target.settings.gitlab.baseUrl ?? GITLAB_BASE_URL) : undefined;
    const gitlabCtx = new OperationContext("gitlab", target.credentials);
    const projects = gitlabBase ? await gitlabList<Record<string, any>>(gitlab(gitlabCtx, gitlabBase, "list projects"), "/projects", { membership: true, simple: false }) : [];
    for (const r of listed.items.filter((x) => x.owner.login.toLowerCase() === s.owner.toLowerCase())) {
        if (r.archived || r.name.startsWith(stackNames)) {
            found.push({ service: "github", kind: "repository", id: r.name, name: r.name, placed: r.archived ? "skipped: archived" : `skipped: named like a ${target.env.project} stack's repository`, skipped: true });
            continue;
        }
        if (target.match && !target.match.test(r.name)) continue;
        const again = alreadyThere(target, "github", "repository", r.name, `${r.owner.login}/${r.name}`);
        if (again) {
            found.push(again);
            continue;
        }
        const logical = logicalFrom(r.name, taken, "repository");
        const repository: Record<string, unknown> = { ...(r.description ? { description: r.description } : {}), visibility: r.visibility, ...(r.topics && r.topics.length > 0 ? { topics: r.topics } : {}), defaultBranch: r.default_branch, adopt: r.name };
        found.push({ service: "github", kind: "repository", id: r.name, name: `${r.owner.login}/${r.name}`, placed: `github.repositories.${logical}` });
        const project = projects.find((p) => p.path === r.name && !/stackwire:(urn|sha256):/.test(p.description ?? ""));
        if (project && gitlabBase) {
            const at = `github.repositories.${logical}.gitlabMirror`;
            const projectApi = (operation: string) => gitlab(gitlabCtx, gitlabBase, operation);
            // The host the stack's own mirrors use (components/github/code-repository.ts).
            const githubHost = "github.com";
            const githubPath = `${githubHost}/${r.owner.login}/${r.name}`;
            const mirrors = (url: unknown) => isRepositoryUrl(url, githubHost, r.owner.login, r.name);
            // A mirror of this repository exactly: its URL (credentials masked) names this owner and repository.
            const pulled = project.mirror === true ? await projectApi(`read pull mirror of ${project.id}`).get<Record<string, any>>(`/projects/${project.id}/mirror/pull`) : undefined;
            const pull = pulled && mirrors(pulled.url) ? pulled : undefined;
            const pushes = await gitlabList<Record<string, any>>(projectApi(`list push mirrors of ${project.id}`), `/projects/${project.id}/remote_mirrors`);
            const push = pushes.find((m) => mirrors(m.url));
            const direction = pull && push ? "both" : pull ? "pull" : push ? "push" : undefined;
            if (direction === undefined) {
                found.push({ service: "gitlab", kind: "project", id: String(project.id), name: project.path_with_namespace, placed: `skipped: not a mirror of ${githubPath}`, skipped: true });
            } else {
                const hooks = await gitlabList<Record<string, any>>(projectApi(`list hooks of ${project.id}`), `/projects/${project.id}/hooks`);
                const hookNames = new Set<string>();
                const webhooks = Object.fromEntries(
                    hooks.flatMap((h) => {
                        if (carriesCredential(h.url)) {
                            found.push({ service: "gitlab", kind: "hook", id: String(h.id), name: shownUrl(h.url), placed: "skipped: its URL carries a credential, which the stack file would hold in plain text", skipped: true });
                            return [];
                        }
                        const key = logicalFrom(new URL(h.url).hostname, hookNames, "hook");
                        found.push({ service: "gitlab", kind: "hook", id: String(h.id), name: shownUrl(h.url), placed: `${at}.webhooks.${key}` });
                        toProvide.push(`${at}.webhooks.${key}: its secret token cannot be read back; the first up sets the stack's (gitlabWebhookSecrets), so update the receiver with it`);
                        return [[key, { url: h.url, events: eventsOf(h), ...(h.enable_ssl_verification === false ? { enableSslVerification: false } : {}), adopt: String(h.id) }]];
                    }),
                );
                for (const v of await gitlabList<Record<string, any>>(projectApi(`list variables of ${project.id}`), `/projects/${project.id}/variables`)) {
                    found.push({ service: "gitlab", kind: "variable", id: `${project.id}/${v.key}:${v.environment_scope}`, name: v.key, placed: "not adopted: a value belongs in a secret, not in the stack file", skipped: true });
                    toProvide.push(`GitLab CI variable ${v.key} of ${project.path_with_namespace}: declare it under ${at}.variables (from platformKeys for a secret) to manage it`);
                }
                repository.gitlabMirror = {
                    direction,
                    ...(project.name !== r.name ? { name: project.name } : {}),
                    description: project.description ?? "",
                    ...(project.visibility !== "private" ? { visibility: project.visibility } : {}),
                    ...(project.namespace?.kind === "group" ? { namespaceId: project.namespace.id } : {}),
                    ...(pull?.mirror_trigger_builds ? { triggerBuilds: true } : {}),
                    ...((pull?.only_mirror_protected_branches ?? push?.only_protected_branches) ? { onlyProtectedBranches: true } : {}),
                    ...(Object.keys(webhooks).length > 0 ? { webhooks } : {}),
                    adopt: String(project.id),
                };
                found.push({ service: "gitlab", kind: "project", id: String(project.id), name: project.path_with_namespace, placed: at });
                if (pull) {
                    found.push({ service: "gitlab", kind: "pull mirror", id: `${project.id}/pull-mirror`, name: githubPath, placed: at });
                    // The import URL holds the GitHub token, which GitLab never shows: the first up writes the stack's.
                    toProvide.push(`${at}: the pull mirror's GitHub credentials cannot be read back; the first up writes them from githubToken`);
                }
                if (push) {
                    found.push({ service: "gitlab", kind: "push mirror", id: String(push.id), name: githubPath, placed: "not adopted: GitLab never changes a push mirror's URL, so the stack makes its own", skipped: true });
                    toProvide.push(`GitLab push mirror ${push.id} of ${project.path_with_namespace}: delete it before the first up (Settings > Repository > Mirroring repositories); the stack makes its own push mirror to ${githubPath}, with its token`);
                }
            }
        }
        repositories[logical] = repository;
        target.progress?.("GitHub", "repositories", Object.keys(repositories).length);
    }
    return { sections: { github: { repositories } }, found, toProvide };
};

const ATTRIBUTE_KEYS = ["type", "required", "array", "default", "size", "min", "max", "elements", "relationType", "twoWay", "twoWayKey", "onDelete"] as const;

/** A candidate for a section that holds one project (OpenAI, Agora, PostHog): its id, name and settings to write. */
interface ProjectCandidate {
    id: string;
    name: string;
    settings: Record<string, unknown>;
}

/**
 * The project a one-project section adopts: among the account's projects, those not named as a
 * stack of this project names its own (`<project>-<stack>-<service>`), of the configured name if
 * one is set, matching --match. One is adopted; several are listed for --match to pick one.
 */
function chooseProject(target: AdoptTarget, service: string, section: { project?: { name?: string; adopt?: unknown } } | undefined, projects: ProjectCandidate[]): { chosen?: ProjectCandidate; found: FoundObject[] } {
    const row = (p: ProjectCandidate, placed: string, skipped = true): FoundObject => ({ service, kind: "project", id: p.id, name: p.name, placed, ...(skipped ? { skipped } : {}) });
    if (section?.project?.adopt !== undefined) return { found: [] };
    const stackMade = (name: string) => name.startsWith(`${target.env.project}-`) && name.endsWith(`-${service}`);
    const found: FoundObject[] = [];
    const candidates: ProjectCandidate[] = [];
    for (const p of projects) {
        if (stackMade(p.name)) found.push(row(p, `skipped: named like a ${target.env.project} stack's project`));
        else if (target.alreadyAdopted?.has(p.id)) found.push(row(p, "skipped: the config adopts it already"));
        else if ((section?.project?.name === undefined || p.name === section.project.name) && (!target.match || target.match.test(p.name))) candidates.push(p);
    }
    if (candidates.length === 1) return { chosen: candidates[0], found: [...found, row(candidates[0], `${service}.project`, false)] };
    return { found: [...found, ...candidates.map((p) => row(p, `skipped: one of ${candidates.length} projects the stack could take: pick one with --match`))] };
}

const discoverOpenai: Discoverer = async (target) => {
    const s = target.settings.openai!;
    const ctx = new OperationContext("openai", target.credentials);
    const projects: ProjectCandidate[] = [];
    // Active projects only: an archived one cannot be used or updated.
    for await (const p of openaiAdmin(ctx, s.baseUrl ?? OPENAI_BASE_URL, "list projects").projects.list({ limit: 100 })) {
        const residency = (p as { residency?: string | null }).residency;
        projects.push({ id: p.id, name: p.name ?? p.id, settings: { name: p.name, ...(residency && residency !== "GLOBAL" ? { residency } : {}) } });
    }
    target.progress?.("OpenAI", "projects", projects.length);
    const { chosen, found } = chooseProject(target, "openai", s, projects);
    const toProvide = chosen ? [`openai.project (${chosen.id}): the stack makes its own service account in it, whose key replaces any key copied by hand; delete the old keys once their users have moved`] : [];
    const sections: Discovery["sections"] = chosen ? { openai: { project: { ...chosen.settings, adopt: chosen.id } } } : {};
    return { sections, found, toProvide };
};

const discoverAgora: Discoverer = async (target) => {
    const s = target.settings.agora!;
    const ctx = new OperationContext("agora", target.credentials);
    // Enabled projects: a disabled one is what a destroy left.
    const projects = (await allProjects(ctx, s.baseUrl ?? AGORA_BASE_URL, "list Agora projects")).filter((p) => p.status === 1).map((p) => ({ id: p.id, name: p.name, settings: { name: p.name, certificate: Boolean(p.sign_key) } }));
    target.progress?.("Agora", "projects", projects.length);
    const { chosen, found } = chooseProject(target, "agora", s, projects);
    const sections: Discovery["sections"] = chosen ? { agora: { project: { ...chosen.settings, adopt: chosen.id } } } : {};
    return { sections, found, toProvide: [] };
};

const discoverPosthog: Discoverer = async (target) => {
    const s = target.settings.posthog!;
    const ctx = new OperationContext("posthog", target.credentials);
    const baseUrl = s.baseUrl ?? POSTHOG_BASE_URL;
    const live = await liveProjects(ctx, { baseUrl, organizationId: s.organizationId }, () => true);
    target.progress?.("PostHog", "projects", live.length);
    const { chosen, found } = chooseProject(target, "posthog", s, live.map((p) => ({ id: String(p.id), name: p.name, settings: { name: p.name } })));
    // A project the file adopts already: its flags are still read.
    const projectId = chosen?.id ?? s.project.adopt?.id;
    if (projectId === undefined) return { sections: {}, found, toProvide: [] } satisfies Discovery;
    // The chosen project's flags: each adopted with what the stack manages of it (the first condition's rollout).
    const featureFlags: Record<string, unknown> = {};
    const flags = await posthogList<{ id: number; key: string; name: string; active: boolean; filters?: { groups?: { rollout_percentage?: number | null }[] } }>(ctx, baseUrl, `/api/projects/${encodeURIComponent(projectId)}/feature_flags/`, {}, "list feature flags");
    for (const f of flags) {
        if (f.key in s.featureFlags) continue;
        const again = alreadyThere(target, "posthog", "feature flag", String(f.id), f.key);
        if (again) {
            found.push(again);
            continue;
        }
        const rollout = f.filters?.groups?.[0]?.rollout_percentage;
        featureFlags[f.key] = { ...(f.name ? { description: f.name } : {}), rolloutPercentage: typeof rollout === "number" ? rollout : 100, ...(f.active ? {} : { active: false }), adopt: String(f.id) };
        found.push({ service: "posthog", kind: "feature flag", id: String(f.id), name: f.key, placed: `posthog.featureFlags.${f.key}` });
    }
    target.progress?.("PostHog", "feature flags", flags.length);
    const sections: Discovery["sections"] = { posthog: { ...(chosen ? { project: { ...chosen.settings, adopt: chosen.id } } : {}), featureFlags } };
    return { sections, found, toProvide: [] };
};

/** The services `adopt` reads, in the order it reads them. */
export const DISCOVERERS: Record<string, Discoverer> = {
    stripe: discoverStripe,
    supabase: discoverSupabase,
    appwrite: discoverAppwrite,
    trello: discoverTrello,
    resend: discoverResend,
    github: discoverGithub,
    openai: discoverOpenai,
    agora: discoverAgora,
    posthog: discoverPosthog,
};

/** Reads every configured service adopt knows (or those asked for) and returns what it found. */
export async function discover(target: AdoptTarget): Promise<Discovery> {
    const wanted = target.services ?? Object.keys(DISCOVERERS);
    const unknown = wanted.filter((s) => !(s in DISCOVERERS));
    if (unknown.length > 0) throw new Error(`--services: ${unknown.join(", ")} cannot be adopted yet (adopt reads ${Object.keys(DISCOVERERS).join(", ")})`);
    const notConfigured = wanted.filter((s) => (target.settings as Record<string, unknown>)[s] === undefined);
    if (target.services && notConfigured.length > 0) throw new Error(`--services: ${notConfigured.join(", ")} ${notConfigured.length === 1 ? "is" : "are"} not configured in the stack: add the section (its URL and credentials) first`);
    const result: Discovery = { sections: {}, found: [], toProvide: [] };
    for (const service of wanted.filter((s) => !notConfigured.includes(s))) {
        const part = await DISCOVERERS[service](target);
        Object.assign(result.sections, part.sections);
        result.found.push(...part.found);
        result.toProvide.push(...part.toProvide);
    }
    return result;
}
