/**
 * The whole stack configuration as one zod schema, one section per service, designed to grow.
 * Invalid config fails before any resource is registered, listing every problem at once: the
 * path, the rule and what was received (never a secret's value).
 */
import { z } from "zod";
import type { CredentialSpec } from "../dynamic-providers/core/credentials";
import { describeProblem, httpUrl, problemsFromZod, type Problem } from "../dynamic-providers/core/validation";
import { attributeFieldsShape, checkAttributeRules } from "../dynamic-providers/appwrite/attribute";
import { appwriteApiKey, idSchema, permissionsSchema } from "../dynamic-providers/appwrite/client";
import { indexFieldsShape } from "../dynamic-providers/appwrite/collection-index";
import { appwriteBucketInputSchema } from "../dynamic-providers/appwrite/bucket";
import { GITHUB_REPO_NAME, GITHUB_WEBHOOK_EVENTS } from "../components/code-repository";
import { gitlabToken, maskingProblem, VARIABLE_KEY_PATTERN } from "../dynamic-providers/gitlab/client";
import { hookInputSchema } from "../dynamic-providers/gitlab/hook";
import { TRELLO_COLORS, trelloApiKey, trelloToken } from "../dynamic-providers/trello/client";
import { checkPriceRules, priceFieldsShape } from "../dynamic-providers/stripe/price";
import { productInputSchema } from "../dynamic-providers/stripe/product";
import { keyModeOf, stripeSecretKey, type KeyMode } from "../dynamic-providers/stripe/client";
import { webhookEndpointInputSchema } from "../dynamic-providers/stripe/webhook-endpoint";
import { MIME_TYPE_PATTERN } from "../dynamic-providers/supabase/bucket";
import { serviceRoleKey } from "../dynamic-providers/supabase/client";
import type { Environment } from "./environment";
import { LOGICAL_NAME_MAX, LOGICAL_NAME_PATTERN, NAME_RULES, NamingError, physicalName } from "./naming";
import { defaultVariableName, KEY_REFERENCES, liveKeys, platformKeysSchema } from "./platform-keys";
import { supabaseAccessToken } from "../dynamic-providers/supabase/secrets";
import { postgresPassword } from "../dynamic-providers/postgres/migrations";
import { resendApiKey } from "../dynamic-providers/resend/resources";

const SIZE_UNITS: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9 };

/** Bytes, or "50MB"-style text with Supabase's decimal units. */
export function parseSize(value: unknown): number | undefined {
    if (typeof value === "number") return Number.isInteger(value) && value >= 0 ? value : undefined;
    if (typeof value !== "string") return undefined;
    const match = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)$/i.exec(value.trim());
    if (!match) return undefined;
    const bytes = Number(match[1]) * SIZE_UNITS[match[2].toUpperCase()];
    return Number.isInteger(bytes) ? bytes : undefined;
}

const fileSize = z.unknown().transform((value, ctx) => {
    const bytes = parseSize(value);
    if (bytes === undefined) {
        ctx.addIssue({ code: "custom", input: value, message: 'must be a whole number of bytes or a size such as "50MB" (B, KB, MB, GB; 1 MB = 1,000,000 bytes)' });
        return z.NEVER;
    }
    return bytes;
});

export const logicalName = z
    .string()
    .max(LOGICAL_NAME_MAX, `must be at most ${LOGICAL_NAME_MAX} characters`)
    .regex(LOGICAL_NAME_PATTERN, "must be lower-case letters, digits and inner hyphens, e.g. user-avatars");

const bucketSettings = z
    .object({
        /** Objects readable without a token. */
        public: z.boolean().default(false),
        fileSizeLimit: fileSize.optional(),
        allowedMimeTypes: z
            .array(z.string().toLowerCase().regex(MIME_TYPE_PATTERN, "must be a MIME type such as image/png or image/*"))
            .refine((list) => new Set(list).size === list.length, "must not list a MIME type twice")
            .optional(),
        /** Empty the bucket when it is destroyed; preview stacks always do. */
        forceDestroy: z.boolean().optional(),
    })
    .strict();

