/**
 * One real event per wire through the wired sandbox, and where it landed: the payment row, the
 * receipt in Resend's outbox, the Trello card, the Auth SMTP settings. Each relayed wire is also
 * sent a forged delivery (refused, no effect) and a replay (no second effect).
 */
import { stripeSignatureHeader } from "./emulators/stripe";
import { postEvent } from "./events/deliver";
import { deliverGithubEvent, issuesPayload, pushPayload } from "./events/github";
import { SANDBOX_KEYS } from "./local-stack";
import type { WiredSandbox } from "./wired-sandbox";
import type { WireName } from "../stacks/wires/catalog";

export interface WireCheck {
    wire: WireName;
    event: string;
    effect: string;
    ok: boolean;
    /** A forged delivery was refused with 4xx and changed nothing (relayed wires). */
    forgedRefused?: boolean;
    /** The same delivery again changed nothing (relayed wires). */
    replayIgnored?: boolean;
}

type Check = (sandbox: WiredSandbox, relay: string) => Promise<Omit<WireCheck, "wire">>;

const count = async (sandbox: WiredSandbox, sql: string, params: unknown[]) => Number((await sandbox.query<{ n: string }>(sql, params))[0].n);
const generated = (sandbox: WiredSandbox, name: string) => String(sandbox.stateOf(name)?.result ?? "");
/** POSTs a body with headers; the receiver's status. */
const post = async (url: string, body: string, headers: Record<string, string>) => (await fetch(url, { method: "POST", body, headers: { "content-type": "application/json", ...headers } })).status;
const BUYER = "buyer@acme.test";
/** The relay's answer to a delivery it already acted on. */
const isDuplicate = (body: string) => {
    try {
        return (JSON.parse(body) as { duplicate?: unknown }).duplicate === true;
    } catch {
        return false;
    }
};

