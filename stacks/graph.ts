/**
 * A stack's settings as a picture's model: one cluster per platform the settings configure, with
 * the components it provisions, and one edge per connection between them (the wires, the GitHub →
 * GitLab mirrors, the platform keys fanned out to their consumers). Works on the settings as
 * written, placeholders included, so a blueprint draws before it is filled in; validation is
 * stacks/config.ts's job. Rendering is in cli/graph-render.ts.
 */
import { SECRET_KEYS, SETTING_KEYS } from "./config";
import { usageOf } from "../dynamic-providers/mapbox/schema";
import { madeKeysIn } from "./services";
import { consumerVariableName } from "./services/keys";
import { RELAYED } from "./services/wires";
import { WIRE_NAMES, WIRES, type WireName } from "./wires/catalog";

/** A cluster of the picture: a platform, or the platform keys. */
export type GraphPlatform = "github" | "gitlab" | "trello" | "stripe" | "appwrite" | "supabase" | "postgres" | "redis" | "resend" | "openai" | "agora" | "mapbox" | "posthog" | "expo" | "keys";

export interface PlatformStyle {
    label: string;
    /** The brand colour: the cluster's border and title, its nodes' borders and its outgoing edges. */
    color: string;
    /** A light tint of it, the cluster's background. */
    fill: string;
    /** The node standing for the platform when none of its components is configured. */
    fallback: string;
}

/** In the order the clusters are declared, which is roughly how they read left to right. */
export const PLATFORM_STYLES: Record<GraphPlatform, PlatformStyle> = {
    github: { label: "GitHub", color: "#24292F", fill: "#F3F4F6", fallback: "Organisation" },
    gitlab: { label: "GitLab", color: "#E24329", fill: "#FEF0EA", fallback: "Instance" },
    trello: { label: "Trello", color: "#0079BF", fill: "#E8F3FA", fallback: "Workspace" },
    stripe: { label: "Stripe", color: "#635BFF", fill: "#F0EFFF", fallback: "Account" },
    appwrite: { label: "Appwrite", color: "#FD366E", fill: "#FFEEF3", fallback: "Project" },
    supabase: { label: "Supabase", color: "#249A65", fill: "#EAF8F1", fallback: "Project" },
    postgres: { label: "PostgreSQL", color: "#336791", fill: "#ECF1F6", fallback: "Server" },
    redis: { label: "Redis", color: "#D82C20", fill: "#FCEDEC", fallback: "Server" },
    resend: { label: "Resend", color: "#111111", fill: "#F4F4F4", fallback: "Account" },
    openai: { label: "OpenAI", color: "#10A37F", fill: "#E9F7F2", fallback: "Organization" },
    agora: { label: "Agora", color: "#099DFD", fill: "#E6F5FF", fallback: "Account" },
    mapbox: { label: "Mapbox", color: "#4264FB", fill: "#ECF0FF", fallback: "Account" },
    posthog: { label: "PostHog", color: "#F54E00", fill: "#FEEEE6", fallback: "Organization" },
    expo: { label: "Expo (EAS)", color: "#000020", fill: "#F0F0F5", fallback: "Project" },
    keys: { label: "Platform keys", color: "#B7791F", fill: "#FDF6E3", fallback: "Keys" },
};

/** The config section each cluster comes from (`keyConsumers` draws the platform keys). */
const SECTION_OF: Record<GraphPlatform, string> = {
    github: "github",
    gitlab: "gitlab",
    trello: "trello",
    stripe: "stripe",
    appwrite: "appwrite",
    supabase: "supabase",
    postgres: "postgres",
    redis: "redis",
    resend: "resend",
    openai: "openai",
    agora: "agora",
    mapbox: "mapbox",
    posthog: "posthog",
    expo: "expo",
    keys: "keyConsumers",
};

export interface GraphNode {
    /** Unique in the graph, letters, digits and _ only (valid in Mermaid and DOT alike). */
    id: string;
    platform: GraphPlatform;
    /** What it is: "Catalog", "Edge Function". */
    title: string;
    /** Which one, or how many: "2 products · 3 prices". */
    detail?: string;
}

