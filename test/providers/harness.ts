/** Shared set-up for provider tests: a configured provider and a recording sleep. */
import type * as pulumi from "@pulumi/pulumi";
import type { ResourceDefinition } from "../../dynamic-providers/core/provider";
import { dynamicProvider } from "../../dynamic-providers/core/provider";
import { CONFIG_NAMESPACE } from "../../dynamic-providers/core/credentials";

export interface ProviderUnderTest {
    provider: Required<Pick<pulumi.dynamic.ResourceProvider, "check" | "diff" | "create" | "read" | "update" | "delete">>;
    /** Every backoff the HTTP layer asked to sleep, in ms (the test does not actually wait). */
    sleeps: number[];
}

/** Builds the provider the way the host does: configure with stack config, then call it. */
export async function configuredProvider<I extends Record<string, unknown>, O extends I>(
    definition: ResourceDefinition<I, O>,
    config: Record<string, string>,
    policy: { maxAttempts?: number } = {},
): Promise<ProviderUnderTest> {
    const sleeps: number[] = [];
    const provider = dynamicProvider(definition, {
        sleep: async (ms) => {
            sleeps.push(ms);
        },
        policy,
    });
    const values = Object.fromEntries(Object.entries(config).map(([k, v]) => [`${CONFIG_NAMESPACE}:${k}`, v]));
    await provider.configure!({ config: { get: (key: string) => values[key], require: (key: string) => values[key] } } as never);
    return { provider: provider as ProviderUnderTest["provider"], sleeps };
}
