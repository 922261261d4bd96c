/**
 * Requests per bucket for each lifecycle step, read from the emulator's counters, and the time
 * each step takes against the local emulator. `npm run bench` prints the table.
 */
import { dynamicProvider } from "../dynamic-providers/core/provider";
import { bucketDefinition } from "../dynamic-providers/supabase/bucket";
import { SupabaseStorageEmulator } from "../test/emulators/supabase-storage";

const KEY = "bench-service-role-key-0123456789";

export interface StepFigure {
    step: string;
    requestsPerBucket: number;
    byRoute: Record<string, number>;
    ms: number;
}

export async function benchSupabaseBuckets(count: number): Promise<StepFigure[]> {
    const emulator = new SupabaseStorageEmulator({ serviceRoleKey: KEY, anonKey: "bench-anon", emptyBatchSize: 100 });
    await emulator.start();
    const provider = dynamicProvider(bucketDefinition, { sleep: async () => undefined });
    await provider.configure!({ config: { get: (k: string) => (k === "stackwire:supabaseServiceRoleKey" ? KEY : undefined) } } as never);
    const figures: StepFigure[] = [];
    const ids = Array.from({ length: count }, (_, i) => `stackwire-bench-bucket-${i}`);
    const states = new Map<string, Record<string, unknown>>();

    const step = async (name: string, run: (id: string) => Promise<void>) => {
        emulator.resetCounts();
        const started = performance.now();
        for (const id of ids) await run(id);
        figures.push({ step: name, requestsPerBucket: emulator.totalRequests() / count, byRoute: emulator.requestCounts(), ms: performance.now() - started });
    };
    const inputsFor = async (id: string, extra: Record<string, unknown> = {}) =>
        (await provider.check!({}, { projectUrl: emulator.url, bucketId: id, allowedMimeTypes: ["image/png"], ...extra })).inputs;

    await step("create", async (id) => {
        const { outs } = await provider.create(await inputsFor(id));
        states.set(id, outs);
    });
    await step("no-op up (check + diff)", async (id) => {
        const diff = await provider.diff!(id, states.get(id)!, await inputsFor(id));
        if (diff.changes) throw new Error(`bench: ${id} shows a change on a no-op up`);
    });
    await step("refresh (read)", async (id) => {
        await provider.read!(id, states.get(id)!);
    });
    await step("update one setting", async (id) => {
        const news = await inputsFor(id, { public: true });
        states.set(id, (await provider.update!(id, states.get(id)!, news)).outs);
    });
    await step("delete (empty bucket)", async (id) => {
        await provider.delete!(id, states.get(id)!);
    });
    await emulator.stop();
    return figures;
}
