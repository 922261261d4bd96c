/**
 * Just enough of `pulumi up` and `pulumi destroy` to run the compiled program against the
 * emulators without the CLI: the program runs under Pulumi mocks whose resource registrations
 * go to the real dynamic-provider host (check, then create, or diff then update or replace), so
 * dependents receive real ids exactly as they would under the engine. Like the engine, an `up`
 * deletes what left the program (dependents first), refuses to delete a protected resource, and
 * only forgets one marked retainOnDelete; secret inputs reach the provider unwrapped.
 *
 * `preview` is `pulumi preview`: check and diff only, unknowns sent as the engine sends them, a
 * plan per resource. Unlike `pulumi up`: no parallelism limit, official providers' resources (GitHub,
 * PostgreSQL roles, random) are answered here instead of by their plugins. As the engine does, a
 * replacement's old object (create before delete) is deleted at the end of the update.
 */
import * as pulumi from "@pulumi/pulumi";
import { randomBytes } from "node:crypto";
import { SECRET_SIG, type DynamicProviderHost } from "./host";

/** Secret inputs as the engine hands them to a provider: the value, unwrapped. */
function unwrapSecrets(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(unwrapSecrets);
    if (value === null || typeof value !== "object") return value;
    const record = value as Record<string, unknown>;
    if (SECRET_SIG in record) return unwrapSecrets(record.value);
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, unwrapSecrets(v)]));
}

/**
 * The official providers' resources this harness answers itself (their plugins cannot run
 * here): a random password gets a real random value, kept across `up`s as its state is.
 */
function officialOutputs(type: string, inputs: Record<string, unknown>, old: Record<string, unknown> | undefined, githubOwner: string): Record<string, unknown> {
    if (type === "random:index/randomPassword:RandomPassword") {
        const length = Number(inputs.length ?? 32);
        return { ...inputs, result: old?.result ?? randomBytes(length).toString("base64url").slice(0, length) };
    }
    if (type === "github:index/repository:Repository") {
        // What GitHub answers for a repository, so that values built from it (a mirror's description) are known.
        const fullName = `${githubOwner}/${String(inputs.name)}`;
        return { ...inputs, fullName, htmlUrl: `https://github.com/${fullName}`, httpCloneUrl: `https://github.com/${fullName}.git` };
    }
    return inputs;
}

/** The resource options the engine acts on when a resource leaves the program. */
interface Options {
    protect: boolean;
    retainOnDelete: boolean;
    /** URNs this resource depends on (dependsOn and the inputs' resources). */
    dependencies: string[];
    /** The id Pulumi's `import` option names: the engine reads that object instead of creating one. */
    importId?: string;
    /** Properties whose changes the engine ignores. */
    ignoreChanges?: string[];
}

interface Managed {
    urn: string;
    id: string;
    outputs: Record<string, unknown>;
    options?: Options;
}

export type Step = "create" | "update" | "replace" | "same" | "delete" | "retain";

/** The id the harness gives a resource whose create failed, so the program runs to its end and its dependents are skipped. */
const FAILED = "stackwire-harness-failed:";

/** What a preview says `up` will do to one resource. */
export interface PlannedStep {
    step: Step;
    /** The properties that change (update, replace). */
    changed?: string[];
    /** Those of them that force a replacement. */
    replaces?: string[];
    /** A create that takes over an existing object: its id, and each difference `up` applies to it. */
    adopts?: { id: string; changes: string[] };
}

/** Values the program does not know yet, as the engine sends them to a provider during a preview. */
function sentinelUnknowns(value: unknown): unknown {
    if (pulumi.isUnknown(value)) return UNKNOWN;
    if (Array.isArray(value)) return value.map(sentinelUnknowns);
    if (value === null || typeof value !== "object") return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sentinelUnknowns(v)]));
}
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

interface RegisterRequest {
    getName(): string;
    getProtect(): boolean | undefined;
    getRetainondelete(): boolean | undefined;
    getDependenciesList(): string[];
    getImportid(): string;
    getIgnorechangesList(): string[];
}

