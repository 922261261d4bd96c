/**
 * An API that echoes the whole request in its error (headers, query, body) must not carry a
 * credential or a secret input out through the provider's error: every kind, create and update.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allScenarios } from "../scenarios";
import { configuredProvider } from "./harness";

const scenarios = allScenarios();
const rigs = [...new Set(scenarios.map((s) => s.rig))];
const CANARY = "canary-7f3a9c1e5b2d4068";

beforeAll(async () => {
    for (const rig of rigs) await rig.emulator.start();
});
afterAll(async () => {
    for (const rig of rigs) await rig.emulator.stop();
});

/** Everything an error shows: message, fields, stack. */
function everythingIn(err: unknown): string {
    const e = err as Record<string, unknown>;
    return [String(e?.message), String(e?.stack), JSON.stringify(e, Object.getOwnPropertyNames(e ?? {}))].join("\n");
}

describe.each(scenarios.map((s) => [s.kind, s] as const))("%s", (_kind, s) => {
    const secrets = () => [...Object.values(s.rig.credentials), ...(s.secretInputs ? [CANARY] : [])];

    it("an error that echoes the create request carries no credential and no secret input", async () => {
        s.rig.emulator.reset();
        const { provider } = await configuredProvider(s.definition, s.rig.credentials);
        const raw = { ...s.rig.connection(), ...(await s.inputs()) };
        const checked = await provider.check({}, s.secretInputs ? s.secretInputs(raw, CANARY) : raw);
        expect(checked.failures ?? []).toEqual([]);
        s.rig.emulator.inject({ kind: "echo-reject", route: s.writes.create, times: 10 });
        const text = everythingIn(await provider.create(checked.inputs).catch((e) => e));
        expect(text).toContain("Invalid request");
        for (const secret of secrets()) expect(text).not.toContain(secret);
    });

    (s.change && s.writes.update ? it : it.skip)("an error that echoes the update request carries no credential and no secret input", async () => {
        s.rig.emulator.reset();
        const { provider } = await configuredProvider(s.definition, s.rig.credentials);
        const raw = { ...s.rig.connection(), ...(await s.inputs()) };
        const checked = await provider.check({}, s.secretInputs ? s.secretInputs(raw, CANARY) : raw);
        const { id, outs } = await provider.create(checked.inputs);
        const news = (await provider.check({}, { ...checked.inputs, ...s.change! })).inputs;
        s.rig.emulator.inject({ kind: "echo-reject", route: s.writes.update!, times: 10 });
        const text = everythingIn(await provider.update(id, outs, news).catch((e) => e));
        expect(text).toContain("Invalid request");
        for (const secret of secrets()) expect(text).not.toContain(secret);
    });
});
