/**
 * Physical names live here and nowhere else: `${project}-${stack}-${name}` so stacks never
 * collide, cut to each service's limit with a short hash that keeps cut names distinct, and
 * checked against the service's own naming rule.
 */
import { createHash } from "node:crypto";
import { APPWRITE_ID_MAX, APPWRITE_ID_PATTERN } from "../dynamic-providers/appwrite/schema";
import { SQL_IDENTIFIER_MAX } from "../dynamic-providers/postgres/schema";
import { ACL_USERNAME_PATTERN } from "../dynamic-providers/redis/schema";
import { API_KEY_NAME_MAX } from "../dynamic-providers/resend/schema";
import { LOOKUP_KEY_MAX } from "../dynamic-providers/stripe/schema";
import { BUCKET_NAME_MAX, BUCKET_NAME_PATTERN } from "../dynamic-providers/supabase/schema";
import type { Environment } from "./environment";
import { AGORA_PROJECT_NAME_MAX } from "../dynamic-providers/agora/schema";

export interface NameRule {
    /** What the name is for, in errors. */
    what: string;
    maxLength: number;
    /** Characters the service accepts. */
    pattern: RegExp;
}

/** GitHub's rule for repository names. */
export const GITHUB_REPOSITORY_NAME = /^(?!\.{1,2}$)[A-Za-z0-9_.-]{1,100}$/;

const ANY_TEXT = /^[^]+$/;

export const NAME_RULES = {
    supabaseBucket: { what: "Supabase bucket id", maxLength: BUCKET_NAME_MAX, pattern: BUCKET_NAME_PATTERN },
    githubRepository: { what: "GitHub repository name", maxLength: 100, pattern: GITHUB_REPOSITORY_NAME },
    appwriteId: { what: "Appwrite id", maxLength: APPWRITE_ID_MAX, pattern: APPWRITE_ID_PATTERN },
    // Stripe documents only the length of a lookup key.
    stripeLookupKey: { what: "Stripe lookup key", maxLength: LOOKUP_KEY_MAX, pattern: ANY_TEXT },
    redisUser: { what: "Redis ACL user", maxLength: 64, pattern: ACL_USERNAME_PATTERN },
    resendApiKey: { what: "Resend API key name", maxLength: API_KEY_NAME_MAX, pattern: ANY_TEXT },
    openaiName: { what: "OpenAI project or service account name", maxLength: 255, pattern: ANY_TEXT },
    posthogProject: { what: "PostHog project name", maxLength: 200, pattern: ANY_TEXT },
    mapboxNote: { what: "Mapbox token note", maxLength: 255, pattern: ANY_TEXT },
    agoraProject: { what: "Agora project name", maxLength: AGORA_PROJECT_NAME_MAX, pattern: ANY_TEXT },
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

type Stack = Pick<Environment, "project" | "stack">;

/** `${project}-${stack}-${name}`, or a cut of it ending in a hash of the whole when too long. */
export function physicalName(env: Stack, name: string, rule: NameRule): string {
    const full = `${env.project}-${env.stack}-${name}`;
    const result = full.length <= rule.maxLength ? full : `${full.slice(0, rule.maxLength - HASH_LENGTH - 1)}-${shortHash(full)}`;
    if (!rule.pattern.test(result)) {
        throw new NamingError(`${rule.what} "${result}" (from "${name}") has characters the service refuses`);
    }
    return result;
}

/** A name within the stack only (the service is already per project): `${stack}-${name}`. */
export function stackScopedName(env: Pick<Environment, "stack">, name: string, rule: NameRule): string {
    const result = `${env.stack}-${name}`;
    if (result.length > rule.maxLength) throw new NamingError(`${rule.what} "${result}" is over ${rule.maxLength} characters: choose a shorter name`);
    if (!rule.pattern.test(result)) throw new NamingError(`${rule.what} "${result}" (from "${name}") has characters the service refuses`);
    return result;
}

/**
 * PostgreSQL names: `<project>_<stack>_<name>` in lower case. Never cut: PostgreSQL would cut a
 * longer name silently, and two roles could end up with one name.
 */
export function postgresName(env: Stack, ...parts: string[]): string {
    const result = [env.project, env.stack, ...parts].join("_").toLowerCase().replace(/[^a-z0-9_]/g, "_");
    if (result.length > SQL_IDENTIFIER_MAX) throw new NamingError(`${result} is over PostgreSQL's ${SQL_IDENTIFIER_MAX} characters: choose a shorter name`);
    return result;
}

/** The owner mark written into objects that carry metadata: "project/stack". */
export function ownerTag(env: Stack): string {
    return `${env.project}/${env.stack}`;
}

/** A stable key from a display name: "In progress" → "in-progress". */
export function keyOf(displayName: string): string {
    return displayName
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-+|-+$/g, "");
}