export interface GraphCluster {
    platform: GraphPlatform;
    nodes: GraphNode[];
}

/** wire: one of the seed's wires; mirror: a repository's GitLab mirror set outside the wires; key: a platform key handed to a consumer. */
export type EdgeKind = "wire" | "mirror" | "key";

export interface GraphEdge {
    from: string;
    to: string;
    kind: EdgeKind;
    /** What travels along it. */
    flows: string[];
    /** The wire it draws, for `wire` edges. */
    wire?: WireName;
}

export interface StackGraph {
    /** The stack or blueprint the picture is of. */
    name: string;
    clusters: GraphCluster[];
    edges: GraphEdge[];
}

/** Settings the graph cannot draw: a section stackwire does not know, a wire it does not know. */
export class GraphInputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "GraphInputError";
    }
}

type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj => (value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Obj) : {});
const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "a, b, c" with at most `max` names shown. */
function names(list: string[], max = 3): string {
    return list.length <= max ? list.join(", ") : `${list.slice(0, max).join(", ")} +${list.length - max}`;
}

/** Collects nodes by a stable key per platform, handing out ids that are safe in every output format. */
class GraphBuilder {
    private readonly byKey = new Map<string, GraphNode>();
    private readonly ids = new Set<string>();
    readonly edges: GraphEdge[] = [];

    /** The node `key` of `platform`, created on first use. */
    node(platform: GraphPlatform, key: string, title: string, detail?: string): string {
        const full = `${platform}:${key}`;
        const existing = this.byKey.get(full);
        if (existing) return existing.id;
        const base = `${platform}_${key.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_+|_+$/g, "")}`.replace(/_+$/, "");
        let id = base;
        for (let n = 2; this.ids.has(id); n++) id = `${base}_${n}`;
        this.ids.add(id);
        this.byKey.set(full, { id, platform, title, ...(detail !== undefined ? { detail } : {}) });
        return id;
    }

    /** The platform's own node: used when an edge reaches a platform none of whose components is configured. */
    platformNode(platform: GraphPlatform, detail?: string): string {
        return this.node(platform, "platform", PLATFORM_STYLES[platform].fallback, detail);
    }

    has(platform: GraphPlatform): boolean {
        return [...this.byKey.values()].some((n) => n.platform === platform);
    }

    edge(from: string, to: string, kind: EdgeKind, flows: string[], wire?: WireName): void {
        this.edges.push({ from, to, kind, flows, ...(wire ? { wire } : {}) });
    }

    clusters(): GraphCluster[] {
        return (Object.keys(PLATFORM_STYLES) as GraphPlatform[])
            .map((platform) => ({ platform, nodes: [...this.byKey.values()].filter((n) => n.platform === platform) }))
            .filter((c) => c.nodes.length > 0);
    }
}

/** Refuses keys stackwire does not know (a typo would silently drop a platform); secrets are ignored, they draw nothing. */
function checkKeys(settings: Obj): void {
    const unknown = Object.keys(settings).filter((key) => !SETTING_KEYS.includes(key) && !SECRET_KEYS.has(key));
    if (unknown.length > 0) throw new GraphInputError(`${unknown.join(", ")}: not a stackwire setting (known: ${SETTING_KEYS.join(", ")})`);
    const wires = obj(settings.wires);
    const unknownWires = Object.keys(wires).filter((key) => key !== "receiver" && !(WIRE_NAMES as string[]).includes(key));
    if (unknownWires.length > 0) throw new GraphInputError(`${unknownWires.map((w) => `wires.${w}`).join(", ")}: not a wire (known: ${WIRE_NAMES.join(", ")})`);
}

