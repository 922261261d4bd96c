/**
 * Resend webhook. Its signing secret exists only in the creation response: it becomes a secret
 * output that survives refresh and update.
 *
 * Not found means gone only when the stack's key is of the team that made it (see `ResendTeam`);
 * another team's key fails naming resendApiKey.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { createdRecently, createOnce } from "../core/ownership";
import { getOrGone, inPath, listAll, removeOrGone, resend, teamKeyIds, teamOf, theTeam, type ResendTeam } from "./client";
import { resendWebhookInputSchema, type ResendWebhookInputs } from "./schema";

export interface ResendWebhookState extends ResendWebhookInputs, ResendTeam {
    signingSecret: string;
}
interface ApiWebhook {
    id: string;
    endpoint: string;
    events: string[] | null;
    status: "enabled" | "disabled";
    created_at?: string;
    signing_secret?: string;
}

/** A webhook as the create found or made it. */
interface Landed {
    id: string;
    signingSecret: string;
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
    // It looks before creating and would find the webhook it replaces: delete that first.
    deleteBeforeReplace: true,
    async create(ctx, i) {
        const operation = `create webhook for ${i.endpoint}`;
        // The team it will belong to, read before the write so a failure here leaves nothing behind.
        const team = await teamKeyIds(ctx, i.baseUrl);
        // Resend takes two webhooks for one endpoint: look first, so a create run again adopts the first.
        const w = await createOnce<Landed>(ctx, operation, {
            lookFirst: true,
            create: async (call) => {
                const made = await resend(ctx, i.baseUrl, operation, call).post<{ id: string; signing_secret: string }>("/webhooks", { endpoint: i.endpoint, events: i.events });
                return { id: made.id, signingSecret: made.signing_secret, events: i.events, status: "enabled" };
            },
            findLanded: async () => {
                const api = resend(ctx, i.baseUrl, `look for a webhook to ${i.endpoint}`);
                // No field for a mark: ours is the one to this endpoint, for exactly these events, made within the window.
                const sameEvents = (events: string[] | null) => [...(events ?? [])].sort().join() === i.events.join();
                const landed = (await listAll<ApiWebhook>(api, "/webhooks")).find((w) => w.endpoint === i.endpoint && sameEvents(w.events) && createdRecently(ctx, w.created_at));
                const found = landed && (await api.get<ApiWebhook>(`/webhooks/${inPath(landed.id)}`));
                return found?.signing_secret ? { id: found.id, signingSecret: found.signing_secret, events: found.events ?? [], status: found.status } : undefined;
            },
        });
        const status = i.enabled ? "enabled" : "disabled";
        if (w.status !== status || [...w.events].sort().join() !== i.events.join()) {
            await resend(ctx, i.baseUrl, `configure webhook ${w.id}`).patch(`/webhooks/${inPath(w.id)}`, { endpoint: i.endpoint, events: i.events, status });
        }
        return { id: w.id, outs: { ...i, signingSecret: w.signingSecret, teamKeyIds: team } };
    },
    async read(ctx, id, state) {
        const w = await getOrGone<ApiWebhook>(ctx, state.baseUrl, `webhook ${id}`, `/webhooks/${inPath(id)}`, id, () => theTeam(ctx, state.baseUrl, state));
        // resend.yaml lets `events` be null (a webhook with none left).
        return w && { ...state, endpoint: w.endpoint, events: [...(w.events ?? [])].sort() as ResendWebhookInputs["events"], enabled: w.status === "enabled" };
    },
    async update(ctx, id, olds, news) {
        await resend(ctx, news.baseUrl, `update webhook ${id}`).patch(`/webhooks/${inPath(id)}`, { endpoint: news.endpoint, events: news.events, status: news.enabled ? "enabled" : "disabled" });
        return { ...news, signingSecret: olds.signingSecret, ...teamOf(olds) };
    },
    async delete(ctx, id, state) {
        await removeOrGone(ctx, state.baseUrl, `webhook ${id}`, `/webhooks/${inPath(id)}`, id, () => theTeam(ctx, state.baseUrl, state));
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
