import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EnvironmentError, environmentFor } from "../../stacks/environment";
import { LOGICAL_NAME_PATTERN, NAME_RULES, physicalName } from "../../stacks/naming";

describe("environment from the stack name", () => {
    it.each([
        ["dev", "dev", false, false, false],
        ["staging", "staging", false, false, false],
        ["prod", "prod", true, true, false],
        ["pr-123", "preview", false, false, true],
        ["local", "local", false, false, true],
    ])("stack %s is %s (protect %s, retain %s, fully destroyable %s)", (stack, kind, protect, retain, destroyable) => {
        const env = environmentFor("stackwire", stack);
        expect(env).toMatchObject({ kind, protectStateful: protect, retainDataOnDelete: retain, fullyDestroyable: destroyable });
    });

    it("only prod accepts live payment keys", () => {
        expect(["dev", "staging", "prod", "pr-1", "local"].filter((s) => environmentFor("stackwire", s).allowLiveKeys)).toEqual(["prod"]);
    });

    it("keeps the pull-request number of a preview stack", () => {
        expect(environmentFor("stackwire", "pr-42").pullRequest).toBe(42);
    });

    it("refuses a stack name that says nothing, naming the accepted ones", () => {
        expect(() => environmentFor("stackwire", "feature-x")).toThrow(EnvironmentError);
        expect(() => environmentFor("stackwire", "feature-x")).toThrow(/"dev", "staging", "prod", "local" or "pr-<number>"/);
    });

    it("lets a stack named otherwise declare its environment", () => {
        expect(environmentFor("stackwire", "acme-prod", "prod").protectStateful).toBe(true);
        expect(() => environmentFor("stackwire", "acme", "qa")).toThrow(/environment: must be one of/);
    });
});

const logicalNames = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/).filter((s) => LOGICAL_NAME_PATTERN.test(s));
const stackNames = fc.oneof(fc.constantFrom("dev", "staging", "prod", "local"), fc.integer({ min: 1, max: 10 ** 9 }).map((n) => `pr-${n}`));
const projects = fc.stringMatching(/^[a-z][a-z0-9-]{0,60}$/);

describe("physical names", () => {
    const rule = NAME_RULES.supabaseBucket;

    it("are project-stack-name when that fits", () => {
        expect(physicalName({ project: "stackwire", stack: "pr-7" }, "avatars", rule)).toBe("stackwire-pr-7-avatars");
    });

    it("never exceed the service limit, and are deterministic", () => {
        fc.assert(
            fc.property(projects, stackNames, logicalNames, (project, stack, name) => {
                const a = physicalName({ project, stack }, name, { ...rule, maxLength: 40 });
                expect(a.length).toBeLessThanOrEqual(40);
                expect(physicalName({ project, stack }, name, { ...rule, maxLength: 40 })).toBe(a);
            }),
        );
    });

    it("keep distinct names distinct even when cut", () => {
        fc.assert(
            fc.property(projects, stackNames, logicalNames, logicalNames, (project, stack, a, b) => {
                fc.pre(a !== b);
                const cut = { ...rule, maxLength: 30 };
                expect(physicalName({ project, stack }, a, cut)).not.toBe(physicalName({ project, stack }, b, cut));
            }),
        );
    });

    it("keep stacks apart: the same name in two stacks never collides", () => {
        fc.assert(
            fc.property(projects, stackNames, stackNames, logicalNames, (project, s1, s2, name) => {
                fc.pre(s1 !== s2);
                expect(physicalName({ project, stack: s1 }, name, rule)).not.toBe(physicalName({ project, stack: s2 }, name, rule));
            }),
        );
    });

    it("refuse characters the service rejects", () => {
        expect(() => physicalName({ project: "stack/wire", stack: "dev" }, "x", rule)).toThrow(/Supabase bucket id "stack\/wire-dev-x".*refuses/);
    });
});
