/**
 * Resend webhook. Its signing secret exists only in the creation response: it becomes a secret
 * output that survives refresh and update.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { resend } from "./client";
import { resendWebhookInputSchema, type ResendWebhookInputs } from "./schema";

export interface ResendWebhookState extends ResendWebhookInputs {
    signingSecret: string;
}
interface ApiWebhook {
    id: string;
    endpoint: string;
    events: string[];
    status: "enabled" | "disabled";
}

export const resendWebhookDefinition: ResourceDefinition<ReturnType<typeof resendWebhookInputSchema>, ResendWebhookState> = {
    module: "resend",
    type: "Webhook",
    service: "resend",
    secretOutputs: ["signingSecret"],
    schema: resendWebhookInputSchema,
    replaceOnChanges: ["baseUrl"],
    deleteBeforeReplace: false,
    async create(ctx, i) {
        const api = resend(ctx, i.baseUrl, `create webhook for ${i.endpoint}`);
        const w = await api.post<{ id: string; signing_secret: string }>("/webhooks", { endpoint: i.endpoint, events: i.events });
        if (!i.enabled) await api.patch(`/webhooks/${w.id}`, { status: "disabled" });
        return { id: w.id, outs: { ...i, signingSecret: w.signing_secret } };
    },
    async read(ctx, id, state) {
        const w = await resend(ctx, state.baseUrl, `read webhook ${id}`).get<ApiWebhook>(`/webhooks/${id}`);
        return w && { ...state, endpoint: w.endpoint, events: [...w.events].sort() as ResendWebhookInputs["events"], enabled: w.status === "enabled" };
    },
    async update(ctx, id, olds, news) {
        await resend(ctx, news.baseUrl, `update webhook ${id}`).patch(`/webhooks/${id}`, { endpoint: news.endpoint, events: news.events, status: news.enabled ? "enabled" : "disabled" });
        return { ...news, signingSecret: olds.signingSecret };
    },
    async delete(ctx, id, state) {
        await resend(ctx, state.baseUrl, `remove webhook ${id}`).remove(`/webhooks/${id}`);
    },
};

export type ResendWebhookArgs = ResourceArgs<ReturnType<typeof resendWebhookInputSchema>>;

export class ResendWebhook extends DynamicResource<ReturnType<typeof resendWebhookInputSchema>, ResendWebhookState> {
    /** Svix signing secret (whsec_…), shown by Resend only at creation; secret. */
    declare readonly signingSecret: pulumi.Output<string>;
    constructor(name: string, args: ResendWebhookArgs, opts?: pulumi.CustomResourceOptions) {
        super(resendWebhookDefinition, name, args, opts);
    }
}
