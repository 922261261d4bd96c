/**
 * The shared frame of every API emulator: an HTTP server on 127.0.0.1 and a free port, route
 * matching, authentication hook, per-route request counters (benchmarks read them), and fault
 * injection: fail the next N matching calls with 429 + Retry-After or with 500, or commit the
 * write and then drop the connection so the client never sees the answer.
 */
import { randomUUID } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface EmulatorRequest {
    method: string;
    path: string;
    query: URLSearchParams;
    headers: http.IncomingHttpHeaders;
    body: Buffer;
    /** Path parameters: `:name` matches one segment, `*name` the rest of the path. Decoded. */
    params: Record<string, string>;
    /** The body parsed as JSON; undefined when empty; throws on malformed JSON. */
    json<T = unknown>(): T | undefined;
}

export interface EmulatorResponse {
    status: number;
    /** Serialized as JSON unless a Buffer. */
    body?: unknown;
    headers?: Record<string, string>;
}

export interface Route {
    method: string;
    /** e.g. "/storage/v1/bucket/:id" or "/storage/v1/object/:bucket/*path". */
    path: string;
    handle(req: EmulatorRequest): EmulatorResponse | Promise<EmulatorResponse>;
    /**
     * For one path serving many operations (GraphQL): the operation a request is, which joins its
     * route key ("POST /graphql CreateEnvironmentVariableForApp") so counts and faults tell them
     * apart, and whether it only reads.
     */
    operationOf?(req: EmulatorRequest): { name: string; reads: boolean } | undefined;
}

/**
 * rate-limit: 429 with Retry-After; server-error: 500; drop-after-commit: the write happens and
 * the connection closes unanswered; echo-reject: 400 whose error repeats the whole request
 * (headers, query, body), as some APIs' validation errors do, to prove no secret leaks through.
 */
export type FaultKind = "rate-limit" | "server-error" | "drop-after-commit" | "echo-reject";

export interface FaultSpec {
    kind: FaultKind;
    /** How many matching calls fail. @default 1 */
    times?: number;
    /** Only calls to this route key ("POST /storage/v1/bucket") fail. @default every route */
    route?: string;
    /** Seconds sent in Retry-After with rate-limit faults. @default 1 */
    retryAfterSeconds?: number;
    /** Once this fault fires, the next N requests to any route get 500 (the client gives up). @default 0 */
    thenOutage?: number;
}

export interface EmulatorOptions {
    name: string;
    /** The headers of a 429 that asks to wait `seconds` (Retry-After unless the API says it otherwise, or not at all). */
    rateLimitHeaders?(seconds: number, now: number): Record<string, string>;
    /** The API's body for an error the frame produces (unknown route, injected faults). */
    errorBody(status: number, message: string): unknown;
    /** Header carrying the request id, as the real API names it. */
    requestIdHeader: string;
    /** Request ids in the API's own format. @default a UUID */
    newRequestId?: () => string;
}

/** An error answer of the emulated API: throw it from a route (or from `authenticate`) and the frame sends it. */
export class ApiFailure extends Error {
    constructor(readonly response: EmulatorResponse) {
        super(`HTTP ${response.status}`);
        this.name = "ApiFailure";
    }
}

/** One request and its answer, as the fidelity tier checks them against the vendor's spec. */
export interface Exchange {
    /** The emulator route that answered ("POST /api-keys"), or "unmatched". */
    route: string;
    method: string;
    path: string;
    params: Record<string, string>;
    query: URLSearchParams;
    requestHeaders: http.IncomingHttpHeaders;
    requestBody: Buffer;
    status: number;
    /** Parsed JSON, a Buffer for raw bodies, undefined when empty. */
    responseBody: unknown;
    responseHeaders: Record<string, string>;
    /** Produced by an injected fault rather than by the route. */
    injected: boolean;
}

interface ActiveFault extends Required<Omit<FaultSpec, "route">> {
    route?: string;
}

function compile(path: string): (actual: string) => Record<string, string> | undefined {
    const parts = path.split("/").filter(Boolean);
    return (actual) => {
        const segments = actual.split("/").filter(Boolean);
        const params: Record<string, string> = {};
        for (let i = 0; i < parts.length; i++) {
            const part = parts[i];
            if (part.startsWith("*")) {
                if (i >= segments.length) return undefined;
                params[part.slice(1)] = segments.slice(i).map(decodeURIComponent).join("/");
                return params;
            }
            if (i >= segments.length) return undefined;
            if (part.startsWith(":")) params[part.slice(1)] = decodeURIComponent(segments[i]);
            else if (part !== segments[i]) return undefined;
        }
        return segments.length === parts.length ? params : undefined;
    };
}

