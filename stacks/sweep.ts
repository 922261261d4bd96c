/**
 * What a stack left behind: objects on the platforms marked as the stack's that its state no
 * longer tracks (a cancelled `up` whose creates landed, a destroy that failed half-way, a stack
 * removed with `--force`). `npm run sweep` lists them and deletes them after confirmation.
 *
 * An object is the stack's only by a mark the stack itself wrote, never by a guess:
 * - a mark carrying a resource URN of the stack (Trello board and webhook descriptions, GitLab
 *   project descriptions: `stackwire:urn:pulumi:<stack>::<project>::…`),
 * - Stripe metadata `stackwire_stack: <project>/<stack>` (products, webhook endpoints),
 * - a physical name only this stack uses: `<project>-<stack>-…` (Supabase and Appwrite buckets,
 *   Appwrite databases), `<stack>-…` ending in stackwire's ` #<hash>` (Resend API keys),
 * - the exact name the stack gives its one object of a service: `<project>-<stack>-openai`,
 *   `-agora`, `-posthog`, and `<project>-<stack>-mapbox-<token>` for each configured token.
 * Objects with nowhere to carry a mark (Resend domains, Supabase function secrets, Appwrite
 * functions) are never swept: `UNMARKED` says so in the report.
 */
import type Stripe from "stripe";
import { accountDigest, allProjects } from "../dynamic-providers/agora/client";
import { agoraProjectDefinition } from "../dynamic-providers/agora/project";
import { AGORA_BASE_URL } from "../dynamic-providers/agora/schema";
import { appwriteBucketDefinition } from "../dynamic-providers/appwrite/bucket";
import { appwrite, listAllPages, type AppwriteConnection } from "../dynamic-providers/appwrite/client";
import { databaseDefinition } from "../dynamic-providers/appwrite/database";
import type { ConfigSource } from "../dynamic-providers/core/credentials";
import { OWNER_METADATA_KEY } from "../dynamic-providers/core/ownership";
import { OperationContext } from "../dynamic-providers/core/provider";
import { gitlab, listAll as gitlabList } from "../dynamic-providers/gitlab/client";
import { projectDefinition } from "../dynamic-providers/gitlab/project";
import { GITLAB_BASE_URL } from "../dynamic-providers/gitlab/schema";
import { allTokens, checkAccount } from "../dynamic-providers/mapbox/client";
import { tokenDefinition } from "../dynamic-providers/mapbox/token";
import { MAPBOX_BASE_URL } from "../dynamic-providers/mapbox/schema";
import { openaiAdmin } from "../dynamic-providers/openai/client";
import { openaiProjectDefinition } from "../dynamic-providers/openai/project";
import { OPENAI_BASE_URL } from "../dynamic-providers/openai/schema";
import { liveProjects, posthogProjectDefinition } from "../dynamic-providers/posthog/project";
import { POSTHOG_BASE_URL } from "../dynamic-providers/posthog/schema";
import { API_KEY_MARK } from "../dynamic-providers/resend/api-key";
import { listAll as resendList, resend } from "../dynamic-providers/resend/client";
import { RESEND_BASE_URL } from "../dynamic-providers/resend/schema";
import { stripeClient, stripeKey } from "../dynamic-providers/stripe/client";
import { productDefinition } from "../dynamic-providers/stripe/product";
import { webhookEndpointDefinition } from "../dynamic-providers/stripe/webhook-endpoint";
import { STRIPE_API_BASE } from "../dynamic-providers/stripe/schema";
import { bucketDefinition } from "../dynamic-providers/supabase/bucket";
import { serviceRoleKey, storageClient } from "../dynamic-providers/supabase/client";
import { boardDefinition } from "../dynamic-providers/trello/board";
import { trello } from "../dynamic-providers/trello/client";
import { trelloWebhookDefinition } from "../dynamic-providers/trello/webhook";
import { TRELLO_BASE_URL } from "../dynamic-providers/trello/schema";
import type { StackSettings } from "./config";
import type { Environment } from "./environment";
import { NAME_RULES, ownerTag, physicalName } from "./naming";

/** An object a stack marked as its own. */
export interface OwnedObject {
    platform: string;
    kind: string;
    id: string;
    /** What a person recognises it by (a name, a URL). */
    label: string;
    /** The mark that makes it the stack's. */
    mark: string;
}

