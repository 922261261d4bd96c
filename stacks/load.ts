/**
 * Reads the stack's config from Pulumi and validates it. The only module that touches
 * `pulumi.runtime` config, secrets included; everything after works on plain, validated values
 * and on the secret outputs handed out here.
 */
import * as pulumi from "@pulumi/pulumi";
import type { KeyValues } from "../components/keys/platform-keys";
import { CONFIG_NAMESPACE, type CredentialSpec } from "../dynamic-providers/core/credentials";
import { SECRET_KEYS, SECRET_SETTINGS, validateStackConfig, type RawStackConfig, type StackConfig } from "./config";
import { environmentFor, type Environment } from "./environment";
import type { BuildContext } from "./service";
import { PLATFORM_KEYS_SETTING } from "./services/keys";

// Public in the runtime module but left out of its typings; it reads the engine's list of secret keys.
const { isConfigSecret } = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(key: string): boolean };

/** Config values arrive as strings; objects and lists as JSON text. */
export function parseValue(value: string): unknown {
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
export function readRawStackConfig(): RawStackConfig {
    const all = pulumi.runtime.allConfig();
    const settings: Record<string, unknown> = {};
    const secretness: Record<string, boolean> = {};
    for (const [fullKey, value] of Object.entries(all)) {
        if (!fullKey.startsWith(`${CONFIG_NAMESPACE}:`)) continue;
        const key = fullKey.slice(CONFIG_NAMESPACE.length + 1);
        secretness[key] = isConfigSecret(fullKey);
        if (!SECRET_KEYS.has(key)) settings[key] = parseValue(value);
    }
    const keysText = all[`${CONFIG_NAMESPACE}:${PLATFORM_KEYS_SETTING}`];
    return { settings, secretness, env: process.env, secretKinds: secretKinds(all, process.env), ...(keysText !== undefined ? { platformKeys: parseValue(keysText) } : {}) };
}

/** The kind of each secret that has one (a Stripe key's mode), read here so no value travels further. */
function secretKinds(all: Record<string, string>, env: NodeJS.ProcessEnv): Record<string, string> {
    const kinds: Record<string, string> = {};
    for (const { credential, kindOf } of SECRET_SETTINGS) {
        if (!kindOf) continue;
        const value = all[`${CONFIG_NAMESPACE}:${credential.configKey}`] ?? credential.envVars.map((name) => env[name]).find(Boolean);
        if (value) kinds[credential.configKey] = kindOf(value);
    }
    return kinds;
}

/** A credential for the program itself (official providers): the config secret, else the environment. */
function programSecret(spec: CredentialSpec): pulumi.Output<string> | undefined {
    const fromConfig = new pulumi.Config(CONFIG_NAMESPACE).getSecret(spec.configKey);
    if (fromConfig) return fromConfig;
    const fromEnv = spec.envVars.map((name) => process.env[name]).find(Boolean);
    return fromEnv ? pulumi.secret(fromEnv) : undefined;
}

export interface LoadedStack {
    config: StackConfig;
    environment: Environment;
    /** Secrets the program itself uses; every value stays an Output marked secret. */
    context: BuildContext & { platformKeys(): pulumi.Output<KeyValues> };
}

export function loadStack(): LoadedStack {
    const raw = readRawStackConfig();
    const declared = typeof raw.settings.environment === "string" && raw.settings.environment !== "" ? raw.settings.environment : undefined;
    const environment = environmentFor(pulumi.getProject(), pulumi.getStack(), declared);
    return {
        config: validateStackConfig(raw, environment),
        environment,
        context: {
            env: environment,
            secret: programSecret,
            // Absent when every consumed key is one the stack makes (validation said which are needed).
            platformKeys: () => new pulumi.Config(CONFIG_NAMESPACE).getSecretObject<KeyValues>(PLATFORM_KEYS_SETTING) ?? (pulumi.secret({}) as pulumi.Output<KeyValues>),
        },
    };
}
