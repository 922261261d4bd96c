/** Redis: one ACL user per consuming service. */
import { z } from "zod";
import { RedisUsers, type RedisUsersArgs } from "../../components/redis/users";
import { redisAdminPassword } from "../../dynamic-providers/redis/client";
import { CATEGORY_RULE_PATTERN, redisUrlSchema } from "../../dynamic-providers/redis/schema";
import { NAME_RULES, stackScopedName } from "../naming";
import { defineService, logicalName } from "../service";

const section = z
    .object({
        url: redisUrlSchema(),
        services: z
            .record(
                logicalName,
                z
                    .object({
                        keyPatterns: z.array(z.string().regex(/^\S+$/)).min(1).optional(),
                        categories: z.array(z.string().regex(CATEGORY_RULE_PATTERN, "must be a category rule such as +@read")).min(1).optional(),
                        channelPatterns: z.array(z.string()).optional(),
                    })
                    .strict(),
            )
            .default({}),
    })
    .strict();

export const redisService = defineService({
    key: "redis",
    section,
    // Only when the server has one; the admin connection works without it otherwise.
    secrets: [{ credential: redisAdminPassword, optional: true }],

    plan(s, ctx): RedisUsersArgs {
        return {
            url: s.url,
            services: Object.fromEntries(
                Object.entries(s.services).map(([service, access]) => [
                    service,
                    // Stack in the name: stacks sharing one Redis never share a user.
                    { ...access, username: ctx.name(`redis.services.${service}`, () => stackScopedName(ctx.env, service, NAME_RULES.redisUser)) },
                ]),
            ),
        };
    },

    build: (plan) => new RedisUsers("redis-users", plan),
    outputs: (users) => ({ redisConnectionUrls: users.connectionUrls }),
});
