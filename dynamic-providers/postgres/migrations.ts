/**
 * SQL migrations as a resource: an ordered list of migrations applied with the `pg` driver, each
 * in its own transaction, under an advisory lock so concurrent runs apply each one once, with
 * name and checksum recorded in a table. Pending migrations show as a diff; an applied migration
 * that was edited is refused (in check when the state knows it, and against the table).
 * Migrations are never undone: deleting the resource leaves the schema in place.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { Client } from "pg";
import type { OperationContext, ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { connect } from "./client";
import { migrationsInputSchema, type MigrationsInputs } from "./schema";

/** Advisory lock key shared by every stackwire migration run ("stackwire" in ASCII, truncated). */
export const MIGRATION_LOCK_KEY = 0x737461636b77;

export interface AppliedMigration {
    name: string;
    checksum: string;
}
export interface MigrationsState extends MigrationsInputs {
    applied: AppliedMigration[];
}

export class MigrationEditedError extends Error {
    constructor(names: string[]) {
        const message = `applied migration${names.length > 1 ? "s" : ""} ${names.join(", ")} ${names.length > 1 ? "were" : "was"} edited after being applied; add a new migration instead of changing an old one`;
        super(message);
        this.message = message; // serialized Error subclasses lose super's message
        this.name = "MigrationEditedError";
    }
}

/** Migrations the database has that the list now describes differently. */
export function editedMigrations(applied: readonly AppliedMigration[], wanted: readonly AppliedMigration[]): string[] {
    const byName = new Map(wanted.map((m) => [m.name, m.checksum]));
    return applied.filter((a) => byName.has(a.name) && byName.get(a.name) !== a.checksum).map((a) => a.name);
}

async function appliedIn(client: Client, table: string): Promise<AppliedMigration[]> {
    const exists = await client.query("SELECT to_regclass($1) AS t", [table]);
    if (exists.rows[0].t === null) return [];
    const { rows } = await client.query(`SELECT name, checksum FROM ${table} ORDER BY name`);
    return rows as AppliedMigration[];
}

/** Applies what is pending, one transaction per migration, under the advisory lock. */
export async function migrate(ctx: OperationContext, i: MigrationsInputs): Promise<AppliedMigration[]> {
    const client = await connect(ctx, i.connectionUrl, i.password);
    try {
        await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
        await client.query(`CREATE TABLE IF NOT EXISTS ${i.table} (name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
        const applied = await appliedIn(client, i.table);
        const edited = editedMigrations(applied, i.migrations);
        if (edited.length > 0) throw new MigrationEditedError(edited);
        const done = new Set(applied.map((a) => a.name));
        for (const m of i.migrations) {
            if (done.has(m.name)) continue;
            try {
                await client.query("BEGIN");
                await client.query(m.sql);
                await client.query(`INSERT INTO ${i.table} (name, checksum) VALUES ($1, $2)`, [m.name, m.checksum]);
                await client.query("COMMIT");
            } catch (err) {
                await client.query("ROLLBACK").catch(() => undefined);
                throw new Error(`migration ${m.name} failed and was rolled back: ${(err as Error).message}`);
            }
        }
        return await appliedIn(client, i.table);
    } finally {
        await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => undefined);
        await client.end();
    }
}

const summary = (list: readonly { name: string; checksum: string }[]) => list.map(({ name, checksum }) => ({ name, checksum }));

export const migrationsDefinition: ResourceDefinition<ReturnType<typeof migrationsInputSchema>, MigrationsState> = {
    module: "postgresql",
    type: "SqlMigrations",
    service: "postgresql",
    secretInputs: ["password"],
    outputs: ["applied"],
    schema: migrationsInputSchema,
    replaceOnChanges: ["connectionUrl", "table"],
    deleteBeforeReplace: false,

    checkTransition(olds, news) {
        const edited = Array.isArray(olds.applied) ? editedMigrations(olds.applied, summary(news.migrations)) : [];
        return edited.length > 0 ? [{ property: "migrations", reason: new MigrationEditedError(edited).message }] : [];
    },

    async create(ctx, i) {
        const applied = await migrate(ctx, i);
        return { id: `${new URL(i.connectionUrl).pathname.slice(1)}/${i.table}`, outs: { ...i, applied } };
    },
    async read(ctx, _id, state) {
        const client = await connect(ctx, state.connectionUrl, state.password ?? null);
        try {
            // What the database has applied: a migration recorded elsewhere, or lost, shows as drift.
            const applied = await appliedIn(client, state.table);
            const known = new Map(state.migrations.map((m) => [m.name, m]));
            return { ...state, applied, migrations: applied.map((a) => known.get(a.name) ?? { name: a.name, sql: "", checksum: a.checksum }) };
        } finally {
            await client.end();
        }
    },
    async update(ctx, _id, _olds, news) {
        return { ...news, applied: await migrate(ctx, news) };
    },
    async delete() {
        // Migrations are not undone: the schema and its data stay.
    },
};

/**
 * `connectionUrl` is postgres://user@host:port/database without a password (that comes from
 * `password`, a role stackwire generated, or postgresPassword). Migrations are ordered by name;
 * never edit one that was applied.
 */
export type SqlMigrationsArgs = ResourceArgs<ReturnType<typeof migrationsInputSchema>>;

export class SqlMigrations extends DynamicResource<ReturnType<typeof migrationsInputSchema>, MigrationsState> {
    declare readonly applied: pulumi.Output<AppliedMigration[]>;
    constructor(name: string, args: SqlMigrationsArgs, opts?: pulumi.CustomResourceOptions) {
        super(migrationsDefinition, name, args, opts);
    }
}
