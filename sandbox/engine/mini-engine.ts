/**
 * Just enough of `pulumi up` and `pulumi destroy` to run the compiled program against the
 * emulators without the CLI: the program runs under Pulumi mocks whose resource registrations
 * go to the real dynamic-provider host (check, then create, or diff then update or replace), so
 * dependents receive real ids exactly as they would under the engine. Like the engine, an `up`
 * deletes what left the program (dependents first), refuses to delete a protected resource, and
 * only forgets one marked retainOnDelete; secret inputs reach the provider unwrapped.
 *
 * Unlike `pulumi up`: no preview, no parallelism limit, official providers' resources (GitHub,
 * PostgreSQL roles, random) are answered here instead of by their plugins, and a replacement's
 * old object is deleted right after the new one is made rather than at the end of the update.
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
function officialOutputs(type: string, inputs: Record<string, unknown>, old: Record<string, unknown> | undefined): Record<string, unknown> {
    if (type === "random:index/randomPassword:RandomPassword") {
        const length = Number(inputs.length ?? 32);
        return { ...inputs, result: old?.result ?? randomBytes(length).toString("base64url").slice(0, length) };
    }
    return inputs;
}

/** The resource options the engine acts on when a resource leaves the program. */
interface Options {
    protect: boolean;
    retainOnDelete: boolean;
    /** URNs this resource depends on (dependsOn and the inputs' resources). */
    dependencies: string[];
}

interface Managed {
    urn: string;
    id: string;
    outputs: Record<string, unknown>;
    options?: Options;
}

export type Step = "create" | "update" | "replace" | "same" | "delete" | "retain";

interface RegisterRequest {
    getName(): string;
    getProtect(): boolean | undefined;
    getRetainondelete(): boolean | undefined;
    getDependenciesList(): string[];
}

/** Pulumi's refusal, as `pulumi up` and `pulumi destroy` give it. */
export class ProtectedResourceError extends Error {
    constructor(readonly urn: string) {
        super(`unable to delete resource "${urn}": it is protected. To delete it, first set protect: false and run up, or run pulumi state unprotect "${urn}"`);
        this.name = "ProtectedResourceError";
    }
}

export class MiniEngine {
    readonly state = new Map<string, Managed>();
    /** What the harness answered for official providers' resources, by name. */
    private readonly official = new Map<string, Record<string, unknown>>();

    /** The state of an official provider's resource (a generated password, say). */
    officialState(name: string): Record<string, unknown> | undefined {
        return this.official.get(name);
    }
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
        pulumi.runtime.setMocks(
            {
                newResource: async (args) => {
                    if (typeof args.inputs.__provider !== "string") {
                        const state = officialOutputs(args.type, args.inputs, this.official.get(args.name));
                        this.official.set(args.name, state);
                        return { id: `${args.name}-id`, state };
                    }
                    const { id, outputs } = await this.apply(args.type, args.name, unwrapSecrets(args.inputs) as Record<string, unknown>);
                    return { id, state: outputs };
                },
                call: (args) => {
                    throw new Error(`unmocked call ${args.token}`);
                },
            },
            this.project,
            this.stack,
            false,
        );
        this.recordOptions();
        pulumi.runtime.setAllConfig(config, secretKeys);
        await new Promise<void>((resolve) => pulumi.all(run()).apply(() => resolve()));
        // As the language host does at program exit: let every RPC (component outputs too) finish.
        await pulumi.runtime.disconnect();
        // What the program no longer registers leaves the stack.
        await this.remove([...this.state.keys()].filter((name) => !(name in this.steps)));
    }

    /** Each registration's options, read from the request the program sends the engine. */
    private readonly registered = new Map<string, Options>();
    private recordOptions(): void {
        this.registered.clear();
        const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource(req: RegisterRequest, cb: unknown): void };
        const original = monitor.registerResource.bind(monitor);
        monitor.registerResource = (req, callback) => {
            this.registered.set(req.getName(), { protect: req.getProtect() ?? false, retainOnDelete: req.getRetainondelete() ?? false, dependencies: req.getDependenciesList() });
            original(req, callback);
        };
    }

    /** Deletes these resources, each after every resource that depends on it. */
    private async remove(names: string[]): Promise<void> {
        const left = new Set(names);
        while (left.size > 0) {
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
        if (!diff.deleteBeforeReplace) await this.host.delete(old.id, urn, old.outputs);
        this.steps[name] = "replace";
        return this.keep(name, { urn, id: created.id, outputs: created.properties }, false);
    }

    private keep(name: string, managed: Managed, isNew: boolean): Managed {
        this.state.set(name, { ...managed, options: this.registered.get(name) });
        if (isNew) this.order.push(name);
        return managed;
    }

    /** `pulumi destroy`: every resource, dependents first; a protected one stops it, a retained one is only forgotten. */
    async destroy(): Promise<void> {
        this.steps = {};
        await this.remove([...this.state.keys()]);
    }
}
