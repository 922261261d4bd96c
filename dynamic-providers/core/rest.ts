/**
 * JSON over HTTP for APIs without an SDK here (GitLab, Trello), on the shared HTTP layer.
 * A non-2xx answer becomes a ProviderError carrying the API's own message.
 */
import { httpUrl } from "./validation";
import type { HttpCall } from "./http";
import type { OperationContext } from "./provider";

export interface RestRequest {
    method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD";
    url: string;
    headers?: Record<string, string>;
    query?: Record<string, string | number | boolean | undefined>;
    body?: unknown;
}

export interface RestResponse<T> {
    status: number;
    body: T;
}

/** Raised for a non-2xx answer; `status` lets callers treat 404 as "gone". */
export class RestError extends Error {
    constructor(
        readonly status: number,
        readonly apiMessage: string,
        readonly body: unknown,
    ) {
        super(apiMessage);
        this.message = apiMessage; // serialized Error subclasses lose super's message
        this.name = "RestError";
    }
}

/**
 * Flattens API error bodies: strings, {message} (a list of them too), {error} and {error: {message}}
 * (OpenAI, Airtable), DRF's {detail, attr} (PostHog) and GitLab's {message: {field: [..]}}.
 */
export function messageOf(body: unknown, status: number): string {
    if (typeof body === "string" && body.trim()) return body.trim();
    if (body && typeof body === "object") {
        const b = body as { message?: unknown; error?: unknown; detail?: unknown; attr?: unknown };
        if (typeof b.message === "string") return b.message;
        if (Array.isArray(b.message) && b.message.every((m) => typeof m === "string")) return b.message.join(", ");
        if (b.error && typeof b.error === "object" && typeof (b.error as { message?: unknown }).message === "string") return (b.error as { message: string }).message;
        if (typeof b.detail === "string") return typeof b.attr === "string" ? `${b.attr}: ${b.detail}` : b.detail;
        if (b.message && typeof b.message === "object") {
            return Object.entries(b.message as Record<string, unknown>)
                .map(([field, problems]) => `${field} ${Array.isArray(problems) ? problems.join(", ") : String(problems)}`)
                .join("; ");
        }
        if (typeof b.error === "string") return b.error;
    }
    return `HTTP ${status}`;
}

export async function rest<T>(call: HttpCall, req: RestRequest): Promise<RestResponse<T>> {
    const url = new URL(req.url);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const response = await call.fetch(url.href, {
        method: req.method,
        headers: { accept: "application/json", ...(req.body !== undefined ? { "content-type": "application/json" } : {}), ...req.headers },
        body: req.body !== undefined ? JSON.stringify(req.body) : undefined,
    });
    const text = req.method === "HEAD" ? "" : await response.text();
    let body: unknown = text;
    if (text && response.headers.get("content-type")?.includes("json")) body = JSON.parse(text);
    if (!response.ok) throw new RestError(response.status, messageOf(body, response.status), body);
    return { status: response.status, body: body as T };
}

/** What a refusal (401, 403) means for the user, naming the setting at fault; undefined to say nothing more. */
export type ExplainRefusal = (status: number, apiMessage: string) => string | undefined;

/** A REST failure as a typed error of this operation; a refusal carries the client's explanation. */
export function restError(ctx: OperationContext, call: HttpCall, err: unknown, explain?: ExplainRefusal) {
    if (err instanceof RestError || (err as { name?: string })?.name === "RestError") {
        const e = err as RestError;
        const advice = (e.status === 401 || e.status === 403) && explain ? explain(e.status, e.apiMessage) : undefined;
        return ctx.error(call, { status: e.status, apiMessage: e.apiMessage, ...(advice ? { advice } : {}) });
    }
    return err;
}

/** The body, or undefined on 404 (refresh then drops the object). */
async function restOrGone<T>(ctx: OperationContext, call: HttpCall, req: RestRequest, explain?: ExplainRefusal): Promise<T | undefined> {
    try {
        return (await rest<T>(call, req)).body;
    } catch (err) {
        if ((err as RestError).status === 404) return undefined;
        throw restError(ctx, call, err, explain);
    }
}

/** Runs a request, turning a failure into a typed error. */
async function restCall<T>(ctx: OperationContext, call: HttpCall, req: RestRequest, explain?: ExplainRefusal): Promise<T> {
    try {
        return (await rest<T>(call, req)).body;
    } catch (err) {
        throw restError(ctx, call, err, explain);
    }
}

type Query = RestRequest["query"];

/** The next page's URL from a `Link: <…>; rel="next"` header (RFC 8288), as GitHub and Mapbox page their lists; undefined on the last page. */
export function nextLink(headers: Headers | undefined): string | undefined {
    return /<([^>]+)>;\s*rel="next"/.exec(headers?.get("link") ?? "")?.[1];
}

/** `path` under `baseUrl`, whether or not the base URL was given with a trailing slash. */
export function joinUrl(baseUrl: string, path: string): string {
    return `${baseUrl.replace(/\/$/, "")}${path}`;
}

/** The API base URL of a service, overridable for self-hosted instances and the emulators. */
export function baseUrlSchema(defaultUrl: string) {
    return httpUrl().default(defaultUrl);
}

export interface RestClientOptions {
    baseUrl: string;
    /** Sent on every request, e.g. the authorization header. */
    headers?: Record<string, string>;
    /** Added to every request's query, for APIs that take credentials there (Trello). */
    query?: Query;
    /** What a 401 or 403 means, naming the credential's setting (the message gets it appended). */
    explainRefusal?: ExplainRefusal;
}

/** One operation's client for a JSON API: paths are relative to `baseUrl`. */
export function restClient(ctx: OperationContext, call: HttpCall, options: RestClientOptions) {
    const request = (method: RestRequest["method"], path: string, body?: unknown, query?: Query): RestRequest => ({
        method,
        url: joinUrl(options.baseUrl, path),
        headers: options.headers,
        body,
        query: { ...query, ...options.query },
    });
    const explain = options.explainRefusal;
    const send = <T>(method: "POST" | "PUT" | "PATCH" | "DELETE", path: string, body?: unknown, query?: Query) => restCall<T>(ctx, call, request(method, path, body, query), explain);
    return {
        call,
        /** The body, or undefined when the object is gone (404). */
        get: <T>(path: string, query?: Query) => restOrGone<T>(ctx, call, request("GET", path, undefined, query), explain),
        send,
        post: <T>(path: string, body?: unknown, query?: Query) => send<T>("POST", path, body, query),
        put: <T>(path: string, body?: unknown, query?: Query) => send<T>("PUT", path, body, query),
        patch: <T>(path: string, body?: unknown) => send<T>("PATCH", path, body),
        /** A removal; 404 counts as already removed. */
        remove: async (path: string, options: { body?: unknown; query?: Query } = {}): Promise<void> => {
            await restOrGone(ctx, call, request("DELETE", path, options.body, options.query), explain);
        },
        /** A write that ends an object's life without deleting it (archive, stop); 404 counts as done. */
        retire: async (method: "PUT" | "POST", path: string, body?: unknown, query?: Query): Promise<void> => {
            await restOrGone(ctx, call, request(method, path, body, query), explain);
        },
    };
}