const supabaseSection = z
    .object({
        /** The project URL, e.g. https://abcd.supabase.co (or an emulator's). */
        url: httpUrl("must be the project's http(s) URL, e.g. https://abcd.supabase.co"),
        /** The project's reference, for Edge Function secrets through the Management API. */
        projectRef: z.string().regex(/^[a-z0-9]{20}$/, "must be the project's 20-character reference").optional(),
        /** Another Management API (the sandbox's emulator). @default https://api.supabase.com */
        managementUrl: httpUrl().optional(),
        buckets: z.record(logicalName, bucketSettings).default({}),
    })
    .strict();

/** Inputs set by the resource or the stack rather than by the config. */
const CONNECTION = { apiBase: true, keyModes: true, resourceUrn: true } as const;

const stripePrice = z.object(priceFieldsShape()).strict().superRefine(checkPriceRules);

const stripeProduct = productInputSchema()
    .omit(CONNECTION)
    .extend({ prices: z.record(logicalName, stripePrice).default({}) })
    .strict();

const stripeWebhook = webhookEndpointInputSchema().omit(CONNECTION).strict();

const stripeSection = z
    .object({
        /** Another API base (the sandbox's emulator). @default https://api.stripe.com */
        apiBase: httpUrl().optional(),
        /** Accept a test key in prod (a staging copy of prod, say). */
        allowTestKeyInProd: z.boolean().default(false),
        products: z.record(logicalName, stripeProduct).default({}),
        webhooks: z.record(logicalName, stripeWebhook).default({}),
    })
    .strict();

const appwriteKey = idSchema("key");

const appwriteAttribute = z
    .object(attributeFieldsShape())
    .extend({
        /** Logical name of the related collection in the same database. */
        relatedCollection: logicalName.optional(),
    })
    .omit({ relatedCollectionId: true })
    .strict()
    .superRefine((a, ctx) => checkAttributeRules({ ...a, relatedCollectionId: a.relatedCollection ?? null }, ctx));

const appwriteCollection = z
    .object({
        name: z.string().min(1).max(128),
        permissions: permissionsSchema(),
        documentSecurity: z.boolean().default(false),
        enabled: z.boolean().default(true),
        attributes: z.record(appwriteKey, appwriteAttribute).default({}),
        indexes: z.record(appwriteKey, z.object(indexFieldsShape()).strict()).default({}),
    })
    .strict();

const appwriteSection = z
    .object({
        endpoint: httpUrl("must be the Appwrite endpoint, e.g. https://cloud.appwrite.io/v1"),
        projectId: idSchema("projectId"),
        databases: z.record(logicalName, z.object({ name: z.string().min(1).max(128), enabled: z.boolean().default(true), collections: z.record(appwriteKey, appwriteCollection).default({}) }).strict()).default({}),
        buckets: z.record(logicalName, appwriteBucketInputSchema().omit({ endpoint: true, projectId: true, bucketId: true }).strict()).default({}),
    })
    .strict();

const gitlabVariable = z
    .object({ value: z.string(), masked: z.boolean().default(true), protected: z.boolean().default(false), raw: z.boolean().default(false) })
    .strict()
    .superRefine((v, ctx) => {
        const problem = v.masked ? maskingProblem(v.value, v.raw) : undefined;
        if (problem) ctx.addIssue({ code: "custom", path: ["value"], message: `cannot be masked: ${problem}`, input: undefined });
    });

