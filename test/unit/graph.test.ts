import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { UsageError, type CliIo } from "../../cli/args";
import { graphCommand } from "../../cli/graph";
import { graphviz, toDot, toMermaid, toPng, toSvg, type DotRenderer } from "../../cli/graph-render";
import { BLUEPRINT_NAMES, blueprintSettings } from "../../stacks/blueprints";
import { GraphInputError, stackGraph, type GraphPlatform, type StackGraph } from "../../stacks/graph";
import { SERVICES } from "../../stacks/services";
import { WIRE_NAMES, WIRES } from "../../stacks/wires/catalog";
import { wiredStackSettings } from "../../sandbox/wired-stack";

const urls = { supabase: "http://127.0.0.1:1", management: "http://127.0.0.1:2", stripe: "http://127.0.0.1:3", appwrite: "http://127.0.0.1:4", trello: "http://127.0.0.1:5", gitlab: "http://127.0.0.1:6", resend: "http://127.0.0.1:7", database: "postgres://postgres@127.0.0.1:5432/app" };

/** Every wire, a second mirrored repository outside the wires, a key handed to three places, and the data services. */
function fullSettings() {
    const s = wiredStackSettings(urls);
    return {
        ...s,
        github: { owner: "acme", repositories: { ...s.github.repositories, docs: { gitlabMirror: { direction: "pull" } } } },
        postgres: { host: "db.internal", database: "app", applicationRoles: { api: ["select"], worker: ["select", "insert"] } },
        redis: { url: "redis://cache.internal:6379", services: { cart: { keyPatterns: ["cart:*"] } } },
        keyConsumers: { "openai.apiKey": [{ kind: "githubSecret", repository: "app" }, { kind: "gitlabVariable", repository: "app", name: "OPENAI_KEY" }, { kind: "supabaseSecret" }] },
    };
}

const platformOf = (graph: StackGraph, id: string): GraphPlatform | undefined => graph.clusters.find((c) => c.nodes.some((n) => n.id === id))?.platform;
const node = (graph: StackGraph, id: string) => graph.clusters.flatMap((c) => c.nodes).find((n) => n.id === id);

