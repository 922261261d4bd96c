/**
 * Trello REST API on the shared HTTP layer. Trello takes `key` and `token` as query parameters
 * (the HTTP layer never records query strings, and errors are redacted) and limits each token to
 * 100 requests per 10 seconds: a process-wide window keeps every Trello provider in the host
 * under it, with the toolkit's retry on 429 behind it for other clients of the same token.
 */
import { createHash } from "node:crypto";
import type { Clock } from "../core/clock";
import type { CredentialSpec } from "../core/credentials";
import type { HttpCall, HttpCallOptions } from "../core/http";
import type { OperationContext } from "../core/provider";
import { ownerMark } from "../core/ownership";
import { restClient, type RestRequest } from "../core/rest";

export const trelloApiKey: CredentialSpec = { configKey: "trelloApiKey", envVars: ["TRELLO_API_KEY"], label: "Trello API key" };
export const trelloToken: CredentialSpec = { configKey: "trelloToken", envVars: ["TRELLO_TOKEN"], label: "Trello token" };

/** Trello's documented limit per token. */
export const TRELLO_RATE = { requests: 100, windowMs: 10_000 };

type Query = RestRequest["query"];

const WINDOW_MARGIN_MS = 500;

interface Window {
    stamps: number[];
}

/**
 * The window for a token, shared by every provider in this process. It lives on globalThis:
 * module-level state would be copied into each serialized provider separately.
 */
function windowFor(token: string): Window {
    const registry = ((globalThis as Record<string, unknown>).__stackwireTrelloWindows ??= {}) as Record<string, Window>;
    const id = createHash("sha256").update(token).digest("hex").slice(0, 16);
    return (registry[id] ??= { stamps: [] });
}

/**
 * Waits for a slot in the token's window, then takes it. A wait counts as time passed even when
 * the clock's sleep came back early (a test's sleep that returns at once): the loop always ends.
 */
export async function throttle(token: string, clock: Clock, rate = TRELLO_RATE): Promise<number> {
    const window = windowFor(token);
    const startedAt = clock.now();
    let waited = 0;
    for (;;) {
        const now = Math.max(clock.now(), startedAt + waited);
        window.stamps = window.stamps.filter((t) => now - t < rate.windowMs);
        if (window.stamps.length < rate.requests) {
            window.stamps.push(now);
            return waited;
        }
        // A margin, since Trello counts a request when it arrives, a little after we send it.
        const pause = window.stamps[0] + rate.windowMs - now + WINDOW_MARGIN_MS;
        waited += pause;
        await clock.sleep(pause);
    }
}

export interface TrelloCallOptions {
    /** The call to send on, made by `createOnce` with `trelloHttp` (core/ownership.ts). */
    call?: HttpCall;
}

/** What every Trello call needs: each attempt, retries included, waits for a slot in the token's window. */
export function trelloHttp(ctx: OperationContext): Partial<HttpCallOptions> {
    const token = ctx.credential(trelloToken);
    return { beforeAttempt: () => throttle(token, ctx.clock) };
}

export function trello(ctx: OperationContext, baseUrl: string, operation: string, options: TrelloCallOptions = {}) {
    const key = ctx.credential(trelloApiKey);
    const token = ctx.credential(trelloToken);
    const call = options.call ?? ctx.http(operation, trelloHttp(ctx));
    const client = restClient(ctx, call, { baseUrl, query: { key, token } });
    // Trello takes a write's fields as query parameters, not as a body.
    return {
        call,
        /** The token itself: Trello lists a token's webhooks under it. */
        token,
        get: client.get,
        post: <T>(path: string, fields: Query) => client.post<T>(path, undefined, fields),
        put: <T>(path: string, fields: Query) => client.put<T>(path, undefined, fields),
        /** An archiving write; a 404 (the object is gone) counts as done. */
        retire: (path: string, fields: Query) => client.retire("PUT", path, undefined, fields),
        remove: (path: string) => client.remove(path),
    };
}

/**
 * When a Trello object was created: its id is a MongoDB ObjectId whose first 8 hex digits are the
 * Unix time in seconds (support.atlassian.com/trello/docs/getting-the-time-a-card-or-board-was-created).
 */
export function createdAtOf(id: string): number {
    return Number.parseInt(id.slice(0, 8), 16) * 1000;
}

/** Trello's limit on a board's or webhook's description. */
const DESCRIPTION_MAX = 16384;

/** The description as sent: the user's text, then this resource's mark on a line of its own (where it fits). */
export function withMark(description: string, resourceUrn: string | null): string {
    if (!resourceUrn) return description;
    const marked = `${description}${description ? "\n\n" : ""}${ownerMark(resourceUrn)}`;
    return marked.length <= DESCRIPTION_MAX ? marked : description;
}

/** The description without this resource's mark, as the user wrote it. */
export function withoutMark(description: string | null | undefined, resourceUrn: string | null | undefined): string {
    const text = description ?? "";
    if (!resourceUrn) return text;
    const mark = ownerMark(resourceUrn);
    if (text === mark) return "";
    return text.endsWith(`\n\n${mark}`) ? text.slice(0, -(mark.length + 2)) : text;
}

/** Whether a description ends with this resource's mark. */
export function endsWithMark(description: string | null | undefined, resourceUrn: string): boolean {
    const text = description ?? "";
    return withoutMark(text, resourceUrn) !== text;
}
