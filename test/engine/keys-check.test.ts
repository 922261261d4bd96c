/**
 * Issue 15, `npm run keys -- check`: the compiled command, in its own process, checks every declared
 * key against the sandbox's emulators (and the real Redis server) at once: valid keys with their
 * mode and scopes, a revoked key, a live key in a dev stack, a key of a platform without a
 * read-only check. No value is ever printed.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import * as yaml from "js-yaml";
import { GithubEmulator } from "../../sandbox/emulators/github";
import { GitlabEmulator } from "../../sandbox/emulators/gitlab";
import { TrelloEmulator } from "../../sandbox/emulators/trello";
import { ExpoEmulator } from "../../sandbox/emulators/expo";
import { MapboxEmulator } from "../../sandbox/emulators/mapbox";
import { OpenaiEmulator } from "../../sandbox/emulators/openai";
import { PosthogEmulator } from "../../sandbox/emulators/posthog";
import { AirtableEmulator, PipedreamEmulator } from "../../sandbox/emulators/whoami";
import { ResendEmulator } from "../../sandbox/emulators/resend";
import { StripeEmulator } from "../../sandbox/emulators/stripe";
import { SupabaseStorageEmulator } from "../../sandbox/emulators/supabase-storage";
import { SANDBOX_APPWRITE, SANDBOX_KEYS, sandboxEmulators } from "../../sandbox/local-stack";
import { fakeCredential } from "../fake-credential";
import { runScript } from "./processes";

const redisUrl = process.env.STACKWIRE_TEST_REDIS_URL;
if (!redisUrl && process.env.STACKWIRE_REQUIRE_SERVERS === "1") throw new Error("STACKWIRE_REQUIRE_SERVERS=1 but STACKWIRE_TEST_REDIS_URL is not set");

const KEYS = path.resolve(__dirname, "../../cli/keys.js");
const LIVE = fakeCredential("sk_live_", "sandboxLiveKey0123456789");
const GITHUB = fakeCredential("ghp_", "0123456789abcdefghijABCDEFGHIJ012345");
const SENDING = "re_sandboxSendingOnlyKey0123";
/** A key in Supabase's JWT form for a role, built at run time. */
const supabaseKey = (role: string) => ["eyJhbGciOiJIUzI1NiJ9", Buffer.from(JSON.stringify({ role, iss: "supabase" })).toString("base64url"), "c2FuZGJveA"].join(".");
const SERVICE_ROLE = supabaseKey("service_role");
const GITLAB = fakeCredential("glpat-", "sandboxKeysCheckToken0123");
const TRELLO = { apiKey: "abcdefabcdefabcdefabcdefabcdef01", token: "e".repeat(64) };
const { appwrite } = sandboxEmulators();
const gitlab = new GitlabEmulator({ token: GITLAB });
const trello = new TrelloEmulator({ key: TRELLO.apiKey, token: TRELLO.token });
const supabase = new SupabaseStorageEmulator({ serviceRoleKey: SERVICE_ROLE, anonKey: supabaseKey("anon") });
const stripe = new StripeEmulator({ keys: [SANDBOX_KEYS.stripeSecretKey, LIVE] });
const openai = new OpenaiEmulator({ adminKeys: [SANDBOX_KEYS.openaiAdminKey] });
const github = new GithubEmulator({ token: GITHUB, login: "octo", scopes: ["repo", "read:org"] });
const resend = new ResendEmulator({ apiKey: SANDBOX_KEYS.resendApiKey, sendingKeys: [SENDING] });
const mapbox = new MapboxEmulator({ accounts: [{ user: "acme", scopes: ["tokens:read", "tokens:write", "styles:read", "uploads:write"] }] });
const POSTHOG = "phx_keysCheckPersonalKeyOfTheOwner0123456789abcd";
const posthog = new PosthogEmulator({ keys: [{ value: POSTHOG, scopes: ["project:write", "feature_flag:write"], organizations: [] }] });
const EXPO = "expo-keys-check-robot-token-0123456789";
const expo = new ExpoEmulator({ accounts: [{ name: "acme", token: EXPO, apps: {} }] });
const AIRTABLE = `pat${"A1b2C3d4E5f6G7"}.${"0a".repeat(32)}`;
const airtable = new AirtableEmulator({ [AIRTABLE]: { id: "usrKeysCheck0001", email: "ops@acme.test" } });
const PIPEDREAM = "pd_keysCheckUserApiKey0123456789";
const pipedream = new PipedreamEmulator({ [PIPEDREAM]: { id: "u_keys", username: "acme-ops" } });
const emulators = [supabase, appwrite, trello, gitlab, stripe, openai, github, resend, mapbox, posthog, expo, airtable, pipedream];
let dir: string;

before(async () => {
    for (const e of emulators) await e.start();
    dir = mkdtempSync(path.join(tmpdir(), "stackwire-keys-"));
});
after(async () => {
    for (const e of emulators) await e.stop();
    rmSync(dir, { recursive: true, force: true });
});

