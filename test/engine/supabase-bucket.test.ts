/**
 * The bucket provider through the real dynamic-provider host, over gRPC, with the provider text
 * serialized exactly as `pulumi up` stores it. Run with `node --test` on compiled JavaScript.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { StorageBucket } from "../../dynamic-providers/supabase/bucket";
import { SupabaseStorageEmulator } from "../../sandbox/emulators/supabase-storage";
import { DynamicProviderHost, serializedProviderOf, wireSecret } from "../../sandbox/engine/host";

// The credential: used by the emulator, set in the program's config and environment while the
// provider is serialized, and handed to the host as a secret. It must appear in none of the texts.
const CANARY = "canary-supabase-service-role-0123456789abcdef";

const emulator = new SupabaseStorageEmulator({ serviceRoleKey: CANARY, anonKey: "anon-key-engine-tests" });
let host: DynamicProviderHost;
let provider = "";
let urn = "";

before(async () => {
    await emulator.start();
    process.env.SUPABASE_SERVICE_ROLE_KEY = CANARY;
    const serialized = await serializedProviderOf(() => new StorageBucket("media", { projectUrl: emulator.url, bucketId: "stackwire-dev-media" }));
    delete process.env.SUPABASE_SERVICE_ROLE_KEY;
    provider = serialized.provider;
    urn = serialized.urn;
    host = await DynamicProviderHost.start({ SUPABASE_SERVICE_ROLE_KEY: "" });
    const configured = await host.configure({ "stackwire:supabaseServiceRoleKey": wireSecret(CANARY) });
    // The host strips secret markers itself, so the engine re-marks secret outputs afterwards.
    assert.equal(configured.acceptSecrets, false);
});

after(async () => {
    await host?.stop();
    await emulator.stop();
});

test("the stored provider carries no credential and loads only the installed provider code", () => {
    assert.ok(provider.includes("exports.handler"));
    assert.ok(!provider.includes(CANARY));
    const required = [...provider.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]).sort();
    assert.deepEqual([...new Set(required)], ["@stackwire/providers"]);
});

test("create, no-op diff, update, drift on refresh, delete, gone on refresh", async () => {
    const news = { projectUrl: emulator.url, bucketId: "stackwire-dev-media", public: false, allowedMimeTypes: ["Image/PNG"], __provider: provider };

    const checked = await host.check(urn, {}, news);
    assert.deepEqual(checked.failures, []);
    assert.deepEqual(checked.inputs.allowedMimeTypes, ["image/png"]);
    assert.equal(checked.inputs.__provider, provider);

    const created = await host.create(urn, checked.inputs);
    assert.equal(created.id, "stackwire-dev-media");
    assert.equal(emulator.buckets.get("stackwire-dev-media")?.public, false);

    const noop = await host.diff(created.id, urn, created.properties, (await host.check(urn, created.properties, news)).inputs);
    assert.equal(noop.changes, "none");

    const publicNews = (await host.check(urn, created.properties, { ...news, public: true })).inputs;
    const inPlace = await host.diff(created.id, urn, created.properties, publicNews);
    assert.deepEqual(inPlace, { changes: "some", replaces: [], deleteBeforeReplace: false });
    const updated = await host.update(created.id, urn, created.properties, publicNews);
    assert.equal(updated.public, true);
    assert.equal(emulator.buckets.get("stackwire-dev-media")?.public, true);

    emulator.buckets.get("stackwire-dev-media")!.file_size_limit = 1234;
    const refreshed = await host.read(created.id, urn, updated);
    assert.equal(refreshed.id, "stackwire-dev-media");
    assert.equal(refreshed.properties.fileSizeLimit, 1234);
    assert.equal(refreshed.properties.__provider, provider);
    const drift = await host.diff(created.id, urn, refreshed.properties, publicNews);
    assert.equal(drift.changes, "some");

    const renamed = await host.diff(created.id, urn, refreshed.properties, { ...publicNews, bucketId: "stackwire-dev-media-2" });
    assert.deepEqual(renamed, { changes: "some", replaces: ["bucketId"], deleteBeforeReplace: true });

    await host.delete(created.id, urn, refreshed.properties);
    assert.equal(emulator.buckets.has("stackwire-dev-media"), false);
    const gone = await host.read(created.id, urn, refreshed.properties);
    assert.equal(gone.id, "");
});

test("check failures name the property, and nothing reaches the API", async () => {
    emulator.resetCounts();
    const checked = await host.check(urn, {}, { projectUrl: emulator.url, bucketId: "bad/name", fileSizeLimit: -5, __provider: provider });
    assert.deepEqual(
        [...new Set(checked.failures.map((f) => f.property))].sort(),
        ["bucketId", "fileSizeLimit"],
    );
    assert.equal(emulator.totalRequests(), 0);
});

test("an API error reaches the engine with its details and without the credential", async () => {
    await host.create(urn, (await host.check(urn, {}, { projectUrl: emulator.url, bucketId: "taken", __provider: provider })).inputs);
    // Made long ago (not a lost create of ours, which would be adopted): a refusal.
    emulator.buckets.get("taken")!.created_at = new Date(Date.now() - 20 * 60_000).toISOString();
    const again = (await host.check(urn, {}, { projectUrl: emulator.url, bucketId: "taken", __provider: provider })).inputs;
    await assert.rejects(host.create(urn, again), (err: Error) => {
        assert.match(err.message, /supabase-storage: create bucket "taken" failed: bucket "taken" already exists/);
        assert.match(err.message, /status 409, code BucketAlreadyExists, request id [0-9a-f-]{36}/);
        assert.ok(!err.message.includes(CANARY));
        return true;
    });
    assert.ok(!host.output.includes(CANARY));
});
