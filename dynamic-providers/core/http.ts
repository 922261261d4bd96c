/**
 * The one HTTP layer of every dynamic provider: a `fetch` that vendor SDKs accept as their
 * transport (supabase-js `global.fetch`, Stripe's fetch client, ...), adding bounded retries.
 *
 * Retried: 429, 5xx and network errors, with exponential backoff and full jitter, honouring
 * Retry-After. Never retried: any other status. Bounded by attempts and by total time.
 * Each operation gets its own `HttpCall`, which records what happened (attempts, whether a
 * write may have landed without us seeing the answer, the last request id) so the provider can
 * make a lost-response retry safe and can build a precise error.
 */

import { systemClock, type Clock, type Sleep } from "./clock";

export interface RetryPolicy {
    /** Attempts in all, the first included. */
    maxAttempts: number;
    /** No retry starts after this much time since the first attempt. */
    maxElapsedMs: number;
    /** First backoff step; doubles each attempt. */
    baseDelayMs: number;
    /** Ceiling of one backoff step (Retry-After may ask for more, up to maxRetryAfterMs). */
    maxDelayMs: number;
    /** A Retry-After longer than this is not waited out: the call fails instead. */
    maxRetryAfterMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
    maxAttempts: 6,
    maxElapsedMs: 120_000,
    baseDelayMs: 250,
    maxDelayMs: 15_000,
    maxRetryAfterMs: 60_000,
};

/** Headers vendors use for the request id, in the order we look for them. */
const REQUEST_ID_HEADERS = ["request-id", "x-request-id", "sb-request-id", "x-appwrite-request-id", "cf-ray"];

export type { Sleep };

export interface HttpCallOptions {
    service: string;
    operation: string;
    policy?: Partial<RetryPolicy>;
    /** Injected by tests to observe or skip waiting. @default the clock's */
    sleep?: Sleep;
    /** What time it is and how to wait. @default the system clock */
    clock?: Clock;
    /** Injected by tests for deterministic jitter. */
    random?: () => number;
    /** The transport underneath; the global fetch by default. */
    transport?: typeof fetch;
    /** Runs before every attempt, retries included (a rate limiter waiting for a slot). */
    beforeAttempt?: () => Promise<unknown>;
    /**
     * Send a write again when its outcome was never seen (network error, 5xx). Off for creates
     * the API does not deduplicate: the caller looks for what landed first (`createOnce`).
     * @default true
     */
    replayUnseenWrites?: boolean;
}

/** Status codes worth another attempt. */
export function isRetryableStatus(status: number): boolean {
    return status === 429 || status >= 500;
}

/**
 * Seconds or an HTTP date, as RFC 9110 allows; undefined when absent or unreadable.
 * Returns milliseconds to wait from `now`.
 */
export function parseRetryAfter(header: string | null | undefined, now: number = Date.now()): number | undefined {
    if (!header) return undefined;
    const trimmed = header.trim();
    if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
    const date = Date.parse(trimmed);
    if (Number.isNaN(date)) return undefined;
    return Math.max(0, date - now);
}

/**
 * How long the server asked to wait: Retry-After, else a rate-limit reset time (Mapbox's
 * X-Rate-Limit-Reset, a Unix time in seconds). Undefined when it did not say.
 */
export function waitAskedFor(headers: Headers, now: number = Date.now(), status = 429): number | undefined {
    const retryAfter = parseRetryAfter(headers.get("retry-after"), now);
    if (retryAfter !== undefined) return retryAfter;
    // A reset time says when a rate-limit window ends: it answers a 429 only.
    if (status !== 429) return undefined;
    const reset = headers.get("x-rate-limit-reset")?.trim();
    return reset && /^\d+$/.test(reset) ? Math.max(0, Number(reset) * 1000 - now) : undefined;
}

/**
 * Delay before attempt `attempt + 1` (attempt counts from 1): full jitter over an exponential
 * ceiling, but never less than what the server asked for with Retry-After.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, retryAfterMs: number | undefined, random: () => number): number {
    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
    const jittered = Math.floor(random() * ceiling);
    return retryAfterMs !== undefined ? Math.max(retryAfterMs, jittered) : jittered;
}

/** A body we can send again unchanged. Streams cannot be replayed, so they get one attempt. */
function isReplayable(body: unknown): boolean {
    return (
        body === undefined ||
        body === null ||
        typeof body === "string" ||
        body instanceof URLSearchParams ||
        body instanceof ArrayBuffer ||
        ArrayBuffer.isView(body) ||
        (typeof Blob !== "undefined" && body instanceof Blob)
    );
}

export interface AttemptRecord {
    method: string;
    url: string;
    status?: number;
    networkError?: string;
}

