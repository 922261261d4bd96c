/**
 * Appwrite builds attributes and indexes in the background: they start `processing` and end
 * `available` or `failed` (with the reason in `error`). Deletion is background work too.
 *
 * A build's status is first read when the previous build of this run finished (1 s before any;
 * sooner each time the first read finds the work already done), then every 250 ms, then backing
 * off to 5 s for a long one (large collections). So a 2 s build is seen within 250 ms of
 * finishing, in about two reads.
 */
import type { Clock } from "../core/clock";
import type { OperationContext } from "../core/provider";
import { pollUntil } from "../core/wait";
import type { HttpCall } from "../core/http";
import { appwrite, createOwn, fetchOrGone, NOT_FOUND, removeIfPresent, type About, type AppwriteConnection } from "./client";
import { schemaApi } from "./schema-api";

/** How long schema work may take before we give up (large collections rebuild slowly). */
export const SCHEMA_WORK_TIMEOUT_MS = 10 * 60_000;

const FIRST_GUESS_MS = 1_000;
const TIGHT_INTERVAL_MS = 250;
/** Reads stay tight this long past the expected end, then back off. */
const TIGHT_SPAN_MS = 3_000;
const MAX_INTERVAL_MS = 5_000;

export interface SchemaObject {
    status?: string;
    error?: string;
    $createdAt?: string;
}

export class SchemaWorkFailed extends Error {
    /** Appwrite's reason for the failed build. */
    readonly reason: string;
    /**
     * @param cleanup why removing the failed object failed too, when it did: the build's reason
     * stays first, since that is what the user has to fix.
     */
    constructor(what: string, reason: string, cleanup?: string) {
        const because = reason || "Appwrite gave no reason";
        const message = `${what} failed to build: ${because}${cleanup ? ` (removing it failed too: ${cleanup}; the next run removes it before creating it again)` : ""}`;
        super(message);
        this.message = message; // serialized Error subclasses lose super's message
        this.name = "SchemaWorkFailed";
        this.reason = because;
    }
}

/**
 * How long Appwrite's background work has been taking, learned from what this run saw. One per
 * kind of work (building, deleting), shared by every resource of the provider host.
 */
export class WorkDurations {
    private expected: number;

    constructor(firstGuessMs = FIRST_GUESS_MS) {
        this.expected = firstGuessMs;
    }

    /** When to read first. */
    expectedMs(): number {
        return this.expected;
    }

    /** The work was seen pending, then done: it ended between the two reads. */
    finishedBetween(startMs: number, endMs: number): void {
        this.expected = Math.max(0, (startMs + endMs) / 2);
    }

    /** The first read found it done: it may have ended long before, so read sooner next time. */
    doneAtFirstRead(): void {
        this.expected = Math.max(0, Math.min(this.expected - TIGHT_INTERVAL_MS, this.expected * 0.75));
    }
}

const builds = new WorkDurations();
const deletions = new WorkDurations(500);

/** Reads `probe` until it answers; the first read when the work is expected done, then tight, then backing off. */
async function awaitWork<T>(clock: Clock, durations: WorkDurations, what: string, probe: () => Promise<T | undefined>): Promise<{ value: T; polls: number }> {
    const started = clock.now();
    const expected = durations.expectedMs();
    let lastPending: number | undefined;
    let interval = TIGHT_INTERVAL_MS;
    const result = await pollUntil(
        async () => {
            const value = await probe();
            if (value === undefined) lastPending = clock.now();
            return value;
        },
        {
            what,
            timeoutMs: SCHEMA_WORK_TIMEOUT_MS,
            clock,
            firstDelayMs: expected,
            nextIntervalMs: () => {
                if (clock.now() - started > expected + TIGHT_SPAN_MS) interval = Math.min(MAX_INTERVAL_MS, Math.ceil(interval * 1.5));
                return interval;
            },
        },
    );
    if (lastPending === undefined) durations.doneAtFirstRead();
    else durations.finishedBetween(lastPending - started, clock.now() - started);
    return result;
}

/** Waits until the object is available; throws with Appwrite's reason when it failed. */
export async function waitAvailable(ctx: OperationContext, what: string, fetch: () => Promise<SchemaObject | undefined>): Promise<{ polls: number }> {
    const { value, polls } = await awaitWork(ctx.clock, builds, `${what} to become available`, async () => {
        const found = await fetch();
        if (found === undefined) return { missing: true as const };
        if (found.status === "available") return { missing: false as const };
        if (found.status === "failed" || found.status === "stuck") throw new SchemaWorkFailed(what, found.error ?? "");
        return undefined;
    });
    if (value.missing) throw new Error(`${what} does not exist`);
    return { polls };
}

/** Waits until the object is gone, so its key can be used again; a removal Appwrite gave up on (`stuck`) is an error. */
export async function waitGone(ctx: OperationContext, what: string, fetch: () => Promise<SchemaObject | undefined>): Promise<void> {
    await awaitWork(ctx.clock, deletions, `${what} to be deleted`, async () => {
        const found = await fetch();
        if (found === undefined) return true;
        if (found.status === "stuck") throw new Error(`${what} could not be removed: ${found.error || "Appwrite gave no reason"}`);
        return undefined;
    });
}

