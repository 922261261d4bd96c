/**
 * The upgrade rule, proven on state that an earlier build wrote. Each case in
 * fixtures/previous-build.json.gz is a resource as the previous build registered it, with the
 * provider it serialized by value (fixtures/record-previous-build.js records them). Through the
 * real provider host: the old code creates the object (the state that build left behind); the
 * current build then diffs, updates (no API call), refreshes and deletes it, all with the
 * installed code. A resource removed from the program in the same up is still deleted by the
 * code stored in its state.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { gunzipSync } from "node:zlib";
import { after, before, test } from "node:test";
import { storedProviderText } from "../../dynamic-providers/core/resource";
import { SANDBOX_APPWRITE, SANDBOX_ENV, SANDBOX_SUPABASE_REF, sandboxEmulators } from "../../sandbox/local-stack";
import { DynamicProviderHost, SECRET_SIG } from "../../sandbox/engine/host";

interface RecordedCase {
    kind: string;
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}

const fixture = JSON.parse(gunzipSync(readFileSync(path.resolve(__dirname, "../../../test/engine/fixtures/previous-build.json.gz"))).toString("utf8")) as { commit: string; cases: RecordedCase[] };
const emulators = sandboxEmulators();
let host: DynamicProviderHost;

before(async () => {
    await Promise.all(Object.values(emulators).map((e) => e.start()));
    host = await DynamicProviderHost.start(SANDBOX_ENV);
    await host.configure({});
});
after(async () => {
    await host.stop();
    await Promise.all(Object.values(emulators).map((e) => e.stop()));
});

/** As the engine sends inputs to a provider host that does not accept secrets: unwrapped. */
function unwrapped(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(unwrapped);
    if (value && typeof value === "object") {
        if (SECRET_SIG in value) return unwrapped((value as Record<string, unknown>).value);
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapped(v)]));
    }
    return value;
}

/** The recorded inputs with the placeholders filled in: emulators' URLs and ids created before. */
function inputsOf(c: RecordedCase, ids: Record<string, string>): Record<string, unknown> {
    const values: Record<string, string> = {
        supabase: emulators.supabase.url,
        management: emulators.management.url,
        projectRef: SANDBOX_SUPABASE_REF,
        stripe: emulators.stripe.url,
        appwrite: `${emulators.appwrite.url}/v1`,
        appwriteProject: SANDBOX_APPWRITE.projectId,
        gitlab: emulators.gitlab.url,
        trello: `${emulators.trello.url}/1`,
        resend: emulators.resend.url,
        product: ids.stripeProduct,
        project: ids.gitlabProject,
        board: ids.trelloBoard,
    };
    const text = JSON.stringify(unwrapped(c.inputs)).replace(/\{\{(\w+)\}\}/g, (_m, key: string) => values[key]);
    return JSON.parse(text) as Record<string, unknown>;
}

/** The provider the current build stores for a kind. */
async function currentProvider(kind: string): Promise<string> {
    return storedProviderText(kind);
}

const totalRequests = () => Object.values(emulators).reduce((n, e) => n + e.totalRequests(), 0);
const urnOf = (c: RecordedCase) => `urn:pulumi:dev::stackwire::${c.type}::${c.name}`;

/** Whether the object a case created is gone (or archived, where the API only archives). */
function isGone(kind: string, id: string): boolean {
    switch (kind) {
        case "supabaseBucket":
            return !emulators.supabase.buckets.has(id);
        case "supabaseSecretSet":
            return !emulators.management.secrets.get(SANDBOX_SUPABASE_REF)!.has("UPGRADE_SECRET");
        case "stripeProduct":
            return emulators.stripe.products.get(id)?.active !== true;
        case "stripePrice":
            return emulators.stripe.prices.get(id)?.active === false;
        case "stripeWebhookEndpoint":
            return !emulators.stripe.webhookEndpoints.has(id);
        case "appwriteDatabase":
            return !emulators.appwrite.databases.has(id);
        case "appwriteCollection":
            return !emulators.appwrite.databases.get("upgrade-db")?.collections.has(id);
        case "appwriteAttribute": {
            // Appwrite drops an attribute in the background: deleting counts as gone.
            const attribute = emulators.appwrite.databases.get("upgrade-db")?.collections.get("users")?.attributes.get("email");
            return attribute === undefined || attribute.building.status === "deleting";
        }
        case "gitlabProject":
            return emulators.gitlab.projects.get(Number(id))?.pending_delete === true;
        case "gitlabVariable":
            return ![...emulators.gitlab.projects.values()].some((p) => p.variables.some((v: { key: string }) => v.key === "UPGRADE_TOKEN"));
        case "trelloBoard":
            return !emulators.trello.boards.has(id);
        case "trelloList":
            return emulators.trello.lists.get(id)?.closed === true;
        case "resendApiKey":
            return !emulators.resend.apiKeys.has(id);
        default:
            throw new Error(`no check for ${kind}`);
    }
}

