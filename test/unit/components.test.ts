/**
 * What every component promises, checked on all of them: it owns its args (a library user can
 * build it from any Pulumi program, with no stack config), and a transform reaches every child it
 * creates, able to change both the child's args and its resource options. Imported from bin/:
 * the components hold dynamic providers (see supabase.test.ts).
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type * as Agora from "../../components/agora/project";
import type * as Appwrite from "../../components/appwrite/database";
import type * as AppwriteFiles from "../../components/appwrite/storage";
import type * as Repo from "../../components/github/code-repository";
import type * as Keys from "../../components/keys/platform-keys";
import type * as Mapbox from "../../components/mapbox/tokens";
import type * as Openai from "../../components/openai/project";
import type * as Posthog from "../../components/posthog/project";
import type * as Postgres from "../../components/postgres/database";
import type * as Redis from "../../components/redis/users";
import type * as Resend from "../../components/resend/email";
import type * as Stripe from "../../components/stripe/catalog";
import type * as Supabase from "../../components/supabase/storage";
import type * as Trello from "../../components/trello/board";
import type * as Graph from "./mock-graph";

const load = createRequire(join(process.cwd(), "package.json"));
const { AgoraPlatform } = load("./bin/components/agora/project") as typeof Agora;
const { AppwriteDatabase } = load("./bin/components/appwrite/database") as typeof Appwrite;
const { AppwriteStorage } = load("./bin/components/appwrite/storage") as typeof AppwriteFiles;
const { CodeRepository } = load("./bin/components/github/code-repository") as typeof Repo;
const { PlatformKeys } = load("./bin/components/keys/platform-keys") as typeof Keys;
const { MapboxTokens } = load("./bin/components/mapbox/tokens") as typeof Mapbox;
const { OpenaiPlatform } = load("./bin/components/openai/project") as typeof Openai;
const { PosthogPlatform } = load("./bin/components/posthog/project") as typeof Posthog;
const { PostgresDatabase } = load("./bin/components/postgres/database") as typeof Postgres;
const { RedisUsers } = load("./bin/components/redis/users") as typeof Redis;
const { ResendEmail } = load("./bin/components/resend/email") as typeof Resend;
const { StripeCatalog } = load("./bin/components/stripe/catalog") as typeof Stripe;
const { SupabaseStorage } = load("./bin/components/supabase/storage") as typeof Supabase;
const { TrelloBoard } = load("./bin/components/trello/board") as typeof Trello;
const { recordGraph, settled } = load("./bin/test/unit/mock-graph") as typeof Graph;
const pulumi = load("@pulumi/pulumi") as typeof import("@pulumi/pulumi");

type Opts = import("@pulumi/pulumi").CustomResourceOptions;

/** The same transform for whatever child a component asks about: it marks args and options. */
function everyChild(): never {
    const transform = (args: Record<string, unknown>, opts: Opts) => {
        opts.protect = true;
        opts.retainOnDelete = true;
        return { ...args, transformedBy: "test" };
    };
    return new Proxy({}, { get: () => transform }) as never;
}

const connection = { endpoint: "https://cloud.appwrite.io/v1", projectId: "acme" };
const repository = (transform?: never) =>
    new CodeRepository("github-app", {
        repositoryName: "app",
        owner: "acme",
        githubToken: pulumi.secret("token-for-mirrors-0123456789"),
        protection: { requiredChecks: ["test"] },
        webhooks: { ci: { url: "https://ci.example/hook", events: ["push"] } },
        actionsSecrets: { TOKEN: pulumi.secret("x") },
        actionsVariables: { ENV: "dev" },
        gitlabMirror: { direction: "both", variables: { DEPLOY: { value: "deploy-token-1234" } }, webhooks: { cards: { url: "https://sync.example/gitlab", events: ["pipeline"] } } },
        ...(transform ? { transform } : {}),
    });

