/**
 * POST /github: GitHub's repository webhooks, verified as GitHub documents
 * (docs.github.com "Validating webhook deliveries"): X-Hub-Signature-256 is `sha256=` and the hex
 * HMAC-SHA256 of the raw body with the webhook's secret. Once per X-GitHub-Delivery.
 * `ping` answers 200; push, create, delete and release become rows in `repository_events`;
 * `issues` become Trello cards: opened or reopened on TRELLO_LIST_OPENED, closed moved to
 * TRELLO_LIST_CLOSED, the card found again by the issue's URL on the first line of its description.
 */
import type { RouteContext } from "../context.ts";
import { badRequest, duplicate, forged, ignored, json, parseJson } from "../http.ts";
import { hex, hmac, sameSecret } from "../verify.ts";

const RECORDED = new Set(["push", "create", "delete", "release"]);

export async function githubRoute(ctx: RouteContext): Promise<Response> {
    const secret = ctx.setting("GITHUB_WEBHOOK_SECRET")!;
    const expected = `sha256=${hex(await hmac("SHA-256", secret, ctx.body))}`;
    if (!sameSecret(ctx.request.headers.get("x-hub-signature-256"), expected)) throw forged("X-Hub-Signature-256 does not match the body");
    const event = ctx.request.headers.get("x-github-event");
    const delivery = ctx.request.headers.get("x-github-delivery");
    if (!event || !delivery) throw badRequest("X-GitHub-Event and X-GitHub-Delivery headers are required");
    if (event === "ping") return json(200, { pong: true });
    const payload = parseJson(ctx.text, "GitHub");

    if (RECORDED.has(event)) {
        const done = await ctx.store().once("github", delivery, (tx) =>
            tx.query("INSERT INTO repository_events (delivery_id, event, repository, ref, after_sha, payload) VALUES ($1, $2, $3, $4, $5, $6::jsonb)", [
                delivery,
                event,
                payload.repository?.full_name ?? null,
                payload.ref ?? payload.release?.tag_name ?? null,
                payload.after ?? null,
                ctx.text,
            ]),
        );
        return done.duplicate ? duplicate() : json(200, { recorded: event, delivery });
    }

    if (event === "issues") {
        const issue = payload.issue;
        const target = payload.action === "opened" || payload.action === "reopened" ? "TRELLO_LIST_OPENED" : payload.action === "closed" ? "TRELLO_LIST_CLOSED" : undefined;
        if (!target) return ignored(`issues.${payload.action}`);
        if (!ctx.setting("TRELLO_LIST_OPENED") && !ctx.setting("TRELLO_LIST_CLOSED")) return ignored("issues: no Trello lists configured");
        if (typeof issue?.html_url !== "string" || typeof issue?.number !== "number") throw badRequest("issues payload has no issue.html_url and issue.number");
        const lists = ctx.require("TRELLO_LIST_OPENED", "TRELLO_LIST_CLOSED", "TRELLO_API_KEY", "TRELLO_TOKEN");
        const done = await ctx.store().once("github", delivery, async (tx) => {
            // Deliveries about one issue (opened, closed) may overlap: one at a time finds or makes its card.
            await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`trello-card:${issue.html_url}`]);
            return ctx.trello().placeCard(lists[target], { name: `#${issue.number} ${issue.title ?? ""}`.trim(), desc: issue.html_url }, (card) => card.desc.split("\n")[0].trim() === issue.html_url);
        });
        return done.duplicate ? duplicate() : json(200, { issue: issue.number, ...done.value });
    }
    return ignored(event);
}