test(`state written by the previous build (${fixture.commit.slice(0, 7)}) is updated, refreshed and deleted by the current build`, async () => {
    assert.match(fixture.commit, /^[0-9a-f]{40}$/);
    assert.equal(fixture.cases.length, 13);
    const ids: Record<string, string> = {};
    const states = new Map<string, { id: string; properties: Record<string, unknown> }>();

    // The previous build's program: its provider checks and creates, and its text is in the state.
    for (const c of fixture.cases) {
        assert.ok((c.inputs.__provider as string).length > 30_000, `${c.kind} carries the previous build's provider by value`);
        const checked = await host.check(urnOf(c), {}, inputsOf(c, ids));
        assert.deepEqual(checked.failures, [], c.kind);
        const created = await host.create(urnOf(c), checked.inputs);
        assert.equal(created.properties.__provider, c.inputs.__provider);
        ids[c.kind] = created.id;
        states.set(c.kind, created);
    }

    // The current build: the same args, its own stored provider.
    for (const c of fixture.cases) {
        const state = states.get(c.kind)!;
        const provider = await currentProvider(c.type.replace(/^pulumi-nodejs:dynamic\//, ""));
        const checked = await host.check(urnOf(c), state.properties, { ...inputsOf(c, ids), __provider: provider });
        assert.deepEqual(checked.failures, [], c.kind);
        const diff = await host.diff(state.id, urnOf(c), state.properties, checked.inputs);
        assert.deepEqual(diff, { changes: "some", replaces: [], deleteBeforeReplace: false }, `${c.kind}: the stored provider changed, nothing to replace`);

        const before = totalRequests();
        const updated = await host.update(state.id, urnOf(c), state.properties, checked.inputs);
        assert.equal(totalRequests(), before, `${c.kind}: moving to the installed code calls no API`);
        assert.equal(updated.__provider, provider);
        assert.ok((updated.__provider as string).length <= 2048);

        const refreshed = await host.read(state.id, urnOf(c), updated);
        assert.equal(refreshed.id, state.id, `${c.kind}: the object is still there`);
        assert.equal(refreshed.properties.__provider, provider, `${c.kind}: refresh keeps the installed code`);
        const again = await host.diff(state.id, urnOf(c), refreshed.properties, checked.inputs);
        assert.equal(again.changes, "none", `${c.kind}: the next up changes nothing`);
        states.set(c.kind, { id: state.id, properties: refreshed.properties });
    }

    // Destroy, dependents first, with the installed code now in every state.
    for (const c of [...fixture.cases].reverse()) {
        const state = states.get(c.kind)!;
        await host.delete(state.id, urnOf(c), state.properties);
        assert.ok(isGone(c.kind, state.id), `${c.kind} is gone`);
    }
});

test("a resource removed from the program during the upgrade is deleted by the code in its state", async () => {
    for (const kind of ["supabaseBucket", "resendApiKey", "trelloBoard"]) {
        const c = fixture.cases.find((x) => x.kind === kind)!;
        const checked = await host.check(urnOf(c), {}, inputsOf(c, {}));
        const created = await host.create(urnOf(c), checked.inputs);
        assert.equal(isGone(kind, created.id), false);
        await host.delete(created.id, urnOf(c), created.properties);
        assert.ok(isGone(kind, created.id), `${kind} is gone`);
    }
});
