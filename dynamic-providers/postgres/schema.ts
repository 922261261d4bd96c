/** Shapes and rules of SQL migrations, used by the provider's check. */
import { createHash } from "node:crypto";
import { z } from "zod";

export function checksumOf(sql: string): string {
    return createHash("sha256").update(sql.replace(/\r\n/g, "\n")).digest("hex");
}

/** A lower-case SQL identifier, as PostgreSQL keeps unquoted names. */
export const SQL_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
/** PostgreSQL's limit on an identifier's length. */
export const SQL_IDENTIFIER_MAX = 63;

export function migrationsInputSchema() {
    return z
        .object({
            /** postgres://user@host:port/database, without the password (that comes from the credential). */
            connectionUrl: z.url({ protocol: /^postgres(ql)?$/, error: "must be a postgres:// URL (user@host:port/database), without a password" }).refine((u) => !URL.canParse(u) || !new URL(u).password, "must not contain a password: set postgresPassword instead"),
            table: z.string().regex(SQL_IDENTIFIER, "must be a lower-case SQL identifier").default("stackwire_migrations"),
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
