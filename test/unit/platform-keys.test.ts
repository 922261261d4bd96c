/**
 * Platform keys declared once and fanned out, through the compiled program under mocks, and the
 * config rules for keys and consumers.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type * as Config from "../../stacks/config";
import type * as Environments from "../../stacks/environment";
import type * as Graph from "./mock-graph";
import { fakeCredential } from "../fake-credential";

const load = createRequire(join(process.cwd(), "package.json"));
const { validateStackConfig, StackConfigError } = load("./bin/stacks/config") as typeof Config;
const { environmentFor } = load("./bin/stacks/environment") as typeof Environments;
const { recordGraph, settled, isSecretValue, plainStrings } = load("./bin/test/unit/mock-graph") as typeof Graph;
const pulumi = load("@pulumi/pulumi") as typeof import("@pulumi/pulumi");

const OPENAI = "sk-proj-firstKeyAAAAAAAAAAAAAAAAAAAA";
const ROTATED = "sk-proj-rotatedKeyBBBBBBBBBBBBBBBBBB";

const settings = {
    supabase: { url: "https://abcdefghijklmnopqrst.supabase.co", projectRef: "abcdefghijklmnopqrst" },
    appwrite: { endpoint: "https://cloud.appwrite.io/v1", projectId: "acme" },
    github: { owner: "acme", repositories: { app: { gitlabMirror: { direction: "pull", webhooks: { cards: { url: "https://sync.example/gitlab", events: ["pipeline"] } } } } } },
    keyConsumers: {
        "openai.apiKey": [{ kind: "githubSecret", repository: "app" }, { kind: "gitlabVariable", repository: "app" }, { kind: "appwriteFunction", functionId: "notify" }, { kind: "supabaseSecret" }],
    },
};

const credentials = ["supabaseServiceRoleKey", "appwriteApiKey", "githubToken", "gitlabToken", "supabaseAccessToken"];

function runProgram(openaiKey: string) {
    const graph = recordGraph("stackwire", "dev");
    const config: Record<string, string> = Object.fromEntries(Object.entries(settings).map(([k, v]) => [`stackwire:${k}`, JSON.stringify(v)]));
    for (const c of credentials) config[`stackwire:${c}`] = "credential-value-0123456789";
    config["stackwire:platformKeys"] = JSON.stringify({ openai: { apiKey: openaiKey } });
    pulumi.runtime.setAllConfig(config, [...credentials, "platformKeys"].map((c) => `stackwire:${c}`));
    const entry = load.resolve("./bin/index.js");
    delete load.cache[entry];
    const program = load(entry) as Record<string, unknown>;
    return { graph, program };
}

const CONSUMERS = {
    github: "platform-keys-github-app-OPENAI_API_KEY",
    gitlab: "platform-keys-gitlab-app-OPENAI_API_KEY",
    appwrite: "platform-keys-appwrite-notify-OPENAI_API_KEY",
    supabase: "platform-keys-supabase-secrets",
};

async function fannedOut(key: string) {
    const { graph, program } = runProgram(key);
    await settled(pulumi.output(program.supabaseBucketIds as never), pulumi.output(program.githubRepositoryUrls as never));
    const values = {
        github: graph.named(CONSUMERS.github).inputs.plaintextValue,
        gitlab: graph.named(CONSUMERS.gitlab).inputs.value,
        appwrite: graph.named(CONSUMERS.appwrite).inputs.value,
        supabase: graph.named(CONSUMERS.supabase).inputs.secrets,
    };
    return { graph, program, values };
}

describe("PlatformKeys", () => {
    it("hands one key to four consumers, each copy secret", async () => {
        const { values, program } = await fannedOut(OPENAI);
        for (const v of Object.values(values)) expect(isSecretValue(v)).toBe(true);
        expect(JSON.stringify(values)).toContain(OPENAI);
        expect(program.platformKeyConsumers).toEqual({ "openai.apiKey": ["github:app:OPENAI_API_KEY", "gitlab:app:OPENAI_API_KEY", "appwrite:notify:OPENAI_API_KEY", "supabase:OPENAI_API_KEY"] });
    });

    it("a rotated key changes all four consumers", async () => {
        const before = (await fannedOut(OPENAI)).values;
        const after = (await fannedOut(ROTATED)).values;
        for (const consumer of Object.keys(CONSUMERS) as (keyof typeof CONSUMERS)[]) {
            expect(JSON.stringify(after[consumer])).not.toBe(JSON.stringify(before[consumer]));
            expect(JSON.stringify(after[consumer])).toContain(ROTATED);
        }
    });

    it("exports the GitLab webhook tokens by repository as a secret stack output", async () => {
        const { program } = await fannedOut(OPENAI);
        type Output<T> = import("@pulumi/pulumi").Output<T>;
        const valueOf = <T>(output: Output<T>) => new Promise<T>((resolve) => output.apply(resolve));
        const secrets = program.gitlabWebhookSecrets as Output<Record<string, Record<string, string>>>;
        expect(await pulumi.isSecret(secrets)).toBe(true);
        const tokens = await valueOf(secrets);
        expect(Object.keys(tokens)).toEqual(["app"]);
        expect(Object.keys(tokens.app)).toEqual(["cards"]);
        expect(Object.keys(await valueOf(program.gitlabProjectIds as Output<Record<string, string>>))).toEqual(["app"]);
    });

    it("never registers a key outside a secret, serialized providers included", async () => {
        const { graph } = await fannedOut(OPENAI);
        const plain = graph.resources.flatMap((r) => plainStrings(r.inputs));
        expect(plain.filter((s) => s.includes(OPENAI))).toEqual([]);
        expect(plain.filter((s) => s.includes("credential-value-0123456789"))).toEqual([]);
    });
});

describe("config for keys and consumers", () => {
    const base = { github: settings.github };
    function problemsOf(extra: Record<string, unknown>, keys: unknown, stack = "dev"): string[] {
        const s = { ...base, ...extra };
        try {
            validateStackConfig({ settings: s, secretness: { ...Object.fromEntries(Object.keys(s).map((k) => [k, false])), githubToken: true, gitlabToken: true, platformKeys: true }, env: {}, platformKeys: keys }, environmentFor("stackwire", stack));
        } catch (err) {
            expect(err).toBeInstanceOf(StackConfigError);
            return (err as Config.StackConfigError).problems.map((p) => `${p.path}: ${p.rule}${p.received !== undefined ? ` (received ${p.received})` : ""}`);
        }
        throw new Error("config was accepted");
    }

    it("reports every problem at once, whichever section is malformed", () => {
        const problems = problemsOf(
            {
                // A malformed section (an upper-case bucket name)...
                supabase: { url: "https://abcd.supabase.co", buckets: { Avatars: {} } },
                // ...does not hide a duplicate lookup key, an index on a missing attribute, or a malformed key.
                stripe: {
                    products: {
                        a: { name: "A", prices: { m: { currency: "eur", unitAmount: 1, lookupKey: "plan" } } },
                        b: { name: "B", prices: { m: { currency: "eur", unitAmount: 2, lookupKey: "plan" } } },
                    },
                },
                appwrite: { endpoint: "https://cloud.appwrite.io/v1", projectId: "acme", databases: { main: { name: "Main", collections: { users: { name: "Users", indexes: { by_email: { type: "unique", attributes: ["email"] } } } } } } },
                keyConsumers: { "openai.apiKey": [{ kind: "githubSecret", repository: "app" }] },
            },
            { openai: { apiKey: "abc" } },
        ).join("\n");
        expect(problems).toContain("supabase.buckets.Avatars: must be lower-case letters");
        expect(problems).toContain('stripe.products.b.prices.m.lookupKey: "plan" is already the lookup key');
        expect(problems).toContain('appwrite.databases.main.collections.users.indexes.by_email.attributes[0]: names attribute "email"');
        expect(problems).toContain("platformKeys.openai.apiKey: must be sk-");
    });
    const consumers = (list: unknown[], reference = "openai.apiKey") => ({ keyConsumers: { [reference]: list } });

    it.each([
        ["a malformed OpenAI key", consumers([{ kind: "githubSecret", repository: "app" }]), { openai: { apiKey: "abc" } }, "platformKeys.openai.apiKey: must be sk-… or sk-proj-…"],
        ["a Mapbox secret token in the public slot", consumers([{ kind: "githubSecret", repository: "app" }], "mapbox.publicToken"), { mapbox: { publicToken: "sk.eyJ1.abc" } }, "platformKeys.mapbox.publicToken: must be pk.…"],
        ["a PostHog key without its prefix", consumers([{ kind: "githubSecret", repository: "app" }], "posthog.projectKey"), { posthog: { projectKey: "abcdef" } }, "platformKeys.posthog.projectKey: must be phc_…"],
        ["a Resend key without re_", consumers([{ kind: "githubSecret", repository: "app" }], "resend.apiKey"), { resend: { apiKey: "key_123" } }, "platformKeys.resend.apiKey: must be re_…"],
        ["a live Stripe key outside prod", consumers([{ kind: "githubSecret", repository: "app" }], "stripe.secretKey"), { stripe: { secretKey: fakeCredential("sk_live_", "abcdefghijklmnop") } }, "platformKeys.stripe.secretKey: is a live key, refused in the dev environment"],
        ["a consumer naming an unknown repository", consumers([{ kind: "githubSecret", repository: "web" }]), { openai: { apiKey: OPENAI } }, 'keyConsumers.openai.apiKey[0].repository: names repository "web", which github.repositories does not declare'],
        ["a GitLab consumer on a repository without a mirror", { github: { owner: "acme", repositories: { app: {} } }, ...consumers([{ kind: "gitlabVariable", repository: "app" }]) }, { openai: { apiKey: OPENAI } }, 'repository "app" has no gitlabMirror'],
        ["a consumer of a key not held", consumers([{ kind: "githubSecret", repository: "app" }], "amplitude.apiKey"), { openai: { apiKey: OPENAI } }, "keyConsumers.amplitude.apiKey: names a key that platformKeys does not hold"],
        ["an unknown key reference", consumers([{ kind: "githubSecret", repository: "app" }], "openai.token"), { openai: { apiKey: OPENAI } }, "keyConsumers.openai.token: must name a platform key such as openai.apiKey"],
        ["an unknown consumer kind", consumers([{ kind: "vault" }]), { openai: { apiKey: OPENAI } }, "must have kind githubSecret, gitlabVariable, appwriteFunction, supabaseSecret or expoVariable"],
        ["a Supabase consumer without a project ref", consumers([{ kind: "supabaseSecret" }]), { openai: { apiKey: OPENAI } }, "needs supabase.projectRef"],
    ])("rejects %s", (_what, extra, keys, expected) => {
        const problems = problemsOf(extra, keys);
        expect(problems.some((p) => p.includes(expected)), problems.join("\n")).toBe(true);
    });

    it("asks for platformKeys when keyConsumers is set, saying how to set one", () => {
        const s = { ...base, ...consumers([{ kind: "githubSecret", repository: "app" }]) };
        expect(() => validateStackConfig({ settings: s, secretness: { github: false, keyConsumers: false, githubToken: true, gitlabToken: true }, env: {} }, environmentFor("stackwire", "dev"))).toThrow(
            "platformKeys: is required when keyConsumers names a key the stack does not make itself: pulumi config set --secret --path 'platformKeys.openai.apiKey' <key>",
        );
    });

    it("never echoes a key value in an error", () => {
        const problems = problemsOf(consumers([{ kind: "githubSecret", repository: "app" }]), { openai: { apiKey: "not-a-real-openai-key-value" } });
        expect(problems.join("\n")).not.toContain("not-a-real-openai-key-value");
    });

    const mapbox = { mapbox: { username: "acme", tokens: { web: { scopes: ["styles:read"] } } }, mapboxAccessToken: undefined };
    it.each([
        ["a made key that no section makes", { ...mapbox, ...consumers([{ kind: "githubSecret", repository: "app" }], "mapbox.mobile") }, {}, "keyConsumers.mapbox.mobile: must name a platform key such as openai.apiKey (known: "],
        ["a made key also copied into platformKeys", { agora: { project: {} }, ...consumers([{ kind: "githubSecret", repository: "app" }], "agora.appId") }, { agora: { appId: "0123456789abcdef0123456789abcdef" } }, "platformKeys.agora.appId: is made by the agora section, which hands its own key to keyConsumers: remove it from platformKeys"],
        ["URL restrictions on a secret Mapbox token", { mapbox: { username: "acme", tokens: { uploads: { scopes: ["uploads:write"], allowedUrls: ["https://app.acme.test"] } } } }, {}, "mapbox.tokens.uploads.allowedUrls: only a public token"],
        ["a consumer of Agora's certificate when the stack makes none", { agora: { project: { certificate: false } }, ...consumers([{ kind: "githubSecret", repository: "app" }], "agora.appCertificate") }, {}, "keyConsumers.agora.appCertificate: names a key that platformKeys does not hold"],
        ["an adopted OpenAI project without its name", { openai: { project: { adopt: "proj_abc123" } } }, {}, "openai.project.name: is required with adopt: the adopted project's own name"],
        ["an adopted PostHog project without its name", { posthog: { organizationId: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", project: { adopt: "12" } } }, {}, "posthog.project.name: is required with adopt"],
        ["an OpenAI rate limit that sets nothing", { openai: { rateLimits: { "gpt-4o-mini": {} } } }, {}, 'openai.rateLimits.gpt-4o-mini: must set at least one of maxRequestsPerMinute'],
    ])("rejects %s", (_what, extra, keys, expected) => {
        const problems = problemsOf(extra, keys);
        expect(problems.some((p) => p.includes(expected)), problems.join("\n")).toBe(true);
    });

    const expo = { expo: { projectId: "2f0c6a8e-7b1d-4c3e-9a5f-0e1d2c3b4a59" } };
    it.each([
        ["a server key in a plain Expo variable", { ...expo, ...consumers([{ kind: "expoVariable", visibility: "plain" }]) }, { openai: { apiKey: OPENAI } }, "keyConsumers.openai.apiKey[0]: would put openai.apiKey, a key that must stay on servers, where the app's users can read it (visibility plain)"],
        ["a server key under an EXPO_PUBLIC_ name", { ...expo, ...consumers([{ kind: "expoVariable", name: "EXPO_PUBLIC_OPENAI" }]) }, { openai: { apiKey: OPENAI } }, "(the EXPO_PUBLIC_ name)"],
        ["a secret Mapbox token in a plain Expo variable", { ...expo, mapbox: { username: "acme", tokens: { uploads: { scopes: ["uploads:write"] } } }, ...consumers([{ kind: "expoVariable", visibility: "plain" }], "mapbox.uploads") }, {}, "would put mapbox.uploads, a key that must stay on servers"],
        ["an Expo consumer without the expo section", consumers([{ kind: "expoVariable" }]), { openai: { apiKey: OPENAI } }, "needs the expo setting (the EAS project id)"],
        ["one Expo name twice, even for other environments", { ...expo, keyConsumers: { "openai.apiKey": [{ kind: "expoVariable", name: "AI", environments: ["production"] }], "amplitude.apiKey": [{ kind: "expoVariable", name: "AI", environments: ["preview"] }] } }, { openai: { apiKey: OPENAI }, amplitude: { apiKey: "0123456789abcdef0123456789abcdef" } }, "keyConsumers.amplitude.apiKey[0].name: AI is already given to openai.apiKey in the same place (one EAS variable per name, whatever its environments)"],
    ])("rejects %s", (_what, extra, keys, expected) => {
        const problems = problemsOf(extra, keys);
        expect(problems.some((p) => p.includes(expected)), problems.join("\n")).toBe(true);
    });

    it("gives a public key to a plain Expo variable under an EXPO_PUBLIC_ name, a server key to a secret one", () => {
        const s = { ...base, ...expo, mapbox: { username: "acme", tokens: { web: { scopes: ["styles:read"] } } }, keyConsumers: { "mapbox.web": [{ kind: "expoVariable", visibility: "plain" }], "openai.apiKey": [{ kind: "expoVariable", environments: ["production"] }] } };
        const config = validateStackConfig({ settings: s, secretness: { github: false, expo: false, mapbox: false, keyConsumers: false, githubToken: true, gitlabToken: true, mapboxAccessToken: true, expoToken: true, platformKeys: true }, env: {}, platformKeys: { openai: { apiKey: OPENAI } } }, environmentFor("stackwire", "dev"));
        expect(config.keyConsumers).toEqual([
            { reference: "mapbox.web", kind: "expoVariable", name: "EXPO_PUBLIC_MAPBOX_WEB", environments: ["development", "preview", "production"], visibility: "PUBLIC" },
            { reference: "openai.apiKey", kind: "expoVariable", name: "OPENAI_API_KEY", environments: ["production"], visibility: "SECRET" },
        ]);
    });

    it("takes a key a section makes in place of a copied one: no platformKeys needed, named by default from its reference", () => {
        const s = { ...base, mapbox: { username: "acme", tokens: { "web-app": { scopes: ["styles:read"] } } }, ...consumers([{ kind: "githubSecret", repository: "app" }], "mapbox.web-app") };
        const config = validateStackConfig({ settings: s, secretness: { github: false, mapbox: false, keyConsumers: false, githubToken: true, gitlabToken: true, mapboxAccessToken: true }, env: {} }, environmentFor("stackwire", "dev"));
        expect(config.keyConsumers).toEqual([{ reference: "mapbox.web-app", kind: "githubSecret", name: "MAPBOX_WEB_APP", target: "app" }]);
    });

    it("accepts a live Stripe key in prod", () => {
        expect(() => problemsOf(consumers([{ kind: "githubSecret", repository: "app" }], "stripe.secretKey"), { stripe: { secretKey: fakeCredential("sk_live_", "abcdefghijklmnop") } }, "prod")).toThrow("config was accepted");
    });
});
