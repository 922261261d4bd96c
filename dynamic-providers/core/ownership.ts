/**
 * Creates that a lost response can never duplicate or strand.
 *
 * A create whose answer never arrived may have landed. Two cases reach the provider: the same
 * call sees a network error or a 5xx after sending, or the call gave up and the engine runs
 * create again later (a new call that knows nothing of the first). Either way the provider must
 * find what landed and adopt it, and create only when nothing did.
 *
 * What makes a found object ours, in order of preference: a mark carrying the resource's URN
 * (metadata, a description, a tag), or, where the API has nowhere to put one, an identity only
 * this stack uses (its physical name) created within the lost-create window with the settings we
 * sent. An object that exists without either is refused with a clear error, never adopted.
 */
import type { HttpCall, HttpCallOptions } from "./http";
import type { OperationContext } from "./provider";

/** How long after a create an unmarked object found by its identity counts as ours. */
export const LOST_CREATE_WINDOW_MS = 15 * 60_000;

/** Sends before giving up on a create whose attempts all failed without landing. */
const CREATE_ATTEMPTS = 4;

/** The text a marked object carries: the resource's URN (stack, type and logical name). */
export function ownerMark(resourceUrn: string): string {
    return `stackwire:${resourceUrn}`;
}

/** Whether a text (a description, a metadata value) carries this resource's mark. */
export function carriesMark(text: unknown, resourceUrn: string): boolean {
    return typeof text === "string" && text.includes(ownerMark(resourceUrn));
}

/** Whether an object created at `createdAt` is recent enough to be our own lost create. */
export function createdRecently(ctx: OperationContext, createdAt: string | number | Date | undefined | null): boolean {
    if (createdAt === undefined || createdAt === null) return false;
    const at = createdAt instanceof Date ? createdAt.getTime() : typeof createdAt === "number" ? createdAt : parseTimestamp(createdAt);
    if (Number.isNaN(at)) return false;
    const age = ctx.clock.now() - at;
    // A little slack for clocks that disagree: the server's may run ahead of ours.
    return age <= LOST_CREATE_WINDOW_MS && age >= -60_000;
}

/** ISO 8601, and Postgres' own text ("2023-10-06 23:47:56.678+00") that some APIs pass through. */
export function parseTimestamp(text: string): number {
    const iso = text.trim().replace(" ", "T").replace(/([+-]\d{2})$/, "$1:00");
    return Date.parse(iso);
}

export interface CreateOnceOptions<T> {
    /** Sends the create on `call`, which does not replay a write whose answer was lost. */
    create(call: HttpCall): Promise<T>;
    /** What an earlier attempt of ours left (this call's or one the engine gave up on); undefined when nothing. */
    findLanded(): Promise<T | undefined>;
    /**
     * The API refused because the id is taken, yet nothing holds it when looked at: something that
     * held it went in between (a deletion the API finishes in the background), so the create is sent
     * again. Where a conflict can come from another unique field, leave it off: the refusal stands.
     */
    resendWhenConflictVanishes?: boolean;
    /** Whether nothing holds the id after the look (`findLanded` answers undefined both for nothing and for another's object). */
    nothingAt?(): boolean;
    /**
     * Look before sending: the API takes duplicates (no unique identity), so a create the engine
     * retries after a lost answer would otherwise make a second object.
     */
    lookFirst: boolean;
    /** The API refused because the object exists ("already exists", 409). */
    isConflict?(err: unknown): boolean;
    /** Why an existing object that is not ours is refused, and what to do about it. */
    notOurs?(err: unknown, call: HttpCall): Error;
    /** More options of the create's HTTP call (a rate limiter's `beforeAttempt`). */
    http?: Partial<HttpCallOptions>;
}

/**
 * The refusal when a unique name is taken by an object this stack did not make: the create's own
 * error when nothing of that name was found (the API refused for another reason), else one naming
 * the holder and how to take it over.
 */
export function takenBy(err: unknown, holder: { what: string; id: string | number; where: string; instead: string; adoptable?: boolean } | undefined): Error {
    if (!holder) return err as Error;
    const take = holder.adoptable === false ? "" : `adopt it (adopt: "${holder.id}") or `;
    return new Error(`${holder.what} (${holder.id}) already exists in ${holder.where} and this stack did not make it: ${take}${holder.instead}`);
}

/** Whether nothing holds the id: `nothingAt` answers it where the look for what landed cannot tell "nothing" from "not ours". */
async function nothingHeld<T>(options: CreateOnceOptions<T>): Promise<boolean> {
    return options.nothingAt ? options.nothingAt() : true;
}

/** The metadata key (Stripe's) that names the stack owning an object: "<project>/<stack>". */
export const OWNER_METADATA_KEY = "stackwire_stack";

/** A create that adopts its own lost attempts and refuses objects that are not its own. */
export async function createOnce<T>(ctx: OperationContext, operation: string, options: CreateOnceOptions<T>): Promise<T> {
    if (options.lookFirst) {
        const landed = await options.findLanded();
        if (landed !== undefined) return landed;
    }
    for (let attempt = 1; ; attempt++) {
        const call = ctx.http(operation, { ...options.http, replayUnseenWrites: false });
        try {
            return await options.create(call);
        } catch (err) {
            const conflict = options.isConflict?.(err) ?? false;
            if (!call.writeMayHaveLanded && !conflict) throw err;
            const landed = await options.findLanded();
            if (landed !== undefined) return landed;
            if (conflict && options.resendWhenConflictVanishes && (await nothingHeld(options)) && attempt < CREATE_ATTEMPTS) continue;
            if (conflict) throw options.notOurs?.(err, call) ?? err;
            if (attempt >= CREATE_ATTEMPTS) throw err;
            await ctx.clock.sleep(250 * 2 ** attempt);
        }
    }
}
