import { systemClock, type Clock, type Sleep } from "./clock";

export interface WaitOptions {
    /** What we are waiting for, for the timeout message. */
    what: string;
    timeoutMs: number;
    /** First pause between polls; grows by half each poll up to maxIntervalMs. */
    intervalMs?: number;
    maxIntervalMs?: number;
    /** The pause before each next poll, for a schedule of the caller's own. */
    nextIntervalMs?: () => number;
    /** A pause before the first poll, when the work cannot be done sooner. @default 0 */
    firstDelayMs?: number;
    /** @default the system clock */
    clock?: Clock;
    /** Overrides the clock's sleep (tests that need not wait). */
    sleep?: Sleep;
}

export class WaitTimeoutError extends Error {
    constructor(what: string, timeoutMs: number, polls: number) {
        const message = `timed out after ${Math.round(timeoutMs / 1000)}s (${polls} checks) waiting for ${what}`;
        super(message);
        this.message = message; // see ProviderError: serialized Error subclasses lose super's message
        this.name = "WaitTimeoutError";
    }
}

/**
 * Polls `probe` until it returns a value other than undefined. Used where an API finishes work
 * asynchronously (Supabase empties buckets in the background; Appwrite builds attributes).
 */
export async function pollUntil<T>(probe: () => Promise<T | undefined>, options: WaitOptions): Promise<{ value: T; polls: number }> {
    const clock = options.clock ?? systemClock;
    const sleep = options.sleep ?? clock.sleep;
    const deadline = clock.now() + options.timeoutMs;
    // The default schedule: intervalMs, then half as long again each time, up to maxIntervalMs.
    let grown = options.intervalMs ?? 500;
    const growing = () => {
        const pause = grown;
        grown = Math.min(options.maxIntervalMs ?? grown, Math.ceil(grown * 1.5));
        return pause;
    };
    const next = options.nextIntervalMs ?? growing;
    if (options.firstDelayMs) await sleep(options.firstDelayMs);
    for (let polls = 1; ; polls++) {
        const value = await probe();
        if (value !== undefined) return { value, polls };
        const pause = next();
        if (clock.now() + pause > deadline) throw new WaitTimeoutError(options.what, options.timeoutMs, polls);
        await sleep(pause);
    }
}
