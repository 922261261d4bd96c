/**
 * The whole stack configuration, composed from the services' sections. Invalid config fails
 * before any resource is registered, listing every problem at once: the path, the rule and what
 * was received (never a secret's value).
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { describeProblem, problemsFromZod, type Problem } from "../dynamic-providers/core/validation";
import type { Environment } from "./environment";
import { NamingError } from "./naming";
import type { PlanContext, SecretSetting, Service } from "./service";
import { madeKeysIn, SERVICES, type PlannedServices, type SectionSchemas } from "./services";

/** Every non-secret setting, keyed as in `pulumi config` (without the `stackwire:` namespace). */
export const stackSettingsSchema = z
    .object({
        environment: z.enum(["dev", "staging", "prod", "preview", "local"]).optional(),
        ...(Object.fromEntries(SERVICES.map((s) => [s.key, s.section.optional()])) as { [K in keyof SectionSchemas]: z.ZodOptional<SectionSchemas[K]> }),
    })
    .strict();

export type StackSettings = z.output<typeof stackSettingsSchema>;

/** Secret settings, each declared by the service that needs it: set with `pulumi config set --secret`. */
export const SECRET_SETTINGS: readonly (SecretSetting & { service: string })[] = SERVICES.flatMap((s) => s.secrets.map((secret) => ({ ...secret, service: s.key })));
export const SECRET_KEYS: ReadonlySet<string> = new Set(SECRET_SETTINGS.map((s) => s.credential.configKey));
export const SETTING_KEYS = Object.keys(stackSettingsSchema.shape);

/** The config as read from Pulumi, before validation. */
export interface RawStackConfig {
    /** Non-secret values by key (no namespace), objects already parsed from JSON. */
    settings: Record<string, unknown>;
    /** Keys present in the config and whether each was set as a secret. */
    secretness: Record<string, boolean>;
    /** The environment variables credentials may come from instead. */
    env: NodeJS.ProcessEnv;
    /** For secrets that have a `kindOf`: the kind of the value found (config or environment). */
    secretKinds?: Record<string, string>;
    /** The platform keys' values, read only to check their shapes (never printed). */
    platformKeys?: unknown;
}

/** The validated config: each configured service's plan. */
export type StackConfig = PlannedServices & { settings: StackSettings };

/**
 * A RunError: Pulumi's language host prints a RunError's message alone, without a stack trace or
 * an object dump, so `pulumi up` shows exactly the list of problems.
 */
export class StackConfigError extends pulumi.RunError {
    constructor(
        /** Not `stack`: that is Error's own stack trace, which the host would print instead. */
        readonly stackName: string,
        readonly problems: Problem[],
    ) {
        const lines = problems.map((p) => `  - ${describeProblem(p)}`).join("\n");
        super(`Invalid stack configuration for stack "${stackName}" (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${lines}`);
        this.name = "StackConfigError";
    }
}

