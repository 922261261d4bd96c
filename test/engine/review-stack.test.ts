/**
 * A review stack (`pr-12`) holding everything, data included (objects in a bucket, cards on the
 * board, documents in a collection with attributes and an index, payments saved, a deployed
 * function and its secrets, hooks, endpoints, a mirror, domains and keys), destroys to nothing
 * active on any emulator. Through the real provider host.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { SANDBOX_KEYS } from "../../sandbox/local-stack";
import { checkWires } from "../../sandbox/wire-checks";
import { WiredSandbox } from "../../sandbox/wired-sandbox";

const servers = process.env.STACKWIRE_TEST_POSTGRES_URL !== undefined;
const skip = servers ? false : "needs PostgreSQL (STACKWIRE_TEST_POSTGRES_URL): the relay records events in the project's database";
if (!servers && process.env.STACKWIRE_REQUIRE_SERVERS === "1") throw new Error("STACKWIRE_REQUIRE_SERVERS=1 but STACKWIRE_TEST_POSTGRES_URL is not set");

let sandbox: WiredSandbox;
before(async () => {
    if (skip) return;
    sandbox = new WiredSandbox(undefined, "pr-12");
    await sandbox.start();
});
after(async () => {
    await sandbox?.stop();
});

test("a review stack full of data destroys to nothing on every platform", { skip }, async () => {
    const settings = { ...sandbox.settings, supabase: { ...sandbox.settings.supabase, buckets: { uploads: {} } } };
    // The pull request's preview first: every resource to create, with the values not known yet as unknowns, and no API call.
    const plan = await sandbox.preview(settings);
    assert.ok(Object.keys(plan).length > 30, `${Object.keys(plan).length} resources planned`);
    assert.deepEqual(Object.entries(plan).filter(([, p]) => p.step !== "create"), []);
    assert.deepEqual(sandbox.emulators.filter((e) => e.totalRequests() > 0).map((e) => e.name), []);
    await sandbox.up(settings);
    const again = await sandbox.preview(settings);
    assert.deepEqual(Object.entries(again).filter(([, p]) => p.step !== "same"), []);
    // Data a review stack gathers: objects uploaded, and every wire's effect (cards, documents, rows, emails).
    const [bucket] = [...sandbox.supabase.buckets.keys()];
    for (const file of ["a.txt", "b/c.txt"]) {
        const put = await fetch(`${sandbox.supabase.url}/storage/v1/object/${bucket}/${file}`, {
            method: "POST",
            headers: { apikey: SANDBOX_KEYS.supabaseServiceRoleKey, authorization: `Bearer ${SANDBOX_KEYS.supabaseServiceRoleKey}`, "content-type": "text/plain" },
            body: "review data",
        });
        assert.equal(put.status, 200, await put.text());
    }
    const fired = await checkWires(sandbox);
    assert.deepEqual(fired.filter((w) => !w.ok).map((w) => `${w.wire}: ${w.effect}`), []);
    assert.ok([...sandbox.trello.cards.values()].length > 0 && sandbox.appwrite.documentsOf("payments").length > 0);
    assert.ok(sandbox.leftovers().length > 10, "the stack made something on every platform");

    await sandbox.destroy();
    assert.deepEqual(sandbox.leftovers(), []);
    assert.equal(sandbox.supabase.buckets.size, 0, "the bucket was emptied, then deleted");
});
