import type { Sleep } from "./http";

export interface WaitOptions {
    /** What we are waiting for, for the timeout message. */
    what: string;
    timeoutMs: number;
    /** First pause between polls; grows by half each poll up to maxIntervalMs. */
    intervalMs: number;
    maxIntervalMs: number;
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
    const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const deadline = Date.now() + options.timeoutMs;
    let interval = options.intervalMs;
    for (let polls = 1; ; polls++) {
        const value = await probe();
        if (value !== undefined) return { value, polls };
        if (Date.now() + interval > deadline) throw new WaitTimeoutError(options.what, options.timeoutMs, polls);
        await sleep(interval);
        interval = Math.min(options.maxIntervalMs, Math.ceil(interval * 1.5));
    }
}
