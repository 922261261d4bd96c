/**
 * Trello REST API on the shared HTTP layer. Trello takes `key` and `token` as query parameters
 * (the HTTP layer never records query strings, and errors are redacted) and limits each token to
 * 100 requests per 10 seconds: a process-wide window keeps every Trello provider in the host
 * under it, with the toolkit's retry on 429 behind it for other clients of the same token.
 */
import { createHash } from "node:crypto";
import type { Clock } from "../core/clock";
import type { CredentialSpec } from "../core/credentials";
import type { OperationContext } from "../core/provider";
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

/** Waits for a slot in the token's window, then takes it. */
export async function throttle(token: string, clock: Clock, rate = TRELLO_RATE): Promise<number> {
    const window = windowFor(token);
    let waited = 0;
    for (;;) {
        const now = clock.now();
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

export function trello(ctx: OperationContext, baseUrl: string, operation: string) {
    const key = ctx.credential(trelloApiKey);
    const token = ctx.credential(trelloToken);
    // Every attempt, retries included, waits for a slot in the token's window.
    const call = ctx.http(operation, { beforeAttempt: () => throttle(token, ctx.clock) });
    const client = restClient(ctx, call, { baseUrl, query: { key, token } });
    // Trello takes a write's fields as query parameters, not as a body.
    return {
        call,
        get: client.get,
        post: <T>(path: string, fields: Query) => client.post<T>(path, undefined, fields),
        put: <T>(path: string, fields: Query) => client.put<T>(path, undefined, fields),
        /** An archiving write; a 404 (the object is gone) counts as done. */
        retire: (path: string, fields: Query) => client.retire("PUT", path, undefined, fields),
        remove: (path: string) => client.remove(path),
    };
}
