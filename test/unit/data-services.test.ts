/** PostgreSQL, Redis users and Resend through the compiled program under mocks. */
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type * as Graph from "./mock-graph";

const load = createRequire(join(process.cwd(), "package.json"));
const { recordGraph, settled, isSecretValue, plainStrings } = load("./bin/test/unit/mock-graph") as typeof Graph;
const pulumi = load("@pulumi/pulumi") as typeof import("@pulumi/pulumi");

const settings = {
    postgres: { host: "db.internal", database: "main", extensions: ["pgcrypto"], applicationRoles: { api: ["SELECT", "INSERT", "UPDATE"], reports: ["SELECT"] } },
    redis: { url: "redis://cache.internal:6379", services: { stripe: {}, openai: { keyPatterns: ["ai:cache:*"], categories: ["+@read", "+@write", "-@dangerous", "-@admin"] } } },
    resend: { domains: { "mail.acme.test": { region: "eu-west-1" } }, apiKeys: { receipts: { domain: "mail.acme.test" } }, webhooks: { bounces: { endpoint: "https://app.acme.test/resend", events: ["email.bounced"] } } },
};

async function program(stack: string) {
    const graph = recordGraph("stackwire", stack);
    const config: Record<string, string> = Object.fromEntries(Object.entries(settings).map(([k, v]) => [`stackwire:${k}`, JSON.stringify(v)]));
    config["stackwire:postgresPassword"] = "admin-password-canary-0123";
    config["stackwire:resendApiKey"] = "re_adminKeyCanary0123456789";
    pulumi.runtime.setAllConfig(config, ["stackwire:postgresPassword", "stackwire:resendApiKey"]);
    const entry = load.resolve("./bin/index.js");
    delete load.cache[entry];
    const outputs = load(entry) as Record<string, import("@pulumi/pulumi").Output<unknown>>;
    await settled(outputs.postgresConnectionUrls, outputs.redisConnectionUrls, outputs.resendApiKeyTokens);
    return { graph, outputs };
}

describe("PostgreSQL", () => {
    it("gives application roles only what they use: no ownership, no role or database creation", async () => {
        const { graph } = await program("dev");
        const roles = graph.byType("postgresql:index/role:Role");
        expect(roles.map((r) => r.inputs.name).sort()).toEqual(["stackwire_dev_main_api", "stackwire_dev_main_owner", "stackwire_dev_main_reports"]);
        for (const role of roles) expect(role.inputs).toMatchObject({ superuser: false, createRole: false, createDatabase: false, login: true });
        expect(graph.named("postgres-database").inputs).toMatchObject({ name: "stackwire_dev_main", owner: "stackwire_dev_main_owner" });
        expect(graph.named("postgres-schema").inputs).toMatchObject({ name: "app", owner: "stackwire_dev_main_owner" });
        expect(graph.named("postgres-reports-tables").inputs).toMatchObject({ objectType: "table", privileges: ["SELECT"], role: "stackwire_dev_main_reports", schema: "app" });
        expect(graph.named("postgres-api-future-tables").inputs).toMatchObject({ owner: "stackwire_dev_main_owner", privileges: ["SELECT", "INSERT", "UPDATE"] });
        expect(graph.resources.map((r) => r.name)).toContain("postgres-api-future-sequences");
        expect(graph.resources.map((r) => r.name)).not.toContain("postgres-reports-future-sequences");
        expect(graph.named("postgres-extension-pgcrypto").inputs.name).toBe("pgcrypto");
    });

    it("keeps passwords secret and runs the shipped migrations as the owner", async () => {
        const { graph, outputs } = await program("dev");
        for (const role of graph.byType("postgresql:index/role:Role")) expect(isSecretValue(role.inputs.password)).toBe(true);
        const migrations = graph.named("postgres-migrations");
        expect(isSecretValue(migrations.inputs.password)).toBe(true);
        expect(String(migrations.inputs.connectionUrl)).toMatch(/^postgres:\/\/stackwire_dev_main_owner@db\.internal:5432\/stackwire_dev_main\?options=-csearch_path%3Dapp$/);
        expect((migrations.inputs.migrations as { name: string }[]).map((m) => m.name)).toEqual(["001_stripe_payments", "002_ai_conversations", "003_call_logs", "004_repository_metadata"]);
        expect(await pulumi.isSecret(outputs.postgresConnectionUrls)).toBe(true);
        expect(graph.resources.flatMap((r) => plainStrings(r.inputs)).filter((v) => v.includes("admin-password-canary-0123"))).toEqual([]);
    });

    it("in prod protects and retains the database", async () => {
        const { graph } = await program("prod");
        expect(graph.named("postgres-database")).toMatchObject({ protect: true, retainOnDelete: true });
    });
});

describe("Redis users and Resend", () => {
    it("creates one Redis user per service, limited to its keys, with a secret password and URL", async () => {
        const { graph, outputs } = await program("staging");
        const users = graph.byType("pulumi-nodejs:dynamic/redis:AclUser");
        expect(users.map((u) => [u.inputs.username, u.inputs.keyPatterns])).toEqual([
            ["staging-stripe", ["stripe:*"]],
            ["staging-openai", ["ai:cache:*"]],
        ]);
        for (const u of users) {
            expect(isSecretValue(u.inputs.password)).toBe(true);
            expect(u.additionalSecretOutputs).toEqual(["password", "connectionUrl"]);
        }
        expect(await pulumi.isSecret(outputs.redisConnectionUrls)).toBe(true);
    });

    it("creates the domain, a sending key bound to it and a webhook; tokens are secret outputs", async () => {
        const { graph, outputs } = await program("dev");
        expect(graph.named("resend-domain-mail.acme.test").inputs).toMatchObject({ name: "mail.acme.test", region: "eu-west-1" });
        expect(graph.named("resend-key-receipts").inputs).toMatchObject({ name: "dev-receipts", permission: "sending_access", domainId: "resend-domain-mail.acme.test-id" });
        expect(graph.named("resend-key-receipts").additionalSecretOutputs).toEqual(["token"]);
        expect(graph.named("resend-webhook-bounces").additionalSecretOutputs).toEqual(["signingSecret"]);
        expect(await pulumi.isSecret(outputs.resendApiKeyTokens)).toBe(true);
        expect(graph.resources.flatMap((r) => plainStrings(r.inputs)).filter((v) => v.includes("re_adminKeyCanary0123456789"))).toEqual([]);
    });
});