/** A service-account key the OpenAI emulator issued, and one it revoked (the account deleted). */
async function openaiKeys(): Promise<{ live: string; revoked: string }> {
    const admin = { authorization: `Bearer ${SANDBOX_KEYS.openaiAdminKey}`, "content-type": "application/json" };
    const project = (await (await fetch(`${openai.url}/v1/organization/projects`, { method: "POST", headers: admin, body: JSON.stringify({ name: "keys" }) })).json()) as { id: string };
    const make = async (name: string) => (await (await fetch(`${openai.url}/v1/organization/projects/${project.id}/service_accounts`, { method: "POST", headers: admin, body: JSON.stringify({ name }) })).json()) as { id: string; api_key: { value: string } };
    const live = await make("live");
    const revoked = await make("revoked");
    await fetch(`${openai.url}/v1/organization/projects/${project.id}/service_accounts/${revoked.id}`, { method: "DELETE", headers: admin });
    return { live: live.api_key.value, revoked: revoked.api_key.value };
}

test("every declared key checked at once: valid, revoked, live in dev, and format only", async () => {
    const ai = await openaiKeys();
    writeFileSync(path.join(dir, "Pulumi.yaml"), "name: stackwire\n");
    const settings = {
        "stackwire:stripe": { apiBase: stripe.url },
        "stackwire:supabase": { url: supabase.url },
        "stackwire:appwrite": { endpoint: `${appwrite.url}/v1`, projectId: SANDBOX_APPWRITE.projectId },
        "stackwire:openai": { baseUrl: `${openai.url}/v1` },
        "stackwire:github": { owner: "acme", baseUrl: github.url },
        "stackwire:gitlab": { baseUrl: gitlab.url },
        "stackwire:trello": { baseUrl: `${trello.url}/1` },
        "stackwire:resend": { baseUrl: resend.url },
        "stackwire:mapbox": { baseUrl: mapbox.url, username: "acme" },
        "stackwire:posthog": { baseUrl: posthog.url, organizationId: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b" },
        "stackwire:expo": { baseUrl: expo.url, projectId: "2f0c6a8e-7b1d-4c3e-9a5f-0e1d2c3b4a59" },
    };
    // A public token, and a secret one in the public slot; a token Mapbox revoked.
    const sdkToken = (scopes: string[]) => mapbox.issueToken("acme", scopes);
    const publicToken = sdkToken(["styles:read"]);
    const secretToken = sdkToken(["uploads:write"]);
    const revokedToken = sdkToken(["styles:read"]);
    const revokedId = [...mapbox.tokens.values()].find((t) => t.token === revokedToken)!.id;
    mapbox.tokens.delete(revokedId);
    mapbox.revoked.add(revokedId);
    writeFileSync(path.join(dir, "Pulumi.dev.yaml"), yaml.dump({ config: settings }));
    const keys = {
        stripe: { secretKey: LIVE },
        supabase: { serviceRoleKey: SERVICE_ROLE },
        appwrite: { apiKey: SANDBOX_KEYS.appwriteApiKey },
        openai: { apiKey: ai.revoked },
        github: { token: GITHUB },
        gitlab: { token: fakeCredential("glpat-", "revokedTokenOfSomeone0123") },
        trello: { apiKey: "0123456789abcdef0123456789abcdef", token: "f".repeat(64) },
        resend: { apiKey: SENDING },
        amplitude: { apiKey: "0123456789abcdef0123456789abcdef" },
        mapbox: { publicToken: revokedToken, secretToken: publicToken.replace(/^pk\./, "sk.") },
        posthog: { personalKey: "phx_notAKeyPostHogKnows0123456789abcdefghijklm" },
        expo: { accessToken: "expo-token-nobody-has-0123456789" },
        airtable: { token: `pat${"Z9y8X7w6V5u4T3"}.${"f0".repeat(32)}` },
        pipedream: { apiKey: "pd_revokedUserApiKey0123456789" },
        ...(redisUrl ? { redis: { url: redisUrl } } : {}),
    };
    // Each service's own credential, as the stack's environment has it (the config's checks ask for them).
    const urls = { STACKWIRE_KEY_CHECK_URLS: JSON.stringify({ airtable: airtable.url, pipedream: pipedream.url }) };
    const env = { ...urls, MAPBOX_ACCESS_TOKEN: mapbox.accountTokens.get("acme")!, POSTHOG_PERSONAL_API_KEY: POSTHOG, GITHUB_TOKEN: GITHUB, STRIPE_SECRET_KEY: SANDBOX_KEYS.stripeSecretKey, SUPABASE_SERVICE_ROLE_KEY: SERVICE_ROLE, APPWRITE_API_KEY: SANDBOX_KEYS.appwriteApiKey, OPENAI_ADMIN_KEY: SANDBOX_KEYS.openaiAdminKey, TRELLO_API_KEY: "x", TRELLO_TOKEN: "y", RESEND_API_KEY: SANDBOX_KEYS.resendApiKey };
    const first = await runScript(KEYS, ["check", "--stack", "dev"], { cwd: dir, env: { ...env, STACKWIRE_PLATFORM_KEYS: JSON.stringify(keys) } });
    const rows = (out: string) => Object.fromEntries(out.split("\n").slice(1).filter((l) => /^\S+\s+\S+\s+(valid|invalid|not checked)/.test(l)).map((l) => [l.split(/\s+/).slice(0, 2).join("."), l]));
    const seen = rows(first.out);
    assert.equal(first.status, 1, "an invalid key fails the command");
    assert.match(seen["stripe.secretKey"], /invalid\s+live\s+.*a live key in the dev environment: the stack refuses it/);
    assert.match(seen["supabase.serviceRoleKey"], /valid\s+service_role/);
    assert.match(seen["appwrite.apiKey"], /^\S+\s+\S+\s+valid\b/);
    assert.match(seen["openai.apiKey"], /invalid\s+.*401: Incorrect API key provided/, "a revoked key");
    assert.match(seen["github.token"], /valid\s+repo read:org/);
    assert.match(seen["gitlab.token"], /invalid\s+.*401/);
    assert.match(seen["trello.apiKey"], /invalid\s+.*401: invalid key/);
    assert.match(seen["resend.apiKey"], /valid\s+sending_access/);
    assert.match(seen["amplitude.apiKey"], /not checked\s+.*Amplitude judges an API key only by taking an event/);
    assert.match(seen["mapbox.publicToken"], /invalid\s+.*Mapbox says TokenRevoked/);
    assert.match(seen["mapbox.secretToken"], /invalid\s+.*Mapbox says TokenInvalid/, "a token whose signature does not validate");
    assert.match(seen["posthog.personalKey"], /invalid\s+.*401: Personal API key found in request Authorization header is invalid/);
    assert.match(seen["expo.accessToken"], /invalid\s+.*401: Unauthorized/);
    assert.match(seen["airtable.token"], /invalid\s+.*401: Authentication required/);
    assert.match(seen["pipedream.apiKey"], /invalid\s+.*401/);
    if (redisUrl) assert.match(seen["redis.url"], /^\S+\s+\S+\s+valid\b/);
    assert.match(first.err, /stripe checked/);
    for (const value of [LIVE, ai.revoked, GITHUB, SENDING, SERVICE_ROLE]) assert.ok(!first.out.includes(value) && !first.err.includes(value), "no value is printed");

    // The same platforms with their good keys: every one valid, with mode and scopes.
    const good = {
        ...keys,
        stripe: { secretKey: SANDBOX_KEYS.stripeSecretKey },
        openai: { apiKey: ai.live },
        gitlab: { token: GITLAB },
        trello: TRELLO,
        resend: { apiKey: SANDBOX_KEYS.resendApiKey },
        mapbox: { publicToken, secretToken },
        posthog: { personalKey: POSTHOG },
        expo: { accessToken: EXPO },
        airtable: { token: AIRTABLE },
        pipedream: { apiKey: PIPEDREAM },
    };
    const checkStarted = Date.now();
    const second = await runScript(KEYS, ["check", "--stack", "dev"], { cwd: dir, env: { ...env, STACKWIRE_PLATFORM_KEYS: JSON.stringify(good) } });
    console.log(`keys check of ${Object.values(good).reduce((n, fields) => n + Object.keys(fields).length, 0)} keys on ${Object.keys(good).length} platforms, the process included: ${Date.now() - checkStarted} ms`);
    const again = rows(second.out);
    assert.equal(second.status, 0, second.out + second.err);
    assert.match(again["stripe.secretKey"], /valid\s+test/);
    assert.match(again["gitlab.token"], /valid\s+api/);
    assert.match(again["resend.apiKey"], /valid\s+full_access/);
    assert.match(again["trello.token"], /^\S+\s+\S+\s+valid\b/);
    assert.match(again["mapbox.publicToken"], /valid\s+public/);
    assert.match(again["mapbox.secretToken"], /valid\s+secret/);
    assert.match(again["posthog.personalKey"], /valid\s+project:write feature_flag:write/);
    assert.match(again["expo.accessToken"], /valid\s+.*a robot of acme/);
    assert.match(again["airtable.token"], /valid\s+user.email:read/);
    assert.match(again["pipedream.apiKey"], /^\S+\s+\S+\s+valid\b/);
    for (const value of [publicToken, secretToken, POSTHOG, EXPO, AIRTABLE, PIPEDREAM]) assert.ok(!second.out.includes(value) && !second.err.includes(value), "no value is printed");
    console.log(`keys check: ${second.out.split("\n").pop() || second.out.trim().split("\n").pop()}`);
});
