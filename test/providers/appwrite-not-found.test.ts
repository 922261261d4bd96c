/**
 * Appwrite: "not found" means gone only when it is gone (issue 16), beyond what the shared
 * not-found tier drives for every kind (test/providers/not-found.test.ts):
 * - what Appwrite answers keys that may not see an object (401, never 404) and that the error
 *   names the setting;
 * - a 404 counts as gone only when the place the object lives answers the same key: a key that
 *   may delete but not read the place, a wrong project id or endpoint, keep the object;
 * - a place that is gone too (collection, database, function): the object went with it;
 * - answers about something else (another id, a list, a page that is not Appwrite's) never
 *   become state, and a list that holds an object its read did not find keeps it;
 * - the cost: one call more, only on the 404 path (two for an attribute or index whose
 *   collection went too).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { attributeDefinition } from "../../dynamic-providers/appwrite/attribute";
import { collectionDefinition } from "../../dynamic-providers/appwrite/collection";
import { indexDefinition } from "../../dynamic-providers/appwrite/collection-index";
import { databaseDefinition } from "../../dynamic-providers/appwrite/database";
import { functionVariableDefinition } from "../../dynamic-providers/appwrite/function-variable";
import { appwriteBucketDefinition } from "../../dynamic-providers/appwrite/bucket";
import { AppwriteEmulator } from "../../sandbox/emulators/appwrite";
import type { ResourceDefinition } from "../../dynamic-providers/core/provider";
import type { EmulatorRequest, EmulatorResponse, Route } from "../../sandbox/emulators/frame";
import { appwriteScenarios } from "../scenarios/appwrite";
import { configuredProvider } from "./harness";

const PROJECT = "stackwire-test";
const KEY = "appwrite-api-key-for-not-found-0123456789";
/** Keys of the same project, each with only some scopes. */
const WRITE_ONLY = "appwrite-write-only-key-0123456789";
const COLLECTIONS_ONLY = "appwrite-collections-only-key-0123456789";
/** A key the project does not hold: another project's. */
const OTHER_PROJECTS = "standard_0f1e2d3c4b5a69788796a5b4c3d2e1f0";

/** The emulator, with a route's answer replaced where a test says so (a server or proxy gone astray). */
class AstrayEmulator extends AppwriteEmulator {
    readonly astray = new Map<string, (req: EmulatorRequest) => EmulatorResponse>();
    protected override routes(): Route[] {
        return super.routes().map((route) => ({ ...route, handle: (req: EmulatorRequest) => this.astray.get(`${route.method} ${route.path}`)?.(req) ?? route.handle(req) }));
    }
}

const emulator = new AstrayEmulator({
    projectId: PROJECT,
    apiKey: KEY,
    functions: ["notify"],
    keys: [
        { secret: WRITE_ONLY, scopes: ["databases.write", "collections.write", "buckets.write", "functions.write"] },
        { secret: COLLECTIONS_ONLY, scopes: ["collections.read", "collections.write"] },
    ],
});
let conn: { endpoint: string; projectId: string };

