/**
 * The shared shape of every dynamic resource. A resource file declares its input schema, the
 * properties that force a replacement, and its CRUD operations against the vendor API;
 * `dynamicProvider` turns that into the object Pulumi serializes into the state, with:
 * - check: zod validation naming the field and the rule, before any API call;
 * - diff: a pure comparison of old state and new inputs (no API call);
 * - credentials resolved per operation, redacted from every error;
 * - read: an object deleted out of band leaves the state instead of failing the refresh.
 */
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { resolveCredential, type ConfigSource, type CredentialSpec } from "./credentials";
import { ProviderError, redact, type ProviderErrorDetails } from "./errors";
import { systemClock, type Clock } from "./clock";
import { HttpCall, type HttpCallOptions } from "./http";
import { sameValue } from "./canonical";
import { problemsFromZod } from "./validation";
import { ADOPT_CHANGES_KEY, ADOPT_KEY, adoptShape, AdoptionError, describeDifferences, foreignOwner } from "./adopt";

/** What the engine sends for a value not known until apply (preview of a dependent resource). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * The input holding the resource's own URN (see `resourceUrn`). It seeds idempotency keys and is
 * never diffed: renaming through an alias must not replace the object.
 */
export const RESOURCE_URN_KEY = "resourceUrn";

type Props = Record<string, unknown>;

/** Per-operation services handed to a resource's CRUD functions. */
export class OperationContext {
    private readonly secrets: string[] = [];
    /** Secret inputs and outputs of the resource: redacted whatever their length. */
    private readonly declared: string[] = [];

    constructor(
        readonly service: string,
        private readonly config: ConfigSource | undefined,
        private readonly httpDefaults: Partial<HttpCallOptions> = {},
    ) {}

    /** Reads a credential now; remembers it so no error can carry it. */
    credential(spec: CredentialSpec): string {
        const value = resolveCredential(spec, this.config);
        this.secrets.push(value);
        return value;
    }

    /** A credential that may legitimately be absent (a local server without a password). */
    optionalCredential(spec: CredentialSpec): string | undefined {
        try {
            return this.credential(spec);
        } catch {
            return undefined;
        }
    }

    /** Starts the HTTP record of one API operation; hand `call.fetch` to the SDK. */
    http(operation: string, overrides: Partial<HttpCallOptions> = {}): HttpCall {
        return new HttpCall({ ...this.httpDefaults, ...overrides, service: this.service, operation });
    }

    /** A typed error for a failed call, with the call's request id and attempt count. */
    error(call: HttpCall, details: Omit<ProviderErrorDetails, "service" | "operation">): ProviderError {
        return new ProviderError(
            {
                service: this.service,
                operation: call.operation,
                requestId: call.lastRequestId,
                attempts: call.attemptCount,
                ...details,
            },
            this.secrets,
            this.declared,
        );
    }

    /** Time for polls and throttles; tests replace it so they need not wait. */
    get clock(): Clock {
        const clock = this.httpDefaults.clock ?? systemClock;
        return { now: () => clock.now(), sleep: this.httpDefaults.sleep ?? clock.sleep, ...(clock.track ? { track: clock.track.bind(clock) } : {}) };
    }

    /**
     * Secret inputs and outputs of the resource at hand: no error may carry them either, even
     * when an API echoes the request. A URL's user and password count as secrets of their own.
     */
    keepSecret(values: unknown): void {
        if (typeof values === "string") {
            this.declared.push(values);
            const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^/@]+)@/i.exec(values)?.[1];
            if (userinfo) {
                // user:password, where only the first colon separates them (a password may hold more).
                const colon = userinfo.indexOf(":");
                for (const part of colon < 0 ? [userinfo] : [userinfo.slice(0, colon), userinfo.slice(colon + 1)]) this.declared.push(decodeURIComponent(part));
            }
        } else if (Array.isArray(values)) {
            for (const value of values) this.keepSecret(value);
        } else if (values && typeof values === "object") {
            for (const value of Object.values(values)) this.keepSecret(value);
        }
    }

    /** Strips every known secret from a text. */
    redact(text: string): string {
        return redact(text, this.secrets, this.declared);
    }
}

