/** Admin connections to Redis, opened per operation with the admin password read at run time. */
import { createClient } from "redis";
import type { CredentialSpec } from "../core/credentials";
import type { OperationContext } from "../core/provider";

export const redisAdminPassword: CredentialSpec = { configKey: "redisAdminPassword", envVars: ["REDIS_ADMIN_PASSWORD"], label: "Redis admin password" };

/** All the provider needs of a connection: raw commands. */
export type Admin = Pick<ReturnType<typeof createClient>, "sendCommand">;

export async function withAdmin<T>(ctx: OperationContext, url: string, run: (c: Admin) => Promise<T>): Promise<T> {
    const password = ctx.optionalCredential(redisAdminPassword);
    const client = createClient({ url, ...(password ? { password } : {}), socket: { reconnectStrategy: false, connectTimeout: 10_000 } });
    client.on("error", () => undefined);
    try {
        await client.connect();
        return await run(client);
    } catch (err) {
        const message = (err as { message?: string }).message ?? String(err);
        // Redis's own words name no setting: say which one to set.
        if (/^(NOAUTH|WRONGPASS)/.test(message)) {
            throw new Error(`Redis refused the admin connection to ${url} (${message.split("\n")[0]}): ${password ? "redisAdminPassword is not the server's password" : `set the server's password with \`pulumi config set --secret ${redisAdminPassword.configKey} <password>\``}`);
        }
        // A connection that may not run ACL commands is refused before the command runs (NOPERM),
        // never answered "no such user": say which setting signs it in.
        if (/^NOPERM/.test(message)) {
            throw new Error(
                `Redis refused the admin connection to ${url} (${message.split("\n")[0]}): the user it signs in as (default, ${password ? "with redisAdminPassword" : "without a password"}) may not manage ACL users, which takes the @admin category; ` +
                    `set ${redisAdminPassword.configKey} (or ${redisAdminPassword.envVars.join(" / ")}) to the password of the server's admin`,
            );
        }
        throw err;
    } finally {
        await client.quit().catch(() => undefined);
    }
}

/** Redis keeps rules in memory; with an ACL file configured, write them there too. */
export async function persist(client: Admin): Promise<void> {
    await client.sendCommand(["ACL", "SAVE"]).catch(() => undefined);
}
