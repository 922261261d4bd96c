/**
 * Trello webhook. Trello sends a HEAD request to the callback URL when the webhook is created
 * (and when the URL changes) and refuses it unless that answers 200: the error says so.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { trello } from "./client";
import { webhookInputSchema } from "./schema";

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

export const trelloWebhookDefinition: ResourceDefinition<ReturnType<typeof webhookInputSchema>> = {
    module: "trello",
    type: "Webhook",
    service: "trello",
    schema: webhookInputSchema,
    replaceOnChanges: ["baseUrl", "modelId"],
    deleteBeforeReplace: false,
    async create(ctx, i) {
        try {
            const hook = await trello(ctx, i.baseUrl, `create webhook for ${i.modelId}`).post<ApiWebhook>("/webhooks/", { callbackURL: i.callbackUrl, idModel: i.modelId, description: i.description, active: i.active });
            return { id: hook.id, outs: i };
        } catch (err) {
            throw explain(err, i.callbackUrl);
        }
    },
    async read(ctx, id, state) {
        const w = await trello(ctx, state.baseUrl, `read webhook ${id}`).get<ApiWebhook>(`/webhooks/${id}`);
        return w && { ...state, callbackUrl: w.callbackURL, description: w.description, active: w.active };
    },
    async update(ctx, id, _olds, news) {
        try {
            await trello(ctx, news.baseUrl, `update webhook ${id}`).put(`/webhooks/${id}`, { callbackURL: news.callbackUrl, description: news.description, active: news.active });
        } catch (err) {
            throw explain(err, news.callbackUrl);
        }
        return news;
    },
    async delete(ctx, id, state) {
        await trello(ctx, state.baseUrl, `delete webhook ${id}`).remove(`/webhooks/${id}`);
    },
};

/** `callbackUrl` must answer HEAD with 200 when the webhook is created; `modelId` is the board (or card, list) watched. */
export type TrelloWebhookArgs = ResourceArgs<ReturnType<typeof webhookInputSchema>>;

export class TrelloWebhook extends DynamicResource<ReturnType<typeof webhookInputSchema>> {
    constructor(name: string, args: TrelloWebhookArgs, opts?: pulumi.CustomResourceOptions) {
        super(trelloWebhookDefinition, name, args, opts);
    }
}
