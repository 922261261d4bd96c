/**
 * A Redis ACL user per consuming service: its own password, its key patterns and its command
 * categories, nothing else. `read` compares the server's rules (ACL GETUSER) with ours, password
 * included (by its SHA-256, the form Redis keeps); `delete` removes the user. Outputs a
 * connection URL for the service, secret.
 *
 * "Not found" (issue 16): ACL GETUSER answers nil only for a user that does not exist; a
 * connection that may not read the ACL (ACL is in the @admin and @dangerous categories) is refused
 * with NOPERM before the command runs, and the ACL is one per server, not scoped per user. So a nil
 * is the server's word that the user is gone, and a DELUSER that removed nothing (0) means it was
 * already gone: neither costs a further command. Checked against Redis 7.0 in
 * test/providers/redis-acl.test.ts; Redis's command reference for ACL GETUSER ("Null reply: if the
 * user does not exist").
 */
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import type { ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { persist, withAdmin } from "./client";
import { aclUserInputSchema, type AclUserInputs } from "./schema";

export interface AclUserState extends AclUserInputs {
    connectionUrl: string;
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** The ACL SETUSER rules for a user: reset first, so the rules are exactly these. */
export function aclRules(i: AclUserInputs): string[] {
    return ["reset", i.enabled ? "on" : "off", `#${sha256(i.password)}`, ...i.keyPatterns.map((k) => `~${k}`), "resetchannels", ...i.channelPatterns.map((c) => `&${c}`), "-@all", ...i.categories];
}

function connectionUrlOf(i: AclUserInputs): string {
    const u = new URL(i.url);
    u.username = i.username;
    u.password = i.password;
    return u.href;
}

type AclReply = Record<string, unknown> | unknown[] | null;

/** ACL GETUSER answers a flat list or a map, depending on the protocol version. */
function field(reply: AclReply, name: string): unknown {
    if (reply === null) return undefined;
    if (Array.isArray(reply)) {
        const i = reply.indexOf(name);
        return i >= 0 ? reply[i + 1] : undefined;
    }
    return reply[name];
}

export const aclUserDefinition: ResourceDefinition<ReturnType<typeof aclUserInputSchema>, AclUserState> = {
    module: "redis",
    type: "AclUser",
    idFor: (i) => i.username,
    service: "redis",
    secretInputs: ["password"],
    secretOutputs: ["connectionUrl"],
    schema: aclUserInputSchema,
    replaceOnChanges: ["url", "username"],
    deleteBeforeReplace: true,

    async create(ctx, i) {
        await withAdmin(ctx, i.url, async (client) => {
            const existing = (await client.sendCommand(["ACL", "GETUSER", i.username])) as AclReply;
            if (existing !== null) throw new Error(`Redis ACL user "${i.username}" already exists and this stack did not create it; choose another name`);
            await client.sendCommand(["ACL", "SETUSER", i.username, ...aclRules(i)]);
            await persist(client);
        });
        return { id: aclUserDefinition.idFor!(i), outs: { ...i, connectionUrl: connectionUrlOf(i) } };
    },

    async read(ctx, id, state) {
        return withAdmin(ctx, state.url, async (client) => {
            const reply = (await client.sendCommand(["ACL", "GETUSER", id])) as AclReply;
            // nil comes only from a connection allowed to read the whole ACL (else NOPERM): the user is gone.
            if (reply === null) return undefined;
            const flags = (field(reply, "flags") as string[]) ?? [];
            const passwords = (field(reply, "passwords") as string[]) ?? [];
            const keys = String(field(reply, "keys") ?? "").split(" ").filter(Boolean).map((k) => k.replace(/^~/, "")).sort();
            const channels = String(field(reply, "channels") ?? "").split(" ").filter(Boolean).map((c) => c.replace(/^&/, "")).sort();
            return {
                ...state,
                enabled: flags.includes("on"),
                // A password changed behind our back shows as drift; Redis only ever shows its hash.
                password: passwords.includes(sha256(state.password)) && passwords.length === 1 ? state.password : `<changed outside stackwire: ${passwords.length} password(s)>`,
                keyPatterns: keys,
                channelPatterns: channels,
            };
        });
    },

    async update(ctx, _id, _olds, news) {
        await withAdmin(ctx, news.url, async (client) => {
            await client.sendCommand(["ACL", "SETUSER", news.username, ...aclRules(news)]);
            await persist(client);
        });
        return { ...news, connectionUrl: connectionUrlOf(news) };
    },

    async delete(ctx, id, state) {
        await withAdmin(ctx, state.url, async (client) => {
            await client.sendCommand(["ACL", "DELUSER", id]);
            await persist(client);
        });
    },
};

/** `url` is the server without credentials (the admin password comes from redisAdminPassword); the password stays secret. */
export type RedisAclUserArgs = ResourceArgs<ReturnType<typeof aclUserInputSchema>>;

export class RedisAclUser extends DynamicResource<ReturnType<typeof aclUserInputSchema>, AclUserState> {
    /** redis://user:password@host:port for the service; secret. */
    declare readonly connectionUrl: pulumi.Output<string>;
    constructor(name: string, args: RedisAclUserArgs, opts?: pulumi.CustomResourceOptions) {
        super(aclUserDefinition, name, args, opts);
    }
}
