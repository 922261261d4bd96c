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
            [{ migrations: [{ name: "a", sql: "x" }] }, "migrations[0].name: must look like 001_create_payments"],
            [{ migrations: [{ name: "002_b", sql: "x" }, { name: "001_a", sql: "y" }] }, "migrations[1].name: migrations must be in ascending name order"],
            [{ migrations: [{ name: "001_a", sql: "x" }, { name: "001_a", sql: "y" }] }, '"001_a" is listed twice'],
        ])("rejects %j before connecting", async (news, expected) => {
            const r = await subject.provider.check({}, { connectionUrl: url, migrations: [{ name: "001_a", sql: "x" }], ...news });
            expect((r.failures ?? []).map((f) => `${f.property}: ${f.reason}`).join("\n")).toContain(expected);
        });
    });
});
