/**
 * Every dynamic resource kind x (429 with Retry-After, 500, commit-then-drop) x (create, update,
 * delete), plus "the provider gave up and the engine runs create again": each operation ends
 * with exactly the objects it should (no duplicate, no orphan) and outputs that match the API.
 */
import { describe, expect, it } from "vitest";
import type { FaultKind } from "../../sandbox/emulators/frame";
import { allScenarios } from "../scenarios";
import type { KindScenario } from "../scenarios/scenario";
import { configuredProvider } from "./harness";
import { runningRigs } from "./rigs";

const scenarios = allScenarios();
runningRigs(scenarios);
const FAULTS: FaultKind[] = ["rate-limit", "server-error", "drop-after-commit"];


async function fresh(s: KindScenario, policy: { maxAttempts?: number } = {}) {
    s.rig.emulator.reset();
    const { provider } = await configuredProvider(s.definition, s.rig.credentials, policy);
    const checked = await provider.check({}, { ...s.rig.connection(), ...(await s.inputs()) });
    expect(checked.failures ?? []).toEqual([]);
    return { provider, inputs: checked.inputs };
}

/** The object is the only one of its kind, and a refresh agrees with the outputs. */
async function expectExactlyOne(s: KindScenario, provider: Awaited<ReturnType<typeof fresh>>["provider"], id: string, outs: Record<string, unknown>, inputs: Record<string, unknown>) {
    expect(s.held()).toEqual([id]);
    const read = await provider.read(id, outs);
    expect(read.id).toBe(id);
    expect((await provider.diff(id, read.props, inputs)).changes).toBe(false);
    s.verify?.(id, outs);
}

describe.each(scenarios.map((s) => [s.kind, s] as const))("%s", (_kind, s) => {
    it.each(FAULTS)("create survives %s", async (fault) => {
        const { provider, inputs } = await fresh(s);
        s.rig.emulator.inject({ kind: fault, route: s.writes.create });
        const { id, outs } = await provider.create(inputs);
        await expectExactlyOne(s, provider, id, outs, inputs);
    });

    // Kinds whose every change replaces the object have no update to break.
    (s.change && s.writes.update ? it.each(FAULTS) : it.skip.each(FAULTS))("update survives %s", async (fault) => {
        const { provider, inputs } = await fresh(s);
        const { id, outs } = await provider.create(inputs);
        const news = (await provider.check({}, { ...inputs, ...s.change! })).inputs;
        expect((await provider.diff(id, outs, news)).replaces).toEqual([]);
        s.rig.emulator.inject({ kind: fault, route: s.writes.update! });
        const updated = await provider.update(id, outs, news);
        await expectExactlyOne(s, provider, id, updated.outs, news);
    });

    it.each(FAULTS)("delete survives %s", async (fault) => {
        const { provider, inputs } = await fresh(s);
        const { id, outs } = await provider.create(inputs);
        s.rig.emulator.inject({ kind: fault, route: s.writes.delete });
        await provider.delete(id, outs);
        expect(s.held()).toEqual([]);
    });

    it("a create the provider gave up on, run again by the engine, adopts what landed", async () => {
        const { provider: impatient, inputs } = await fresh(s);
        // The create lands, its answer is lost, then the API is down until the provider gives up.
        s.rig.emulator.inject({ kind: "drop-after-commit", route: s.writes.create, thenOutage: 200 });
        await expect(impatient.create(inputs)).rejects.toThrow();
        s.rig.emulator.clearFaults();
        expect(s.held()).toHaveLength(1);
        const { provider } = await configuredProvider(s.definition, s.rig.credentials);
        const { id, outs } = await provider.create(inputs);
        await expectExactlyOne(s, provider, id, outs, inputs);
    });
});