const CHECKS: Record<WireName, Check> = {
    async stripeToSupabase(s, relay) {
        const { event, deliveries } = await s.stripe.trigger("checkout.session.completed", { customer_details: { email: BUYER, name: "Buyer" } });
        const rows = () => count(s, "SELECT count(*) AS n FROM payments WHERE event_id = $1", [event.id]);
        const landed = (await rows()) === 1 && deliveries.every((d) => d.status === 200);
        const forged = await post(`${relay}/stripe`, deliveries[0].payload.replace(String(event.id), "evt_forged"), { "stripe-signature": deliveries[0].headers["Stripe-Signature"] });
        const forgedRows = await count(s, "SELECT count(*) AS n FROM payments WHERE event_id = 'evt_forged'", []);
        await s.stripe.resend(String(event.id));
        return { event: `checkout.session.completed ${event.id}`, effect: `payments row for ${event.id}`, ok: landed, forgedRefused: forged === 401 && forgedRows === 0, replayIgnored: (await rows()) === 1 };
    },
    async stripeToResend(s) {
        const { event } = await s.stripe.trigger("checkout.session.completed", { customer_details: { email: BUYER, name: "Buyer" } });
        const receiptsFor = (id: unknown) => s.resend.outbox.filter((m) => m.to.includes(BUYER) && (m.text ?? "").includes(`(${String(id)})`));
        const sent = receiptsFor(event.id);
        await s.stripe.resend(String(event.id));
        // The wire names the events that get a receipt; a payment_intent.succeeded of the same checkout gets none.
        const { event: other } = await s.stripe.trigger("payment_intent.succeeded", { receipt_email: BUYER });
        const ok = sent.length === 1 && sent[0].from === s.settings.wires.stripeToResend.from && receiptsFor(other.id).length === 0;
        return { event: `checkout.session.completed ${event.id}`, effect: sent.length > 0 ? `receipt "${sent[0].subject}" from ${sent[0].from}` : "no receipt", ok, replayIgnored: receiptsFor(event.id).length === 1 };
    },
    async supabaseToResend(s) {
        const auth = s.management.authConfig(s.settings.supabase.projectRef) as Record<string, unknown>;
        const key = [...s.resend.apiKeys.values()].find((k) => k.token === auth.smtp_pass);
        const ok = auth.smtp_host === "smtp.resend.com" && auth.smtp_user === "resend" && key?.permission === "sending_access" && auth.smtp_admin_email === s.settings.wires.supabaseToResend.from;
        return { event: "PATCH /v1/projects/{ref}/config/auth", effect: `SMTP ${auth.smtp_host}:${auth.smtp_port} as ${auth.smtp_user}, sender ${auth.smtp_admin_email}, ${auth.rate_limit_email_sent}/h`, ok };
    },
    async appwriteToStripe(s) {
        const { event, deliveries } = await s.stripe.trigger("checkout.session.completed", { customer_details: { email: BUYER } });
        const toFunction = deliveries.find((d) => d.url.includes("functions.sandbox.test"));
        const documents = () => s.appwrite.documentsOf("payments").filter((d) => d.eventId === event.id).length;
        const landed = toFunction?.status === 200 && documents() === 1;
        // The same bytes with a signature made with another secret: the function must refuse them.
        const forgedSignature = stripeSignatureHeader("whsec_not_the_endpoints", toFunction?.payload ?? "", Math.floor(Date.now() / 1000));
        const forged = toFunction ? await postEvent(toFunction.url, { ...toFunction.headers, "Stripe-Signature": forgedSignature }, toFunction.payload.replace(String(event.id), "evt_forged")) : undefined;
        await s.stripe.resend(String(event.id));
        const forgedStored = s.appwrite.documentsOf("payments").some((d) => d.eventId === "evt_forged");
        return { event: `checkout.session.completed ${event.id}`, effect: `document in payments (function answered ${toFunction?.status ?? "nothing"})`, ok: landed, forgedRefused: forged?.status === 401 && !forgedStored, replayIgnored: documents() === 1 };
    },
    async appwriteToResend(s) {
        const provider = [...s.appwrite.providers.values()].find((p) => p.provider === "resend");
        const apiKey = String((provider?.credentials as Record<string, unknown> | undefined)?.apiKey ?? "");
        const from = String((provider?.options as Record<string, unknown> | undefined)?.fromEmail ?? "");
        const key = [...s.resend.apiKeys.values()].find((k) => k.token === apiKey);
        // What Appwrite Messaging sends through the provider: an email with its key, from its sender.
        const sent = await fetch(`${s.resend.url}/emails`, { method: "POST", headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" }, body: JSON.stringify({ from, to: ["user@acme.test"], subject: "Welcome", text: "Hello from Appwrite" }) });
        const landed = s.resend.outbox.some((m) => m.from === from && m.to.includes("user@acme.test"));
        return { event: "an email through the Messaging provider's key", effect: provider ? `provider ${provider.$id}: "${from}" sent with a sending-only key (${sent.status})` : "no provider", ok: provider !== undefined && key?.permission === "sending_access" && landed };
    },
    async githubToSupabase(s, relay) {
        const secret = generated(s, "relay-github-secret");
        const payload = pushPayload({ repository: "acme/app", ref: "refs/heads/main" });
        const delivery = await deliverGithubEvent(`${relay}/github`, secret, "push", payload);
        const rows = () => count(s, "SELECT count(*) AS n FROM repository_events WHERE delivery_id = $1", [delivery.deliveryId]);
        const landed = delivery.status === 200 && (await rows()) === 1;
        const forged = await deliverGithubEvent(`${relay}/github`, "not-the-secret", "push", payload);
        await deliverGithubEvent(`${relay}/github`, secret, "push", payload, delivery.deliveryId);
        const forgedRows = await count(s, "SELECT count(*) AS n FROM repository_events WHERE delivery_id = $1", [forged.deliveryId]);
        return { event: `push ${delivery.deliveryId}`, effect: "repository_events row", ok: landed, forgedRefused: forged.status === 401 && forgedRows === 0, replayIgnored: (await rows()) === 1 };
    },
    async githubToTrello(s, relay) {
        const secret = generated(s, "relay-github-secret");
        const issue = { repository: "acme/app", number: 42, title: "Checkout fails on Safari" };
        const opened = await deliverGithubEvent(`${relay}/github`, secret, "issues", issuesPayload("opened", issue));
        const cards = () => [...s.trello.cards.values()].filter((c) => String(c.name).startsWith("#42 "));
        const listName = (id: unknown) => String(s.trello.lists.get(String(id))?.name);
        const openedIn = cards().map((c) => listName(c.idList));
        const replay = await deliverGithubEvent(`${relay}/github`, secret, "issues", issuesPayload("opened", issue), opened.deliveryId);
        const afterReplay = cards().length;
        const forged = await deliverGithubEvent(`${relay}/github`, "not-the-secret", "issues", issuesPayload("opened", { ...issue, number: 43, title: "Forged" }));
        const forgedCards = [...s.trello.cards.values()].filter((c) => String(c.name).startsWith("#43 ")).length;
        await deliverGithubEvent(`${relay}/github`, secret, "issues", issuesPayload("closed", issue));
        const closedIn = cards().map((c) => listName(c.idList));
        return { event: "issues opened, then closed", effect: `card "#42" in ${openedIn.join(",") || "no list"}, then ${closedIn.join(",")}`, ok: openedIn.join() === "Issues" && closedIn.join() === "Done", forgedRefused: forged.status === 401 && forgedCards === 0, replayIgnored: afterReplay === 1 && isDuplicate(replay.body) };
    },
    async gitlabToTrello(s, relay) {
        const projectId = Number(s.outputs.gitlabProjectIds && (s.outputs.gitlabProjectIds as Record<string, unknown>).app);
        const { pipelineId, deliveries } = await s.gitlab.runPipeline(projectId, { ref: "main", status: ["running", "success"] });
        const cards = () => [...s.trello.cards.values()].filter((c) => String(c.name).startsWith(`Pipeline #${pipelineId} `));
        const lists = cards().map((c) => String(s.trello.lists.get(String(c.idList))?.name));
        const forged = await post(`${relay}/gitlab`, deliveries[0].payload, { "x-gitlab-event": "Pipeline Hook", "x-gitlab-token": "not-the-token" });
        const replay = await s.gitlab.resendHookRequest(deliveries[deliveries.length - 1]);
        return { event: `pipeline ${pipelineId} running → success`, effect: `card in ${lists.join(",") || "no list"}`, ok: lists.join() === "Pipelines passed" && deliveries.every((d) => d.status === 200), forgedRefused: forged === 401, replayIgnored: cards().length === 1 && isDuplicate(replay.body) };
    },
    async githubToGitlab(s) {
        const projectId = Number((s.outputs.gitlabProjectIds as Record<string, unknown> | undefined)?.app);
        const project = s.gitlab.projects.get(projectId);
        const mirrors = [...((project?.mirrors as Map<string, Record<string, unknown>> | undefined)?.values() ?? [])];
        return { event: "push mirror", effect: project ? `${project.path_with_namespace}: ${mirrors.length} push mirror(s), enabled ${mirrors.every((m) => m.enabled)}` : "no project", ok: project !== undefined && mirrors.length === 1 && mirrors[0].enabled === true };
    },
    async trelloToResend(s) {
        const alerts = () => s.resend.outbox.filter((m) => m.to.includes("team@acme.test")).length;
        const before = alerts();
        const boardId = [...s.trello.boards.values()][0].id;
        const list = [...s.trello.lists.values()].find((l) => l.idBoard === boardId && l.name === "Issues")!;
        await fetch(`${s.trello.url}/1/cards?key=${SANDBOX_KEYS.trelloApiKey}&token=${SANDBOX_KEYS.trelloToken}&idList=${list.id}&name=${encodeURIComponent("Call the bank")}`, { method: "POST" });
        const deliveries = await s.trello.settled();
        const last = deliveries[deliveries.length - 1];
        const sent = s.resend.outbox.filter((m) => m.to.includes("team@acme.test")).slice(before);
        const afterEvent = alerts();
        // A forged delivery of a new action (so no idempotency record could hide it), then the real one again, validly signed.
        const forged = last ? await post(last.url, last.payload.replace(/"id":\s*"[0-9a-f]{24}"/, `"id": "${"f".repeat(24)}"`), { "x-trello-webhook": "Zm9yZ2Vk" }) : 0;
        const afterForged = alerts();
        const replay = last ? await fetch(last.url, { method: "POST", body: last.payload, headers: { "content-type": "application/json", "x-trello-webhook": last.headers["X-Trello-Webhook"] } }) : undefined;
        return {
            event: "card created on the board",
            effect: sent.length > 0 ? `alert "${sent[0].subject}" to team@acme.test` : "no alert",
            ok: sent.length === 1,
            forgedRefused: forged === 401 && afterForged === afterEvent,
            replayIgnored: replay !== undefined && isDuplicate(await replay.text()) && alerts() === afterEvent,
        };
    },
};

/** Fires every wire of the demo stack in catalog order; never throws for a wire that fails. */
export async function checkWires(sandbox: WiredSandbox, progress: (line: string) => void = () => undefined): Promise<WireCheck[]> {
    const relay = String(sandbox.outputs.relayUrl);
    const results: WireCheck[] = [];
    for (const wire of Object.keys(CHECKS) as WireName[]) {
        progress(`firing ${wire}`);
        try {
            results.push({ wire, ...(await CHECKS[wire](sandbox, relay)) });
        } catch (err) {
            results.push({ wire, event: "(failed)", effect: err instanceof Error ? err.message : String(err), ok: false });
        }
    }
    return results;
}
