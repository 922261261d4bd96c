/**
 * An API that echoes the whole request in its error (headers, query, body) must not carry a
 * credential or a secret input out through the provider's error: every kind, create and update.
 */
import { describe, expect, it } from "vitest";
import { allScenarios } from "../scenarios";
import { configuredProvider } from "./harness";
import { runningRigs } from "./rigs";

const scenarios = allScenarios();
runningRigs(scenarios);
// Characters that change under URL, form and JSON encoding: every echoed form must be caught.
const CANARY = 'canary 7f3a+9c1e/5b2d&4068"é';


/** Everything an error shows: message, fields, stack. */
function everythingIn(err: unknown): string {
    const e = err as Record<string, unknown>;
    return [String(e?.message), String(e?.stack), JSON.stringify(e, Object.getOwnPropertyNames(e ?? {}))].join("\n");
}

/** The secret values the inputs carry (a URL's user and password too), as the provider received them. */
function secretValuesIn(value: unknown): string[] {
    if (typeof value === "string") {
        const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^/@]+)@/i.exec(value)?.[1];
        return [value, ...(userinfo ? userinfo.split(/:(.*)/s).filter(Boolean).map(decodeURIComponent) : [])];
    }
    if (Array.isArray(value)) return value.flatMap(secretValuesIn);
    if (value && typeof value === "object") return Object.values(value).flatMap(secretValuesIn);
    return [];
}

/** A secret as an echo may carry it: raw, URL-encoded, form-encoded, escaped in JSON. */
const echoedForms = (secret: string) => [...new Set([secret, encodeURIComponent(secret), new URLSearchParams({ v: secret }).toString().slice(2), JSON.stringify(secret).slice(1, -1)])];

describe.each(scenarios.map((s) => [s.kind, s] as const))("%s", (_kind, s) => {
    const secretInputs = (inputs: Record<string, unknown>) => ((s.definition.secretInputs ?? []) as string[]).flatMap((key) => secretValuesIn(inputs[key]));
    const secrets = (inputs: Record<string, unknown>) => [...Object.values(s.rig.credentials), ...secretInputs(inputs)].flatMap(echoedForms);

    it("an error that echoes the create request carries no credential and no secret input", async () => {
        s.rig.emulator.reset();
        const { provider } = await configuredProvider(s.definition, s.rig.credentials);
        const raw = { ...s.rig.connection(), ...(await s.inputs()) };
        const checked = await provider.check({}, s.secretInputs ? s.secretInputs(raw, CANARY) : raw);
        expect(checked.failures ?? []).toEqual([]);
        s.rig.emulator.inject({ kind: "echo-reject", route: s.writes.create, times: 10 });
        const text = everythingIn(await provider.create(checked.inputs).catch((e) => e));
        expect(text).toContain("Invalid request");
        if (s.secretInputs) expect(secretInputs(checked.inputs).some((v) => v.includes("canary"))).toBe(true);
        for (const secret of secrets(checked.inputs)) expect(text).not.toContain(secret);
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
        for (const secret of secrets(news)) expect(text).not.toContain(secret);
    });
});
