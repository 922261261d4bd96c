/**
 * Trello webhook. Trello sends a HEAD request to the callback URL when the webhook is created
 * (and when the URL changes) and refuses it unless that answers 200: the error says so.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { httpUrl } from "../core/validation";
import { dynamicProvider, type ResourceDefinition } from "../core/provider";
import { trello, trelloConnectionShape, trelloIdSchema } from "./client";

export function webhookInputSchema() {
    return z.object({
        ...trelloConnectionShape(),
        callbackUrl: httpUrl("must be the http(s) URL Trello will call"),
        modelId: trelloIdSchema("modelId"),
        description: z.string().max(16384).default(""),
        active: z.boolean().default(true),
    });
}
export type TrelloWebhookInputs = z.output<ReturnType<typeof webhookInputSchema>>;

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

export const trelloWebhookDefinition: ResourceDefinition<TrelloWebhookInputs, TrelloWebhookInputs> = {
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

export const trelloWebhookProvider = dynamicProvider(trelloWebhookDefinition);

export interface TrelloWebhookArgs {
    baseUrl?: pulumi.Input<string>;
    /** Must answer 200 to HEAD when the webhook is created. */
    callbackUrl: pulumi.Input<string>;
    /** The board (or card, list, member) to watch. */
    modelId: pulumi.Input<string>;
    description?: pulumi.Input<string>;
    /** @default true */
    active?: pulumi.Input<boolean>;
}

export class TrelloWebhook extends pulumi.dynamic.Resource {
    constructor(name: string, args: TrelloWebhookArgs, opts?: pulumi.CustomResourceOptions) {
        super(trelloWebhookProvider, name, { ...args }, opts, "trello", "Webhook");
    }
}
