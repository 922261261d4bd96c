/**
 * Stripe price. Stripe cannot change a price's amount, currency, schedule, tiers or product, so
 * those replace it: the new price is created first and takes the lookup key
 * (transfer_lookup_key), then the old one is archived, never left active. Nickname, metadata,
 * active, lookup key and a first tax behaviour change in place. Prices cannot be deleted:
 * delete archives the price and releases its lookup key.
 */
import * as pulumi from "@pulumi/pulumi";
import type Stripe from "stripe";
import { z } from "zod";
import { dynamicProvider, resourceUrn, type OperationContext, type ResourceDefinition } from "../core/provider";
import { changedParams, compact, createIdempotently, idempotencyKey, metadataPatch, openStripe, orUnset, retrieveOrGone, stripeCall, unlessMissing, } from "./client";
import { amountSchema, connectionShape, type StripeConnectionArgs, currencySchema, decimalAmountSchema, metadataSchema } from "./schema";

/** Stripe allows schedules of up to three years. */
export const MAX_INTERVAL_COUNT = { day: 1095, week: 156, month: 36, year: 3 } as const;

/** "0.50" and "0.5" are the same decimal; Stripe answers with the short form. */
function normaliseDecimal(value: string): string {
    return value.includes(".") ? value.replace(/0+$/, "").replace(/\.$/, "") : value;
}

function decimal() {
    return decimalAmountSchema().transform(normaliseDecimal).nullable().default(null);
}

function tierSchema() {
    return z
        .object({
            upTo: z.union([z.number().int().min(1), z.literal("inf")], { error: 'must be a whole number of units, or "inf" for the last tier' }),
            unitAmount: amountSchema().nullable().default(null),
            unitAmountDecimal: decimal(),
            flatAmount: amountSchema().nullable().default(null),
            flatAmountDecimal: decimal(),
        })
        .strict();
}

/** The price fields a stack config writes (everything but the product and the connection). */
export function priceFieldsShape() {
    return {
        currency: currencySchema(),
        unitAmount: amountSchema().nullable().default(null),
        unitAmountDecimal: decimal(),
        billingScheme: z.enum(["per_unit", "tiered"]).default("per_unit"),
        tiersMode: z.enum(["graduated", "volume"]).nullable().default(null),
        tiers: z.array(tierSchema()).min(1).nullable().default(null),
        recurring: z
            .object({
                interval: z.enum(["day", "week", "month", "year"]),
                intervalCount: z.number().int().min(1).default(1),
                usageType: z.enum(["licensed", "metered"]).default("licensed"),
                meter: z.string().regex(/^mtr_\w+$/, "must be a billing meter id (mtr_…)").nullable().default(null),
            })
            .strict()
            .nullable()
            .default(null),
        transformQuantity: z.object({ divideBy: z.number().int().min(1), round: z.enum(["up", "down"]) }).strict().nullable().default(null),
        lookupKey: z.string().min(1).max(200, "must be at most 200 characters").nullable().default(null),
        nickname: z.string().min(1).nullable().default(null),
        taxBehavior: z.enum(["inclusive", "exclusive", "unspecified"]).default("unspecified"),
        metadata: metadataSchema(),
        active: z.boolean().default(true),
    };
}

type PriceFields = z.output<z.ZodObject<ReturnType<typeof priceFieldsShape>>>;

