/**
 * "Not found" means gone only when it is gone (issue 16): for every kind, a credential that may
 * not see the object makes refresh and destroy fail with the credential's name, and the object
 * stays in state and in the service; an object really deleted out of band leaves the state and
 * its delete succeeds; ids that would be misrouted in a URL are refused before any request.
 */
import { describe, expect, it } from "vitest";
import { allScenarios } from "../scenarios";
import type { KindScenario } from "../scenarios/scenario";
import { configuredProvider } from "./harness";
import { runningRigs } from "./rigs";

const scenarios = allScenarios();
runningRigs(scenarios);


async function created(s: KindScenario) {
    s.rig.emulator.reset();
    const { provider } = await configuredProvider(s.definition, s.rig.credentials);
    const checked = await provider.check({}, { ...s.rig.connection(), ...(await s.inputs()) });
    expect(checked.failures ?? []).toEqual([]);
    const { id, outs } = await provider.create(checked.inputs);
    return { provider, id, outs, inputs: checked.inputs };
}

describe.each(scenarios.map((s) => [s.kind, s] as const))("%s", (_kind, s) => {
    (s.blind ? it : it.skip)("with a credential that cannot see it, refresh and destroy fail naming the setting, and it stays", async () => {
        const { id, outs } = await created(s);
        const { provider: blind } = await configuredProvider(s.definition, s.blind!.credentials);
        const settings = new RegExp(Object.keys(s.blind!.credentials).join("|"));
        await expect(blind.read(id, outs)).rejects.toThrow(settings);
        await expect(blind.delete(id, outs)).rejects.toThrow(settings);
        expect(s.held()).toContain(id);
    });

    (s.removeOutOfBand ? it : it.skip)("deleted out of band, it leaves the state on refresh and its delete succeeds", async () => {
        const { provider, id, outs } = await created(s);
        s.removeOutOfBand!(id);
        expect((await provider.read(id, outs)).id).toBe("");
        await expect(provider.delete(id, outs)).resolves.toBeUndefined();
    });

    (s.removeParentOutOfBand ? it : it.skip)("its parent deleted out of band, it leaves the state on refresh and its delete succeeds", async () => {
        const { provider, id, outs } = await created(s);
        s.removeParentOutOfBand!(id);
        expect((await provider.read(id, outs)).id).toBe("");
        await expect(provider.delete(id, outs)).resolves.toBeUndefined();
    });

    (s.reservedIds ? it : it.skip)("an id holding URL-reserved characters is refused before any request", async () => {
        s.rig.emulator.reset();
        const { provider } = await configuredProvider(s.definition, s.rig.credentials);
        const base = { ...s.rig.connection(), ...(await s.inputs()) };
        const before = s.rig.emulator.totalRequests();
        for (const reserved of s.reservedIds!) {
            const checked = await provider.check({}, { ...base, ...reserved });
            expect(checked.failures ?? [], JSON.stringify(reserved)).not.toEqual([]);
        }
        expect(s.rig.emulator.totalRequests()).toBe(before);
    });

    (s.awkwardIds ? it : it.skip)("an id holding URL-reserved characters reaches its own object, through create, refresh and delete", async () => {
        for (const awkward of s.awkwardIds!) {
            s.rig.emulator.reset();
            const { provider } = await configuredProvider(s.definition, s.rig.credentials);
            const checked = await provider.check({}, { ...s.rig.connection(), ...(await s.inputs()), ...awkward });
            expect(checked.failures ?? [], JSON.stringify(awkward)).toEqual([]);
            const { id, outs } = await provider.create(checked.inputs);
            expect(s.held()).toEqual([id]);
            expect((await provider.read(id, outs)).id, JSON.stringify(awkward)).toBe(id);
            await provider.delete(id, outs);
            expect(s.held()).toEqual([]);
        }
    });
});