/** Pulumi's refusal, as `pulumi up` and `pulumi destroy` give it. */
export class ProtectedResourceError extends Error {
    constructor(readonly urn: string) {
        super(`unable to delete resource "${urn}": it is protected. To delete it, first set protect: false and run up, or run pulumi state unprotect "${urn}"`);
        this.name = "ProtectedResourceError";
    }
}

/** A destroy stopped part-way (`stopAfter`). */
export class DestroyInterrupted extends Error {
    constructor(
        readonly deleted: number,
        readonly left: number,
    ) {
        super(`destroy interrupted after ${deleted} deletions, ${left} resources left in the state`);
        this.name = "DestroyInterrupted";
    }
}

export class MiniEngine {
    readonly state = new Map<string, Managed>();
    /** What the harness answered for official providers' resources, by name. */
    private readonly official = new Map<string, Record<string, unknown>>();
    /** The owner the program's GitHub provider is configured with. */
    private githubOwner = "owner";

    /** The options the program registered a resource with, by name (import, retainOnDelete, …). */
    optionsOf(name: string): Options | undefined {
        return this.registered.get(name);
    }

    /** The state of an official provider's resource (a generated password, say). */
    officialState(name: string): Record<string, unknown> | undefined {
        return this.official.get(name);
    }
    /** Objects replaced during the current up (create before delete), deleted when it ends. */
    private readonly replaced: { urn: string; id: string; outputs: Record<string, unknown> }[] = [];
    /** Creation order; destroy runs it backwards. */
    private readonly order: string[] = [];
    /** What the last `up` did to each resource, by name. */
    steps: Record<string, Step> = {};

    constructor(
        private readonly host: DynamicProviderHost,
        private readonly project: string,
        private readonly stack: string,
    ) {}

    /** Runs the program once, applying every registration; resolves when all outputs settled. */
    /** @param secretKeys the config keys set as secrets (`stackwire:platformKeys`, say). */
    async up(config: Record<string, string>, run: () => pulumi.Output<unknown>[], secretKeys: string[] = []): Promise<void> {
        this.steps = {};
        this.runAs(false, config, secretKeys, async (args) => {
            if (typeof args.inputs.__provider !== "string") {
                if (args.type === "pulumi:providers:github" && typeof args.inputs.owner === "string") this.githubOwner = args.inputs.owner;
                const state = officialOutputs(args.type, args.inputs, this.official.get(args.name), this.githubOwner);
                this.official.set(args.name, state);
                return { id: `${args.name}-id`, state };
            }
            // A resource that depends on one that failed is not sent, as the engine skips it.
            if (JSON.stringify(args.inputs).includes(FAILED)) return { id: `${FAILED}${args.name}`, state: args.inputs };
            try {
                const { id, outputs } = await this.apply(args.type, args.name, unwrapSecrets(args.inputs) as Record<string, unknown>);
                return { id, state: outputs };
            } catch (err) {
                // As `pulumi up` does: the failure is reported when the run ends, and nothing is deleted after it.
                failures.push(err as Error);
                return { id: `${FAILED}${args.name}`, state: args.inputs };
            }
        });
        const failures: Error[] = [];
        await new Promise<void>((resolve) => pulumi.all(run()).apply(() => resolve()));
        // As the language host does at program exit: let every RPC (component outputs too) finish.
        await pulumi.runtime.disconnect();
        if (failures.length > 0) throw failures[0];
        // Replaced objects, newest replacement first, then what the program no longer registers.
        for (const old of this.replaced.splice(0).reverse()) await this.host.delete(old.id, old.urn, old.outputs);
        await this.remove([...this.state.keys()].filter((name) => !(name in this.steps)));
    }

