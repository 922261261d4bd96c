/** Requests per bucket for each lifecycle step, from the emulator's counters. */
import { dynamicProvider } from "../dynamic-providers/core/provider";
import { bucketDefinition } from "../dynamic-providers/supabase/bucket";
import { SupabaseStorageEmulator } from "../sandbox/emulators/supabase-storage";
import { measure, type StepFigure } from "./figures";

const KEY = "bench-service-role-key-0123456789";

export async function benchSupabaseBuckets(count: number): Promise<StepFigure[]> {
    const emulator = new SupabaseStorageEmulator({ serviceRoleKey: KEY, anonKey: "bench-anon", emptyBatchSize: 100 });
    await emulator.start();
    const provider = dynamicProvider(bucketDefinition, { sleep: async () => undefined });
    await provider.configure!({ config: { get: (k: string) => (k === "stackwire:supabaseServiceRoleKey" ? KEY : undefined) } } as never);
    const figures: StepFigure[] = [];
    const ids = Array.from({ length: count }, (_, i) => `stackwire-bench-bucket-${i}`);
    const states = new Map<string, Record<string, unknown>>();
    const inputsFor = async (id: string, extra: Record<string, unknown> = {}) =>
        (await provider.check!({}, { projectUrl: emulator.url, bucketId: id, allowedMimeTypes: ["image/png"], ...extra })).inputs;

    await measure(figures, emulator, "create", ids, async (id) => {
        states.set(id, (await provider.create(await inputsFor(id))).outs);
    });
    await measure(figures, emulator, "no-op up (check + diff)", ids, async (id) => {
        if ((await provider.diff!(id, states.get(id)!, await inputsFor(id))).changes) throw new Error(`bench: ${id} changed on a no-op up`);
    });
    await measure(figures, emulator, "refresh (read)", ids, async (id) => {
        await provider.read!(id, states.get(id)!);
    });
    await measure(figures, emulator, "update one setting", ids, async (id) => {
        states.set(id, (await provider.update!(id, states.get(id)!, await inputsFor(id, { public: true }))).outs);
    });
    await measure(figures, emulator, "delete (empty bucket)", ids, async (id) => {
        await provider.delete!(id, states.get(id)!);
    });
    await emulator.stop();
    return figures;
}
