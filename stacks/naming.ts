/**
 * Physical names live here and nowhere else: `${project}-${stack}-${name}`, so stacks never
 * collide, cut to each service's limit with a short hash that keeps cut names distinct.
 */
import { createHash } from "node:crypto";
import type { Environment } from "./environment";
import { BUCKET_NAME_MAX, BUCKET_NAME_PATTERN } from "../dynamic-providers/supabase/bucket";

export interface NameRule {
    /** What the name is for, in errors. */
    what: string;
    maxLength: number;
    /** Characters the service accepts. */
    pattern: RegExp;
}

export const NAME_RULES = {
    supabaseBucket: { what: "Supabase bucket id", maxLength: BUCKET_NAME_MAX, pattern: BUCKET_NAME_PATTERN },
    githubRepository: { what: "GitHub repository name", maxLength: 100, pattern: /^[A-Za-z0-9_.-]+$/ },
    appwriteId: { what: "Appwrite id", maxLength: 36, pattern: /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/ },
    // Stripe documents only the length of a lookup key.
    stripeLookupKey: { what: "Stripe lookup key", maxLength: 200, pattern: /^[^]+$/ },
} satisfies Record<string, NameRule>;

/** Logical names in the stack config: lower-case words joined by hyphens. */
export const LOGICAL_NAME_PATTERN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
export const LOGICAL_NAME_MAX = 40;

const HASH_LENGTH = 6;

function shortHash(text: string): string {
    return createHash("sha256").update(text).digest("hex").slice(0, HASH_LENGTH);
}

export class NamingError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "NamingError";
    }
}

/** `${project}-${stack}-${name}`, or a cut of it ending in a hash of the whole when too long. */
export function physicalName(env: Pick<Environment, "project" | "stack">, name: string, rule: NameRule): string {
    const full = `${env.project}-${env.stack}-${name}`;
    const result = full.length <= rule.maxLength ? full : `${full.slice(0, rule.maxLength - HASH_LENGTH - 1)}-${shortHash(full)}`;
    if (!rule.pattern.test(result)) {
        throw new NamingError(`${rule.what} "${result}" (from "${name}") has characters the service refuses`);
    }
    return result;
}
