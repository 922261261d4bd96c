/**
 * Stripe webhook endpoint. The signing secret exists only in the creation response: it becomes
 * a secret output and is carried through every read and update. URL, events, description,
 * metadata and disabled change in place; the API version is fixed at creation, so it replaces.
 */
import * as pulumi from "@pulumi/pulumi";
import type Stripe from "stripe";
import { z } from "zod";
import { httpUrl } from "../core/validation";
import { dynamicProvider, resourceUrn, type OperationContext, type ResourceDefinition } from "../core/provider";
import { STRIPE_API_VERSIONS, STRIPE_EVENT_TYPES } from "./api-lists";
import { changedParams, compact, createIdempotently, idempotencyKey, metadataPatch, openStripe, orUnset, retrieveOrGone, stripeCall, unlessMissing, } from "./client";
import { connectionShape, metadataSchema, type StripeConnectionArgs } from "./schema";

export function eventListSchema() {
    return z
        .array(z.string().refine((e) => STRIPE_EVENT_TYPES.includes(e), "must be a Stripe event type such as checkout.session.completed, or \"*\" for all"))
        .min(1, "must list at least one event")
        // Stripe keeps the list as a set; sorted, a reordering is not a change.
        .transform((events) => [...new Set(events)].sort());
}

export function webhookEndpointInputSchema() {
    return z.object({
        ...connectionShape(),
        url: httpUrl("must be the http(s) URL Stripe will call"),
        enabledEvents: eventListSchema(),
        description: z.string().min(1).max(5000).nullable().default(null),
        apiVersion: z
            .string()
            .refine((v) => STRIPE_API_VERSIONS.includes(v), "must be a Stripe API version such as 2026-10-28.endive")
            .nullable()
            .default(null),
        metadata: metadataSchema(),
        disabled: z.boolean().default(false),
    });
}

export type WebhookEndpointInputs = z.output<ReturnType<typeof webhookEndpointInputSchema>>;
export interface WebhookEndpointState extends WebhookEndpointInputs {
    /** The signing secret (whsec_…), from the creation response only. */
    secret: string;
    status: string;
}

function fromApi(state: WebhookEndpointInputs & Partial<WebhookEndpointState>, w: Stripe.WebhookEndpoint, secret: string): WebhookEndpointState {
    return {
        ...state,
        url: w.url,
        enabledEvents: [...w.enabled_events].sort(),
        description: w.description ?? null,
        apiVersion: w.api_version ?? null,
        metadata: w.metadata ?? {},
        disabled: w.status === "disabled",
        status: w.status,
        secret,
    };
}

function retrieve(ctx: OperationContext, state: Pick<WebhookEndpointInputs, "apiBase" | "keyModes">, id: string): Promise<Stripe.WebhookEndpoint | undefined> {
    return retrieveOrGone(ctx, state, `webhook endpoint ${id}`, (stripe) => stripe.webhookEndpoints.retrieve(id));
}

export const webhookEndpointDefinition: ResourceDefinition<WebhookEndpointInputs, WebhookEndpointState> = {
    service: "stripe",
    schema: webhookEndpointInputSchema,
    replaceOnChanges: ["apiBase", "apiVersion"],
    deleteBeforeReplace: false,

    async create(ctx, inputs) {
        const { call, stripe } = openStripe(ctx, inputs, `create webhook endpoint for ${inputs.url}`);
        const params = compact({
            url: inputs.url,
            enabled_events: inputs.enabledEvents,
            description: inputs.description,
            api_version: inputs.apiVersion,
            metadata: inputs.metadata,
        }) as Stripe.WebhookEndpointCreateParams;
        const created = await stripeCall(ctx, call, () =>
            createIdempotently(
                call,
                idempotencyKey(inputs.resourceUrn, params),
                (key) => stripe.webhookEndpoints.create(params, { idempotencyKey: key }),
                async (id) => (await retrieve(ctx, inputs, id)) !== undefined,
            ),
        );
        if (!created.secret) throw ctx.error(call, { apiMessage: `Stripe returned no signing secret for webhook endpoint ${created.id}` });
        let endpoint: Stripe.WebhookEndpoint = created;
        if (inputs.disabled) {
            // The create call takes no "disabled"; it is a second, idempotent update.
            const { call: disableCall, stripe: s } = openStripe(ctx, inputs, `disable webhook endpoint ${created.id}`);
            endpoint = await stripeCall(ctx, disableCall, () => s.webhookEndpoints.update(created.id, { disabled: true }));
        }
        return { id: created.id, outs: fromApi(inputs, endpoint, created.secret) };
    },

    async read(ctx, id, state) {
        const endpoint = await retrieve(ctx, state, id);
        return endpoint === undefined ? undefined : fromApi(state, endpoint, state.secret);
    },

    async update(ctx, id, olds, news) {
        const params = changedParams<WebhookEndpointInputs>(olds, news, {
            url: (n) => ({ url: n.url }),
            enabledEvents: (n) => ({ enabled_events: n.enabledEvents }),
            description: (n) => ({ description: orUnset(n.description) }),
            metadata: (n, o) => ({ metadata: metadataPatch(o.metadata, n.metadata) }),
            disabled: (n) => ({ disabled: n.disabled }),
        });
        if (Object.keys(params).length === 0) return { ...olds, ...news, secret: olds.secret, status: olds.status };
        const { call, stripe } = openStripe(ctx, news, `update webhook endpoint ${id}`);
        const endpoint = await stripeCall(ctx, call, () => stripe.webhookEndpoints.update(id, params as Stripe.WebhookEndpointUpdateParams));
        return fromApi(news, endpoint, olds.secret);
    },

    async delete(ctx, id, state) {
        const { call, stripe } = openStripe(ctx, state, `delete webhook endpoint ${id}`);
        await unlessMissing(ctx, call, () => stripe.webhookEndpoints.del(id));
    },
};

export const webhookEndpointProvider = dynamicProvider(webhookEndpointDefinition);

export interface StripeWebhookEndpointArgs extends StripeConnectionArgs {
    /** Where Stripe sends events; may be another component's output. */
    url: pulumi.Input<string>;
    /** Event types, or ["*"]; order does not matter. */
    enabledEvents: pulumi.Input<pulumi.Input<string>[]>;
    description?: pulumi.Input<string>;
    /** Fixed at creation; changing it replaces the endpoint. @default the account's version */
    apiVersion?: pulumi.Input<string>;
    /** @default false */
    disabled?: pulumi.Input<boolean>;
}

export class StripeWebhookEndpoint extends pulumi.dynamic.Resource {
    /** The signing secret (whsec_…); secret in state and outputs. */
    declare readonly secret: pulumi.Output<string>;
    declare readonly url: pulumi.Output<string>;
    declare readonly status: pulumi.Output<string>;

    constructor(name: string, args: StripeWebhookEndpointArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            webhookEndpointProvider,
            name,
            { secret: undefined, status: undefined, ...args, resourceUrn: resourceUrn(name, "stripe", "WebhookEndpoint", opts) },
            pulumi.mergeOptions(opts, { additionalSecretOutputs: ["secret"] }),
            "stripe",
            "WebhookEndpoint",
        );
    }
}
