/**
 * Trello webhook. Trello sends a HEAD request to the callback URL when the webhook is created
 * (and when the URL changes) and refuses it unless that answers 200: the error says so.
 *
 * Ownership of a create whose answer was lost (core/ownership.ts): Trello refuses a second
 * webhook with the same callback, model and token ("A webhook with that callback, model, and
 * token already exists"), so the create is sent first; that refusal, or a lost answer, leads to
 * the token's webhook on that model and callback (`GET /tokens/{token}/webhooks`). It is ours
 * when its description ends with this resource's mark (stripped on read); without a URN, when it
 * was created within the lost-create window (a Trello id carries its creation time). Any other
 * is refused with an explanation.
 *
 * Gone only when gone (issue 16): Trello answers another token "webhook does not belong to
 * token" (Get a Webhook, REST reference), which fails the operation and names the token. A 404
 * counts as "gone" only when the token's own webhooks answer without it (client.ts
 * `theTokensWebhooks`): webhooks belong to tokens, and go with their model.
 */
import type * as pulumi from "@pulumi/pulumi";
import { createdRecently, createOnce } from "../core/ownership";
import { answerIsAbout, confirmGone, segment } from "../core/gone";
import type { ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { createdAtOf, endsWithMark, theTokensWebhooks, trello, trelloHttp, withMark, withoutMark } from "./client";
import { webhookInputSchema, type TrelloWebhookInputs } from "./schema";

interface ApiWebhook {
    id: string;
    callbackURL: string;
    idModel: string;
    description: string;
    active: boolean;
}

/** Trello's refusal of an unreachable callback, explained. */
function explain(err: unknown, url: string): unknown {
    const message = (err as { apiMessage?: string }).apiMessage ?? "";
    if (!/did not return 200/.test(message)) return err;
    const e = err as { message: string };
    e.message = `${e.message}. Trello sends a HEAD request to ${url} when the webhook is created and accepts it only if that answers 200: deploy the receiving endpoint first`;
    return e;
}

/** Trello refused a second webhook with this callback, model and token. */
function isDuplicate(err: unknown): boolean {
    const e = err as { status?: number; apiMessage?: string };
    return e.status === 400 && /already exists/.test(e.apiMessage ?? "");
}

function settings(i: TrelloWebhookInputs) {
    return { callbackURL: i.callbackUrl, description: withMark(i.description, i.resourceUrn), active: i.active };
}

export const trelloWebhookDefinition: ResourceDefinition<ReturnType<typeof webhookInputSchema>> = {
    module: "trello",
    type: "Webhook",
    service: "trello",
    schema: webhookInputSchema,
    replaceOnChanges: ["modelId"],
    deleteBeforeReplace: false,
    urnInput: true,
    async create(ctx, i) {
        const operation = `create webhook for ${i.modelId}`;
        try {
            const made = await createOnce<{ hook: ApiWebhook; adopted: boolean }>(ctx, operation, {
                http: trelloHttp(ctx),
                lookFirst: false,
                create: async (call) => ({ hook: await trello(ctx, i.baseUrl, operation, { call }).post<ApiWebhook>("/webhooks/", { ...settings(i), idModel: i.modelId }), adopted: false }),
                isConflict: isDuplicate,
                findLanded: async () => {
                    const api = trello(ctx, i.baseUrl, `look for webhooks of ${i.modelId}`);
                    const hooks = (await api.get<ApiWebhook[]>(`/tokens/${segment(api.token)}/webhooks`)) ?? [];
                    const hook = hooks.find(
                        (w) => w.idModel === i.modelId && w.callbackURL === i.callbackUrl && (i.resourceUrn ? endsWithMark(w.description, i.resourceUrn) : createdRecently(ctx, createdAtOf(w.id))),
                    );
                    return hook && { hook, adopted: true };
                },
                notOurs: (err, call) =>
                    ctx.error(call, {
                        status: (err as { status?: number }).status,
                        apiMessage: `${(err as { apiMessage?: string }).apiMessage}: this Trello token already has a webhook calling ${i.callbackUrl} for ${i.modelId}, not made by this resource (its description has no stackwire mark for it): delete it (DELETE /1/webhooks/{id}) or use another callback URL`,
                    }),
            });
            const { hook } = made;
            // An earlier attempt of ours may have sent other settings (the config changed since).
            if (made.adopted && (withoutMark(hook.description, i.resourceUrn) !== i.description || hook.active !== i.active)) {
                await trello(ctx, i.baseUrl, `update webhook ${hook.id}`).put(`/webhooks/${segment(hook.id)}`, settings(i));
            }
            return { id: hook.id, outs: i };
        } catch (err) {
            throw explain(err, i.callbackUrl);
        }
    },
    async read(ctx, id, state) {
        const api = trello(ctx, state.baseUrl, `read webhook ${id}`);
        const w = await api.get<ApiWebhook>(`/webhooks/${segment(id)}`);
        if (!w) {
            await confirmGone(ctx, api.call, `webhook ${id}`, theTokensWebhooks(ctx, state.baseUrl, id));
            return undefined;
        }
        answerIsAbout(ctx, api.call, "webhook", id, w.id);
        return { ...state, callbackUrl: w.callbackURL, description: withoutMark(w.description, state.resourceUrn), active: w.active };
    },
    async update(ctx, id, olds, news) {
        const i = { ...news, resourceUrn: news.resourceUrn ?? olds.resourceUrn ?? null };
        try {
            await trello(ctx, news.baseUrl, `update webhook ${id}`).put(`/webhooks/${segment(id)}`, settings(i));
        } catch (err) {
            throw explain(err, news.callbackUrl);
        }
        return i;
    },
    async delete(ctx, id, state) {
        const api = trello(ctx, state.baseUrl, `delete webhook ${id}`);
        await api.remove(`/webhooks/${segment(id)}`);
        if (api.call.lastStatus === 404) await confirmGone(ctx, api.call, `webhook ${id}`, theTokensWebhooks(ctx, state.baseUrl, id));
    },
};

/** `callbackUrl` must answer HEAD with 200 when the webhook is created; `modelId` is the board (or card, list) watched. */
export type TrelloWebhookArgs = ResourceArgs<ReturnType<typeof webhookInputSchema>>;

export class TrelloWebhook extends DynamicResource<ReturnType<typeof webhookInputSchema>> {
    constructor(name: string, args: TrelloWebhookArgs, opts?: pulumi.CustomResourceOptions) {
        super(trelloWebhookDefinition, name, args, opts);
    }
}
