/**
 * Reads the stack's config from Pulumi and validates it. The only module that touches
 * `pulumi.runtime` config; everything after works on plain, validated values.
 */
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE } from "../dynamic-providers/core/credentials";
import { PLATFORM_KEYS_SETTING, SECRET_SETTINGS, validateStackConfig, type RawStackConfig, type StackConfig } from "./config";
import { environmentFor, type Environment } from "./environment";

// Public in the runtime module but left out of its typings; it reads the engine's list of secret keys.
const { isConfigSecret } = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(key: string): boolean };

/** Config values arrive as strings; objects and lists as JSON text. */
function parseValue(value: string): unknown {
    const trimmed = value.trim();
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
        try {
            return JSON.parse(trimmed);
        } catch {
            return value;
        }
    }
    return value;
}

/** The raw config of this namespace, secret values excluded (only their presence is kept). */
export function readRawStackConfig(secretKeys: ReadonlySet<string>): RawStackConfig {
    const settings: Record<string, unknown> = {};
    const secretness: Record<string, boolean> = {};
    for (const [fullKey, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (!fullKey.startsWith(`${CONFIG_NAMESPACE}:`)) continue;
        const key = fullKey.slice(CONFIG_NAMESPACE.length + 1);
        secretness[key] = isConfigSecret(fullKey);
        if (!secretKeys.has(key)) settings[key] = parseValue(value);
    }
    const keysText = pulumi.runtime.allConfig()[`${CONFIG_NAMESPACE}:${PLATFORM_KEYS_SETTING}`];
    return { settings, secretness, env: process.env, secretKinds: secretKinds(process.env), ...(keysText !== undefined ? { platformKeys: parseValue(keysText) } : {}) };
}

/** The kind of each secret that has one (a Stripe key's mode), read here so no value travels further. */
function secretKinds(env: NodeJS.ProcessEnv): Record<string, string> {
    const all = pulumi.runtime.allConfig();
    const kinds: Record<string, string> = {};
    for (const { credential, kindOf } of SECRET_SETTINGS) {
        if (!kindOf) continue;
        const value = all[`${CONFIG_NAMESPACE}:${credential.configKey}`] ?? credential.envVars.map((name) => env[name]).find(Boolean);
        if (value) kinds[credential.configKey] = kindOf(value);
    }
    return kinds;
}

export function loadStackConfig(secretKeys: ReadonlySet<string>): { config: StackConfig; environment: Environment } {
    const raw = readRawStackConfig(secretKeys);
    const declared = typeof raw.settings.environment === "string" && raw.settings.environment !== "" ? raw.settings.environment : undefined;
    const environment = environmentFor(pulumi.getProject(), pulumi.getStack(), declared);
    return { config: validateStackConfig(raw, environment), environment };
}

/** A credential for the program itself (the official GitHub provider): config secret, else the environment. */
export function programSecret(spec: { configKey: string; envVars: readonly string[] }): pulumi.Output<string> | undefined {
    const fromConfig = new pulumi.Config(CONFIG_NAMESPACE).getSecret(spec.configKey);
    if (fromConfig) return fromConfig;
    const fromEnv = spec.envVars.map((name) => process.env[name]).find(Boolean);
    return fromEnv ? pulumi.secret(fromEnv) : undefined;
}
