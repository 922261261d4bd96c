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
import { appwrite, appwriteFailure, fetchOrGone, isConflict, removeIfPresent, type AppwriteConnection } from "./client";
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
}

export class SchemaWorkFailed extends Error {
    constructor(what: string, reason: string) {
        const message = `${what} failed to build: ${reason || "Appwrite gave no reason"}`;
        super(message);
        this.message = message; // serialized Error subclasses lose super's message
        this.name = "SchemaWorkFailed";
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

/** Waits until the object is gone, so its key can be used again. */
export async function waitGone(ctx: OperationContext, what: string, fetch: () => Promise<SchemaObject | undefined>): Promise<void> {
    await awaitWork(ctx.clock, deletions, `${what} to be deleted`, async () => ((await fetch()) === undefined ? true : undefined));
}

/**
 * Sends a create. A 409 after our own write may have landed unseen is that write. A 409 for a
 * key Appwrite is still deleting (a replacement sent right after its delete: deletes do not wait)
 * is waited out and sent once more. Any other failure is a typed error with Appwrite's reason.
 */
export async function createWhenKeyFree(ctx: OperationContext, what: string, send: () => { call: HttpCall; sent: Promise<unknown> }, read: () => Promise<SchemaObject | undefined>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
        const { call, sent } = send();
        try {
            await sent;
            return;
        } catch (err) {
            if (isConflict(err) && call.writeMayHaveLanded) return;
            if (!isConflict(err) || attempt > 1 || (await read())?.status !== "deleting") throw ctx.error(call, appwriteFailure(err));
            await waitGone(ctx, `${what} (being deleted) to be gone`, read);
        }
    }
}

/** Reads an attribute's current state; undefined once it is gone. */
export function attributeReader(ctx: OperationContext, connection: AppwriteConnection, databaseId: string, collectionId: string, key: string) {
    return async () => {
        const { call, databases } = appwrite(ctx, connection, `read attribute ${collectionId}.${key}`);
        return fetchOrGone(ctx, call, () => schemaApi.getAttribute(databases, databaseId, collectionId, key));
    };
}

/** Waits for an attribute; a failed one is deleted so nothing half-built stays behind. */
export async function awaitAttribute(ctx: OperationContext, connection: AppwriteConnection, databaseId: string, collectionId: string, key: string): Promise<{ polls: number }> {
    const read = attributeReader(ctx, connection, databaseId, collectionId, key);
    try {
        return await waitAvailable(ctx, `attribute ${collectionId}.${key}`, read);
    } catch (err) {
        if (err instanceof SchemaWorkFailed) {
            const { call, databases } = appwrite(ctx, connection, `remove failed attribute ${collectionId}.${key}`);
            await removeIfPresent(ctx, call, () => schemaApi.deleteAttribute(databases, databaseId, collectionId, key));
            await waitGone(ctx, `failed attribute ${collectionId}.${key}`, read);
        }
        throw err;
    }
}