const githubRepository = z
    .object({
        /** The repository's name on GitHub. @default stackwire-<stack>-<logical name> */
        name: z.string().regex(GITHUB_REPO_NAME, "must be a GitHub repository name: letters, digits, . _ - and at most 100 characters").optional(),
        description: z.string().max(350).optional(),
        visibility: z.enum(["public", "private", "internal"]).default("private"),
        topics: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,49}$/, "must be a GitHub topic: lower-case letters, digits and hyphens, at most 50 characters")).max(20).default([]),
        defaultBranch: z.string().min(1).default("main"),
        protection: z
            .object({ requiredReviews: z.number().int().min(0).max(10).default(1), requiredChecks: z.array(z.string().min(1)).default([]), dismissStaleReviews: z.boolean().default(true) })
            .strict()
            .optional(),
        webhooks: z
            .record(logicalName, z.object({ url: httpUrl(), events: z.array(z.string().refine((e) => GITHUB_WEBHOOK_EVENTS.includes(e), "must be a GitHub webhook event such as push, pull_request or issues")).min(1) }).strict())
            .default({}),
        variables: z.record(z.string().regex(/^(?!GITHUB_)[A-Za-z_][A-Za-z0-9_]*$/, "must be an Actions variable name: letters, digits and _, not starting with GITHUB_"), z.string()).default({}),
        gitlabMirror: z
            .object({
                direction: z.enum(["pull", "push", "both"]),
                namespaceId: z.number().int().positive().optional(),
                triggerBuilds: z.boolean().default(false),
                onlyProtectedBranches: z.boolean().default(false),
                variables: z.record(z.string().regex(VARIABLE_KEY_PATTERN, "must be letters, digits and _ only, at most 255 characters"), gitlabVariable).default({}),
                webhooks: z.record(logicalName, hookInputSchema().pick({ url: true, events: true }).strict()).default({}),
            })
            .strict()
            .optional(),
    })
    .strict();

const githubSection = z.object({ owner: z.string().min(1), repositories: z.record(logicalName, githubRepository).default({}) }).strict();
const gitlabSection = z.object({ baseUrl: httpUrl().optional() }).strict();
const trelloSection = z
    .object({
        baseUrl: httpUrl().optional(),
        boards: z
            .record(
                logicalName,
                z
                    .object({
                        name: z.string().min(1),
                        description: z.string().default(""),
                        permissionLevel: z.enum(["private", "org", "public"]).default("private"),
                        lists: z.array(z.string().min(1)).default([]),
                        labels: z
                            .record(z.string().min(1), z.string().refine((c) => TRELLO_COLORS.includes(c), `must be a Trello colour: ${TRELLO_COLORS.filter((c) => !c.includes("_")).join(", ")} (or with _dark / _light)`).nullable())
                            .default({}),
                        webhooks: z.record(logicalName, z.object({ callbackUrl: httpUrl(), description: z.string().optional() }).strict()).default({}),
                    })
                    .strict(),
            )
            .default({}),
    })
    .strict();

const consumerName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a variable name: letters, digits and _").optional();
const keyConsumer = z.discriminatedUnion(
    "kind",
    [
        z.object({ kind: z.literal("githubSecret"), repository: logicalName, name: consumerName, environment: z.string().min(1).optional() }).strict(),
        z.object({ kind: z.literal("gitlabVariable"), repository: logicalName, name: consumerName, protected: z.boolean().default(false) }).strict(),
        z.object({ kind: z.literal("appwriteFunction"), functionId: idSchema("functionId"), name: consumerName }).strict(),
        z.object({ kind: z.literal("supabaseSecret"), name: consumerName }).strict(),
    ],
    { error: "must have kind githubSecret, gitlabVariable, appwriteFunction or supabaseSecret" },
);
const keyConsumers = z.record(
    z.string().refine((ref) => KEY_REFERENCES.includes(ref), `must name a platform key such as openai.apiKey (known: ${KEY_REFERENCES.join(", ")})`),
    z.array(keyConsumer).min(1),
);

const sqlIdentifier = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, "must be a lower-case SQL identifier (letters, digits, _), at most 63 characters");
const postgresSection = z
    .object({
        host: z.string().min(1),
        port: z.number().int().min(1).max(65535).default(5432),
        adminUser: z.string().min(1).default("postgres"),
        sslMode: z.enum(["disable", "require", "verify-full"]).default("require"),
        /** Logical database name; stored as <project>_<stack>_<name>. */
        database: sqlIdentifier,
        schema: sqlIdentifier.default("app"),
        extensions: z.array(sqlIdentifier).default([]),
        applicationRoles: z.record(sqlIdentifier, z.array(z.enum(["SELECT", "INSERT", "UPDATE", "DELETE"])).min(1).transform((l) => [...new Set(l)])).default({}),
    })
    .strict();
