/**
 * /trello: Trello's webhook callback (developer.atlassian.com/cloud/trello/guides/rest-api/webhooks).
 * HEAD (Trello's check when the webhook is made) and GET answer 200. POST is verified as the guide
 * says: X-Trello-Webhook is the base64 HMAC-SHA1, keyed with the app's secret, of the raw body
 * followed by the callback URL the webhook was made with. Card actions become an email to
 * ALERT_TO from ALERT_FROM. Once per action id.
 */
import type { RouteContext } from "../context.ts";
import { badRequest, duplicate, forged, ignored, json, parseJson } from "../http.ts";
import { base64, concat, hmac, sameSecret, utf8 } from "../verify.ts";

type Obj = Record<string, any>;

/** What happened to the card, in words, from the action's type and data (Trello's action types). */
export function describeCardAction(action: Obj): string {
    const data = action.data ?? {};
    switch (action.type) {
        case "createCard":
            return `created in ${data.list?.name ?? "a list"}`;
        case "commentCard":
            return "commented";
        case "deleteCard":
            return "deleted";
        case "updateCard":
            if (data.listAfter) return `moved to ${data.listAfter.name}`;
            if (data.old && "closed" in data.old) return data.card?.closed ? "archived" : "restored";
            return `updated (${Object.keys(data.old ?? {}).join(", ") || "details"})`;
        default:
            return action.type;
    }
}

export async function trelloRoute(ctx: RouteContext): Promise<Response> {
    const method = ctx.request.method;
    if (method === "HEAD") return new Response(null, { status: 200 });
    if (method === "GET") return json(200, { ok: true });
    const { TRELLO_API_SECRET: secret, TRELLO_CALLBACK_URL: callbackUrl } = ctx.require("TRELLO_API_SECRET", "TRELLO_CALLBACK_URL");
    const expected = base64(await hmac("SHA-1", secret, concat(ctx.body, utf8(callbackUrl))));
    if (!sameSecret(ctx.request.headers.get("x-trello-webhook"), expected)) throw forged("X-Trello-Webhook does not match the body and callback URL");
    const action = parseJson(ctx.text, "Trello").action;
    if (typeof action?.id !== "string") throw badRequest("Trello payload has no action.id");
    const card = action.data?.card;
    if (!card) return ignored(action.type ?? "action");
    const { ALERT_FROM: from, ALERT_TO: to, RESEND_API_KEY: _key } = ctx.require("ALERT_FROM", "ALERT_TO", "RESEND_API_KEY");
    const what = describeCardAction(action);
    const who = action.memberCreator?.fullName ?? action.memberCreator?.username ?? "Someone";
    const lines = [
        `${who}: card "${card.name ?? card.id}" ${what}.`,
        action.data?.board?.name ? `Board: ${action.data.board.name}` : "",
        typeof action.data?.text === "string" ? `Comment: ${action.data.text}` : "",
        card.shortLink ? `https://trello.com/c/${card.shortLink}` : "",
    ].filter(Boolean);
    const done = await ctx.store().once("trello", action.id, () =>
        ctx.mailer()!({ from, to: to.split(",").map((a) => a.trim()).filter(Boolean), subject: `Trello: "${card.name ?? card.id}" ${what}`, text: `${lines.join("\n")}\n` }, `alert/${action.id}`),
    );
    return done.duplicate ? duplicate() : json(200, { alerted: action.type, email: done.value });
}
