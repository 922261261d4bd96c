/** Connections to PostgreSQL with the `pg` driver, opened per operation. */
import { Client } from "pg";
import type { CredentialSpec } from "../core/credentials";
import type { OperationContext } from "../core/provider";

export const postgresPassword: CredentialSpec = { configKey: "postgresPassword", envVars: ["PGPASSWORD"], label: "PostgreSQL password" };

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

export async function connect(ctx: OperationContext, connectionUrl: string, password: string | null): Promise<Client> {
    const client = new Client(pgSettings(connectionUrl, password ?? ctx.optionalCredential(postgresPassword) ?? ""));
    await client.connect();
    return client;
}
