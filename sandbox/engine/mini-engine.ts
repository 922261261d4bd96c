/**
 * Just enough of `pulumi up` and `pulumi destroy` to run the compiled program against the
 * emulators without the CLI: the program runs under Pulumi mocks whose resource registrations
 * go to the real dynamic-provider host (check, then create, or diff then update or replace), so
 * dependents receive real ids exactly as they would under the engine.
 */
import * as pulumi from "@pulumi/pulumi";
import type { DynamicProviderHost } from "./host";

interface Managed {
    urn: string;
    id: string;
    outputs: Record<string, unknown>;
}

export type Step = "create" | "update" | "replace" | "same";

export class MiniEngine {
    readonly state = new Map<string, Managed>();
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
    async up(config: Record<string, string>, run: () => pulumi.Output<unknown>[]): Promise<void> {
        this.steps = {};
        pulumi.runtime.setMocks(
            {
                newResource: async (args) => {
                    if (typeof args.inputs.__provider !== "string") return { id: `${args.name}-component`, state: args.inputs };
                    const { id, outputs } = await this.apply(args.type, args.name, args.inputs);
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
        pulumi.runtime.setAllConfig(config, []);
        await new Promise<void>((resolve) => pulumi.all(run()).apply(() => resolve()));
        // As the language host does at program exit: let every RPC (component outputs too) finish.
        await pulumi.runtime.disconnect();
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
            return old;
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
        this.state.set(name, managed);
        if (isNew) this.order.push(name);
        return managed;
    }

    async destroy(): Promise<void> {
        for (const name of [...this.order].reverse()) {
            const managed = this.state.get(name)!;
            await this.host.delete(managed.id, managed.urn, managed.outputs);
            this.state.delete(name);
        }
        this.order.length = 0;
    }
}
