/**
 * `npm run keys -- check`: one read-only call per declared key, to the cheapest authenticated
 * endpoint of its platform, all platforms at once. Each key is reported valid or why not, its mode
 * (test or live) and scopes where the platform says them. A value is never printed: answers
 * pass through redaction before any reason is shown.
 */
import { createClient } from "redis";
import { redact } from "../dynamic-providers/core/errors";
import { messageOf as apiMessageOf } from "../dynamic-providers/core/rest";
import { EXPO_BASE_URL } from "../dynamic-providers/expo/schema";
import { GITLAB_BASE_URL } from "../dynamic-providers/gitlab/schema";
import { MAPBOX_BASE_URL } from "../dynamic-providers/mapbox/schema";
import { POSTHOG_BASE_URL, POSTHOG_EU_BASE_URL } from "../dynamic-providers/posthog/schema";
import { OPENAI_BASE_URL } from "../dynamic-providers/openai/schema";
import { RESEND_BASE_URL } from "../dynamic-providers/resend/schema";
import { STRIPE_API_BASE } from "../dynamic-providers/stripe/schema";
import { TRELLO_BASE_URL } from "../dynamic-providers/trello/schema";
import type { StackSettings } from "./config";
import type { Environment } from "./environment";
import type { KeyValues } from "../components/keys/platform-keys";

export interface KeyCheck {
    platform: string;
    /** The field in platformKeys ("secretKey"). */
    key: string;
    /** "valid", "invalid" or "not checked". */
    result: "valid" | "invalid" | "not checked";
    /** Why not, or what to know (restricted, sending only). */
    why?: string;
    mode?: "test" | "live";
    scopes?: string[];
}

type Fields = Record<string, string | undefined>;
type Checker = (fields: Fields, settings: StackSettings) => Promise<Omit<KeyCheck, "platform">[]>;

const GITHUB_API_URL = "https://api.github.com";

/**
 * Hosts of platforms that have no section of their own; STACKWIRE_KEY_CHECK_URLS (JSON,
 * {"airtable": "http://…"}) points them elsewhere: a proxy, or the test's emulators.
 */
const KEY_CHECK_HOSTS = { airtable: "https://api.airtable.com", pipedream: "https://api.pipedream.com" };
function hostOf(platform: keyof typeof KEY_CHECK_HOSTS): string {
    const overrides = (() => {
        try {
            return JSON.parse(process.env.STACKWIRE_KEY_CHECK_URLS ?? "{}") as Record<string, string>;
        } catch {
            return {};
        }
    })();
    return (overrides[platform] ?? KEY_CHECK_HOSTS[platform]).replace(/\/+$/, "");
}

/** A GET (or, with `post`, a JSON POST) with a key: the answer's status, headers and JSON body (or text). */
async function get(url: string, headers: Record<string, string>, post?: unknown): Promise<{ status: number; headers: Headers; body: unknown }> {
    const answer = await fetch(url, {
        ...(post !== undefined ? { method: "POST", body: JSON.stringify(post) } : {}),
        headers: { accept: "application/json", ...(post !== undefined ? { "content-type": "application/json" } : {}), ...headers },
        signal: AbortSignal.timeout(15_000),
    });
    const text = await answer.text();
    let body: unknown = text;
    try {
        body = JSON.parse(text);
    } catch {
        // A plain-text answer (Trello's) stays text.
    }
    return { status: answer.status, headers: answer.headers, body };
}

/** The message an API put in its error body (core/rest.ts reads every shape), without any part of a key. */
function messageOf(body: unknown, status: number): string {
    // Some platforms echo a masked key (OpenAI's "sk-ab****…1234"): no part of a key is shown here.
    return apiMessageOf(body, status)
        .replace(/\S*\*{3,}\S*/g, "[key]")
        .slice(0, 200);
}

/** A refusal judges the key; a 429 or a 5xx judges nothing (try again). */
const refused = (key: string, status: number, body: unknown): Omit<KeyCheck, "platform"> =>
    status === 429 || status >= 500 ? { key, result: "not checked", why: `${status}: the platform did not answer the question (${messageOf(body, status)})` } : { key, result: "invalid", why: `${status}: ${messageOf(body, status)}` };

