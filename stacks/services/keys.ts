/**
 * Platform keys: every key the stack knows, declared once in the secret setting `platformKeys`
 * ({platform: {field: value}}) with its documented format, and `keyConsumers`, where each goes.
 * Validation reads the values only to judge their shape and never prints them. The fan-out to
 * consumers is wired in platform.ts: it needs what the other services built.
 */
import { z } from "zod";
import type { KeyConsumer } from "../../components/keys/platform-keys";
import { idSchema } from "../../dynamic-providers/appwrite/schema";
import { EXPO_DEFAULT_ENVIRONMENTS, EXPO_VISIBILITIES, expoEnvironments } from "../../dynamic-providers/expo/schema";
import { isPublicScope } from "../../dynamic-providers/mapbox/schema";
import { problemsFromZod } from "../../dynamic-providers/core/validation";
import { STRIPE_SECRET_KEY_PATTERN, STRIPE_SECRET_KEY_SHAPE } from "../../dynamic-providers/stripe/schema";
import { supabaseAccessToken } from "../../dynamic-providers/supabase/client";
import { defineService, logicalName, sectionOf } from "../service";
import type { githubService } from "./github";
import type { mapboxService } from "./mapbox";
import type { supabaseService } from "./supabase";

export interface KeyRule {
    /** The format the platform documents for this key. */
    pattern: RegExp;
    /** The same in words, for errors. */
    shape: string;
    /** Matches a key for live (real-money) use: refused outside prod. */
    live?: RegExp;
}

const hex32 = { pattern: /^[0-9a-f]{32}$/, shape: "32 hexadecimal characters" };
const opaque = { pattern: /^\S{16,}$/, shape: "at least 16 characters without spaces" };
const jwtOrKey = (prefix: string) => ({ pattern: new RegExp(`^(eyJ[\\w-]+\\.[\\w-]+\\.[\\w-]+|${prefix}[A-Za-z0-9_-]{16,})$`), shape: `a JWT (eyJ…) or a ${prefix}… key` });

export const PLATFORM_KEYS = {
    stripe: {
        secretKey: { pattern: STRIPE_SECRET_KEY_PATTERN, shape: STRIPE_SECRET_KEY_SHAPE, live: /^(sk|rk)_live_/ },
        publishableKey: { pattern: /^pk_(test|live)_[0-9A-Za-z]{10,}$/, shape: "pk_test_… or pk_live_…", live: /^pk_live_/ },
        webhookSecret: { pattern: /^whsec_[0-9A-Za-z]{16,}$/, shape: "whsec_…" },
    },
    supabase: { url: { pattern: /^https:\/\/[a-z0-9]{20}\.supabase\.co$/, shape: "https://<20-character ref>.supabase.co" }, anonKey: jwtOrKey("sb_publishable_"), serviceRoleKey: jwtOrKey("sb_secret_") },
    appwrite: { apiKey: opaque },
    openai: { apiKey: { pattern: /^sk-(proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}$/, shape: "sk-… or sk-proj-…" } },
    flowith: { apiKey: opaque },
    redis: { url: { pattern: /^rediss?:\/\/\S+$/, shape: "redis://… or rediss://…" } },
    github: { token: { pattern: /^(ghp_|gho_|ghs_|ghu_)[A-Za-z0-9]{36}$|^github_pat_[A-Za-z0-9_]{50,}$/, shape: "ghp_… (36 characters after the prefix) or github_pat_…" } },
    gitlab: { token: { pattern: /^glpat-[A-Za-z0-9_.-]{20,}$/, shape: "glpat-…" } },
    trello: { apiKey: hex32, token: { pattern: /^(ATTA[A-Za-z0-9]{60,}|[0-9a-f]{64})$/, shape: "ATTA… or 64 hexadecimal characters" } },
    resend: { apiKey: { pattern: /^re_[A-Za-z0-9_]{16,}$/, shape: "re_…" } },
    agora: { appId: hex32, appCertificate: hex32 },
    amplitude: { apiKey: hex32 },
    logrocket: { appId: { pattern: /^[a-z0-9-]+\/[a-z0-9-]+$/, shape: "organisation/application, e.g. acme/web" } },
    posthog: { projectKey: { pattern: /^phc_[A-Za-z0-9]{32,}$/, shape: "phc_…" }, personalKey: { pattern: /^phx_[A-Za-z0-9]{32,}$/, shape: "phx_…" } },
    mapbox: { publicToken: { pattern: /^pk\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, shape: "pk.…" }, secretToken: { pattern: /^sk\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, shape: "sk.…" } },
    airtable: { token: { pattern: /^pat[A-Za-z0-9]{14}\.[a-f0-9]{64}$/, shape: "pat… (a personal access token)" } },
    pipedream: { apiKey: opaque },
    expo: { accessToken: opaque },
} satisfies Record<string, Record<string, KeyRule>>;

