/**
 * SQL migrations as a resource: an ordered list of migrations applied with the `pg` driver, each
 * in its own transaction, under an advisory lock so concurrent runs apply each one once, with
 * name and checksum recorded in a table. Pending migrations show as a diff; an applied migration
 * that was edited is refused (in check when the state knows it, and against the table).
 * Migrations are never undone: deleting the resource leaves the schema in place.
 *
 * "Not found" (issue 16): PostgreSQL hides a table from a role that may not use its schema: by its
 * name it answers 42P01 undefined_table (to_regclass gives NULL), by its qualified name 42501
 * permission denied for schema. So a table that is not there counts as "nothing applied" only once
 * the catalog (readable by every role) shows no table of that name this role cannot see; otherwise
 * refresh fails naming the role and its password setting, and the state keeps what was applied.
 * One catalog query, only when the table is not found. A database that does not exist (3D000,
 * answered only after the password was accepted) took the migrations with it: refresh drops them.
 * Destroy makes no connection at all, so no answer of the server can mislead it.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { Client } from "pg";
import { confirmGone, type WhereItLives } from "../core/gone";
import type { OperationContext, ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { connect, passwordSetting } from "./client";
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

/** What the table records, or undefined when this connection finds no table of that name. */
async function appliedIn(client: Client, table: string): Promise<AppliedMigration[] | undefined> {
    const exists = await client.query("SELECT to_regclass($1) AS t", [table]);
    if (exists.rows[0].t === null) return undefined;
    const { rows } = await client.query(`SELECT name, checksum FROM ${table} ORDER BY name`);
    return rows as AppliedMigration[];
}

/**
 * Where the migrations table lives: a schema of the database that this role can see. Visible
 * unless the catalog holds a table of that name in a schema the role may not use (no USAGE), or
 * one the role owns in a schema off its search path: then the table is hidden, not gone.
 */
function theSchemas(client: Client, i: Pick<MigrationsInputs, "connectionUrl" | "table" | "password">): WhereItLives {
    const u = new URL(i.connectionUrl);
    const role = decodeURIComponent(u.username);
    return {
        name: `the schemas role "${role}" may use in database "${decodeURIComponent(u.pathname.slice(1))}"`,
        credential: passwordSetting(i.password),
        visible: async () => {
            const { rows } = await client.query(
                `SELECT n.nspname AS schema, has_schema_privilege(n.oid, 'USAGE') AS usable, pg_get_userbyid(c.relowner) = current_user AS owned,
                        n.nspname = ANY (current_schemas(false)) AS on_path, array_to_string(current_schemas(false), ', ') AS path
                   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE c.relname = $1 AND c.relkind IN ('r', 'p')`,
                [i.table],
            );
            const hidden = (rows as { schema: string; usable: boolean; owned: boolean; on_path: boolean; path: string }[]).filter((r) => !r.usable || (r.owned && !r.on_path));
            if (hidden.length === 0) return true;
            const why = hidden.map((r) => (r.usable ? `schema "${r.schema}" holds a table ${i.table} of this role, off its search path (${r.path || "empty"})` : `schema "${r.schema}", which holds a table ${i.table}, is not usable by it (no USAGE)`));
            return `signs in as role "${role}", and ${why.join("; ")}: PostgreSQL hides such a table (42P01 undefined_table by its name, 42501 permission denied for schema by its qualified name). Grant the role USAGE on the schema, fix its search path, or check connectionUrl's role`;
        },
    };
}

/**
 * Applies what is pending, one transaction per migration, under the advisory lock. `recordedBefore`:
 * the state says migrations were recorded in the table already (an update).
 */
export async function migrate(ctx: OperationContext, i: MigrationsInputs, recordedBefore = false): Promise<AppliedMigration[]> {
    const client = await connect(ctx, i.connectionUrl, i.password);
    try {
        await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
        const recorded = await appliedIn(client, i.table);
        // A table this resource recorded into before, now out of sight, is hidden rather than gone:
        // a new one would run every migration again.
        if (recorded === undefined && recordedBefore) await confirmGone(ctx, ctx.http(`apply migrations to ${i.table}`), `migrations table ${i.table}`, theSchemas(client, i));
        await client.query(`CREATE TABLE IF NOT EXISTS ${i.table} (name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
        // Under the advisory lock: a table this run just made holds nothing yet.
        const applied = recorded ?? [];
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
        return (await appliedIn(client, i.table)) ?? [];
    } finally {
        await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => undefined);
        await client.end();
    }
}

const summary = (list: readonly { name: string; checksum: string }[]) => list.map(({ name, checksum }) => ({ name, checksum }));

export const migrationsDefinition: ResourceDefinition<ReturnType<typeof migrationsInputSchema>, MigrationsState> = {
    module: "postgresql",
    type: "SqlMigrations",
    idFor: (i) => `${new URL(i.connectionUrl).pathname.slice(1)}/${i.table}`,
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
        return { id: migrationsDefinition.idFor!(i), outs: { ...i, applied } };
    },
    async read(ctx, _id, state) {
        let client: Client;
        try {
            client = await connect(ctx, state.connectionUrl, state.password ?? null);
        } catch (err) {
            // The server accepted the password and says the database does not exist: its migrations are gone.
            if ((err as { code?: string }).code === "3D000") return undefined;
            throw err;
        }
        try {
            // What the database has applied: a migration recorded elsewhere, or lost, shows as drift;
            // a table not found means nothing applied only when this role could have seen it.
            let applied = await appliedIn(client, state.table);
            if (applied === undefined) {
                await confirmGone(ctx, ctx.http(`read migrations table ${state.table}`), `migrations table ${state.table}`, theSchemas(client, { ...state, password: state.password ?? null }));
                applied = [];
            }
            const known = new Map(state.migrations.map((m) => [m.name, m]));
            return { ...state, applied, migrations: applied.map((a) => known.get(a.name) ?? { name: a.name, sql: "", checksum: a.checksum }) };
        } finally {
            await client.end();
        }
    },
    async update(ctx, _id, olds, news) {
        return { ...news, applied: await migrate(ctx, news, Array.isArray(olds.applied) && olds.applied.length > 0) };
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
