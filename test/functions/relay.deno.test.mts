/**
 * The relay's handler under the real Deno runtime:
 *   node_modules/.bin/deno test --config functions/deno.json --cached-only --allow-net --allow-env --allow-read test/functions/relay.deno.test.mts
 * (`.mts` so that tsc and vitest, which take test/**\/*.ts, leave this Deno file alone).
 * Trello and Resend are fakes in this process (relay-fakes.mts); PostgreSQL is real: a fresh
 * database per run at STACKWIRE_TEST_POSTGRES_URL (password STACKWIRE_TEST_POSTGRES_PASSWORD).
 * Without that setting the database tests are skipped, saying so, unless
 * STACKWIRE_REQUIRE_SERVERS=1 (then the default local server must answer).
 */
import pg from "npm:pg@8.23.1";
import { createRelay } from "../../functions/supabase/relay/handler.ts";
import { assert, fakeResend, fakeTrello, githubSignature, stripeSignature, trelloSignature } from "./relay-fakes.mts";

const SECRETS = {
    STRIPE_WEBHOOK_SECRET: "whsec_relayTestSigningSecret0123456789",
    GITHUB_WEBHOOK_SECRET: "ghsecret-relay-test-0123456789",
    GITLAB_WEBHOOK_TOKEN: "gltoken-relay-test-0123456789",
    TRELLO_API_SECRET: "trello-app-secret-0123456789",
    TRELLO_API_KEY: "trello-key-0123456789",
    TRELLO_TOKEN: "trello-token-0123456789",
    RESEND_API_KEY: "re_relayTestSendingKey0123456789",
};
const CALLBACK = "https://ref.supabase.co/functions/v1/stackwire-relay/trello";
const LISTS = { opened: "a".repeat(24), closed: "b".repeat(24), running: "c".repeat(24), success: "d".repeat(24), failed: "e".repeat(24) };
const BOARD = "f".repeat(24);
const BASE = "http://relay.test/stackwire-relay";
const sanitizers = { sanitizeOps: false, sanitizeResources: false };

function baseEnv(trelloUrl: string, resendUrl: string): Record<string, string> {
    return {
        ...SECRETS,
        TRELLO_CALLBACK_URL: CALLBACK,
        TRELLO_BASE_URL: trelloUrl,
        RESEND_BASE_URL: resendUrl,
        RECEIPT_FROM: "billing@mail.acme.test",
        ALERT_FROM: "alerts@mail.acme.test",
        ALERT_TO: "ops@acme.test, lead@acme.test",
        TRELLO_LIST_OPENED: LISTS.opened,
        TRELLO_LIST_CLOSED: LISTS.closed,
        TRELLO_LIST_RUNNING: LISTS.running,
        TRELLO_LIST_SUCCESS: LISTS.success,
        TRELLO_LIST_FAILED: LISTS.failed,
    };
}

