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
import { segment, type WhereItLives } from "../core/gone";
import type { OperationContext } from "../core/provider";
import { ownerMark } from "../core/ownership";
import { restClient, type ExplainRefusal, type RestRequest } from "../core/rest";

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
    const client = restClient(ctx, call, { baseUrl, query: { key, token }, explainRefusal });
    // Trello takes a write's fields as query parameters, not as a body.
    return {
        call,
        /** The token itself: Trello lists a token's webhooks under it. */
        token,
        /** The body, or undefined when Trello answers 404 (the caller confirms what that means: core/gone.ts). */
        get: <T>(path: string, query?: Query) => client.get<T>(path, query),
        post: <T>(path: string, fields: Query) => client.post<T>(path, undefined, fields),
        put: <T>(path: string, fields: Query) => client.put<T>(path, undefined, fields),
        /** An archiving write; a 404 leaves `call.lastStatus` at 404 for the caller to confirm. */
        retire: (path: string, fields: Query) => client.retire("PUT", path, undefined, fields),
        /** A removal; a 404 leaves `call.lastStatus` at 404 for the caller to confirm. */
        remove: (path: string) => client.remove(path),
    };
}

/**
 * Trello's refusals (401, in plain text) name the setting at fault: "invalid key" the API key,
 * "invalid token" and the like the token; any other 401 is a token Trello takes that may not
 * reach the object ("unauthorized permission requested" for a board the token's member is not
 * on, "webhook does not belong to token" for another token's webhook).
 */
const explainRefusal: ExplainRefusal = (status, said) => {
    if (status !== 401) return undefined;
    const setting = (spec: CredentialSpec) => `${spec.configKey} (or ${spec.envVars.join(" / ")})`;
    if (/invalid (app )?key/i.test(said)) return `Trello does not know ${setting(trelloApiKey)}`;
    if (/(invalid|expired|unauthorized) token/i.test(said)) return `Trello does not accept ${setting(trelloToken)}: it is unknown, expired or revoked, or was issued for another API key than ${trelloApiKey.configKey}`;
    if (/does not belong to token/i.test(said)) return `The webhook was made with another token than ${setting(trelloToken)}: Trello shows and changes a webhook only for the token that made it`;
    return `${setting(trelloToken)} may not reach this object: it is another member's token, or its member is not on the board`;
};

/** Whether a GET answers with the same credentials: true about `id`, false on 404, why not on a refusal. */
async function visibleAt(ctx: OperationContext, baseUrl: string, path: string, what: string, id: string | undefined, query?: Query): Promise<true | false | string> {
    const api = trello(ctx, baseUrl, `look at ${what}`);
    try {
        const found = await api.get<{ id?: unknown }>(path, query);
        if (found === undefined) return false;
        return id === undefined || found?.id === id ? true : `was answered about something else than ${what}`;
    } catch (err) {
        const e = err as { status?: number; apiMessage?: string };
        if (e.status === 401 || e.status === 403) return `is refused ${what} (${e.status} ${e.apiMessage})`;
        throw err;
    }
}

/**
 * Where a board lives: the Trello account of the token (GET /1/members/me). Trello answers a
 * board the token's member may not see with 401 "unauthorized permission requested", and 404
 * "The requested resource was not found." only for a board that does not exist; the account
 * answering shows the 404 came from Trello, for these credentials. One call, 404 path only.
 */
export function theAccount(ctx: OperationContext, baseUrl: string): WhereItLives {
    return {
        name: "the Trello account of the token",
        credential: trelloToken,
        visible: async () => {
            const seen = await visibleAt(ctx, baseUrl, "/members/me", "the token's member", undefined, { fields: "id" });
            return seen === false ? "gets 404 for its own member (/members/me): the base URL may not be Trello's API" : seen;
        },
    };
}

/**
 * Where a list or label lives: its board (GET /1/boards/{id}). A board that answers 404 too is
 * gone when the token's account answers (`theAccount`): its lists and labels went with it. One
 * call when the board answers, two when it is gone; 404 path only.
 */
export function theBoard(ctx: OperationContext, baseUrl: string, boardId: string): WhereItLives {
    return {
        name: `board ${boardId}`,
        credential: trelloToken,
        visible: async () => {
            const seen = await visibleAt(ctx, baseUrl, `/boards/${segment(boardId)}`, `board ${boardId}`, boardId, { fields: "id" });
            if (seen !== false) return seen;
            const account = await theAccount(ctx, baseUrl).visible();
            return account === true ? true : `gets 404 for board ${boardId}, and ${account}`;
        },
    };
}

/**
 * Where a webhook lives: its token ("webhooks belong to tokens", Trello's webhooks guide). Trello
 * answers another token "webhook does not belong to token" (Get a Webhook, REST reference), so a
 * 404 is a webhook that is gone when the token's own list answers without it (GET
 * /1/tokens/{token}/webhooks). One call, 404 path only.
 */
export function theTokensWebhooks(ctx: OperationContext, baseUrl: string, webhookId: string): WhereItLives {
    return {
        name: "the token's list of webhooks",
        credential: trelloToken,
        visible: async () => {
            const api = trello(ctx, baseUrl, "list the token's webhooks");
            try {
                const hooks = await api.get<{ id?: unknown }[]>(`/tokens/${segment(api.token)}/webhooks`);
                if (hooks === undefined) return false;
                if (!Array.isArray(hooks)) return "was answered with something else than a list of webhooks";
                return hooks.some((h) => h?.id === webhookId) ? `still lists webhook ${webhookId}: the 404 came from elsewhere (check the base URL)` : true;
            } catch (err) {
                const e = err as { status?: number; apiMessage?: string };
                if (e.status === 401 || e.status === 403) return `is refused its own webhooks (${e.status} ${e.apiMessage})`;
                throw err;
            }
        },
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