/** One found object and how to delete it as its provider would. */
export interface Found extends OwnedObject {
    remove(): Promise<void>;
}

/** A platform that could not be looked at (no credential, refused): the sweep is incomplete. */
export interface Unreachable {
    platform: string;
    reason: string;
}

/** The objects a stack makes that carry no mark, so a sweep can never find them. */
export const UNMARKED = [
    "Resend domains and webhooks",
    "Supabase Edge Functions, function secrets and Auth SMTP",
    "Appwrite functions and messaging providers",
    "GitHub repository webhooks (the official provider's)",
    "OpenAI service accounts (their project is archived, which ends them)",
    "OpenAI rate limits (rows of their project, never deleted)",
    "Expo (EAS) environment variables",
    "PostgreSQL roles and Redis ACL users (servers, not platforms)",
];

/**
 * Deletes a found object as its provider's destroy does (its waits, its "not found means gone"
 * check), given the little of its state that delete reads.
 */
function deleteAs<O>(definition: { delete(ctx: OperationContext, id: string, state: O): Promise<void> }, ctx: OperationContext, id: string, state: Partial<O>): () => Promise<void> {
    return () => definition.delete(ctx, id, state as O);
}

export interface SweepTarget {
    env: Pick<Environment, "project" | "stack">;
    settings: StackSettings;
    /** Where credentials are read besides the environment (the stack's secrets, a test's keys). */
    credentials?: ConfigSource;
    /** The project's other stacks: a name that is a longer stack's (`dev-alice` beside `dev`) is not this one's. */
    otherStacks?: string[];
}

/** Whether a name with this stack's prefix belongs to a longer stack of the project instead (`stackwire-dev-alice-x` beside `dev`). */
function longerStackHolds(target: SweepTarget, name: string, prefixOf: (stack: string) => string): boolean {
    return (target.otherStacks ?? []).some((other) => other.startsWith(`${target.env.stack}-`) && name.startsWith(prefixOf(other)));
}

/** The text every URN mark of this stack starts with. */
function urnMarkOf(env: SweepTarget["env"]): string {
    return `stackwire:urn:pulumi:${env.stack}::${env.project}::`;
}

/** The prefix of the physical names only this stack uses. */
function physicalPrefixOf(env: SweepTarget["env"]): string {
    return `${env.project}-${env.stack}-`;
}


type Finder = (target: SweepTarget) => Promise<Found[]> | undefined;

const context = (service: string, target: SweepTarget) => new OperationContext(service, target.credentials);

const stripeFinder: Finder = (target) => {
    const { env, settings } = target;
    const s = settings.stripe;
    if (!s) return undefined;
    const ctx = context("stripe", target);
    // Live keys belong to prod, which is never swept.
    const open = (operation: string): Stripe => stripeClient(s.apiBase ?? STRIPE_API_BASE, stripeKey(ctx, ["test"]), ctx.http(operation));
    // What a product's or endpoint's delete reads of its state: where, with which key, and no recorded account.
    const connection = { apiBase: s.apiBase ?? STRIPE_API_BASE, keyModes: ["test" as const], account: null, livemode: false };
    const tag = ownerTag(env);
    return (async (): Promise<Found[]> => {
        const found: Found[] = [];
        for await (const product of open("list products").products.list({ limit: 100, active: true })) {
            if (product.metadata?.[OWNER_METADATA_KEY] !== tag) continue;
            found.push({
                platform: "Stripe",
                kind: "product",
                id: product.id,
                label: product.name,
                mark: `metadata stackwire_stack=${tag}`,
                // Its active prices archived (the state that tracked them is gone), then the product destroyed as the provider does.
                remove: async () => {
                    const stripe = open(`archive prices of product ${product.id}`);
                    for await (const price of stripe.prices.list({ product: product.id, active: true, limit: 100 })) await stripe.prices.update(price.id, { active: false });
                    await deleteAs(productDefinition, ctx, product.id, { ...connection, archiveOnDelete: false })();
                },
            });
        }
        for await (const endpoint of open("list webhook endpoints").webhookEndpoints.list({ limit: 100 })) {
            if (endpoint.metadata?.[OWNER_METADATA_KEY] !== tag) continue;
            found.push({ platform: "Stripe", kind: "webhook endpoint", id: endpoint.id, label: endpoint.url, mark: `metadata stackwire_stack=${tag}`, remove: deleteAs(webhookEndpointDefinition, ctx, endpoint.id, connection) });
        }
        return found;
    })();
};

