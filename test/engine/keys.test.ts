/** A Resend API key and a Supabase secret set through the real dynamic-provider host. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ResendApiKey } from "../../dynamic-providers/resend/api-key";
import { SupabaseSecretSet } from "../../dynamic-providers/supabase/secrets";
import { ResendEmulator } from "../../sandbox/emulators/resend";
import { SupabaseManagementEmulator } from "../../sandbox/emulators/supabase-management";
import { DynamicProviderHost, serializedProviderOf, wireSecret } from "../../sandbox/engine/host";

const RESEND_KEY = "re_engineCanaryFullAccess012345";
const SUPABASE_TOKEN = "sbp_engineCanaryToken0123456789";
const REF = "abcdefghijklmnopqrst";
const resend = new ResendEmulator({ apiKey: RESEND_KEY });
const management = new SupabaseManagementEmulator({ token: SUPABASE_TOKEN, projects: [REF] });
let host: DynamicProviderHost;
const s = {} as Record<"key" | "secrets", Awaited<ReturnType<typeof serializedProviderOf>>>;

before(async () => {
    await Promise.all([resend.start(), management.start()]);
    Object.assign(process.env, { RESEND_API_KEY: RESEND_KEY, SUPABASE_ACCESS_TOKEN: SUPABASE_TOKEN });
    s.key = await serializedProviderOf(() => new ResendApiKey("k", { name: "k" }));
    s.secrets = await serializedProviderOf(() => new SupabaseSecretSet("s", { projectRef: REF, secrets: { A: "b" } }));
    for (const name of ["RESEND_API_KEY", "SUPABASE_ACCESS_TOKEN"]) delete process.env[name];
    host = await DynamicProviderHost.start();
    await host.configure({ "stackwire:resendApiKey": wireSecret(RESEND_KEY), "stackwire:supabaseAccessToken": wireSecret(SUPABASE_TOKEN) });
});
after(async () => {
    await host?.stop();
    await Promise.all([resend.stop(), management.stop()]);
});

test("the serialized providers carry no credential; tokens are registered as secret outputs", () => {
    for (const { provider } of Object.values(s)) assert.ok(!provider.includes(RESEND_KEY) && !provider.includes(SUPABASE_TOKEN));
    assert.deepEqual(s.key.registered.additionalSecretOutputs, ["token"]);
    assert.deepEqual(s.secrets.registered.additionalSecretOutputs, ["secrets"]);
});

test("a Resend API key: token returned at creation, kept through refresh, no change on a second up, deleted", async () => {
    const inputs = (await host.check(s.key.urn, {}, { baseUrl: resend.url, name: "stripe-receipts", __provider: s.key.provider })).inputs;
    const created = await host.create(s.key.urn, inputs);
    const token = created.properties.token as string;
    assert.equal(token, resend.apiKeys.get(created.id)!.token);
    const refreshed = await host.read(created.id, s.key.urn, created.properties);
    assert.equal(refreshed.properties.token, token);
    assert.equal((await host.diff(created.id, s.key.urn, refreshed.properties, inputs)).changes, "none");
    await host.delete(created.id, s.key.urn, refreshed.properties);
    assert.equal(resend.apiKeys.size, 0);
    assert.ok(!host.output.includes(token));
});

test("a Supabase secret set: create, drift by digest, rotate one value, delete", async () => {
    const news = { managementUrl: management.url, projectRef: REF, secrets: { OPENAI_API_KEY: "sk-proj-one", RESEND_API_KEY: "re_one" }, __provider: s.secrets.provider };
    const inputs = (await host.check(s.secrets.urn, {}, news)).inputs;
    const created = await host.create(s.secrets.urn, inputs);
    assert.equal(management.secrets.get(REF)!.get("OPENAI_API_KEY"), "sk-proj-one");
    assert.equal((await host.diff(created.id, s.secrets.urn, (await host.read(created.id, s.secrets.urn, created.properties)).properties, inputs)).changes, "none");

    management.secrets.get(REF)!.set("RESEND_API_KEY", "re_tampered");
    const drifted = await host.read(created.id, s.secrets.urn, created.properties);
    assert.equal((await host.diff(created.id, s.secrets.urn, drifted.properties, inputs)).changes, "some");
    assert.ok(!JSON.stringify(drifted.properties).includes("re_tampered"));

    const rotated = (await host.check(s.secrets.urn, drifted.properties, { ...news, secrets: { OPENAI_API_KEY: "sk-proj-two", RESEND_API_KEY: "re_one" } })).inputs;
    await host.update(created.id, s.secrets.urn, drifted.properties, rotated);
    assert.deepEqual(Object.fromEntries(management.secrets.get(REF)!), { OPENAI_API_KEY: "sk-proj-two", RESEND_API_KEY: "re_one" });
    await host.delete(created.id, s.secrets.urn, rotated);
    assert.equal(management.secrets.get(REF)!.size, 0);
});
