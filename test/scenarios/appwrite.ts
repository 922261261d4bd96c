/**
 * Appwrite's kinds against the Appwrite emulator: a database, a collection, an attribute of each
 * type (each type has its own create and update operation in the spec), an index, a bucket, a
 * function variable, a function with its code and variables, and a Resend messaging provider. Parents are made in the emulator directly; builds finish after two reads,
 * so the matrix runs without waiting.
 */
import { attributeDefinition } from "../../dynamic-providers/appwrite/attribute";
import { appwriteBucketDefinition } from "../../dynamic-providers/appwrite/bucket";
import { collectionDefinition } from "../../dynamic-providers/appwrite/collection";
import { indexDefinition } from "../../dynamic-providers/appwrite/collection-index";
import { databaseDefinition } from "../../dynamic-providers/appwrite/database";
import { appwriteFunctionDefinition } from "../../dynamic-providers/appwrite/function";
import { functionVariableDefinition } from "../../dynamic-providers/appwrite/function-variable";
import { resendProviderDefinition } from "../../dynamic-providers/appwrite/messaging";
import { AppwriteEmulator } from "../../sandbox/emulators/appwrite";
import type { ScenarioOptions } from ".";
import type { KindScenario, VendorRig } from "./scenario";

const KEY = "appwrite-scenario-api-key-0123456789";
/** A key of the same project made for another job: Appwrite accepts it, and it may see none of these kinds. */
const NARROW_KEY = "appwrite-scenario-users-only-key-0123456789";
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

