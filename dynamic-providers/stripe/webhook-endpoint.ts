/**
 * Stripe webhook endpoint. The signing secret exists only in the creation response: it becomes
 * a secret output and is carried through every read and update. A state without it (hand-edited,
 * or written by something that lost it) stays without it: Stripe never shows it again, and the
 * engine cannot carry an undefined output. URL, events, description, metadata and disabled change
 * in place; the API version is fixed at creation, so it replaces.
 */
import type * as pulumi from "@pulumi/pulumi";
import type Stripe from "stripe";
import type { OperationContext, ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { accountForCreate, changedParams, compact, createIdempotently, homeOf, idempotencyKey, metadataPatch, openStripe, orUnset, removeOrGone, retrieveOrGone, retrieveOrMissing, stripeCall, type StripeHome } from "./client";
import { webhookEndpointInputSchema, type WebhookEndpointInputs } from "./schema";

export interface WebhookEndpointState extends WebhookEndpointInputs, StripeHome {
    /** The signing secret (whsec_…), from the creation response only; absent when the state lost it. */
    secret?: string;
    status: string;
}

/** The secret as an output: the known one, or no key at all (never an undefined value). */
function secretOutput(secret: string | undefined): { secret?: string } {
    return typeof secret === "string" ? { secret } : {};
}

function fromApi(state: WebhookEndpointInputs & Partial<WebhookEndpointState>, w: Stripe.WebhookEndpoint, secret: string | undefined): WebhookEndpointState {
    const { secret: _stored, ...rest } = state;
    return {
        ...rest,
        livemode: w.livemode,
        url: w.url,
        enabledEvents: [...w.enabled_events].sort(),
        description: w.description ?? null,
        apiVersion: w.api_version ?? null,
        metadata: w.metadata ?? {},
        disabled: w.status === "disabled",
        status: w.status,
        ...secretOutput(secret),
    };
}

function retrieve(ctx: OperationContext, state: WebhookEndpointInputs & StripeHome, id: string): Promise<Stripe.WebhookEndpoint | undefined> {
    return retrieveOrGone(ctx, state, `webhook endpoint ${id}`, id, (stripe) => stripe.webhookEndpoints.retrieve(id));
}

export const webhookEndpointDefinition: ResourceDefinition<ReturnType<typeof webhookEndpointInputSchema>, WebhookEndpointState> = {
    module: "stripe",
    type: "WebhookEndpoint",
    service: "stripe",
    urnInput: "required",
    outputs: ["status"],
    secretOutputs: ["secret"],
    schema: webhookEndpointInputSchema,
    replaceOnChanges: ["apiBase", "apiVersion"],
    deleteBeforeReplace: false,

    async create(ctx, inputs) {
        // Where it will live, asked before the write so a failure here leaves nothing behind.
        const account = await accountForCreate(ctx, inputs);
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
                async (id) => (await retrieveOrMissing(ctx, inputs, `webhook endpoint ${id}`, (s) => s.webhookEndpoints.retrieve(id))) !== undefined,
            ),
        );
        if (!created.secret) throw ctx.error(call, { apiMessage: `Stripe returned no signing secret for webhook endpoint ${created.id}` });
        let endpoint: Stripe.WebhookEndpoint = created;
        if (inputs.disabled) {
            // The create call takes no "disabled"; it is a second, idempotent update.
            const { call: disableCall, stripe: s } = openStripe(ctx, inputs, `disable webhook endpoint ${created.id}`);
            endpoint = await stripeCall(ctx, disableCall, () => s.webhookEndpoints.update(created.id, { disabled: true }));
        }
        return { id: created.id, outs: fromApi({ ...inputs, account }, endpoint, created.secret) };
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
        if (Object.keys(params).length === 0) {
            const { secret: _stored, ...rest } = { ...olds, ...news };
            return { ...rest, status: olds.status, ...secretOutput(olds.secret) };
        }
        const { call, stripe } = openStripe(ctx, news, `update webhook endpoint ${id}`);
        const endpoint = await stripeCall(ctx, call, () => stripe.webhookEndpoints.update(id, params as Stripe.WebhookEndpointUpdateParams));
        return fromApi({ ...news, ...homeOf(olds) }, endpoint, olds.secret);
    },

    async delete(ctx, id, state) {
        const { call, stripe } = openStripe(ctx, state, `delete webhook endpoint ${id}`);
        await removeOrGone(ctx, call, `webhook endpoint ${id}`, id, state, () => stripe.webhookEndpoints.del(id));
    },
};

/**
 * `url` may be another component's output; `enabledEvents` are event types or ["*"], in any
 * order. The API version is fixed at creation, so changing it replaces the endpoint.
 */
export type StripeWebhookEndpointArgs = ResourceArgs<ReturnType<typeof webhookEndpointInputSchema>>;

export class StripeWebhookEndpoint extends DynamicResource<ReturnType<typeof webhookEndpointInputSchema>, WebhookEndpointState> {
    /** The signing secret (whsec_…); secret in state and outputs. */
    declare readonly secret: pulumi.Output<string>;
    declare readonly url: pulumi.Output<string>;
    declare readonly status: pulumi.Output<string>;

    constructor(name: string, args: StripeWebhookEndpointArgs, opts?: pulumi.CustomResourceOptions) {
        super(webhookEndpointDefinition, name, args, opts);
    }
}