const post = (path: string, body: string, headers: Record<string, string>) => new Request(`${BASE}${path}`, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
const stripePost = async (body: string, timestamp?: number, secret = SECRETS.STRIPE_WEBHOOK_SECRET) => post("/stripe", body, { "stripe-signature": await stripeSignature(body, secret, timestamp) });
const githubPost = async (event: string, delivery: string, payload: unknown, secret = SECRETS.GITHUB_WEBHOOK_SECRET) => {
    const body = JSON.stringify(payload);
    return post("/github", body, { "x-github-event": event, "x-github-delivery": delivery, "x-hub-signature-256": await githubSignature(body, secret) });
};
const gitlabPost = (delivery: Record<string, string>, payload: unknown, token = SECRETS.GITLAB_WEBHOOK_TOKEN) => post("/gitlab", JSON.stringify(payload), { "x-gitlab-event": "Pipeline Hook", "x-gitlab-token": token, ...delivery });
const trelloPost = async (payload: unknown, secret = SECRETS.TRELLO_API_SECRET) => {
    const body = JSON.stringify(payload);
    return post("/trello", body, { "x-trello-webhook": await trelloSignature(body, secret, CALLBACK) });
};
const stripeEvent = (id: string, type: string, object: Record<string, unknown>) => JSON.stringify({ id, object: "event", type, data: { object } });
const pipeline = (id: number, status: string) => ({ object_kind: "pipeline", object_attributes: { id, status, ref: "main" }, project: { path_with_namespace: "acme/app", web_url: "https://gitlab.test/acme/app" } });
const cardAction = (id: string, type: string) => ({ action: { id, type, data: { card: { id: "1".repeat(24), name: "Fix login", shortLink: "AbC123" }, list: { name: "issues" }, board: { name: "devops" } }, memberCreator: { fullName: "Ada" } }, model: { id: BOARD } });

async function answer(res: Response): Promise<{ status: number; body: any; text: string }> {
    const text = await res.text();
    let body: unknown;
    try {
        body = JSON.parse(text);
    } catch {
        body = undefined;
    }
    return { status: res.status, body, text };
}

function assertNoSecret(text: string) {
    for (const [name, value] of Object.entries(SECRETS)) assert.ok(!text.includes(value), `${name} leaked: ${text}`);
}

Deno.test({ name: "relay: routing, methods and verification, before any database", ...sanitizers }, async (t) => {
    const trello = fakeTrello(SECRETS.TRELLO_API_KEY, SECRETS.TRELLO_TOKEN, {});
    const resend = fakeResend(SECRETS.RESEND_API_KEY);
    // No SUPABASE_DB_URL: a request that reached the database would answer 500, not 401.
    const relay = createRelay(baseEnv(trello.url, resend.url));
    try {
        await t.step("an unknown route answers 404", async () => assert.equal((await relay.handle(new Request(`${BASE}/paypal`, { method: "POST" }))).status, 404));
        await t.step("a route whose secret is not set answers 404", async () => {
            const { GITLAB_WEBHOOK_TOKEN: _omitted, ...env } = baseEnv(trello.url, resend.url);
            const r = await answer(await createRelay(env).handle(await gitlabPost({ "idempotency-key": "k1" }, pipeline(1, "running"))));
            assert.equal(r.status, 404);
        });
        await t.step("a wrong method answers 405 with Allow", async () => {
            const res = await relay.handle(new Request(`${BASE}/stripe`, { method: "GET" }));
            assert.equal(res.status, 405);
            assert.equal(res.headers.get("allow"), "POST");
            await res.body?.cancel();
        });
        await t.step("Trello's HEAD check and a GET of /trello answer 200, with or without the function's slug in the path", async () => {
            const head = await relay.handle(new Request(`${BASE}/trello`, { method: "HEAD" }));
            assert.equal(head.status, 200);
            assert.equal((await head.text()).length, 0);
            assert.equal((await relay.handle(new Request("http://relay.test/trello", { method: "GET" }))).status, 200);
        });
        await t.step("forged deliveries answer 401 on every route and reach neither the database nor Trello nor Resend", async () => {
            const forged = [
                await stripePost(stripeEvent("evt_forged", "payment_intent.succeeded", { id: "pi_1", amount: 100, currency: "eur" }), undefined, "whsec_someoneElse"),
                post("/stripe", "{}", {}),
                await githubPost("push", "d-forged", { ref: "refs/heads/main" }, "not-the-secret"),
                post("/github", "{}", { "x-github-event": "push", "x-github-delivery": "d1" }),
                gitlabPost({ "idempotency-key": "k-forged" }, pipeline(1, "running"), "wrong-token"),
                await trelloPost(cardAction("act-forged", "createCard"), "wrong-app-secret"),
            ];
            for (const request of forged) {
                const r = await answer(await relay.handle(request));
                assert.equal(r.status, 401, r.text);
                assert.match(r.body.error, /missing|does not (verify|match)/);
                assertNoSecret(r.text);
            }
            assert.deepEqual(trello.calls, []);
            assert.equal(resend.posts(), 0);
        });
        await t.step("a Stripe signature older than 300 s is refused as a replay", async () => {
            const body = stripeEvent("evt_old", "payment_intent.succeeded", { id: "pi_1", amount: 100, currency: "eur" });
            const r = await answer(await relay.handle(await stripePost(body, Math.floor(Date.now() / 1000) - 301)));
            assert.equal(r.status, 401);
        });
        await t.step("a verified delivery without a database says which setting is missing, and no secret", async () => {
            const r = await answer(await relay.handle(await githubPost("push", "d-nodb", { ref: "refs/heads/main" })));
            assert.equal(r.status, 500);
            assert.match(r.body.error, /needs SUPABASE_DB_URL/);
            assertNoSecret(r.text);
        });
        await t.step("GitHub's ping answers 200 without touching anything", async () => {
            assert.deepEqual((await answer(await relay.handle(await githubPost("ping", "d-ping", { zen: "Keep it simple." })))).body, { pong: true });
        });
    } finally {
        await relay.close();
        await trello.close();
        await resend.close();
    }
});

Deno.test("relay: its npm: imports name the versions package.json installs", async () => {
    const pkg = JSON.parse(await Deno.readTextFile(new URL("../../package.json", import.meta.url)));
    const dir = new URL("../../functions/supabase/relay/", import.meta.url);
    const sources = ["handler.ts", "mail.ts", "store.ts", "routes/stripe.ts"].map((f) => Deno.readTextFileSync(new URL(f, dir))).join("\n");
    const imports = [...sources.matchAll(/"npm:([^"@]+)@([^"]+)"/g)];
    assert.ok(imports.length >= 3);
    for (const [, name, version] of imports) assert.equal(version, pkg.dependencies[name], `npm:${name}`);
});

/** The relay's tables: the one migration file the stack applies (stacks/wires/code.ts reads the same folder). */
const RELAY_MIGRATION_SQL = await Deno.readTextFile(new URL("../../functions/supabase/relay/migrations/001_relay_tables.sql", import.meta.url));

Deno.test("relay: the migration makes every table the routes write", () => {
    for (const table of ["relay_deliveries", "payments", "repository_events"]) assert.match(RELAY_MIGRATION_SQL, new RegExp(`CREATE TABLE ${table} \\(`));
});

// ---- against PostgreSQL ----

const REQUIRED = Deno.env.get("STACKWIRE_REQUIRE_SERVERS") === "1";
const SERVER = Deno.env.get("STACKWIRE_TEST_POSTGRES_URL") ?? (REQUIRED ? "postgres://postgres@127.0.0.1:5432/postgres" : undefined);
const PASSWORD = Deno.env.get("STACKWIRE_TEST_POSTGRES_PASSWORD") ?? "postgres";

function serverUrl(database: string): string {
    const u = new URL(SERVER!);
    u.password = PASSWORD;
    u.pathname = `/${database}`;
    return u.href;
}

async function adminQuery(sql: string, database = "postgres"): Promise<{ rows: Record<string, any>[] }> {
    const client = new pg.Client({ connectionString: serverUrl(database) });
    await client.connect();
    try {
        return await client.query(sql);
    } finally {
        await client.end();
    }
}

let skipped: string | undefined = SERVER ? undefined : "STACKWIRE_TEST_POSTGRES_URL is not set";
if (SERVER) {
    try {
        await adminQuery("SELECT 1");
    } catch (err) {
        skipped = `PostgreSQL at ${SERVER.replace(/\/\/[^@/]*@/, "//")} is not reachable (${(err as { code?: string }).code ?? (err as Error).message})`;
        if (REQUIRED) throw new Error(`${skipped}, and STACKWIRE_REQUIRE_SERVERS=1 requires it`);
    }
}
if (skipped) console.warn(`${skipped}: the relay's database tests are skipped. Point STACKWIRE_TEST_POSTGRES_URL at a server to run them.`);

Deno.test({ name: "relay: each source's effect, once, against PostgreSQL", ignore: skipped !== undefined, ...sanitizers }, async (t) => {
    const database = `stackwire_relay_${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
    await adminQuery(`CREATE DATABASE ${database}`);
    const trello = fakeTrello(SECRETS.TRELLO_API_KEY, SECRETS.TRELLO_TOKEN, Object.fromEntries(Object.values(LISTS).map((l) => [l, BOARD])));
    const resend = fakeResend(SECRETS.RESEND_API_KEY);
    const env = { ...baseEnv(trello.url, resend.url), SUPABASE_DB_URL: serverUrl(database) };
    const relay = createRelay(env);
    const rows = async (sql: string) => (await adminQuery(sql, database)).rows;
    try {
        await adminQuery(RELAY_MIGRATION_SQL, database);

        await t.step("Stripe: a payment is saved once and its receipt sent once, with the key receipt/<event id>", async () => {
            const body = stripeEvent("evt_pay1", "payment_intent.succeeded", { id: "pi_1", amount: 2000, amount_received: 2000, currency: "eur", receipt_email: "buyer@example.test" });
            const first = await answer(await relay.handle(await stripePost(body)));
            assert.equal(first.status, 200, first.text);
            assert.equal(first.body.recorded, true);
            const again = await answer(await relay.handle(await stripePost(body)));
            assert.deepEqual(again.body, { duplicate: true });
            assert.deepEqual(await rows("SELECT event_id, type, object_id, amount::int, currency, customer_email FROM payments"), [{ event_id: "evt_pay1", type: "payment_intent.succeeded", object_id: "pi_1", amount: 2000, currency: "eur", customer_email: "buyer@example.test" }]);
            assert.equal(resend.posts(), 1);
            assert.equal(resend.emails[0].idempotencyKey, "receipt/evt_pay1");
            assert.deepEqual(resend.emails[0].body.to, ["buyer@example.test"]);
            assert.equal(resend.emails[0].body.from, "billing@mail.acme.test");
            assert.match(resend.emails[0].body.subject, /20\.00 EUR/);
        });

        await t.step("Stripe: an event that is not a payment is acknowledged and saves no payment", async () => {
            const r = await answer(await relay.handle(await stripePost(stripeEvent("evt_cust", "customer.created", { id: "cus_1" }))));
            assert.equal(r.body.recorded, false);
            assert.equal((await rows("SELECT 1 FROM payments WHERE event_id = 'evt_cust'")).length, 0);
        });

        await t.step("Stripe: when the receipt cannot be sent nothing is saved, so Stripe's retry does it all", async () => {
            const body = stripeEvent("evt_pay2", "invoice.paid", { id: "in_1", amount_paid: 500, currency: "jpy", customer_email: "payer@example.test" });
            const broken = createRelay({ ...env, RESEND_API_KEY: "re_revokedKey0123456789" });
            try {
                const r = await answer(await broken.handle(await stripePost(body)));
                assert.equal(r.status, 500);
                assert.match(r.body.error, /resend answered 403/);
                assert.ok(!r.text.includes("re_revokedKey0123456789"));
            } finally {
                await broken.close();
            }
            assert.equal((await rows("SELECT 1 FROM payments WHERE event_id = 'evt_pay2'")).length, 0);
            assert.equal((await answer(await relay.handle(await stripePost(body)))).status, 200);
            assert.equal((await rows("SELECT 1 FROM payments WHERE event_id = 'evt_pay2'")).length, 1);
            assert.match(resend.emails.at(-1)!.body.subject, /500 JPY/);
        });

        await t.step("GitHub: a push is recorded once per delivery", async () => {
            const push = { ref: "refs/heads/main", after: "a".repeat(40), repository: { full_name: "acme/app" } };
            assert.equal((await answer(await relay.handle(await githubPost("push", "d-push-1", push)))).status, 200);
            assert.deepEqual((await answer(await relay.handle(await githubPost("push", "d-push-1", push)))).body, { duplicate: true });
            assert.deepEqual(await rows("SELECT delivery_id, event, repository, ref, after_sha, payload->>'ref' AS payload_ref FROM repository_events"), [
                { delivery_id: "d-push-1", event: "push", repository: "acme/app", ref: "refs/heads/main", after_sha: "a".repeat(40), payload_ref: "refs/heads/main" },
            ]);
        });

        await t.step("GitHub: an opened issue makes one card, found again by its URL, and closing moves it", async () => {
            const issue = { number: 12, title: "Login fails", html_url: "https://github.test/acme/app/issues/12" };
            const opened = await answer(await relay.handle(await githubPost("issues", "d-issue-1", { action: "opened", issue })));
            assert.equal(opened.body.change, "created", opened.text);
            assert.deepEqual((await answer(await relay.handle(await githubPost("issues", "d-issue-1", { action: "opened", issue })))).body, { duplicate: true });
            // GitHub's "Redeliver" sends a new delivery id: the card is found, not made again.
            assert.equal((await answer(await relay.handle(await githubPost("issues", "d-issue-1-redelivered", { action: "opened", issue })))).body.change, "unchanged");
            assert.equal((await answer(await relay.handle(await githubPost("issues", "d-issue-2", { action: "closed", issue })))).body.change, "moved");
            assert.deepEqual(trello.cards.map(({ name, desc, idList }) => ({ name, desc, idList })), [{ name: "#12 Login fails", desc: issue.html_url, idList: LISTS.closed }]);
        });

        await t.step("GitLab: a pipeline's card follows its status, once per Idempotency-Key (or X-Gitlab-Event-UUID)", async () => {
            trello.cards.length = 0;
            assert.equal((await answer(await relay.handle(gitlabPost({ "idempotency-key": "gl-1" }, pipeline(77, "running"))))).body.change, "created");
            assert.deepEqual((await answer(await relay.handle(gitlabPost({ "idempotency-key": "gl-1" }, pipeline(77, "running"))))).body, { duplicate: true });
            assert.equal((await answer(await relay.handle(gitlabPost({ "x-gitlab-event-uuid": "gl-2" }, pipeline(77, "failed"))))).body.change, "moved");
            assert.deepEqual((await answer(await relay.handle(gitlabPost({ "x-gitlab-event-uuid": "gl-2" }, pipeline(77, "failed"))))).body, { duplicate: true });
            assert.deepEqual(trello.cards.map(({ name, desc, idList }) => ({ name, desc, idList })), [{ name: "Pipeline #77 acme/app main", desc: "https://gitlab.test/acme/app/-/pipelines/77", idList: LISTS.failed }]);
            const undelivered = await answer(await relay.handle(gitlabPost({}, pipeline(78, "running"))));
            assert.equal(undelivered.status, 400);
        });

        await t.step("GitLab: Trello's rate limit is waited out, within the 10 s GitLab gives a webhook", async () => {
            trello.cards.length = 0;
            trello.limit.refuseNext = 1;
            const placed = await answer(await relay.handle(gitlabPost({ "idempotency-key": "gl-limited" }, pipeline(79, "running"))));
            assert.equal(placed.body.change, "created");
            assert.equal(trello.calls.filter((c) => c.startsWith("429 ")).length, 1);
            assert.equal(trello.cards.length, 1);
        });

        await t.step("GitLab: a pipeline's statuses arriving together make one card", async () => {
            trello.cards.length = 0;
            trello.limit.lookupMs = 50;
            // Two instances of the function, as Supabase runs them side by side: each its own connection.
            const other = createRelay(env);
            try {
                await Promise.all([relay.handle(gitlabPost({ "idempotency-key": "gl-race-1" }, pipeline(80, "running"))), other.handle(gitlabPost({ "idempotency-key": "gl-race-2" }, pipeline(80, "success")))]);
            } finally {
                trello.limit.lookupMs = 0;
                await other.close();
            }
            assert.equal(trello.cards.filter((c) => c.name.startsWith("Pipeline #80 ")).length, 1);
        });

        await t.step("Trello: a card action is emailed to every ALERT_TO once; other actions are ignored", async () => {
            const before = resend.posts();
            const r = await answer(await relay.handle(await trelloPost(cardAction("act-1", "createCard"))));
            assert.equal(r.status, 200, r.text);
            assert.deepEqual((await answer(await relay.handle(await trelloPost(cardAction("act-1", "createCard"))))).body, { duplicate: true });
            assert.equal(resend.posts(), before + 1);
            const mail = resend.emails.at(-1)!;
            assert.deepEqual(mail.body.to, ["ops@acme.test", "lead@acme.test"]);
            assert.equal(mail.body.from, "alerts@mail.acme.test");
            assert.equal(mail.idempotencyKey, "alert/act-1");
            assert.match(mail.body.subject, /"Fix login" created in issues/);
            const listAction = { action: { id: "act-2", type: "updateList", data: { list: { name: "ci" } } } };
            assert.deepEqual((await answer(await relay.handle(await trelloPost(listAction)))).body, { ignored: "updateList" });
        });

        await t.step("every delivery acted on is in relay_deliveries, once", async () => {
            const recorded = await rows("SELECT source || ':' || delivery_id AS d FROM relay_deliveries ORDER BY 1");
            assert.deepEqual(recorded.map((r) => r.d), ["github:d-issue-1", "github:d-issue-1-redelivered", "github:d-issue-2", "github:d-push-1", "gitlab:gl-1", "gitlab:gl-2", "gitlab:gl-limited", "gitlab:gl-race-1", "gitlab:gl-race-2", "stripe:evt_cust", "stripe:evt_pay1", "stripe:evt_pay2", "trello:act-1"]);
        });
    } finally {
        await relay.close();
        await trello.close();
        await resend.close();
        await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    }
});
