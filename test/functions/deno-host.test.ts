/**
 * The relay deployed through DenoFunctionHost (the real Deno runtime, `npm:` imports from this
 * project's node_modules, nothing downloaded) against the real PostgreSQL server, with Trello and
 * Resend as the sandbox's emulators answer them (cards, emails). Each
 * source's delivery is signed as the source signs it: its effect shows once; forged ones answer
 * 401 and change nothing; replays change nothing.
 */
import { createHmac, randomBytes } from "node:crypto";
import { Client } from "pg";
import Stripe from "stripe";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { relayMigrations } from "../../stacks/wires/code";
import { ResendEmulator } from "../../sandbox/emulators/resend";
import { TrelloEmulator } from "../../sandbox/emulators/trello";
import { DenoFunctionHost } from "../../sandbox/functions/deno-host";
import { relayCode } from "../../stacks/wires/code";
import { missingServer } from "../providers/real-servers";

const SERVER = process.env.STACKWIRE_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const PASSWORD = process.env.STACKWIRE_TEST_POSTGRES_PASSWORD ?? "postgres";
const SECRETS = {
    STRIPE_WEBHOOK_SECRET: `whsec_${randomBytes(12).toString("hex")}`,
    GITHUB_WEBHOOK_SECRET: randomBytes(16).toString("hex"),
    GITLAB_WEBHOOK_TOKEN: randomBytes(16).toString("hex"),
    TRELLO_API_SECRET: randomBytes(16).toString("hex"),
    TRELLO_API_KEY: randomBytes(8).toString("hex"),
    TRELLO_TOKEN: randomBytes(16).toString("hex"),
    RESEND_API_KEY: `re_${randomBytes(12).toString("hex")}`,
};
const CALLBACK = "https://ref.supabase.co/functions/v1/stackwire-relay/trello";
/** Trello and Resend as the sandbox emulates them (their card and email routes cite Trello's REST reference and resend-openapi). */
const trelloApi = new TrelloEmulator({ key: SECRETS.TRELLO_API_KEY, token: SECRETS.TRELLO_TOKEN });
const resendApi = new ResendEmulator({ apiKey: SECRETS.RESEND_API_KEY });
/** The board's lists, by the state each stands for: made on the Trello emulator before the relay is deployed. */
const LISTS: Record<"opened" | "closed" | "running" | "success" | "failed", string> = { opened: "", closed: "", running: "", success: "", failed: "" };
/** Every email the relay sent, with its idempotency key: a second send of one event would show twice. */
const emails: { key: string | undefined; body: { to: string | string[]; subject: string } }[] = [];
const cards = () => [...trelloApi.cards.values()] as unknown as { name: string; idList: string }[];

/** A board with one list per state, and a verified sending domain: what a user sets up before wiring the relay. */
async function setUpPlatforms(): Promise<void> {
    const auth = { key: SECRETS.TRELLO_API_KEY, token: SECRETS.TRELLO_TOKEN };
    const post = async (path: string, query: Record<string, string>) => ((await (await fetch(`${trelloApi.url}/1${path}?${new URLSearchParams({ ...auth, ...query })}`, { method: "POST" })).json()) as { id: string }).id;
    const board = await post("/boards", { name: "Delivery", defaultLists: "false" });
    for (const state of Object.keys(LISTS) as (keyof typeof LISTS)[]) LISTS[state] = await post("/lists", { name: state, idBoard: board });
    const domain = await fetch(`${resendApi.url}/domains`, { method: "POST", headers: { authorization: `Bearer ${SECRETS.RESEND_API_KEY}`, "content-type": "application/json" }, body: JSON.stringify({ name: "mail.acme.test" }) });
    if (!domain.ok) throw new Error(`the Resend emulator refused the domain: ${await domain.text()}`);
    resendApi.verifyDomain("mail.acme.test");
    resendApi.onExchange = (e) => {
        if (e.route === "POST /emails" && e.status === 200) emails.push({ key: e.requestHeaders["idempotency-key"] as string | undefined, body: JSON.parse(e.requestBody.toString("utf8")) });
    };
}

function dbUrl(database: string): string {
    const u = new URL(SERVER);
    u.password = PASSWORD;
    u.pathname = `/${database}`;
    return u.href;
}

async function sql(text: string, database = "postgres"): Promise<Record<string, unknown>[]> {
    const client = new Client({ connectionString: dbUrl(database) });
    await client.connect();
    try {
        return (await client.query(text)).rows;
    } finally {
        await client.end();
    }
}

const host = new DenoFunctionHost();
const database = `stackwire_relay_${randomBytes(4).toString("hex")}`;
let env: Record<string, string> = {};
let unavailable: string | undefined;
let firstDeployMs = 0;