const CHECKERS: Record<string, Checker> = {
    // GET /v1/account: a secret key's own account; a restricted key is refused it (403) yet is a working key.
    stripe: async (f, s) => {
        if (!f.secretKey) return [];
        const mode = /_live_/.test(f.secretKey) ? "live" : "test";
        const answer = await get(`${(s.stripe?.apiBase ?? STRIPE_API_BASE).replace(/\/+$/, "")}/v1/account`, { authorization: `Bearer ${f.secretKey}` });
        if (answer.status === 200) return [{ key: "secretKey", result: "valid", mode }];
        if (answer.status === 403) return [{ key: "secretKey", result: "valid", mode, why: "a restricted key: it cannot read the account, its permissions are set in the dashboard" }];
        return [{ ...refused("secretKey", answer.status, answer.body), mode }];
    },
    // The key's role is its own claim; Storage's bucket list answers any valid key of the project.
    supabase: async (f, s) => {
        const url = f.url ?? s.supabase?.url;
        const checks: Omit<KeyCheck, "platform">[] = [];
        for (const field of ["serviceRoleKey", "anonKey"] as const) {
            const key = f[field];
            if (!key || !url) continue;
            const answer = await get(`${url.replace(/\/+$/, "")}/storage/v1/bucket`, { apikey: key, authorization: `Bearer ${key}` });
            const role = (() => {
                try {
                    return (JSON.parse(Buffer.from(key.split(".")[1] ?? "", "base64url").toString("utf8")) as { role?: string }).role;
                } catch {
                    return undefined;
                }
            })();
            checks.push(answer.status === 200 ? { key: field, result: "valid", ...(role ? { scopes: [role] } : {}) } : refused(field, answer.status, answer.body));
        }
        return checks;
    },
    // One database, at most: the cheapest listing an API key with databases.read answers.
    appwrite: async (f, s) => {
        if (!f.apiKey || !s.appwrite) return [];
        const answer = await get(`${s.appwrite.endpoint.replace(/\/+$/, "")}/databases?queries[]=${encodeURIComponent(JSON.stringify({ method: "limit", values: [1] }))}`, { "x-appwrite-project": s.appwrite.projectId, "x-appwrite-key": f.apiKey });
        return [answer.status === 200 ? { key: "apiKey", result: "valid" } : refused("apiKey", answer.status, answer.body)];
    },
    // GET /models: what a project or service-account key can do without spending anything.
    openai: async (f, s) => {
        if (!f.apiKey) return [];
        const answer = await get(`${(s.openai?.baseUrl ?? OPENAI_BASE_URL).replace(/\/+$/, "")}/models`, { authorization: `Bearer ${f.apiKey}` });
        return [answer.status === 200 ? { key: "apiKey", result: "valid" } : refused("apiKey", answer.status, answer.body)];
    },
    // GET /user; a classic token's scopes come in X-OAuth-Scopes.
    github: async (f, s) => {
        if (!f.token) return [];
        const answer = await get(`${(s.github?.baseUrl ?? GITHUB_API_URL).replace(/\/+$/, "")}/user`, { authorization: `Bearer ${f.token}` });
        const scopes = answer.headers.get("x-oauth-scopes")?.split(",").map((x) => x.trim()).filter(Boolean);
        return [answer.status === 200 ? { key: "token", result: "valid", ...(scopes && scopes.length > 0 ? { scopes } : {}) } : refused("token", answer.status, answer.body)];
    },
    // GET /personal_access_tokens/self: the token's own scopes and state.
    gitlab: async (f, s) => {
        if (!f.token) return [];
        const answer = await get(`${(s.gitlab?.baseUrl ?? GITLAB_BASE_URL).replace(/\/+$/, "")}/api/v4/personal_access_tokens/self`, { "private-token": f.token });
        const body = answer.body as { scopes?: string[]; active?: boolean };
        if (answer.status === 200 && body.active === false) return [{ key: "token", result: "invalid", why: "revoked or expired" }];
        return [answer.status === 200 ? { key: "token", result: "valid", ...(body.scopes ? { scopes: body.scopes } : {}) } : refused("token", answer.status, answer.body)];
    },
    // GET /members/me with key and token: both are judged by the one call.
    trello: async (f, s) => {
        if (!f.apiKey || !f.token) return [];
        const query = new URLSearchParams({ key: f.apiKey, token: f.token, fields: "id" });
        const answer = await get(`${(s.trello?.baseUrl ?? TRELLO_BASE_URL).replace(/\/+$/, "")}/members/me?${query}`, {});
        if (answer.status === 200) return [{ key: "apiKey", result: "valid" }, { key: "token", result: "valid" }];
        // "invalid key" judges the API key and leaves the token unjudged; "invalid token" (or another 401) judges the token.
        const text = typeof answer.body === "string" ? answer.body : "";
        if (answer.status === 401 && /invalid key/.test(text)) return [refused("apiKey", answer.status, answer.body), { key: "token", result: "not checked", why: "not judged: Trello refused the API key it goes with" }];
        if (answer.status === 401) return [{ key: "apiKey", result: "valid" }, refused("token", answer.status, answer.body)];
        return [refused("apiKey", answer.status, answer.body), refused("token", answer.status, answer.body)].map((c) => (c.result === "invalid" ? { ...c, result: "not checked" as const } : c));
    },
    // GET /domains: a full-access key lists them; a sending-only key is refused (restricted_api_key) yet works for sending.
    resend: async (f, s) => {
        if (!f.apiKey) return [];
        const answer = await get(`${(s.resend?.baseUrl ?? RESEND_BASE_URL).replace(/\/+$/, "")}/domains`, { authorization: `Bearer ${f.apiKey}` });
        if (answer.status === 200) return [{ key: "apiKey", result: "valid", scopes: ["full_access"] }];
        if (answer.status === 401 && (answer.body as { name?: string }).name === "restricted_api_key") return [{ key: "apiKey", result: "valid", scopes: ["sending_access"] }];
        return [refused("apiKey", answer.status, answer.body)];
    },
    // GET /tokens/v2: the token's own state as a code, HTTP 200 whatever it is (docs.mapbox.com/api/accounts/tokens, Retrieve a token).
    mapbox: async (f, s) => {
        const checks: Omit<KeyCheck, "platform">[] = [];
        for (const [field, wanted] of [["publicToken", "pk"], ["secretToken", "sk"]] as const) {
            const token = f[field];
            if (!token) continue;
            const answer = await get(`${(s.mapbox?.baseUrl ?? MAPBOX_BASE_URL).replace(/\/+$/, "")}/tokens/v2?access_token=${encodeURIComponent(token)}`, {});
            const body = answer.body as { code?: string; token?: { usage?: string } };
            if (answer.status !== 200) checks.push(refused(field, answer.status, answer.body));
            else if (body.code !== "TokenValid") checks.push({ key: field, result: "invalid", why: `Mapbox says ${body.code ?? "nothing"}` });
            else if (body.token?.usage !== wanted) checks.push({ key: field, result: "invalid", why: `a ${body.token?.usage === "sk" ? "secret" : "public"} token in the ${field} slot` });
            else checks.push({ key: field, result: "valid", scopes: [wanted === "pk" ? "public" : "secret"] });
        }
        return checks;
    },
    // GET /api/personal_api_keys/@current/: a personal key's own record, its scopes, with no scope needed (posthog test_personal_api_keys.py).
    posthog: async (f, s) => {
        if (!f.personalKey) return [];
        const current = (host: string) => get(`${host.replace(/\/+$/, "")}/api/personal_api_keys/@current/`, { authorization: `Bearer ${f.personalKey}` });
        const answer = await current(s.posthog?.baseUrl ?? POSTHOG_BASE_URL);
        const scopesOf = (body: unknown) => ((body as { scopes?: string[] }).scopes ? { scopes: (body as { scopes: string[] }).scopes } : {});
        if (answer.status === 200) return [{ key: "personalKey", result: "valid", ...scopesOf(answer.body) }];
        // A key works only in its region: with no host configured, an EU Cloud key is told apart from a bad one.
        if (answer.status === 401 && !s.posthog?.baseUrl) {
            const eu = await current(POSTHOG_EU_BASE_URL);
            if (eu.status === 200) return [{ key: "personalKey", result: "valid", ...scopesOf(eu.body), why: `an EU Cloud key: set posthog.baseUrl to ${POSTHOG_EU_BASE_URL}` }];
        }
        return [refused("personalKey", answer.status, answer.body)];
    },
    // meActor, as eas-cli asks who is logged in (UserQuery.ts): null for a token Expo does not know.
    expo: async (f, s) => {
        if (!f.accessToken) return [];
        const answer = await get(`${(s.expo?.baseUrl ?? EXPO_BASE_URL).replace(/\/+$/, "")}/graphql`, { authorization: `Bearer ${f.accessToken}` }, { query: "query CurrentActor { meActor { __typename id accounts { id name } } }", operationName: "CurrentActor" });
        const body = (typeof answer.body === "object" && answer.body !== null ? answer.body : {}) as { data?: { meActor?: { __typename?: string; accounts?: { name: string }[] } | null }; errors?: { message: string }[] };
        // Refused (401, or an error about the token) judges the key; any other error judges nothing.
        const failure = body.errors?.[0] as { message?: string; extensions?: { errorCode?: string } } | undefined;
        if (answer.status === 200 && failure && failure.extensions?.errorCode !== "UNAUTHORIZED_ERROR") return [{ key: "accessToken", result: "not checked", why: `Expo answered an error: ${messageOf(failure.message ?? "", answer.status)}` }];
        if (answer.status !== 200 || failure) return [refused("accessToken", answer.status === 200 ? 401 : answer.status, failure?.message ?? answer.body)];
        const actor = body.data?.meActor;
        if (!actor) return [{ key: "accessToken", result: "invalid", why: "Expo does not know this token (no one is logged in with it)" }];
        return [{ key: "accessToken", result: "valid", why: `a ${actor.__typename === "Robot" ? "robot" : "user"} of ${(actor.accounts ?? []).map((a) => a.name).join(", ") || "no account"}` }];
    },
    // GET /v0/meta/whoami: any valid token, no scope needed; only OAuth tokens list their scopes, a personal one shows user.email:read by its email.
    airtable: async (f) => {
        if (!f.token) return [];
        const answer = await get(`${hostOf("airtable")}/v0/meta/whoami`, { authorization: `Bearer ${f.token}` });
        const body = answer.body as { scopes?: string[]; email?: string };
        if (answer.status !== 200) return [refused("token", answer.status, answer.body)];
        const scopes = body.scopes ?? (body.email ? ["user.email:read"] : undefined);
        return [{ key: "token", result: "valid", ...(scopes ? { scopes } : {}) }];
    },
    // GET /v1/users/me: a user API key's own user (workspace OAuth clients are not API keys).
    pipedream: async (f) => {
        if (!f.apiKey) return [];
        const answer = await get(`${hostOf("pipedream")}/v1/users/me`, { authorization: `Bearer ${f.apiKey}` });
        return [answer.status === 200 ? { key: "apiKey", result: "valid" } : refused("apiKey", answer.status, answer.body)];
    },
    // PING as the URL's user.
    redis: async (f) => {
        if (!f.url) return [];
        const client = createClient({ url: f.url, socket: { connectTimeout: 5_000, reconnectStrategy: false } });
        client.on("error", () => undefined);
        // A server that takes the connection and never answers (a TLS port asked in plain text) must not hold the check.
        let timer: NodeJS.Timeout | undefined;
        const silent = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("no answer within 15 s")), 15_000)));
        try {
            await Promise.race([client.connect().then(() => client.ping()), silent]);
            return [{ key: "url", result: "valid" }];
        } catch (err) {
            return [{ key: "url", result: "invalid", why: (err as Error).message }];
        } finally {
            clearTimeout(timer);
            client.destroy();
        }
    },
};

