/**
 * SQL migrations as a resource: an ordered list of migrations applied with the `pg` driver, each
 * in its own transaction, under an advisory lock so concurrent runs apply each one once, with
 * name and checksum recorded in a table. Pending migrations show as a diff; an applied migration
 * that was edited is refused (in check when the state knows it, and against the table).
 * Migrations are never undone: deleting the resource leaves the schema in place.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { Client } from "pg";
import { z } from "zod";
import type { CredentialSpec } from "../core/credentials";
import { dynamicProvider, type OperationContext, type ResourceDefinition } from "../core/provider";

export const postgresPassword: CredentialSpec = { configKey: "postgresPassword", envVars: ["PGPASSWORD"], label: "PostgreSQL password" };

/** Advisory lock key shared by every stackwire migration run ("stackwire" in ASCII, truncated). */
export const MIGRATION_LOCK_KEY = 0x737461636b77;

export function checksumOf(sql: string): string {
    return createHash("sha256").update(sql.replace(/\r\n/g, "\n")).digest("hex");
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export function migrationsInputSchema() {
    return z
        .object({
            /** postgres://user@host:port/database, without the password (that comes from the credential). */
            connectionUrl: z.url({ protocol: /^postgres(ql)?$/, error: "must be a postgres:// URL (user@host:port/database), without a password" }).refine((u) => !new URL(u).password, "must not contain a password: set postgresPassword instead"),
            table: z.string().regex(IDENTIFIER, "must be a lower-case SQL identifier").default("stackwire_migrations"),
            /** The password of a role stackwire generated (secret in state); else postgresPassword. */
            password: z.string().min(1).nullable().default(null),
            migrations: z
                .array(z.object({ name: z.string().regex(/^[0-9]{3,}_[a-z0-9_]+$/, "must look like 001_create_payments"), sql: z.string().min(1, "must not be empty") }).strict())
                .min(1, "must list at least one migration")
                .transform((list) => list.map((m) => ({ ...m, checksum: checksumOf(m.sql) })))
                .superRefine((list, ctx) => {
                    const seen = new Set<string>();
                    list.forEach((m, i) => {
                        if (seen.has(m.name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: `"${m.name}" is listed twice` });
                        seen.add(m.name);
                        if (i > 0 && m.name <= list[i - 1].name) ctx.addIssue({ code: "custom", path: [i, "name"], message: "migrations must be in ascending name order" });
                    });
                }),
        })
        .strict();
}

export type MigrationsInputs = z.output<ReturnType<typeof migrationsInputSchema>>;
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

/**
 * Connection settings from the URL and the password. Built field by field: given a
 * connectionString, pg lets the URL's (absent) password override the password option.
 */
export function pgSettings(connectionUrl: string, password: string) {
    const u = new URL(connectionUrl);
    return {
        host: u.hostname,
        port: Number(u.port || 5432),
        user: decodeURIComponent(u.username),
        database: decodeURIComponent(u.pathname.slice(1)),
        password,
        ...(u.searchParams.get("sslmode") === "require" ? { ssl: { rejectUnauthorized: true } } : {}),
        ...(u.searchParams.get("options") ? { options: u.searchParams.get("options")! } : {}),
    };
}

async function connect(ctx: OperationContext, connectionUrl: string, password: string | null): Promise<Client> {
    const client = new Client(pgSettings(connectionUrl, password ?? ctx.optionalCredential(postgresPassword) ?? ""));
    await client.connect();
    return client;
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

export const migrationsDefinition: ResourceDefinition<MigrationsInputs, MigrationsState> = {
    service: "postgresql",
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

export const migrationsProvider = dynamicProvider(migrationsDefinition);

export interface SqlMigrationsArgs {
    /** postgres://user@host:port/database; the password comes from postgresPassword or PGPASSWORD. */
    connectionUrl: pulumi.Input<string>;
    /** Ordered by name; never edit one that was applied. */
    migrations: pulumi.Input<{ name: string; sql: string }[]>;
    /** @default "stackwire_migrations" */
    table?: pulumi.Input<string>;
    /** The role's password when stackwire generated it; kept secret. @default postgresPassword */
    password?: pulumi.Input<string>;
}

export class SqlMigrations extends pulumi.dynamic.Resource {
    declare readonly applied: pulumi.Output<AppliedMigration[]>;
    constructor(name: string, args: SqlMigrationsArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            migrationsProvider,
            name,
            { applied: undefined, ...args, ...(args.password !== undefined ? { password: pulumi.secret(args.password) } : {}) },
            pulumi.mergeOptions(opts, { additionalSecretOutputs: ["password"] }),
            "postgresql",
            "SqlMigrations",
        );
    }
}