const files = () => new Map(Object.entries(relayCode().files).map(([f, text]) => [f, new TextEncoder().encode(text)]));
const deployRelay = (withEnv: Record<string, string>) => host.deploy({ name: "stackwire-relay", files: files(), entrypoint: "index.ts", env: withEnv });

async function call(path: string, body: string, headers: Record<string, string>) {
    const answer = await host.invoke("stackwire-relay", { method: "POST", path, headers: { "content-type": "application/json", ...headers }, body: new TextEncoder().encode(body) });
    const text = new TextDecoder().decode(answer!.body);
    return { status: answer!.status, body: JSON.parse(text), text };
}

const stripe = (body: string, secret = SECRETS.STRIPE_WEBHOOK_SECRET) => call("/stripe", body, { "stripe-signature": Stripe.webhooks.generateTestHeaderString({ payload: body, secret }) });
const github = (event: string, delivery: string, payload: unknown, secret = SECRETS.GITHUB_WEBHOOK_SECRET) => {
    const body = JSON.stringify(payload);
    return call("/github", body, { "x-github-event": event, "x-github-delivery": delivery, "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}` });
};
const gitlab = (uuid: string, payload: unknown, token = SECRETS.GITLAB_WEBHOOK_TOKEN) => call("/gitlab", JSON.stringify(payload), { "x-gitlab-event": "Pipeline Hook", "x-gitlab-token": token, "x-gitlab-event-uuid": uuid });
const trello = (payload: unknown, secret = SECRETS.TRELLO_API_SECRET) => {
    const body = JSON.stringify(payload);
    return call("/trello", body, { "x-trello-webhook": createHmac("sha1", secret).update(body + CALLBACK).digest("base64") });
};

describe("the relay under DenoFunctionHost", () => {
    beforeAll(async () => {
        unavailable = await missingServer("PostgreSQL", SERVER, "STACKWIRE_TEST_POSTGRES_URL", () => sql("SELECT 1"));
        if (unavailable) return;
        await sql(`CREATE DATABASE ${database}`);
        // The tables as the stack makes them: the relay's migrations, in order.
        for (const migration of relayMigrations()) await sql(migration.sql, database);
        await trelloApi.start();
        await resendApi.start();
        await setUpPlatforms();
        env = {
            ...SECRETS,
            SUPABASE_DB_URL: dbUrl(database),
            TRELLO_BASE_URL: `${trelloApi.url}/1`,
            TRELLO_CALLBACK_URL: CALLBACK,
            RESEND_BASE_URL: resendApi.url,
            RECEIPT_FROM: "billing@mail.acme.test",
            ALERT_FROM: "alerts@mail.acme.test",
            ALERT_TO: "ops@acme.test",
            TRELLO_LIST_OPENED: LISTS.opened,
            TRELLO_LIST_CLOSED: LISTS.closed,
            TRELLO_LIST_RUNNING: LISTS.running,
            TRELLO_LIST_SUCCESS: LISTS.success,
            TRELLO_LIST_FAILED: LISTS.failed,
        };
        const started = performance.now();
        await deployRelay(env);
        firstDeployMs = Math.round(performance.now() - started);
        console.info(`relay deployed under Deno in ${firstDeployMs} ms (first start)`);
    });
    afterAll(async () => {
        await host.stop();
        await trelloApi.stop();
        await resendApi.stop();
        if (!unavailable) await sql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    });
    beforeEach((test) => {
        if (unavailable) test.skip(unavailable);
    });

    it("Stripe: a payment is saved and its receipt sent once; a forged copy changes nothing", async () => {
        const before = emails.length;
        const body = JSON.stringify({ id: "evt_host_1", object: "event", type: "checkout.session.completed", data: { object: { id: "cs_1", amount_total: 4200, currency: "eur", customer_details: { email: "buyer@example.test" } } } });
        const forged = await stripe(body.replace("evt_host_1", "evt_host_forged"), "whsec_notTheEndpointsSecret");
        expect(forged.status).toBe(401);
        expect((await stripe(body)).status).toBe(200);
        expect((await stripe(body)).body).toEqual({ duplicate: true });
        expect(await sql("SELECT event_id, amount::int, customer_email FROM payments", database)).toEqual([{ event_id: "evt_host_1", amount: 4200, customer_email: "buyer@example.test" }]);
        // One email in all, under the event's key: a second receipt under any key would show here.
        expect(emails.slice(before).map((e) => [e.key, e.body.subject])).toEqual([["receipt/evt_host_1", "Receipt for 42.00 EUR"]]);
    });

    it("GitHub: a push is recorded once; a forged push is refused and not recorded", async () => {
        const push = { ref: "refs/heads/main", after: "b".repeat(40), repository: { full_name: "acme/app" } };
        expect((await github("push", "host-forged", push, "guessed-secret")).status).toBe(401);
        expect((await github("push", "host-push-1", push)).status).toBe(200);
        expect((await github("push", "host-push-1", push)).body).toEqual({ duplicate: true });
        expect(await sql("SELECT delivery_id, repository FROM repository_events", database)).toEqual([{ delivery_id: "host-push-1", repository: "acme/app" }]);
    });

    it("GitHub and GitLab: one card per issue and per pipeline, in the list of its state", async () => {
        const issue = { number: 7, title: "Crash on save", html_url: "https://github.test/acme/app/issues/7" };
        expect((await github("issues", "host-issue-1", { action: "opened", issue })).body.change).toBe("created");
        expect((await github("issues", "host-issue-1", { action: "opened", issue })).body).toEqual({ duplicate: true });
        expect((await gitlab("host-pipe-1", { object_kind: "pipeline", object_attributes: { id: 9, status: "running", ref: "main" }, project: { path_with_namespace: "acme/app" } })).status).toBe(200);
        expect((await gitlab("host-pipe-forged", { object_kind: "pipeline", object_attributes: { id: 10, status: "running", ref: "main" }, project: { path_with_namespace: "acme/app" } }, "nope")).status).toBe(401);
        expect((await gitlab("host-pipe-2", { object_kind: "pipeline", object_attributes: { id: 9, status: "success", ref: "main" }, project: { path_with_namespace: "acme/app" } })).body.change).toBe("moved");
        expect(cards().map(({ name, idList }) => ({ name, idList }))).toEqual([
            { name: "#7 Crash on save", idList: LISTS.opened },
            { name: "Pipeline #9 acme/app main", idList: LISTS.success },
        ]);
    });

    it("Trello: answers the HEAD check; a card event is emailed once; a forged one is refused", async () => {
        const head = await host.invoke("stackwire-relay", { method: "HEAD", path: "/trello", headers: {}, body: new Uint8Array() });
        expect(head!.status).toBe(200);
        const event = { action: { id: "host-act-1", type: "commentCard", data: { card: { id: "c1", name: "Deploy v2" }, text: "ship it" } } };
        const before = emails.length;
        expect((await trello(event, "forged-secret")).status).toBe(401);
        expect((await trello(event)).status).toBe(200);
        expect((await trello(event)).body).toEqual({ duplicate: true });
        expect(emails.slice(before).map((e) => [e.key, e.body.subject])).toEqual([["alert/host-act-1", 'Trello: "Deploy v2" commented']]);
    });

    it("no answer and nothing the function printed shows a secret", async () => {
        const answers = [await stripe("{}", "whsec_other"), await github("push", "x", {}, "other"), await gitlab("y", {}, "other"), await trello({}, "other")];
        const seen = [...answers.map((a) => a.text), ...host.output("stackwire-relay")].join("\n");
        for (const value of Object.values(SECRETS)) expect(seen).not.toContain(value);
    });

    it("a redeploy with other settings restarts the function with them, and a removed function answers no more", async () => {
        const { GITLAB_WEBHOOK_TOKEN: _dropped, ...withoutGitlab } = env;
        await deployRelay(withoutGitlab);
        expect((await gitlab("host-after-redeploy", {})).status).toBe(404);
        await host.remove("stackwire-relay");
        expect(await host.invoke("stackwire-relay", { method: "HEAD", path: "/trello", headers: {}, body: new Uint8Array() })).toBeUndefined();
    });

    it("a function sees its own environment, not the test runner's", async () => {
        process.env.STACKWIRE_RUNNER_ONLY = "runner";
        try {
            const code = 'Deno.serve(() => Response.json(Object.keys(Deno.env.toObject()).sort()));\n';
            await host.deploy({ name: "env-echo", files: new Map([["index.ts", new TextEncoder().encode(code)]]), entrypoint: "index.ts", env: { OWN_SETTING: "1" } });
            const answer = await host.invoke("env-echo", { method: "GET", path: "/", headers: {}, body: new Uint8Array() });
            const keys = JSON.parse(new TextDecoder().decode(answer!.body)) as string[];
            expect(keys).toContain("OWN_SETTING");
            expect(keys).not.toContain("STACKWIRE_RUNNER_ONLY");
            expect(keys).not.toContain("STACKWIRE_TEST_POSTGRES_PASSWORD");
        } finally {
            delete process.env.STACKWIRE_RUNNER_ONLY;
            await host.remove("env-echo");
        }
    });
});