const redisSection = z
    .object({
        url: z.url({ protocol: /^rediss?$/, error: "must be a redis:// or rediss:// URL without credentials" }),
        services: z
            .record(
                logicalName,
                z.object({ keyPatterns: z.array(z.string().regex(/^\S+$/)).min(1).optional(), categories: z.array(z.string().regex(/^[+-]@[a-z]+$/, "must be a category rule such as +@read")).min(1).optional(), channelPatterns: z.array(z.string()).optional() }).strict(),
            )
            .default({}),
    })
    .strict();
const resendSection = z
    .object({
        baseUrl: httpUrl().optional(),
        domains: z.record(z.string(), z.object({ region: z.enum(["us-east-1", "eu-west-1", "sa-east-1", "ap-northeast-1"]).optional() }).strict()).default({}),
        apiKeys: z.record(logicalName, z.object({ permission: z.enum(["full_access", "sending_access"]).default("sending_access"), domain: z.string().optional() }).strict()).default({}),
        webhooks: z.record(logicalName, z.object({ endpoint: httpUrl(), events: z.array(z.string()).min(1) }).strict()).default({}),
    })
    .strict();

/** Every non-secret setting, keyed as in `pulumi config` (without the `stackwire:` namespace). */
export const stackSettingsSchema = z
    .object({
        environment: z.enum(["dev", "staging", "prod", "preview", "local"]).optional(),
        supabase: supabaseSection.optional(),
        stripe: stripeSection.optional(),
        appwrite: appwriteSection.optional(),
        github: githubSection.optional(),
        gitlab: gitlabSection.optional(),
        trello: trelloSection.optional(),
        keyConsumers: keyConsumers.optional(),
        postgres: postgresSection.optional(),
        redis: redisSection.optional(),
        resend: resendSection.optional(),
    })
    .strict();

export type StackSettings = z.output<typeof stackSettingsSchema>;
export type BucketSettings = z.output<typeof bucketSettings>;
export type StripeProductSettings = Omit<z.output<typeof stripeProduct>, "prices">;
export type StripePriceSettings = z.output<typeof stripePrice>;
export type StripeWebhookSettings = z.output<typeof stripeWebhook>;
export type AppwriteSettings = z.output<typeof appwriteSection>;
export type GithubRepositorySettings = z.output<typeof githubRepository>;
export type TrelloSettings = z.output<typeof trelloSection>;

/** The GitHub token, for the GitHub provider and the mirrors' URLs. */
export const githubToken: CredentialSpec = { configKey: "githubToken", envVars: ["GITHUB_TOKEN"], label: "GitHub token" };
export type AppwriteCollectionSettings = z.output<typeof appwriteCollection>;

interface SecretSetting {
    credential: CredentialSpec;
    /** Whether the settings (as written, before validation) need this secret. */
    neededBy(settings: Record<string, unknown>): boolean;
    /**
     * A non-secret summary of the value (e.g. a key's mode), so validation can judge it without
     * ever holding it.
     */
    kindOf?(value: string): string;
}