    /**
     * `pulumi preview`: the program runs as a dry run, each resource is checked and diffed
     * against the state (never created, updated or deleted: no API call), values not known until
     * apply reach the provider as the engine's unknown, and the plan says what `up` would do.
     */
    async preview(config: Record<string, string>, run: () => pulumi.Output<unknown>[], secretKeys: string[] = []): Promise<Record<string, PlannedStep>> {
        const plan: Record<string, PlannedStep> = {};
        const failures: Error[] = [];
        this.runAs(true, config, secretKeys, async (args) => {
            if (typeof args.inputs.__provider !== "string") {
                // An official resource not made yet has no outputs: they stay unknown.
                const known = this.official.get(args.name);
                return { id: known ? `${args.name}-id` : "", state: known ?? args.inputs };
            }
            // A refused check fails the preview once it has run, as `pulumi preview` reports it;
            // the program goes on with the resource unknown, so nothing else fails for it.
            return this.plan(plan, args.type, args.name, unwrapSecrets(sentinelUnknowns(args.inputs)) as Record<string, unknown>).catch((err: Error) => {
                failures.push(err);
                return { id: "", state: args.inputs };
            });
        });
        // A dry run never resolves unknown outputs: wait for every registration instead of the outputs.
        run();
        await pulumi.runtime.disconnect();
        if (failures.length > 0) throw failures[0];
        for (const name of this.state.keys()) {
            if (name in plan) continue;
            const managed = this.state.get(name)!;
            if (managed.options?.protect) throw new ProtectedResourceError(managed.urn);
            plan[name] = { step: managed.options?.retainOnDelete ? "retain" : "delete" };
        }
        return plan;
    }

