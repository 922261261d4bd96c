/**
 * Test equipment for the relay under Deno: tiny Trello and Resend servers answering the calls the
 * relay makes, as those APIs do (Trello: `key`/`token` query parameters, 401 "invalid token" in
 * plain text, routes from developer.atlassian.com/cloud/trello/rest; Resend: POST /emails with a
 * Bearer key, `{ id }` back, an Idempotency-Key answered with the first response, as
 * resend/resend-openapi resend.yaml and resend.com/docs/dashboard/emails/idempotency-keys say),
 * and the signatures each source puts on its deliveries.
 */
import Stripe from "npm:stripe@23.1.0";
import { base64, concat, hex, hmac, utf8 } from "../../functions/supabase/relay/verify.ts";

export interface FakeCard {
    id: string;
    name: string;
    desc: string;
    idList: string;
    idBoard: string;
}

let counter = 0;
const newId = () => (++counter).toString(16).padStart(24, "0");

export function fakeTrello(key: string, token: string, boardOfList: Record<string, string>) {
    const cards: FakeCard[] = [];
    const calls: string[] = [];
    /** How many of the next requests Trello refuses for its rate limit (429, as past 100 per 10 s). */
    const limit = { refuseNext: 0, /** Milliseconds each card lookup takes, to open the window two deliveries race in. */ lookupMs: 0 };
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
        const url = new URL(req.url);
        const q = url.searchParams;
        if (q.get("key") !== key || q.get("token") !== token) return new Response("invalid token", { status: 401 });
        if (limit.refuseNext > 0) {
            limit.refuseNext -= 1;
            calls.push(`429 ${req.method} ${url.pathname}`);
            return Response.json({ error: "API_TOKEN_LIMIT_EXCEEDED", message: "Rate limit exceeded" }, { status: 429 });
        }
        calls.push(`${req.method} ${url.pathname}`);
        const ok = (value: unknown) => Response.json(value);
        let m: RegExpMatchArray | null;
        if (req.method === "GET" && (m = url.pathname.match(/^\/1\/lists\/(\w+)$/))) {
            return boardOfList[m[1]] ? ok({ id: m[1], idBoard: boardOfList[m[1]] }) : new Response("The requested resource was not found.", { status: 404 });
        }
        if (req.method === "GET" && (m = url.pathname.match(/^\/1\/boards\/(\w+)\/cards$/))) {
            // The board as it is now, answered a little later: what a slow lookup sees.
            const seen = cards.filter((c) => c.idBoard === m![1]).map((c) => ({ ...c }));
            if (limit.lookupMs > 0) await new Promise((resolve) => setTimeout(resolve, limit.lookupMs));
            return ok(seen);
        }
        if (req.method === "POST" && url.pathname === "/1/cards") {
            const idList = q.get("idList") ?? "";
            if (!boardOfList[idList]) return new Response("invalid value for idList", { status: 400 });
            const card = { id: newId(), name: q.get("name") ?? "", desc: q.get("desc") ?? "", idList, idBoard: boardOfList[idList] };
            cards.push(card);
            return ok(card);
        }
        if (req.method === "PUT" && (m = url.pathname.match(/^\/1\/cards\/(\w+)$/))) {
            const card = cards.find((c) => c.id === m![1]);
            if (!card) return new Response("The requested resource was not found.", { status: 404 });
            if (q.get("idList")) card.idList = q.get("idList")!;
            return ok(card);
        }
        return new Response("Cannot find route", { status: 404 });
    });
    return { url: `http://127.0.0.1:${server.addr.port}/1`, cards, calls, limit, close: () => server.shutdown() };
}

export interface SentEmail {
    idempotencyKey: string | null;
    body: { from: string; to: string[]; subject: string; text: string };
}

export function fakeResend(apiKey: string) {
    const emails: SentEmail[] = [];
    const byKey = new Map<string, string>();
    let posts = 0;
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
        if (req.headers.get("authorization") !== `Bearer ${apiKey}`) return Response.json({ statusCode: 403, name: "validation_error", message: "API key is invalid" }, { status: 403 });
        if (req.method !== "POST" || new URL(req.url).pathname !== "/emails") return Response.json({ statusCode: 404, name: "not_found", message: "Not found" }, { status: 404 });
        posts += 1;
        const idempotencyKey = req.headers.get("idempotency-key");
        const body = await req.json();
        if (idempotencyKey && byKey.has(idempotencyKey)) return Response.json({ id: byKey.get(idempotencyKey) });
        const id = crypto.randomUUID();
        if (idempotencyKey) byKey.set(idempotencyKey, id);
        emails.push({ idempotencyKey, body: { ...body, to: [body.to].flat() } });
        return Response.json({ id });
    });
    return { url: `http://127.0.0.1:${server.addr.port}`, emails, posts: () => posts, close: () => server.shutdown() };
}

/** A Stripe-Signature header as Stripe computes it, at `timestamp` (seconds; now by default). */
export function stripeSignature(payload: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): Promise<string> {
    return Stripe.webhooks.generateTestHeaderStringAsync({ payload, secret, timestamp, cryptoProvider: Stripe.createSubtleCryptoProvider() });
}

export async function githubSignature(payload: string, secret: string): Promise<string> {
    return `sha256=${hex(await hmac("SHA-256", secret, utf8(payload)))}`;
}

export async function trelloSignature(payload: string, secret: string, callbackUrl: string): Promise<string> {
    return base64(await hmac("SHA-1", secret, concat(utf8(payload), utf8(callbackUrl))));
}

/** Assertions without node:assert, whose types Deno would look for in an @types/node it does not have here. */
function same(a: unknown, b: unknown): boolean {
    if (Object.is(a, b)) return true;
    if (typeof a !== "object" || typeof b !== "object" || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

export const assert = {
    ok(value: unknown, message = "expected a true value"): void {
        if (!value) throw new Error(message);
    },
    equal(actual: unknown, expected: unknown, message = "") {
        if (!Object.is(actual, expected)) throw new Error(`${message ? `${message}: ` : ""}expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    },
    deepEqual(actual: unknown, expected: unknown, message = "") {
        if (!same(actual, expected)) throw new Error(`${message ? `${message}: ` : ""}expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    },
    match(actual: string, pattern: RegExp) {
        if (!pattern.test(actual)) throw new Error(`expected ${JSON.stringify(actual)} to match ${pattern}`);
    },
};
