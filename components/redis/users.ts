/**
 * One Redis ACL user per consuming service, each limited to its key prefix and command
 * categories, with a password from @pulumi/random. Outputs a connection URL per service, secret.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { RedisAclUser, type RedisAclUserArgs } from "../../dynamic-providers/redis/acl-user";
import { transformed, type Transform } from "../component";

export const REDIS_USERS_TYPE = "stackwire:redis:Users";

export interface RedisServiceAccess {
    /** The ACL user's name on the server. */
    username: string;
    /** @default [`${service}:*`] */
    keyPatterns?: string[];
    /** @default ["+@read", "+@write", "-@dangerous"] */
    categories?: string[];
    channelPatterns?: string[];
}

export interface RedisUsersArgs {
    /** redis://host:port of the server, without credentials. */
    url: pulumi.Input<string>;
    /** Access by consuming service. */
    services: Record<string, RedisServiceAccess>;
    transform?: { password?: Transform<random.RandomPasswordArgs>; user?: Transform<RedisAclUserArgs> };
}

export class RedisUsers extends pulumi.ComponentResource {
    /** redis://user:password@host:port by service; secret. */
    public readonly connectionUrls: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: RedisUsersArgs, opts?: pulumi.ComponentResourceOptions) {
        super(REDIS_USERS_TYPE, name, {}, opts);
        const urls = Object.entries(args.services).map(([service, access]) => {
            const password = new random.RandomPassword(...transformed(args.transform?.password, `${name}-${service}-password`, { length: 40, special: false }, { parent: this }));
            const userArgs: RedisAclUserArgs = {
                url: args.url,
                username: access.username,
                password: password.result,
                keyPatterns: access.keyPatterns ?? [`${service}:*`],
                categories: access.categories ?? ["+@read", "+@write", "-@dangerous"],
                channelPatterns: access.channelPatterns ?? [],
            };
            const user = new RedisAclUser(...transformed(args.transform?.user, `${name}-${service}`, userArgs, { parent: this }));
            return [service, user.connectionUrl] as const;
        });
        this.connectionUrls = pulumi.secret(pulumi.output(Object.fromEntries(urls)));
        this.registerOutputs({ connectionUrls: this.connectionUrls });
    }
}
