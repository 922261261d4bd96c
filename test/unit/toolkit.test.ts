import * as http from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProviderError, redact } from "../../dynamic-providers/core/errors";
import { backoffDelay, defaultRetryPolicy, HttpCall, parseRetryAfter, waitAskedFor } from "../../dynamic-providers/core/http";
import { diffInputs, dynamicProvider, engineSafe, UNKNOWN } from "../../dynamic-providers/core/provider";
import { pollUntil } from "../../dynamic-providers/core/wait";
import { VirtualClock } from "../../sandbox/clock";

describe("backoff", () => {
    it("stays within the exponential ceiling and never under Retry-After", () => {
        fc.assert(
            fc.property(fc.integer({ min: 1, max: 30 }), fc.option(fc.integer({ min: 0, max: 120_000 }), { nil: undefined }), fc.double({ min: 0, max: 0.9999, noNaN: true }), (attempt, retryAfter, r) => {
                const delay = backoffDelay(attempt, defaultRetryPolicy, retryAfter, () => r);
                const ceiling = Math.min(defaultRetryPolicy.maxDelayMs, defaultRetryPolicy.baseDelayMs * 2 ** (attempt - 1));
                expect(delay).toBeGreaterThanOrEqual(retryAfter ?? 0);
                if (retryAfter === undefined) expect(delay).toBeLessThan(ceiling);
            }),
        );
    });

    it("reads Retry-After as seconds or as an HTTP date", () => {
        const now = Date.parse("2026-11-25T12:00:00Z");
        expect(parseRetryAfter("3", now)).toBe(3000);
        expect(parseRetryAfter("1.5", now)).toBe(1500);
        expect(parseRetryAfter("Wed, 25 Nov 2026 12:00:10 GMT", now)).toBe(10_000);
        expect(parseRetryAfter("soon", now)).toBeUndefined();
        expect(parseRetryAfter(null, now)).toBeUndefined();
    });

    it("takes a rate-limit reset time where there is no Retry-After (Mapbox's X-Rate-Limit-Reset), Retry-After first", () => {
        const now = Date.parse("2026-11-25T12:00:00Z");
        expect(waitAskedFor(new Headers({ "x-rate-limit-reset": String(now / 1000 + 42) }), now)).toBe(42_000);
        expect(waitAskedFor(new Headers({ "x-rate-limit-reset": String(now / 1000 + 42), "retry-after": "3" }), now)).toBe(3000);
        expect(waitAskedFor(new Headers({ "x-rate-limit-reset": String(now / 1000 - 5) }), now)).toBe(0);
        expect(waitAskedFor(new Headers(), now)).toBeUndefined();
        // A reset time answers a 429 only: a 5xx that carries one is retried on the usual backoff.
        expect(waitAskedFor(new Headers({ "x-rate-limit-reset": String(now / 1000 + 42) }), now, 503)).toBeUndefined();
    });
});

describe("redaction", () => {
    it("removes every occurrence of a secret and its URL-encoded form", () => {
        fc.assert(
            fc.property(fc.string({ minLength: 6, maxLength: 40 }), fc.array(fc.string(), { maxLength: 4 }), (secret, parts) => {
                const text = parts.join(secret) + encodeURIComponent(secret);
                const out = redact(text, [secret]);
                expect(out.includes(secret)).toBe(false);
            }),
        );
    });

    it("keeps secrets out of a ProviderError's message and fields", () => {
        const error = new ProviderError({ service: "s", operation: "create", apiMessage: "bad key sk_test_abcdefgh1234" }, ["sk_test_abcdefgh1234"]);
        expect(JSON.stringify({ message: error.message, api: error.apiMessage })).not.toContain("sk_test_abcdefgh1234");
    });
});

describe("diff", () => {
    it("is empty for equal inputs whatever the key order, and names replacements", () => {
        expect(diffInputs(["a", "b"], ["a"], { a: { x: 1, y: 2 }, b: 1 }, { a: { y: 2, x: 1 }, b: 1 })).toEqual({ changed: [], replaces: [] });
        expect(diffInputs(["a", "b"], ["a"], { a: 1, b: 1 }, { a: 2, b: 2 })).toEqual({ changed: ["a", "b"], replaces: ["a"] });
    });

    it("treats a value unknown during preview as a change", () => {
        expect(diffInputs(["a"], ["a"], { a: "x" }, { a: UNKNOWN }).replaces).toEqual(["a"]);
    });

    it("treats absent and null alike", () => {
        expect(diffInputs(["a"], [], {}, { a: null }).changed).toEqual([]);
    });
});

describe("server URLs in a diff", () => {
    it("a respelling of the same server is no change; another host or path is", () => {
        const diff = (a: string, b: string) => diffInputs(["baseUrl"], ["baseUrl"], { baseUrl: a }, { baseUrl: b }).replaces;
        expect(diff("https://GitLab.acme.test/", "https://gitlab.acme.test")).toEqual([]);
        expect(diff("https://gitlab.acme.test:443/api", "https://gitlab.acme.test/api/")).toEqual([]);
        expect(diff("http://127.0.0.1:8080", "http://localhost:8080")).toEqual(["baseUrl"]);
        expect(diff("https://api.trello.com/1", "https://api.trello.com/2")).toEqual(["baseUrl"]);
    });
});

