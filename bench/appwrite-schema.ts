/**
 * Requests per object for an Appwrite schema of 10 collections, 80 attributes and 20 indexes:
 * create (status reads included), no-op up, refresh and destroy; and how long the creates waited.
 * Builds take 2 s of a virtual clock that the emulator and the providers share, as a real
 * server's builds take 1 to 3 s.
 */
import { attributeDefinition } from "../dynamic-providers/appwrite/attribute";
import { collectionDefinition } from "../dynamic-providers/appwrite/collection";
import { indexDefinition } from "../dynamic-providers/appwrite/collection-index";
import { databaseDefinition } from "../dynamic-providers/appwrite/database";
import { dynamicProvider } from "../dynamic-providers/core/provider";
import { VirtualClock } from "../sandbox/clock";
import { AppwriteEmulator } from "../sandbox/emulators/appwrite";
import { measure, type StepFigure } from "./figures";

const KEY = "bench-appwrite-key";

interface Managed {
    kind: "database" | "collection" | "attribute" | "index";
    news: Record<string, unknown>;
    id?: string;
    outs?: Record<string, unknown>;
    inputs?: Record<string, unknown>;
}

export async function benchAppwriteSchema(collections: number, attributesPer: number, indexesPer: number): Promise<{ figures: StepFigure[]; waitedMs: number; polls: number }> {
    const clock = new VirtualClock();
    const emulator = new AppwriteEmulator({ projectId: "bench", apiKey: KEY, buildMs: 2_000, clock });
    await emulator.start();
    const config = { config: { get: (k: string) => (k === "stackwire:appwriteApiKey" ? KEY : undefined) } } as never;
    const providers = { database: dynamicProvider(databaseDefinition, { clock }), collection: dynamicProvider(collectionDefinition, { clock }), attribute: dynamicProvider(attributeDefinition, { clock }), index: dynamicProvider(indexDefinition, { clock }) };
    for (const p of Object.values(providers)) await p.configure!(config);
    const conn = { endpoint: `${emulator.url}/v1`, projectId: "bench", databaseId: "main" };

    const objects: Managed[] = [{ kind: "database", news: { ...conn, name: "Main" } }];
    for (let c = 0; c < collections; c++) {
        const collectionId = `collection_${c}`;
        objects.push({ kind: "collection", news: { ...conn, collectionId, name: `Collection ${c}` } });
        for (let a = 0; a < attributesPer; a++) {
            const type = (["string", "integer", "email", "boolean"] as const)[a % 4];
            objects.push({ kind: "attribute", news: { ...conn, collectionId, key: `field_${a}`, type, ...(type === "string" ? { size: 128 } : {}) } });
        }
        for (let i = 0; i < indexesPer; i++) objects.push({ kind: "index", news: { ...conn, collectionId, key: `index_${i}`, type: "key", attributes: [`field_${i}`] } });
    }
    const figures: StepFigure[] = [];
    const kinds = ["database", "collection", "attribute", "index"] as const;
    const plural = { database: "databases", collection: "collections", attribute: "attributes", index: "indexes" };
    const of = (kind: Managed["kind"]) => objects.filter((o) => o.kind === kind);

    const started = clock.now();
    for (const kind of kinds) {
        await measure(figures, emulator, `create ${plural[kind]}`, of(kind), async (o) => {
            o.inputs = (await providers[kind].check!({}, o.news)).inputs;
            const created = await providers[kind].create(o.inputs);
            Object.assign(o, { id: created.id, outs: created.outs });
        });
    }
    const createWaitMs = clock.now() - started;
    const polls = emulator.processingReads;
    for (const kind of kinds) {
        await measure(figures, emulator, `no-op up, ${plural[kind]}`, of(kind), async (o) => {
            if ((await providers[kind].diff!(o.id!, o.outs!, o.inputs!)).changes) throw new Error(`bench: ${kind} ${o.id} changed on a no-op up`);
        });
    }
    for (const kind of kinds) {
        await measure(figures, emulator, `refresh ${plural[kind]}`, of(kind), async (o) => {
            await providers[kind].read!(o.id!, o.outs!);
        });
    }
    for (const kind of [...kinds].reverse()) {
        await measure(figures, emulator, `destroy ${plural[kind]}`, of(kind), async (o) => {
            await providers[kind].delete!(o.id!, o.outs!);
        });
    }
    await emulator.stop();
    return { figures, waitedMs: createWaitMs, polls };
}
