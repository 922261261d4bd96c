/**
 * A PostgreSQL database for the platform, with @pulumi/postgresql: an owner role that owns the
 * schema and runs the migrations, and application roles with only what they use (USAGE on the
 * schema, data privileges on its tables, present and future) and nothing they could own or
 * drop. Passwords come from @pulumi/random and stay secret. The schema's tables come from
 * SqlMigrations, run as the owner. The data policy protects and retains the database.
 */
import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { SqlMigrations, type SqlMigrationsArgs } from "../../dynamic-providers/postgres/migrations";
import { transformed, UNPROTECTED, type DataPolicy, type Transform } from "../component";

export const POSTGRES_DATABASE_TYPE = "stackwire:postgres:Database";

/** Table privileges an application role may get: data, never schema changes. */
export const DATA_PRIVILEGES = ["SELECT", "INSERT", "UPDATE", "DELETE"] as const;
export type DataPrivilege = (typeof DATA_PRIVILEGES)[number];

export interface ApplicationRole {
    /** The role's name in PostgreSQL. */
    roleName: string;
    /** Table privileges in the schema. @example ["SELECT", "INSERT"] */
    privileges: DataPrivilege[];
}

export interface PostgresDatabaseArgs {
    /** Server address as the program reaches it, and as the database's users will. */
    host: pulumi.Input<string>;
    /** @default 5432 */
    port?: pulumi.Input<number>;
    /** The physical database name. */
    databaseName: string;
    /** The role that owns the database and schema and runs the migrations. */
    ownerRole: string;
    /** @default "app" */
    schema?: string;
    extensions?: string[];
    /** Application roles by logical name. */
    applicationRoles: Record<string, ApplicationRole>;
    migrations: { name: string; sql: string }[];
    /** @default nothing protected */
    policy?: DataPolicy;
    /** The provider with the admin connection (postgresql.Provider). */
    provider?: postgresql.Provider;
    transform?: {
        password?: Transform<random.RandomPasswordArgs>;
        role?: Transform<postgresql.RoleArgs>;
        database?: Transform<postgresql.DatabaseArgs>;
        schema?: Transform<postgresql.SchemaArgs>;
        extension?: Transform<postgresql.ExtensionArgs>;
        grant?: Transform<postgresql.GrantArgs>;
        defaultPrivileges?: Transform<postgresql.DefaultPrivilegesArgs>;
        migrations?: Transform<SqlMigrationsArgs>;
    };
}

export class PostgresDatabase extends pulumi.ComponentResource {
    /** postgres:// URLs per application role, password included; secret. */
    public readonly connectionUrls: pulumi.Output<Record<string, string>>;
    public readonly migrations: SqlMigrations;

    constructor(name: string, args: PostgresDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super(POSTGRES_DATABASE_TYPE, name, {}, opts);
        const t = args.transform ?? {};
        const pg = { parent: this, ...(args.provider ? { provider: args.provider } : {}) };
        const schemaName = args.schema ?? "app";
        const port = args.port ?? 5432;
        const { protect, retainOnDelete } = args.policy ?? UNPROTECTED;
        const password = (resourceName: string) => new random.RandomPassword(...transformed(t.password, resourceName, { length: 32, special: false }, { parent: this }));
        const role = (resourceName: string, roleName: string, secret: pulumi.Output<string>, extra: Partial<postgresql.RoleArgs> = {}) =>
            new postgresql.Role(...transformed(t.role, resourceName, { name: roleName, login: true, password: secret, createDatabase: false, createRole: false, superuser: false, ...extra }, pg));
        const grant = (resourceName: string, grantArgs: postgresql.GrantArgs) => new postgresql.Grant(...transformed(t.grant, resourceName, grantArgs, pg));
        const defaultPrivileges = (resourceName: string, privilegeArgs: postgresql.DefaultPrivilegesArgs) => new postgresql.DefaultPrivileges(...transformed(t.defaultPrivileges, resourceName, privilegeArgs, pg));

        const ownerPassword = password(`${name}-owner-password`);
        const owner = role(`${name}-owner`, args.ownerRole, ownerPassword.result);
        const database = new postgresql.Database(...transformed(t.database, `${name}-database`, { name: args.databaseName, owner: owner.name }, { ...pg, protect, retainOnDelete }));
        const schema = new postgresql.Schema(...transformed(t.schema, `${name}-schema`, { name: schemaName, database: database.name, owner: owner.name }, pg));
        for (const extension of args.extensions ?? []) new postgresql.Extension(...transformed(t.extension, `${name}-extension-${extension}`, { name: extension, database: database.name }, pg));
        // Nobody but the owner may create in public; applications get their own grants below.
        grant(`${name}-revoke-public`, { database: database.name, role: "public", schema: "public", objectType: "schema", privileges: [] });

        const urls: Record<string, pulumi.Output<string>> = {};
        for (const [logical, { roleName, privileges }] of Object.entries(args.applicationRoles)) {
            const secret = password(`${name}-${logical}-password`);
            const login = role(`${name}-${logical}`, roleName, secret.result, { inherit: false });
            grant(`${name}-${logical}-connect`, { database: database.name, role: login.name, objectType: "database", privileges: ["CONNECT"] });
            grant(`${name}-${logical}-usage`, { database: database.name, role: login.name, schema: schema.name, objectType: "schema", privileges: ["USAGE"] });
            grant(`${name}-${logical}-tables`, { database: database.name, role: login.name, schema: schema.name, objectType: "table", privileges });
            // Tables the owner creates later (new migrations) come with the same privileges.
            defaultPrivileges(`${name}-${logical}-future-tables`, { database: database.name, role: login.name, owner: owner.name, schema: schema.name, objectType: "table", privileges });
            if (privileges.includes("INSERT")) {
                defaultPrivileges(`${name}-${logical}-future-sequences`, { database: database.name, role: login.name, owner: owner.name, schema: schema.name, objectType: "sequence", privileges: ["USAGE", "SELECT"] });
            }
            urls[logical] = pulumi.secret(pulumi.interpolate`postgres://${login.name}:${secret.result}@${args.host}:${port}/${database.name}`);
        }
        this.connectionUrls = pulumi.secret(pulumi.output(urls));

        // Migrations run as the owner, in the owned schema, so the owner owns every table.
        const migrationArgs: SqlMigrationsArgs = {
            connectionUrl: pulumi.interpolate`postgres://${owner.name}@${args.host}:${port}/${database.name}?options=-csearch_path%3D${schemaName}`,
            migrations: args.migrations,
            password: ownerPassword.result,
        };
        this.migrations = new SqlMigrations(...transformed(t.migrations, `${name}-migrations`, migrationArgs, { parent: this, dependsOn: [schema] }));
        this.registerOutputs({ connectionUrls: this.connectionUrls });
    }
}
