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

/** Where the password of a connection comes from: the resource's `password` input, else postgresPassword. */
export function passwordSetting(password: string | null): CredentialSpec {
    return password !== null ? { configKey: "password", envVars: [], label: "the password input of the resource (a role stackwire generated)" } : postgresPassword;
}

/**
 * PostgreSQL's refusal of a connection, saying which setting to look at: its own words name the
 * role and the database, never where the password came from. `code` stays the server's SQLSTATE.
 */
export class PostgresAccessError extends Error {
    constructor(
        readonly code: string,
        message: string,
    ) {
        super(message);
        this.message = message; // serialized Error subclasses lose super's message
        this.name = "PostgresAccessError";
    }
}

/**
 * What the server answers a role that may not reach a database, after it checked the password
 * (PostgreSQL's error codes, Appendix A): 28P01 invalid_password (also for a role that does not
 * exist), 28000 invalid_authorization_specification (no pg_hba.conf entry), 42501
 * insufficient_privilege ("permission denied for database", no CONNECT privilege). 3D000
 * invalid_catalog_name ("database does not exist") comes only once the password was accepted.
 */
function refusal(err: unknown, connectionUrl: string, password: string | null): Error {
    const e = err as { code?: string; message?: string };
    const u = new URL(connectionUrl);
    const role = decodeURIComponent(u.username);
    const database = decodeURIComponent(u.pathname.slice(1));
    const setting = passwordSetting(password);
    const where = `${setting.configKey}${setting.envVars.length > 0 ? ` (or ${setting.envVars.join(" / ")})` : ""}`;
    switch (e.code) {
        case "28P01":
            return new PostgresAccessError(e.code, `PostgreSQL refused role "${role}" (${e.code}: ${e.message}): ${where} is not its password, or connectionUrl names a role that does not exist`);
        case "28000":
            return new PostgresAccessError(e.code, `PostgreSQL refused role "${role}" on database "${database}" (${e.code}: ${e.message}): check connectionUrl's role and the server's pg_hba.conf`);
        case "42501":
            return new PostgresAccessError(e.code, `role "${role}" (signed in with ${where}) may not connect to database "${database}" (${e.code}: ${e.message}): grant it CONNECT, or check connectionUrl's role`);
        default:
            return err as Error;
    }
}

export async function connect(ctx: OperationContext, connectionUrl: string, password: string | null): Promise<Client> {
    const client = new Client(pgSettings(connectionUrl, password ?? ctx.optionalCredential(postgresPassword) ?? ""));
    try {
        await client.connect();
    } catch (err) {
        await client.end().catch(() => undefined);
        throw refusal(err, connectionUrl, password);
    }
    return client;
}
