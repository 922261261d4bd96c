/**
 * The upgrade rule on the state the lean engine path writes: each resource's state as an earlier
 * build kept it (fixtures/state-<commit>.json.gz, recorded by fixtures/record-state.js, one
 * object of every kind) is diffed, refreshed and deleted by the installed code. The object is
 * made anew on the emulator (the recorded one lived on the recorder's); the state handed over
 * is the recorded one, with the new object's id, its parents' ids and the ids the server assigned
 * (fields named …Id, …Ids) in place of the recorded ones.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { gunzipSync } from "node:zlib";
import { storedProviderText } from "../../dynamic-providers/core/resource";
import { RigHosts } from "./rig-hosts";
import { createThrough, PLACEHOLDER, scenariosByKind, type StateFixture } from "./fixtures/record-state";

const FIXTURES = path.resolve(__dirname, "../../../test/engine/fixtures");
const fixtures = readdirSync(FIXTURES)
    .filter((f) => /^state-[0-9a-f]{7}\.json\.gz$/.test(f))
    .map((f) => JSON.parse(gunzipSync(readFileSync(path.join(FIXTURES, f))).toString("utf8")) as StateFixture)
    // Oldest first: the newest must hold every kind.
    .sort((a, b) => (a.recordedAt ?? "").localeCompare(b.recordedAt ?? ""));
const scenarios = scenariosByKind();
const rigHosts = new RigHosts([...new Set([...scenarios.values()].map((s) => s.rig))]);

before(() => rigHosts.start());
after(() => rigHosts.stop());

/** Inputs whose values are this run's: ids of parents made for the scenario, URLs on this run's servers. */
const RUN_SPECIFIC = /(Id|Ids|Url)$|^product$/;

/** A recorded value with the emulator's address put back where the recording wrote the placeholder. */
const withEmulator = (value: unknown, url: string): unknown => JSON.parse(JSON.stringify(value ?? null).split(PLACEHOLDER).join(url));

/** Every string value equal to one of `from` replaced by its counterpart, in a copy. */
function replaced(value: unknown, swaps: Map<string, string>): unknown {
    if (typeof value === "string") return swaps.get(value) ?? value;
    if (Array.isArray(value)) return value.map((v) => replaced(v, swaps));
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaced(v, swaps)]));
    return value;
}

test("a fixture of today's state is recorded, holding every kind the engine registers", () => {
    assert.ok(fixtures.length >= 1);
    for (const fixture of fixtures) {
        const missing = [...scenarios.keys()].filter((kind) => !fixture.cases.some((c) => c.kind === kind));
        // Kinds added after a fixture was recorded are not in it; every kind of the newest must be.
        if (fixture === fixtures[fixtures.length - 1]) assert.deepEqual(missing, [], `kinds not recorded in state-${fixture.commit.slice(0, 7)}`);
    }
});

for (const fixture of fixtures) {
    describe(`state written by ${fixture.commit.slice(0, 7)}`, () => {
        for (const recorded of fixture.cases) {
            test(`${recorded.kind}: diffed, refreshed and deleted by the installed code`, async () => {
                const s = scenarios.get(recorded.kind);
                assert.ok(s, `${recorded.kind} has a scenario: a kind is never removed once released`);
                const host = rigHosts.hostFor(s.rig);
                s.rig.emulator.reset();
                const made = await createThrough(host, s, "upgrade");
                // The recorded state, moved to the object made now: its id, its parents' ids (the inputs), this emulator.
                const swaps = new Map<string, string>([[recorded.id, made.id]]);
                const swap = (value: unknown, now: unknown) => {
                    if (typeof value === "string" && typeof now === "string" && value !== now && !value.includes(PLACEHOLDER)) swaps.set(value, now);
                    if (Array.isArray(value) && Array.isArray(now)) value.forEach((v, i) => swap(v, now[i]));
                };
                // Only inputs that name this run's objects (parents' ids, a hook's URL) may differ; any other input that reads
                // differently now means the installed code changed what a recorded input means, which the test must show.
                for (const [key, value] of Object.entries(recorded.inputs)) {
                    if (RUN_SPECIFIC.test(key)) swap(value, made.inputs[key]);
                    else assert.deepEqual(withEmulator(value, s.rig.emulator.url), made.inputs[key], `${recorded.kind}.${key} reads differently since ${fixture.commit.slice(0, 7)}`);
                }
                // Ids the server assigned besides the object's own (a function's active deployment, a team's key ids).
                for (const [key, value] of Object.entries(recorded.outputs)) if (!(key in recorded.inputs) && /Ids?$/.test(key)) swap(value, made.outputs[key]);
                const text = JSON.stringify(replaced(recorded.outputs, swaps)).split(PLACEHOLDER).join(s.rig.emulator.url);
                const old = { ...(JSON.parse(text) as Record<string, unknown>), __provider: storedProviderText(`${s.definition.module}:${s.definition.type}`) };

                const diff = await host.diff(made.id, made.urn, old, made.inputs);
                assert.equal(diff.changes, "none", `${recorded.kind}: the recorded state matches the same inputs`);
                const refreshed = await host.read(made.id, made.urn, old);
                assert.equal(refreshed.id, made.id, `${recorded.kind}: refresh finds the object`);
                assert.equal((await host.diff(made.id, made.urn, refreshed.properties, made.inputs)).changes, "none", `${recorded.kind}: after refresh the next up changes nothing`);
                await host.delete(made.id, made.urn, old);
                assert.ok(!s.held().includes(made.id), `${recorded.kind}: deleted from the recorded state`);
            });
        }
    });
}
