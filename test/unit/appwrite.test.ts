/**
 * Appwrite config validation and the AppwriteDatabase component's graph under mocks. The
 * component is imported from bin/ (it holds dynamic providers; see supabase-storage.test.ts).
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as Component from "../../components/appwrite/database";
import type * as Config from "../../stacks/config";
import type * as Environments from "../../stacks/environment";
import { AppwriteEmulator } from "../../sandbox/emulators/appwrite";
import type * as Graph from "./mock-graph";

const load = createRequire(join(process.cwd(), "package.json"));
const { AppwriteDatabase, APPWRITE_DATABASE_TYPE } = load("./bin/components/appwrite/database") as typeof Component;
const { validateStackConfig, StackConfigError } = load("./bin/stacks/config") as typeof Config;
const { environmentFor } = load("./bin/stacks/environment") as typeof Environments;
const { recordGraph, settled } = load("./bin/test/unit/mock-graph") as typeof Graph;
const pulumi = load("@pulumi/pulumi") as typeof import("@pulumi/pulumi");

const ATTRIBUTE = "pulumi-nodejs:dynamic/appwrite:Attribute";
const COLLECTION = "pulumi-nodejs:dynamic/appwrite:Collection";
const INDEX = "pulumi-nodejs:dynamic/appwrite:Index";

const schema = {
    endpoint: "https://cloud.appwrite.io/v1",
    projectId: "acme",
    databases: {
        main: {
            name: "Main",
            collections: {
                users: {
                    name: "Users",
                    permissions: ['read("users")'],
                    attributes: {
                        email: { type: "email", required: true },
                        plan: { type: "enum", elements: ["free", "pro"], default: "free" },
                    },
                    indexes: { by_email: { type: "unique", attributes: ["email"] } },
                },
                orders: {
                    name: "Orders",
                    attributes: {
                        total: { type: "integer", min: 0 },
                        customer: { type: "relationship", relatedCollection: "users", relationType: "manyToOne", twoWay: true, twoWayKey: "orders", onDelete: "cascade" },
                    },
                    indexes: { by_total: { type: "key", attributes: ["total"], orders: ["DESC"] } },
                },
                invoices: {
                    name: "Invoices",
                    attributes: {
                        order: { type: "relationship", relatedCollection: "orders", relationType: "oneToOne" },
                        pdf: { type: "url" },
                    },
                },
            },
        },
    },
};

function plan(settings: unknown, stack = "dev") {
    return validateStackConfig({ settings: { appwrite: settings }, secretness: { appwrite: false, appwriteApiKey: true }, env: {} }, environmentFor("stackwire", stack));
}

function problemsOf(settings: unknown): string[] {
    try {
        plan(settings);
    } catch (err) {
        expect(err).toBeInstanceOf(StackConfigError);
        return (err as Config.StackConfigError).problems.map((p) => `${p.path}: ${p.rule}`);
    }
    throw new Error("config was accepted");
}

describe("Appwrite config", () => {
    it("plans databases with physical ids within 36 characters", () => {
        const config = plan(schema, "pr-1234567");
        expect(config.appwrite!.databases.main.databaseId).toBe("stackwire-pr-1234567-main");
        const long = plan({ ...schema, databases: { ["x".repeat(40)]: { name: "X" } } }, "staging");
        expect(long.appwrite!.databases["x".repeat(40)].databaseId).toHaveLength(36);
    });

    const withCollection = (collection: unknown) => ({ ...schema, databases: { main: { name: "Main", collections: { users: collection } } } });
    it.each([
        ["a collection id starting with a special character", { ...schema, databases: { main: { name: "Main", collections: { _users: { name: "U" } } } } }, "appwrite.databases.main.collections._users: key must not start with a special character"],
        ["a malformed permission", withCollection({ name: "U", permissions: ["read(users)"] }), "appwrite.databases.main.collections.users.permissions[0]: must be a permission such as"],
        ["an enum element twice", withCollection({ name: "U", attributes: { plan: { type: "enum", elements: ["a", "a"] } } }), "appwrite.databases.main.collections.users.attributes.plan.elements: must not repeat an element"],
        ["an empty enum element", withCollection({ name: "U", attributes: { plan: { type: "enum", elements: [""] } } }), "attributes.plan.elements[0]: enum elements must not be empty"],
        ["an index naming a missing attribute", withCollection({ name: "U", attributes: { email: { type: "email" } }, indexes: { by_name: { type: "key", attributes: ["name"] } } }), 'appwrite.databases.main.collections.users.indexes.by_name.attributes[0]: names attribute "name", which collection users does not declare'],
        ["a relationship to an unknown collection", withCollection({ name: "U", attributes: { team: { type: "relationship", relatedCollection: "teams", relationType: "manyToOne" } } }), 'attributes.team.relatedCollection: names collection "teams", which database main does not declare'],
        ["an attribute key over 36 characters", withCollection({ name: "U", attributes: { ["k".repeat(37)]: { type: "boolean" } } }), "key must be at most 36 characters"],
        ["a default on a required attribute", withCollection({ name: "U", attributes: { plan: { type: "string", size: 8, required: true, default: "x" } } }), "attributes.plan.default: cannot be set on a required attribute"],
    ])("rejects %s", (_what, settings, expected) => {
        const problems = problemsOf(settings);
        expect(problems.some((p) => p.includes(expected)), problems.join("\n")).toBe(true);
    });

    describe("sends no request when the config is invalid", () => {
        const emulator = new AppwriteEmulator({ projectId: "acme", apiKey: "key" });
        beforeAll(() => emulator.start());
        afterAll(() => emulator.stop());
        it("the program stops before registering anything", () => {
            const graph = recordGraph("stackwire", "dev");
            pulumi.runtime.setAllConfig({ "stackwire:appwrite": JSON.stringify(withCollection({ name: "U", permissions: ["bad"] })), "stackwire:appwriteApiKey": "key" }, ["stackwire:appwriteApiKey"]);
            const entry = load.resolve("./bin/index.js");
            delete load.cache[entry];
            expect(() => load(entry)).toThrow(/permissions\[0\]: must be a permission/);
            expect(graph.resources).toEqual([]);
            expect(emulator.totalRequests()).toBe(0);
        });
    });
});

describe("AppwriteDatabase", () => {
    async function build(stack: string) {
        const graph = recordGraph("stackwire", stack);
        const config = plan(schema, stack);
        const db = new AppwriteDatabase("appwrite-main", config.appwrite!.databases.main);
        await settled(db.collectionIds, ...Object.values(db.attributes).map((a) => a.status), ...Object.values(db.indexes).map((i) => i.key));
        return { graph, db };
    }
    const urnEnd = (name: string) => (urn: string) => urn.endsWith(`::${name}`);

    it("three collections with relationships become the right resources under the right parents", async () => {
        const { graph } = await build("dev");
        expect(graph.named("appwrite-main").type).toBe(APPWRITE_DATABASE_TYPE);
        expect(graph.byType(COLLECTION).map((r) => r.name).sort()).toEqual(["appwrite-main-invoices", "appwrite-main-orders", "appwrite-main-users"]);
        expect(graph.byType(ATTRIBUTE)).toHaveLength(6);
        expect(graph.byType(INDEX).map((r) => r.name).sort()).toEqual(["appwrite-main-orders-index-by_total", "appwrite-main-users-index-by_email"]);
        expect(graph.named("appwrite-main-users-email").parent).toContain(`${COLLECTION}::appwrite-main-users`);
        expect(graph.named("appwrite-main-users-email").inputs).toMatchObject({ databaseId: "stackwire-dev-main", collectionId: "users", key: "email", type: "email", required: true });
    });

    it("orders the graph: relationships after their related collection, indexes after their attributes", async () => {
        const { graph } = await build("dev");
        const customer = graph.named("appwrite-main-orders-customer");
        expect(customer.dependencies.some(urnEnd("appwrite-main-users"))).toBe(true);
        expect(customer.inputs).toMatchObject({ relatedCollectionId: "users", relationType: "manyToOne", twoWay: true, twoWayKey: "orders", onDelete: "cascade" });
        expect(graph.named("appwrite-main-invoices-order").dependencies.some(urnEnd("appwrite-main-orders"))).toBe(true);
        expect(graph.named("appwrite-main-users-index-by_email").dependencies.some(urnEnd("appwrite-main-users-email"))).toBe(true);
        expect(graph.named("appwrite-main-orders-index-by_total").dependencies.some(urnEnd("appwrite-main-orders-total"))).toBe(true);
        expect(graph.named("appwrite-main-users").dependencies.some(urnEnd("appwrite-main-db"))).toBe(true);
    });

    it("in prod protects the database and collections and retains the database", async () => {
        const { graph } = await build("prod");
        expect(graph.named("appwrite-main-db")).toMatchObject({ protect: true, retainOnDelete: true });
        for (const c of graph.byType(COLLECTION)) expect(c.protect).toBe(true);
        expect(graph.named("appwrite-main-db").inputs.databaseId).toBe("stackwire-prod-main");
    });

    it("in a preview stack protects nothing", async () => {
        const { graph } = await build("pr-3");
        for (const r of graph.resources.filter((r) => r.custom)) expect(r).toMatchObject({ protect: false, retainOnDelete: false });
    });
});
