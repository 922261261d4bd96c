/**
 * Stripe product. Every field updates in place. Stripe cannot unset a statement descriptor (its
 * spec takes no "" for it), and replacing a product would replace every price under it, so
 * removing one is refused before any request. On delete a product with prices (which Stripe
 * refuses to delete) is archived; one without prices is deleted.
 *
 * Not found means gone only for a key of the account and mode that made it (recorded at create,
 * see `StripeHome`): another account's key, or the other mode's, fails naming stripeSecretKey.
 */
import type * as pulumi from "@pulumi/pulumi";
import type Stripe from "stripe";
import type { OperationContext, ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { accountForCreate, cannotUnset, changedParams, compact, createIdempotently, homeOf, idempotencyKey, metadataPatch, openStripe, orUnset, removeOrGone, retrieveOrGone, retrieveOrMissing, stripeCall, stripeFailure, type StripeHome } from "./client";
import { productInputSchema, type ProductInputs } from "./schema";

export type ProductState = ProductInputs & StripeHome;

export function fromApi(state: ProductState, p: Stripe.Product): ProductState {
    return {
        ...state,
        livemode: p.livemode,
        name: p.name,
        description: p.description ?? null,
        active: p.active,
        metadata: p.metadata ?? {},
        images: p.images ?? [],
        taxCode: typeof p.tax_code === "string" ? p.tax_code : (p.tax_code?.id ?? null),
        statementDescriptor: p.statement_descriptor ?? null,
        unitLabel: p.unit_label ?? null,
        url: p.url ?? null,
    };
}

/** Why a product's statement descriptor cannot simply be removed, and what to do. */
const DESCRIPTOR_STAYS = () =>
    cannotUnset(
        "statementDescriptor",
        "a product's statement descriptor",
        "keep a value (up to 22 characters, at least one letter) or set another one",
    );

function retrieve(ctx: OperationContext, state: ProductState, id: string): Promise<Stripe.Product | undefined> {
    return retrieveOrGone(ctx, state, `product ${id}`, id, (stripe) => stripe.products.retrieve(id));
}

export const productDefinition: ResourceDefinition<ReturnType<typeof productInputSchema>, ProductState> = {
    module: "stripe",
    type: "Product",
    service: "stripe",
    urnInput: "required",
    schema: productInputSchema,
    replaceOnChanges: ["apiBase"],
    deleteBeforeReplace: false,

    checkTransition(olds, news) {
        return olds.statementDescriptor && news.statementDescriptor === null ? [{ property: "statementDescriptor", reason: DESCRIPTOR_STAYS().message.replace(/^statementDescriptor: /, "") }] : [];
    },

    async create(ctx, inputs) {
        // Where it will live, asked before the write so a failure here leaves nothing behind.
        const account = await accountForCreate(ctx, inputs);
        const { call, stripe } = openStripe(ctx, inputs, `create product "${inputs.name}"`);
        const params: Stripe.ProductCreateParams = compact({
            name: inputs.name,
            description: inputs.description,
            active: inputs.active,
            metadata: inputs.metadata,
            images: inputs.images.length > 0 ? inputs.images : undefined,
            tax_code: inputs.taxCode,
            statement_descriptor: inputs.statementDescriptor,
            unit_label: inputs.unitLabel,
            url: inputs.url,
        }) as Stripe.ProductCreateParams;
        const product = await stripeCall(ctx, call, () =>
            createIdempotently(
                call,
                idempotencyKey(inputs.resourceUrn, params),
                (key) => stripe.products.create(params, { idempotencyKey: key }),
                // A replayed product archived since (destroyed with its prices, then created again) is not this one.
                async (id) => (await retrieveOrMissing(ctx, inputs, `product ${id}`, (s) => s.products.retrieve(id)))?.active === inputs.active,
            ),
        );
        return { id: product.id, outs: fromApi({ ...inputs, account }, product) };
    },

    async read(ctx, id, state) {
        const product = await retrieve(ctx, state, id);
        return product === undefined ? undefined : fromApi(state, product);
    },

    async update(ctx, id, olds, news) {
        // The state can hold one that check never saw (set out of band, then refreshed).
        if (olds.statementDescriptor && news.statementDescriptor === null) throw DESCRIPTOR_STAYS();
        const params = changedParams(olds, news, {
            name: (n) => ({ name: n.name }),
            description: (n) => ({ description: orUnset(n.description) }),
            active: (n) => ({ active: n.active }),
            metadata: (n, o) => ({ metadata: metadataPatch(o.metadata, n.metadata) }),
            // An empty list is sent as "" to clear it; an empty array would be sent as nothing.
            images: (n) => ({ images: n.images.length > 0 ? n.images : "" }),
            taxCode: (n) => ({ tax_code: orUnset(n.taxCode) }),
            statementDescriptor: (n) => (n.statementDescriptor === null ? {} : { statement_descriptor: n.statementDescriptor }),
            unitLabel: (n) => ({ unit_label: orUnset(n.unitLabel) }),
            url: (n) => ({ url: orUnset(n.url) }),
        });
        if (Object.keys(params).length === 0) return { ...news, ...homeOf(olds) };
        const { call, stripe } = openStripe(ctx, news, `update product ${id}`);
        const product = await stripeCall(ctx, call, () => stripe.products.update(id, params as Stripe.ProductUpdateParams));
        return fromApi({ ...news, ...homeOf(olds) }, product);
    },

    async delete(ctx, id, state) {
        const { call, stripe } = openStripe(ctx, state, `${state.archiveOnDelete ? "archive" : "delete"} product ${id}`);
        const archive = () => stripe.products.update(id, { active: false });
        await removeOrGone(ctx, call, `product ${id}`, id, state, async () => {
            if (state.archiveOnDelete) return archive();
            try {
                return await stripe.products.del(id);
            } catch (err) {
                // Stripe answers 400 "cannot be deleted because it has one or more user-created prices".
                if (stripeFailure(err).status === 400 && /prices/.test(stripeFailure(err).apiMessage)) return archive();
                throw err;
            }
        });
    },
};

/** Every field changes in place; `taxCode` is a Stripe tax code such as txcd_10103001. */
export type StripeProductArgs = ResourceArgs<ReturnType<typeof productInputSchema>>;

export class StripeProduct extends DynamicResource<ReturnType<typeof productInputSchema>, ProductState> {
    declare readonly name: pulumi.Output<string>;
    declare readonly active: pulumi.Output<boolean>;
    declare readonly metadata: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: StripeProductArgs, opts?: pulumi.CustomResourceOptions) {
        super(productDefinition, name, args, opts);
    }
}