/** The components each configured section provisions. */
function addComponents(g: GraphBuilder, s: Obj): void {
    if (s.github !== undefined) {
        const owner = str(obj(s.github).owner) ?? "";
        const repositories = Object.entries(obj(obj(s.github).repositories));
        for (const [key, r] of repositories) g.node("github", `repo:${key}`, "Repository", `${owner ? `${owner}/` : ""}${str(obj(r).name) ?? key}`);
        if (repositories.length === 0) g.platformNode("github", owner || undefined);
    }
    for (const [key, r] of Object.entries(obj(obj(s.github).repositories))) {
        const mirror = obj(r).gitlabMirror;
        if (mirror !== undefined) g.node("gitlab", `project:${key}`, "Mirror project", `${key} (${str(obj(mirror).direction) ?? "mirror"})`);
    }
    if (s.gitlab !== undefined && !g.has("gitlab")) g.platformNode("gitlab", str(obj(s.gitlab).baseUrl));

    if (s.trello !== undefined) {
        const boards = Object.entries(obj(obj(s.trello).boards));
        for (const [key, b] of boards) {
            const lists = Array.isArray(obj(b).lists) ? (obj(b).lists as unknown[]).length : 0;
            g.node("trello", `board:${key}`, "Board", `${str(obj(b).name) ?? key} · ${plural(lists, "list")}`);
        }
        if (boards.length === 0) g.platformNode("trello");
    }

    if (s.stripe !== undefined) {
        const products = Object.values(obj(obj(s.stripe).products));
        if (products.length > 0) {
            const prices = products.reduce<number>((n, p) => n + Object.keys(obj(obj(p).prices)).length, 0);
            g.node("stripe", "catalog", "Catalog", `${plural(products.length, "product")} · ${plural(prices, "price")}`);
        }
        const webhooks = Object.keys(obj(obj(s.stripe).webhooks));
        if (webhooks.length > 0) g.node("stripe", "webhooks", "Webhook endpoints", names(webhooks));
    }

    if (s.appwrite !== undefined) {
        const a = obj(s.appwrite);
        const databases = Object.entries(obj(a.databases));
        if (databases.length > 0) g.node("appwrite", "databases", "Databases", names(databases.map(([key, db]) => `${key} (${plural(Object.keys(obj(obj(db).collections)).length, "collection")})`), 2));
        const buckets = Object.keys(obj(a.buckets));
        if (buckets.length > 0) g.node("appwrite", "buckets", "Storage", `${plural(buckets.length, "bucket")}: ${names(buckets)}`);
        // Functions the section may declare itself.
        for (const id of Object.keys(obj(a.functions))) g.node("appwrite", `function:${id}`, "Function", id);
    }

    if (s.supabase !== undefined) {
        const sb = obj(s.supabase);
        const buckets = Object.keys(obj(sb.buckets));
        if (buckets.length > 0) g.node("supabase", "storage", "Storage", `${plural(buckets.length, "bucket")}: ${names(buckets)}`);
        if (sb.database !== undefined) g.node("supabase", "database", "Database", "relay tables");
    }

    if (s.postgres !== undefined) {
        const p = obj(s.postgres);
        g.node("postgres", "database", "Database", `${str(p.database) ?? "?"} · schema ${str(p.schema) ?? "app"}`);
        const roles = Object.keys(obj(p.applicationRoles));
        if (roles.length > 0) g.node("postgres", "roles", "Application roles", names(roles));
    }

    if (s.redis !== undefined) {
        const users = Object.keys(obj(obj(s.redis).services));
        if (users.length > 0) g.node("redis", "users", "ACL users", names(users));
        else g.platformNode("redis");
    }

    if (s.resend !== undefined) {
        const r = obj(s.resend);
        for (const domain of Object.keys(obj(r.domains))) g.node("resend", `domain:${domain.toLowerCase()}`, "Domain", domain);
        const keys = Object.keys(obj(r.apiKeys));
        if (keys.length > 0) g.node("resend", "api-keys", "API keys", names(keys));
        const webhooks = Object.keys(obj(r.webhooks));
        if (webhooks.length > 0) g.node("resend", "webhooks", "Webhooks", names(webhooks));
    }
}

/** The OpenAI project and the service account whose key the stack makes. */
function addOpenai(g: GraphBuilder, s: Obj): void {
    if (s.openai === undefined) return;
    const o = obj(s.openai);
    const rotation = typeof o.keyRotation === "number" && o.keyRotation > 0 ? ` · rotation ${o.keyRotation}` : "";
    g.node("openai", "project", "Project", str(obj(o.project).name) ?? "the stack's");
    g.node("openai", "service-account", "Service account", `API key${rotation}`);
}

