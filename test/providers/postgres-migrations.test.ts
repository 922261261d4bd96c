/**
 * SqlMigrations against a real PostgreSQL server (.ci/run installs and starts it). Each test gets
 * a fresh database. Connection: STACKWIRE_TEST_POSTGRES_URL (no password in it) and
 * STACKWIRE_TEST_POSTGRES_PASSWORD, defaulting to the server .ci/run sets up.
 */
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { migrationsDefinition } from "../../dynamic-providers/postgres/migrations";
import { pgSettings } from "../../dynamic-providers/postgres/client";
import { loadMigrations } from "../../stacks/migrations";
import { configuredProvider, type ProviderUnderTest } from "./harness";
import { missingServer } from "./real-servers";

const SERVER = process.env.STACKWIRE_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const PASSWORD = process.env.STACKWIRE_TEST_POSTGRES_PASSWORD ?? "postgres";
let database = "";
let url = "";
let subject: ProviderUnderTest;

async function admin<T>(run: (c: Client) => Promise<T>, db = "postgres"): Promise<T> {
    const u = new URL(SERVER);
    u.pathname = `/${db}`;
    const client = new Client(pgSettings(u.href, PASSWORD));
    await client.connect();
    try {
        return await run(client);
    } finally {
        await client.end();
    }
}

let unavailable: string | undefined;

