/**
 * The platform composition: which components a validated stack config implies, and how their
 * outputs feed each other. Grows one service at a time.
 */
import * as github from "@pulumi/github";
import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import { CodeRepository } from "../components/code-repository";
import { PlatformKeys, type KeyValues } from "../components/platform-keys";
import { PostgresDatabase } from "../components/postgres-database";
import { RedisUsers } from "../components/redis-users";
import { ResendEmail } from "../components/resend-email";
import { postgresPassword } from "../dynamic-providers/postgres/migrations";
import { loadMigrations } from "./migrations";
import { TrelloBoard } from "../components/trello-board";
import { AppwriteDatabase } from "../components/appwrite-database";
import { AppwriteStorage } from "../components/appwrite-storage";
import { StripeCatalog } from "../components/stripe-catalog";
import { SupabaseStorage } from "../components/supabase-storage";
import { githubToken, PLATFORM_KEYS_SETTING, type StackConfig } from "./config";
import { CONFIG_NAMESPACE } from "../dynamic-providers/core/credentials";
import { programSecret } from "./load";
import type { Environment } from "./environment";

export interface Platform {
    supabaseStorage?: SupabaseStorage;
    stripeCatalog?: StripeCatalog;
    appwriteDatabases?: Record<string, AppwriteDatabase>;
    appwriteStorage?: AppwriteStorage;
    repositories?: Record<string, CodeRepository>;
    trelloBoards?: Record<string, TrelloBoard>;
    platformKeys?: PlatformKeys;
    postgres?: PostgresDatabase;
    redisUsers?: RedisUsers;
    resend?: ResendEmail;
}

export function buildPlatform(config: StackConfig, environment: Environment): Platform {
    const platform: Platform = {};
    if (config.supabase) {
        platform.supabaseStorage = new SupabaseStorage("supabase-storage", {
            projectUrl: config.supabase.url,
            buckets: config.supabase.buckets,
            environment,
        });
    }
    if (config.stripe) {
        platform.stripeCatalog = new StripeCatalog("stripe", {
            apiBase: config.stripe.apiBase,
            keyModes: config.stripe.keyModes,
            products: config.stripe.products,
            webhooks: config.stripe.webhooks.map(({ name, settings: { url, ...settings } }) => ({ name, url, settings })),
            environment,
        });
    }
    if (config.appwrite) {
        const { endpoint, projectId } = config.appwrite;
        platform.appwriteDatabases = Object.fromEntries(
            config.appwrite.databases.map((database) => [database.name, new AppwriteDatabase(`appwrite-${database.name}`, { endpoint, projectId, database, environment })]),
        );
        if (config.appwrite.buckets.length > 0) platform.appwriteStorage = new AppwriteStorage("appwrite-storage", { endpoint, projectId, buckets: config.appwrite.buckets, environment });
    }
    const github_ = config.github ? buildRepositories(config.github, environment) : undefined;
    if (github_) platform.repositories = github_.repositories;
    if (config.trello) {
        const { baseUrl, boards } = config.trello;
        platform.trelloBoards = Object.fromEntries(Object.entries(boards).map(([name, b]) => [name, new TrelloBoard(`trello-${name}`, { ...(baseUrl ? { baseUrl } : {}), ...b, environment })]));
    }
    const { postgres, redis, resend } = config.settings;
    if (postgres) {
        const provider = new postgresql.Provider("postgres-admin", { host: postgres.host, port: postgres.port, username: postgres.adminUser, password: programSecret(postgresPassword), sslmode: postgres.sslMode, superuser: false });
        platform.postgres = new PostgresDatabase("postgres", {
            host: postgres.host,
            port: postgres.port,
            databaseName: config.postgresDatabaseName!,
            schema: postgres.schema,
            extensions: postgres.extensions,
            applicationRoles: postgres.applicationRoles,
            migrations: loadMigrations(),
            environment,
            provider,
        });
    }
    if (redis) platform.redisUsers = new RedisUsers("redis-users", { url: redis.url, services: redis.services, environment });
    if (resend) platform.resend = new ResendEmail("resend", { ...(resend.baseUrl ? { baseUrl: resend.baseUrl } : {}), domains: resend.domains, apiKeys: resend.apiKeys, webhooks: resend.webhooks, stack: environment.stack });
    if (config.keyConsumers) {
        platform.platformKeys = new PlatformKeys("platform-keys", {
            keys: new pulumi.Config(CONFIG_NAMESPACE).requireSecretObject<KeyValues>(PLATFORM_KEYS_SETTING),
            consumers: config.keyConsumers,
            repositories: platform.repositories,
            githubProvider: github_?.provider,
            ...(config.appwrite ? { appwrite: { endpoint: config.appwrite.endpoint, projectId: config.appwrite.projectId } } : {}),
            ...(config.settings.supabase?.projectRef ? { supabase: { projectRef: config.settings.supabase.projectRef, managementUrl: config.settings.supabase.managementUrl } } : {}),
        });
    }
    return platform;
}

