/**
 * The platform: every configured service built from its plan, in the registry's order, then
 * the wires that feed one service's outputs into another's inputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { PlatformKeys, type KeyValues } from "../components/keys/platform-keys";
import type { StackConfig } from "./config";
import type { LoadedStack } from "./load";
import type { Service } from "./service";
import { madeKeysIn, SERVICES, type BuiltServices } from "./services";
import { buildWires, type BuiltWires } from "./wires/build";

export interface Platform extends BuiltServices {
    /** The platform keys handed to their consumers. */
    platformKeys?: PlatformKeys;
    /** The wires between the services. */
    wired?: BuiltWires;
}

export function buildPlatform(config: StackConfig, context: LoadedStack["context"]): Platform {
    const platform: Platform = {};
    const built = platform as Record<string, unknown>;
    for (const service of SERVICES as readonly Service[]) {
        const plan = (config as Record<string, unknown>)[service.key];
        if (plan !== undefined && service.build) built[service.key] = service.build(plan, context);
    }
    if (config.keyConsumers) platform.platformKeys = wireKeys(config, platform, context);
    if (config.wires) platform.wired = buildWires(config.wires, config, platform, context);
    return platform;
}

/** Platform keys → the repositories, GitLab projects, Appwrite functions and Supabase project that consume them. */
function wireKeys(config: StackConfig, platform: Platform, context: LoadedStack["context"]): PlatformKeys {
    const appwrite = config.appwrite;
    // Keys the stack makes (the OpenAI service account's, …) stand where copied ones would.
    const made: Record<string, pulumi.Output<string>> = {};
    // Only the keys the settings say are made (Agora's certificate not when it is turned off).
    const madeKeys = madeKeysIn(config.settings as Record<string, unknown>);
    for (const service of SERVICES as readonly Service[]) {
        const built = (platform as Record<string, unknown>)[service.key];
        if (built === undefined || !service.keyValues) continue;
        for (const [reference, value] of Object.entries(service.keyValues(built))) if (madeKeys.get(reference) === service.key) made[reference] = value;
    }
    const keys =
        Object.keys(made).length === 0
            ? context.platformKeys()
            : pulumi.secret(
                  pulumi.all([context.platformKeys(), pulumi.all(made)]).apply(([declared, values]) => {
                      const merged: KeyValues = { ...declared };
                      for (const [reference, value] of Object.entries(values)) {
                          const [platformName, field] = reference.split(".");
                          merged[platformName] = { ...merged[platformName], [field]: value };
                      }
                      return merged;
                  }),
              );
    return new PlatformKeys("platform-keys", {
        keys,
        consumers: config.keyConsumers!,
        repositories: platform.github?.repositories,
        githubProvider: platform.github?.provider,
        ...(config.gitlab?.baseUrl ? { gitlabBaseUrl: config.gitlab.baseUrl } : {}),
        ...(appwrite ? { appwrite: { endpoint: appwrite.endpoint, projectId: appwrite.projectId } } : {}),
        ...(config.supabase?.functions ? { supabase: config.supabase.functions } : {}),
        ...(config.expo ? { expo: { projectId: config.expo.projectId, ...(config.expo.baseUrl ? { baseUrl: config.expo.baseUrl } : {}) } } : {}),
    });
}

/** Stack outputs: what other stacks and people read with `pulumi stack output`. */
export function platformOutputs(platform: Platform, config: StackConfig, environment: LoadedStack["environment"]): Record<string, pulumi.Input<unknown> | undefined> {
    const outputs: Record<string, pulumi.Input<unknown> | undefined> = { environment: environment.kind };
    for (const service of SERVICES as readonly Service[]) {
        const built = (platform as Record<string, unknown>)[service.key];
        const plan = (config as Record<string, unknown>)[service.key];
        if (built !== undefined && service.outputs) Object.assign(outputs, service.outputs(built, plan));
    }
    outputs.platformKeyConsumers = platform.platformKeys?.consumersByKey;
    if (platform.wired?.relay) outputs.relayUrl = platform.wired.relay.url;
    return outputs;
}
