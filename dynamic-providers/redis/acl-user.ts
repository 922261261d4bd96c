/**
 * A Redis ACL user per consuming service: its own password, its key patterns and its command
 * categories, nothing else. `read` compares the server's rules (ACL GETUSER) with ours, password
 * included (by its SHA-256, the form Redis keeps); `delete` removes the user. Outputs a
 * connection URL for the service, secret.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { createClient } from "redis";
import { z } from "zod";
import type { CredentialSpec } from "../core/credentials";
import { dynamicProvider, type OperationContext, type ResourceDefinition } from "../core/provider";

export const redisAdminPassword: CredentialSpec = { configKey: "redisAdminPassword", envVars: ["REDIS_ADMIN_PASSWORD"], label: "Redis admin password" };

export function aclUserInputSchema() {
    return z.object({
        /** redis://host:port (or rediss://), without credentials. */
        url: z.url({ protocol: /^rediss?$/, error: "must be a redis:// or rediss:// URL" }).refine((u) => !new URL(u).password && !new URL(u).username, "must not contain credentials"),
        username: z.string().regex(/^[a-zA-Z0-9_.-]{1,64}$/, "must be letters, digits and _ . - only").refine((u) => u !== "default", 'must not be "default", Redis\'s own user'),
        password: z.string().min(16, "must be at least 16 characters"),
        keyPatterns: z.array(z.string().min(1).regex(/^\S+$/, "must not contain spaces")).min(1, "must give the key patterns the service may use, e.g. svc:stripe:*").transform((l) => [...new Set(l)].sort()),
        channelPatterns: z.array(z.string().regex(/^\S+$/)).default([]).transform((l) => [...new Set(l)].sort()),
        /** Command categories, e.g. +@read +@write -@dangerous; applied in order after -@all. */
        categories: z.array(z.string().regex(/^[+-]@[a-z]+$/, "must be a category rule such as +@read or -@dangerous")).min(1),
        enabled: z.boolean().default(true),
    });
}

export type AclUserInputs = z.output<ReturnType<typeof aclUserInputSchema>>;
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

/** All the provider needs of a connection: raw commands. */
interface Admin {
    sendCommand(args: string[]): Promise<unknown>;
}

async function withAdmin<T>(ctx: OperationContext, url: string, run: (c: Admin) => Promise<T>): Promise<T> {
    const password = ctx.optionalCredential(redisAdminPassword);
    const client = createClient({ url, ...(password ? { password } : {}), socket: { reconnectStrategy: false, connectTimeout: 10_000 } });
    client.on("error", () => undefined);
    await client.connect();
    try {
        return await run(client as unknown as Admin);
    } finally {
        await client.quit().catch(() => undefined);
    }
}

/** Redis keeps rules in memory; with an ACL file configured, write them there too. */
async function persist(client: Admin): Promise<void> {
    await client.sendCommand(["ACL", "SAVE"]).catch(() => undefined);
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

export const aclUserDefinition: ResourceDefinition<AclUserInputs, AclUserState> = {
    service: "redis",
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
        return { id: i.username, outs: { ...i, connectionUrl: connectionUrlOf(i) } };
    },

    async read(ctx, id, state) {
        return withAdmin(ctx, state.url, async (client) => {
            const reply = (await client.sendCommand(["ACL", "GETUSER", id])) as AclReply;
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

export const aclUserProvider = dynamicProvider(aclUserDefinition);

export interface RedisAclUserArgs {
    /** redis://host:port of the server; the admin password comes from redisAdminPassword. */
    url: pulumi.Input<string>;
    username: pulumi.Input<string>;
    /** Usually a random.RandomPassword result; kept secret. */
    password: pulumi.Input<string>;
    keyPatterns: pulumi.Input<pulumi.Input<string>[]>;
    channelPatterns?: pulumi.Input<pulumi.Input<string>[]>;
    categories: pulumi.Input<pulumi.Input<string>[]>;
    enabled?: pulumi.Input<boolean>;
}

export class RedisAclUser extends pulumi.dynamic.Resource {
    /** redis://user:password@host:port for the service; secret. */
    declare readonly connectionUrl: pulumi.Output<string>;
    constructor(name: string, args: RedisAclUserArgs, opts?: pulumi.CustomResourceOptions) {
        super(aclUserProvider, name, { connectionUrl: undefined, ...args, password: pulumi.secret(args.password) }, pulumi.mergeOptions(opts, { additionalSecretOutputs: ["password", "connectionUrl"] }), "redis", "AclUser");
    }
}