/** The rules that tie price fields together, as Stripe enforces them. */
export function checkPriceRules(p: PriceFields, ctx: z.RefinementCtx): void {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
    const hasAmount = p.unitAmount !== null || p.unitAmountDecimal !== null;
    if (p.unitAmount !== null && p.unitAmountDecimal !== null) issue(["unitAmountDecimal"], "set unitAmount or unitAmountDecimal, not both");
    if (p.billingScheme === "per_unit") {
        if (!hasAmount) issue(["unitAmount"], "is required for a per-unit price (0 for a free price)");
        if (p.tiers !== null) issue(["tiers"], 'needs billingScheme "tiered"');
        if (p.tiersMode !== null) issue(["tiersMode"], 'needs billingScheme "tiered"');
    } else {
        if (hasAmount) issue(["unitAmount"], "must be empty for a tiered price: amounts go in the tiers");
        if (p.tiers === null) issue(["tiers"], "are required for a tiered price");
        if (p.tiersMode === null) issue(["tiersMode"], 'is required for a tiered price ("graduated" or "volume")');
        if (p.transformQuantity !== null) issue(["transformQuantity"], "cannot be used with a tiered price");
    }
    p.tiers?.forEach((tier, i) => {
        const last = i === p.tiers!.length - 1;
        if (last && tier.upTo !== "inf") issue(["tiers", i, "upTo"], 'the last tier must go up to "inf"');
        if (!last && tier.upTo === "inf") issue(["tiers", i, "upTo"], 'only the last tier may go up to "inf"');
        const previous = i > 0 ? p.tiers![i - 1].upTo : 0;
        if (typeof tier.upTo === "number" && typeof previous === "number" && tier.upTo <= previous) issue(["tiers", i, "upTo"], "must be greater than the tier before");
        if ([tier.unitAmount, tier.unitAmountDecimal, tier.flatAmount, tier.flatAmountDecimal].every((v) => v === null)) issue(["tiers", i], "needs a unit amount or a flat amount");
    });
    if (p.recurring) {
        const max = MAX_INTERVAL_COUNT[p.recurring.interval];
        if (p.recurring.intervalCount > max) issue(["recurring", "intervalCount"], `must be at most ${max} for interval "${p.recurring.interval}" (Stripe allows three years)`);
        if (p.recurring.usageType === "metered" && p.recurring.meter === null) issue(["recurring", "meter"], "is required for a metered price");
        if (p.recurring.usageType === "licensed" && p.recurring.meter !== null) issue(["recurring", "meter"], 'needs usageType "metered"');
    }
}

export function priceInputSchema() {
    return z
        .object({
            ...connectionShape(),
            product: z.string().regex(/^prod_\w+$/, "must be a product id (prod_…)"),
            ...priceFieldsShape(),
        })
        .superRefine(checkPriceRules);
}

export type PriceInputs = z.output<ReturnType<typeof priceInputSchema>>;
export type PriceState = PriceInputs;

/**
 * Amount fields Stripe fills in by itself (the decimal twin of an integer amount) stay as written.
 * The SDK hands decimals back as Decimal objects; their text is what we compare.
 */
function keepWritten(written: string | null, fromApi: unknown): string | null {
    return written === null || fromApi === null || fromApi === undefined ? null : normaliseDecimal(String(fromApi));
}

