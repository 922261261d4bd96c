/**
 * Blueprints pointed at the sandbox: every `<placeholder>` replaced by a sandbox value and every
 * service's base URL set to its emulator (or the local server), so the demo and the engine tests
 * run a blueprint as a user would, with no accounts.
 */
import { blueprintSettings, isBlueprint, placeholdersOf, type BlueprintName } from "../stacks/blueprints";
import { SANDBOX_APPWRITE, SANDBOX_EXPO_PROJECT, SANDBOX_MAPBOX_USER, SANDBOX_POSTHOG_ORGANIZATION, SANDBOX_SUPABASE_REF } from "./local-stack";
import { DEMO_DOMAIN, type WiredUrls } from "./wired-stack";

/** Where the sandbox serves each service; only those the blueprint uses are needed. */
export interface BlueprintUrls extends Partial<WiredUrls> {
    /** redis://host:port, without credentials. */
    redis?: string;
    /** The OpenAI emulator. */
    openai?: string;
    agora?: string;
    mapbox?: string;
    posthog?: string;
    expo?: string;
}

/** The sandbox's value for each placeholder the blueprints use. */
export const SANDBOX_PLACEHOLDERS: Record<string, string> = {
    "<your-project-ref>": SANDBOX_SUPABASE_REF,
    "<your-domain>": DEMO_DOMAIN,
    "<your-github-owner>": "acme",
    "<your-redis-host>": "127.0.0.1",
    "<your-team-email>": "team@acme.test",
    "<your-appwrite-project>": SANDBOX_APPWRITE.projectId,
    "<your-appwrite-function>": SANDBOX_APPWRITE.functions[0],
    "<your-eas-project-id>": SANDBOX_EXPO_PROJECT,
    "<your-mapbox-username>": SANDBOX_MAPBOX_USER,
    "<your-posthog-organization-id>": SANDBOX_POSTHOG_ORGANIZATION,
};

/** Platform keys for the references the blueprints hand out, each in its documented shape (fake). */
export const SANDBOX_PLATFORM_KEYS = {
    amplitude: { apiKey: "0123456789abcdef0123456789abcdef" },
    flowith: { apiKey: "sandbox-flowith-key-0123456789" },
};

type Settings = Record<string, unknown>;

function replacePlaceholders(value: unknown): unknown {
    const replace = (text: string) => text.replace(/<[a-z][a-z0-9-]*>/g, (p) => SANDBOX_PLACEHOLDERS[p] ?? p);
    if (typeof value === "string") return replace(value);
    if (Array.isArray(value)) return value.map(replacePlaceholders);
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [replace(k), replacePlaceholders(v)]));
    return value;
}

/**
 * The blueprint (by name, or its settings) as a sandbox stack's settings. Throws naming the URL
 * a configured service needs and `urls` lacks, and any placeholder the sandbox has no value for:
 * nothing is left pointing at a real API.
 */
export function fillForSandbox(blueprint: BlueprintName | Settings, urls: BlueprintUrls): Settings {
    const name = typeof blueprint === "string" ? blueprint : "settings";
    if (typeof blueprint === "string" && !isBlueprint(blueprint)) throw new Error(`fillForSandbox: no blueprint "${blueprint}"`);
    const s = replacePlaceholders(typeof blueprint === "string" ? blueprintSettings(blueprint) : blueprint) as Settings;
    const need = (key: keyof BlueprintUrls): string => {
        const url = urls[key];
        if (!url) throw new Error(`fillForSandbox: ${name} needs urls.${key}`);
        return url.replace(/\/+$/, "");
    };
    const section = (key: string) => s[key] as Settings;

    if (s.supabase) {
        const supabase = section("supabase");
        supabase.url = need("supabase");
        if (supabase.projectRef !== undefined) supabase.managementUrl = need("management");
        if (supabase.database !== undefined) supabase.database = { url: need("database") };
    }
    if (s.stripe) section("stripe").apiBase = need("stripe");
    if (s.resend) section("resend").baseUrl = need("resend");
    if (s.trello) section("trello").baseUrl = `${need("trello")}/1`;
    if (s.redis) section("redis").url = need("redis");
    if (s.openai) section("openai").baseUrl = `${need("openai")}/v1`;
    for (const key of ["agora", "mapbox", "posthog", "expo"] as const) if (s[key]) section(key).baseUrl = need(key);
    if (s.appwrite) Object.assign(section("appwrite"), { endpoint: `${need("appwrite")}/v1`, projectId: SANDBOX_APPWRITE.projectId });
    const mirrors = Object.values(((s.github as Settings | undefined)?.repositories as Record<string, Settings> | undefined) ?? {}).some((r) => r.gitlabMirror !== undefined);
    if (s.gitlab || mirrors) s.gitlab = { ...((s.gitlab as Settings | undefined) ?? {}), baseUrl: need("gitlab") };

    const left = placeholdersOf(s);
    if (left.length > 0) throw new Error(`fillForSandbox: ${name} has placeholders the sandbox has no value for: ${left.join(", ")}`);
    return s;
}
