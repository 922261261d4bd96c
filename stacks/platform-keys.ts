/**
 * Every platform key the stack knows, declared once with its documented format. Values live in
 * the secret setting `platformKeys` ({platform: {field: value}}); validation reads them only to
 * judge their shape and never prints them.
 */
import { z } from "zod";

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
        secretKey: { pattern: /^(sk|rk)_(test|live)_[0-9A-Za-z]{10,}$/, shape: "sk_test_…, sk_live_…, rk_test_… or rk_live_…", live: /^(sk|rk)_live_/ },
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

export type Platform = keyof typeof PLATFORM_KEYS;

/** "openai.apiKey" for every declared field. */
export const KEY_REFERENCES: readonly string[] = Object.entries(PLATFORM_KEYS).flatMap(([p, fields]) => Object.keys(fields).map((f) => `${p}.${f}`));

/** The name a key gets in its consumers by default: OPENAI_API_KEY for openai.apiKey. */
export function defaultVariableName(reference: string): string {
    const [platform, field] = reference.split(".");
    return `${platform}_${field.replace(/([A-Z])/g, "_$1")}`.toUpperCase();
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

/** References of the keys that are live-mode keys. */
export function liveKeys(keys: Record<string, Record<string, string | undefined> | undefined>): string[] {
    return Object.entries(keys).flatMap(([platform, fields]) =>
        Object.entries(fields ?? {})
            .filter(([field, value]) => {
                const rule = (PLATFORM_KEYS as Record<string, Record<string, KeyRule>>)[platform]?.[field];
                return value !== undefined && rule?.live?.test(value);
            })
            .map(([field]) => `${platform}.${field}`),
    );
}