/** The input schema of a resource: an object, so its keys are the inputs the diff compares. */
export type InputSchema = z.ZodObject;

/** The inputs after `check`: defaults applied, values normalised. */
export type InputsOf<S extends InputSchema> = z.output<S>;

export interface ResourceDefinition<S extends InputSchema, O extends InputsOf<S> = InputsOf<S>> {
    /** Pulumi module and type: the resource registers as `pulumi-nodejs:dynamic/<module>:<type>`. */
    module: string;
    type: string;
    /** Service name used in errors, e.g. "supabase-storage". */
    service: string;
    /** Builds the input schema. A factory, so the serialized provider holds no zod instance. */
    schema: () => S;
    /** Inputs whose change replaces the object. */
    replaceOnChanges: readonly (keyof InputsOf<S> & string)[];
    /** Delete the old object before creating its replacement (the physical name must stay unique). */
    deleteBeforeReplace: boolean;
    /** Inputs that are secret whatever their origin: wrapped as secrets and kept secret as outputs. */
    secretInputs?: readonly (keyof InputsOf<S> & string)[];
    /** Why an existing object of this kind cannot be adopted (its secret output is shown only at creation); absent when it can. */
    notAdoptable?: string;
    /** Inputs that `read` cannot see on the service (deployed code): adoption writes them, as it writes secret inputs. */
    unreadableInputs?: readonly (keyof InputsOf<S> & string)[];
    /** Outputs that are not inputs (ids, URLs, statuses), registered so the class can expose them. */
    outputs?: readonly (Exclude<keyof O, keyof InputsOf<S>> & string)[];
    /** Outputs that are not inputs and are secret (signing secrets, key tokens). */
    secretOutputs?: readonly (Exclude<keyof O, keyof InputsOf<S>> & string)[];
    /**
     * Pass the resource's own URN as the `resourceUrn` input (seeds idempotency keys, marks what
     * the stack made). An adopted object gets none, so it is never marked as the stack's, unless
     * the kind cannot work without it ("required").
     */
    urnInput?: boolean | "required";
    /**
     * Which of the changed inputs force a replacement, when that depends on the values (Stripe's
     * tax behaviour may be set once in place, never changed). @default changed ∩ replaceOnChanges
     */
    replacesFor?(changed: readonly string[], olds: Props, news: Props): string[];
    /**
     * Rules between the old state and new inputs, checked before any request (a SQL migration
     * already applied must not change). Pure: no API call.
     */
    checkTransition?(olds: Partial<O>, news: InputsOf<S>): { property: string; reason: string }[];
    /**
     * The id of the object these inputs name, for kinds whose objects are named by their inputs
     * (an Appwrite attribute by its collection and key): create returns it, and adopting one
     * takes exactly this id.
     */
    idFor?(inputs: InputsOf<S>): string;
    create(ctx: OperationContext, inputs: InputsOf<S>): Promise<{ id: string; outs: O }>;
    /** The object as it is now, or undefined when it no longer exists. */
    read(ctx: OperationContext, id: string, state: O): Promise<O | undefined>;
    update(ctx: OperationContext, id: string, olds: O, news: InputsOf<S>): Promise<O>;
    delete(ctx: OperationContext, id: string, state: O): Promise<void>;
}

/** Inputs that say where an API lives: compared as servers, so a respelling is no change. */
const SERVER_URL_KEYS = new Set(["baseUrl", "apiBase", "endpoint", "managementUrl", "projectUrl"]);