/** Why a key has no read-only check: nothing the platform offers judges it without writing. */
const UNCHECKABLE: Record<string, string> = {
    "amplitude.apiKey": "Amplitude judges an API key only by taking an event (a write); its format was checked",
    "logrocket.appId": "an app id is public and no read-only call takes it alone; its format was checked",
    "flowith.apiKey": "Flowith publishes no call that judges a key without spending it; its format was checked",
    "agora.appId": "only the Customer ID and Secret read Agora's console API; an App ID is judged when a token is used",
    "agora.appCertificate": "only the Customer ID and Secret read Agora's console API; a certificate is judged when a token it signed is used",
    "posthog.projectKey": "a project key is public, and PostHog takes any on ingestion; its format was checked",
};

/** Platforms with a read-only check here; the others' keys are checked for their format only. */
export const CHECKED_PLATFORMS = Object.keys(CHECKERS);

/** Every declared key checked at once; `progress` hears each platform as it finishes. */
export async function checkKeys(keys: KeyValues, settings: StackSettings, env: Pick<Environment, "allowLiveKeys" | "kind">, progress: (platform: string) => void = () => undefined): Promise<KeyCheck[]> {
    const values = Object.values(keys).flatMap((fields) => Object.values(fields ?? {})).filter((v): v is string => typeof v === "string");
    const results = await Promise.all(
        Object.entries(keys).map(async ([platform, fields]): Promise<KeyCheck[]> => {
            const declared = Object.entries(fields ?? {}).filter(([, v]) => typeof v === "string");
            const checker = CHECKERS[platform];
            let checked: Omit<KeyCheck, "platform">[] = [];
            if (checker) {
                try {
                    checked = await checker(fields ?? {}, settings);
                } catch (err) {
                    // Unreachable judges nothing about the key, as a 5xx does not.
                    checked = declared.map(([key]) => ({ key, result: "not checked" as const, why: `could not reach ${platform}: ${(err as Error).message}` }));
                }
            }
            progress(platform);
            // A live key outside prod: the stack refuses it, whatever the platform says of it.
            const judged = checked.map((c) => (c.mode === "live" && !env.allowLiveKeys ? { ...c, result: "invalid" as const, why: `a live key in the ${env.kind} environment: the stack refuses it (use a test key)` } : c));
            const rest = declared.filter(([key]) => !judged.some((c) => c.key === key)).map(([key]): Omit<KeyCheck, "platform"> => ({ key, result: "not checked", why: UNCHECKABLE[`${platform}.${key}`] ?? (checker !== undefined ? "no read-only call judges this key on its own (its format was checked)" : `no read-only check for ${platform} (its format was checked)`) }));
            return [...judged, ...rest].map((c) => ({ platform, ...c, ...(c.why ? { why: redact(c.why, values, []) } : {}) }));
        }),
    );
    return results.flat();
}