/** Each component, built from its own args only, with `transform` on every child. */
const components: [string, (transform: never) => import("@pulumi/pulumi").ComponentResource, number][] = [
    ["SupabaseStorage", (transform) => new SupabaseStorage("storage", { projectUrl: "https://abcd.supabase.co", buckets: { avatars: { bucketId: "acme-avatars" } }, transform }), 1],
    [
        "StripeCatalog",
        (transform) =>
            new StripeCatalog("stripe", {
                products: { pro: { name: "Pro", prices: { monthly: { currency: "eur", unitAmount: 2000 } } } },
                webhooks: { app: { url: "https://app.example/stripe", enabledEvents: ["invoice.paid"] } },
                transform,
            }),
        3,
    ],
    [
        "AppwriteDatabase",
        (transform) =>
            new AppwriteDatabase("appwrite-main", {
                ...connection,
                databaseId: "acme-main",
                name: "Main",
                collections: { users: { name: "Users", attributes: { email: { type: "email" } }, indexes: { by_email: { type: "unique", attributes: ["email"] } } } },
                transform,
            }),
        4,
    ],
    ["AppwriteStorage", (transform) => new AppwriteStorage("appwrite-storage", { ...connection, buckets: { uploads: { bucketId: "acme-uploads", name: "Uploads" } }, transform }), 1],
    ["CodeRepository", (transform) => repository(transform), 13],
    [
        "TrelloBoard",
        (transform) => new TrelloBoard("trello-devops", { name: "DevOps", lists: [{ key: "todo", name: "To do" }], labels: { bug: "red" }, webhooks: { sync: { callbackUrl: "https://sync.example/trello" } }, transform }),
        4,
    ],
    [
        "PostgresDatabase",
        (transform) =>
            new PostgresDatabase("postgres", {
                host: "db.internal",
                databaseName: "acme_main",
                ownerRole: "acme_main_owner",
                extensions: ["pgcrypto"],
                applicationRoles: { api: { roleName: "acme_main_api", privileges: ["SELECT", "INSERT"] } },
                migrations: [{ name: "001_a", sql: "CREATE TABLE a (id int)" }],
                transform,
            }),
        14,
    ],
    ["OpenaiPlatform", (transform) => new OpenaiPlatform("openai", { name: "acme-dev", serviceAccountName: "acme-dev-api", rateLimits: { "gpt-4o-mini": { maxRequestsPerMinute: 100 } }, transform }), 3],
    ["MapboxTokens", (transform) => new MapboxTokens("mapbox", { username: "acme", tokens: { web: { note: "acme-dev-web", scopes: ["styles:read"] }, uploads: { note: "acme-dev-uploads", scopes: ["uploads:write"] } }, transform }), 2],
    ["PosthogPlatform", (transform) => new PosthogPlatform("posthog", { organizationId: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", name: "acme-dev", featureFlags: { beta: {}, "new-checkout": { rolloutPercentage: 10 } }, transform }), 3],
    ["AgoraPlatform", (transform) => new AgoraPlatform("agora", { name: "acme-dev-agora", transform }), 1],
    ["RedisUsers", (transform) => new RedisUsers("redis-users", { url: "redis://cache.internal:6379", services: { stripe: { username: "dev-stripe" } }, transform }), 2],
    [
        "ResendEmail",
        (transform) =>
            new ResendEmail("resend", {
                domains: { "mail.acme.test": {} },
                apiKeys: { receipts: { name: "dev-receipts", domain: "mail.acme.test" } },
                webhooks: { bounces: { endpoint: "https://app.acme.test/resend", events: ["email.bounced"] } },
                transform,
            }),
        3,
    ],
    [
        "PlatformKeys",
        (transform) =>
            new PlatformKeys("platform-keys", {
                keys: pulumi.secret({ openai: { apiKey: "sk-proj-key0123456789abcdefghij" } }),
                consumers: [
                    { reference: "openai.apiKey", kind: "githubSecret", name: "OPENAI_API_KEY", target: "app" },
                    { reference: "openai.apiKey", kind: "githubSecret", name: "OPENAI_API_KEY", target: "app", environment: "production" },
                    { reference: "openai.apiKey", kind: "gitlabVariable", name: "OPENAI_API_KEY", target: "app" },
                    { reference: "openai.apiKey", kind: "appwriteFunction", name: "OPENAI_API_KEY", target: "notify" },
                    { reference: "openai.apiKey", kind: "supabaseSecret", name: "OPENAI_API_KEY" },
                    { reference: "openai.apiKey", kind: "expoVariable", name: "OPENAI_API_KEY", environments: ["production"], visibility: "SECRET" },
                ],
                repositories: { app: repository() },
                appwrite: connection,
                supabase: { projectRef: "abcdefghijklmnopqrst" },
                expo: { projectId: "2f0c6a8e-7b1d-4c3e-9a5f-0e1d2c3b4a59" },
                transform,
            }),
        6,
    ],
];

describe("every component", () => {
    it.each(components)("%s hands every child to its transform, args and options alike", async (_name, build, children) => {
        const graph = recordGraph("stackwire", "dev");
        const component = build(everyChild());
        await settled(component.urn);
        const componentName = await new Promise<string>((resolve) => component.urn.apply((urn) => resolve(urn.split("::").pop()!)));
        // Children are named after their component (`${name}-<role>`), grandchildren too.
        const own = graph.resources.filter((r) => r.custom && r.name.startsWith(`${componentName}-`));
        expect(own).toHaveLength(children);
        for (const child of own) {
            expect(child, child.name).toMatchObject({ protect: true, retainOnDelete: true });
            // Official providers' classes keep only the args they know; dynamic resources keep all.
            if (child.type.startsWith("pulumi-nodejs:dynamic/")) expect(child.inputs.transformedBy, child.name).toBe("test");
        }
    });

    it("a partial object changes an official provider's child too", async () => {
        const graph = recordGraph("stackwire", "dev");
        const repo = new CodeRepository("github-app", { repositoryName: "app", owner: "acme", transform: { repository: { visibility: "public", hasWiki: false } } });
        await settled(repo.htmlUrl);
        expect(graph.named("github-app-repo").inputs).toMatchObject({ visibility: "public", hasWiki: false, name: "app" });
    });
});