/** Secret settings: set with `pulumi config set --secret`, never part of the validated object. */
export const SECRET_SETTINGS: readonly SecretSetting[] = [
    { credential: serviceRoleKey, neededBy: (s) => s.supabase !== undefined },
    { credential: stripeSecretKey, neededBy: (s) => s.stripe !== undefined, kindOf: (value) => keyModeOf(value) ?? "malformed" },
    { credential: appwriteApiKey, neededBy: (s) => s.appwrite !== undefined },
    { credential: githubToken, neededBy: (s) => s.github !== undefined },
    { credential: gitlabToken, neededBy: (s) => Object.values((s.github as { repositories?: Record<string, { gitlabMirror?: unknown }> } | undefined)?.repositories ?? {}).some((r) => r.gitlabMirror !== undefined) },
    { credential: trelloApiKey, neededBy: (s) => s.trello !== undefined },
    { credential: postgresPassword, neededBy: (s) => s.postgres !== undefined },
    { credential: resendApiKey, neededBy: (s) => s.resend !== undefined },
    {
        credential: supabaseAccessToken,
        neededBy: (s) => Object.values((s.keyConsumers as Record<string, { kind?: string }[]> | undefined) ?? {}).some((list) => list.some((c) => c.kind === "supabaseSecret")),
    },
    { credential: trelloToken, neededBy: (s) => s.trello !== undefined },
];

export const SETTING_KEYS = Object.keys(stackSettingsSchema.shape);

/** The config as read from Pulumi, before validation. */
export interface RawStackConfig {
    /** Non-secret values by key (no namespace), objects already parsed from JSON. */
    settings: Record<string, unknown>;
    /** Keys present in the config and whether each was set as a secret. */
    secretness: Record<string, boolean>;
    /** The environment variables credentials may come from instead. */
    env: NodeJS.ProcessEnv;
    /** For secrets that have a `kindOf`: the kind of the value found (config or environment). */
    secretKinds?: Record<string, string>;
    /** The platform keys' values, read only to check their shapes (never printed). */
    platformKeys?: unknown;
}

export class StackConfigError extends Error {
    constructor(
        readonly stack: string,
        readonly problems: Problem[],
    ) {
        const lines = problems.map((p) => `  - ${describeProblem(p)}`).join("\n");
        super(`Invalid stack configuration for stack "${stack}" (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${lines}`);
        this.name = "StackConfigError";
    }
}

export interface PlannedBucket {
    /** Logical name from the config. */
    name: string;
    /** Physical bucket id. */
    bucketId: string;
    settings: BucketSettings;
}

export interface PlannedPrice {
    /** Logical name within its product. */
    name: string;
    /** Lookup key as written (default `<product>-<price>`), the key of the catalog's outputs. */
    lookupKey: string;
    /** Lookup key in Stripe, with project and stack: stacks sharing an account never take each other's. */
    physicalLookupKey: string;
    settings: StripePriceSettings;
}

export interface PlannedProduct {
    name: string;
    settings: StripeProductSettings;
    prices: PlannedPrice[];
}

export interface PlannedWebhook {
    name: string;
    settings: StripeWebhookSettings;
}

export interface PlannedAppwriteDatabase {
    /** Logical name from the config. */
    name: string;
    /** Physical id: project, stack and name, within Appwrite's 36 characters. */
    databaseId: string;
    displayName: string;
    enabled: boolean;
    collections: Record<string, AppwriteCollectionSettings>;
}

export interface PlannedConsumer {
    /** "openai.apiKey". */
    reference: string;
    kind: "githubSecret" | "gitlabVariable" | "appwriteFunction" | "supabaseSecret";
    /** The variable or secret name the consumer sees. */
    name: string;
    /** Logical repository (GitHub, GitLab) or function id (Appwrite); absent for Supabase. */
    target?: string;
    environment?: string;
    protected?: boolean;
}

export interface StackConfig {
    settings: StackSettings;
    keyConsumers?: PlannedConsumer[];
    /** <project>_<stack>_<database>, as PostgreSQL names go. */
    postgresDatabaseName?: string;
    github?: { owner: string; gitlabBaseUrl?: string; repositories: { name: string; repositoryName: string; settings: GithubRepositorySettings }[] };
    trello?: TrelloSettings;
    appwrite?: {
        endpoint: string;
        projectId: string;
        databases: PlannedAppwriteDatabase[];
        buckets: { name: string; bucketId: string; settings: AppwriteSettings["buckets"][string] }[];
    };
    supabase?: { url: string; buckets: PlannedBucket[] };
    stripe?: { apiBase?: string; keyModes: KeyMode[]; products: PlannedProduct[]; webhooks: PlannedWebhook[] };
}

