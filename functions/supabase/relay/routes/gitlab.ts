/**
 * POST /gitlab: GitLab's project hooks. GitLab sends the hook's secret token as X-Gitlab-Token
 * (compared in constant time). Once per delivery: GitLab's `Idempotency-Key` header, the same on
 * every retry of one event (gitlabhq app/services/web_hook_service.rb build_headers), or, from
 * GitLab before 17.4 which sends none, X-Gitlab-Event-UUID (the recursion-detection UUID of the
 * request that triggered the hook). Pipeline Hook events place a card named
 * `Pipeline #<id> <project> <ref>` in the list for the pipeline's status.
 */
import type { RouteContext } from "../context.ts";
import { badRequest, duplicate, forged, ignored, json, parseJson } from "../http.ts";
import { sameSecret } from "../verify.ts";

/** Pipeline statuses (GitLab's Ci::HasStatus) by the list their card goes to. */
const LIST_FOR_STATUS: Record<string, "TRELLO_LIST_RUNNING" | "TRELLO_LIST_SUCCESS" | "TRELLO_LIST_FAILED"> = {
    created: "TRELLO_LIST_RUNNING",
    waiting_for_resource: "TRELLO_LIST_RUNNING",
    preparing: "TRELLO_LIST_RUNNING",
    pending: "TRELLO_LIST_RUNNING",
    running: "TRELLO_LIST_RUNNING",
    scheduled: "TRELLO_LIST_RUNNING",
    success: "TRELLO_LIST_SUCCESS",
    failed: "TRELLO_LIST_FAILED",
    canceled: "TRELLO_LIST_FAILED",
};

export function pipelineCardName(payload: Record<string, any>): string {
    return `Pipeline #${payload.object_attributes.id} ${payload.project?.path_with_namespace ?? ""} ${payload.object_attributes.ref ?? ""}`.replace(/\s+/g, " ").trim();
}

export async function gitlabRoute(ctx: RouteContext): Promise<Response> {
    const token = ctx.setting("GITLAB_WEBHOOK_TOKEN")!;
    if (!sameSecret(ctx.request.headers.get("x-gitlab-token"), token)) throw forged("X-Gitlab-Token does not match");
    const event = ctx.request.headers.get("x-gitlab-event");
    const delivery = ctx.request.headers.get("idempotency-key") ?? ctx.request.headers.get("x-gitlab-event-uuid");
    if (!event || !delivery) throw badRequest("X-Gitlab-Event and Idempotency-Key (or X-Gitlab-Event-UUID) headers are required");
    if (event !== "Pipeline Hook") return ignored(event);
    const payload = parseJson(ctx.text, "GitLab");
    const attributes = payload.object_attributes;
    if (payload.object_kind !== "pipeline" || typeof attributes?.id !== "number") throw badRequest("Pipeline Hook payload has no object_attributes.id");
    const list = LIST_FOR_STATUS[attributes.status];
    if (!list) return ignored(`pipeline status ${attributes.status}`);
    const lists = ctx.require("TRELLO_LIST_RUNNING", "TRELLO_LIST_SUCCESS", "TRELLO_LIST_FAILED", "TRELLO_API_KEY", "TRELLO_TOKEN");
    const name = pipelineCardName(payload);
    const url = payload.project?.web_url ? `${payload.project.web_url}/-/pipelines/${attributes.id}` : "";
    const done = await ctx.store().once("gitlab", delivery, async (tx) => {
        // GitLab sends a pipeline's statuses milliseconds apart, each its own delivery: one at a time finds or makes the card.
        await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`trello-card:${name}`]);
        return ctx.trello().placeCard(lists[list], { name, desc: url }, (card) => card.name === name);
    });
    return done.duplicate ? duplicate() : json(200, { pipeline: attributes.id, status: attributes.status, ...done.value });
}