/** The secret setting holding every platform's keys. */
export const PLATFORM_KEYS_SETTING = "platformKeys";

/** "openai.apiKey" for every declared field. */
export const KEY_REFERENCES: readonly string[] = Object.entries(PLATFORM_KEYS).flatMap(([p, fields]) => Object.keys(fields).map((f) => `${p}.${f}`));

/** The name a key gets in its consumers by default: OPENAI_API_KEY for openai.apiKey, MAPBOX_WEB_APP for mapbox.web-app. */
export function defaultVariableName(reference: string): string {
    const [platform, field] = reference.split(".");
    return `${platform}_${field.replace(/([A-Z])/g, "_$1").replace(/-/g, "_")}`.toUpperCase();
}

/** The name a consumer gives a key (its settings as written): its own, else the default, EXPO_PUBLIC_ first for a plain Expo variable the app reads. */
export function consumerVariableName(reference: string, consumer: { kind?: unknown; name?: unknown; visibility?: unknown }): string {
    if (typeof consumer.name === "string") return consumer.name;
    return `${consumer.kind === "expoVariable" && consumer.visibility === "plain" ? EXPO_PUBLIC_PREFIX : ""}${defaultVariableName(reference)}`;
}

/** The schema of the secret setting: every platform optional, every field checked for its shape. */
export function platformKeysSchema() {
    return z
        .object(
            Object.fromEntries(
                Object.entries(PLATFORM_KEYS).map(([platform, fields]) => [
                    platform,
                    z.object(Object.fromEntries(Object.entries(fields).map(([field, rule]) => [field, z.string().regex(rule.pattern, `must be ${rule.shape}`).optional()]))).strict().optional(),
                ]),
            ),
        )
        .strict();
}

type DeclaredKeys = Record<string, Record<string, string | undefined> | undefined>;

/** References of the keys that are live-mode keys. */
export function liveKeys(keys: DeclaredKeys): string[] {
    return Object.entries(keys).flatMap(([platform, fields]) =>
        Object.entries(fields ?? {})
            .filter(([field, value]) => {
                const rule = (PLATFORM_KEYS as Record<string, Record<string, KeyRule>>)[platform]?.[field];
                return value !== undefined && rule?.live?.test(value);
            })
            .map(([field]) => `${platform}.${field}`),
    );
}

const consumerName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a variable name: letters, digits and _").optional();

/**
 * Keys meant to be seen by anyone who has the app: publishable and anonymous keys, project and
 * public tokens, app ids. Every other key must not reach a plain Expo variable or an EXPO_PUBLIC_
 * name, which Expo builds into the app's JavaScript.
 */
const PUBLIC_KEYS: ReadonlySet<string> = new Set(["stripe.publishableKey", "supabase.url", "supabase.anonKey", "posthog.projectKey", "amplitude.apiKey", "logrocket.appId", "agora.appId", "mapbox.publicToken"]);