/** The Agora project whose App ID and certificate the stack hands on. */
function addAgora(g: GraphBuilder, s: Obj): void {
    if (s.agora === undefined) return;
    const project = obj(obj(s.agora).project);
    g.node("agora", "project", "Project", `${str(project.name) ?? "the stack's"}${project.certificate === false ? " · no certificate" : ""}`);
}

/** Each Mapbox token, public or secret by its scopes. */
function mapboxTokenNode(g: GraphBuilder, name: string, t: Obj = {}): string {
    const scopes = Array.isArray(t.scopes) ? t.scopes.map(String) : [];
    const usage = scopes.length === 0 ? "token" : usageOf(scopes) === "pk" ? "public token" : "secret token";
    return g.node("mapbox", `token:${name}`, "Access token", `${name} · ${usage}`);
}

function addMapbox(g: GraphBuilder, s: Obj): void {
    if (s.mapbox === undefined) return;
    const tokens = Object.entries(obj(obj(s.mapbox).tokens));
    for (const [name, t] of tokens) mapboxTokenNode(g, name, obj(t));
    if (tokens.length === 0) g.platformNode("mapbox", str(obj(s.mapbox).username));
}

/** The PostHog project and its feature flags. */
function addPosthog(g: GraphBuilder, s: Obj): void {
    if (s.posthog === undefined) return;
    const p = obj(s.posthog);
    g.node("posthog", "project", "Project", str(obj(p.project).name) ?? "the stack's");
    const flags = Object.keys(obj(p.featureFlags));
    if (flags.length > 0) g.node("posthog", "flags", "Feature flags", names(flags));
}

/** The node that makes each kind of made key, by the service that makes it. */
const MADE_KEY_SOURCES: Record<string, (g: GraphBuilder, reference: string) => string> = {
    openai: (g) => g.node("openai", "service-account", "Service account", "API key"),
    agora: (g) => g.node("agora", "project", "Project", "the stack's"),
    mapbox: (g, reference) => mapboxTokenNode(g, reference.split(".")[1]),
    posthog: (g) => g.node("posthog", "project", "Project", "the stack's"),
};

/** The Resend domain a wire's sender is at (its sending key is restricted to it). */
function senderNode(g: GraphBuilder, from: unknown): string {
    const domain = str(from)?.split("@")[1]?.toLowerCase();
    return domain ? g.node("resend", `domain:${domain}`, "Domain", domain) : g.platformNode("resend");
}

/** Each wire's two ends, as the components it connects. */
function addWires(g: GraphBuilder, s: Obj): void {
    const wires = obj(s.wires);
    const wanted = WIRE_NAMES.filter((w) => wires[w] !== undefined);
    const slug = str(obj(wires.receiver).slug) ?? "stackwire-relay";
    const relayed = wanted.filter((w) => RELAYED.includes(w)).length;
    const relay = () => g.node("supabase", "relay", "Edge Function", `${slug} · relays ${plural(relayed, "wire")}`);
    const relayWebhook = () => g.node("stripe", "webhook:relay", "Webhook endpoint", `→ ${slug}`);
    const repo = (key: unknown) => g.node("github", `repo:${str(key)}`, "Repository", str(key));
    const project = (key: unknown) => g.node("gitlab", `project:${str(key)}`, "Mirror project", str(key));
    const board = (key: unknown) => g.node("trello", `board:${str(key)}`, "Board", str(key));

    for (const wire of wanted) {
        const w = obj(wires[wire]);
        const flows = [...WIRES[wire].flows];
        const ends: Record<WireName, () => [string, string]> = {
            stripeToSupabase: () => [relayWebhook(), relay()],
            stripeToResend: () => [relayWebhook(), senderNode(g, w.from)],
            supabaseToResend: () => [g.node("supabase", "auth", "Auth", "custom SMTP"), senderNode(g, w.from)],
            appwriteToStripe: () => {
                const id = str(w.functionId) ?? "stripe-events";
                return [g.node("stripe", "webhook:appwrite", "Webhook endpoint", `→ function ${id}`), g.node("appwrite", `function:${id}`, "Function", id)];
            },
            appwriteToResend: () => [g.node("appwrite", "messaging", "Messaging", `Resend provider ${str(w.providerId) ?? "resend"}`), senderNode(g, w.from)],
            githubToSupabase: () => [repo(w.repository), relay()],
            githubToTrello: () => [repo(w.repository), board(w.board)],
            gitlabToTrello: () => [project(w.repository), board(w.board)],
            githubToGitlab: () => [repo(w.repository), project(w.repository)],
            trelloToResend: () => [board(w.board), senderNode(g, w.from)],
        };
        const [from, to] = ends[wire]();
        g.edge(from, to, "wire", flows, wire);
    }
    // The relay is deployed whenever a relayed wire is wanted, even when its events land elsewhere.
    if (relayed > 0) relay();

    // Mirrors that no githubToGitlab wire draws already.
    const wiredMirrors = new Set(wanted.includes("githubToGitlab") ? [str(obj(wires.githubToGitlab).repository)] : []);
    for (const [key, r] of Object.entries(obj(obj(s.github).repositories))) {
        const mirror = obj(r).gitlabMirror;
        if (mirror === undefined || wiredMirrors.has(key)) continue;
        const direction = str(obj(mirror).direction);
        g.edge(repo(key), project(key), "mirror", [direction === "pull" ? "pull mirror" : direction === "both" ? "mirror both ways" : "mirror"]);
    }
}

