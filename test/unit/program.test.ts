/**
 * The program as `pulumi up` runs it, with every service configured: each stack output index.ts
 * exports is produced by a service (a renamed output would export nothing), and secret outputs
 * stay secret. Imported from bin/ (dynamic providers; see supabase.test.ts).
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type * as Graph from "./mock-graph";

const load = createRequire(join(process.cwd(), "package.json"));
const { recordGraph, settled } = load("./bin/test/unit/mock-graph") as typeof Graph;
const pulumi = load("@pulumi/pulumi") as typeof import("@pulumi/pulumi");

const settings = {
    // The project's database is the PostgreSQL server the postgres section manages.
    supabase: { url: "https://abcdefghijklmnopqrst.supabase.co", projectRef: "abcdefghijklmnopqrst", buckets: { avatars: {} }, database: { url: "postgres://postgres@db.internal:5432/postgres" } },
    stripe: { products: { pro: { name: "Pro", prices: { monthly: { currency: "eur", unitAmount: 2000 } } } }, webhooks: { app: { url: "https://app.example/stripe", enabledEvents: ["invoice.paid"] } } },
    appwrite: { endpoint: "https://cloud.appwrite.io/v1", projectId: "acme", databases: { main: { name: "Main" } }, buckets: { uploads: { name: "Uploads" } } },
    github: { owner: "acme", repositories: { app: { gitlabMirror: { direction: "pull", webhooks: { cards: { url: "https://sync.example/gitlab", events: ["pipeline"] } } } } } },
    gitlab: { baseUrl: "https://gitlab.acme.test" },
    trello: { boards: { devops: { name: "DevOps", lists: ["Issues"] } } },
    postgres: { host: "db.internal", database: "main", applicationRoles: { api: ["SELECT"] } },
    redis: { url: "redis://cache.internal:6379", services: { stripe: {} } },
    resend: { domains: { "mail.acme.test": {} }, apiKeys: { receipts: { domain: "mail.acme.test" } } },
    openai: { rateLimits: { "gpt-4o-mini": { maxRequestsPerMinute: 100 } } },
    agora: {},
    mapbox: { username: "acme", tokens: { web: { scopes: ["styles:read"], allowedUrls: ["https://app.acme.test"] } } },
    posthog: { organizationId: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", featureFlags: { "new-checkout": { rolloutPercentage: 25 } } },
    expo: { projectId: "2f0c6a8e-7b1d-4c3e-9a5f-0e1d2c3b4a59" },
    keyConsumers: { "mapbox.web": [{ kind: "supabaseSecret" }, { kind: "expoVariable", visibility: "plain" }], "posthog.projectKey": [{ kind: "supabaseSecret" }], "openai.apiKey": [{ kind: "gitlabVariable", repository: "app" }, { kind: "supabaseSecret" }], "agora.appCertificate": [{ kind: "supabaseSecret" }], "amplitude.apiKey": [{ kind: "supabaseSecret" }] },
    wires: { gitlabToTrello: { repository: "app", board: "devops", lists: { running: "issues", success: "issues", failed: "issues" } }, githubToGitlab: { repository: "app" } },
};
const credentials = ["supabaseServiceRoleKey", "stripeSecretKey", "appwriteApiKey", "githubToken", "gitlabToken", "trelloApiKey", "trelloToken", "postgresPassword", "resendApiKey", "supabaseAccessToken", "supabaseDbPassword", "openaiAdminKey", "agoraCustomerId", "agoraCustomerSecret", "mapboxAccessToken", "posthogPersonalKey", "expoToken"];
const SECRET_OUTPUTS = ["stripeWebhookSecrets", "githubWebhookSecrets", "gitlabWebhookSecrets", "postgresConnectionUrls", "redisConnectionUrls", "resendApiKeyTokens", "openaiApiKey", "agoraAppCertificate", "mapboxTokens"];

/** The compiled program under mocks with these settings and every credential set. */
function runProgram(stackSettings: Record<string, unknown>) {
    const graph = recordGraph("stackwire", "dev");
    const config: Record<string, string> = Object.fromEntries(Object.entries(stackSettings).map(([k, v]) => [`stackwire:${k}`, JSON.stringify(v)]));
    for (const c of credentials) config[`stackwire:${c}`] = c === "stripeSecretKey" ? "sk_test_programTest0123456789" : "credential-value-0123456789";
    config["stackwire:platformKeys"] = JSON.stringify({ amplitude: { apiKey: "0123456789abcdef0123456789abcdef" } });
    pulumi.runtime.setAllConfig(config, [...credentials, "platformKeys"].map((c) => `stackwire:${c}`));
    const entry = load.resolve("./bin/index.js");
    delete load.cache[entry];
    return { graph, program: load(entry) as Record<string, unknown> };
}

