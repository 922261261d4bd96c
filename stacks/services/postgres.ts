/** PostgreSQL: a database with an owner role, least-privilege application roles and the shipped migrations. */
import * as postgresql from "@pulumi/postgresql";
import { z } from "zod";
import { DATA_PRIVILEGES, PostgresDatabase, type PostgresDatabaseArgs } from "../../components/postgres/database";
import { postgresPassword } from "../../dynamic-providers/postgres/client";
import { SQL_IDENTIFIER } from "../../dynamic-providers/postgres/schema";
import { dataPolicyOf } from "../environment";
import { loadMigrations } from "../migrations";
import { postgresName } from "../naming";
import { defineService } from "../service";

const sqlIdentifier = z.string().regex(SQL_IDENTIFIER, "must be a lower-case SQL identifier (letters, digits, _), at most 63 characters");

const section = z
    .object({
        host: z.string().min(1),
        port: z.number().int().min(1).max(65535).default(5432),
        adminUser: z.string().min(1).default("postgres"),
        sslMode: z.enum(["disable", "require", "verify-full"]).default("require"),
        /** Logical database name; stored as <project>_<stack>_<name>. */
        database: sqlIdentifier,
        schema: sqlIdentifier.default("app"),
        extensions: z.array(sqlIdentifier).default([]),
        applicationRoles: z
            .record(sqlIdentifier, z.array(z.enum(DATA_PRIVILEGES)).min(1).transform((l) => [...new Set(l)]))
            .default({}),
    })
    .strict();

export interface PostgresPlan {
    /** The admin connection the program's postgresql provider uses. */
    admin: { host: string; port: number; username: string; sslMode: string };
    database: PostgresDatabaseArgs;
}

export const postgresService = defineService({
    key: "postgres",
    section,
    secrets: [{ credential: postgresPassword }],

    plan(s, ctx): PostgresPlan {
        const databaseName = ctx.name("postgres.database", () => postgresName(ctx.env, s.database));
        // Role names carry the database name: when that is refused, so would they be, once more.
        const roleName = (role: string, path: string) => (databaseName ? ctx.name(path, () => postgresName(ctx.env, s.database, role)) : "");
        return {
            admin: { host: s.host, port: s.port, username: s.adminUser, sslMode: s.sslMode },
            database: {
                host: s.host,
                port: s.port,
                databaseName,
                ownerRole: roleName("owner", "postgres.database"),
                schema: s.schema,
                extensions: s.extensions,
                applicationRoles: Object.fromEntries(Object.entries(s.applicationRoles).map(([role, privileges]) => [role, { roleName: roleName(role, `postgres.applicationRoles.${role}`), privileges }])),
                migrations: loadMigrations(),
                policy: dataPolicyOf(ctx.env),
            },
        };
    },

    build(plan, ctx) {
        const { host, port, username, sslMode } = plan.admin;
        const provider = new postgresql.Provider("postgres-admin", { host, port, username, password: ctx.secret(postgresPassword), sslmode: sslMode, superuser: false });
        return new PostgresDatabase("postgres", { ...plan.database, provider });
    },
    outputs: (database) => ({ postgresConnectionUrls: database.connectionUrls }),
});
