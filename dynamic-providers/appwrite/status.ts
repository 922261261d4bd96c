/**
 * Appwrite builds attributes and indexes in the background: they start `processing` and end
 * `available` or `failed` (with the reason in `error`). Deletion is background work too.
 */
import type { OperationContext } from "../core/provider";
import { pollUntil } from "../core/wait";
import { appwrite, fetchOrGone, removeIfPresent, type AppwriteConnection } from "./client";
import { schemaApi } from "./schema-api";

/** How long schema work may take before we give up (large collections rebuild slowly). */
export const SCHEMA_WORK_TIMEOUT_MS = 10 * 60_000;

const POLL = { intervalMs: 200, maxIntervalMs: 5_000 };

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

/** Waits until the object is available; throws with Appwrite's reason when it failed. */
export async function waitAvailable(ctx: OperationContext, what: string, fetch: () => Promise<SchemaObject | undefined>): Promise<{ polls: number }> {
    const { value, polls } = await pollUntil(
        async () => {
            const found = await fetch();
            if (found === undefined) return { missing: true as const };
            if (found.status === "available") return { missing: false as const };
            if (found.status === "failed" || found.status === "stuck") throw new SchemaWorkFailed(what, found.error ?? "");
            return undefined;
        },
        { what: `${what} to become available`, timeoutMs: SCHEMA_WORK_TIMEOUT_MS, sleep: ctx.sleep, ...POLL },
    );
    if (value.missing) throw new Error(`${what} does not exist`);
    return { polls };
}

/** Waits until the object is gone, so its key can be used again. */
export async function waitGone(ctx: OperationContext, what: string, fetch: () => Promise<SchemaObject | undefined>): Promise<void> {
    await pollUntil(async () => ((await fetch()) === undefined ? true : undefined), { what: `${what} to be deleted`, timeoutMs: SCHEMA_WORK_TIMEOUT_MS, sleep: ctx.sleep, ...POLL });
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