describe("the program with every service", () => {
    it("exports every stack output, secret ones as secrets", async () => {
        const { graph, program } = runProgram(settings);
        const names = Object.keys(program);
        expect(names.length).toBe(28);
        const undefinedOutputs = names.filter((n) => program[n] === undefined);
        expect(undefinedOutputs).toEqual([]);
        for (const name of SECRET_OUTPUTS) expect(await pulumi.isSecret(pulumi.output(program[name] as never)), name).toBe(true);
        await settled(...names.map((n) => pulumi.output(program[n] as never)));
        // The wire to GitLab follows the stack's GitLab, not gitlab.com.
        expect(graph.named("platform-keys-gitlab-app-OPENAI_API_KEY").inputs.baseUrl).toBe("https://gitlab.acme.test");
    });

    it("sends every resource of a service to the base URL the stack sets for it, never to the vendor's public host", async () => {
        const hosted = {
            ...settings,
            supabase: { ...settings.supabase, managementUrl: "https://supabase-api.acme.test" },
            stripe: { ...settings.stripe, apiBase: "https://stripe.acme.test" },
            appwrite: { ...settings.appwrite, endpoint: "https://appwrite.acme.test/v1" },
            trello: { ...settings.trello, baseUrl: "https://trello.acme.test/1" },
            resend: { ...settings.resend, baseUrl: "https://resend.acme.test" },
            openai: { ...settings.openai, baseUrl: "https://openai.acme.test/v1" },
            agora: { baseUrl: "https://agora.acme.test" },
            mapbox: { ...settings.mapbox, baseUrl: "https://mapbox.acme.test" },
            posthog: { ...settings.posthog, baseUrl: "https://posthog.acme.test" },
            expo: { ...settings.expo, baseUrl: "https://expo.acme.test" },
            keyConsumers: { "openai.apiKey": [{ kind: "gitlabVariable", repository: "app" }, { kind: "supabaseSecret" }, { kind: "appwriteFunction", functionId: "notify" }, { kind: "expoVariable" }] },
        };
        const { graph, program } = runProgram(hosted);
        await settled(...Object.keys(program).map((n) => pulumi.output(program[n] as never)));
        // Which input carries each vendor's base URL, and the value the stack set.
        const expected: [RegExp, string, string][] = [
            [/dynamic\/gitlab:/, "baseUrl", hosted.gitlab.baseUrl],
            [/dynamic\/trello:/, "baseUrl", hosted.trello.baseUrl],
            [/dynamic\/resend:/, "baseUrl", hosted.resend.baseUrl],
            [/dynamic\/openai:/, "baseUrl", hosted.openai.baseUrl],
            [/dynamic\/agora:/, "baseUrl", hosted.agora.baseUrl],
            [/dynamic\/mapbox:/, "baseUrl", hosted.mapbox.baseUrl],
            [/dynamic\/posthog:/, "baseUrl", hosted.posthog.baseUrl],
            [/dynamic\/expo:/, "baseUrl", hosted.expo.baseUrl],
            [/dynamic\/stripe:/, "apiBase", hosted.stripe.apiBase],
            [/dynamic\/appwrite:/, "endpoint", hosted.appwrite.endpoint],
            [/dynamic\/supabase:(SecretSet|EdgeFunction|AuthSmtp)/, "managementUrl", hosted.supabase.managementUrl],
            [/dynamic\/supabase:StorageBucket/, "projectUrl", hosted.supabase.url],
            [/dynamic\/redis:/, "url", hosted.redis.url],
            [/dynamic\/postgresql:/, "connectionUrl", `postgres://${hosted.postgres.host}`],
        ];
        const hostOf = (url: unknown) => (typeof url === "string" ? new URL(url).hostname : String(url));
        const dynamic = graph.resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/"));
        const misdirected = dynamic.flatMap((r) => {
            const rule = expected.find(([type]) => type.test(r.type));
            if (!rule) return [`${r.name} (${r.type}): no rule says where it sends its requests`];
            return hostOf(r.inputs[rule[1]]) === hostOf(rule[2]) ? [] : [`${r.name} (${r.type}): ${rule[1]} is ${JSON.stringify(r.inputs[rule[1]])}, not on ${hostOf(rule[2])}`];
        });
        expect(misdirected).toEqual([]);
        // Every vendor above has resources in this program, so no rule passes for want of them.
        expect(expected.filter(([type]) => !dynamic.some((r) => type.test(r.type))).map(([type]) => String(type))).toEqual([]);
    });
});

