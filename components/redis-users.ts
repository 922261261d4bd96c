/**
 * One Redis ACL user per consuming service, each limited to its key prefix and command
 * categories, with a password from @pulumi/random. Outputs a connection URL per service, secret.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { RedisAclUser } from "../dynamic-providers/redis/acl-user";
import type { Environment } from "../stacks/environment";

export const REDIS_USERS_TYPE = "stackwire:redis:Users";

export interface RedisServiceAccess {
    /** @default [`${service}:*`] */
    keyPatterns?: string[];
    /** @default ["+@read", "+@write", "-@dangerous"] */
    categories?: string[];
    channelPatterns?: string[];
}

export interface RedisUsersArgs {
    /** redis://host:port of the server. */
    url: pulumi.Input<string>;
    services: Record<string, RedisServiceAccess>;
    environment: Environment;
}

export class RedisUsers extends pulumi.ComponentResource {
    /** redis://user:password@host:port by service; secret. */
    public readonly connectionUrls: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: RedisUsersArgs, opts?: pulumi.ComponentResourceOptions) {
        super(REDIS_USERS_TYPE, name, {}, opts);
        const urls = Object.entries(args.services).map(([service, access]) => {
            const password = new random.RandomPassword(`${name}-${service}-password`, { length: 40, special: false }, { parent: this });
            const user = new RedisAclUser(
                `${name}-${service}`,
                {
                    url: args.url,
                    // Stack in the name: stacks sharing one Redis never share a user.
                    username: `${args.environment.stack}-${service}`,
                    password: password.result,
                    keyPatterns: access.keyPatterns ?? [`${service}:*`],
                    categories: access.categories ?? ["+@read", "+@write", "-@dangerous"],
                    channelPatterns: access.channelPatterns ?? [],
                },
                { parent: this },
            );
            return [service, user.connectionUrl] as const;
        });
        this.connectionUrls = pulumi.secret(pulumi.output(Object.fromEntries(urls)));
        this.registerOutputs({ connectionUrls: this.connectionUrls });
    }
}