const supabaseFinder: Finder = (target) => {
    const { env, settings } = target;
    const s = settings.supabase;
    if (!s) return undefined;
    const ctx = context("supabase", target);
    const storage = (operation: string) => storageClient(s.url, ctx.credential(serviceRoleKey), ctx.http(operation));
    const prefix = physicalPrefixOf(env);
    return (async (): Promise<Found[]> => {
        const { data, error } = await storage("list buckets").listBuckets();
        if (error) throw new Error(`Supabase Storage refused to list buckets: ${error.message}`);
        return (data ?? [])
            .filter((b) => b.id.startsWith(prefix) && !longerStackHolds(target, b.id, (stack) => physicalPrefixOf({ ...env, stack })))
            .map((b) => ({
                platform: "Supabase",
                kind: "storage bucket",
                id: b.id,
                label: b.name,
                mark: `name starts with ${prefix}`,
                // Emptied first, and waited for (Storage empties in the background), as the provider's forced destroy does.
                remove: deleteAs(bucketDefinition, ctx, b.id, { projectUrl: s.url, bucketId: b.id, forceDestroy: true }),
            }));
    })();
};


const appwriteFinder: Finder = (target) => {
    const { env, settings } = target;
    const s = settings.appwrite;
    if (!s) return undefined;
    const ctx = context("appwrite", target);
    const connection: AppwriteConnection = { endpoint: s.endpoint, projectId: s.projectId };
    const prefix = physicalPrefixOf(env);
    const api = (operation: string) => appwrite(ctx, connection, operation);
    return (async (): Promise<Found[]> => {
        const databases = await listAllPages<{ $id: string; name: string }>((queries) => api("list databases").databases.list({ queries }) as never, "databases");
        const buckets = await listAllPages<{ $id: string; name: string }>((queries) => api("list buckets").storage.listBuckets({ queries }) as never, "buckets");
        const mark = `id starts with ${prefix}`;
        return [
            ...databases.filter((d) => d.$id.startsWith(prefix) && !longerStackHolds(target, d.$id, (stack) => physicalPrefixOf({ ...env, stack }))).map((d) => ({ platform: "Appwrite", kind: "database", id: d.$id, label: d.name, mark, remove: deleteAs(databaseDefinition, ctx, d.$id, connection) })),
            ...buckets.filter((b) => b.$id.startsWith(prefix) && !longerStackHolds(target, b.$id, (stack) => physicalPrefixOf({ ...env, stack }))).map((b) => ({ platform: "Appwrite", kind: "storage bucket", id: b.$id, label: b.name, mark, remove: deleteAs(appwriteBucketDefinition, ctx, b.$id, connection) })),
        ];
    })();
};

const trelloFinder: Finder = (target) => {
    const { env, settings } = target;
    if (!settings.trello) return undefined;
    const baseUrl = settings.trello.baseUrl ?? TRELLO_BASE_URL;
    const ctx = context("trello", target);
    const mark = urnMarkOf(env);
    return (async (): Promise<Found[]> => {
        const api = trello(ctx, baseUrl, "list boards");
        const webhooks = (await trello(ctx, baseUrl, "list webhooks").get<{ id: string; description: string; callbackURL: string }[]>(`/tokens/${api.token}/webhooks`)) ?? [];
        const boards = (await api.get<{ id: string; name: string; desc: string }[]>("/members/me/boards", { filter: "open", fields: "name,desc" })) ?? [];
        return [
            // Webhooks first: Trello deletes a board's webhooks with it, and a sweep deletes in this order.
            ...webhooks.filter((w) => w.description?.includes(mark)).map((w) => ({ platform: "Trello", kind: "webhook", id: w.id, label: w.callbackURL, mark: `description holds ${mark}…`, remove: deleteAs(trelloWebhookDefinition, ctx, w.id, { baseUrl }) })),
            ...boards.filter((b) => b.desc?.includes(mark)).map((b) => ({ platform: "Trello", kind: "board", id: b.id, label: b.name, mark: `description holds ${mark}…`, remove: deleteAs(boardDefinition, ctx, b.id, { baseUrl }) })),
        ];
    })();
};