export function appwriteScenarios({ realClock = false }: ScenarioOptions = {}): KindScenario[] {
    const emulator = new AppwriteEmulator({
        projectId: PROJECT,
        apiKey: KEY,
        functions: ["notify"],
        keys: [{ secret: NARROW_KEY, scopes: ["users.read", "users.write"] }],
        // Deployments are built and activated; no code runs (no function host).
        ...(realClock ? { buildMs: 20 } : {}),
    });
    const rig: VendorRig = { vendor: "appwrite", emulator, credentials: { appwriteApiKey: KEY }, connection: () => ({ endpoint: `${emulator.url}/v1`, projectId: PROJECT }) };
    const collection = () => emulator.databases.get(DB)?.collections.get(COLL);
    /** Attributes and indexes Appwrite is not removing, as `<collection>.<key>` (the resources' ids). */
    const live = (map: Map<string, any> | undefined) => [...(map?.values() ?? [])].filter((o) => o.building.removal === undefined && o.building.status !== "deleting").map((o) => `${COLL}.${o.key}`);
    /**
     * Appwrite never hides an object from a key behind a 404 (a project key sees its whole project):
     * a key without the route's scope gets 401, and so does a key of another project
     * (app/controllers/shared/api.php; src/Appwrite/Auth/Key.php). The provider fails on the 401 itself.
     */
    const blind = (scope: string) => ({
        credentials: { appwriteApiKey: NARROW_KEY },
        answers: `401 general_unauthorized_scope "app.${PROJECT}@service.<host> (role: applications) missing scopes (["${scope}.read"])" (a key of another project: 401 user_unauthorized); never a 404, so the provider fails on the 401 and names appwriteApiKey`,
    });
    /** Ids Appwrite's rule refuses (36 characters of a-z A-Z 0-9 . - _, no leading special one): "." and ".." could not be addressed, the rest would be misrouted. */
    const reserved = (field: string) => [".", "..", "a/b", "a?b", "a#b", "a%2Fb", "a b"].map((id) => ({ [field]: id }));
    /** Ids with the one URL-meaningful character Appwrite allows, a period (never a whole "." or ".." segment). */
    const awkward = (field: string) => ["v1.2", "a..b", "a.-_z"].map((id) => ({ [field]: id }));
    const keyOf = (id: string) => id.slice(COLL.length + 1);

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
            blind: blind("collections"),
            removeOutOfBand: (id) => void collection()?.attributes.delete(keyOf(id)),
            removeParentOutOfBand: () => void emulator.databases.get(DB)?.collections.delete(COLL),
            reservedIds: [...reserved("key"), ...reserved("collectionId"), ...reserved("databaseId")],
            awkwardIds: awkward("key"),
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
            blind: blind("databases"),
            // No removeParentOutOfBand: its place is the project, and a project Appwrite does not find
            // (404 project_not_found) is never taken for the database's absence: a wrong project id or
            // endpoint answers the same (appwrite-not-found.test.ts).
            removeOutOfBand: (id) => void emulator.databases.delete(id),
            reservedIds: reserved("databaseId"),
            awkwardIds: awkward("databaseId"),
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
            held: () => [...(emulator.databases.get(DB)?.collections.keys() ?? [])].filter((id) => id !== "seed"),
            blind: blind("collections"),
            removeOutOfBand: (id) => void emulator.databases.get(DB)?.collections.delete(id),
            removeParentOutOfBand: () => void emulator.databases.delete(DB),
            reservedIds: [...reserved("collectionId"), ...reserved("databaseId")],
            awkwardIds: awkward("collectionId"),
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
            blind: blind("collections"),
            removeOutOfBand: (id) => void collection()?.indexes.delete(keyOf(id)),
            removeParentOutOfBand: () => void emulator.databases.get(DB)?.collections.delete(COLL),
            reservedIds: [...reserved("key"), ...reserved("collectionId"), ...reserved("databaseId")],
            awkwardIds: awkward("key"),
        },
        {
            kind: "appwrite:Bucket",
            rig,
            definition: appwriteBucketDefinition,
            inputs: async () => ({ bucketId: "stackwire-dev-uploads", name: "Uploads", permissions: ['read("any")', 'write("users")'], allowedFileExtensions: ["png", "jpg"], maximumFileSize: 5_000_000 }),
            change: { name: "Uploads (renamed)", antivirus: false, permissions: ['read("users")', 'write("users")'] },
            writes: { create: "POST /v1/storage/buckets", update: "PUT /v1/storage/buckets/:id", delete: "DELETE /v1/storage/buckets/:id" },
            held: () => [...emulator.buckets.keys()],
            blind: blind("buckets"),
            // No removeParentOutOfBand: its place is the project (see the database).
            removeOutOfBand: (id) => void emulator.buckets.delete(id),
            reservedIds: reserved("bucketId"),
            awkwardIds: awkward("bucketId"),
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
            blind: blind("functions"),
            removeOutOfBand: (id) => void emulator.functions.get("notify")?.delete(id),
            removeParentOutOfBand: () => void emulator.functions.delete("notify"),
            reservedIds: [...reserved("variableId"), ...reserved("functionId")],
            awkwardIds: awkward("variableId"),
            verify: (id, outs) => {
                if (emulator.functions.get("notify")?.get(id)?.value !== outs.value) throw new Error(`variable ${id} does not hold the value in the outputs`);
            },
        },
        {
            kind: "appwrite:Function",
            rig,
            definition: appwriteFunctionDefinition,
            inputs: async () => ({
                functionId: "stackwire-dev-relay",
                name: "Relay",
                runtime: "node-22",
                entrypoint: "src/main.js",
                code: { "src/main.js": 'export default async ({ res }) => res.text("ok");\n' },
                variables: { STRIPE_WEBHOOK_SECRET: "whsec_scenario_value_0123456789" },
            }),
            // A settings change and a variable change: an update of the function, then a new deployment.
            change: { name: "Relay (renamed)", variables: { STRIPE_WEBHOOK_SECRET: "whsec_scenario_rotated_9876543210" } },
            writes: { create: "POST /v1/functions", update: "PUT /v1/functions/:fn", delete: "DELETE /v1/functions/:fn" },
            held: () => [...emulator.functions.keys()].filter((id) => id !== "notify"),
            secretInputs: (inputs, canary) => ({ ...inputs, variables: { STRIPE_WEBHOOK_SECRET: canary } }),
            blind: blind("functions"),
            // No removeParentOutOfBand: its place is the project (see the database).
            removeOutOfBand: (id) => void emulator.functions.delete(id),
            reservedIds: reserved("functionId"),
            awkwardIds: awkward("functionId"),
            verify: (id, outs) => {
                const f = emulator.functionRecords.get(id);
                if (f?.deploymentId !== outs.deploymentId) throw new Error(`function ${id} runs deployment ${f?.deploymentId}, not ${String(outs.deploymentId)} of the outputs`);
                const values = Object.fromEntries([...(emulator.functions.get(id)?.values() ?? [])].map((v) => [v.key, v.value]));
                if (JSON.stringify(values) !== JSON.stringify(outs.variables)) throw new Error(`function ${id} does not hold the variables of the outputs`);
            },
        },
        {
            kind: "appwrite:ResendProvider",
            rig,
            definition: resendProviderDefinition,
            inputs: async () => ({ providerId: "stackwire-dev-resend", name: "Resend", apiKey: "re_scenario_sending_key_0123456789", fromName: "Stackwire", fromEmail: "hello@mail.example.com" }),
            change: { name: "Resend (renamed)", apiKey: "re_scenario_rotated_key_9876543210", replyToName: "Support", replyToEmail: "support@example.com" },
            writes: { create: "POST /v1/messaging/providers/resend", update: "PATCH /v1/messaging/providers/resend/:id", delete: "DELETE /v1/messaging/providers/:id" },
            held: () => [...emulator.providers.keys()],
            secretInputs: (inputs, canary) => ({ ...inputs, apiKey: canary }),
            blind: blind("providers"),
            // No removeParentOutOfBand: its place is the project (see the database).
            removeOutOfBand: (id) => void emulator.providers.delete(id),
            reservedIds: reserved("providerId"),
            awkwardIds: awkward("providerId"),
            verify: (id, outs) => {
                if (emulator.providers.get(id)?.credentials.apiKey !== outs.apiKey) throw new Error(`provider ${id} does not hold the key of the outputs`);
            },
        },
    ];
}