function buildRepositories(config: NonNullable<StackConfig["github"]>, environment: Environment): { repositories: Record<string, CodeRepository>; provider: github.Provider } {
    const token = programSecret(githubToken);
    // One explicit provider: the repositories and the mirrors use the same owner and token.
    const provider = new github.Provider("github", { owner: config.owner, ...(token ? { token } : {}) });
    const repositories = Object.fromEntries(
        config.repositories.map(({ name, repositoryName, settings: r }) => [
            name,
            new CodeRepository(`github-${name}`, {
                repositoryName,
                owner: config.owner,
                githubToken: token,
                description: r.description,
                visibility: r.visibility,
                topics: r.topics,
                defaultBranch: r.defaultBranch,
                protection: r.protection,
                webhooks: r.webhooks,
                actionsVariables: r.variables,
                gitlabMirror: r.gitlabMirror && { ...r.gitlabMirror, ...(config.gitlabBaseUrl ? { baseUrl: config.gitlabBaseUrl } : {}) },
                environment,
                provider,
            }),
        ]),
    );
    return { repositories, provider };
}

/** One value per named component, as one output; components without the value are left out. */
function byName<C, V>(components: Record<string, C> | undefined, pick: (component: C) => pulumi.Input<V> | undefined): pulumi.Output<Record<string, V>> | undefined {
    if (!components) return undefined;
    const entries = Object.entries(components).flatMap(([name, c]) => {
        const value = pick(c);
        return value === undefined ? [] : [[name, value] as const];
    });
    return pulumi.output(Object.fromEntries(entries)) as pulumi.Output<Record<string, V>>;
}

const secretIfPresent = <T>(output: pulumi.Output<T> | undefined) => output && pulumi.secret(output);

/** Stack outputs: what other stacks and people read with `pulumi stack output`. */
export function platformOutputs(platform: Platform, environment: Environment): Record<string, pulumi.Input<unknown>> {
    return {
        environment: environment.kind,
        supabaseBucketIds: platform.supabaseStorage?.bucketIds,
        stripeProductIds: platform.stripeCatalog?.productIds,
        stripePriceIds: platform.stripeCatalog?.priceIds,
        stripeLookupKeys: platform.stripeCatalog?.lookupKeys,
        stripeWebhookSecrets: platform.stripeCatalog?.webhookSecrets,
        appwriteDatabaseIds: byName(platform.appwriteDatabases, (d) => d.databaseId),
        appwriteBucketIds: platform.appwriteStorage?.bucketIds,
        githubRepositoryUrls: byName(platform.repositories, (r) => r.htmlUrl),
        githubWebhookSecrets: secretIfPresent(byName(platform.repositories, (r) => r.webhookSecrets)),
        gitlabWebhookSecrets: secretIfPresent(byName(platform.repositories, (r) => r.gitlabProject && r.gitlabWebhookSecrets)),
        gitlabProjectIds: byName(platform.repositories, (r) => r.gitlabProject?.id),
        trelloBoardUrls: byName(platform.trelloBoards, (b) => b.url),
        platformKeyConsumers: platform.platformKeys?.consumersByKey,
        postgresConnectionUrls: platform.postgres?.connectionUrls,
        redisConnectionUrls: platform.redisUsers?.connectionUrls,
        resendDnsRecords: platform.resend?.dnsRecords,
        resendApiKeyTokens: platform.resend?.apiKeyTokens,
    };
}