const gitlabFinder: Finder = (target) => {
    const { env, settings } = target;
    if (!settings.gitlab) return undefined;
    const baseUrl = settings.gitlab.baseUrl ?? GITLAB_BASE_URL;
    const ctx = context("gitlab", target);
    const mark = urnMarkOf(env);
    return (async (): Promise<Found[]> => {
        // The mark is in the description (gitlab/project.ts): GitLab searches names and paths only, so every project the token is a member of is read.
        const projects = await gitlabList<{ id: number; path_with_namespace: string; description: string | null }>(gitlab(ctx, baseUrl, "list projects"), "/projects", { membership: true, simple: false });
        return projects
            .filter((p) => p.description?.includes(`<!-- ${mark}`))
            .map((p) => ({ platform: "GitLab", kind: "project", id: String(p.id), label: p.path_with_namespace, mark: `description holds ${mark}…`, remove: deleteAs(projectDefinition, ctx, String(p.id), { baseUrl, pathWithNamespace: p.path_with_namespace, namespaceId: null }) }));
    })();
};

const resendFinder: Finder = (target) => {
    const { env, settings } = target;
    if (!settings.resend) return undefined;
    const baseUrl = settings.resend.baseUrl ?? RESEND_BASE_URL;
    const ctx = context("resend", target);
    const prefix = `${env.stack}-`;
    return (async (): Promise<Found[]> => {
        const keys = await resendList<{ id: string; name: string }>(resend(ctx, baseUrl, "list API keys"), "/api-keys");
        return keys
            .filter((k) => k.name.startsWith(prefix) && API_KEY_MARK.test(k.name) && !longerStackHolds(target, k.name, (stack) => `${stack}-`))
            .map((k) => ({ platform: "Resend", kind: "API key", id: k.id, label: k.name, mark: `name starts with ${prefix} and ends with stackwire's #<hash>`, // Not the provider's delete: its "gone" check needs the key's token, shown once and not in a lost state; the listing just made is the check.
                remove: async () => void (await resend(ctx, baseUrl, `delete API key ${k.id}`).remove(`/api-keys/${k.id}`)) }));
    })();
};

/**
 * The one name the stack gives an object of a service (`<project>-<stack>-openai`): matched
 * exactly, so a longer stack's (`<project>-<stack>-alice-openai`) is never taken for it, whether or
 * not the project's other stacks can be listed.
 */
const exactName = (target: SweepTarget, name: string, rule: (typeof NAME_RULES)[keyof typeof NAME_RULES]) => {
    const wanted = physicalName(target.env, name, rule);
    return { wanted, ours: (found: string | null | undefined) => found === wanted };
};

const openaiFinder: Finder = (target) => {
    const s = target.settings.openai;
    if (!s) return undefined;
    const baseUrl = s.baseUrl ?? OPENAI_BASE_URL;
    const ctx = context("openai", target);
    const { wanted, ours } = exactName(target, "openai", NAME_RULES.openaiName);
    return (async (): Promise<Found[]> => {
        const found: Found[] = [];
        // Archived projects are not live (OpenAI never deletes one): only active ones are listed.
        for await (const p of openaiAdmin(ctx, baseUrl, "list projects").projects.list({ limit: 100 })) {
            if (!ours(p.name)) continue;
            found.push({ platform: "OpenAI", kind: "project", id: p.id, label: p.name ?? p.id, mark: `named ${wanted}`, remove: deleteAs(openaiProjectDefinition, ctx, p.id, { baseUrl }) });
        }
        return found;
    })();
};

const agoraFinder: Finder = (target) => {
    const s = target.settings.agora;
    if (!s) return undefined;
    const baseUrl = s.baseUrl ?? AGORA_BASE_URL;
    const ctx = context("agora", target);
    const { wanted, ours } = exactName(target, "agora", NAME_RULES.agoraProject);
    return (async (): Promise<Found[]> =>
        (await allProjects(ctx, baseUrl, "list Agora projects"))
            // Disabled ones are what a destroy leaves (Agora deletes nothing).
            .filter((p) => p.status === 1 && ours(p.name))
            // Disabled as the provider does it: a 404 counts as done only when the account's list agrees.
            .map((p) => ({ platform: "Agora", kind: "project", id: p.id, label: p.name, mark: `named ${wanted}`, remove: deleteAs(agoraProjectDefinition, ctx, p.id, { baseUrl, madeBy: accountDigest(ctx) }) })))();
};

