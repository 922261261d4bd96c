/**
 * Stripe price. Stripe cannot change a price's amount, currency, schedule, tiers or product, so
 * those replace it: the new price is created first and takes the lookup key
 * (transfer_lookup_key), then the old one is archived, never left active. Nickname, metadata,
 * active, lookup key and a first tax behaviour change in place.
 *
 * Stripe cannot unset a price's lookup key or nickname (its spec takes no "" for them; a lookup
 * key leaves a price only when another price takes it with transfer_lookup_key), so removing
 * either replaces the price. Prices cannot be deleted: delete archives the price and leaves its
 * lookup key on it, where the next price created with that key takes it.
 */
import type * as pulumi from "@pulumi/pulumi";
import type Stripe from "stripe";
import type { OperationContext, ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { accountForCreate, cannotUnset, changedParams, compact, createIdempotently, homeOf, idempotencyKey, metadataPatch, openStripe, removeOrGone, retrieveOrGone, retrieveOrMissing, stripeCall, type StripeHome } from "./client";
import { normaliseDecimal, priceInputSchema, type PriceInputs } from "./schema";

export type PriceState = PriceInputs & StripeHome;

/**
 * Amount fields Stripe fills in by itself (the decimal twin of an integer amount) stay as written.
 * The SDK hands decimals back as Decimal objects; their text is what we compare.
 */
function keepWritten(written: string | null, fromApi: unknown): string | null {
    return written === null || fromApi === null || fromApi === undefined ? null : normaliseDecimal(String(fromApi));
}

export function fromApi(state: PriceState, p: Stripe.Price): PriceState {
    return {
        ...state,
        livemode: p.livemode,
        product: typeof p.product === "string" ? p.product : p.product.id,
        currency: p.currency,
        unitAmount: p.unit_amount ?? null,
        unitAmountDecimal: keepWritten(state.unitAmountDecimal, p.unit_amount_decimal),
        billingScheme: p.billing_scheme as PriceState["billingScheme"],
        tiersMode: (p.tiers_mode ?? null) as PriceState["tiersMode"],
        tiers:
            p.tiers?.map((t, i) => ({
                upTo: t.up_to ?? "inf",
                unitAmount: t.unit_amount ?? null,
                unitAmountDecimal: keepWritten(state.tiers?.[i]?.unitAmountDecimal ?? null, t.unit_amount_decimal),
                flatAmount: t.flat_amount ?? null,
                flatAmountDecimal: keepWritten(state.tiers?.[i]?.flatAmountDecimal ?? null, t.flat_amount_decimal),
            })) ?? null,
        recurring: (p.recurring
            ? { interval: p.recurring.interval, intervalCount: p.recurring.interval_count, usageType: p.recurring.usage_type, meter: p.recurring.meter ?? null }
            : null) as PriceState["recurring"],
        transformQuantity: (p.transform_quantity ? { divideBy: p.transform_quantity.divide_by, round: p.transform_quantity.round } : null) as PriceState["transformQuantity"],
        lookupKey: p.lookup_key ?? null,
        nickname: p.nickname ?? null,
        taxBehavior: (p.tax_behavior ?? "unspecified") as PriceState["taxBehavior"],
        metadata: p.metadata ?? {},
        active: p.active,
    };
}

function createParams(i: PriceInputs): Stripe.PriceCreateParams {
    return compact({
        product: i.product,
        currency: i.currency,
        unit_amount: i.unitAmount,
        unit_amount_decimal: i.unitAmountDecimal,
        billing_scheme: i.billingScheme,
        tiers_mode: i.tiersMode,
        tiers: i.tiers?.map((t) =>
            compact({ up_to: t.upTo, unit_amount: t.unitAmount, unit_amount_decimal: t.unitAmountDecimal, flat_amount: t.flatAmount, flat_amount_decimal: t.flatAmountDecimal }),
        ),
        recurring: i.recurring ? compact({ interval: i.recurring.interval, interval_count: i.recurring.intervalCount, usage_type: i.recurring.usageType, meter: i.recurring.meter }) : null,
        transform_quantity: i.transformQuantity ? { divide_by: i.transformQuantity.divideBy, round: i.transformQuantity.round } : null,
        lookup_key: i.lookupKey,
        // The lookup key moves to the new price in the same request, so it is never unassigned.
        transfer_lookup_key: i.lookupKey !== null ? true : null,
        nickname: i.nickname,
        tax_behavior: i.taxBehavior === "unspecified" ? null : i.taxBehavior,
        metadata: i.metadata,
        active: i.active,
    }) as Stripe.PriceCreateParams;
}

function retrieve(ctx: OperationContext, state: PriceState, id: string): Promise<Stripe.Price | undefined> {
    // Stripe leaves tiers out unless asked for.
    return retrieveOrGone(ctx, state, `price ${id}`, id, (stripe) => stripe.prices.retrieve(id, { expand: ["tiers"] }));
}

const IMMUTABLE = ["apiBase", "product", "currency", "unitAmount", "unitAmountDecimal", "billingScheme", "tiersMode", "tiers", "recurring", "transformQuantity"] as const;

/** Fields Stripe can set and change on a price but not unset. */
const UNSETTABLE_ONLY_BY_REPLACING = ["lookupKey", "nickname"] as const;
const isSet = (value: unknown) => value !== null && value !== undefined;

export const priceDefinition: ResourceDefinition<ReturnType<typeof priceInputSchema>, PriceState> = {
    module: "stripe",
    type: "Price",
    service: "stripe",
    schema: priceInputSchema,
    urnInput: "required",
    replaceOnChanges: [...IMMUTABLE],
    // The new price must exist first: it takes the lookup key before the old one is archived.
    deleteBeforeReplace: false,

    replacesFor(changed, olds, news) {
        const replaces = changed.filter((k) => (IMMUTABLE as readonly string[]).includes(k));
        // A tax behaviour can be chosen once; after that Stripe refuses to change it.
        if (changed.includes("taxBehavior") && (olds.taxBehavior ?? "unspecified") !== "unspecified") replaces.push("taxBehavior");
        // Set once, a lookup key or nickname can change but never go away.
        for (const key of UNSETTABLE_ONLY_BY_REPLACING) if (changed.includes(key) && isSet(olds[key]) && !isSet(news[key])) replaces.push(key);
        return replaces;
    },

    async create(ctx, inputs) {
        // Where it will live, asked before the write so a failure here leaves nothing behind.
        const account = await accountForCreate(ctx, inputs);
        const { call, stripe } = openStripe(ctx, inputs, `create ${inputs.currency} price for ${inputs.product}`);
        const params = createParams(inputs);
        const price = await stripeCall(ctx, call, () =>
            createIdempotently(
                call,
                idempotencyKey(inputs.resourceUrn, params),
                (key) => stripe.prices.create({ ...params, expand: ["tiers"] }, { idempotencyKey: key }),
                async (id) => (await retrieveOrMissing(ctx, inputs, `price ${id}`, (s) => s.prices.retrieve(id)))?.active === inputs.active,
            ),
        );
        return { id: price.id, outs: fromApi({ ...inputs, account }, price) };
    },

    async read(ctx, id, state) {
        const price = await retrieve(ctx, state, id);
        return price === undefined ? undefined : fromApi(state, price);
    },

    async update(ctx, id, olds, news) {
        // Removing either replaces the price (replacesFor), so an update that would unset one is a bug.
        if (isSet(olds.lookupKey) && !isSet(news.lookupKey)) throw cannotUnset("lookupKey", "a price's lookup key", "the price is replaced instead");
        if (isSet(olds.nickname) && !isSet(news.nickname)) throw cannotUnset("nickname", "a price's nickname", "the price is replaced instead");
        const params = changedParams(olds, news, {
            nickname: (n) => (n.nickname === null ? {} : { nickname: n.nickname }),
            metadata: (n, o) => ({ metadata: metadataPatch(o.metadata, n.metadata) }),
            active: (n) => ({ active: n.active }),
            taxBehavior: (n) => ({ tax_behavior: n.taxBehavior }),
            lookupKey: (n) => (n.lookupKey === null ? {} : { lookup_key: n.lookupKey, transfer_lookup_key: true }),
        });
        if (Object.keys(params).length === 0) return { ...news, ...homeOf(olds) };
        const { call, stripe } = openStripe(ctx, news, `update price ${id}`);
        const price = await stripeCall(ctx, call, () => stripe.prices.update(id, { ...params, expand: ["tiers"] } as Stripe.PriceUpdateParams));
        return fromApi({ ...news, ...homeOf(olds) }, price);
    },

    async delete(ctx, id, state) {
        const { call, stripe } = openStripe(ctx, state, `archive price ${id}`);
        // Archive only: Stripe refuses lookup_key="" (it cannot be unset). A replacement has already
        // taken the key with transfer_lookup_key; otherwise it stays on the archived price until a
        // later price takes it the same way.
        await removeOrGone(ctx, call, `price ${id}`, id, state, () => stripe.prices.update(id, { active: false }));
    },
};

/**
 * Amounts are in the smallest unit (2000 for 20.00 EUR); currency, amounts, schedule, tiers and
 * product replace the price; nickname, metadata, active, lookup key and a first tax behaviour
 * change in place, and removing the nickname or lookup key replaces the price. `apiBase` defaults
 * to https://api.stripe.com and `keyModes` to ["test"].
 */
export type StripePriceArgs = ResourceArgs<ReturnType<typeof priceInputSchema>>;

export class StripePrice extends DynamicResource<ReturnType<typeof priceInputSchema>, PriceState> {
    declare readonly product: pulumi.Output<string>;
    declare readonly currency: pulumi.Output<string>;
    declare readonly unitAmount: pulumi.Output<number | null>;
    declare readonly lookupKey: pulumi.Output<string | null>;
    declare readonly active: pulumi.Output<boolean>;

    constructor(name: string, args: StripePriceArgs, opts?: pulumi.CustomResourceOptions) {
        super(priceDefinition, name, args, opts);
    }
}
