/**
 * Figures for keys and data: requests per object for Resend (domain, API key, webhook) and the
 * Supabase secret set; the time to apply 50 migrations to a real PostgreSQL server; and the
 * consumers one key rotation updates in the test platform.
 */
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { dynamicProvider } from "../dynamic-providers/core/provider";
import { migrationsDefinition } from "../dynamic-providers/postgres/migrations";
import { pgSettings } from "../dynamic-providers/postgres/client";
import { apiKeyDefinition } from "../dynamic-providers/resend/api-key";
import { domainDefinition } from "../dynamic-providers/resend/domain";
import { resendWebhookDefinition } from "../dynamic-providers/resend/webhook";
import { secretSetDefinition } from "../dynamic-providers/supabase/secrets";
import { ResendEmulator } from "../sandbox/emulators/resend";
import { SupabaseManagementEmulator } from "../sandbox/emulators/supabase-management";
import { lifecycle } from "./code-hosting";
import type { StepFigure } from "./figures";

export async function benchKeysAndData(): Promise<{ resend: StepFigure[]; supabase: StepFigure[]; migrations: { count: number; seconds: number; secondUpSeconds: number } | string }> {
    const resend = new ResendEmulator({ apiKey: "re_benchKey0123456789abcd" });
    const management = new SupabaseManagementEmulator({ token: "sbp_bench", projects: ["abcdefghijklmnopqrst"] });
    await Promise.all([resend.start(), management.start()]);
    const rs = { resendApiKey: "re_benchKey0123456789abcd" };
    const resendFigures = await lifecycle(resend, [
        { label: "Resend domain", def: domainDefinition, inputs: () => ({ baseUrl: resend.url, name: "mail.example.com" }) },
        { label: "Resend API key", def: apiKeyDefinition as never, inputs: () => ({ baseUrl: resend.url, name: "receipts" }) },
        { label: "Resend webhook", def: resendWebhookDefinition, inputs: () => ({ baseUrl: resend.url, endpoint: "https://app.example/resend", events: ["email.bounced"] }) },
    ], rs);
    const supabaseFigures = await lifecycle(management, [
        { label: "Supabase secret set (4 secrets)", def: secretSetDefinition, inputs: () => ({ managementUrl: management.url, projectRef: "abcdefghijklmnopqrst", secrets: { A_KEY: "a", B_KEY: "b", C_KEY: "c", D_KEY: "d" } }) },
    ], { supabaseAccessToken: "sbp_bench" });
    await Promise.all([resend.stop(), management.stop()]);
    return { resend: resendFigures, supabase: supabaseFigures, migrations: await benchMigrations(50) };
}

/** 50 migrations against the server of STACKWIRE_TEST_POSTGRES_URL, in a database made for it. */
async function benchMigrations(count: number): Promise<{ count: number; seconds: number; secondUpSeconds: number } | string> {
    const server = process.env.STACKWIRE_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
    const password = process.env.STACKWIRE_TEST_POSTGRES_PASSWORD ?? "postgres";
    const database = `stackwire_bench_${randomBytes(3).toString("hex")}`;
    const admin = new Client(pgSettings(server, password));
    try {
        await admin.connect();
    } catch (err) {
        return `skipped: no PostgreSQL server at ${server} (${(err as Error).message})`;
    }
    await admin.query(`CREATE DATABASE ${database}`);
    try {
        const url = new URL(server);
        url.pathname = `/${database}`;
        const provider = dynamicProvider(migrationsDefinition);
        await provider.configure!({ config: { get: (k: string) => (k === "stackwire:postgresPassword" ? password : undefined) } } as never);
        const migrations = Array.from({ length: count }, (_, i) => ({ name: `${String(i + 1).padStart(3, "0")}_table_${i}`, sql: `CREATE TABLE t_${i} (id bigserial PRIMARY KEY, payload jsonb NOT NULL DEFAULT '{}'); CREATE INDEX ON t_${i} ((payload->>'kind'));` }));
        const inputs = (await provider.check!({}, { connectionUrl: url.href, migrations })).inputs;
        let started = performance.now();
        const { outs } = await provider.create(inputs);
        const seconds = (performance.now() - started) / 1000;
        started = performance.now();
        await provider.update!("x", outs, inputs);
        return { count, seconds, secondUpSeconds: (performance.now() - started) / 1000 };
    } finally {
        await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
        await admin.end();
    }
}