describe("outputs the engine can carry", () => {
    it("drops undefined values and turns undefined list items into null, deep", () => {
        expect(engineSafe({ a: 1, b: undefined, c: { d: undefined, e: [1, undefined] } })).toEqual({ a: 1, c: { e: [1, null] } });
        expect(Object.keys(engineSafe({ secret: undefined }))).toEqual([]);
    });

    it("no provider hands the engine an undefined output, whatever its code returns", async () => {
        const { z } = await import("zod");
        const provider = dynamicProvider({
            module: "t",
            type: "T",
            service: "t",
            schema: () => z.object({ name: z.string() }),
            replaceOnChanges: [],
            deleteBeforeReplace: false,
            create: async (_ctx, i) => ({ id: "1", outs: { ...i, secret: undefined } }),
            read: async (_ctx, _id, state) => ({ ...state, secret: undefined }),
            update: async (_ctx, _id, _olds, news) => ({ ...news, secret: undefined }),
            delete: async () => undefined,
        });
        expect((await provider.create({ name: "a" })).outs).not.toHaveProperty("secret");
        expect((await provider.read!("1", { name: "a" })).props).not.toHaveProperty("secret");
        expect((await provider.update!("1", { name: "a" }, { name: "b" })).outs).not.toHaveProperty("secret");
    });
});

describe("HttpCall", () => {
    let server: http.Server;
    let url = "";
    let hits = 0;
    beforeAll(async () => {
        server = http.createServer((req, res) => {
            hits++;
            req.resume();
            req.on("end", () => {
                res.writeHead(req.url === "/slow-down" ? 429 : 503, req.url === "/slow-down" ? { "retry-after": "600" } : {});
                res.end("{}");
            });
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it("does not wait out a Retry-After longer than the policy allows", async () => {
        hits = 0;
        const call = new HttpCall({ service: "t", operation: "op", sleep: async () => undefined });
        const response = await call.fetch(`${url}/slow-down`);
        expect(response.status).toBe(429);
        expect(hits).toBe(1);
    });

    it("sends a stream body once, since it cannot be replayed", async () => {
        hits = 0;
        const call = new HttpCall({ service: "t", operation: "op", sleep: async () => undefined });
        const body = new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode("x")), c.close()) });
        const response = await call.fetch(`${url}/busy`, { method: "POST", body, duplex: "half" } as RequestInit);
        expect(response.status).toBe(503);
        expect(hits).toBe(1);
        expect(call.writeMayHaveLanded).toBe(true);
    });

    it("stops retrying when the time budget would be exceeded", async () => {
        hits = 0;
        const call = new HttpCall({ service: "t", operation: "op", policy: { maxElapsedMs: 1, maxAttempts: 50 }, sleep: async () => undefined, random: () => 0.99 });
        await call.fetch(`${url}/busy`);
        expect(hits).toBe(1);
    });

    it("runs beforeAttempt before every attempt, retries included, and waits on its clock", async () => {
        hits = 0;
        const clock = new VirtualClock();
        const start = clock.now();
        const slotsTaken: number[] = [];
        const call = new HttpCall({
            service: "t",
            operation: "op",
            clock,
            policy: { maxAttempts: 3, maxElapsedMs: 60_000 },
            random: () => 1,
            beforeAttempt: async () => slotsTaken.push(hits),
        });
        const response = await call.fetch(`${url}/busy`);
        expect(response.status).toBe(503);
        // The limiter is asked once per attempt, each time before the request goes out.
        expect(slotsTaken).toEqual([0, 1, 2]);
        // Backoff went by on the virtual clock (full jitter at random=1: base, then 2 x base).
        expect(clock.now() - start).toBe(defaultRetryPolicy.baseDelayMs * 3);
    });
});

describe("VirtualClock", () => {
    it("moves to the earliest timer only once everything is quiet", async () => {
        const clock = new VirtualClock(0);
        const woke: string[] = [];
        const late = clock.sleep(5_000).then(() => woke.push(`late@${clock.now()}`));
        const early = clock.sleep(1_000).then(() => woke.push(`early@${clock.now()}`));
        await Promise.all([late, early]);
        expect(woke).toEqual(["early@1000", "late@5000"]);
    });

    it("does not move while tracked work is in flight", async () => {
        const clock = new VirtualClock(0);
        let finish!: () => void;
        const request = clock.track(new Promise<void>((resolve) => (finish = resolve)));
        let woke = false;
        void clock.sleep(60_000).then(() => (woke = true));
        await new Promise((r) => setTimeout(r, 50));
        expect(woke).toBe(false);
        expect(clock.now()).toBe(0);
        finish();
        await request;
        await new Promise((r) => setTimeout(r, 50));
        expect(woke).toBe(true);
        expect(clock.now()).toBe(60_000);
    });
});

describe("pollUntil", () => {
    it("returns the first defined value and counts the polls", async () => {
        let n = 0;
        const result = await pollUntil(async () => (++n >= 3 ? "done" : undefined), { what: "x", timeoutMs: 10_000, intervalMs: 1, maxIntervalMs: 2, sleep: async () => undefined });
        expect(result).toEqual({ value: "done", polls: 3 });
    });

    it("times out with a message saying what it waited for", async () => {
        await expect(pollUntil(async () => undefined, { what: "the bucket to empty", timeoutMs: 20, intervalMs: 5, maxIntervalMs: 5 })).rejects.toThrow(/waiting for the bucket to empty/);
    });
});
