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
import { OpenaiEmulator } from "../../sandbox/emulators/openai";
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
const emulators = [supabase, appwrite, trello, gitlab, stripe, openai, github, resend];
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
    };
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
        ...(redisUrl ? { redis: { url: redisUrl } } : {}),
    };
    // Each service's own credential, as the stack's environment has it (the config's checks ask for them).
    const env = { GITHUB_TOKEN: GITHUB, STRIPE_SECRET_KEY: SANDBOX_KEYS.stripeSecretKey, SUPABASE_SERVICE_ROLE_KEY: SERVICE_ROLE, APPWRITE_API_KEY: SANDBOX_KEYS.appwriteApiKey, OPENAI_ADMIN_KEY: SANDBOX_KEYS.openaiAdminKey, TRELLO_API_KEY: "x", TRELLO_TOKEN: "y", RESEND_API_KEY: SANDBOX_KEYS.resendApiKey };
    const first = await runScript(KEYS, ["check", "--stack", "dev"], { cwd: dir, env: { ...env, STACKWIRE_PLATFORM_KEYS: JSON.stringify(keys) } });
    const rows = (out: string) => Object.fromEntries(out.split("\n").slice(1).filter((l) => /^\S+\s+\S+\s+(valid|invalid|not checked)/.test(l)).map((l) => [l.split(/\s+/).slice(0, 2).join("."), l]));
    const seen = rows(first.out);
    assert.equal(first.status, 1, "an invalid key fails the command");
    assert.match(seen["stripe.secretKey"], /invalid\s+live\s+.*a live key in the dev environment: the stack refuses it/);
    assert.match(seen["supabase.serviceRoleKey"], /valid\s+service_role/);
    assert.match(seen["appwrite.apiKey"], /\svalid/);
    assert.match(seen["openai.apiKey"], /invalid\s+.*401: Incorrect API key provided/, "a revoked key");
    assert.match(seen["github.token"], /valid\s+repo read:org/);
    assert.match(seen["gitlab.token"], /invalid\s+.*401/);
    assert.match(seen["trello.apiKey"], /invalid\s+.*401: invalid key/);
    assert.match(seen["resend.apiKey"], /valid\s+sending_access/);
    assert.match(seen["amplitude.apiKey"], /not checked\s+.*no read-only check for amplitude yet/);
    if (redisUrl) assert.match(seen["redis.url"], /\svalid/);
    assert.match(first.err, /stripe checked/);
    for (const value of [LIVE, ai.revoked, GITHUB, SENDING, SERVICE_ROLE]) assert.ok(!first.out.includes(value) && !first.err.includes(value), "no value is printed");

    // The same platforms with their good keys: every one valid, with mode and scopes.
    const good = { ...keys, stripe: { secretKey: SANDBOX_KEYS.stripeSecretKey }, openai: { apiKey: ai.live }, gitlab: { token: GITLAB }, trello: TRELLO, resend: { apiKey: SANDBOX_KEYS.resendApiKey } };
    const second = await runScript(KEYS, ["check", "--stack", "dev"], { cwd: dir, env: { ...env, STACKWIRE_PLATFORM_KEYS: JSON.stringify(good) } });
    const again = rows(second.out);
    assert.equal(second.status, 0, second.out + second.err);
    assert.match(again["stripe.secretKey"], /valid\s+test/);
    assert.match(again["gitlab.token"], /valid\s+api/);
    assert.match(again["resend.apiKey"], /valid\s+full_access/);
    assert.match(again["trello.token"], /\svalid/);
    console.log(`keys check: ${second.out.split("\n").pop() || second.out.trim().split("\n").pop()}`);
});
