/**
 * Blueprints: the seed's complete applications as ready stack files (`<name>.yaml` in this
 * folder), with `<placeholders>` where the user fills in their own project, domain or owner.
 * `npm run new` copies one to `Pulumi.<stack>.yaml` and lists the secrets its sections need.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { CONFIG_NAMESPACE } from "../../dynamic-providers/core/credentials";
import { SECRET_KEYS, SECRET_SETTINGS } from "../config";
import { parseValue } from "../load";
import { PLATFORM_KEYS_SETTING } from "../services/keys";
import { madeKeysIn } from "../services";

export const BLUEPRINTS = {
    saas: "SaaS: Supabase, Stripe subscriptions, Resend and an analytics key",
    ecommerce: "E-commerce: Supabase, Stripe Checkout, Redis carts and sessions, Resend",
    devops: "DevOps: GitHub mirrored to GitLab, Trello board, Resend alerts",
    ai: "AI platform: an OpenAI key made by the stack, Supabase functions and storage, a Redis cache, Flowith",
    mobile: "Mobile app: Expo on an Appwrite backend, Agora calls, OpenAI, Mapbox maps, PostHog analytics and flags",
} as const;

export type BlueprintName = keyof typeof BLUEPRINTS;
export const BLUEPRINT_NAMES = Object.keys(BLUEPRINTS) as BlueprintName[];

/** What each placeholder stands for, as `npm run new` tells the user. */
export const PLACEHOLDERS: Record<string, string> = {
    "<your-project-ref>": "your Supabase project's reference (Project Settings → General, 20 lower-case letters)",
    "<your-domain>": "the domain you send email from, e.g. mail.example.com (verified in Resend from the DNS records the stack outputs)",
    "<your-github-owner>": "the GitHub organisation or user that owns the repositories",
    "<your-redis-host>": "your Redis server's host name",
    "<your-team-email>": "the address task alerts go to",
    "<your-appwrite-project>": "your Appwrite project's id (Appwrite console → Settings)",
    "<your-appwrite-function>": "the id of the Appwrite function that signs call tokens and calls OpenAI",
    "<your-eas-project-id>": "your Expo app's EAS project id (app.json expo.extra.eas.projectId; `eas init` makes one)",
    "<your-mapbox-username>": "your Mapbox username (the account the tokens belong to)",
    "<your-posthog-organization-id>": "your PostHog organization's id (Settings → Organization)",
};

/** A `<placeholder>` in a value. */
const PLACEHOLDER = /<[a-z][a-z0-9-]*>/g;

/** The YAML files: next to this module in the sources, and found from bin/ when compiled. */
export const BLUEPRINTS_DIR = [__dirname, path.resolve(__dirname, "..", "..", "..", "stacks", "blueprints")].find((dir) => existsSync(path.join(dir, "saas.yaml"))) ?? __dirname;

export function isBlueprint(name: string): name is BlueprintName {
    return Object.hasOwn(BLUEPRINTS, name);
}

/** The blueprint's stack file, comments included. */
export function blueprintText(name: BlueprintName): string {
    return readFileSync(path.join(BLUEPRINTS_DIR, `${name}.yaml`), "utf8");
}

/** The blueprint's settings, keyed as in `pulumi config` (without the `stackwire:` namespace). */
export function blueprintSettings(name: BlueprintName): Record<string, unknown> {
    return stackFileSettings(blueprintText(name), `stacks/blueprints/${name}.yaml`);
}

/** A stack file that cannot be read as one: not YAML, or `config` not a mapping. */
export class StackFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StackFileError";
    }
}

/**
 * The stackwire entries of a `Pulumi.<stack>.yaml`: `config:` entries of the `stackwire:`
 * namespace, without it, and whether each is a secret. Other namespaces are left out; so are
 * secrets' values, which are ciphertext (`secure:`) here. JSON text (`pulumi config set key '{…}'`)
 * is read as the loader reads it.
 */
export function stackFileConfig(text: string, source: string): { settings: Record<string, unknown>; secretness: Record<string, boolean> } {
    let document: unknown;
    try {
        document = yaml.load(text);
    } catch (err) {
        throw new StackFileError(`${source}: not valid YAML (${(err as Error).message.split("\n")[0]})`);
    }
    const config = (document as { config?: unknown } | null)?.config;
    if (config === undefined) return { settings: {}, secretness: {} };
    if (config === null || typeof config !== "object" || Array.isArray(config)) throw new StackFileError(`${source}: config must be a mapping of keys to values`);
    const prefix = `${CONFIG_NAMESPACE}:`;
    const settings: Record<string, unknown> = {};
    const secretness: Record<string, boolean> = {};
    for (const [key, value] of Object.entries(config)) {
        if (!key.startsWith(prefix)) continue;
        const name = key.slice(prefix.length);
        const secure = value !== null && typeof value === "object" && "secure" in value;
        secretness[name] = secure;
        if (!secure && !SECRET_KEYS.has(name)) settings[name] = typeof value === "string" ? parseValue(value) : value;
    }
    return { settings, secretness };
}

/** The stackwire settings of a stack file (its secrets left out). */
export function stackFileSettings(text: string, source: string): Record<string, unknown> {
    return stackFileConfig(text, source).settings;
}

/** Every distinct `<placeholder>` left in the settings, keys included. */
export function placeholdersOf(value: unknown): string[] {
    const found = new Set<string>();
    const visit = (v: unknown) => {
        if (typeof v === "string") for (const m of v.match(PLACEHOLDER) ?? []) found.add(m);
        else if (Array.isArray(v)) v.forEach(visit);
        else if (v !== null && typeof v === "object")
            for (const [key, inner] of Object.entries(v)) {
                visit(key);
                visit(inner);
            }
    };
    visit(value);
    return [...found];
}

export interface SecretToSet {
    /** The config key (`stripeSecretKey`), or the path inside platformKeys (`platformKeys.amplitude.apiKey`). */
    key: string;
    label: string;
    /** Environment variables that may hold it instead. */
    envVars: readonly string[];
    /** Used when given, never required. */
    optional: boolean;
    /** The arguments after `pulumi config set --secret` (a path needs `--path`). */
    args: string;
}

/**
 * The secret settings these settings need, by the same rule the config loader applies (each
 * service's `neededBy`, else its section being set); optional ones of configured services last.
 * The platform keys come one path per key the settings hand out.
 */
export function secretsToSet(settings: Record<string, unknown>): SecretToSet[] {
    const seen = new Set<string>();
    const needed: SecretToSet[] = [];
    const optional: SecretToSet[] = [];
    const madeKeys = new Set(madeKeysIn(settings).keys());
    for (const secret of SECRET_SETTINGS) {
        const { configKey, envVars, label } = secret.credential;
        const wanted = secret.neededBy ? secret.neededBy(settings, madeKeys) : settings[secret.service] !== undefined;
        if (!wanted || seen.has(configKey)) continue;
        seen.add(configKey);
        if (configKey === PLATFORM_KEYS_SETTING) {
            for (const reference of Object.keys((settings.keyConsumers as Record<string, unknown> | undefined) ?? {})) {
                if (madeKeys.has(reference)) continue;
                const key = `${PLATFORM_KEYS_SETTING}.${reference}`;
                needed.push({ key, label: `${reference} (platform key)`, envVars: [], optional: false, args: `--path '${key}' <value>` });
            }
            continue;
        }
        (secret.optional ? optional : needed).push({ key: configKey, label, envVars, optional: secret.optional ?? false, args: `${configKey} <value>` });
    }
    return [...needed, ...optional];
}
