/**
 * `npm run sweep` on a review stack whose destroy was interrupted half-way: with the state still
 * there it leaves every tracked object alone; once the state is gone (`pulumi stack rm --force`)
 * it finds every object marked as the stack's, deletes them with `--yes`, and touches nothing of
 * another stack's or nothing unmarked. The compiled command runs in its own process, as CI runs it.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import * as yaml from "js-yaml";
import { fillForSandbox, SANDBOX_PLATFORM_KEYS } from "../../sandbox/blueprints";
import { DestroyInterrupted } from "../../sandbox/engine/mini-engine";
import { SANDBOX_KEYS, SANDBOX_POSTHOG_ORGANIZATION } from "../../sandbox/local-stack";
import { WiredSandbox } from "../../sandbox/wired-sandbox";
import { runScript } from "./processes";

const servers = process.env.STACKWIRE_TEST_POSTGRES_URL !== undefined;
const skip = servers ? false : "needs PostgreSQL (STACKWIRE_TEST_POSTGRES_URL): the review stack's relay records events in the project's database";
if (!servers && process.env.STACKWIRE_REQUIRE_SERVERS === "1") throw new Error("STACKWIRE_REQUIRE_SERVERS=1 but STACKWIRE_TEST_POSTGRES_URL is not set");

const SWEEP = path.resolve(__dirname, "../../cli/sweep.js");
let sandbox: WiredSandbox;
let dir: string;

/** The stack's files as a project holds them: Pulumi.yaml and Pulumi.<stack>.yaml. */
function writeStackFiles(stack: string, settings: Record<string, unknown>): void {
    writeFileSync(path.join(dir, "Pulumi.yaml"), "name: stackwire\nruntime: nodejs\n");
    const config = Object.fromEntries(Object.entries(settings).map(([key, value]) => [`stackwire:${key}`, value]));
    writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), yaml.dump({ config }));
}

/** The compiled command in its own process, with the sandbox's credentials. */
const sweep = (...args: string[]) => runScript(SWEEP, args, { cwd: dir, env: sandbox.credentials() });

function writeState(state: unknown): string {
    const file = path.join(dir, "state.json");
    writeFileSync(file, JSON.stringify(state));
    return file;
}

/** A board made by hand on the Trello emulator. */
async function trelloBoard(name: string, desc: string): Promise<{ id: string }> {
    const query = new URLSearchParams({ name, desc, key: SANDBOX_KEYS.trelloApiKey, token: SANDBOX_KEYS.trelloToken });
    return (await (await fetch(`${sandbox.trello.url}/1/boards?${query}`, { method: "POST" })).json()) as { id: string };
}

/** What each kind the stack makes without a mark is called in `leftovers()`: a sweep cannot know them. */
const UNMARKED_LEFTOVERS = new Set(["Resend domain", "Supabase secret", "Supabase function", "Appwrite function", "Appwrite messaging provider", "Supabase Auth SMTP through Resend", "OpenAI service account"]);

before(async () => {
    if (skip) return;
    dir = mkdtempSync(path.join(tmpdir(), "stackwire-sweep-"));
    sandbox = new WiredSandbox(undefined, "pr-12");
    await sandbox.start();
});
after(async () => {
    await sandbox?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
});