/**
 * One emulated API. A subclass lists its routes and checks credentials as the API does; the
 * frame serves them, counts requests and injects faults.
 */
export abstract class Emulator {
    readonly name: string;
    private readonly options: EmulatorOptions;
    private compiled: { route: Route; key: string; match: ReturnType<typeof compile> }[] = [];
    private server?: http.Server;
    private counts = new Map<string, number>();
    /** Route keys of operations that only read, besides GETs (GraphQL queries). */
    private readKeys = new Set<string>();
    private faults: ActiveFault[] = [];
    private readonly sockets = new Set<import("node:net").Socket>();
    url = "";
    /** Called with one line per request (the sandbox prints them). */
    onRequest?: (line: string) => void;
    /** Called with every answered request, in full (the fidelity tier records them). */
    onExchange?: (exchange: Exchange) => void;

    constructor(options: EmulatorOptions) {
        this.name = options.name;
        this.options = options;
    }

    /** The routes the API answers; read when the server starts, after the subclass is built. */
    protected abstract routes(): Route[];

    /** An error response when the request is not authenticated as the API would; none by default. */
    protected authenticate(_req: EmulatorRequest): EmulatorResponse | undefined {
        return undefined;
    }

    async start(port = 0): Promise<string> {
        this.compiled = this.routes().map((route) => ({ route, key: `${route.method} ${route.path}`, match: compile(route.path) }));
        this.server = http.createServer((req, res) => void this.dispatch(req, res));
        this.server.on("connection", (socket) => {
            this.sockets.add(socket);
            socket.on("close", () => this.sockets.delete(socket));
        });
        const server = this.server;
        // A taken port is an error event, not a throw: reject with it (EADDRINUSE) so the caller can pick another.
        await new Promise<void>((resolve, reject) => {
            server.once("error", reject);
            server.listen(port, "127.0.0.1", () => {
                server.off("error", reject);
                resolve();
            });
        }).catch((err) => {
            this.server = undefined;
            throw err;
        });
        this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        return this.url;
    }

    async stop(): Promise<void> {
        if (!this.server) return;
        for (const socket of this.sockets) socket.destroy();
        await new Promise<void>((resolve) => this.server!.close(() => resolve()));
        this.server = undefined;
    }

    /** The route keys this emulator answers ("POST /api-keys/:id"), in declaration order. */
    routeKeys(): string[] {
        return this.routes().map((route) => `${route.method} ${route.path}`);
    }

    /** Requests received per route key, faults included. */
    requestCounts(): Record<string, number> {
        return Object.fromEntries(this.counts);
    }

    count(routeKey: string): number {
        return this.counts.get(routeKey) ?? 0;
    }

    totalRequests(): number {
        let total = 0;
        for (const n of this.counts.values()) total += n;
        return total;
    }

    resetCounts(): void {
        this.counts.clear();
    }

    inject(spec: FaultSpec): void {
        this.faults.push({ kind: spec.kind, times: spec.times ?? 1, route: spec.route, retryAfterSeconds: spec.retryAfterSeconds ?? 1, thenOutage: spec.thenOutage ?? 0 });
    }

    /** Drops the faults still pending; data and counters stay. */
    clearFaults(): void {
        this.faults = [];
    }

    /** Clears counters and faults (not the exchange hook: the fidelity tier records across resets); subclasses also clear their data. */
    reset(): void {
        this.counts.clear();
        this.faults = [];
    }

    /** Requests since the counters were reset that may have changed something: every one but GET. */
    writeCount(): number {
        return Object.entries(this.requestCounts())
            .filter(([route]) => !route.startsWith("GET ") && !this.readKeys.has(route))
            .reduce((n, [, count]) => n + count, 0);
    }

    private takeFault(key: string): ActiveFault | undefined {
        const fault = this.faults.find((f) => f.times > 0 && (f.route === undefined || f.route === key));
        if (!fault) return undefined;
        fault.times -= 1;
        this.faults = this.faults.filter((f) => f.times > 0);
        if (fault.thenOutage > 0) this.faults.unshift({ kind: "server-error", times: fault.thenOutage, retryAfterSeconds: 1, thenOutage: 0 });
        return fault;
    }

