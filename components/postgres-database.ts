/**
 * A PostgreSQL database for the platform, with @pulumi/postgresql: an owner role that owns the
 * schema and runs the migrations, and application roles with only what they use (USAGE on the
 * schema, data privileges on its tables, present and future) and nothing they could own or
 * drop. Passwords come from @pulumi/random and stay secret. The schema's tables come from
 * SqlMigrations, run as the owner. In prod the database is protected and retained.
 */
import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { SqlMigrations } from "../dynamic-providers/postgres/migrations";
import type { Environment } from "../stacks/environment";

export const POSTGRES_DATABASE_TYPE = "stackwire:postgres:Database";

/** Table privileges an application role may get: data, never schema changes. */
export const DATA_PRIVILEGES = ["SELECT", "INSERT", "UPDATE", "DELETE"] as const;
export type DataPrivilege = (typeof DATA_PRIVILEGES)[number];

export interface PostgresDatabaseArgs {
    /** Server address as the program reaches it, and as the database's users will. */
    host: pulumi.Input<string>;
    /** @default 5432 */
    port?: pulumi.Input<number>;
    /** The physical database name. */
    databaseName: string;
    /** @default "app" */
    schema?: string;
    extensions?: string[];
    /** Application roles by name and the table privileges each needs. @example { api: ["SELECT", "INSERT"] } */
    applicationRoles: Record<string, DataPrivilege[]>;
    migrations: { name: string; sql: string }[];
    environment: Environment;
    /** The provider with the admin connection (postgresql.Provider). */
    provider?: postgresql.Provider;
}

export class PostgresDatabase extends pulumi.ComponentResource {
    /** postgres:// URLs per application role, password included; secret. */
    public readonly connectionUrls: pulumi.Output<Record<string, string>>;
    public readonly migrations: SqlMigrations;

    constructor(name: string, args: PostgresDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super(POSTGRES_DATABASE_TYPE, name, {}, opts);
        const pg = { parent: this, ...(args.provider ? { provider: args.provider } : {}) };
        const schemaName = args.schema ?? "app";
        const { protectStateful: protect, retainDataOnDelete: retainOnDelete } = args.environment;

        const ownerPassword = new random.RandomPassword(`${name}-owner-password`, { length: 32, special: false }, { parent: this });
        const owner = new postgresql.Role(`${name}-owner`, { name: `${args.databaseName}_owner`, login: true, password: ownerPassword.result, createDatabase: false, createRole: false, superuser: false }, pg);
        const database = new postgresql.Database(`${name}-database`, { name: args.databaseName, owner: owner.name }, { ...pg, protect, retainOnDelete });
        const schema = new postgresql.Schema(`${name}-schema`, { name: schemaName, database: database.name, owner: owner.name }, pg);
        for (const extension of args.extensions ?? []) new postgresql.Extension(`${name}-extension-${extension}`, { name: extension, database: database.name }, pg);
        // Nobody but the owner may create in public; applications get their own grants below.
        new postgresql.Grant(`${name}-revoke-public`, { database: database.name, role: "public", schema: "public", objectType: "schema", privileges: [] }, pg);

        const urls: Record<string, pulumi.Output<string>> = {};
        for (const [role, privileges] of Object.entries(args.applicationRoles)) {
            const password = new random.RandomPassword(`${name}-${role}-password`, { length: 32, special: false }, { parent: this });
            const login = new postgresql.Role(`${name}-${role}`, { name: `${args.databaseName}_${role}`, login: true, password: password.result, createDatabase: false, createRole: false, superuser: false, inherit: false }, pg);
            new postgresql.Grant(`${name}-${role}-connect`, { database: database.name, role: login.name, objectType: "database", privileges: ["CONNECT"] }, pg);
            new postgresql.Grant(`${name}-${role}-usage`, { database: database.name, role: login.name, schema: schema.name, objectType: "schema", privileges: ["USAGE"] }, pg);
            new postgresql.Grant(`${name}-${role}-tables`, { database: database.name, role: login.name, schema: schema.name, objectType: "table", privileges }, pg);
            // Tables the owner creates later (new migrations) come with the same privileges.
            new postgresql.DefaultPrivileges(`${name}-${role}-future-tables`, { database: database.name, role: login.name, owner: owner.name, schema: schema.name, objectType: "table", privileges }, pg);
            if (privileges.includes("INSERT")) {
                new postgresql.DefaultPrivileges(`${name}-${role}-future-sequences`, { database: database.name, role: login.name, owner: owner.name, schema: schema.name, objectType: "sequence", privileges: ["USAGE", "SELECT"] }, pg);
            }
            urls[role] = pulumi.secret(pulumi.interpolate`postgres://${login.name}:${password.result}@${args.host}:${args.port ?? 5432}/${database.name}`);
        }
        this.connectionUrls = pulumi.secret(pulumi.output(urls));

        // Migrations run as the owner, in the owned schema, so the owner owns every table.
        this.migrations = new SqlMigrations(
            `${name}-migrations`,
            {
                connectionUrl: pulumi.interpolate`postgres://${owner.name}@${args.host}:${args.port ?? 5432}/${database.name}?options=-csearch_path%3D${schemaName}`,
                migrations: args.migrations,
                password: ownerPassword.result,
            },
            { parent: this, dependsOn: [schema] },
        );
        this.registerOutputs({ connectionUrls: this.connectionUrls });
    }
}