/** Expo inlines EXPO_PUBLIC_ variables into the app bundle (docs.expo.dev/guides/environment-variables). */
export const EXPO_PUBLIC_PREFIX = "EXPO_PUBLIC_";
const consumer = z.discriminatedUnion(
    "kind",
    [
        z.object({ kind: z.literal("githubSecret"), repository: logicalName, name: consumerName, environment: z.string().min(1).optional() }).strict(),
        z.object({ kind: z.literal("gitlabVariable"), repository: logicalName, name: consumerName, protected: z.boolean().default(false) }).strict(),
        z.object({ kind: z.literal("appwriteFunction"), functionId: idSchema("functionId"), name: consumerName }).strict(),
        z.object({ kind: z.literal("supabaseSecret"), name: consumerName }).strict(),
        z
            .object({
                kind: z.literal("expoVariable"),
                name: consumerName,
                /** EAS environments (development, preview, production, or custom ones). */
                environments: expoEnvironments().default([...EXPO_DEFAULT_ENVIRONMENTS]),
                /** plain: readable anywhere (needed for EXPO_PUBLIC_ values the app reads); sensitive: hidden in listings; secret: readable only on EAS servers. */
                visibility: z.enum(Object.keys(EXPO_VISIBILITIES) as [keyof typeof EXPO_VISIBILITIES, ...(keyof typeof EXPO_VISIBILITIES)[]]).default("secret"),
            })
            .strict(),
    ],
    { error: "must have kind githubSecret, gitlabVariable, appwriteFunction, supabaseSecret or expoVariable" },
);

/** A key reference, "platform.field"; whether a declared or a made key is judged in plan, which knows the made ones. */
const section = z.record(z.string().regex(/^[a-z]+\.[A-Za-z0-9][A-Za-z0-9-]*$/, "must name a platform key such as openai.apiKey"), z.array(consumer).min(1));

