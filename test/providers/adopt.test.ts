/**
 * Issue 14: every dynamic resource kind adopts an object that already exists. For each kind's
 * scenario: an object made outside the stack (no mark) is adopted with reads only; the state it
 * leaves diffs clean against the config; an in-place change is applied as an update of that
 * object; a missing id, an object another stack marked, and a difference that would replace the
 * object are refused before any write.
 */
import { describe, expect, it } from "vitest";
import { allScenarios } from "../scenarios";
import type { KindScenario } from "../scenarios/scenario";
import { configuredProvider } from "./harness";
import { runningRigs } from "./rigs";

const scenarios = allScenarios();
runningRigs(scenarios);

/** Writes the emulator answered since its counts were reset: every request but GET. */
const writes = (s: KindScenario) => s.rig.emulator.writeCount();

/**
 * Kinds whose adoption writes even when the object matches: their secret settings (and a
 * function's deployed code) cannot be read back, so the config's are written once.
 */
const writesUnreadable = (s: KindScenario) => (s.definition.secretInputs ?? []).length + (s.definition.unreadableInputs ?? []).length > 0;

/** An object of the kind made outside the stack: through the provider, without the stack's mark (unless the kind requires its URN). */
async function handMade(s: KindScenario) {
    s.rig.emulator.reset();
    const { provider } = await configuredProvider(s.definition, s.rig.credentials);
    const all = { ...s.rig.connection(), ...(await s.inputs()) } as Record<string, unknown>;
    const { resourceUrn: _urn, ...unmarked } = all;
    const inputs = s.definition.urnInput === "required" ? all : unmarked;
    const checked = await provider.check({}, inputs);
    expect(checked.failures ?? []).toEqual([]);
    const { id } = await provider.create(checked.inputs);
    return { provider, inputs, id };
}

describe.each(scenarios.filter((s) => !s.definition.notAdoptable).map((s) => [s.kind, s] as const))("%s", (_kind, s) => {
    it("adopts an existing object with reads only, and its state diffs clean against the config", async () => {
        const { provider, inputs, id } = await handMade(s);
        s.rig.emulator.resetCounts();
        const checked = await provider.check({}, { ...inputs, adopt: id });
        if (!writesUnreadable(s)) expect(checked.inputs.adoptChanges).toEqual([]);
        const adopted = await provider.create(checked.inputs);
        expect(adopted.id).toBe(id);
        if (!writesUnreadable(s)) expect(writes(s)).toBe(0);
        // The one object there was: nothing made beside it, even where adoption writes.
        expect(s.held()).toEqual([id]);
        expect((await provider.diff(id, adopted.outs, checked.inputs)).changes).toBe(false);
        // What the engine keeps names the adopted object; a later refresh still finds it.
        expect(adopted.outs.adopt).toBe(id);
        expect((await provider.read(id, adopted.outs)).id).toBe(id);
    });

    if (s.change) {
        it("applies an in-place difference as an update of the adopted object", async () => {
            const { provider, inputs, id } = await handMade(s);
            const checked = await provider.check({}, { ...inputs, ...s.change, adopt: id });
            // The preview shows what up will change, field by field.
            expect((checked.inputs.adoptChanges as string[]).length).toBeGreaterThan(0);
            s.rig.emulator.resetCounts();
            const adopted = await provider.create(checked.inputs);
            expect(adopted.id).toBe(id);
            expect(writes(s)).toBeGreaterThan(0);
            const refreshed = await provider.read(id, adopted.outs);
            expect((await provider.diff(id, refreshed.props, checked.inputs)).changes).toBe(false);
            expect(s.held()).toEqual([id]);
        });
    }

    it("refuses an id that does not exist, naming it, before any write", async () => {
        const { provider, inputs, id } = await handMade(s);
        // The same shape, another object: the last character changed.
        const missing = `${id.slice(0, -1)}${id.endsWith("0") ? "1" : "0"}`;
        s.rig.emulator.resetCounts();
        const checked = await provider.check({}, { ...inputs, adopt: missing });
        const named = s.definition.idFor !== undefined;
        const reason = named ? `adopt: ${s.definition.module}:${s.definition.type} "${missing}" is not the object this config names` : `adopt: ${s.definition.module}:${s.definition.type} "${missing}" does not exist, or this credential cannot see it`;
        // The preview's check refuses it; a create sent anyway refuses it too.
        expect(checked.failures).toEqual([{ property: "adopt", reason: expect.stringContaining(reason.replace(/^adopt: /, "")) }]);
        await expect(provider.create({ ...inputs, adopt: missing })).rejects.toThrow(reason);
        expect(writes(s)).toBe(0);
    });
});