describe("against a real PostgreSQL server", () => {
    beforeAll(async () => {
        unavailable = await missingServer("PostgreSQL", SERVER, "STACKWIRE_TEST_POSTGRES_URL", () => admin((c) => c.query("SELECT 1")));
    });
    beforeEach((test) => {
        if (unavailable) test.skip(unavailable);
    });

    beforeEach(async () => {
        database = `stackwire_test_${randomBytes(4).toString("hex")}`;
        await admin((c) => c.query(`CREATE DATABASE ${database}`));
        const u = new URL(SERVER);
        u.pathname = `/${database}`;
        url = u.href;
        subject = await configuredProvider(migrationsDefinition, { postgresPassword: PASSWORD });
    });
    afterEach(() => admin((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)));

    const tables = () => admin(async (c) => (await c.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1")).rows.map((r) => r.table_name), database);

    async function checked(migrations: { name: string; sql: string }[], olds = {}) {
        return subject.provider.check(olds, { connectionUrl: url, migrations });
    }

    describe("SqlMigrations", () => {
        it("applies the shipped interconnection migrations and records name and checksum", async () => {
            const { inputs, failures } = await checked(loadMigrations());
            expect(failures ?? []).toEqual([]);
            const { outs } = await subject.provider.create(inputs);
            expect(await tables()).toEqual(["ai_conversations", "ai_messages", "call_logs", "repositories", "stackwire_migrations", "stripe_payments"]);
            expect((outs.applied as { name: string }[]).map((a) => a.name)).toEqual(["001_stripe_payments", "002_ai_conversations", "003_call_logs", "004_repository_metadata"]);
        });

        it("shows no change on a second up, and a new migration as a change that applies only it", async () => {
            const first = [{ name: "001_a", sql: "CREATE TABLE a (id int)" }];
            const { inputs } = await checked(first);
            const { id, outs } = await subject.provider.create(inputs);
            const read = await subject.provider.read!(id, outs);
            expect((await subject.provider.diff(id, read.props!, inputs)).changes).toBe(false);

            const more = [...first, { name: "002_b", sql: "CREATE TABLE b (id int)" }];
            const next = (await checked(more, outs)).inputs;
            expect((await subject.provider.diff(id, read.props!, next)).changes).toBe(true);
            const updated = await subject.provider.update(id, read.props!, next);
            expect((updated.outs.applied as unknown[]).length).toBe(2);
            expect(await tables()).toEqual(["a", "b", "stackwire_migrations"]);
        });

        it("refuses an applied migration that was edited, in check and against the database", async () => {
            const { inputs } = await checked([{ name: "001_a", sql: "CREATE TABLE a (id int)" }]);
            const { id, outs } = await subject.provider.create(inputs);
            const edited = [{ name: "001_a", sql: "CREATE TABLE a (id bigint)" }];
            const viaCheck = await checked(edited, outs);
            expect(viaCheck.failures?.[0]).toMatchObject({ property: "migrations", reason: expect.stringContaining("001_a was edited after being applied") });
            // A state that does not know about it (a lost state, another stack) meets the table's record.
            const blind = (await checked(edited)).inputs;
            await expect(subject.provider.update(id, { ...outs, applied: [] }, blind)).rejects.toThrow(/001_a was edited after being applied/);
        });

        it("rolls a failing migration back whole and records nothing for it", async () => {
            const { inputs } = await checked([
                { name: "001_ok", sql: "CREATE TABLE ok (id int)" },
                { name: "002_broken", sql: "CREATE TABLE half (id int); SELECT no_such_function()" },
            ]);
            await expect(subject.provider.create(inputs)).rejects.toThrow(/migration 002_broken failed and was rolled back: function no_such_function\(\) does not exist/);
            expect(await tables()).toEqual(["ok", "stackwire_migrations"]);
            const recorded = await admin(async (c) => (await c.query("SELECT name FROM stackwire_migrations")).rows.map((r) => r.name), database);
            expect(recorded).toEqual(["001_ok"]);
        });

        it("two concurrent runs apply each migration once", async () => {
            const migrations = [
                { name: "001_counter", sql: "CREATE TABLE runs (n int)" },
                { name: "002_count", sql: "INSERT INTO runs VALUES (1); SELECT pg_sleep(0.2)" },
                { name: "003_count", sql: "INSERT INTO runs VALUES (1)" },
            ];
            const { inputs } = await checked(migrations);
            const other = await configuredProvider(migrationsDefinition, { postgresPassword: PASSWORD });
            await Promise.all([subject.provider.create(inputs), other.provider.create(inputs)]);
            const count = await admin(async (c) => (await c.query("SELECT count(*)::int AS n FROM runs")).rows[0].n, database);
            expect(count).toBe(2);
        });

        it("runs as a generated role, in the schema the URL's search path names", async () => {
            await admin(async (c) => {
                await c.query("DROP ROLE IF EXISTS stackwire_test_owner");
                await c.query("CREATE ROLE stackwire_test_owner LOGIN PASSWORD 'generated-owner-password'");
            });
            await admin((c) => c.query(`CREATE SCHEMA app AUTHORIZATION stackwire_test_owner; GRANT CONNECT, CREATE ON DATABASE ${database} TO stackwire_test_owner`), database);
            const u = new URL(url);
            u.username = "stackwire_test_owner";
            const owned = (await subject.provider.check({}, { connectionUrl: `${u.href}?options=-csearch_path%3Dapp`, password: "generated-owner-password", migrations: [{ name: "001_a", sql: "CREATE TABLE a (id int)" }] })).inputs;
            await subject.provider.create(owned);
            const where = await admin(async (c) => (await c.query("SELECT table_schema, tableowner FROM information_schema.tables t JOIN pg_tables p ON p.tablename = t.table_name WHERE table_name = 'a'")).rows[0], database);
            expect(where).toEqual({ table_schema: "app", tableowner: "stackwire_test_owner" });
            await admin((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
            await admin((c) => c.query("DROP ROLE IF EXISTS stackwire_test_owner"));
        });

        it.each([
            [{ connectionUrl: "postgres://u:secret@host/db" }, "connectionUrl: must not contain a password"],
            [{ table: "x; DROP TABLE y" }, "table: must be a lower-case SQL identifier"],
            [{ table: "Migrations" }, "table: must be a lower-case SQL identifier"],
            [{ table: "app.migrations" }, "table: must be a lower-case SQL identifier"],
            [{ migrations: [{ name: "a", sql: "x" }] }, "migrations[0].name: must look like 001_create_payments"],
            [{ migrations: [{ name: "002_b", sql: "x" }, { name: "001_a", sql: "y" }] }, "migrations[1].name: migrations must be in ascending name order"],
            [{ migrations: [{ name: "001_a", sql: "x" }, { name: "001_a", sql: "y" }] }, '"001_a" is listed twice'],
        ])("rejects %j before connecting", async (news, expected) => {
            const r = await subject.provider.check({}, { connectionUrl: url, migrations: [{ name: "001_a", sql: "x" }], ...news });
            expect((r.failures ?? []).map((f) => `${f.property}: ${f.reason}`).join("\n")).toContain(expected);
        });
    });

    /**
     * Issue 16: PostgreSQL hides a table from a role that may not use its schema (42P01 by its name,
     * 42501 "permission denied for schema" by its qualified name), so "no table" means "nothing
     * applied" only when the catalog shows no table of that name hidden from the role.
     */
    describe("what not found means for SqlMigrations", () => {
        let role = "";
        const rolePassword = "role-password-for-issue-16-0123";
        const asAdmin = (sql: string) => admin((c) => c.query(sql), database);

        beforeEach(async () => {
            role = `stackwire_test_role_${randomBytes(4).toString("hex")}`;
            await admin((c) => c.query(`CREATE ROLE ${role} LOGIN PASSWORD '${rolePassword}'`));
            // Two schemas on its search path: if it lost sight of its table in app, a new one in spare would run every migration again.
            await asAdmin(`CREATE SCHEMA app; CREATE SCHEMA spare; GRANT USAGE, CREATE ON SCHEMA app, spare TO ${role}`);
        });
        afterEach(async () => {
            await admin((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
            await admin((c) => c.query(`DROP ROLE IF EXISTS ${role}`));
        });

        /** The role's own migrations, created through the provider with the role's password as postgresPassword. */
        async function createdAsRole() {
            const asRole = await configuredProvider(migrationsDefinition, { postgresPassword: rolePassword });
            const u = new URL(url);
            u.username = role;
            const { inputs, failures } = await asRole.provider.check({}, { connectionUrl: `${u.href}?options=-csearch_path%3Dapp%2Cspare`, migrations: [{ name: "001_a", sql: "CREATE TABLE a (id int)" }] });
            expect(failures ?? []).toEqual([]);
            const { id, outs } = await asRole.provider.create(inputs);
            return { asRole, id, outs, inputs };
        }
        const recorded = () => admin(async (c) => (await c.query("SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname IN ('stackwire_migrations', 'a') AND c.relkind = 'r' ORDER BY 1, 2")).rows, database);

        it("a role that lost USAGE on its table's schema: refresh and update fail naming the role and postgresPassword, and nothing runs again", async () => {
            const { asRole, id, outs } = await createdAsRole();
            expect(await recorded()).toEqual([
                { schema: "app", name: "a" },
                { schema: "app", name: "stackwire_migrations" },
            ]);
            await asAdmin(`REVOKE USAGE, CREATE ON SCHEMA app FROM ${role}`);
            const named = new RegExp(`migrations table stackwire_migrations was not found.*postgresPassword signs in as role "${role}", and schema "app", which holds a table stackwire_migrations, is not usable by it \\(no USAGE\\).*42P01.*Check postgresPassword \\(or PGPASSWORD\\)`, "s");
            await expect(asRole.provider.read!(id, outs)).rejects.toThrow(named);
            const more = (await asRole.provider.check(outs, { connectionUrl: outs.connectionUrl, migrations: [{ name: "001_a", sql: "CREATE TABLE a (id int)" }, { name: "002_b", sql: "CREATE TABLE b (id int)" }] })).inputs;
            await expect(asRole.provider.update(id, outs, more)).rejects.toThrow(named);
            // No second table in spare, no migration run twice.
            expect(await recorded()).toEqual([
                { schema: "app", name: "a" },
                { schema: "app", name: "stackwire_migrations" },
            ]);
        });

        it("a role moved off its table's schema by its search path: refresh fails rather than showing nothing applied", async () => {
            const { asRole, id, outs } = await createdAsRole();
            const elsewhere = { ...outs, connectionUrl: String(outs.connectionUrl).replace("app%2Cspare", "spare") };
            await expect(asRole.provider.read!(id, elsewhere)).rejects.toThrow(new RegExp(`schema "app" holds a table stackwire_migrations of this role, off its search path \\(spare\\)`));
        });

        it("the migrations table dropped out of band: refresh shows every migration pending, and update applies them again", async () => {
            const { asRole, id, outs, inputs } = await createdAsRole();
            await asAdmin("DROP TABLE app.stackwire_migrations; DROP TABLE app.a");
            const read = await asRole.provider.read!(id, outs);
            expect(read.props).toMatchObject({ applied: [], migrations: [] });
            expect((await asRole.provider.diff(id, read.props!, inputs)).changes).toBe(true);
            await asRole.provider.update(id, read.props!, inputs);
            expect(await recorded()).toEqual([
                { schema: "app", name: "a" },
                { schema: "app", name: "stackwire_migrations" },
            ]);
        });

        it("the database dropped: refresh drops the migrations from state, and destroy succeeds without a connection", async () => {
            const { asRole, id, outs } = await createdAsRole();
            await admin((c) => c.query(`DROP DATABASE ${database} WITH (FORCE)`));
            expect((await asRole.provider.read!(id, outs)).id).toBe("");
            await expect(asRole.provider.delete(id, outs)).resolves.toBeUndefined();
        });

        it("a role without CONNECT on the database: refresh fails naming the setting (42501), the state keeps it", async () => {
            const { asRole, id, outs } = await createdAsRole();
            await admin((c) => c.query(`REVOKE CONNECT ON DATABASE ${database} FROM PUBLIC; REVOKE CONNECT ON DATABASE ${database} FROM ${role}`));
            await expect(asRole.provider.read!(id, outs)).rejects.toThrow(new RegExp(`role "${role}" \\(signed in with postgresPassword \\(or PGPASSWORD\\)\\) may not connect to database "${database}" \\(42501: permission denied for database`));
        });

        it("another password: refresh fails naming postgresPassword (28P01), never carrying the password", async () => {
            const { id, outs } = await createdAsRole();
            const wrong = await configuredProvider(migrationsDefinition, { postgresPassword: "not-the-role-password-0123" });
            const error = await wrong.provider.read!(id, outs).catch((e) => e);
            expect(error.message).toMatch(/\(28P01: password authentication failed for user .*\): postgresPassword \(or PGPASSWORD\) is not its password/);
            expect(error.message).not.toContain("not-the-role-password-0123");
        });

        it("a generated role's password comes from the password input, and the error says so", async () => {
            const { id, outs } = await createdAsRole();
            await asAdmin(`REVOKE USAGE, CREATE ON SCHEMA app FROM ${role}`);
            const withInput = await configuredProvider(migrationsDefinition, {});
            await expect(withInput.provider.read!(id, { ...outs, password: rolePassword })).rejects.toThrow(/password signs in as role .*Check password\b/s);
        });
    });
});