export const keysService = defineService({
    key: "keyConsumers",
    section,
    secrets: [
        {
            credential: { configKey: PLATFORM_KEYS_SETTING, envVars: [], label: "platform keys" },
            howToSet: "pulumi config set --secret --path 'platformKeys.openai.apiKey' <key>",
            neededWhen: "keyConsumers names a key the stack does not make itself",
            neededBy: (s, madeKeys) => Object.keys((s.keyConsumers as Record<string, unknown> | undefined) ?? {}).some((reference) => !madeKeys.has(reference)),
        },
        {
            credential: supabaseAccessToken,
            neededBy: (s) => Object.values((s.keyConsumers as Record<string, { kind?: string }[]> | undefined) ?? {}).some((list) => list.some((c) => c.kind === "supabaseSecret")),
        },
    ],

    plan(s, ctx): KeyConsumer[] {
        const keys = platformKeysSchema().safeParse(ctx.platformKeys ?? {});
        // Every value here is secret: report the path and the rule, never what was received.
        if (!keys.success) for (const p of problemsFromZod(keys.error, () => true, [PLATFORM_KEYS_SETTING])) ctx.problem(p.path, p.rule);
        const declared = (keys.success ? keys.data : {}) as DeclaredKeys;
        if (!ctx.env.allowLiveKeys) {
            for (const live of liveKeys(declared)) ctx.problem(`${PLATFORM_KEYS_SETTING}.${live}`, `is a live key, refused in the ${ctx.env.kind} environment: use a test key`);
        }
        const repositories = sectionOf<typeof githubService>(ctx.settings, "github")?.repositories ?? {};
        const supabase = sectionOf<typeof supabaseService>(ctx.settings, "supabase");
        const planned: KeyConsumer[] = [];
        // Public: the keys made so, and the Mapbox tokens the stack makes with public scopes only.
        const mapboxTokens = sectionOf<typeof mapboxService>(ctx.settings, "mapbox")?.tokens ?? {};
        const isPublic = (reference: string) => PUBLIC_KEYS.has(reference) || (reference.startsWith("mapbox.") && mapboxTokens[reference.slice("mapbox.".length)]?.scopes.every(isPublicScope) === true);
        const seen = new Map<string, string>();
        for (const [reference, consumers] of Object.entries(s)) {
            const [platform, field] = reference.split(".");
            // A key a service makes (the openai section's service account key) stands where a copied one would.
            const maker = ctx.madeKeys.get(reference);
            if (maker === undefined && !KEY_REFERENCES.includes(reference)) {
                const made = [...ctx.madeKeys.keys()];
                ctx.problem(`keyConsumers.${reference}`, `must name a platform key such as openai.apiKey (known: ${[...KEY_REFERENCES, ...made].join(", ")})`);
                continue;
            }
            if (maker !== undefined && declared[platform]?.[field] !== undefined) ctx.problem(`${PLATFORM_KEYS_SETTING}.${reference}`, `is made by the ${maker} section, which hands its own key to keyConsumers: remove it from platformKeys`);
            if (maker === undefined && ctx.platformKeys !== undefined && declared[platform]?.[field] === undefined) {
                ctx.problem(`keyConsumers.${reference}`, `names a key that platformKeys does not hold: set it with pulumi config set --secret --path 'platformKeys.${reference}' <value>`);
            }
            consumers.forEach((c, i) => {
                const at = `keyConsumers.${reference}[${i}]`;
                const name = consumerVariableName(reference, c);
                let target: string | undefined;
                if (c.kind === "githubSecret" || c.kind === "gitlabVariable") {
                    target = c.repository;
                    if (!(c.repository in repositories)) ctx.problem(`${at}.repository`, `names repository "${c.repository}", which github.repositories does not declare`);
                    else if (c.kind === "gitlabVariable" && !repositories[c.repository].gitlabMirror) ctx.problem(`${at}.repository`, `repository "${c.repository}" has no gitlabMirror, so there is no GitLab project to hold the variable`);
                } else if (c.kind === "appwriteFunction") {
                    target = c.functionId;
                    if (!ctx.settings.appwrite) ctx.problem(at, "needs the appwrite setting (endpoint and project)");
                } else if (c.kind === "expoVariable") {
                    if (!ctx.settings.expo) ctx.problem(at, "needs the expo setting (the EAS project id)");
                    // A server key built into an app is a leaked key: only keys meant to be public go to what the app can read.
                    const shown = c.visibility === "plain" || name.startsWith(EXPO_PUBLIC_PREFIX);
                    if (shown && !isPublic(reference)) ctx.problem(at, `would put ${reference}, a key that must stay on servers, where the app's users can read it (${c.visibility === "plain" ? "visibility plain" : `the ${EXPO_PUBLIC_PREFIX} name`}): use visibility secret and a name without ${EXPO_PUBLIC_PREFIX}`);
                } else if (!supabase?.projectRef) {
                    ctx.problem(at, "needs supabase.projectRef, the project whose Edge Functions read the secret");
                }
                const environment = c.kind === "githubSecret" ? c.environment : undefined;
                // One EAS variable per name: its environments are a setting of it, changed in place.
                const slot = `${c.kind}/${target ?? ""}/${environment ?? ""}/${name}`;
                const holder = seen.get(slot);
                if (holder) ctx.problem(`${at}.name`, `${name} is already given to ${holder} in the same place${c.kind === "expoVariable" ? " (one EAS variable per name, whatever its environments)" : ""}`);
                seen.set(slot, reference);
                planned.push({
                    reference,
                    kind: c.kind,
                    name,
                    ...(target ? { target } : {}),
                    ...(environment ? { environment } : {}),
                    ...(c.kind === "gitlabVariable" ? { protected: c.protected } : {}),
                    ...(c.kind === "expoVariable" ? { environments: c.environments, visibility: EXPO_VISIBILITIES[c.visibility] } : {}),
                });
            });
        }
        return planned;
    },
});