beforeAll(async () => {
    await emulator.start();
    conn = { endpoint: `${emulator.url}/v1`, projectId: PROJECT };
});
afterAll(() => emulator.stop());
beforeEach(() => {
    emulator.reset();
    emulator.astray.clear();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDefinition = ResourceDefinition<any, any>;

const providerOf = async (definition: AnyDefinition, key = KEY) => (await configuredProvider(definition, { appwriteApiKey: key }, { maxAttempts: 2 })).provider;

/** Made with the stack's own key. */
async function made(definition: AnyDefinition, inputs: Record<string, unknown>) {
    const provider = await providerOf(definition);
    const checked = await provider.check({}, { ...conn, ...inputs });
    expect(checked.failures ?? []).toEqual([]);
    const { id, outs } = await provider.create(checked.inputs);
    return { id, outs: outs as Record<string, unknown> };
}

/** Requests the emulator received while `run` ran, and what it settled to. */
async function counted(run: () => Promise<unknown>): Promise<{ calls: number; result: PromiseSettledResult<unknown> }> {
    const before = emulator.totalRequests();
    const [result] = await Promise.allSettled([run()]);
    return { calls: emulator.totalRequests() - before, result };
}

const message = (result: PromiseSettledResult<unknown>) => (result.status === "rejected" ? String((result.reason as Error).message) : "(it succeeded)");

describe("keys that may not see an object: Appwrite answers 401, never 404", () => {
    it.each([
        ["a key of another project", OTHER_PROJECTS, 401, "user_unauthorized"],
        ["a key of this project without the scope", COLLECTIONS_ONLY, 401, "general_unauthorized_scope"],
    ])("%s: refresh and destroy fail naming appwriteApiKey, and the database stays", async (_what, key, status, code) => {
        const { id, outs } = await made(databaseDefinition, { databaseId: "main", name: "Main" });
        const blind = await providerOf(databaseDefinition, key);
        for (const run of [() => blind.read(id, outs), () => blind.delete(id, outs)]) {
            const error = await run().catch((e) => e);
            expect(error).toMatchObject({ status, code });
            expect(error.message).toMatch(/Check appwriteApiKey \(or APPWRITE_API_KEY\): it must be an API key of this project with the scopes this needs/);
            expect(error.message).not.toContain(key);
        }
        expect(emulator.databases.has("main")).toBe(true);
    });

    it("a key without the scope hears which scope it lacks, as Appwrite words it", async () => {
        const { id, outs } = await made(databaseDefinition, { databaseId: "main", name: "Main" });
        const error = await (await providerOf(databaseDefinition, COLLECTIONS_ONLY)).read(id, outs).catch((e) => e);
        expect(error.message).toContain(`app.${PROJECT}@service.127.0.0.1 (role: applications) missing scopes (["databases.read"])`);
    });

    it("no key at all is a guest, refused for the scope", async () => {
        const { id, outs } = await made(databaseDefinition, { databaseId: "main", name: "Main" });
        const error = await (await providerOf(databaseDefinition, "guest_not-a-key-of-any-kind")).read(id, outs).catch((e) => e);
        expect(error).toMatchObject({ status: 401, code: "general_unauthorized_scope" });
        expect(error.message).toContain('User (role: guests) missing scopes (["databases.read"])');
    });
});

describe("a 404 counts as gone only when the place the object lives answers the same key", () => {
    it("a key that may delete but not list databases: a database already gone is not counted as deleted", async () => {
        const { id, outs } = await made(databaseDefinition, { databaseId: "main", name: "Main" });
        emulator.databases.delete("main");
        const { calls, result } = await counted(async () => (await providerOf(databaseDefinition, WRITE_ONLY)).delete(id, outs));
        expect(message(result)).toMatch(/database "main" was not found, and the list of databases of project "stackwire-test" is not visible with appwriteApiKey either: appwriteApiKey is refused there \(401 general_unauthorized_scope: .*missing scopes \(\["databases\.read"\]\)\)\. That credential may not see it .* so it is kept in state\. Check appwriteApiKey \(or APPWRITE_API_KEY\)/);
        expect(calls).toBe(2);
    });

    it("a key that may read collections but not databases: a collection whose database went is kept, not dropped", async () => {
        emulator.ensureCollection("main", "seed");
        const { id, outs } = await made(collectionDefinition, { databaseId: "main", collectionId: "orders", name: "Orders" });
        emulator.databases.delete("main");
        const narrow = await providerOf(collectionDefinition, COLLECTIONS_ONLY);
        await expect(narrow.read(id, outs)).rejects.toThrow(/collection "main\/orders" was not found, and database "main" of project "stackwire-test" is not visible with appwriteApiKey either/);
        await expect(narrow.delete(id, outs)).rejects.toThrow(/appwriteApiKey/);
        // With a key that can see the project, the collection went with its database.
        const full = await providerOf(collectionDefinition);
        expect((await full.read(id, outs)).id).toBe("");
        await expect(full.delete(id, outs)).resolves.toBeUndefined();
    });

    it("a wrong project id in state: Appwrite's 404 is about the project, not the object, and nothing is dropped or counted deleted", async () => {
        const { id, outs } = await made(databaseDefinition, { databaseId: "main", name: "Main" });
        const elsewhere = { ...outs, projectId: "another-project" };
        const provider = await providerOf(databaseDefinition);
        for (const run of [() => provider.read(id, elsewhere), () => provider.delete(id, elsewhere)]) {
            const { calls, result } = await counted(run);
            expect(result.status).toBe("rejected");
            expect((result as PromiseRejectedResult).reason).toMatchObject({ status: 404, code: "project_not_found" });
            expect(message(result)).toMatch(/not Appwrite's answer about database "main", which would be database_not_found: check projectId and endpoint; nothing counts as gone/);
            // Known from the answer itself: no second call.
            expect(calls).toBe(1);
        }
        expect(emulator.databases.has("main")).toBe(true);
    });

    it("a wrong endpoint (no /v1): a route Appwrite does not have is not the object's absence", async () => {
        const { id, outs } = await made(appwriteBucketDefinition, { bucketId: "uploads", name: "Uploads" });
        const provider = await providerOf(appwriteBucketDefinition);
        const elsewhere = { ...outs, endpoint: emulator.url };
        await expect(provider.read(id, elsewhere)).rejects.toMatchObject({ status: 404, code: "general_route_not_found" });
        await expect(provider.delete(id, elsewhere)).rejects.toThrow(/nothing counts as gone/);
        expect(emulator.buckets.has("uploads")).toBe(true);
    });

    it("a 404 page that is not Appwrite's (a proxy in front) is not the object's absence", async () => {
        const { id, outs } = await made(appwriteBucketDefinition, { bucketId: "uploads", name: "Uploads" });
        emulator.astray.set("GET /v1/storage/buckets/:id", () => ({ status: 404, body: Buffer.from("<html>Not Found</html>"), headers: { "content-type": "text/html" } }));
        await expect((await providerOf(appwriteBucketDefinition)).read(id, outs)).rejects.toThrow(/not Appwrite's answer about bucket "uploads"/);
    });
});

describe("a place that is gone too: the object went with it", () => {
    beforeEach(() => emulator.ensureCollection("main", "users"));

    it("an attribute whose collection was deleted leaves the state; reading where it lived costs two calls", async () => {
        const { id, outs } = await made(attributeDefinition, { databaseId: "main", collectionId: "users", key: "name", type: "string", size: 64 });
        emulator.databases.get("main")!.collections.delete("users");
        const provider = await providerOf(attributeDefinition);
        const read = await counted(() => provider.read(id, outs));
        expect(read.result).toMatchObject({ status: "fulfilled", value: { id: "" } });
        // GET attribute (404 collection_not_found), GET collection (404), the database's place (200).
        expect(read.calls).toBe(3);
        const removal = await counted(() => provider.delete(id, outs));
        expect(removal).toMatchObject({ calls: 3, result: { status: "fulfilled" } });
    });

    it("an index whose database was deleted leaves the state", async () => {
        emulator.ensureStringAttribute("main", "users", "handle");
        const { id, outs } = await made(indexDefinition, { databaseId: "main", collectionId: "users", key: "by_handle", type: "key", attributes: ["handle"] });
        emulator.databases.delete("main");
        const provider = await providerOf(indexDefinition);
        expect((await provider.read(id, outs)).id).toBe("");
        await expect(provider.delete(id, outs)).resolves.toBeUndefined();
    });

    it("a collection whose database was deleted leaves the state, for one call more", async () => {
        const { id, outs } = await made(collectionDefinition, { databaseId: "main", collectionId: "orders", name: "Orders" });
        emulator.databases.delete("main");
        const provider = await providerOf(collectionDefinition);
        expect(await counted(() => provider.read(id, outs))).toMatchObject({ calls: 2, result: { status: "fulfilled", value: { id: "" } } });
        expect(await counted(() => provider.delete(id, outs))).toMatchObject({ calls: 2, result: { status: "fulfilled" } });
    });

    it("a variable whose function was deleted leaves the state: Appwrite answers function_not_found, and the project's list of functions answers without it", async () => {
        const { id, outs } = await made(functionVariableDefinition, { functionId: "notify", variableId: "RESEND_API_KEY", key: "RESEND_API_KEY", value: "re_123456789" });
        emulator.functions.delete("notify");
        const provider = await providerOf(functionVariableDefinition);
        expect(await counted(() => provider.read(id, outs))).toMatchObject({ calls: 2, result: { status: "fulfilled", value: { id: "" } } });
        expect(await counted(() => provider.delete(id, outs))).toMatchObject({ calls: 2, result: { status: "fulfilled" } });
    });
});

describe("answers about something else never become state", () => {
    it("a database read answered about another database fails, and the state keeps its own", async () => {
        const { id, outs } = await made(databaseDefinition, { databaseId: "main", name: "Main" });
        emulator.astray.set("GET /v1/databases/:db", () => ({ status: 200, body: { $id: "other", name: "Other", enabled: true, $createdAt: "", $updatedAt: "", type: "legacy" } }));
        await expect((await providerOf(databaseDefinition)).read(id, outs)).rejects.toThrow(/asked for database "main" and was answered about "other"/);
    });

    it("a list answered where one object was asked for fails", async () => {
        const { id, outs } = await made(appwriteBucketDefinition, { bucketId: "uploads", name: "Uploads" });
        emulator.astray.set("GET /v1/storage/buckets/:id", () => ({ status: 200, body: { total: 1, buckets: [emulator.buckets.get("uploads")] } }));
        await expect((await providerOf(appwriteBucketDefinition)).read(id, outs)).rejects.toThrow(/asked for bucket "uploads" and was answered about something without an id/);
    });

    it("a collection answered from another database fails", async () => {
        emulator.ensureCollection("main", "orders");
        emulator.ensureCollection("archive", "orders");
        const provider = await providerOf(collectionDefinition);
        const { inputs } = await provider.check({}, { ...conn, databaseId: "main", collectionId: "orders", name: "orders" });
        emulator.astray.set("GET /v1/databases/:db/collections/:coll", (req) => ({ status: 200, body: { ...emulator.databases.get("archive")!.collections.get(req.params.coll), attributes: [], indexes: [], bytesMax: 0, bytesUsed: 0 } }));
        await expect(provider.read("orders", inputs)).rejects.toThrow(/asked for collection "main\/orders" and was answered about "archive\/orders"/);
    });

    it("a database whose read answers 404 while the project's list holds it is kept: the read went astray", async () => {
        const { id, outs } = await made(databaseDefinition, { databaseId: "main", name: "Main" });
        emulator.astray.set("GET /v1/databases/:db", () => ({ status: 404, body: { message: "Database with the requested ID 'main' could not be found.", code: 404, type: "database_not_found", version: "1.9.6" } }));
        await expect((await providerOf(databaseDefinition)).read(id, outs)).rejects.toThrow(/database "main" answered 404, yet the project's list of databases holds it: the read may have gone astray, so it is kept in state/);
    });

    it("a bucket whose delete answers 404 while the project's list holds it is not counted deleted", async () => {
        const { id, outs } = await made(appwriteBucketDefinition, { bucketId: "uploads", name: "Uploads" });
        emulator.astray.set("DELETE /v1/storage/buckets/:id", () => ({ status: 404, body: { message: "Storage bucket with the requested ID could not be found.", code: 404, type: "storage_bucket_not_found", version: "1.9.6" } }));
        await expect((await providerOf(appwriteBucketDefinition)).delete(id, outs)).rejects.toThrow(/bucket "uploads" answered 404, yet the project's list of buckets holds it/);
        expect(emulator.buckets.has("uploads")).toBe(true);
    });

    it("a place that fails for another reason (5xx) fails the operation with that reason, and nothing is dropped", async () => {
        const { id, outs } = await made(databaseDefinition, { databaseId: "main", name: "Main" });
        emulator.databases.delete("main");
        emulator.inject({ kind: "server-error", route: "GET /v1/databases", times: 5 });
        await expect((await providerOf(databaseDefinition)).read(id, outs)).rejects.toMatchObject({ status: 500 });
    });
});

describe("what the check costs, per kind: calls only on the 404 path", () => {
    const scenarios = appwriteScenarios();
    const rig = scenarios[0].rig;
    beforeAll(() => rig.emulator.start());
    afterAll(() => rig.emulator.stop());

    it.each(scenarios.map((s) => [s.kind, s] as const))("%s: a live refresh and destroy make one call each; deleted out of band, one more each", async (_kind, s) => {
        const provider = (await configuredProvider(s.definition, s.rig.credentials)).provider;
        const make = async () => {
            s.rig.emulator.reset();
            const { inputs } = await provider.check({}, { ...s.rig.connection(), ...(await s.inputs()) });
            return provider.create(inputs);
        };
        const calls = async (run: () => Promise<unknown>) => {
            const before = s.rig.emulator.totalRequests();
            await run();
            return s.rig.emulator.totalRequests() - before;
        };
        let { id, outs } = await make();
        expect(await calls(() => provider.read(id, outs))).toBe(1);
        expect(await calls(() => provider.delete(id, outs))).toBe(1);
        ({ id, outs } = await make());
        s.removeOutOfBand!(id);
        expect(await calls(() => provider.read(id, outs))).toBe(2);
        expect(await calls(() => provider.delete(id, outs))).toBe(2);
    });
});
