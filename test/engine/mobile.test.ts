/**
 * Issue 15, the mobile blueprint through the real program and provider host against the wired
 * sandbox: the keys the stack makes (Agora's App ID and certificate, OpenAI's key, a Mapbox token,
 * PostHog's project key) reach the app's EAS variables and the backend's Appwrite function, each
 * where it belongs; rotating OpenAI's key and Mapbox's token reaches every consumer before the old
 * one goes; a second up calls nothing; destroy leaves nothing. Prints the API calls each platform
 * took to create, to change nothing, and to destroy its objects.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fillForSandbox, SANDBOX_PLATFORM_KEYS } from "../../sandbox/blueprints";
import { SANDBOX_APPWRITE } from "../../sandbox/local-stack";
import { WiredSandbox } from "../../sandbox/wired-sandbox";

const redis = process.env.STACKWIRE_TEST_REDIS_URL;
const servers = process.env.STACKWIRE_TEST_POSTGRES_URL !== undefined;
const skip = servers ? false : "needs PostgreSQL (STACKWIRE_TEST_POSTGRES_URL): the wired sandbox's relay records in it";
if (!servers && process.env.STACKWIRE_REQUIRE_SERVERS === "1") throw new Error("STACKWIRE_REQUIRE_SERVERS=1 but STACKWIRE_TEST_POSTGRES_URL is not set");

let sandbox: WiredSandbox;
before(async () => {
    if (skip) return;
    sandbox = new WiredSandbox(undefined, "pr-15");
    await sandbox.start();
});
after(async () => {
    await sandbox?.stop();
});

test("the mobile stack hands each made key to where it belongs, rotates two of them everywhere, and leaves nothing", { skip }, async () => {
    const settings = fillForSandbox("mobile", sandbox.urls(redis));
    const platforms = { agora: sandbox.agora, mapbox: sandbox.mapbox, posthog: sandbox.posthog, expo: sandbox.expo, openai: sandbox.openai };
    const calls = () => Object.fromEntries(Object.entries(platforms).map(([name, e]) => [name, e.totalRequests()]));
    const reset = () => Object.values(platforms).forEach((e) => e.resetCounts());
    const variable = (name: string) => [...sandbox.expo.variables.values()].filter((v) => v.name === name);
    const functionVariable = (key: string) => [...(sandbox.appwrite.functions.get(SANDBOX_APPWRITE.functions[0])?.values() ?? [])].find((v) => v.key === key)?.value;

    reset();
    await sandbox.up(settings, { platformKeys: SANDBOX_PLATFORM_KEYS });
    const created = calls();
    const [agora] = [...sandbox.agora.projects.values()];
    const token = () => [...sandbox.mapbox.tokens.values()].find((t) => t.note.startsWith("stackwire-pr-15-mapbox-app"))!;
    const [posthog] = [...sandbox.posthog.projects.values()];
    const issued = () => [...sandbox.openai.issuedKeys.keys()];

    // Public keys: plain EXPO_PUBLIC_ variables of every environment.
    assert.deepEqual(variable("EXPO_PUBLIC_AGORA_APP_ID").map((v) => [v.value, v.visibility, v.environments.join()]), [[agora.vendor_key, "PUBLIC", "development,preview,production"]]);
    assert.equal(variable("EXPO_PUBLIC_MAPBOX_APP")[0]?.value, token().token);
    assert.equal(token().usage, "pk");
    assert.equal(variable("EXPO_PUBLIC_POSTHOG_PROJECT_KEY")[0]?.value, posthog.api_token);
    assert.deepEqual((([...sandbox.posthog.flags.values()].find((f) => f.key === "video-calls")?.filters ?? {}) as { groups?: { rollout_percentage?: number }[] }).groups?.map((g) => g.rollout_percentage), [50], "the blueprint's flag rolls out to half the users");
    // Server keys: the function, and a secret production variable; never a plain one.
    assert.equal(functionVariable("AGORA_APP_CERTIFICATE"), agora.sign_key);
    assert.deepEqual(issued(), [functionVariable("OPENAI_API_KEY")]);
    assert.deepEqual(variable("OPENAI_API_KEY").map((v) => [v.value, v.visibility, v.environments.join()]), [[issued()[0], "SECRET", "production"]]);

    reset();
    await sandbox.up(settings, { platformKeys: SANDBOX_PLATFORM_KEYS });
    assert.deepEqual(Object.entries(sandbox.stackEngine.steps).filter(([, s]) => s !== "same"), []);
    const again = calls();
    assert.deepEqual(Object.values(again), Object.values(again).map(() => 0), "a second up calls none of the platforms");

    // Rotation of the OpenAI key and the Mapbox token: both reach every consumer; the old ones go.
    const oldKey = issued()[0];
    const oldToken = token();
    const rotated = structuredClone(settings) as { openai: { keyRotation: number }; mapbox: { tokens: { app: { rotation?: number } } } };
    rotated.openai.keyRotation = 1;
    rotated.mapbox.tokens.app.rotation = 1;
    await sandbox.up(rotated, { platformKeys: SANDBOX_PLATFORM_KEYS });
    assert.equal(issued().length, 1);
    assert.notEqual(issued()[0], oldKey);
    assert.equal(functionVariable("OPENAI_API_KEY"), issued()[0], "the function has the new key");
    assert.equal(variable("OPENAI_API_KEY")[0]?.value, issued()[0], "the EAS variable has the new key");
    assert.notEqual(token().id, oldToken.id);
    assert.ok(!sandbox.mapbox.tokens.has(oldToken.id), "the old token is deleted");
    assert.equal(variable("EXPO_PUBLIC_MAPBOX_APP")[0]?.value, token().token, "the app's variable has the new token");

    reset();
    await sandbox.destroy();
    const destroyed = calls();
    assert.deepEqual(sandbox.leftovers(), []);
    for (const [name, figures] of Object.entries({ "up (create)": created, "second up": again, destroy: destroyed })) console.log(`mobile blueprint, API calls on ${name}: ${Object.entries(figures).map(([platform, n]) => `${platform} ${n}`).join(", ")}`);
});
