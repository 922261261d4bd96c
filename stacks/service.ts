/**
 * What a service is to the stack: one config section (its zod shape), the secret settings it
 * needs, how a valid section becomes its components' args (names, policies, cross-checks), how
 * those args become components, and which stack outputs it gives. `stacks/services/` holds one
 * file per service; `stacks/config.ts` and `stacks/platform.ts` loop over them.
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { CredentialSpec } from "../dynamic-providers/core/credentials";
import type { Environment } from "./environment";
import { LOGICAL_NAME_MAX, LOGICAL_NAME_PATTERN } from "./naming";

export interface SecretSetting {
    credential: CredentialSpec;
    /**
     * Whether the settings as written (before validation) need this secret; `madeKeys` are the
     * platform keys the stack makes itself (`keysMade`).
     * @default when the service's section is set
     */
    neededBy?(settings: Record<string, unknown>, madeKeys: ReadonlySet<string>): boolean;
    /** Never required: used when given (a Redis server without a password needs none). */
    optional?: boolean;
    /**
     * A non-secret summary of the value (a key's mode), so validation can judge it without ever
     * holding it.
     */
    kindOf?(value: string): string;
    /** How to set it, when `pulumi config set --secret <key> <value>` is not the way. */
    howToSet?: string;
    /** When it is needed, in words, for the "is required" problem ("keyConsumers is set"). */
    neededWhen?: string;
}

/** What planning sees besides its own section. */
export interface PlanContext {
    env: Environment;
    /** Every section as validated, for the few references between services. */
    settings: Readonly<Record<string, unknown>>;
    /** The kind of each secret that has one (a Stripe key's mode), never the value. */
    secretKinds: Readonly<Record<string, string>>;
    /** The platform keys' values, only to check their shapes (never printed). */
    platformKeys?: unknown;
    /** Platform keys the stack makes ("openai.apiKey"), each with the service that makes it. */
    madeKeys: ReadonlyMap<string, string>;
    /** Records a problem; planning goes on, so every problem is listed at once. */
    problem(path: string, rule: string): void;
    /** A physical name from the naming rules; a name the service would refuse is a problem at `path`. */
    name(path: string, naming: () => string): string;
}

/** What building sees besides its own plan. */
export interface BuildContext {
    env: Environment;
    /** A credential the program itself needs (official providers): the config secret, else the environment. */
    secret(spec: CredentialSpec): pulumi.Output<string> | undefined;
}

export interface Service<Key extends string = string, Section extends z.ZodType = z.ZodType, Plan = unknown, Built = unknown> {
    /** The config key: `stripe` is set as `stackwire:stripe`. */
    key: Key;
    section: Section;
    secrets: readonly SecretSetting[];
    /** The section, validated, as its components' args; problems go to `ctx.problem`. */
    plan(section: z.output<Section>, ctx: PlanContext): Plan;
    /** The components. Absent for a service that only feeds others (its wiring is in platform.ts). */
    build?(plan: Plan, ctx: BuildContext): Built;
    /** Stack outputs, by output name. */
    outputs?(built: Built, plan: Plan): Record<string, pulumi.Input<unknown> | undefined>;
    /**
     * Platform keys this service makes, as "platform.field" references, read from its section as
     * written (possibly malformed): keyConsumers hands them on as it hands copied ones.
     */
    keysMade?(section: unknown): string[];
    /** Those keys' values once built; each is made secret before it is handed on. */
    keyValues?(built: Built): Record<string, pulumi.Output<string>>;
}

/** Every platform key the settings as written make, with the service that makes it. */
export function madeKeysOf(services: readonly Service[], settings: Record<string, unknown>): Map<string, string> {
    const made = new Map<string, string>();
    for (const service of services) {
        if (settings[service.key] === undefined || !service.keysMade) continue;
        for (const reference of service.keysMade(settings[service.key])) made.set(reference, service.key);
    }
    return made;
}

/** Another service's section as validated, typed by that service: `sectionOf<typeof githubService>(ctx.settings, "github")`. */
export function sectionOf<S extends Service>(settings: PlanContext["settings"], key: S["key"]): z.output<S["section"]> | undefined {
    return settings[key] as z.output<S["section"]> | undefined;
}

/** Declares a service, keeping its types for the registry. */
export function defineService<Key extends string, Section extends z.ZodType, Plan, Built>(service: Service<Key, Section, Plan, Built>): Service<Key, Section, Plan, Built> {
    return service;
}

/** A logical name in the stack config: lower-case words joined by hyphens. */
export const logicalName = z
    .string()
    .max(LOGICAL_NAME_MAX, `must be at most ${LOGICAL_NAME_MAX} characters`)
    .regex(LOGICAL_NAME_PATTERN, "must be lower-case letters, digits and inner hyphens, e.g. user-avatars");

/**
 * `adopt` on an object of the config: take over an existing one instead of creating it, by its
 * id (`adopt: prod_123`), and keep it when the stack is destroyed, unless
 * `adopt: { id: prod_123, deleteWithStack: true }` (docs/adoption.md).
 */
export const adoptSetting = z
    .union([z.string().min(1, "must be the id of the existing object"), z.object({ id: z.string().min(1, "must be the id of the existing object"), deleteWithStack: z.boolean().default(false) }).strict()])
    .transform((a) => (typeof a === "string" ? { id: a, deleteWithStack: false } : a))
    .optional();

export type AdoptSetting = z.output<typeof adoptSetting>;

/** A config object's adoption as a component takes it: the id, and whether to delete it with the stack. */
export function adoptionOf(a: AdoptSetting): { adopt?: string; deleteAdopted?: boolean } {
    return a ? { adopt: a.id, ...(a.deleteWithStack ? { deleteAdopted: true } : {}) } : {};
}

/**
 * The `project` of a section that holds one project (OpenAI, Agora, PostHog): its name (the
 * stack's own by default, up to the service's limit), adopt, and the service's other settings.
 * An adopted project keeps its name: `name` is required beside `adopt`, since without it the
 * stack would rename the project to the name it gives its own.
 */
export function projectSection<Extra extends z.ZodRawShape>(nameMax: number, extra: Extra) {
    return z
        .object({ name: z.string().trim().min(1).max(nameMax).optional(), adopt: adoptSetting, ...extra })
        .strict()
        .superRefine((project, ctx) => {
            const p = project as { adopt?: unknown; name?: unknown };
            if (p.adopt && p.name === undefined) ctx.addIssue({ code: "custom", path: ["name"], message: "is required with adopt: the adopted project's own name (without it the stack would rename the project to the name it gives its own)" });
        });
}