/** An attribute or index at our key that must go before ours can be created. */
class KeyInUse extends Error {
    constructor(readonly found: SchemaObject) {
        super(`the key is in use (${found.status})`);
        this.message = `the key is in use (${found.status})`;
        this.name = "KeyInUse";
    }
}

export interface SchemaCreate<T extends SchemaObject> {
    /** What is created, e.g. "attribute users.email". */
    what: string;
    operation: string;
    send(call: HttpCall): Promise<unknown>;
    read(): Promise<T | undefined>;
    remove(): Promise<void>;
    /** How an object at our key differs from what we asked for; undefined when it does not. */
    differs(found: T): string | undefined;
    /** Whether a `failed` object at our key is one of ours: same kind of object (a failed build holds no data). */
    sameKind(found: T): boolean;
}

/**
 * Creates an attribute or index at a key this stack chose. What may already be at the key:
 * - our own create whose answer was lost, or one the engine gave up on: adopted (`createOwn`);
 * - an object Appwrite is still deleting (a replacement sent right after its delete: deletes do
 *   not wait): waited out, then created again;
 * - a `failed` one of ours, left when removing a failed build failed too: removed, then created
 *   again (a failed build never held data);
 * - anything else: refused with the reason.
 */
export async function createSchemaObject<T extends SchemaObject>(ctx: OperationContext, c: SchemaCreate<T>): Promise<void> {
    for (let round = 1; ; round++) {
        try {
            await createOwn<T>(ctx, c.operation, c.what, {
                // Only whether it was created matters: what was, is read and awaited next.
                send: async (call) => (await c.send(call)) as T,
                read: async () => {
                    const found = await c.read();
                    if (found?.status === "deleting" || (found?.status === "failed" && c.sameKind(found))) throw new KeyInUse(found);
                    return found;
                },
                createdAt: (found) => found.$createdAt,
                differs: c.differs,
            });
            return;
        } catch (err) {
            if (!(err instanceof KeyInUse)) throw err;
            if (round >= 3) throw new Error(`${c.what} cannot be created: its key is still taken by an attribute or index that is ${err.found.status} after waiting for it twice; run again once Appwrite has removed it`);
            if (err.found.status === "failed") await c.remove();
            await waitGone(ctx, `${c.what} (${err.found.status === "failed" ? "a failed build of ours" : "being deleted"})`, c.read);
        }
    }
}

/**
 * Removes an object whose build failed, so nothing half-built stays behind, and throws the
 * build's reason; when the removal fails too, the error says so after the reason.
 */
export async function removeFailedBuild(ctx: OperationContext, failure: SchemaWorkFailed, what: string, remove: () => Promise<void>, read: () => Promise<SchemaObject | undefined>): Promise<never> {
    try {
        await remove();
        await waitGone(ctx, `failed ${what}`, read);
    } catch (cleanup) {
        const text = cleanup instanceof Error || (typeof cleanup === "object" && cleanup !== null) ? String((cleanup as { message?: unknown }).message) : String(cleanup);
        throw new SchemaWorkFailed(what, failure.reason, text);
    }
    throw failure;
}

/** An attribute, as Appwrite names it in answers (its `key`) and in 404s. */
export const attributeAt = (key: string): About<Record<string, any>> => ({ kind: "attribute", id: key, idOf: (a) => a.key, notFound: NOT_FOUND.attribute });

/** Reads an attribute's current state inside a create; undefined once it is gone. */
export function attributeReader(ctx: OperationContext, connection: AppwriteConnection, databaseId: string, collectionId: string, key: string) {
    return async () => {
        const { call, databases } = appwrite(ctx, connection, `read attribute ${collectionId}.${key}`);
        return fetchOrGone(ctx, call, attributeAt(key), () => schemaApi.getAttribute(databases, databaseId, collectionId, key));
    };
}

/** Removes a failed build of ours inside a create (Appwrite drops it in the background); gone already counts as removed. */
export function attributeRemover(ctx: OperationContext, connection: AppwriteConnection, databaseId: string, collectionId: string, key: string) {
    return async () => {
        const { call, databases } = appwrite(ctx, connection, `delete attribute ${collectionId}.${key}`);
        await removeIfPresent(ctx, call, attributeAt(key), () => schemaApi.deleteAttribute(databases, databaseId, collectionId, key));
    };
}

/** Waits for an attribute; a failed one is removed so nothing half-built stays behind. */
export async function awaitAttribute(ctx: OperationContext, connection: AppwriteConnection, databaseId: string, collectionId: string, key: string): Promise<{ polls: number }> {
    const read = attributeReader(ctx, connection, databaseId, collectionId, key);
    const what = `attribute ${collectionId}.${key}`;
    try {
        return await waitAvailable(ctx, what, read);
    } catch (err) {
        if (err instanceof SchemaWorkFailed) return removeFailedBuild(ctx, err, what, attributeRemover(ctx, connection, databaseId, collectionId, key), read);
        throw err;
    }
}
