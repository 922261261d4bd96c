/**
 * The Supabase Storage component and the whole program under Pulumi mocks. Imported from the
 * compiled output: the component holds a dynamic provider that Pulumi serializes, and vitest's
 * module transform would break that serialization.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as Component from "../../components/supabase/storage";
import type * as Environments from "../../stacks/environment";
import type * as Graph from "./mock-graph";
import { SupabaseStorageEmulator } from "../../sandbox/emulators/supabase-storage";

// Resolved from the project root (vitest runs there); tsc compiles this file as CommonJS.
const load = createRequire(join(process.cwd(), "package.json"));
const { SupabaseStorage, SUPABASE_STORAGE_TYPE } = load("./bin/components/supabase/storage") as typeof Component;
const { environmentFor, dataPolicyOf } = load("./bin/stacks/environment") as typeof Environments;
const { recordGraph, settled, isSecretValue } = load("./bin/test/unit/mock-graph") as typeof Graph;
const pulumi = load("@pulumi/pulumi") as typeof import("@pulumi/pulumi");

const BUCKET_TYPE = "pulumi-nodejs:dynamic/supabase:StorageBucket";
const avatars = { public: true, fileSizeLimit: 5_000_000, allowedMimeTypes: ["image/png"] };
const invoices = { public: false, forceDestroy: true };

async function storageIn(stack: string) {
    const graph = recordGraph("stackwire", stack);
    const policy = dataPolicyOf(environmentFor("stackwire", stack));
    const buckets = { avatars: { ...avatars, bucketId: `stackwire-${stack}-avatars` }, invoices: { ...invoices, bucketId: `stackwire-${stack}-invoices` } };
    const storage = new SupabaseStorage("storage", { projectUrl: "https://abcd.supabase.co", buckets, policy });
    const [ids] = await settled(storage.bucketIds);
    return { graph, storage, ids };
}

describe("SupabaseStorage", () => {
    it("creates one bucket per declared bucket, as children of the component", async () => {
        const { graph, ids } = await storageIn("dev");
        const component = graph.named("storage");
        expect(component.type).toBe(SUPABASE_STORAGE_TYPE);
        const children = graph.byType(BUCKET_TYPE);
        expect(children.map((c) => c.name).sort()).toEqual(["storage-avatars", "storage-invoices"]);
        for (const child of children) expect(child.parent).toContain(`${SUPABASE_STORAGE_TYPE}::storage`);
        expect(graph.named("storage-avatars").inputs).toMatchObject({
            bucketId: "stackwire-dev-avatars",
            projectUrl: "https://abcd.supabase.co",
            public: true,
            fileSizeLimit: 5_000_000,
            allowedMimeTypes: ["image/png"],
            forceDestroy: false,
        });
        expect(ids).toEqual({ avatars: "stackwire-dev-avatars", invoices: "stackwire-dev-invoices" });
    });

    it("in prod protects buckets and retains them on delete", async () => {
        const { graph } = await storageIn("prod");
        for (const bucket of graph.byType(BUCKET_TYPE)) expect(bucket).toMatchObject({ protect: true, retainOnDelete: true });
        expect(graph.named("storage-avatars").inputs.forceDestroy).toBe(false);
    });

    it("in a preview stack leaves everything destroyable and empties buckets on destroy", async () => {
        const { graph } = await storageIn("pr-7");
        for (const bucket of graph.byType(BUCKET_TYPE)) {
            expect(bucket).toMatchObject({ protect: false, retainOnDelete: false });
            expect(bucket.inputs.forceDestroy).toBe(true);
        }
        expect(graph.named("storage-avatars").inputs.bucketId).toBe("stackwire-pr-7-avatars");
    });

    it("honours a bucket's own forceDestroy outside preview stacks", async () => {
        const { graph } = await storageIn("dev");
        expect(graph.named("storage-invoices").inputs.forceDestroy).toBe(true);
    });

    it("lets a transform adjust a bucket without forking the component", async () => {
        const graph = recordGraph("stackwire", "dev");
        const storage = new SupabaseStorage("storage", {
            projectUrl: "https://abcd.supabase.co",
            buckets: { avatars: { ...avatars, bucketId: "stackwire-dev-avatars" } },
            transform: { bucket: (args) => ({ ...args, fileSizeLimit: 1024 }) },
        });
        await settled(storage.bucketIds);
        expect(graph.named("storage-avatars").inputs.fileSizeLimit).toBe(1024);
    });

    it("keeps a secret input secret all the way to the engine", async () => {
        const graph = recordGraph("stackwire", "dev");
        const storage = new SupabaseStorage("storage", {
            projectUrl: pulumi.secret("https://secret-ref.supabase.co"),
            buckets: { avatars: { ...avatars, bucketId: "stackwire-dev-avatars" } },
        });
        await settled(storage.bucketIds);
        expect(isSecretValue(graph.named("storage-avatars").inputs.projectUrl)).toBe(true);
    });
});

describe("the program (bin/index.js) under mocks", () => {
    const CANARY = "canary-service-role-key-0123456789abcdef";

    function runProgram(stack: string, config: Record<string, string>, secretKeys: string[]) {
        const graph = recordGraph("stackwire", stack);
        pulumi.runtime.setAllConfig(config, secretKeys);
        const path = load.resolve("./bin/index.js");
        delete load.cache[path];
        return { graph, exports: () => load(path) as Record<string, unknown> };
    }

    const supabase = JSON.stringify({ url: "https://abcd.supabase.co", buckets: { avatars: { public: true }, "call-recordings": { allowedMimeTypes: ["audio/*"] } } });

    it("builds the declared buckets and exports their ids, with no credential in any registered input", async () => {
        process.env.SUPABASE_SERVICE_ROLE_KEY = CANARY;
        try {
            const { graph, exports } = runProgram("staging", { "stackwire:supabase": supabase, "stackwire:supabaseServiceRoleKey": CANARY }, ["stackwire:supabaseServiceRoleKey"]);
            const program = exports();
            const [ids] = await settled(pulumi.output(program.supabaseBucketIds as never));
            expect(ids).toEqual({ avatars: "stackwire-staging-avatars", "call-recordings": "stackwire-staging-call-recordings" });
            expect(program.environmentKind).toBe("staging");
            expect(graph.byType(BUCKET_TYPE)).toHaveLength(2);
            // __provider (the serialized provider) included: the credential must be nowhere.
            expect(JSON.stringify(graph.resources.map((r) => r.inputs))).not.toContain(CANARY);
            expect(String(graph.named("supabase-storage-avatars").inputs.__provider)).toContain("exports.handler");
        } finally {
            delete process.env.SUPABASE_SERVICE_ROLE_KEY;
        }
    });

    function failureOf(stack: string, settings: unknown, config: Record<string, string> = {}, secretKeys: string[] = []) {
        const { graph, exports } = runProgram(stack, { "stackwire:supabase": JSON.stringify(settings), ...config }, secretKeys);
        try {
            exports();
        } catch (err) {
            return { message: (err as Error).message, graph };
        }
        throw new Error("the program accepted the config");
    }

    it("refuses invalid config before registering any resource, listing every problem", () => {
        const { message, graph } = failureOf("dev", { url: "not a url", buckets: { Avatars: {} } });
        expect(message).toContain('Invalid stack configuration for stack "dev" (3 problems)');
        expect(message).toContain("supabase.url: must be the project's http(s) URL");
        expect(message).toContain("supabase.buckets.Avatars: must be lower-case letters");
        expect(message).toContain("supabaseServiceRoleKey: is required");
        expect(graph.resources).toEqual([]);
    });

    describe("sends no request to any API when the config is invalid", () => {
        const emulator = new SupabaseStorageEmulator({ serviceRoleKey: CANARY, anonKey: "anon-key-unit-tests" });
        beforeAll(() => emulator.start());
        afterAll(() => emulator.stop());
        const key = { "stackwire:supabaseServiceRoleKey": CANARY };
        const secret = ["stackwire:supabaseServiceRoleKey"];

        it.each([
            ["a bad MIME type", { buckets: { avatars: { allowedMimeTypes: ["png"] } } }, key, secret, "allowedMimeTypes[0]: must be a MIME type"],
            ["a size in words", { buckets: { avatars: { fileSizeLimit: "huge" } } }, key, secret, "fileSizeLimit: must be a whole number of bytes"],
            ["a misspelt option", { buckets: { avatars: { pubic: true } } }, key, secret, 'Unrecognized key: "pubic"'],
            ["the key in plain text", { buckets: { avatars: {} } }, key, [], "is a credential"],
            ["no key at all", { buckets: { avatars: {} } }, {}, [], "supabaseServiceRoleKey: is required"],
        ])("%s", (_what, settings, config, secretKeys, expected) => {
            emulator.resetCounts();
            const { message, graph } = failureOf("dev", { url: emulator.url, ...settings }, config, secretKeys);
            expect(message).toContain(expected);
            expect(message).not.toContain(CANARY);
            expect(graph.resources).toEqual([]);
            expect(emulator.totalRequests()).toBe(0);
        });
    });
});
