/**
 * The program side of every dynamic resource: one base class that registers a definition's
 * resource the same way everywhere. Args are derived from the definition's input schema, so a
 * field is described once; secret inputs are wrapped, secret outputs marked, outputs that are
 * not inputs registered, and the resource's own URN passed when the definition asks for it.
 */
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { RESOURCE_URN_KEY, type InputSchema, type InputsOf, type ResourceDefinition } from "./provider";

/** A value as a resource accepts it: the value or an Output or Promise of it, at every depth. */
export type Inputs<T> = T extends string | number | boolean | null | undefined
    ? T
    : T extends readonly (infer U)[]
      ? pulumi.Input<Inputs<U>>[]
      : { [K in keyof T]: pulumi.Input<Inputs<T[K]>> };

/** A resource's args, from its schema's input type: defaulted fields are optional. */
export type ResourceArgs<S extends InputSchema> = Omit<{ [K in keyof z.input<S>]: pulumi.Input<Inputs<z.input<S>[K]>> }, typeof RESOURCE_URN_KEY> & {
    /** The id of an existing object to take over instead of creating one (core/adopt.ts). */
    adopt?: string;
};

/**
 * The URN a dynamic resource will have, as an input: `pulumi.createUrn` with the type token that
 * `pulumi.dynamic.Resource` registers, so idempotency keys are stable across runs.
 */
export function resourceUrn(name: string, module: string, type: string, opts?: pulumi.CustomResourceOptions): pulumi.Output<string> {
    // Only the parent's URN text, not the parent as a dependency: depending on a component means
    // waiting for all its children, so two sibling resources would wait on each other forever.
    const parent = opts?.parent;
    const parentUrn = parent ? pulumi.output(new Promise<string>((resolve) => parent.urn.apply(resolve))) : undefined;
    return pulumi.createUrn(name, `pulumi-nodejs:dynamic/${module}:${type}`, parentUrn);
}

/** The methods the provider host calls on a dynamic provider. */
const PROVIDER_METHODS = ["configure", "check", "diff", "create", "read", "update", "delete"] as const;

/**
 * The provider stored in state with every resource of a kind: a module of a few hundred bytes
 * that, when the provider host loads it, hands every call to the installed provider code
 * (dynamic-providers/engine.ts, through the `@stackwire/providers` package) with the kind's name
 * and protocol 1 (`v1`). Written here rather than by Pulumi's closure serializer, which would wrap
 * each method in a function of its own; the installed code, not a frozen copy, runs every
 * operation (the upgrade rule in docs/dynamic-providers.md).
 */
export function storedProviderText(kind: string): string {
    const methods = PROVIDER_METHODS.map((m) => `${m}: (...a) => r("${m}", a)`).join(", ");
    return [
        "// stackwire: runs this kind's operations with the installed provider code (docs/dynamic-providers.md)",
        `const r = (method, args) => require("@stackwire/providers").v1(${JSON.stringify(kind)}, method, args);`,
        `exports.handler = () => ({ ${methods} });`,
        "",
    ].join("\n");
}

/**
 * A dynamic resource: registered as `pulumi.dynamic.Resource` registers one (type
 * `pulumi-nodejs:dynamic/<module>:<type>`, the provider in `__provider`), with the stored
 * provider of its kind.
 */
export class DynamicResource<S extends InputSchema, O extends InputsOf<S> = InputsOf<S>> extends pulumi.CustomResource {
    constructor(definition: ResourceDefinition<S, O>, name: string, args: ResourceArgs<S>, opts?: pulumi.CustomResourceOptions) {
        const props: Record<string, unknown> = {};
        // Outputs that are not inputs are registered empty, so the engine fills them in.
        for (const key of [...(definition.outputs ?? []), ...(definition.secretOutputs ?? [])]) props[key] = undefined;
        // A null is every nullable input's default, which check fills in: registering it costs
        // the program and the state for nothing.
        for (const [key, value] of Object.entries(args)) if (value !== null) props[key] = value;
        for (const key of definition.secretInputs ?? []) if (props[key] !== undefined) props[key] = pulumi.secret(props[key]);
        // An adopted object predates the stack: it never gets the stack's mark, so no sweep takes it.
        if (definition.urnInput === "required" || (definition.urnInput && args.adopt === undefined)) props[RESOURCE_URN_KEY] = resourceUrn(name, definition.module, definition.type, opts);
        const secrets = [...(definition.secretInputs ?? []), ...(definition.secretOutputs ?? [])];
        const options = secrets.length > 0 ? pulumi.mergeOptions(opts, { additionalSecretOutputs: secrets }) : opts;
        props.__provider = storedProviderText(`${definition.module}:${definition.type}`);
        // Pulumi records a stack trace on every promise a registration creates, for its
        // promise-leak report, and holds it until the registration settles: at 5,000 resources,
        // hundreds of MB of strings. Ours register without; a leak report still names the context.
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 0;
        try {
            super(`pulumi-nodejs:dynamic/${definition.module}:${definition.type}`, name, props, options);
        } finally {
            Error.stackTraceLimit = limit;
        }
    }
}