/** A URL as a server: scheme and host in lower case, no default port, no trailing slash. */
export function serverOf(url: unknown): unknown {
    if (typeof url !== "string" || !URL.canParse(url)) return url;
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, "")}${u.search}`;
}

function sameInput(key: string, old: unknown, current: unknown): boolean {
    return SERVER_URL_KEYS.has(key) ? serverOf(old ?? null) === serverOf(current ?? null) : sameValue(old ?? null, current ?? null);
}

/** The pure diff of a definition: which inputs changed, which of them force a replacement. */
export function diffInputs(inputKeys: readonly string[], replaceOnChanges: readonly string[], olds: Props, news: Props): { changed: string[]; replaces: string[] } {
    const changed = inputKeys.filter((key) => news[key] === UNKNOWN || !sameInput(key, olds[key], news[key]));
    return { changed, replaces: changed.filter((key) => replaceOnChanges.includes(key)) };
}

/**
 * Outputs as the engine can carry them: the host fails on an undefined value ("Unexpected
 * struct type"), so keys holding undefined are dropped and undefined list items become null.
 */
export function engineSafe<T>(value: T): T {
    if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : engineSafe(item))) as T;
    if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
        return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, engineSafe(v)])) as T;
    }
    return value;
}

function withoutProvider(props: Props): Props {
    const { __provider: _ignored, ...rest } = props;
    return rest;
}

/** Errors leaving the provider carry no secret, whatever threw them. */
async function guarded<T>(ctx: OperationContext, run: () => Promise<T>): Promise<T> {
    try {
        return await run();
    } catch (err) {
        if (err instanceof ProviderError) throw err;
        // Error subclasses rebuilt by the serializer are not `instanceof Error`; read the fields.
        const fields = typeof err === "object" && err !== null ? (err as { message?: unknown; name?: unknown }) : {};
        const message = typeof fields.message === "string" ? fields.message : String(err);
        const clean = new Error(ctx.redact(message));
        clean.name = typeof fields.name === "string" ? fields.name : "Error";
        throw clean;
    }
}

interface ConfigurableProvider extends pulumi.dynamic.ResourceProvider {
    /** Stack config, set by `configure` inside the provider host; never serialized with a value. */
    stackConfig?: ConfigSource;
}

/**
 * Whether a resource's state was written by other provider code than the one now running it (an
 * earlier build's provider serialized by value, say). The next `up` then updates it, without any
 * API call, so its state holds the current provider and later deletes run the installed code.
 */
function storedByOtherCode(olds: Props, news: Props): boolean {
    const [old, current] = [olds.__provider, news.__provider];
    return typeof old === "string" && typeof current === "string" && current !== UNKNOWN && old !== current;
}

export function dynamicProvider<S extends InputSchema, O extends InputsOf<S>>(def: ResourceDefinition<S, O>, httpDefaults: Partial<HttpCallOptions> = {}): pulumi.dynamic.ResourceProvider {
    const secretKeys = [...(def.secretInputs ?? []), ...(def.secretOutputs ?? [])] as string[];
    /** A context for one operation that knows the secrets of every set of properties it touches. */
    const contextFor = (config: ConfigSource | undefined, ...propsSets: (Props | undefined)[]) => {
        const ctx = new OperationContext(def.service, config, httpDefaults);
        for (const props of propsSets) for (const key of secretKeys) ctx.keepSecret(props?.[key]);
        return ctx;
    };
    // Built once: a schema costs far more to build than to parse with.
    let schema: S | undefined;
    // Every kind takes `adopt` (core/adopt.ts); it matters at create only, so no diff compares it.
    const schemaOf = () => (schema ??= def.schema().extend(adoptShape()) as unknown as S);
    const inputKeys = () => Object.keys(schemaOf().shape).filter((k) => k !== RESOURCE_URN_KEY && k !== ADOPT_KEY);
    const changedInputs = (olds: Props, news: Props) => diffInputs(inputKeys(), def.replaceOnChanges, olds, withoutProvider(news));
    const replacesOf = (changed: string[], olds: Props, news: Props, byKey: string[]) => (def.replacesFor ? def.replacesFor(changed, olds, withoutProvider(news)) : byKey);

    /**
     * What taking over the existing object `id` means: it is read with the wanted inputs as its
     * state and refused when it is missing, marked as another stack's, not the object the settings
     * name, or different in a field that replaces. Otherwise: the fields that differ, and those
     * written because they cannot be read back (secrets, deployed code).
     */
    const planAdoption = async (ctx: OperationContext, id: string, wanted: Props) => {
        const what = `${def.module}:${def.type} "${id}"`;
        if (def.notAdoptable) throw new AdoptionError(`adopt: ${what} cannot be adopted: ${def.notAdoptable}`);
        const named = def.idFor?.(wanted as InputsOf<S>);
        if (named !== undefined && named !== id) throw new AdoptionError(`adopt: ${what} is not the object this config names: a ${def.module}:${def.type} is named by its settings, and these name "${named}" (set adopt: "${named}", or change the settings to the object's)`);
        const found = (await def.read(ctx, id, wanted as O)) as Props | undefined;
        if (found === undefined) throw new AdoptionError(`adopt: ${what} does not exist, or this credential cannot see it: check the id, or remove adopt to create a new object`);
        const owner = foreignOwner(found, wanted);
        if (owner) throw new AdoptionError(`adopt: ${what} belongs to stack ${owner}: a stack adopts only objects no other stack manages`);
        const { replaces: byKey, changed: differ } = changedInputs(found, wanted);
        const replaces = replacesOf(differ, found, wanted, byKey);
        if (replaces.length > 0) {
            throw new AdoptionError(`adopt: ${what} cannot be made to match the config without replacing it (${describeDifferences(replaces, found, wanted, secretKeys)}): change the config to what exists, or remove adopt to create a new object`);
        }
        const unreadable = [...(def.secretInputs ?? []), ...(def.unreadableInputs ?? [])].filter((key) => wanted[key] !== undefined && wanted[key] !== null && !differ.includes(key));
        return { found, differ, unreadable };
    };

    /** Takes over the existing object `id`, updating only what differs (nothing is sent when nothing does). */
    const adoptExisting = async (ctx: OperationContext, id: string, wanted: Props): Promise<{ id: string; outs: O }> => {
        const { found, differ, unreadable } = await planAdoption(ctx, id, wanted);
        // What cannot be read back is unknown: the config's is written.
        const unknownOf = (value: unknown) => (Array.isArray(value) ? [] : typeof value === "object" ? {} : null);
        const olds = { ...found, ...Object.fromEntries(unreadable.map((key) => [key, unknownOf(wanted[key])])) };
        const outs = differ.length + unreadable.length > 0 ? await def.update(ctx, id, olds as O, wanted as InputsOf<S>) : (found as O);
        return { id, outs: { ...outs, [ADOPT_KEY]: id } };
    };

    /** The adoption a preview shows, as an input of the create: what `up` will change on the existing object, field by field. */
    const adoptionPreview = async (config: ConfigSource | undefined, id: string, wanted: Props): Promise<{ changes: string[] } | { failure: string }> => {
        const ctx = contextFor(config, wanted);
        try {
            const { found, differ, unreadable } = await guarded(ctx, () => planAdoption(ctx, id, wanted));
            // What the object holds may be a secret too (a mirror's URL as GitLab shows it): never shown, and redacted besides.
            for (const key of secretKeys) ctx.keepSecret(found[key]);
            const lines = [...differ.map((key) => describeDifferences([key], found, wanted, secretKeys)), ...unreadable.map((key) => `${key}: cannot be read back, the config's is written`)];
            return { changes: lines.map((line) => ctx.redact(line)) };
        } catch (err) {
            return { failure: (err as Error).message };
        }
    };
    const provider: ConfigurableProvider = {
        stackConfig: undefined,

        async configure(req) {
            this.stackConfig = req.config;
        },

        async check(this: ConfigurableProvider, _olds, news) {
            const raw = withoutProvider(news);
            const unknownKeys = Object.keys(raw).filter((k) => raw[k] === UNKNOWN);
            const known = Object.fromEntries(Object.entries(raw).filter(([k]) => !unknownKeys.includes(k)));
            const parsed = schemaOf().safeParse(known, { reportInput: true });
            if (parsed.success) {
                const unknowns = Object.fromEntries(unknownKeys.map((k) => [k, UNKNOWN]));
                const transition = unknownKeys.length === 0 && def.checkTransition ? def.checkTransition(_olds as Partial<O>, parsed.data) : [];
                if (transition.length > 0) return { inputs: news, failures: transition };
                const { [ADOPT_KEY]: adopt, ...wanted } = parsed.data as Props;
                const adopted = (_olds ?? {})[ADOPT_KEY];
                if (typeof adopted === "string" && unknownKeys.length === 0) {
                    // Adoption decides retention and marks: it stays as long as the object is in the config.
                    if (adopt !== adopted) return { inputs: news, failures: [{ property: ADOPT_KEY, reason: `this object was adopted as "${adopted}" and stays adopted: keep adopt: ${adopted} (to let go of it, remove the object from the config; it is kept)` }] };
                    const { changed, replaces: byKey } = changedInputs(_olds, parsed.data as Props);
                    const replaces = replacesOf(changed, _olds, parsed.data as Props, byKey);
                    if (replaces.length > 0) return { inputs: news, failures: [{ property: replaces[0], reason: `would replace adopted ${def.module}:${def.type} "${adopted}" (${replaces.join(", ")} cannot change in place); an object the stack did not make is never replaced: change it back, or remove the object from the config and add a new one` }] };
                }
                // A create that adopts: the preview (and up) read the object first, so differences show and refusals come before any write.
                if (typeof adopt === "string" && unknownKeys.length === 0 && Object.keys(_olds ?? {}).length === 0) {
                    const preview = await adoptionPreview(this.stackConfig, adopt, wanted);
                    // The engine prints a failure after its property: the reason does not repeat it.
                    if ("failure" in preview) return { inputs: news, failures: [{ property: ADOPT_KEY, reason: preview.failure.replace(/^adopt: /, "") }] };
                    return { inputs: { ...parsed.data, [ADOPT_CHANGES_KEY]: preview.changes } };
                }
                return { inputs: { ...parsed.data, ...unknowns } };
            }
            const failures = problemsFromZod(parsed.error)
                .filter((p) => !unknownKeys.includes(p.path.split(/[.[]/)[0]))
                .map((p) => ({ property: p.path, reason: p.rule }));
            return failures.length === 0 ? { inputs: news } : { inputs: news, failures };
        },

        async diff(_id, olds, news) {
            const { changed, replaces: byKey } = changedInputs(olds, news);
            const replaces = replacesOf(changed, olds, news, byKey);
            return {
                changes: changed.length > 0 || storedByOtherCode(olds, news),
                replaces,
                deleteBeforeReplace: def.deleteBeforeReplace && replaces.length > 0,
            };
        },

        async create(inputs) {
            const ctx = contextFor(this.stackConfig, inputs);
            const { [ADOPT_KEY]: adopt, [ADOPT_CHANGES_KEY]: _shown, ...wanted } = withoutProvider(inputs);
            const { id, outs } = await guarded(ctx, () => (typeof adopt === "string" ? adoptExisting(ctx, adopt, wanted) : def.create(ctx, wanted as InputsOf<S>)));
            return { id, outs: engineSafe(outs) };
        },

        async read(id, props) {
            const ctx = contextFor(this.stackConfig, props);
            const current = await guarded(ctx, () => def.read(ctx, id, withoutProvider(props ?? {}) as O));
            // An empty id tells the engine the object is gone, so refresh drops it from state.
            return current === undefined ? { id: "", props: {} } : { id, props: engineSafe(current) };
        },

        async update(id, olds, news) {
            // Only the provider code changed: the object is as it was, nothing to send.
            if (changedInputs(olds, news).changed.length === 0) return { outs: { ...withoutProvider(olds), ...withoutProvider(news) } };
            const ctx = contextFor(this.stackConfig, olds, news);
            const outs = await guarded(ctx, () => def.update(ctx, id, withoutProvider(olds) as O, withoutProvider(news) as InputsOf<S>));
            return { outs: engineSafe(outs) };
        },

        async delete(id, props) {
            const ctx = contextFor(this.stackConfig, props);
            await guarded(ctx, () => def.delete(ctx, id, withoutProvider(props) as O));
        },
    };
    return provider;
}
