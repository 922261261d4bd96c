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
    supabase: { url: "https://abcdefghijklmnopqrst.supabase.co", projectRef: "abcdefghijklmnopqrst", buckets: { avatars: {} } },
    stripe: { products: { pro: { name: "Pro", prices: { monthly: { currency: "eur", unitAmount: 2000 } } } }, webhooks: { app: { url: "https://app.example/stripe", enabledEvents: ["invoice.paid"] } } },
    appwrite: { endpoint: "https://cloud.appwrite.io/v1", projectId: "acme", databases: { main: { name: "Main" } }, buckets: { uploads: { name: "Uploads" } } },
    github: { owner: "acme", repositories: { app: { gitlabMirror: { direction: "pull", webhooks: { cards: { url: "https://sync.example/gitlab", events: ["pipeline"] } } } } } },
    gitlab: { baseUrl: "https://gitlab.acme.test" },
    trello: { boards: { devops: { name: "DevOps", lists: ["Issues"] } } },
    postgres: { host: "db.internal", database: "main", applicationRoles: { api: ["SELECT"] } },
    redis: { url: "redis://cache.internal:6379", services: { stripe: {} } },
    resend: { domains: { "mail.acme.test": {} }, apiKeys: { receipts: { domain: "mail.acme.test" } } },
    keyConsumers: { "openai.apiKey": [{ kind: "gitlabVariable", repository: "app" }, { kind: "supabaseSecret" }] },
};
const credentials = ["supabaseServiceRoleKey", "stripeSecretKey", "appwriteApiKey", "githubToken", "gitlabToken", "trelloApiKey", "trelloToken", "postgresPassword", "resendApiKey", "supabaseAccessToken"];
const SECRET_OUTPUTS = ["stripeWebhookSecrets", "githubWebhookSecrets", "gitlabWebhookSecrets", "postgresConnectionUrls", "redisConnectionUrls", "resendApiKeyTokens"];

describe("the program with every service", () => {
    it("exports every stack output, secret ones as secrets", async () => {
        const graph = recordGraph("stackwire", "dev");
        const config: Record<string, string> = Object.fromEntries(Object.entries(settings).map(([k, v]) => [`stackwire:${k}`, JSON.stringify(v)]));
        for (const c of credentials) config[`stackwire:${c}`] = c === "stripeSecretKey" ? "sk_test_programTest0123456789" : "credential-value-0123456789";
        config["stackwire:platformKeys"] = JSON.stringify({ openai: { apiKey: "sk-proj-programTestKey0123456789ab" } });
        pulumi.runtime.setAllConfig(config, [...credentials, "platformKeys"].map((c) => `stackwire:${c}`));
        const entry = load.resolve("./bin/index.js");
        delete load.cache[entry];
        const program = load(entry) as Record<string, unknown>;
        const names = Object.keys(program);
        expect(names.length).toBe(18);
        const undefinedOutputs = names.filter((n) => program[n] === undefined);
        expect(undefinedOutputs).toEqual([]);
        for (const name of SECRET_OUTPUTS) expect(await pulumi.isSecret(pulumi.output(program[name] as never)), name).toBe(true);
        await settled(...names.map((n) => pulumi.output(program[n] as never)));
        // The wire to GitLab follows the stack's GitLab, not gitlab.com.
        expect(graph.named("platform-keys-gitlab-app-OPENAI_API_KEY").inputs.baseUrl).toBe("https://gitlab.acme.test");
    });
});