describe("the graph model of a stack's settings", () => {
    const graph = stackGraph("demo", fullSettings());

    it("has a cluster per configured platform, in reading order, and the platform keys", () => {
        expect(graph.clusters.map((c) => c.platform)).toEqual(["github", "gitlab", "trello", "stripe", "appwrite", "supabase", "postgres", "redis", "resend", "keys"]);
    });

    it("draws each wanted wire once, between its two platforms, labelled with what flows", () => {
        const wires = graph.edges.filter((e) => e.kind === "wire");
        expect(wires.map((e) => e.wire).sort()).toEqual([...WIRE_NAMES].sort());
        for (const edge of wires) {
            const spec = WIRES[edge.wire!];
            expect([platformOf(graph, edge.from), platformOf(graph, edge.to)], edge.wire).toEqual([spec.from, spec.to]);
            expect(edge.flows).toEqual(spec.flows);
        }
    });

    it("connects the components each wire provisions", () => {
        const ends = Object.fromEntries(graph.edges.filter((e) => e.wire).map((e) => [e.wire, `${e.from} -> ${e.to}`]));
        expect(ends).toMatchObject({
            stripeToSupabase: "stripe_webhook_relay -> supabase_relay",
            stripeToResend: "stripe_webhook_relay -> resend_domain_mail_sandbox_test",
            supabaseToResend: "supabase_auth -> resend_domain_mail_sandbox_test",
            appwriteToStripe: "stripe_webhook_appwrite -> appwrite_function_stripe_events",
            githubToTrello: "github_repo_app -> trello_board_devops",
            gitlabToTrello: "gitlab_project_app -> trello_board_devops",
            githubToGitlab: "github_repo_app -> gitlab_project_app",
        });
    });

    it("draws a mirror no wire covers as a mirror edge, and the wired one only once", () => {
        const mirrors = graph.edges.filter((e) => e.kind === "mirror");
        expect(mirrors).toEqual([{ from: "github_repo_docs", to: "gitlab_project_docs", kind: "mirror", flows: ["pull mirror"] }]);
        expect(graph.edges.filter((e) => e.to === "gitlab_project_app" && e.from === "github_repo_app")).toHaveLength(1);
    });

    it("fans a platform key out to each consumer, labelled with the name the consumer sees", () => {
        const keys = graph.edges.filter((e) => e.kind === "key");
        expect(keys.map((e) => [e.from, e.to, e.flows[0]])).toEqual([
            ["keys_openai_apiKey", "github_repo_app", "OPENAI_API_KEY"],
            ["keys_openai_apiKey", "gitlab_project_app", "OPENAI_KEY"],
            ["keys_openai_apiKey", "supabase_function_secrets", "OPENAI_API_KEY"],
        ]);
        expect(node(graph, "keys_openai_apiKey")?.detail).toBe("3 consumers");
    });

    it("names and counts the components", () => {
        expect(node(graph, "stripe_catalog")).toMatchObject({ title: "Catalog", detail: "1 product · 1 price" });
        expect(node(graph, "appwrite_databases")?.detail).toBe("app (1 collection)");
        expect(node(graph, "trello_board_devops")?.detail).toBe("DevOps · 5 lists");
        expect(node(graph, "supabase_relay")?.detail).toBe("stackwire-relay · relays 6 wires");
        expect(node(graph, "postgres_roles")?.detail).toBe("api, worker");
        expect(node(graph, "github_repo_app")?.detail).toBe("acme/app");
        expect(Object.fromEntries(graph.clusters.map((c) => [c.platform, c.nodes.map((n) => n.id)]))).toEqual({
            github: ["github_repo_app", "github_repo_docs"],
            gitlab: ["gitlab_project_app", "gitlab_project_docs"],
            trello: ["trello_board_devops"],
            stripe: ["stripe_catalog", "stripe_webhook_relay", "stripe_webhook_appwrite"],
            appwrite: ["appwrite_databases", "appwrite_function_stripe_events", "appwrite_messaging"],
            supabase: ["supabase_database", "supabase_relay", "supabase_auth", "supabase_function_secrets"],
            postgres: ["postgres_database", "postgres_roles"],
            redis: ["redis_users"],
            resend: ["resend_domain_mail_sandbox_test"],
            keys: ["keys_openai_apiKey"],
        });
    });

    it("draws every service of the registry, even with an empty section", () => {
        for (const { key } of SERVICES) {
            if (key === "wires") continue;
            expect(stackGraph("one", { [key]: {} }).clusters.length, key).toBe(1);
        }
    });

    it.each([
        ["an unknown section", { stripe: {}, strpie: {} }, /^strpie: not a stackwire setting \(known: environment, supabase, stripe/],
        ["an unknown wire", { wires: { stripeToSlack: {} } }, /^wires\.stripeToSlack: not a wire \(known: stripeToSupabase, /],
    ])("refuses %s, naming it", (_what, settings, message) => {
        expect(() => stackGraph("x", settings)).toThrow(GraphInputError);
        expect(() => stackGraph("x", settings)).toThrow(message);
    });

    it.each(BLUEPRINT_NAMES)("draws every wire of the %s blueprint", (name) => {
        const settings = blueprintSettings(name);
        const drawn = stackGraph(name, settings).edges.flatMap((e) => e.wire ?? []);
        expect(drawn.sort()).toEqual(Object.keys((settings.wires as object | undefined) ?? {}).sort());
    });

    it("ignores secrets in the settings: they draw nothing", () => {
        expect(stackGraph("x", { stripe: {}, stripeSecretKey: { secure: "v1:abc" } }).clusters.map((c) => c.platform)).toEqual(["stripe"]);
    });
});

describe("pictures", () => {
    let renderer: DotRenderer;
    beforeAll(async () => {
        renderer = await graphviz();
    });
    const graph = stackGraph("demo", fullSettings());

    it("Mermaid: a left-to-right flowchart whose edges name only declared nodes", () => {
        const text = toMermaid(graph);
        const lines = text.trimEnd().split("\n");
        expect(lines[0]).toBe("flowchart LR");
        expect(lines.filter((l) => /^\s*subgraph /.test(l))).toHaveLength(graph.clusters.length);
        expect(lines.filter((l) => l.trim() === "end")).toHaveLength(graph.clusters.length);
        const declared = new Set(lines.flatMap((l) => /^\s+(\w+)\["/.exec(l)?.[1] ?? []));
        const edges = lines.flatMap((l) => /^\s+(\w+) (==>|-\.->)\|"[^"]*"\| (\w+)$/.exec(l) ?? []);
        expect(lines.filter((l) => /-->|==>|-\.->/.test(l))).toHaveLength(graph.edges.length);
        for (let i = 0; i < edges.length; i += 4) {
            expect(declared.has(edges[i + 1]), edges[i]).toBe(true);
            expect(declared.has(edges[i + 3]), edges[i]).toBe(true);
        }
        expect(edges.length / 4).toBe(graph.edges.length);
    });

    it("placeholders stay visible and never break the syntax", () => {
        const saas = stackGraph("saas", blueprintSettings("saas"));
        expect(toMermaid(saas)).toContain("#lt;your-domain#gt;");
        expect(toMermaid(saas)).not.toContain("<your-domain>");
        expect(toDot(saas)).toContain("&lt;your-domain&gt;");
    });

    it("SVG: every node's title and detail and every edge's flows are drawn", async () => {
        const svg = await toSvg(graph, renderer);
        const decode = (t: string) => t.replace(/&#(\d+);/g, (_m, n) => String.fromCharCode(Number(n))).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
        const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => decode(m[1]));
        for (const n of graph.clusters.flatMap((c) => c.nodes)) {
            expect(texts, n.id).toContain(n.title);
            if (n.detail) expect(texts, n.id).toContain(n.detail);
        }
        for (const flow of graph.edges.flatMap((e) => e.flows)) expect(texts).toContain(flow);
    });

    const pngSize = (png: Buffer) => ({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) });

    it("PNG: a PNG of the width asked for and a plausible height", async () => {
        const png = toPng(await toSvg(graph, renderer), 1200);
        expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
        expect(pngSize(png).width).toBe(1200);
        expect(pngSize(png).height).toBeGreaterThan(200);
        expect(pngSize(png).height).toBeLessThan(5000);
        expect(png.length).toBeGreaterThan(20_000);
    });

    it("PNG: a small graph is drawn at twice its size, not stretched to the width", async () => {
        const svg = await toSvg(stackGraph("small", { redis: { url: "redis://cache:6379" } }), renderer);
        const points = Number(/<svg width="([\d.]+)pt"/.exec(svg)![1]);
        const { width } = pngSize(toPng(svg, 1600));
        expect(width).toBeLessThan(1600);
        expect(Math.abs(width - ((points * 4) / 3) * 2)).toBeLessThanOrEqual(2);
    });
});

describe("npm run graph", () => {
    let renderer: DotRenderer;
    beforeAll(async () => {
        renderer = await graphviz();
    });
    function io(cwd = mkdtempSync(path.join(tmpdir(), "stackwire-graph-"))) {
        const out: string[] = [];
        const err: string[] = [];
        const value: CliIo = { cwd, out: (t) => out.push(t), err: (t) => err.push(t) };
        return { io: value, out, err, cwd };
    }

    it("writes every format for a blueprint under <out>/<name>", async () => {
        const run = io();
        const { files } = await graphCommand(["--blueprint", "devops", "--out", "pictures"], run.io, renderer);
        expect(Object.values(files).map((f) => path.relative(run.cwd, f!)).sort()).toEqual(["pictures/devops.dot", "pictures/devops.mmd", "pictures/devops.png", "pictures/devops.svg"]);
        expect(readFileSync(files.mermaid!, "utf8")).toMatch(/^flowchart LR\n/);
        expect(run.out).toEqual([]);
    });

    it("prints the Mermaid text when it is the only format", async () => {
        const run = io();
        await graphCommand(["--blueprint", "saas", "--format", "mermaid"], run.io, renderer);
        expect(run.out).toHaveLength(1);
        expect(run.out[0]).toBe(readFileSync(path.join(run.cwd, "graph", "saas.mmd"), "utf8").trimEnd());
    });

    it("reads a stack's file from the project folder, other namespaces and secrets left out", async () => {
        const run = io();
        writeFileSync(path.join(run.cwd, "Pulumi.dev.yaml"), "config:\n  aws:region: eu-west-1\n  stackwire:stripeSecretKey:\n    secure: v1:abc\n  stackwire:redis:\n    url: redis://cache:6379\n");
        const { graph } = await graphCommand(["--stack", "dev", "--format", "dot"], run.io, renderer);
        expect(graph).toMatchObject({ name: "dev", clusters: [{ platform: "redis" }] });
    });

    it.each([
        ["no source", [], /^give one of --stack <name>, --blueprint <name> or --config <file>$/],
        ["two sources", ["--stack", "dev", "--blueprint", "saas"], /^--stack and --blueprint: give only one$/],
        ["an unknown blueprint", ["--blueprint", "crm"], /^--blueprint: there is no blueprint "crm" \(known: saas, ecommerce, devops, ai, mobile\)$/],
        ["a stack without its file", ["--stack", "staging"], /^--stack staging: there is no Pulumi\.staging\.yaml in /],
        ["a missing config file", ["--config", "nope.yaml"], /^--config: there is no file nope\.yaml$/],
        ["an unknown format", ["--blueprint", "saas", "--format", "svg,jpg"], /^--format: "jpg" is not a format \(known: svg, png, mermaid, dot\)$/],
        ["a width in words", ["--blueprint", "saas", "--width", "wide"], /^--width: must be a whole number of pixels/],
        ["an unknown flag", ["--blueprint", "saas", "--colour", "red"], /'--colour'/],
    ])("refuses %s, naming the flag", async (_what, argv, message) => {
        const run = io();
        const attempt = graphCommand(argv, run.io, renderer);
        await expect(attempt).rejects.toThrow(UsageError);
        await expect(graphCommand(argv, run.io, renderer)).rejects.toThrow(message);
    });

    it("names the file when its settings cannot be drawn", async () => {
        const run = io();
        writeFileSync(path.join(run.cwd, "odd.yaml"), "config:\n  stackwire:wires:\n    stripeToSlack: {}\n");
        await expect(graphCommand(["--config", "odd.yaml"], run.io, renderer)).rejects.toThrow(/^odd\.yaml: wires\.stripeToSlack: not a wire/);
    });
});