/** One provider operation's HTTP activity. Pass `call.fetch` to the SDK. */
export class HttpCall {
    readonly service: string;
    readonly operation: string;
    readonly startedAt: number;
    readonly attempts: AttemptRecord[] = [];
    /** True once a write was sent and its outcome never seen (network error or 5xx). */
    writeMayHaveLanded = false;
    lastRequestId?: string;
    lastStatus?: number;
    /** The parsed body of the last error response (SDKs often drop the API's error code). */
    lastErrorBody?: unknown;
    /** Headers of the last response (e.g. Stripe's Idempotent-Replayed). */
    lastHeaders?: Headers;

    private readonly policy: RetryPolicy;
    private readonly sleep: Sleep;
    private readonly now: () => number;
    private readonly clock: Clock;
    private readonly beforeAttempt?: () => Promise<unknown>;
    private readonly replayUnseenWrites: boolean;
    private readonly random: () => number;
    private readonly transport: typeof fetch;

    constructor(options: HttpCallOptions) {
        this.service = options.service;
        this.operation = options.operation;
        this.policy = { ...defaultRetryPolicy, ...options.policy };
        const clock = options.clock ?? systemClock;
        this.clock = clock;
        this.beforeAttempt = options.beforeAttempt;
        this.replayUnseenWrites = options.replayUnseenWrites ?? true;
        this.sleep = options.sleep ?? clock.sleep;
        this.now = () => clock.now();
        this.startedAt = this.now();
        this.random = options.random ?? Math.random;
        this.transport = options.transport ?? ((...args) => fetch(...args));
    }

    /** A fetch with retries. Bound, so it can be handed to an SDK as a plain function. */
    readonly fetch: typeof fetch = async (input, init) => {
        const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
        const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
        const isWrite = method !== "GET" && method !== "HEAD";
        const canRetry = isReplayable(init?.body);

        for (let attempt = 1; ; attempt++) {
            const record: AttemptRecord = { method, url: stripQuery(url) };
            this.attempts.push(record);
            let response: Response | undefined;
            let failure: unknown;
            try {
                await this.beforeAttempt?.();
                const sent = this.transport(input, init);
                response = await (this.clock.track ? this.clock.track(sent) : sent);
            } catch (err) {
                failure = err;
            }

            if (response) {
                record.status = response.status;
                this.lastStatus = response.status;
                this.lastRequestId = requestIdOf(response.headers) ?? this.lastRequestId;
                this.lastHeaders = response.headers;
                if (!response.ok) this.lastErrorBody = await readErrorBody(response);
                if (!isRetryableStatus(response.status)) return response;
                if (isWrite && response.status >= 500) this.writeMayHaveLanded = true;
            } else {
                record.networkError = describeNetworkError(failure);
                if (isWrite) this.writeMayHaveLanded = true;
            }

            const retryAfterMs = response ? waitAskedFor(response.headers, this.now(), response.status) : undefined;
            const delay = backoffDelay(attempt, this.policy, retryAfterMs, this.random);
            const elapsed = this.now() - this.startedAt;
            const giveUp =
                !canRetry ||
                (this.writeMayHaveLanded && !this.replayUnseenWrites) ||
                attempt >= this.policy.maxAttempts ||
                (retryAfterMs !== undefined && retryAfterMs > this.policy.maxRetryAfterMs) ||
                elapsed + delay > this.policy.maxElapsedMs;
            if (giveUp) {
                if (response) return response;
                throw new NetworkError(this.service, this.operation, record.networkError ?? "network error", attempt);
            }
            // The SDK never sees this response, so free its socket before waiting.
            await response?.body?.cancel().catch(() => undefined);
            await this.sleep(delay);
        }
    };

    get attemptCount(): number {
        return this.attempts.length;
    }
}

/** Raised when every attempt failed before any HTTP answer arrived. */
export class NetworkError extends Error {
    constructor(
        readonly service: string,
        readonly operation: string,
        readonly reason: string,
        readonly attempts: number,
    ) {
        const message = `${service}: ${operation}: network error after ${attempts} attempt(s): ${reason}`;
        super(message);
        this.message = message; // see ProviderError: serialized Error subclasses lose super's message
        this.name = "NetworkError";
    }
}

async function readErrorBody(response: Response): Promise<unknown> {
    try {
        const text = await response.clone().text();
        try {
            return JSON.parse(text);
        } catch {
            return text;
        }
    } catch {
        return undefined;
    }
}

function requestIdOf(headers: Headers): string | undefined {
    for (const name of REQUEST_ID_HEADERS) {
        const value = headers.get(name);
        if (value) return value;
    }
    return undefined;
}

/** Query strings can carry keys (Trello puts its token there), so they never reach a record. */
function stripQuery(url: string): string {
    const at = url.indexOf("?");
    return at === -1 ? url : url.slice(0, at);
}

function describeNetworkError(err: unknown): string {
    if (err instanceof Error) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        return cause?.code ?? cause?.message ?? err.message;
    }
    return String(err);
}
