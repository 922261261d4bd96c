/**
 * What every resource stores as its provider: a small text that names its kind and loads the
 * installed provider code, the same for every resource of a kind, and never a credential. Every
 * definition the project holds is registered under its kind, so a stored provider always finds
 * its code.
 */
import assert from "node:assert/strict";
import { readdirSync, statSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { storedProviderText } from "../../dynamic-providers/core/resource";
import { DEFINITIONS, kindOf } from "../../dynamic-providers/engine";

const CANARY = "canary-credential-0123456789abcdef";

/** Every exported object of the compiled providers that looks like a resource definition. */
function definitionsInTree(dir = path.resolve(__dirname, "../../dynamic-providers")): object[] {
    return readdirSync(dir).flatMap((entry) => {
        const full = path.join(dir, entry);
        if (statSync(full).isDirectory()) return definitionsInTree(full);
        if (!entry.endsWith(".js")) return [];
        return Object.values(require(full) as Record<string, unknown>).filter((v): v is object => typeof v === "object" && v !== null && "module" in v && "type" in v && "create" in v);
    });
}

test("every resource definition in the tree is registered under its kind, once", () => {
    const found = [...new Set(definitionsInTree())];
    assert.ok(found.length >= 25, `${found.length} definitions found`);
    for (const definition of found) assert.ok(DEFINITIONS.includes(definition as never), `${kindOf(definition as never)} is not in engine.ts DEFINITIONS`);
    const kinds = DEFINITIONS.map(kindOf);
    assert.equal(new Set(kinds).size, kinds.length, "kinds are unique");
});

test("each kind's stored provider is at most 2 KB, loads only @stackwire/providers and holds no credential", () => {
    process.env.STRIPE_SECRET_KEY = CANARY;
    try {
        for (const definition of DEFINITIONS) {
            const text = storedProviderText(kindOf(definition));
            const required = [...new Set([...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))];
            assert.deepEqual(required, ["@stackwire/providers"], kindOf(definition));
            assert.ok(text.length <= 2048, `${kindOf(definition)}: ${text.length} bytes`);
            assert.ok(!text.includes(CANARY));
        }
    } finally {
        delete process.env.STRIPE_SECRET_KEY;
    }
});

test("a stored provider hands each method, its arguments and its kind to the installed code's v1", async () => {
    const calls: unknown[][] = [];
    const installed = { v1: async (...args: unknown[]) => calls.push(args) };
    const module = { exports: {} as { handler(): Record<string, (...a: unknown[]) => unknown> } };
    // As the provider host loads it: a module whose handler() returns the provider.
    new Function("exports", "require", storedProviderText("stripe:Price"))(module.exports, (id: string) => (id === "@stackwire/providers" ? installed : assert.fail(`required ${id}`)));
    const provider = module.exports.handler();
    assert.deepEqual(Object.keys(provider), ["configure", "check", "diff", "create", "read", "update", "delete"]);
    await provider.configure({ config: "c" });
    await provider.diff("id-1", { a: 1 }, { a: 2 });
    await provider.delete("id-1", { a: 1 });
    assert.deepEqual(calls, [
        ["stripe:Price", "configure", [{ config: "c" }]],
        ["stripe:Price", "diff", ["id-1", { a: 1 }, { a: 2 }]],
        ["stripe:Price", "delete", ["id-1", { a: 1 }]],
    ]);
});
