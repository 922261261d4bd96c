/**
 * Events as the platforms send them (issue 12): a receiver of the test's own checks each delivery
 * the way a real receiver must (Stripe's SDK for Stripe-Signature, node:crypto for GitHub and
 * Trello, the token for GitLab), and a replay carries the same identity. Resend's side: who may
 * send, from which domain, and what an idempotency key replays.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { Resend } from "resend";
import Stripe from "stripe";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Clock } from "../../dynamic-providers/core/clock";
import { deliverGithubEvent, issuesPayload, pushPayload } from "../../sandbox/events/github";
import type { Exchange } from "../../sandbox/emulators/frame";
import { GitlabEmulator } from "../../sandbox/emulators/gitlab";
import { ResendEmulator } from "../../sandbox/emulators/resend";
import { StripeEmulator } from "../../sandbox/emulators/stripe";
import { TrelloEmulator } from "../../sandbox/emulators/trello";
import { ContractChecker, loadContract } from "../fidelity/contract";
import { fakeCredential } from "../fake-credential";

interface Received {
    method: string;
    path: string;
    headers: http.IncomingHttpHeaders;
    body: string;
}

/** A webhook receiver: records every request; paths starting with /refuse answer 404 (HEAD included). */
async function receiver(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
    const received: Received[] = [];
    const server = http.createServer(async (req, res) => {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        received.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
        res.writeHead(req.url?.startsWith("/refuse") ? 404 : 200, { "content-type": "text/plain" });
        res.end(req.method === "HEAD" ? undefined : "ok");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const sameSecret = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** A clock a test moves by hand. */
function handClock(start: number): Clock & { set(ms: number): void } {
    let now = start;
    return { now: () => now, sleep: async () => undefined, set: (ms) => (now = ms) };
}

let hook: Awaited<ReturnType<typeof receiver>>;
beforeAll(async () => {
    hook = await receiver();
});
afterAll(() => hook.close());
afterEach(() => {
    hook.received.length = 0;
});

describe("Stripe events", () => {
    const KEY = "sk_test_eventsEmulatorKey0123456789";
    const clock = handClock(Date.UTC(2026, 6, 1));
    const emulator = new StripeEmulator({ keys: [KEY], clock });
    const exchanges: Exchange[] = [];
    let stripe: Stripe;

    beforeAll(async () => {
        const url = new URL(await emulator.start());
        emulator.onExchange = (e) => exchanges.push(e);
        stripe = new Stripe(KEY, { host: url.hostname, port: Number(url.port), protocol: "http", maxNetworkRetries: 0 });
    });
    afterAll(() => emulator.stop());

    it("a triggered checkout.session.completed reaches the endpoints listening for it, signed as Stripe signs", async () => {
        const listening = await stripe.webhookEndpoints.create({ url: `${hook.url}/stripe`, enabled_events: ["checkout.session.completed"] });
        await stripe.webhookEndpoints.create({ url: `${hook.url}/other`, enabled_events: ["invoice.paid"] });
        const everything = await stripe.webhookEndpoints.create({ url: `${hook.url}/all`, enabled_events: ["*"] });

        const { event, deliveries } = await emulator.trigger("checkout.session.completed", { amount_total: 4200 });

        expect(deliveries.map((d) => d.endpointId).sort()).toEqual([listening.id, everything.id].sort());
        expect(deliveries.every((d) => d.status === 200 && d.body === "ok")).toBe(true);
        const got = hook.received.find((r) => r.path === "/stripe")!;
        expect(got.headers["content-type"]).toBe("application/json; charset=utf-8");
        expect(got.headers["user-agent"]).toBe("Stripe/1.0 (+https://stripe.com/docs/webhooks)");
        // The receiver's check: Stripe's own SDK, with the endpoint's secret and the default 300 s tolerance.
        const verified = stripe.webhooks.constructEvent(got.body, String(got.headers["stripe-signature"]), listening.secret!, 300, undefined, clock.now());
        expect(verified).toMatchObject({ id: event.id, object: "event", type: "checkout.session.completed", livemode: false, api_version: "2026-07-29.dahlia", pending_webhooks: 2 });
        const session = verified.data.object as Stripe.Checkout.Session;
        expect([session.object, session.amount_total, session.currency, session.customer_details?.email]).toEqual(["checkout.session", 4200, "usd", "customer@example.com"]);
        // The SDK's test helper signs the same bytes at the same time the same way.
        const t = Number(/t=(\d+)/.exec(String(got.headers["stripe-signature"]))![1]);
        const parts = (header: string) => Object.fromEntries(header.split(",").map((kv) => kv.split("=") as [string, string]));
        const expected = parts(stripe.webhooks.generateTestHeaderString({ payload: got.body, secret: listening.secret!, timestamp: t }));
        expect({ t: parts(String(got.headers["stripe-signature"])).t, v1: parts(String(got.headers["stripe-signature"])).v1 }).toEqual({ t: expected.t, v1: expected.v1 });
        expect(() => stripe.webhooks.constructEvent(got.body, String(got.headers["stripe-signature"]), everything.secret!)).toThrow(/signature/i);
        expect((await stripe.events.retrieve(event.id as string)).pending_webhooks).toBe(0);
    });

    it("a resent event keeps its id and body under a new signature; one signed long ago is refused by the receiver", async () => {
        const endpoint = await stripe.webhookEndpoints.create({ url: `${hook.url}/replay`, enabled_events: ["payment_intent.succeeded"] });
        const { event } = await emulator.trigger("payment_intent.succeeded");
        clock.set(clock.now() + 60_000);
        const [again] = await emulator.resend(event.id as string, { endpointId: endpoint.id });
        const [first, second] = hook.received.filter((r) => r.path === "/replay");
        expect(second.body).toBe(first.body);
        expect(second.headers["stripe-signature"]).not.toBe(first.headers["stripe-signature"]);
        expect(stripe.webhooks.constructEvent(second.body, String(second.headers["stripe-signature"]), endpoint.secret!, 300, undefined, clock.now()).id).toBe(event.id);
        expect(again).toMatchObject({ eventId: event.id, endpointId: endpoint.id, status: 200 });

        const [stale] = await emulator.resend(event.id as string, { endpointId: endpoint.id, signedAt: clock.now() / 1000 - 3600 });
        expect(() => stripe.webhooks.constructEvent(stale.payload, stale.headers["Stripe-Signature"], endpoint.secret!, 300, undefined, clock.now())).toThrow(/tolerance/i);
    });

    it("events are listed newest first, filtered by type with wildcards, and read back; all as the spec describes", async () => {
        const { event: refund } = await emulator.trigger("charge.refunded");
        const { event: invoice } = await emulator.trigger("invoice.paid");
        expect((await stripe.events.list({ type: "charge.refunded" })).data.map((e) => e.id)).toEqual([refund.id]);
        expect((await stripe.events.list({ type: "invoice.*", limit: 1 })).data.map((e) => e.id)).toEqual([invoice.id]);
        const all = await stripe.events.list({ limit: 2 });
        expect(all.data.map((e) => e.id)).toEqual([invoice.id, refund.id]);
        expect(all.has_more).toBe(true);
        // The page after a cursor is exactly the older events, in order (the full list says which they are).
        const newestFirst = (await stripe.events.list({ limit: 100 })).data.map((e) => e.id);
        const older = newestFirst.slice(newestFirst.indexOf(refund.id as string) + 1);
        expect(older.length).toBeGreaterThan(0);
        expect((await stripe.events.list({ starting_after: refund.id as string, limit: 100 })).data.map((e) => e.id)).toEqual(older);
        await expect(stripe.events.retrieve("evt_doesNotExist")).rejects.toMatchObject({ statusCode: 404, code: "resource_missing" });
        // A cursor naming no event is refused, as Stripe refuses it (stripe/stripe-node#258).
        await expect(stripe.events.list({ starting_after: "evt_doesNotExist" })).rejects.toMatchObject({ statusCode: 400, code: "resource_missing", param: "starting_after", message: "No such event: 'evt_doesNotExist'" });
        await expect(stripe.events.list({ limit: 500 })).rejects.toMatchObject({ statusCode: 400, param: "limit" });

        const checker = new ContractChecker(loadContract("stripe"));
        const eventExchanges = exchanges.filter((e) => e.route.includes("/v1/events"));
        expect(eventExchanges.length).toBeGreaterThan(4);
        expect(exchanges.flatMap((e) => checker.check(e))).toEqual([]);
    });
});

describe("GitHub deliveries", () => {
    const SECRET = "github-webhook-secret-for-tests";

    it("a push carries GitHub's headers and a signature the receiver verifies; a redelivery keeps the delivery id", async () => {
        const payload = pushPayload({ repository: "acme/shop", commits: ["Fix checkout", "Add receipts"] });
        const first = await deliverGithubEvent(`${hook.url}/github`, SECRET, "push", payload);
        const again = await deliverGithubEvent(`${hook.url}/github`, SECRET, "push", payload, first.deliveryId);

        const [got, redelivered] = hook.received;
        expect(got.headers["x-github-event"]).toBe("push");
        expect(got.headers["x-github-delivery"]).toMatch(/^[0-9a-f-]{36}$/);
        expect(got.headers["x-github-hook-id"]).toMatch(/^\d+$/);
        expect(got.headers["user-agent"]).toMatch(/^GitHub-Hookshot\/[0-9a-f]+$/);
        expect(got.headers["content-type"]).toBe("application/json");
        const expected = `sha256=${createHmac("sha256", SECRET).update(got.body).digest("hex")}`;
        expect(sameSecret(String(got.headers["x-hub-signature-256"]), expected)).toBe(true);
        expect(got.headers["x-hub-signature"]).toBe(`sha1=${createHmac("sha1", SECRET).update(got.body).digest("hex")}`);
        const body = JSON.parse(got.body);
        expect([body.ref, body.repository.full_name, body.commits.length, body.after]).toEqual(["refs/heads/main", "acme/shop", 2, body.head_commit.id]);
        expect(redelivered.headers["x-github-delivery"]).toBe(got.headers["x-github-delivery"]);
        expect([first.status, again.status]).toEqual([200, 200]);
    });

    it("issues opened and closed name the issue, its URL and its state; no secret, no signature", async () => {
        const opened = issuesPayload("opened", { repository: "acme/shop", number: 7, title: "Receipts are late" });
        const closed = issuesPayload("closed", { repository: "acme/shop", number: 7, title: "Receipts are late" });
        expect(opened.issue).toMatchObject({ number: 7, state: "open", html_url: "https://github.com/acme/shop/issues/7", closed_at: null });
        expect(closed.issue).toMatchObject({ number: 7, state: "closed", state_reason: "completed" });
        await deliverGithubEvent(`${hook.url}/github`, "", "issues", opened);
        expect(hook.received[0].headers["x-hub-signature-256"]).toBeUndefined();
    });
});

describe("GitLab pipeline hooks", () => {
    const TOKEN = fakeCredential("glpat-", "eventsEmulatorToken01");
    const emulator = new GitlabEmulator({ token: TOKEN });
    beforeAll(() => emulator.start());
    afterAll(() => emulator.stop());

    async function addHook(projectId: number, body: Record<string, unknown>): Promise<number> {
        const answer = await fetch(`${emulator.url}/api/v4/projects/${projectId}/hooks`, { method: "POST", headers: { "PRIVATE-TOKEN": TOKEN, "content-type": "application/json" }, body: JSON.stringify(body) });
        return ((await answer.json()) as { id: number }).id;
    }

    it("a pipeline going pending, running, success calls each pipeline hook three times with one pipeline id", async () => {
        const project = emulator.addProject("shop");
        const withToken = await addHook(project.id, { url: `${hook.url}/gitlab`, token: "hook-token-1", pipeline_events: true, push_events: false });
        await addHook(project.id, { url: `${hook.url}/pushes-only`, push_events: true });
        await addHook(project.id, { url: `${hook.url}/no-token`, pipeline_events: true });

        const { pipelineId, deliveries } = await emulator.runPipeline(project.id, { ref: "main", status: ["pending", "running", "success"] });

        expect(deliveries).toHaveLength(6);
        const toRelay = hook.received.filter((r) => r.path === "/gitlab");
        expect(toRelay.map((r) => JSON.parse(r.body).object_attributes.status)).toEqual(["pending", "running", "success"]);
        for (const r of toRelay) {
            expect(r.headers["x-gitlab-event"]).toBe("Pipeline Hook");
            expect(sameSecret(String(r.headers["x-gitlab-token"]), "hook-token-1")).toBe(true);
            expect(r.headers["user-agent"]).toMatch(/^GitLab\/\d+\.\d+\.\d+$/);
            expect(r.headers["x-gitlab-instance"]).toBe("https://gitlab.example");
            expect(r.headers["x-gitlab-webhook-uuid"]).toMatch(/^[0-9a-f-]{36}$/);
            const body = JSON.parse(r.body);
            expect([body.object_kind, body.object_attributes.id, body.object_attributes.ref, body.project.path_with_namespace, body.project.web_url]).toEqual(["pipeline", pipelineId, "main", "stackwire-bot/shop", project.web_url]);
        }
        expect(new Set(toRelay.map((r) => r.headers["x-gitlab-event-uuid"])).size).toBe(3);
        expect(hook.received.some((r) => r.path === "/pushes-only")).toBe(false);
        expect(hook.received.find((r) => r.path === "/no-token")!.headers["x-gitlab-token"]).toBeUndefined();
        expect(JSON.parse(toRelay[2].body).object_attributes).toMatchObject({ detailed_status: "passed", finished_at: expect.any(String) });

        const last = deliveries.filter((d) => d.hookId === withToken).at(-1)!;
        const resent = await emulator.resendHookRequest(last);
        expect(resent.payload).toBe(last.payload);
        expect(resent.headers["Idempotency-Key"]).toBe(last.headers["Idempotency-Key"]);
        expect(resent.headers["X-Gitlab-Event-UUID"]).not.toBe(last.headers["X-Gitlab-Event-UUID"]);
    });
});

describe("Trello card actions", () => {
    const KEY = "trelloKeyEvents0123456789abcdef01";
    const TOKEN = "trelloTokenEvents0123456789abcdef0123456789abcdef0123456789abcd";
    const APP_SECRET = "trello-oauth-secret-of-the-app";
    const emulator = new TrelloEmulator({ key: KEY, token: TOKEN, appSecret: APP_SECRET });
    beforeAll(() => emulator.start());
    afterAll(() => emulator.stop());

    async function call<T>(method: string, path: string, params: Record<string, string> = {}, json?: Record<string, unknown>): Promise<{ status: number; body: T }> {
        const query = new URLSearchParams({ key: KEY, token: TOKEN, ...params });
        const answer = await fetch(`${emulator.url}${path}?${query}`, { method, ...(json ? { headers: { "content-type": "application/json" }, body: JSON.stringify(json) } : {}) });
        const text = await answer.text();
        return { status: answer.status, body: (answer.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text) as T };
    }

    it("a webhook is refused when its callback does not answer the HEAD check with 200", async () => {
        const board = (await call<{ id: string }>("POST", "/1/boards", { name: "Checks" })).body;
        const refused = await call<string>("POST", "/1/webhooks", { callbackURL: `${hook.url}/refuse`, idModel: board.id });
        expect(refused).toEqual({ status: 400, body: `URL (${hook.url}/refuse) did not return 200 status code, got 404` });
        expect(hook.received.map((r) => r.method)).toEqual(["HEAD"]);
    });

    it("creating, moving and commenting on a card sends each action to the board's webhook, signed with the app secret", async () => {
        const board = (await call<{ id: string }>("POST", "/1/boards", { name: "Issues" })).body;
        const [todo, doing] = (await call<{ id: string; name: string }[]>("GET", `/1/boards/${board.id}/lists`)).body;
        const callbackURL = `${hook.url}/trello?board=${board.id}`;
        expect((await call("POST", "/1/webhooks", { callbackURL, idModel: board.id })).status).toBe(200);

        const card = (await call<{ id: string; idList: string }>("POST", "/1/cards", {}, { idList: todo.id, name: "#7 Receipts are late", desc: "https://github.com/acme/shop/issues/7" })).body;
        await call("PUT", `/1/cards/${card.id}`, { idList: doing.id });
        await call("POST", `/1/cards/${card.id}/actions/comments`, { text: "On it" });
        const deliveries = await emulator.settled();

        expect(deliveries.map((d) => d.actionType).sort()).toEqual(["commentCard", "createCard", "updateCard"]);
        const posts = hook.received.filter((r) => r.method === "POST");
        for (const post of posts) {
            const expected = createHmac("sha1", APP_SECRET).update(post.body + callbackURL).digest("base64");
            expect(sameSecret(String(post.headers["x-trello-webhook"]), expected)).toBe(true);
            expect(JSON.parse(post.body).model.id).toBe(board.id);
        }
        const actions = Object.fromEntries(posts.map((p) => JSON.parse(p.body).action).map((a) => [a.type, a]));
        expect(actions.createCard.data).toMatchObject({ card: { id: card.id, name: "#7 Receipts are late" }, list: { id: todo.id }, board: { id: board.id } });
        expect(actions.updateCard.data).toMatchObject({ card: { id: card.id, idList: doing.id }, old: { idList: todo.id }, listBefore: { id: todo.id, name: "To Do" }, listAfter: { id: doing.id, name: "Doing" } });
        expect(actions.commentCard.data).toMatchObject({ text: "On it", card: { id: card.id } });

        const onBoard = await call<Record<string, string>[]>("GET", `/1/boards/${board.id}/cards`, { fields: "name,desc,idList" });
        expect(onBoard.body).toEqual([{ id: card.id, name: "#7 Receipts are late", desc: "https://github.com/acme/shop/issues/7", idList: doing.id }]);
        expect((await call("DELETE", `/1/cards/${card.id}`)).body).toEqual({ limits: {} });
        expect((await call("GET", `/1/cards/${card.id}`)).status).toBe(404);
    });

    it("a card on a list that does not exist is refused before anything is sent", async () => {
        const deliveriesBefore = emulator.webhookDeliveries.length;
        expect(await call("POST", "/1/cards", { idList: "not-an-id", name: "x" })).toEqual({ status: 400, body: "invalid value for idList" });
        await emulator.settled();
        expect(emulator.webhookDeliveries.length).toBe(deliveriesBefore);
    });
});

describe("Resend sending", () => {
    const FULL = "re_eventsFullAccessKey0123456789";
    const emulator = new ResendEmulator({ apiKey: FULL });
    const exchanges: Exchange[] = [];
    let full: Resend;

    beforeAll(async () => {
        await emulator.start();
        emulator.onExchange = (e) => exchanges.push(e);
        full = new Resend(FULL, { baseUrl: emulator.url });
    });
    afterAll(() => emulator.stop());

    async function domain(name: string, verified: boolean): Promise<string> {
        const { data } = await full.domains.create({ name });
        if (verified) emulator.verifyDomain(name);
        return data!.id;
    }

    it("a full-access key sends from a verified domain; the email is in the outbox and reads back", async () => {
        await domain("mail.acme.test", true);
        const { data, error } = await full.emails.send({ from: "Acme <receipts@mail.acme.test>", to: "jenny@example.com", subject: "Your receipt", text: "Paid 20.00 USD", tags: [{ name: "kind", value: "receipt" }] });
        expect(error).toBeNull();
        expect(emulator.outbox).toEqual([expect.objectContaining({ id: data!.id, from: "Acme <receipts@mail.acme.test>", to: ["jenny@example.com"], subject: "Your receipt", text: "Paid 20.00 USD", keyId: emulator.teamKeys[0].id })]);
        const read = await full.emails.get(data!.id);
        expect(read.data).toMatchObject({ object: "email", id: data!.id, to: ["jenny@example.com"], subject: "Your receipt", last_event: "delivered" });
    });

    it("a sending-only key restricted to its domain sends from it, is refused another domain and every other route", async () => {
        const own = await domain("alerts.acme.test", true);
        await domain("other.acme.test", true);
        const { data: key } = await full.apiKeys.create({ name: "relay", permission: "sending_access", domain_id: own });
        const sending = new Resend(key!.token, { baseUrl: emulator.url });

        expect((await sending.emails.send({ from: "ops@alerts.acme.test", to: ["a@example.com", "b@example.com"], subject: "Card moved", html: "<p>moved</p>" })).error).toBeNull();
        const refused = await sending.emails.send({ from: "ops@other.acme.test", to: "a@example.com", subject: "x", text: "x" });
        expect(refused.error).toMatchObject({ statusCode: 403, name: "validation_error" });
        expect((await sending.domains.list()).error).toMatchObject({ statusCode: 401, name: "restricted_api_key", message: "This API key is restricted to only send emails." });
        expect(emulator.outbox.at(-1)).toMatchObject({ to: ["a@example.com", "b@example.com"], keyId: key!.id });
    });

    it("an unverified domain and a malformed request are refused as Resend refuses them, and nothing is sent", async () => {
        await domain("new.acme.test", false);
        const before = emulator.outbox.length;
        expect((await full.emails.send({ from: "hi@new.acme.test", to: "a@example.com", subject: "x", text: "x" })).error).toEqual({
            statusCode: 403,
            name: "validation_error",
            message: "The new.acme.test domain is not verified. Please, add and verify your domain on https://resend.com/domains",
        });
        const tooMany = Array.from({ length: 51 }, (_, i) => `r${i}@example.com`);
        expect((await full.emails.send({ from: "hi@mail.acme.test", to: tooMany, subject: "x", text: "x" })).error).toMatchObject({ statusCode: 422, name: "validation_error" });
        expect((await full.emails.send({ from: "not an address", to: "a@example.com", subject: "x", text: "x" })).error).toMatchObject({ statusCode: 422 });
        expect(emulator.outbox.length).toBe(before);
    });

    it("the same idempotency key and body answer the first email again; another body under that key is a 409", async () => {
        const email = { from: "receipts@mail.acme.test", to: "jenny@example.com", subject: "Receipt evt_1", text: "Paid" };
        const first = await full.emails.send(email, { idempotencyKey: "receipt/evt_1" });
        const again = await full.emails.send(email, { idempotencyKey: "receipt/evt_1" });
        expect(again.data!.id).toBe(first.data!.id);
        expect(emulator.outbox.filter((e) => e.subject === "Receipt evt_1")).toHaveLength(1);
        const other = await full.emails.send({ ...email, text: "Paid twice" }, { idempotencyKey: "receipt/evt_1" });
        expect(other.error).toMatchObject({ statusCode: 409, name: "invalid_idempotent_request" });

        const checker = new ContractChecker(loadContract("resend"));
        expect(exchanges.filter((e) => e.route.includes("/emails")).length).toBeGreaterThan(5);
        // The 422s answer requests that break the spec on purpose (51 recipients, a malformed address).
        expect(exchanges.filter((e) => e.status !== 422).flatMap((e) => checker.check(e))).toEqual([]);
    });
});
