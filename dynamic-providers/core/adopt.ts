/**
 * Adoption: a resource whose inputs carry `adopt: <id>` takes over an object that already exists
 * (made by hand, before the stack) instead of creating one. Its create reads the object, refuses
 * when it belongs to another stack or cannot be made to match without a replacement, and
 * otherwise updates only what differs. The component retains an adopted object on delete
 * (it predates the stack) unless the config says otherwise.
 */
import { createHash } from "node:crypto";
import { z } from "zod";

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

/** Whose stack a value's mark names: "project/stack", or undefined when it carries none. */
function markedOwner(value: unknown): string | undefined {
    if (typeof value === "string") {
        const m = MARK.exec(value);
        return m ? `${m[2]}/${m[1]}` : undefined;
    }
    if (Array.isArray(value)) return value.map(markedOwner).find(Boolean);
    if (value && typeof value === "object") return Object.values(value).map(markedOwner).find(Boolean);
    return undefined;
}

/**
 * The stack an existing object is marked as belonging to, when that is not the adopting one:
 * Stripe's `stackwire_stack` metadata, or a URN mark in a description another stack wrote.
 */
export function foreignOwner(found: Record<string, unknown>, wanted: Record<string, unknown>): string | undefined {
    const ours = typeof wanted.resourceUrn === "string" ? markedOwner(wanted.resourceUrn.replace(/^urn:/, "stackwire:urn:")) : undefined;
    const metadata = (found.metadata ?? {}) as Record<string, unknown>;
    const wantedMetadata = (wanted.metadata ?? {}) as Record<string, unknown>;
    if (typeof metadata.stackwire_stack === "string" && metadata.stackwire_stack !== wantedMetadata.stackwire_stack) return metadata.stackwire_stack;
    const { resourceUrn: _urn, ...rest } = found;
    const marked = markedOwner(rest);
    if (marked !== undefined && marked !== ours) return marked;
    // Where a field is too short for a URN, a stack marks with a digest of it: whose cannot be told, only that it is not this resource's.
    const digest = digestMarkIn(rest);
    const own = typeof wanted.resourceUrn === "string" ? createHash("sha256").update(wanted.resourceUrn).digest("hex") : undefined;
    return digest !== undefined && !own?.startsWith(digest) ? "another (its mark is a digest of a resource URN)" : undefined;
}

/** Digest marks stackwire writes: an Edge Function's name `[stackwire <16 hex>]`, GitLab's `stackwire:sha256:<64 hex>`. */
const DIGEST_MARK = /\[stackwire ([0-9a-f]{16})\]|stackwire:sha256:([0-9a-f]{64})/;

function digestMarkIn(value: unknown): string | undefined {
    if (typeof value === "string") {
        const m = DIGEST_MARK.exec(value);
        return m ? (m[1] ?? m[2]) : undefined;
    }
    if (Array.isArray(value)) return value.map(digestMarkIn).find(Boolean);
    if (value && typeof value === "object") return Object.values(value).map(digestMarkIn).find(Boolean);
    return undefined;
}

const shown = (value: unknown) => (value === undefined ? "unset" : JSON.stringify(value));

/** "field: found X, configured Y" for each field; a secret one says only that it differs. */
export function describeDifferences(keys: readonly string[], found: Record<string, unknown>, wanted: Record<string, unknown>, secret: readonly string[] = []): string {
    return keys.map((k) => (secret.includes(k) ? `${k}: differs (secret)` : `${k}: found ${shown(found[k])}, configured ${shown(wanted[k])}`)).join("; ");
}
