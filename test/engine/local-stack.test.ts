/**
 * What `pulumi up -s local` does against the sandbox's emulators, without the CLI: the compiled
 * program with the local stack's config, every resource through the real provider host. A
 * second `up` must change nothing and call no API; a price change replaces one price; destroy
 * leaves nothing active behind.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type * as pulumi from "@pulumi/pulumi";
import { localStackSettings, SANDBOX_ENV, sandboxEmulators } from "../../sandbox/local-stack";
import { DynamicProviderHost } from "../../sandbox/engine/host";
import { MiniEngine } from "../../sandbox/engine/mini-engine";
import { GUARD_LINE } from "../../sandbox/engine/network-guard";

const { supabase, stripe, appwrite, trello } = sandboxEmulators();
const emulators = [supabase, stripe, appwrite, trello];
const credentials = SANDBOX_ENV;
let host: DynamicProviderHost;
let engine: MiniEngine;

before(async () => {
    await Promise.all(emulators.map((e) => e.start()));
    // Every base URL points at an emulator: the guard fails any connection elsewhere.
    host = await DynamicProviderHost.start({ ...credentials, NODE_OPTIONS: `--require ${require.resolve("../../sandbox/engine/network-guard")}` });
    await host.configure({});
    engine = new MiniEngine(host, "stackwire", "local");
    Object.assign(process.env, credentials);
});
after(async () => {
    for (const name of Object.keys(credentials)) delete process.env[name];
    await host.stop();
    await Promise.all(emulators.map((e) => e.stop()));
});

function program(): pulumi.Output<unknown>[] {
    const entry = require.resolve("../../index");
    delete require.cache[entry];
    const outputs = require(entry) as Record<string, pulumi.Output<unknown>>;
    return [outputs.supabaseBucketIds, outputs.stripePriceIds, outputs.stripeWebhookSecrets, outputs.appwriteDatabaseIds, outputs.appwriteBucketIds, outputs.trelloBoardUrls];
}

function config(settings: ReturnType<typeof localStackSettings>): Record<string, string> {
    return Object.fromEntries(Object.entries(settings).map(([key, value]) => [`stackwire:${key}`, JSON.stringify(value)]));
}

test("up provisions the sandbox stack, a second up changes nothing, a new price replaces one, destroy cleans up", async () => {
    const settings = localStackSettings({ supabase: supabase.url, stripe: stripe.url, appwrite: appwrite.url, trello: trello.url });
    await engine.up(config(settings), program);
    assert.ok(Object.values(engine.steps).every((s) => s === "create"));
    assert.deepEqual([...supabase.buckets.keys()].sort(), ["stackwire-local-avatars", "stackwire-local-invoices"]);
    assert.equal(stripe.products.size, 1);
    assert.deepEqual([...stripe.prices.values()].map((p) => p.lookup_key).sort(), ["stackwire-local-pro-monthly", "stackwire-local-pro-yearly"]);
    assert.equal(stripe.webhookEndpoints.size, 1);
    const app = appwrite.databases.get("stackwire-local-app")!;
    assert.deepEqual([...app.collections.keys()].sort(), ["orders", "users"]);
    assert.deepEqual([...app.collections.get("users").attributes.keys()].sort(), ["email", "plan"]);
    assert.equal(app.collections.get("users").indexes.get("by_email").building.status, "available");
    assert.ok(appwrite.buckets.has("stackwire-local-uploads"));
    assert.deepEqual([...trello.lists.values()].sort((a, b) => a.pos - b.pos).map((l) => l.name), ["Issues", "In progress", "Pipelines", "Done"]);

    for (const e of emulators) e.resetCounts();
    await engine.up(config(settings), program);
    assert.deepEqual(new Set(Object.values(engine.steps)), new Set(["same"]));
    assert.equal(emulators.reduce((n, e) => n + e.totalRequests(), 0), 0, "a no-op up must not call any API");

    const dearer = structuredClone(settings);
    dearer.stripe.products.pro.prices.monthly.unitAmount = 2500;
    await engine.up(config(dearer), program);
    assert.deepEqual(
        Object.entries(engine.steps).filter(([, s]) => s !== "same"),
        [["stripe-pro-monthly", "replace"]],
    );
    const monthly = [...stripe.prices.values()].filter((p) => p.recurring && (p.recurring as { interval: string }).interval === "month");
    assert.deepEqual(monthly.map((p) => [p.unit_amount, p.active, p.lookup_key]).sort(), [
        [2000, false, null],
        [2500, true, "stackwire-local-pro-monthly"],
    ]);

    await engine.destroy();
    assert.ok(!host.output.includes(GUARD_LINE), `a provider called a host other than the emulators:\n${host.output}`);
    assert.equal(supabase.buckets.size, 0);
    assert.equal(appwrite.databases.size, 0);
    assert.equal(appwrite.buckets.size, 0);
    assert.equal(trello.boards.size, 0);
    assert.deepEqual([...stripe.prices.values()].filter((p) => p.active), []);
    assert.equal([...stripe.products.values()][0].active, false, "a product with prices is archived");
    assert.equal(stripe.webhookEndpoints.size, 0);
});

test("inserting a Trello list at the front moves the others: no list is renamed or replaced", async () => {
    const settings = localStackSettings({ supabase: supabase.url, stripe: stripe.url, appwrite: appwrite.url, trello: trello.url });
    const board = settings.trello.boards.devops;
    // The previous test's boards are gone; Trello keeps their lists archived.
    for (const e of emulators) e.reset();
    await engine.up(config(settings), program);
    const before = new Map([...trello.lists.values()].map((l) => [l.name as string, l.id as string]));
    assert.deepEqual([...before.keys()].sort(), [...board.lists].sort());

    const inserted = structuredClone(settings);
    inserted.trello.boards.devops.lists = ["Backlog", ...board.lists];
    await engine.up(config(inserted), program);
    const lists = [...trello.lists.values()].sort((a, b) => a.pos - b.pos);
    assert.deepEqual(lists.map((l) => l.name), ["Backlog", ...board.lists], "Backlog is leftmost, the others keep their order");
    for (const [name, id] of before) assert.equal(lists.find((l) => l.name === name)?.id, id, `list ${name} keeps its id`);
    assert.equal(lists.filter((l) => l.closed).length, 0, "no list was archived");
    assert.deepEqual(
        Object.entries(engine.steps).filter(([name]) => name.startsWith("trello-devops-list-")).filter(([, step]) => step === "create" || step === "replace"),
        [["trello-devops-list-backlog", "create"]],
    );
    await engine.destroy();
});

test("the network guard itself refuses a public host and lets the emulators through", async () => {
    const { execFile } = await import("node:child_process");
    const script = `fetch("http://example.com/").then(() => process.exit(0), () => fetch(${JSON.stringify(stripe.url)}).then(() => process.exit(3), () => process.exit(4)))`;
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = execFile(process.execPath, ["--require", require.resolve("../../sandbox/engine/network-guard"), "-e", script], (err, _stdout, stderr) => resolve({ code: err ? (err as { code?: number }).code ?? 1 : 0, stderr }));
        void child;
    });
    // 3: the public host was refused, the emulator answered.
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, new RegExp(`${GUARD_LINE} example.com`));
});

