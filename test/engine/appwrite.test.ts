/** Appwrite resources through the real dynamic-provider host over gRPC. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { AppwriteAttribute } from "../../dynamic-providers/appwrite/attribute";
import { AppwriteCollection } from "../../dynamic-providers/appwrite/collection";
import { AppwriteDatabaseResource } from "../../dynamic-providers/appwrite/database";
import { AppwriteFunctionVariable } from "../../dynamic-providers/appwrite/function-variable";
import { AppwriteEmulator } from "../../sandbox/emulators/appwrite";
import { DynamicProviderHost, serializedProviderOf, wireSecret } from "../../sandbox/engine/host";

const CANARY = "appwrite-canary-api-key-0123456789abcdef";
// Builds take real time, as on a server: the provider learns how long and reads when they end.
const emulator = new AppwriteEmulator({ projectId: "acme", apiKey: CANARY, functions: ["notify"], buildMs: 100 });
let host: DynamicProviderHost;
let conn: { endpoint: string; projectId: string };
const s = {} as Record<"database" | "collection" | "attribute" | "variable", Awaited<ReturnType<typeof serializedProviderOf>>>;

before(async () => {
    await emulator.start();
    conn = { endpoint: `${emulator.url}/v1`, projectId: "acme" };
    process.env.APPWRITE_API_KEY = CANARY;
    s.database = await serializedProviderOf(() => new AppwriteDatabaseResource("db", { ...conn, databaseId: "main", name: "Main" }));
    s.collection = await serializedProviderOf(() => new AppwriteCollection("users", { ...conn, databaseId: "main", collectionId: "users", name: "Users" }));
    s.attribute = await serializedProviderOf(() => new AppwriteAttribute("email", { ...conn, databaseId: "main", collectionId: "users", key: "email", type: "email" }));
    s.variable = await serializedProviderOf(() => new AppwriteFunctionVariable("key", { ...conn, functionId: "notify", key: "RESEND_API_KEY", value: "re_secret_value_123" }));
    delete process.env.APPWRITE_API_KEY;
    host = await DynamicProviderHost.start({ APPWRITE_API_KEY: "" });
    await host.configure({ "stackwire:appwriteApiKey": wireSecret(CANARY) });
});
after(async () => {
    await host?.stop();
    await emulator.stop();
});

async function up(kind: keyof typeof s, inputs: Record<string, unknown>) {
    const { provider, urn } = s[kind];
    const checked = await host.check(urn, {}, { ...conn, ...inputs, __provider: provider });
    assert.deepEqual(checked.failures, []);
    return { ...(await host.create(urn, checked.inputs)), urn, inputs: checked.inputs };
}

test("no serialized provider carries the key", () => {
    for (const { provider } of Object.values(s)) assert.ok(!provider.includes(CANARY));
});

test("a collection with attributes: create (waiting for available), no-op, in-place change, replace, delete", async () => {
    const db = await up("database", { databaseId: "main", name: "Main" });
    const users = await up("collection", { databaseId: "main", collectionId: "users", name: "Users", permissions: ['read("users")'] });
    const email = await up("attribute", { databaseId: "main", collectionId: "users", key: "email", type: "email", required: true });
    const name = await up("attribute", { databaseId: "main", collectionId: "users", key: "name", type: "string", size: 64 });
    assert.equal(email.properties.status, "available");
    assert.equal(emulator.databases.get("main")!.collections.get("users").attributes.get("name").building.status, "available");

    const refreshed = await host.read(name.id, name.urn, name.properties);
    const same = await host.diff(name.id, name.urn, refreshed.properties, (await host.check(name.urn, refreshed.properties, { ...name.inputs, __provider: s.attribute.provider })).inputs);
    assert.equal(same.changes, "none");

    const wider = (await host.check(name.urn, refreshed.properties, { ...name.inputs, size: 255, __provider: s.attribute.provider })).inputs;
    assert.deepEqual((await host.diff(name.id, name.urn, refreshed.properties, wider)).replaces, []);
    await host.update(name.id, name.urn, refreshed.properties, wider);
    assert.equal(emulator.databases.get("main")!.collections.get("users").attributes.get("name").size, 255);

    const renamed = (await host.check(name.urn, refreshed.properties, { ...name.inputs, key: "full_name", __provider: s.attribute.provider })).inputs;
    assert.deepEqual(await host.diff(name.id, name.urn, refreshed.properties, renamed), { changes: "some", replaces: ["key"], deleteBeforeReplace: true });

    for (const [r, kind] of [[name, "attribute"], [email, "attribute"], [users, "collection"], [db, "database"]] as const) await host.delete(r.id, s[kind].urn, r.properties);
    assert.equal(emulator.databases.size, 0);
});

test("a failed attribute reaches the engine as an error with Appwrite's reason", async () => {
    await up("database", { databaseId: "main2", name: "Main" });
    await up("collection", { databaseId: "main2", collectionId: "users", name: "Users" });
    emulator.failNextBuild("bio", "row width limit exceeded");
    await assert.rejects(up("attribute", { databaseId: "main2", collectionId: "users", key: "bio", type: "string", size: 100000 }), /attribute users\.bio failed to build: row width limit exceeded/);
    assert.equal(emulator.databases.get("main2")!.collections.get("users").attributes.has("bio"), false);
});

test("a function variable's value is registered secret and kept through refresh, though Appwrite hides it", async () => {
    assert.deepEqual(s.variable.registered.additionalSecretOutputs, ["value"]);
    const variable = await up("variable", { functionId: "notify", key: "RESEND_API_KEY", variableId: "RESEND_API_KEY", value: "re_secret_value_123" });
    assert.equal(emulator.functions.get("notify")!.get(variable.id)!.value, "re_secret_value_123");
    const refreshed = await host.read(variable.id, variable.urn, variable.properties);
    assert.equal(refreshed.properties.value, "re_secret_value_123");
    assert.equal(refreshed.properties.secret, true);
    await host.delete(variable.id, variable.urn, refreshed.properties);
    assert.equal(emulator.functions.get("notify")!.size, 0);
    assert.ok(!host.output.includes(CANARY));
});