function fromApi(state: PriceState, p: Stripe.Price): PriceState {
    return {
        ...state,
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

function retrieve(ctx: OperationContext, state: Pick<PriceState, "apiBase" | "keyModes">, id: string): Promise<Stripe.Price | undefined> {
    // Stripe leaves tiers out unless asked for.
    return retrieveOrGone(ctx, state, `price ${id}`, (stripe) => stripe.prices.retrieve(id, { expand: ["tiers"] }));
}

const IMMUTABLE = ["apiBase", "product", "currency", "unitAmount", "unitAmountDecimal", "billingScheme", "tiersMode", "tiers", "recurring", "transformQuantity"] as const;

export const priceDefinition: ResourceDefinition<PriceInputs, PriceState> = {
    service: "stripe",
    schema: priceInputSchema as unknown as () => z.ZodObject,
    replaceOnChanges: [...IMMUTABLE],
    // The new price must exist first: it takes the lookup key before the old one is archived.
    deleteBeforeReplace: false,

    replacesFor(changed, olds) {
        const replaces = changed.filter((k) => (IMMUTABLE as readonly string[]).includes(k));
        // A tax behaviour can be chosen once; after that Stripe refuses to change it.
        if (changed.includes("taxBehavior") && (olds.taxBehavior ?? "unspecified") !== "unspecified") replaces.push("taxBehavior");
        return replaces;
    },

    async create(ctx, inputs) {
        const { call, stripe } = openStripe(ctx, inputs, `create ${inputs.currency} price for ${inputs.product}`);
        const params = createParams(inputs);
        const price = await stripeCall(ctx, call, () =>
            createIdempotently(
                call,
                idempotencyKey(inputs.resourceUrn, params),
                (key) => stripe.prices.create({ ...params, expand: ["tiers"] }, { idempotencyKey: key }),
                async (id) => (await retrieve(ctx, inputs, id))?.active === inputs.active,
            ),
        );
        return { id: price.id, outs: fromApi(inputs, price) };
    },

    async read(ctx, id, state) {
        const price = await retrieve(ctx, state, id);
        return price === undefined ? undefined : fromApi(state, price);
    },

    async update(ctx, id, olds, news) {
        const params = changedParams(olds, news, {
            nickname: (n) => ({ nickname: orUnset(n.nickname) }),
            metadata: (n, o) => ({ metadata: metadataPatch(o.metadata, n.metadata) }),
            active: (n) => ({ active: n.active }),
            taxBehavior: (n) => ({ tax_behavior: n.taxBehavior }),
            lookupKey: (n) => (n.lookupKey === null ? { lookup_key: "" } : { lookup_key: n.lookupKey, transfer_lookup_key: true }),
        });
        if (Object.keys(params).length === 0) return news;
        const { call, stripe } = openStripe(ctx, news, `update price ${id}`);
        const price = await stripeCall(ctx, call, () => stripe.prices.update(id, { ...params, expand: ["tiers"] } as Stripe.PriceUpdateParams));
        return fromApi(news, price);
    },

    async delete(ctx, id, state) {
        const { call, stripe } = openStripe(ctx, state, `archive price ${id}`);
        // Release the lookup key too. If a replacement already took it, clearing it here is a no-op.
        await unlessMissing(ctx, call, () => stripe.prices.update(id, state.lookupKey ? { active: false, lookup_key: "" } : { active: false }));
    },
};

export const priceProvider = dynamicProvider(priceDefinition);

type Tier = { upTo: number | "inf"; unitAmount?: number; unitAmountDecimal?: string; flatAmount?: number; flatAmountDecimal?: string };

export interface StripePriceArgs extends StripeConnectionArgs {
    /** The product's id, usually `product.id`. Changing it replaces the price. */
    product: pulumi.Input<string>;
    /** Three-letter ISO code, any case; stored lower-case as Stripe does. */
    currency: pulumi.Input<string>;
    /** In the smallest unit (2000 for 20.00 EUR); 0 for a free price. Exclusive with unitAmountDecimal. */
    unitAmount?: pulumi.Input<number>;
    unitAmountDecimal?: pulumi.Input<string>;
    /** @default "per_unit" */
    billingScheme?: pulumi.Input<"per_unit" | "tiered">;
    tiersMode?: pulumi.Input<"graduated" | "volume">;
    tiers?: pulumi.Input<Tier[]>;
    /** @example { interval: "month" } */
    recurring?: pulumi.Input<{ interval: "day" | "week" | "month" | "year"; intervalCount?: number; usageType?: "licensed" | "metered"; meter?: string }>;
    transformQuantity?: pulumi.Input<{ divideBy: number; round: "up" | "down" }>;
    /** Moves to this price when another price holds it. */
    lookupKey?: pulumi.Input<string>;
    nickname?: pulumi.Input<string>;
    /** @default "unspecified" */
    taxBehavior?: pulumi.Input<"inclusive" | "exclusive" | "unspecified">;
    /** @default true */
    active?: pulumi.Input<boolean>;
}

export class StripePrice extends pulumi.dynamic.Resource {
    declare readonly product: pulumi.Output<string>;
    declare readonly currency: pulumi.Output<string>;
    declare readonly unitAmount: pulumi.Output<number | null>;
    declare readonly lookupKey: pulumi.Output<string | null>;
    declare readonly active: pulumi.Output<boolean>;

    constructor(name: string, args: StripePriceArgs, opts?: pulumi.CustomResourceOptions) {
        super(priceProvider, name, { ...args, resourceUrn: resourceUrn(name, "stripe", "Price", opts) }, opts, "stripe", "Price");
    }
}
