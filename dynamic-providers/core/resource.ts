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
export type ResourceArgs<S extends InputSchema> = Omit<{ [K in keyof z.input<S>]: pulumi.Input<Inputs<z.input<S>[K]>> }, typeof RESOURCE_URN_KEY>;

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

/**
 * The provider stored in state with every resource: it names the resource's kind and, when the
 * engine calls it, loads the installed provider code (dynamic-providers/engine.ts, through the
 * `@stackwire/providers` package) and hands the call on. A few hundred bytes, where a provider
 * serialized by value would carry the whole toolkit; and the installed code, not a frozen copy,
 * runs every operation (the upgrade rule in docs/dynamic-providers.md).
 */
export function storedProvider(kind: string): pulumi.dynamic.ResourceProvider {
    // The serializer writes each function out with a wrapper of its own and repeats the names it
    // captures: one-line methods around one shared call, with one-letter names, keep it small.
    // `r(method, args)` runs the method of kind `k` in the installed code, by protocol 1 (`v1`).
    const k = kind;
    const r = (m: string, a: unknown[]) => require("@stackwire/providers").v1(k, m, a);
    return {
        configure: (...a) => r("configure", a),
        check: (...a) => r("check", a),
        diff: (...a) => r("diff", a),
        create: (...a) => r("create", a),
        read: (...a) => r("read", a),
        update: (...a) => r("update", a),
        delete: (...a) => r("delete", a),
    };
}

/** One stored provider per kind, so Pulumi serializes each once per program. */
const providers = new Map<string, pulumi.dynamic.ResourceProvider>();

function providerOf(definition: Pick<ResourceDefinition<InputSchema>, "module" | "type">): pulumi.dynamic.ResourceProvider {
    const kind = `${definition.module}:${definition.type}`;
    let provider = providers.get(kind);
    if (!provider) {
        provider = storedProvider(kind);
        providers.set(kind, provider);
    }
    return provider;
}

export class DynamicResource<S extends InputSchema, O extends InputsOf<S> = InputsOf<S>> extends pulumi.dynamic.Resource {
    constructor(definition: ResourceDefinition<S, O>, name: string, args: ResourceArgs<S>, opts?: pulumi.CustomResourceOptions) {
        const props: Record<string, unknown> = {};
        // Outputs that are not inputs are registered empty, so the engine fills them in.
        for (const key of [...(definition.outputs ?? []), ...(definition.secretOutputs ?? [])]) props[key] = undefined;
        Object.assign(props, args);
        for (const key of definition.secretInputs ?? []) if (props[key] !== undefined) props[key] = pulumi.secret(props[key]);
        if (definition.urnInput) props[RESOURCE_URN_KEY] = resourceUrn(name, definition.module, definition.type, opts);
        const secrets = [...(definition.secretInputs ?? []), ...(definition.secretOutputs ?? [])];
        const options = secrets.length > 0 ? pulumi.mergeOptions(opts, { additionalSecretOutputs: secrets }) : opts;
        super(providerOf(definition), name, props, options, definition.module, definition.type);
    }
}