describe("adoption refused before any write", () => {
    const scenario = (kind: string) => scenarios.find((s) => s.kind === kind)!;

    it.each([
        ["stripe:Price", { unitAmount: 4242 }, /cannot be made to match the config without replacing it \(unitAmount: found \d+, configured 4242\)/],
        ["appwrite:Attribute (email)", { type: "url" }, /cannot be made to match the config without replacing it \(type: found "email", configured "url"\)/],
        ["gitlab:Project", { path: "another-path" }, /cannot be made to match the config without replacing it \(path: found "[^"]+", configured "another-path"\)/],
    ])("%s whose %j differs would need a replacement", async (kind, change, message) => {
        const s = scenario(kind);
        const { provider, inputs, id } = await handMade(s);
        s.rig.emulator.resetCounts();
        const checked = await provider.check({}, { ...inputs, ...change, adopt: id });
        expect(checked.failures?.[0]?.reason).toMatch(message);
        expect(writes(s)).toBe(0);
    });

    it("a Stripe product another stack marked as its own", async () => {
        const s = scenario("stripe:Product");
        const { provider, inputs } = await handMade(s);
        const theirs = await provider.create((await provider.check({}, { ...inputs, metadata: { stackwire_stack: "stackwire/staging" } })).inputs);
        s.rig.emulator.resetCounts();
        const checked = await provider.check({}, { ...inputs, metadata: { stackwire_stack: "stackwire/prod" }, adopt: theirs.id });
        expect(checked.failures?.[0]).toMatchObject({ property: "adopt" });
        expect(checked.failures?.[0]?.reason).toContain(`stripe:Product "${theirs.id}" belongs to stack stackwire/staging: a stack adopts only objects no other stack manages`);
        expect(writes(s)).toBe(0);
    });

    it("a Trello board whose description carries another stack's mark", async () => {
        const s = scenario("trello:Board");
        const { provider, inputs } = await handMade(s);
        const theirs = await provider.create((await provider.check({}, { ...inputs, resourceUrn: "urn:pulumi:staging::stackwire::pulumi-nodejs:dynamic/trello:Board::ops" })).inputs);
        s.rig.emulator.resetCounts();
        const checked = await provider.check({}, { ...inputs, adopt: theirs.id });
        expect(checked.failures?.[0]).toMatchObject({ property: "adopt" });
        expect(checked.failures?.[0]?.reason).toContain(`trello:Board "${theirs.id}" belongs to stack stackwire/staging`);
        expect(writes(s)).toBe(0);
    });
});

describe("adoption refused for another stack's digest mark", () => {
    it("a Supabase Edge Function whose name carries another resource's [stackwire <digest>]", async () => {
        const s = scenarios.find((x) => x.kind === "supabase:EdgeFunction")!;
        const { provider, inputs } = await handMade(s);
        const slug = "relay-staging";
        const theirs = await provider.create((await provider.check({}, { ...inputs, slug, resourceUrn: "urn:pulumi:staging::stackwire::pulumi-nodejs:dynamic/supabase:EdgeFunction::relay" })).inputs);
        s.rig.emulator.resetCounts();
        const checked = await provider.check({}, { ...inputs, slug, adopt: theirs.id });
        expect(checked.failures?.[0]?.reason).toContain(`supabase:EdgeFunction "${theirs.id}" belongs to stack another (its mark is a digest of a resource URN)`);
        expect(writes(s)).toBe(0);
    });
});

describe.each(scenarios.filter((s) => s.definition.notAdoptable).map((s) => [s.kind, s] as const))("%s, whose secret output is shown only at creation", (_kind, s) => {
    it("is refused by name before any write", async () => {
        const { provider, inputs, id } = await handMade(s);
        s.rig.emulator.resetCounts();
        const checked = await provider.check({}, { ...inputs, adopt: id });
        expect(checked.failures?.[0]).toMatchObject({ property: "adopt" });
        expect(checked.failures?.[0]?.reason).toContain(`cannot be adopted: ${s.definition.notAdoptable}`);
        expect(writes(s)).toBe(0);
    });
});

describe("an adopted object stays adopted", () => {
    const s = scenarios.find((x) => x.kind === "stripe:Price")!;

    it("refuses losing or changing adopt, and a change that would replace it, before any write", async () => {
        const { provider, inputs, id } = await handMade(s);
        const checked = await provider.check({}, { ...inputs, adopt: id });
        const adopted = await provider.create(checked.inputs);
        s.rig.emulator.resetCounts();
        const dropped = await provider.check(adopted.outs, inputs);
        expect(dropped.failures?.[0]).toMatchObject({ property: "adopt" });
        expect(dropped.failures?.[0]?.reason).toContain(`stays adopted: keep adopt: ${id}`);
        const replaced = await provider.check(adopted.outs, { ...inputs, unitAmount: 4242, adopt: id });
        expect(replaced.failures?.[0]?.reason).toContain(`would replace adopted stripe:Price "${id}"`);
        expect((await provider.check(adopted.outs, { ...inputs, nickname: "Renamed", adopt: id })).failures ?? []).toEqual([]);
        expect(writes(s)).toBe(0);
    });

    it("never shows a secret's value among the differences a preview lists", async () => {
        const variable = scenarios.find((x) => x.kind === "gitlab:Variable")!;
        const { provider, inputs, id } = await handMade(variable);
        const checked = await provider.check({}, { ...inputs, value: "a-new-secret-value-0123", adopt: id });
        const changes = (checked.inputs.adoptChanges as string[]).join("\n");
        expect(changes).toContain("value");
        expect(changes).not.toContain("a-new-secret-value-0123");
        expect(changes).not.toContain(String(inputs.value));
    });
});
