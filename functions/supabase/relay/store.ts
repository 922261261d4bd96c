/**
 * Where the relay records what it did: PostgreSQL (SUPABASE_DB_URL, which Supabase gives every
 * Edge Function). Each delivery is inserted into relay_deliveries in the same transaction as its
 * effect; a conflict there means the delivery was acted on already. A concurrent copy of the same
 * delivery waits on that row until the first commits (then it is a duplicate) or rolls back
 * (then it runs).
 */
import pg from "npm:pg@8.23.1";

export interface Tx {
    query(sql: string, params: unknown[]): Promise<{ rowCount: number | null }>;
}

export type Once<T> = { duplicate: true } | { duplicate: false; value: T };

export interface Store {
    /** Runs `effect` unless (source, id) was recorded; records it when the effect succeeds. */
    once<T>(source: string, deliveryId: string, effect: (tx: Tx) => Promise<T>): Promise<Once<T>>;
    close(): Promise<void>;
}

export function postgresStore(connectionString: string): Store {
    const pool = new pg.Pool({ connectionString, max: 4 });
    // An idle connection dropped by the server must not crash the function.
    pool.on("error", () => {});
    return {
        async once(source, deliveryId, effect) {
            const client = await pool.connect();
            try {
                await client.query("BEGIN");
                const inserted = await client.query("INSERT INTO relay_deliveries (source, delivery_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", [source, deliveryId]);
                if (inserted.rowCount === 0) {
                    await client.query("ROLLBACK");
                    return { duplicate: true };
                }
                const value = await effect(client);
                await client.query("COMMIT");
                return { duplicate: false, value };
            } catch (err) {
                await client.query("ROLLBACK").catch(() => {});
                throw err;
            } finally {
                client.release();
            }
        },
        close: () => pool.end(),
    };
}
