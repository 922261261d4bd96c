/** Shapes and rules of Redis ACL users, used by the stack config and by the provider's check. */
import { z } from "zod";

/** A redis:// or rediss:// URL. */
/**
 * The server's address, never its credentials: a password in the URL would travel as a plain
 * input into the state. The admin password is the secret setting redisAdminPassword.
 */
export function redisUrlSchema(rule = "must be a redis:// or rediss:// URL") {
    return z
        .url({ protocol: /^rediss?$/, error: rule })
        .refine((u) => !URL.canParse(u) || (!new URL(u).password && !new URL(u).username), "must not contain credentials: set the password with `pulumi config set --secret redisAdminPassword <value>`");
}

export const ACL_USERNAME_PATTERN = /^[a-zA-Z0-9_.-]{1,64}$/;
/** A command category rule: +@read, -@dangerous. */
export const CATEGORY_RULE_PATTERN = /^[+-]@[a-z]+$/;

export function aclUserInputSchema() {
    return z.object({
        /** redis://host:port (or rediss://), without credentials. */
        url: redisUrlSchema(),
        username: z.string().regex(ACL_USERNAME_PATTERN, "must be letters, digits and _ . - only").refine((u) => u !== "default", 'must not be "default", Redis\'s own user'),
        password: z.string().min(16, "must be at least 16 characters"),
        keyPatterns: z.array(z.string().min(1).regex(/^\S+$/, "must not contain spaces")).min(1, "must give the key patterns the service may use, e.g. svc:stripe:*").transform((l) => [...new Set(l)].sort()),
        channelPatterns: z.array(z.string().regex(/^\S+$/)).default([]).transform((l) => [...new Set(l)].sort()),
        /** Command categories, e.g. +@read +@write -@dangerous; applied in order after -@all. */
        categories: z.array(z.string().regex(CATEGORY_RULE_PATTERN, "must be a category rule such as +@read or -@dangerous")).min(1),
        enabled: z.boolean().default(true),
    });
}

export type AclUserInputs = z.output<ReturnType<typeof aclUserInputSchema>>;