function settingIsSecretPath(path: string): boolean {
    return /(key|secret|token|password)/i.test(path.split(/[.[]/).pop() ?? "");
}

/** Keys set in the config that are unknown, or credentials set in plain text. */
function keyProblems(raw: RawStackConfig): Problem[] {
    return Object.entries(raw.secretness).flatMap(([key, isSecret]): Problem[] => {
        if (SECRET_KEYS.has(key)) return isSecret ? [] : [{ path: key, rule: `is a credential: set it with \`pulumi config set --secret ${key} <value>\`` }];
        if (SETTING_KEYS.includes(key)) return [];
        // `pulumi config set supabase.url …` without --path makes one key with a dot in its name.
        const section = key.split(/[.[]/)[0];
        if (section !== key && (SETTING_KEYS.includes(section) || SECRET_KEYS.has(section))) {
            return [{ path: key, rule: `is not a stackwire setting: to set a value inside ${section}, run \`pulumi config rm ${key}\`, then \`pulumi config set --path '${key}' <value>\`` }];
        }
        return [{ path: key, rule: `is not a stackwire setting (known: ${[...SETTING_KEYS, ...SECRET_KEYS].join(", ")})` }];
    });
}

/** Secrets the settings need that are neither in the config nor in the environment. */
function missingSecrets(raw: RawStackConfig, known: Record<string, unknown>): Problem[] {
    const madeKeys = new Set(madeKeysIn(known).keys());
    return SECRET_SETTINGS.flatMap((secret): Problem[] => {
        const { configKey, envVars } = secret.credential;
        const needed = !secret.optional && (secret.neededBy ? secret.neededBy(known, madeKeys) : known[secret.service] !== undefined);
        const present = configKey in raw.secretness || envVars.some((name) => raw.env[name]);
        if (!needed || present) return [];
        const how = secret.howToSet ?? `run \`pulumi config set --secret ${configKey} <value>\`${envVars.length > 0 ? ` or set ${envVars.join(" / ")}` : ""}`;
        return [{ path: configKey, rule: `is required${secret.neededWhen ? ` when ${secret.neededWhen}` : ""}: ${how}` }];
    });
}

/**
 * Validates everything and returns each service's plan, or throws listing every problem: each
 * section is checked on its own, and the planning checks (cross-references, duplicates, key
 * shapes) of every section that is well formed run even when another section is not.
 */
export function validateStackConfig(raw: RawStackConfig, env: Environment): StackConfig {
    const known = Object.fromEntries(Object.entries(raw.settings).filter(([k]) => SETTING_KEYS.includes(k)));
    const problems: Problem[] = [...keyProblems(raw), ...missingSecrets(raw, known)];

    const shape = stackSettingsSchema.shape as Record<string, z.ZodType>;
    const parsedSections: Record<string, unknown> = {};
    const malformed = new Set<string>();
    for (const [key, value] of Object.entries(known)) {
        const parsed = shape[key].safeParse(value, { reportInput: true });
        if (parsed.success) parsedSections[key] = parsed.data;
        else {
            malformed.add(key);
            problems.push(...problemsFromZod(parsed.error, settingIsSecretPath, [key]));
        }
    }
    // A malformed section is still visible to its neighbours' checks as written (a repository
    // it declares, say), so they report what is wrong with them, not that the section is missing.
    const settings = { ...Object.fromEntries([...malformed].map((key) => [key, known[key]])), ...parsedSections } as StackSettings;
    const ctx: PlanContext = {
        env,
        settings,
        secretKinds: raw.secretKinds ?? {},
        platformKeys: raw.platformKeys,
        madeKeys: madeKeysIn(settings),
        problem: (path, rule) => problems.push({ path, rule }),
        name(path, naming) {
            try {
                return naming();
            } catch (err) {
                if (!(err instanceof NamingError)) throw err;
                problems.push({ path, rule: err.message });
                return "";
            }
        },
    };
    const plans: Record<string, unknown> = {};
    for (const service of SERVICES as readonly Service[]) {
        const section = parsedSections[service.key];
        if (section === undefined) continue;
        try {
            plans[service.key] = service.plan(section, ctx);
        } catch (err) {
            // Planning read a malformed neighbour as if it were well formed: that section's problems say why.
            if (malformed.size === 0) throw err;
        }
    }
    problems.push(...duplicateAdoptions(parsedSections));
    if (problems.length > 0) throw new StackConfigError(env.stack, problems);
    return { ...(plans as PlannedServices), settings };
}

/** Every `adopt` id of the settings with where it is: `stripe.products.pro` → prod_123. */
export function adoptedIds(settings: Record<string, unknown>): { path: string; service: string; id: string }[] {
    const found: { path: string; service: string; id: string }[] = [];
    const walk = (value: unknown, path: string[]) => {
        if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, `[${i}]`]));
        else if (value && typeof value === "object") {
            for (const [key, v] of Object.entries(value)) {
                if (key === "adopt" && v && typeof v === "object" && typeof (v as { id?: unknown }).id === "string") found.push({ path: path.join(".").replace(/\.\[/g, "["), service: path[0], id: (v as { id: string }).id });
                else walk(v, [...path, key]);
            }
        }
    };
    walk(settings, []);
    return found;
}

/** Two objects of a service adopting one existing object would both manage it. */
function duplicateAdoptions(sections: Record<string, unknown>): Problem[] {
    const seen = new Map<string, string>();
    return adoptedIds(sections).flatMap(({ path, service, id }): Problem[] => {
        const key = `${service}\u0000${id}`;
        const first = seen.get(key);
        if (first === undefined) {
            seen.set(key, path);
            return [];
        }
        return [{ path: `${path}.adopt`, rule: `adopts "${id}", which ${first} already adopts: one object of the config per existing object` }];
    });
}
