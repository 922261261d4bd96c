/**
 * API calls per object of each kind: its create, and what "not found means gone only when it is
 * gone" costs (issue 16): per kind, the API calls of
 * a refresh and of a destroy when the object was deleted out of band (the only paths that pay
 * for the check), against a refresh and a destroy of a live object. A no-op `up` makes none.
 */
import { dynamicProvider } from "../dynamic-providers/core/provider";
import { CONFIG_NAMESPACE } from "../dynamic-providers/core/credentials";
import { allScenarios } from "../test/scenarios";
import type { KindScenario } from "../test/scenarios/scenario";

export interface NotFoundFigure {
    kind: string;
    create: number;
    refreshLive: number;
    refreshGone: number;
    destroyLive: number;
    destroyGone: number;
}

async function providerFor(s: KindScenario) {
    const provider = dynamicProvider(s.definition, { sleep: async () => undefined });
    const values = Object.fromEntries(Object.entries(s.rig.credentials).map(([k, v]) => [`${CONFIG_NAMESPACE}:${k}`, v]));
    await provider.configure!({ config: { get: (key: string) => values[key] } } as never);
    return provider;
}

/** Requests the emulator received while `run` ran. */
async function counted(s: KindScenario, run: () => Promise<unknown>): Promise<number> {
    const before = s.rig.emulator.totalRequests();
    await run();
    return s.rig.emulator.totalRequests() - before;
}

export async function benchNotFound(): Promise<NotFoundFigure[]> {
    const scenarios = allScenarios().filter((s) => s.removeOutOfBand);
    const rigs = [...new Set(scenarios.map((s) => s.rig))];
    for (const rig of rigs) await rig.emulator.start();
    const figures: NotFoundFigure[] = [];
    try {
        for (const s of scenarios) {
            const provider = await providerFor(s);
            let create = 0;
            const made = async () => {
                s.rig.emulator.reset();
                const { inputs } = await provider.check!({}, { ...s.rig.connection(), ...(await s.inputs()) });
                let result: Awaited<ReturnType<typeof provider.create>> | undefined;
                create = await counted(s, async () => (result = await provider.create(inputs)));
                return result!;
            };
            let { id, outs } = await made();
            const refreshLive = await counted(s, () => provider.read!(id, outs));
            const destroyLive = await counted(s, () => provider.delete!(id, outs));
            ({ id, outs } = await made());
            s.removeOutOfBand!(id);
            const refreshGone = await counted(s, () => provider.read!(id, outs));
            const destroyGone = await counted(s, () => provider.delete!(id, outs));
            figures.push({ kind: s.kind, create, refreshLive, refreshGone, destroyLive, destroyGone });
        }
    } finally {
        for (const rig of rigs) await rig.emulator.stop();
    }
    return figures;
}

export function printNotFound(figures: NotFoundFigure[]): void {
    console.log("\nAPI calls per object: create, and refresh and destroy (live object / deleted out of band)\n");
    console.log(`${"kind".padEnd(34)}${"create".padStart(8)}${"refresh".padStart(14)}${"destroy".padStart(14)}`);
    for (const f of figures) console.log(`${f.kind.padEnd(34)}${String(f.create).padStart(8)}${`${f.refreshLive} / ${f.refreshGone}`.padStart(14)}${`${f.destroyLive} / ${f.destroyGone}`.padStart(14)}`);
    console.log("A no-op up makes no call; the check costs calls only when the service answers 'not found'.");
}
