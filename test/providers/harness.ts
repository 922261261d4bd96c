/** Shared set-up for provider tests: a configured provider and a recording sleep. */
import type * as pulumi from "@pulumi/pulumi";
import type { InputSchema, InputsOf, ResourceDefinition } from "../../dynamic-providers/core/provider";
import { dynamicProvider } from "../../dynamic-providers/core/provider";
import type { Clock } from "../../dynamic-providers/core/clock";
import { CONFIG_NAMESPACE } from "../../dynamic-providers/core/credentials";
// node:assert rather than vitest's expect: scenarios use this harness in the engine tier too (plain Node).
import assert from "node:assert/strict";

export interface ProviderUnderTest {
    provider: Required<Pick<pulumi.dynamic.ResourceProvider, "check" | "diff" | "create" | "read" | "update" | "delete">>;
    /** Every backoff the HTTP layer asked to sleep, in ms (the test does not actually wait). */
    sleeps: number[];
}

/** Builds the provider the way the host does: configure with stack config, then call it. */
export async function configuredProvider<S extends InputSchema, O extends InputsOf<S>>(
    definition: ResourceDefinition<S, O>,
    config: Record<string, string>,
    policy: { maxAttempts?: number } = {},
    /** Time the provider runs on (a VirtualClock shared with the emulator); without one, waits return at once. */
    clock?: Clock,
): Promise<ProviderUnderTest> {
    const sleeps: number[] = [];
    const provider = dynamicProvider(definition, {
        sleep: async (ms) => {
            sleeps.push(ms);
            await clock?.sleep(ms);
        },
        ...(clock ? { clock } : {}),
        policy,
    });
    const values = Object.fromEntries(Object.entries(config).map(([k, v]) => [`${CONFIG_NAMESPACE}:${k}`, v]));
    await provider.configure!({ config: { get: (key: string) => values[key], require: (key: string) => values[key] } } as never);
    return { provider: provider as ProviderUnderTest["provider"], sleeps };
}

/**
 * The steps `pulumi up` takes with one resource, for providers that share a connection
 * (emulator base URL and the like, read when each step runs because it is known only after start).
 */
export function lifecycle<K extends string>(providers: Record<K, ProviderUnderTest>, connection: () => Record<string, unknown>) {
    async function failures(kind: K, news: Record<string, unknown>): Promise<string> {
        const result = await providers[kind].provider.check({}, { ...connection(), ...news });
        return (result.failures ?? []).map((f) => `${f.property}: ${f.reason}`).join("\n");
    }
    async function checked(kind: K, news: Record<string, unknown>): Promise<Record<string, unknown>> {
        const result = await providers[kind].provider.check({}, { ...connection(), ...news });
        assert.deepEqual(result.failures ?? [], []);
        return result.inputs;
    }
    async function make(kind: K, news: Record<string, unknown>) {
        const inputs = await checked(kind, news);
        const { id, outs } = await providers[kind].provider.create(inputs);
        return { id, outs, inputs };
    }
    /** Refresh then diff, as the next `pulumi up` does. */
    async function secondUp(kind: K, id: string, outs: Record<string, unknown>, inputs: Record<string, unknown>) {
        const read = await providers[kind].provider.read(id, outs);
        return providers[kind].provider.diff(id, read.props!, inputs);
    }
    return { failures, checked, make, secondUp };
}

