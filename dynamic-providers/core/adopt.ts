/**
 * Adoption: a resource whose inputs carry `adopt: <id>` takes over an object that already exists
 * (made by hand, before the stack) instead of creating one. Its create reads the object, refuses
 * when it belongs to another stack or cannot be made to match without a replacement, and
 * otherwise updates only what differs. The component retains an adopted object on delete
 * (it predates the stack) unless the config says otherwise.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { OWNER_METADATA_KEY } from "./ownership";

/** The input naming the existing object to adopt, by the id its provider uses. */
export const ADOPT_KEY = "adopt";

/** The input a create's check adds for the preview: each difference `up` will apply to the adopted object. */
export const ADOPT_CHANGES_KEY = "adoptChanges";

export const adoptShape = () => ({
    [ADOPT_KEY]: z.string().min(1, "adopt: must be the id of the existing object").optional(),
});

/** Adoption refused before anything was written: the message names the object and the reason. */
export class AdoptionError extends Error {
    constructor(message: string) {
        super(message);
        this.message = message;
        this.name = "AdoptionError";
    }
}

const MARK = /stackwire:urn:pulumi:([^:]+)::([^:]+)::/;

/** Digest marks stackwire writes where a URN does not fit: an Edge Function's name `[stackwire <16 hex>]`, GitLab's `stackwire:sha256:<64 hex>`. */
const DIGEST_MARK = /\[stackwire ([0-9a-f]{16})\]|stackwire:sha256:([0-9a-f]{64})/;

/** The first match of `pattern` in any string a value holds, however deep. */
function firstMatch(value: unknown, pattern: RegExp): RegExpExecArray | undefined {
    if (typeof value === "string") return pattern.exec(value) ?? undefined;
    const inner = Array.isArray(value) ? value : value && typeof value === "object" ? Object.values(value) : [];
    for (const v of inner) {
        const m = firstMatch(v, pattern);
        if (m) return m;
    }
    return undefined;
}

/** Whose stack a value's URN mark names: "project/stack", or undefined when it carries none. */
function markedOwner(value: unknown): string | undefined {
    const m = firstMatch(value, MARK);
    return m ? `${m[2]}/${m[1]}` : undefined;
}

/**
 * The stack an existing object is marked as belonging to, when that is not the adopting one:
 * Stripe's `stackwire_stack` metadata, or a mark another stack wrote in a description or name.
 */
export function foreignOwner(found: Record<string, unknown>, wanted: Record<string, unknown>): string | undefined {
    const ours = typeof wanted.resourceUrn === "string" ? markedOwner(wanted.resourceUrn.replace(/^urn:/, "stackwire:urn:")) : undefined;
    const metadata = (found.metadata ?? {}) as Record<string, unknown>;
    const wantedMetadata = (wanted.metadata ?? {}) as Record<string, unknown>;
    const owner = metadata[OWNER_METADATA_KEY];
    if (typeof owner === "string" && owner !== wantedMetadata[OWNER_METADATA_KEY]) return owner;
    const { resourceUrn: _urn, ...rest } = found;
    const marked = markedOwner(rest);
    if (marked !== undefined && marked !== ours) return marked;
    // A digest says whose resource made it only to that resource: another's is refused without a name.
    const digest = firstMatch(rest, DIGEST_MARK);
    const own = typeof wanted.resourceUrn === "string" ? createHash("sha256").update(wanted.resourceUrn).digest("hex") : undefined;
    return digest && !own?.startsWith(digest[1] ?? digest[2]) ? "another (its mark is a digest of a resource URN)" : undefined;
}

const shown = (value: unknown) => (value === undefined ? "unset" : JSON.stringify(value));

/** "field: found X, configured Y" for each field; a secret one says only that it differs. */
export function describeDifferences(keys: readonly string[], found: Record<string, unknown>, wanted: Record<string, unknown>, secret: readonly string[] = []): string {
    return keys.map((k) => (secret.includes(k) ? `${k}: differs (secret)` : `${k}: found ${shown(found[k])}, configured ${shown(wanted[k])}`)).join("; ");
}