    private async plan(plan: Record<string, PlannedStep>, type: string, name: string, inputs: Record<string, unknown>): Promise<{ id: string; state: Record<string, unknown> }> {
        const urn = `urn:pulumi:${this.stack}::${this.project}::${type}::${name}`;
        const old = this.state.get(name);
        const checked = await this.host.check(urn, old?.outputs ?? {}, inputs);
        if (checked.failures.length > 0) throw new Error(`${name}: ${checked.failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
        if (!old) {
            const adopt = checked.inputs.adopt;
            plan[name] = { step: "create", ...(typeof adopt === "string" ? { adopts: { id: adopt, changes: (checked.inputs.adoptChanges as string[] | undefined) ?? [] } } : {}) };
            return { id: "", state: checked.inputs };
        }
        const diff = await this.host.diff(old.id, urn, old.outputs, checked.inputs);
        if (diff.changes === "none") {
            plan[name] = { step: "same" };
            return { id: old.id, state: old.outputs };
        }
        const replaces = diff.replaces;
        // The dynamic-provider host sends no property diff: the engine compares old and new inputs itself.
        const changed = Object.keys(checked.inputs).filter((k) => k !== "__provider" && JSON.stringify(old.outputs[k]) !== JSON.stringify(checked.inputs[k]));
        plan[name] = { step: replaces.length > 0 ? "replace" : "update", changed: [...changed].sort(), ...(replaces.length > 0 ? { replaces: [...replaces].sort() } : {}) };
        // What the provider computes on apply is unknown until then.
        return { id: replaces.length > 0 ? "" : old.id, state: checked.inputs };
    }

    /** Sets up a run of the program: registrations answered by `register`, the stack's config, and each registration's options recorded. */
    private runAs(dryRun: boolean, config: Record<string, string>, secretKeys: string[], register: (args: pulumi.runtime.MockResourceArgs) => Promise<{ id: string | undefined; state: Record<string, unknown> }>): void {
        pulumi.runtime.setMocks(
            {
                newResource: register,
                call: (args) => {
                    throw new Error(`unmocked call ${args.token}`);
                },
            },
            this.project,
            this.stack,
            dryRun,
        );
        this.recordOptions();
        pulumi.runtime.setAllConfig(config, secretKeys);
    }

    /** Each registration's options, read from the request the program sends the engine. */
    private readonly registered = new Map<string, Options>();
    private recordOptions(): void {
        this.registered.clear();
        const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource(req: RegisterRequest, cb: unknown): void };
        const original = monitor.registerResource.bind(monitor);
        monitor.registerResource = (req, callback) => {
            const importId = req.getImportid();
            const ignoreChanges = req.getIgnorechangesList();
            this.registered.set(req.getName(), { protect: req.getProtect() ?? false, retainOnDelete: req.getRetainondelete() ?? false, dependencies: req.getDependenciesList(), ...(importId ? { importId } : {}), ...(ignoreChanges.length > 0 ? { ignoreChanges } : {}) });
            original(req, callback);
        };
    }

    /** Deletes these resources, each after every resource that depends on it; `stopAfter` deletes, then stops as a cancelled run does. */
    private async remove(names: string[], stopAfter = Infinity): Promise<void> {
        const left = new Set(names);
        for (let done = 0; left.size > 0; done++) {
            if (done >= stopAfter) throw new DestroyInterrupted(done, left.size);
            const dependedOn = new Set([...left].flatMap((name) => this.state.get(name)?.options?.dependencies ?? []));
            // Dependents first; among the rest, the newest first (as creation order would undo them).
            const next = [...this.order].reverse().find((name) => left.has(name) && !dependedOn.has(this.state.get(name)!.urn)) ?? [...left][0];
            left.delete(next);
            const managed = this.state.get(next)!;
            if (managed.options?.protect) throw new ProtectedResourceError(managed.urn);
            if (managed.options?.retainOnDelete) this.steps[next] = "retain";
            else {
                await this.host.delete(managed.id, managed.urn, managed.outputs);
                this.steps[next] = "delete";
            }
            this.state.delete(next);
            this.order.splice(this.order.indexOf(next), 1);
        }
    }

    private async apply(type: string, name: string, inputs: Record<string, unknown>): Promise<Managed> {
        const urn = `urn:pulumi:${this.stack}::${this.project}::${type}::${name}`;
        const old = this.state.get(name);
        const checked = await this.host.check(urn, old?.outputs ?? {}, inputs);
        if (checked.failures.length > 0) throw new Error(`${name}: ${checked.failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
        if (!old) {
            const created = await this.host.create(urn, checked.inputs);
            this.steps[name] = "create";
            return this.keep(name, { urn, id: created.id, outputs: created.properties }, true);
        }
        const diff = await this.host.diff(old.id, urn, old.outputs, checked.inputs);
        if (diff.changes === "none") {
            this.steps[name] = "same";
            // Options change without a diff (protect set or lifted): the state keeps the latest.
            return this.keep(name, old, false);
        }
        if (diff.replaces.length === 0) {
            const outputs = await this.host.update(old.id, urn, old.outputs, checked.inputs);
            this.steps[name] = "update";
            return this.keep(name, { ...old, outputs }, false);
        }
        if (diff.deleteBeforeReplace) await this.host.delete(old.id, urn, old.outputs);
        const created = await this.host.create(urn, checked.inputs);
        // As the engine does: the replaced object goes at the end of the update, once its dependents use the new one.
        if (!diff.deleteBeforeReplace) this.replaced.push({ urn, id: old.id, outputs: old.outputs });
        this.steps[name] = "replace";
        return this.keep(name, { urn, id: created.id, outputs: created.properties }, false);
    }

    private keep(name: string, managed: Managed, isNew: boolean): Managed {
        this.state.set(name, { ...managed, options: this.registered.get(name) });
        if (isNew) this.order.push(name);
        return managed;
    }

    /**
     * `pulumi destroy`: every resource, dependents first; a protected one stops it, a retained one
     * is only forgotten. `stopAfter` interrupts it after that many deletions, as a cancelled CI
     * job does: the state keeps what was not deleted yet.
     */
    async destroy(options: { stopAfter?: number } = {}): Promise<void> {
        this.steps = {};
        await this.remove([...this.state.keys()], options.stopAfter);
    }

    /** The state as `pulumi stack export` writes it (the fields a reader of it uses). */
    exportState(): { version: 3; deployment: { resources: { urn: string; custom: true; id: string; type: string; outputs: Record<string, unknown> }[] } } {
        const typeOf = (urn: string) => urn.split("::")[2];
        return { version: 3, deployment: { resources: [...this.state.values()].map((m) => ({ urn: m.urn, custom: true, id: m.id, type: typeOf(m.urn), outputs: m.outputs })) } };
    }

    /** `pulumi stack rm --force`: the state is gone, whatever the platforms still hold. */
    forgetState(): void {
        this.state.clear();
        this.order.length = 0;
        this.official.clear();
    }
}