/** Each platform key and the places it is handed to. */
function addKeyConsumers(g: GraphBuilder, s: Obj): void {
    const madeKeys = madeKeysIn(s);
    for (const [reference, consumers] of Object.entries(obj(s.keyConsumers))) {
        const list = Array.isArray(consumers) ? consumers.map(obj) : [];
        const key = g.node("keys", reference, reference, plural(list.length, "consumer"));
        // A key the stack makes: drawn from where it is made.
        const maker = madeKeys.get(reference);
        if (maker !== undefined) g.edge(MADE_KEY_SOURCES[maker]?.(g, reference) ?? g.platformNode(maker as GraphPlatform), key, "key", ["made by the stack"]);
        for (const c of list) {
            const name = consumerVariableName(reference, c);
            const target = (() => {
                switch (c.kind) {
                    case "githubSecret":
                        return g.node("github", `repo:${str(c.repository)}`, "Repository", str(c.repository));
                    case "gitlabVariable":
                        return g.node("gitlab", `project:${str(c.repository)}`, "Mirror project", str(c.repository));
                    case "appwriteFunction":
                        return g.node("appwrite", `function:${str(c.functionId)}`, "Function", str(c.functionId));
                    case "expoVariable": {
                        const environments = Array.isArray(c.environments) ? c.environments.map(String) : ["development", "preview", "production"];
                        return g.node("expo", `variables:${environments.join(",")}`, "Environment variables", environments.join(", "));
                    }
                    default:
                        return g.node("supabase", "function-secrets", "Edge Function secrets", "project-wide");
                }
            })();
            g.edge(key, target, "key", [name]);
        }
    }
}

/** The picture's model of a stack's settings (keys as in `pulumi config`, without the `stackwire:` namespace). */
export function stackGraph(name: string, settings: Record<string, unknown>): StackGraph {
    checkKeys(settings);
    const g = new GraphBuilder();
    addComponents(g, settings);
    addOpenai(g, settings);
    addAgora(g, settings);
    addMapbox(g, settings);
    addPosthog(g, settings);
    addWires(g, settings);
    addKeyConsumers(g, settings);
    // A configured platform with nothing drawn yet still shows up.
    for (const [platform, section] of Object.entries(SECTION_OF) as [GraphPlatform, string][]) {
        if (settings[section] !== undefined && !g.has(platform)) g.platformNode(platform);
    }
    return { name, clusters: g.clusters(), edges: g.edges };
}

/** The line an edge is labelled with: what flows along it. */
export function edgeLabel(edge: GraphEdge): string {
    return edge.flows.join(", ");
}
