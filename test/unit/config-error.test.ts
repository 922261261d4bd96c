/**
 * What `pulumi up` prints for an invalid config: the Node language host (@pulumi/pulumi
 * cmd/run/run.js) prints a RunError's message alone, and anything else as "Running program …
 * failed with an unhandled exception:" followed by util.inspect of the error (defaultErrorMessage).
 * The README promises the first: this holds it to the README's own example, word for word.
 */
import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { validateStackConfig } from "../../stacks/config";
import { environmentFor } from "../../stacks/environment";

// The language host's formatter for errors that are not RunErrors.
const { defaultErrorMessage } = require("@pulumi/pulumi/cmd/run/error") as { defaultErrorMessage(err: unknown): string };

/** The language host's uncaught-error branch, as it decides what to print. */
function printedByLanguageHost(err: unknown): string {
    if (pulumi.RunError.isInstance(err)) return (err as Error).message;
    return `Running program '/project' failed with an unhandled exception:\n${defaultErrorMessage(err)}`;
}

function readmeExample(): string {
    const readme = readFileSync("README.md", "utf8");
    const block = /listed at once:\n\n```\n([\s\S]*?)\n```/.exec(readme);
    if (!block) throw new Error("README.md no longer shows the invalid-config example");
    return block[1];
}

describe("an invalid config under `pulumi up`", () => {
    it("prints exactly the README's list of problems, with no stack trace or object dump", () => {
        const settings = { supabase: { url: "not a url", buckets: { Avatars: {} } } };
        const error = (() => {
            try {
                validateStackConfig({ settings, secretness: { supabase: false }, env: {} }, environmentFor("stackwire", "dev"));
            } catch (err) {
                return err;
            }
            throw new Error("config was accepted");
        })();
        expect(printedByLanguageHost(error)).toBe(readmeExample());
    });
});