const posthogFinder: Finder = (target) => {
    const s = target.settings.posthog;
    if (!s) return undefined;
    const baseUrl = s.baseUrl ?? POSTHOG_BASE_URL;
    const ctx = context("posthog", target);
    const { wanted, ours } = exactName(target, "posthog", NAME_RULES.posthogProject);
    return (async (): Promise<Found[]> => {
        const live = await liveProjects(ctx, { baseUrl, organizationId: s.organizationId }, ours, wanted);
        return live.map((p) => ({
                platform: "PostHog",
                kind: "project",
                id: String(p.id),
                label: p.name,
                mark: `named ${wanted}`,
                // Its feature flags go with it.
                remove: deleteAs(posthogProjectDefinition, ctx, String(p.id), { baseUrl, organizationId: s.organizationId }),
            }));
    })();
};

const mapboxFinder: Finder = (target) => {
    const s = target.settings.mapbox;
    if (!s) return undefined;
    const baseUrl = s.baseUrl ?? MAPBOX_BASE_URL;
    const ctx = context("mapbox", target);
    // The notes the stack gives its configured tokens, each rotation's included.
    const notes = Object.keys(s.tokens).map((name) => physicalName(target.env, `mapbox-${name}`, NAME_RULES.mapboxNote));
    const ours = (note: string | undefined) => note !== undefined && notes.some((n) => note === n || (note.startsWith(`${n} (rotation `) && /^ \(rotation \d+\)$/.test(note.slice(n.length))));
    return (async (): Promise<Found[]> => {
        checkAccount(ctx, s.username);
        return (await allTokens(ctx, baseUrl, s.username, "list Mapbox tokens"))
            .filter((t) => ours(t.note))
            .map((t) => ({ platform: "Mapbox", kind: "token", id: t.id, label: t.note ?? t.id, mark: "the note the stack gives a configured token", remove: deleteAs(tokenDefinition, ctx, t.id, { baseUrl, username: s.username }) }));
    })();
};

const FINDERS: Record<string, Finder> = {
    Stripe: stripeFinder,
    Supabase: supabaseFinder,
    Appwrite: appwriteFinder,
    Trello: trelloFinder,
    GitLab: gitlabFinder,
    Resend: resendFinder,
    OpenAI: openaiFinder,
    Agora: agoraFinder,
    PostHog: posthogFinder,
    Mapbox: mapboxFinder,
};

/** Every object marked as the stack's on each configured platform; a platform that cannot be read is reported, not skipped silently. */
export async function findOwned(target: SweepTarget, progress: (platform: string, state: "looking" | "done" | "failed", count?: number) => void = () => undefined): Promise<{ found: Found[]; unreachable: Unreachable[] }> {
    const found: Found[] = [];
    const unreachable: Unreachable[] = [];
    await Promise.all(
        Object.entries(FINDERS).map(async ([platform, finder]) => {
            let pending: Promise<Found[]> | undefined;
            try {
                pending = finder(target);
            } catch (err) {
                unreachable.push({ platform, reason: (err as Error).message });
                progress(platform, "failed");
                return;
            }
            if (!pending) return;
            progress(platform, "looking");
            try {
                const objects = await pending;
                found.push(...objects);
                progress(platform, "done", objects.length);
            } catch (err) {
                unreachable.push({ platform, reason: (err as Error).message });
                progress(platform, "failed");
            }
        }),
    );
    const order = Object.keys(FINDERS);
    found.sort((a, b) => order.indexOf(a.platform) - order.indexOf(b.platform));
    return { found, unreachable };
}

/** The ids a stack's state tracks (a `pulumi stack export`): its resources' ids, which are the platforms' own ids. */
export function trackedIds(exported: unknown): Set<string> {
    const resources = (exported as { deployment?: { resources?: { id?: unknown }[] } } | undefined)?.deployment?.resources ?? [];
    const ids = new Set<string>();
    for (const r of resources) if (typeof r.id === "string" && r.id !== "") ids.add(r.id);
    return ids;
}