test("after a destroy interrupted half-way, the sweep leaves tracked objects alone, then deletes what a lost state left", { skip }, async () => {
    const settings = { ...sandbox.settings, supabase: { ...sandbox.settings.supabase, buckets: { uploads: {} } } };
    writeStackFiles("pr-12", settings);
    await sandbox.up(settings);
    const [bucket] = [...sandbox.supabase.buckets.keys()];
    const put = await fetch(`${sandbox.supabase.url}/storage/v1/object/${bucket}/report.txt`, { method: "POST", headers: { apikey: SANDBOX_KEYS.supabaseServiceRoleKey, authorization: `Bearer ${SANDBOX_KEYS.supabaseServiceRoleKey}`, "content-type": "text/plain" }, body: "data" });
    assert.equal(put.status, 200);

    // Another stack's objects and hand-made ones, which no sweep of pr-12 may touch.
    const other = (await (await fetch(`${sandbox.stripe.url}/v1/products`, { method: "POST", headers: { authorization: `Bearer ${SANDBOX_KEYS.stripeSecretKey}`, "content-type": "application/x-www-form-urlencoded" }, body: "name=Theirs&metadata[stackwire_stack]=stackwire/pr-123" })).json()) as { id: string };
    const theirBucket = await fetch(`${sandbox.supabase.url}/storage/v1/bucket`, { method: "POST", headers: { apikey: SANDBOX_KEYS.supabaseServiceRoleKey, authorization: `Bearer ${SANDBOX_KEYS.supabaseServiceRoleKey}`, "content-type": "application/json" }, body: JSON.stringify({ id: "stackwire-pr-123-uploads", name: "stackwire-pr-123-uploads" }) });
    assert.equal(theirBucket.status, 200, await theirBucket.text());
    const handMade = await trelloBoard("Roadmap", "made by hand");

    const resources = sandbox.stackEngine.state.size;
    await assert.rejects(sandbox.destroy({ stopAfter: Math.floor(resources / 2) }), DestroyInterrupted);
    const before = sandbox.leftovers();
    assert.ok(before.length > 0);

    // The state is still there: what it tracks is a retried destroy's, never the sweep's.
    const kept = await sweep("--stack", "pr-12", "--state", writeState(sandbox.stackEngine.exportState()), "--yes");
    assert.equal(kept.status, 0, kept.err);
    assert.match(kept.out, /Nothing left over by stack pr-12 \(\d+ marked objects are tracked by its state and left alone\)/);
    assert.deepEqual(sandbox.leftovers(), before);

    // `pulumi stack rm --force`: the state is gone, the objects are not.
    sandbox.stackEngine.forgetState();
    const empty = writeState({ version: 3, deployment: { resources: [] } });
    const listed = await sweep("--stack", "pr-12", "--state", empty, "--dry-run");
    assert.equal(listed.status, 0, listed.err);
    const found = Number(/(\d+) objects? marked as stack pr-12's that its state does not track/.exec(listed.out)?.[1]);
    assert.ok(found > 0, listed.out);
    assert.deepEqual(sandbox.leftovers(), before, "--dry-run deletes nothing");
    console.log(`sweep after a destroy interrupted at ${Math.floor(resources / 2)} of ${resources} resources:\n${listed.out}`);

    const swept = await sweep("--stack", "pr-12", "--state", empty, "--yes");
    assert.equal(swept.status, 0, swept.err);
    assert.match(swept.out, new RegExp(`Deleted ${found} of ${found}\\.`));
    // Left: the kinds with nowhere to carry a mark, and the three objects that were never pr-12's.
    assert.deepEqual(
        sandbox.leftovers().filter((what) => !UNMARKED_LEFTOVERS.has(what)),
        ["Stripe product", "Supabase bucket", "Trello board"],
    );
    assert.equal(sandbox.stripe.products.get(other.id)?.active, true, "another stack's product is untouched");
    assert.ok(sandbox.supabase.buckets.has("stackwire-pr-123-uploads"), "pr-12's prefix does not take pr-123's bucket");
    assert.equal(sandbox.trello.boards.get(handMade.id)?.closed, false, "an unmarked board is untouched");

    const again = await sweep("--stack", "pr-12", "--state", empty, "--yes");
    assert.match(again.out, /Nothing left over by stack pr-12\./);
});

test("a prod stack is never swept, and deleting needs --yes outside a terminal", { skip }, async () => {
    writeStackFiles("prod", { trello: sandbox.settings.trello });
    const prod = await sweep("--stack", "prod", "--state", writeState({ version: 3, deployment: { resources: [] } }), "--yes");
    assert.equal(prod.status, 1, prod.err);
    assert.match(prod.err, /stack "prod" is a prod stack: .* prod is never swept/);
    writeStackFiles("main", { environment: "prod", trello: sandbox.settings.trello });
    assert.match((await sweep("--stack", "main", "--yes")).err, /stack "main" is a prod stack/);

    writeStackFiles("pr-12", { trello: sandbox.settings.trello });
    // Another stack's export, or one of another shape, never stands for this stack's state.
    const theirs = await sweep("--stack", "pr-12", "--state", writeState({ version: 3, deployment: { resources: [{ urn: "urn:pulumi:pr-13::stackwire::pulumi-nodejs:dynamic/trello:Board::b", id: "x" }] } }), "--dry-run");
    assert.equal(theirs.status, 1);
    assert.match(theirs.err, /the state is not stack pr-12's of project stackwire: it holds urn:pulumi:pr-13::/);
    assert.match((await sweep("--stack", "pr-12", "--state", writeState({ checkpoint: { latest: {} } }), "--dry-run")).err, /the state has no deployment\.resources list/);
    await trelloBoard("Left", "stackwire:urn:pulumi:pr-12::stackwire::pulumi-nodejs:dynamic/trello:Board::left");
    const unconfirmed = await sweep("--stack", "pr-12", "--state", writeState({ version: 3, deployment: { resources: [] } }));
    assert.equal(unconfirmed.status, 2, `${unconfirmed.err}\n${unconfirmed.out}`);
    assert.match(unconfirmed.err, /deleting needs a confirmation: run in a terminal, or pass --yes \(CI\) or --dry-run/);
    assert.ok([...sandbox.trello.boards.values()].some((b) => b.name === "Left" && b.closed !== true), "nothing deleted without confirmation");
});

test("the mobile platforms' objects a lost state left are swept by their names; another stack's and unmarked ones stay", { skip }, async () => {
    const filled = fillForSandbox("mobile", sandbox.urls(process.env.STACKWIRE_TEST_REDIS_URL));
    const agoraProject = async (name: string) => ((await (await fetch(`${sandbox.agora.url}/dev/v1/project`, { method: "POST", headers: { authorization: `Basic ${Buffer.from(`${SANDBOX_KEYS.agoraCustomerId}:${SANDBOX_KEYS.agoraCustomerSecret}`).toString("base64")}`, "content-type": "application/json" }, body: JSON.stringify({ name, enable_sign_key: true }) })).json()) as { project: { id: string } }).project;
    // An OpenAI project made by hand under the very name the stack would give its own, then adopted: never the sweep's.
    const openaiAdmin = { authorization: `Bearer ${SANDBOX_KEYS.openaiAdminKey}`, "content-type": "application/json" };
    const handMade = (await (await fetch(`${sandbox.openai.url}/v1/organization/projects`, { method: "POST", headers: openaiAdmin, body: JSON.stringify({ name: "stackwire-pr-12-openai" }) })).json()) as { id: string };
    const settings = { ...filled, openai: { ...(filled.openai as object), project: { name: "stackwire-pr-12-openai", adopt: handMade.id } } };
    writeStackFiles("pr-12", settings);
    await sandbox.up(settings, { platformKeys: SANDBOX_PLATFORM_KEYS });
    // Another stack's project, and a longer stack's (pr-12-alice), which pr-12's names must not take.
    const theirs = { project: await agoraProject("stackwire-pr-123-agora") };
    const longer = await fetch(`${sandbox.posthog.url}/api/organizations/${SANDBOX_POSTHOG_ORGANIZATION}/projects/`, { method: "POST", headers: { authorization: `Bearer ${SANDBOX_KEYS.posthogPersonalKey}`, "content-type": "application/json" }, body: JSON.stringify({ name: "stackwire-pr-12-alice-posthog" }) });
    const alice = (await longer.json()) as { id: number };
    sandbox.stackEngine.forgetState();
    const empty = writeState({ version: 3, deployment: { resources: [] } });

    const swept = await sweep("--stack", "pr-12", "--state", empty, "--yes");
    assert.equal(swept.status, 0, swept.err);
    for (const line of [/Agora\s+project\s+\S+\s+stackwire-pr-12-agora\s/, /PostHog\s+project\s+\S+\s+stackwire-pr-12-posthog\s/, /Mapbox\s+token\s+\S+\s+stackwire-pr-12-mapbox-app/]) assert.match(swept.out, line);
    assert.doesNotMatch(swept.out, /OpenAI\s+project/, "the adopted OpenAI project is not listed");
    assert.match(swept.out, /Expo \(EAS\) environment variables/, "the report names what it cannot find");
    assert.deepEqual(
        sandbox.leftovers().filter((what) => /^(OpenAI|Agora|Mapbox|PostHog|Expo)/.test(what) && !UNMARKED_LEFTOVERS.has(what)),
        ["OpenAI project", "Agora project", "PostHog project", "Expo variable", "Expo variable", "Expo variable", "Expo variable"],
        "left: the other stack's Agora project, the longer stack's PostHog project, the adopted OpenAI project and the unmarked EAS variables",
    );
    assert.equal(sandbox.agora.projects.get(theirs.project.id)?.status, 1);
    assert.deepEqual([...sandbox.agora.projects.values()].filter((p) => p.name === "stackwire-pr-12-agora").map((p) => p.status), [0], "the stack's own Agora project is disabled");
    assert.equal(sandbox.openai.projects.get(handMade.id)?.status, "active", "the adopted project stays active");
    assert.equal(sandbox.posthog.projects.get(alice.id)?.is_pending_deletion, false, "pr-12-alice's project is not pr-12's");
});
