/**
 * Pulumi mocks that record the whole resource graph: every registration with its inputs and
 * the options the engine would see (parent, protect, retainOnDelete, dependencies,
 * additionalSecretOutputs). Unmocked calls fail loudly, so a test cannot pass by accident.
 */
import * as pulumi from "@pulumi/pulumi";

export interface Registered {
    type: string;
    name: string;
    custom: boolean;
    parent: string;
    inputs: Record<string, unknown>;
    protect: boolean;
    retainOnDelete: boolean;
    dependencies: string[];
    additionalSecretOutputs: string[];
    deleteBeforeReplace: boolean;
}

export interface RecordedGraph {
    resources: Registered[];
    byType(type: string): Registered[];
    named(name: string): Registered;
}

/** Outputs a provider would compute (a random password's result, say), by resource type. */
export type ComputedOutputs = (type: string, name: string, inputs: Record<string, unknown>) => Record<string, unknown>;

/** Outputs the official providers compute that the tests read. */
export const officialOutputs: ComputedOutputs = (type, name) => {
    if (type === "random:index/randomPassword:RandomPassword") return { result: `generated-${name}-0123456789abcdef` };
    if (type === "github:index/repository:Repository") return { htmlUrl: `https://github.com/acme/${name}`, fullName: `acme/${name}` };
    return {};
};

export function recordGraph(project: string, stack: string, computed: ComputedOutputs = officialOutputs): RecordedGraph {
    const resources: Registered[] = [];
    pulumi.runtime.setMocks(
        {
            newResource(args) {
                return { id: `${args.name}-id`, state: { ...args.inputs, ...computed(args.type, args.name, args.inputs) } };
            },
            call(args) {
                throw new Error(`unmocked call ${args.token}`);
            },
        },
        project,
        stack,
        false,
    );
    const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource(req: RegisterRequest, cb: unknown): void };
    const original = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) => {
        resources.push({
            type: req.getType(),
            name: req.getName(),
            custom: req.getCustom(),
            parent: req.getParent(),
            // As the engine receives them: secrets still wrapped in their signature object.
            inputs: (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
            protect: req.getProtect() ?? false,
            retainOnDelete: req.getRetainondelete() ?? false,
            dependencies: req.getDependenciesList(),
            additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
            deleteBeforeReplace: req.getDeletebeforereplace(),
        });
        original(req, callback);
    };
    const graph: RecordedGraph = {
        resources,
        byType: (type) => resources.filter((r) => r.type === type),
        named(name) {
            const found = resources.find((r) => r.name === name);
            if (!found) throw new Error(`no resource named ${name}; have ${resources.map((r) => r.name).join(", ")}`);
            return found;
        },
    };
    return graph;
}

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getCustom(): boolean;
    getParent(): string;
    getProtect(): boolean | undefined;
    getRetainondelete(): boolean | undefined;
    getDependenciesList(): string[];
    getAdditionalsecretoutputsList(): string[];
    getDeletebeforereplace(): boolean;
    getObject(): { toJavaScript(): unknown } | undefined;
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** True when the engine would receive this value marked secret. */
export function isSecretValue(value: unknown): boolean {
    return typeof value === "object" && value !== null && SECRET_SIG in value;
}

/**
 * Waits until the given outputs have settled and every registration (component outputs too)
 * has reached the mocks, so the next test's mocks never receive this test's late calls.
 */
export async function settled(...outputs: pulumi.Output<unknown>[]): Promise<unknown[]> {
    const values = await new Promise<unknown[]>((resolve) => pulumi.all(outputs).apply((v) => resolve(v)));
    await pulumi.runtime.disconnect();
    return values;
}

/** Every string registered outside a secret wrapper: where a credential must never be. */
export function plainStrings(value: unknown, out: string[] = []): string[] {
    if (isSecretValue(value)) return out;
    if (typeof value === "string") out.push(value);
    else if (Array.isArray(value)) for (const v of value) plainStrings(v, out);
    else if (value && typeof value === "object") for (const v of Object.values(value)) plainStrings(v, out);
    return out;
}