    private async dispatch(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const url = new URL(req.url ?? "/", "http://emulator");
        const body = Buffer.concat(chunks);
        const request: EmulatorRequest = {
            method: (req.method ?? "GET").toUpperCase(),
            path: url.pathname,
            query: url.searchParams,
            headers: req.headers,
            body,
            params: {},
            json<T>() {
                return body.length === 0 ? undefined : (JSON.parse(body.toString("utf8")) as T);
            },
        };
        const found = this.compiled
            .filter((c) => c.route.method === request.method)
            .map((c) => ({ ...c, params: c.match(request.path) }))
            .find((c) => c.params !== undefined);
        const operation = found?.route.operationOf?.(request);
        const key = found ? (operation ? `${found.key} ${operation.name}` : found.key) : "unmatched";
        if (operation?.reads) this.readKeys.add(key);
        this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
        const requestId = this.options.newRequestId?.() ?? randomUUID();

        let injected = false;
        const send = (response: EmulatorResponse) => {
            const isRaw = Buffer.isBuffer(response.body);
            const payload = response.body === undefined ? "" : isRaw ? (response.body as Buffer) : JSON.stringify(response.body);
            const headers = {
                ...(response.body !== undefined && !isRaw ? { "content-type": "application/json" } : {}),
                [this.options.requestIdHeader]: requestId,
                ...response.headers,
            };
            res.writeHead(response.status, headers);
            res.end(payload);
            this.onRequest?.(`${this.name} ${request.method} ${request.path} -> ${response.status}`);
            this.onExchange?.({
                route: key,
                method: request.method,
                path: request.path,
                params: request.params,
                query: request.query,
                requestHeaders: request.headers,
                requestBody: body,
                status: response.status,
                responseBody: recordedBody(payload, String(headers["content-type"] ?? ""), isRaw, response.body === undefined),
                responseHeaders: headers,
                injected,
            });
        };

        try {
            const authFailure = this.authenticate(request);
            if (authFailure) return send(authFailure);
            if (!found) return send({ status: 404, body: this.options.errorBody(404, `Route ${request.method}:${request.path} not found`) });
            request.params = found.params!;

            const fault = this.takeFault(key);
            injected = fault !== undefined && fault.kind !== "drop-after-commit";
            if (fault?.kind === "echo-reject") {
                const echo = `${request.method} ${request.path}?${request.query} headers=${JSON.stringify(request.headers)} body=${body.toString("utf8")}`;
                return send({ status: 400, body: this.options.errorBody(400, `Invalid request: ${echo}`) });
            }
            if (fault?.kind === "rate-limit") {
                const headers = this.options.rateLimitHeaders?.(fault.retryAfterSeconds, Date.now()) ?? { "retry-after": String(fault.retryAfterSeconds) };
                return send({ status: 429, body: this.options.errorBody(429, "Too many requests"), headers });
            }
            if (fault?.kind === "server-error") return send({ status: 500, body: this.options.errorBody(500, "Internal server error") });

            const response = await answerOf(() => found.route.handle(request));
            if (fault?.kind === "drop-after-commit") {
                // The write happened; the client only sees the connection close.
                req.socket.destroy();
                return;
            }
            send(response);
        } catch (err) {
            if (err instanceof ApiFailure) return send(err.response);
            if (err instanceof SyntaxError) return send({ status: 400, body: this.options.errorBody(400, `Body is not valid JSON: ${err.message}`) });
            send({ status: 500, body: this.options.errorBody(500, err instanceof Error ? err.message : String(err)) });
        }
    }
}

/** An answer as the fidelity tier reads it: JSON parsed (a route may write its own JSON text), other bytes as they are. */
function recordedBody(payload: string | Buffer, contentType: string, isRaw: boolean, empty: boolean): unknown {
    if (empty) return undefined;
    if (!isRaw) return JSON.parse(payload as string);
    return contentType.includes("json") && payload.length > 0 ? JSON.parse(payload.toString("utf8")) : payload;
}

/** A route's answer, an ApiFailure it threw included. */
async function answerOf(handle: () => EmulatorResponse | Promise<EmulatorResponse>): Promise<EmulatorResponse> {
    try {
        return await handle();
    } catch (err) {
        if (err instanceof ApiFailure) return err.response;
        throw err;
    }
}

export function bearerToken(req: EmulatorRequest): string | undefined {
    const header = req.headers.authorization;
    if (typeof header !== "string") return undefined;
    const match = /^Bearer\s+(.+)$/i.exec(header);
    return match?.[1];
}
