/**
 * Appwrite's kinds against the Appwrite emulator: a database, a collection, an attribute of each
 * type (each type has its own create and update operation in the spec), an index, a bucket and a
 * function variable. Parents are made in the emulator directly; builds finish after two reads,
 * so the matrix runs without waiting.
 */
import { attributeDefinition } from "../../dynamic-providers/appwrite/attribute";
import { appwriteBucketDefinition } from "../../dynamic-providers/appwrite/bucket";
import { collectionDefinition } from "../../dynamic-providers/appwrite/collection";
import { indexDefinition } from "../../dynamic-providers/appwrite/collection-index";
import { databaseDefinition } from "../../dynamic-providers/appwrite/database";
import { functionVariableDefinition } from "../../dynamic-providers/appwrite/function-variable";
import { AppwriteEmulator } from "../../sandbox/emulators/appwrite";
import type { KindScenario, VendorRig } from "./scenario";

const KEY = "appwrite-scenario-api-key-0123456789";
const PROJECT = "stackwire-test";
const DB = "main";
const COLL = "users";
const ATTRIBUTES = `/v1/databases/:db/collections/:coll/attributes`;

type Props = Record<string, unknown>;

/** One attribute of a type and an in-place change of it (a bound removed, a default set, …). */
const ATTRIBUTE_CASES: { type: string; inputs: Props; change: Props }[] = [
    { type: "integer", inputs: { key: "age", min: 0, max: 150 }, change: { max: null } },
    { type: "string", inputs: { key: "name", size: 64 }, change: { size: 128, default: "anonymous" } },
    { type: "float", inputs: { key: "score", min: 0, max: 1, default: 0.5 }, change: { min: null, default: null } },
    { type: "boolean", inputs: { key: "active" }, change: { default: true } },
    { type: "email", inputs: { key: "email" }, change: { required: true } },
    { type: "url", inputs: { key: "homepage" }, change: { default: "https://example.com/" } },
    { type: "ip", inputs: { key: "last_ip" }, change: { default: "10.0.0.1" } },
    { type: "enum", inputs: { key: "plan", elements: ["free", "pro"], default: "free" }, change: { elements: ["free", "pro", "team"], default: "team" } },
    { type: "datetime", inputs: { key: "seen_at" }, change: { default: "2026-01-01T00:00:00.000+00:00" } },
    { type: "relationship", inputs: { key: "team", relatedCollectionId: "teams", relationType: "manyToOne" }, change: { onDelete: "cascade" } },
];

export function appwriteScenarios(): KindScenario[] {
    const emulator = new AppwriteEmulator({ projectId: PROJECT, apiKey: KEY, functions: ["notify"] });
    const rig: VendorRig = { vendor: "appwrite", emulator, credentials: { appwriteApiKey: KEY }, connection: () => ({ endpoint: `${emulator.url}/v1`, projectId: PROJECT }) };
    const collection = () => emulator.databases.get(DB)?.collections.get(COLL);
    /** Attributes and indexes Appwrite is not removing, as `<collection>.<key>` (the resources' ids). */
    const live = (map: Map<string, any> | undefined) => [...(map?.values() ?? [])].filter((o) => o.building.removal === undefined && o.building.status !== "deleting").map((o) => `${COLL}.${o.key}`);

    const attributeScenarios = ATTRIBUTE_CASES.map(
        ({ type, inputs, change }): KindScenario => ({
            // One scenario per type: each type has its own operations (and the first keeps the registry's name).
            kind: type === "integer" ? "appwrite:Attribute" : `appwrite:Attribute (${type})`,
            rig,
            definition: attributeDefinition,
            inputs: async () => {
                emulator.ensureCollection(DB, COLL);
                if (type === "relationship") emulator.ensureCollection(DB, "teams");
                return { databaseId: DB, collectionId: COLL, type, ...inputs };
            },
            change,
            writes: { create: `POST ${ATTRIBUTES}/${type}`, update: `PATCH ${ATTRIBUTES}/${type}/:key`, delete: `DELETE ${ATTRIBUTES}/:key` },
            held: () => live(collection()?.attributes),
        }),
    );

    return [
        {
            kind: "appwrite:Database",
            rig,
            definition: databaseDefinition,
            inputs: async () => ({ databaseId: "stackwire-dev-app", name: "App" }),
            change: { name: "App (renamed)", enabled: false },
            writes: { create: "POST /v1/databases", update: "PUT /v1/databases/:db", delete: "DELETE /v1/databases/:db" },
            held: () => [...emulator.databases.keys()].filter((id) => id !== DB),
        },
        {
            kind: "appwrite:Collection",
            rig,
            definition: collectionDefinition,
            inputs: async () => {
                emulator.ensureCollection(DB, "seed");
                return { databaseId: DB, collectionId: "orders", name: "Orders", permissions: ['read("users")'] };
            },
            // A `write` permission is stored as create, update and delete: the diff must still settle.
            change: { name: "Orders (renamed)", permissions: ['read("users")', 'write("team:admins")'], documentSecurity: true },
            writes: { create: "POST /v1/databases/:db/collections", update: "PUT /v1/databases/:db/collections/:coll", delete: "DELETE /v1/databases/:db/collections/:coll" },
            held: () => [...(emulator.databases.get(DB)?.collections.keys() ?? [])].filter((id) => id === "orders"),
        },
        ...attributeScenarios,
        {
            kind: "appwrite:Index",
            rig,
            definition: indexDefinition,
            inputs: async () => {
                emulator.ensureStringAttribute(DB, COLL, "handle");
                return { databaseId: DB, collectionId: COLL, key: "by_handle", type: "unique", attributes: ["handle"], orders: ["ASC"] };
            },
            // Indexes cannot change: every change replaces them.
            writes: { create: "POST /v1/databases/:db/collections/:coll/indexes", delete: "DELETE /v1/databases/:db/collections/:coll/indexes/:key" },
            held: () => live(collection()?.indexes),
        },
        {
            kind: "appwrite:Bucket",
            rig,
            definition: appwriteBucketDefinition,
            inputs: async () => ({ bucketId: "stackwire-dev-uploads", name: "Uploads", permissions: ['read("any")', 'write("users")'], allowedFileExtensions: ["png", "jpg"], maximumFileSize: 5_000_000 }),
            change: { name: "Uploads (renamed)", antivirus: false, permissions: ['read("users")', 'write("users")'] },
            writes: { create: "POST /v1/storage/buckets", update: "PUT /v1/storage/buckets/:id", delete: "DELETE /v1/storage/buckets/:id" },
            held: () => [...emulator.buckets.keys()],
        },
        {
            kind: "appwrite:FunctionVariable",
            rig,
            definition: functionVariableDefinition,
            inputs: async () => ({ functionId: "notify", variableId: "RESEND_API_KEY", key: "RESEND_API_KEY", value: "re_scenario_value_0123456789" }),
            change: { value: "re_scenario_rotated_9876543210" },
            writes: { create: "POST /v1/functions/:fn/variables", update: "PUT /v1/functions/:fn/variables/:id", delete: "DELETE /v1/functions/:fn/variables/:id" },
            held: () => [...(emulator.functions.get("notify")?.keys() ?? [])],
            secretInputs: (inputs, canary) => ({ ...inputs, value: canary }),
            verify: (id, outs) => {
                if (emulator.functions.get("notify")?.get(id)?.value !== outs.value) throw new Error(`variable ${id} does not hold the value in the outputs`);
            },
        },
    ];
}
