/**
 * What `pulumi up -s local` does against the sandbox, without the CLI: the compiled program runs
 * under mocks with the local stack's config, and every resource it registers goes through the
 * real provider host (check, create) against the emulator. A second pass must change nothing;
 * destroy must leave nothing behind.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { SupabaseStorageEmulator } from "../emulators/supabase-storage";
import { SANDBOX_KEYS } from "../emulators/sandbox";
import { recordGraph, settled, type Registered } from "../unit/mock-graph";
import { DynamicProviderHost } from "./host";

const emulator = new SupabaseStorageEmulator({ serviceRoleKey: SANDBOX_KEYS.supabaseServiceRoleKey, anonKey: SANDBOX_KEYS.supabaseAnonKey });
let host: DynamicProviderHost;

before(async () => {
    await emulator.start();
    host = await DynamicProviderHost.start({ SUPABASE_SERVICE_ROLE_KEY: SANDBOX_KEYS.supabaseServiceRoleKey });
    await host.configure({});
});
after(async () => {
    await host.stop();
    await emulator.stop();
});

async function runProgram(): Promise<Registered[]> {
    const graph = recordGraph("stackwire", "local");
    const settings = { url: emulator.url, buckets: { avatars: { public: true, fileSizeLimit: "5MB" }, invoices: { allowedMimeTypes: ["application/pdf"] } } };
    pulumi.runtime.setAllConfig({ "stackwire:supabase": JSON.stringify(settings) }, []);
    process.env.SUPABASE_SERVICE_ROLE_KEY = SANDBOX_KEYS.supabaseServiceRoleKey;
    const entry = require.resolve("../../index");
    delete require.cache[entry];
    const program = require(entry) as { supabaseBucketIds: pulumi.Output<unknown> };
    await settled(program.supabaseBucketIds);
    delete process.env.SUPABASE_SERVICE_ROLE_KEY;
    return graph.resources.filter((r) => typeof r.inputs.__provider === "string");
}

const urnOf = (r: Registered) => `urn:pulumi:local::stackwire::${r.type}::${r.name}`;

test("up provisions every declared bucket, a second up changes nothing, destroy removes all", async () => {
    const resources = await runProgram();
    assert.equal(resources.length, 2);

    const state = new Map<string, { id: string; outputs: Record<string, unknown> }>();
    for (const resource of resources) {
        const checked = await host.check(urnOf(resource), {}, resource.inputs);
        assert.deepEqual(checked.failures, []);
        const created = await host.create(urnOf(resource), checked.inputs);
        state.set(resource.name, { id: created.id, outputs: created.properties });
    }
    assert.deepEqual([...emulator.buckets.keys()].sort(), ["stackwire-local-avatars", "stackwire-local-invoices"]);
    assert.equal(emulator.buckets.get("stackwire-local-avatars")?.file_size_limit, 5_000_000);

    emulator.resetCounts();
    for (const resource of await runProgram()) {
        const old = state.get(resource.name)!;
        const checked = await host.check(urnOf(resource), old.outputs, resource.inputs);
        const diff = await host.diff(old.id, urnOf(resource), old.outputs, checked.inputs);
        assert.equal(diff.changes, "none", `${resource.name} would change on a second up`);
    }
    assert.equal(emulator.totalRequests(), 0, "a no-op up must not call the API");

    for (const resource of resources) {
        const { id, outputs } = state.get(resource.name)!;
        await host.delete(id, urnOf(resource), outputs);
    }
    assert.equal(emulator.buckets.size, 0);
});