/** The secret setting holding every platform's keys: {platform: {field: value}}. */
export const PLATFORM_KEYS_SETTING = "platformKeys";

export const SECRET_KEYS: ReadonlySet<string> = new Set([...SECRET_SETTINGS.map((s) => s.credential.configKey), PLATFORM_KEYS_SETTING]);

function settingIsSecretPath(path: string): boolean {
    return /(key|secret|token|password)/i.test(path.split(/[.[]/).pop() ?? "");
}

/** Validates everything and returns the plan, or throws listing every problem. */
export function validateStackConfig(raw: RawStackConfig, env: Environment): StackConfig {
    const problems: Problem[] = [];

    for (const key of Object.keys(raw.secretness)) {
        if (SECRET_KEYS.has(key)) {
            if (!raw.secretness[key]) problems.push({ path: key, rule: `is a credential: set it with \`pulumi config set --secret ${key} <value>\`` });
        } else if (!SETTING_KEYS.includes(key)) {
            problems.push({ path: key, rule: `is not a stackwire setting (known: ${[...SETTING_KEYS, ...SECRET_KEYS].join(", ")})` });
        }
    }

    const known = Object.fromEntries(Object.entries(raw.settings).filter(([k]) => SETTING_KEYS.includes(k)));
    for (const secret of SECRET_SETTINGS) {
        const { configKey, envVars } = secret.credential;
        const present = configKey in raw.secretness || envVars.some((name) => raw.env[name]);
        if (secret.neededBy(known) && !present) {
            problems.push({ path: configKey, rule: `is required: run \`pulumi config set --secret ${configKey} <value>\` or set ${envVars.join(" / ")}` });
        }
    }

    const parsed = stackSettingsSchema.safeParse(known, { reportInput: true });
    if (!parsed.success) {
        problems.push(...problemsFromZod(parsed.error, settingIsSecretPath));
        throw new StackConfigError(env.stack, problems);
    }
    const settings = parsed.data;

    const config: StackConfig = { settings };
    if (settings.supabase) {
        const buckets: PlannedBucket[] = [];
        for (const [name, bucket] of Object.entries(settings.supabase.buckets)) {
            try {
                buckets.push({ name, bucketId: physicalName(env, name, NAME_RULES.supabaseBucket), settings: bucket });
            } catch (err) {
                if (!(err instanceof NamingError)) throw err;
                problems.push({ path: `supabase.buckets.${name}`, rule: err.message });
            }
        }
        config.supabase = { url: settings.supabase.url, buckets };
    }

    if (settings.github) {
        config.github = {
            owner: settings.github.owner,
            ...(settings.gitlab?.baseUrl ? { gitlabBaseUrl: settings.gitlab.baseUrl } : {}),
            repositories: Object.entries(settings.github.repositories).map(([name, repo]) => {
                let repositoryName = repo.name ?? name;
                if (!repo.name) {
                    try {
                        repositoryName = physicalName(env, name, NAME_RULES.githubRepository);
                    } catch (err) {
                        if (!(err instanceof NamingError)) throw err;
                        problems.push({ path: `github.repositories.${name}`, rule: err.message });
                    }
                }
                return { name, repositoryName, settings: repo };
            }),
        };
    }
    if (settings.trello) config.trello = settings.trello;
    if (settings.keyConsumers) config.keyConsumers = planConsumers(settings, raw, env, problems);
    for (const [key, domain] of Object.entries(settings.resend?.apiKeys ?? {}).map(([k, v]) => [k, v.domain] as const)) {
        if (domain !== undefined && !(domain in (settings.resend?.domains ?? {}))) problems.push({ path: `resend.apiKeys.${key}.domain`, rule: `names domain "${domain}", which resend.domains does not declare` });
    }
    if (settings.postgres) {
        const name = `${env.project}_${env.stack}_${settings.postgres.database}`.toLowerCase().replace(/[^a-z0-9_]/g, "_");
        if (name.length > 63) problems.push({ path: "postgres.database", rule: `${name} is over PostgreSQL's 63 characters: choose a shorter name` });
        config.postgresDatabaseName = name;
    }
    if (settings.appwrite) config.appwrite = planAppwrite(settings.appwrite, env, problems);
    if (settings.stripe) config.stripe = planStripe(settings.stripe, raw.secretKinds?.[stripeSecretKey.configKey], env, problems);

    if (problems.length > 0) throw new StackConfigError(env.stack, problems);
    return config;
}

/** Which key modes a stack accepts: live only in prod, test in prod only when allowed. */
export function stripeKeyModes(env: Environment, allowTestKeyInProd: boolean): KeyMode[] {
    if (!env.allowLiveKeys) return ["test"];
    return allowTestKeyInProd ? ["live", "test"] : ["live"];
}

function planStripe(section: z.output<typeof stripeSection>, keyKind: string | undefined, env: Environment, problems: Problem[]): NonNullable<StackConfig["stripe"]> {
    const keyModes = stripeKeyModes(env, section.allowTestKeyInProd);
    const key = stripeSecretKey.configKey;
    if (keyKind === "malformed") problems.push({ path: key, rule: "must be a Stripe secret or restricted key (sk_test_…, sk_live_…, rk_test_…, rk_live_…)" });
    else if (keyKind === "live" && !keyModes.includes("live")) problems.push({ path: key, rule: `is a live key, refused in the ${env.kind} environment: use a test key (sk_test_…)` });
    else if (keyKind === "test" && !keyModes.includes("test")) problems.push({ path: key, rule: "is a test key, refused in prod unless stripe.allowTestKeyInProd is true" });

    const holders = new Map<string, string>();
    const products = Object.entries(section.products).map(([productName, { prices, ...product }]) => ({
        name: productName,
        settings: product,
        prices: Object.entries(prices).map(([priceName, price]) => {
            const lookupKey = price.lookupKey ?? `${productName}-${priceName}`;
            const path = `stripe.products.${productName}.prices.${priceName}.lookupKey`;
            const holder = holders.get(lookupKey);
            if (holder) problems.push({ path, rule: `"${lookupKey}" is already the lookup key of ${holder}: lookup keys are unique in a Stripe account` });
            holders.set(lookupKey, `stripe.products.${productName}.prices.${priceName}`);
            let physicalLookupKey = lookupKey;
            try {
                physicalLookupKey = physicalName(env, lookupKey, NAME_RULES.stripeLookupKey);
            } catch (err) {
                if (!(err instanceof NamingError)) throw err;
                problems.push({ path, rule: err.message });
            }
            return { name: priceName, lookupKey, physicalLookupKey, settings: price };
        }),
    }));
    const webhooks = Object.entries(section.webhooks).map(([name, settings]) => ({ name, settings }));
    return { ...(section.apiBase ? { apiBase: section.apiBase } : {}), keyModes, products, webhooks };
}

function planAppwrite(section: AppwriteSettings, env: Environment, problems: Problem[]): NonNullable<StackConfig["appwrite"]> {
    const named = (path: string, name: string, rule: typeof NAME_RULES.appwriteId) => {
        try {
            return physicalName(env, name, rule);
        } catch (err) {
            if (!(err instanceof NamingError)) throw err;
            problems.push({ path, rule: err.message });
            return name;
        }
    };
    const databases = Object.entries(section.databases).map(([name, db]) => {
        for (const [collectionName, collection] of Object.entries(db.collections)) {
            const at = `appwrite.databases.${name}.collections.${collectionName}`;
            for (const [key, attribute] of Object.entries(collection.attributes)) {
                if (attribute.type === "relationship" && attribute.relatedCollection && !(attribute.relatedCollection in db.collections)) {
                    problems.push({ path: `${at}.attributes.${key}.relatedCollection`, rule: `names collection "${attribute.relatedCollection}", which database ${name} does not declare` });
                }
            }
            for (const [key, index] of Object.entries(collection.indexes)) {
                index.attributes.forEach((attribute, i) => {
                    if (!(attribute in collection.attributes)) problems.push({ path: `${at}.indexes.${key}.attributes[${i}]`, rule: `names attribute "${attribute}", which collection ${collectionName} does not declare` });
                });
                if (index.orders && index.orders.length !== index.attributes.length) problems.push({ path: `${at}.indexes.${key}.orders`, rule: "must give one order per attribute" });
            }
        }
        return { name, databaseId: named(`appwrite.databases.${name}`, name, NAME_RULES.appwriteId), displayName: db.name, enabled: db.enabled, collections: db.collections };
    });
    const buckets = Object.entries(section.buckets).map(([name, settings]) => ({ name, bucketId: named(`appwrite.buckets.${name}`, name, NAME_RULES.appwriteId), settings }));
    return { endpoint: section.endpoint, projectId: section.projectId, databases, buckets };
}

function planConsumers(settings: StackSettings, raw: RawStackConfig, env: Environment, problems: Problem[]): PlannedConsumer[] {
    const keys = platformKeysSchema().safeParse(raw.platformKeys ?? {});
    if (raw.platformKeys === undefined) problems.push({ path: PLATFORM_KEYS_SETTING, rule: "is required when keyConsumers is set: pulumi config set --secret --path 'platformKeys.openai.apiKey' <key>" });
    // Every value here is secret: report the path and the rule, never what was received.
    if (!keys.success) problems.push(...problemsFromZod(keys.error, () => true, [PLATFORM_KEYS_SETTING]));
    const declared = (keys.success ? keys.data : {}) as Record<string, Record<string, string | undefined> | undefined>;
    if (!env.allowLiveKeys) {
        for (const live of liveKeys(declared)) problems.push({ path: `${PLATFORM_KEYS_SETTING}.${live}`, rule: `is a live key, refused in the ${env.kind} environment: use a test key` });
    }
    const repositories = settings.github?.repositories ?? {};
    const planned: PlannedConsumer[] = [];
    const seen = new Map<string, string>();
    for (const [reference, consumers] of Object.entries(settings.keyConsumers ?? {})) {
        const [platform, field] = reference.split(".");
        if (raw.platformKeys !== undefined && declared[platform]?.[field] === undefined) problems.push({ path: `keyConsumers.${reference}`, rule: `names a key that platformKeys does not hold: set it with pulumi config set --secret --path 'platformKeys.${reference}' <value>` });
        (consumers ?? []).forEach((c, i) => {
            const at = `keyConsumers.${reference}[${i}]`;
            const name = c.name ?? defaultVariableName(reference);
            let target: string | undefined;
            if (c.kind === "githubSecret" || c.kind === "gitlabVariable") {
                target = c.repository;
                if (!(c.repository in repositories)) problems.push({ path: `${at}.repository`, rule: `names repository "${c.repository}", which github.repositories does not declare` });
                else if (c.kind === "gitlabVariable" && !repositories[c.repository].gitlabMirror) problems.push({ path: `${at}.repository`, rule: `repository "${c.repository}" has no gitlabMirror, so there is no GitLab project to hold the variable` });
            } else if (c.kind === "appwriteFunction") {
                target = c.functionId;
                if (!settings.appwrite) problems.push({ path: at, rule: "needs the appwrite setting (endpoint and project)" });
            } else if (!settings.supabase?.projectRef) {
                problems.push({ path: at, rule: "needs supabase.projectRef, the project whose Edge Functions read the secret" });
            }
            const slot = `${c.kind}/${target ?? ""}/${"environment" in c ? (c.environment ?? "") : ""}/${name}`;
            const holder = seen.get(slot);
            if (holder) problems.push({ path: `${at}.name`, rule: `${name} is already given to ${holder} in the same place` });
            seen.set(slot, reference);
            planned.push({ reference, kind: c.kind, name, ...(target ? { target } : {}), ...("environment" in c && c.environment ? { environment: c.environment } : {}), ...("protected" in c ? { protected: c.protected } : {}) });
        });
    }
    return planned;
}
