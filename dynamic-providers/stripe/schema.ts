/**
 * Shapes and rules of Stripe objects, built on demand: the stack config and the providers' check
 * use the same ones.
 */
import { z } from "zod";
import { httpUrl } from "../core/validation";
import { STRIPE_API_VERSIONS, STRIPE_EVENT_TYPES } from "./api-lists";

export const STRIPE_API_BASE = "https://api.stripe.com";

export type KeyMode = "test" | "live";

/** Secret (sk_) and restricted (rk_) keys say their mode in the prefix. */
export const STRIPE_SECRET_KEY_PATTERN = /^(sk|rk)_(test|live)_[0-9A-Za-z]{10,}$/;
export const STRIPE_SECRET_KEY_SHAPE = "sk_test_…, sk_live_…, rk_test_… or rk_live_…";

export function keyModeOf(key: string): KeyMode | undefined {
    const match = STRIPE_SECRET_KEY_PATTERN.exec(key);
    return match ? (match[2] as KeyMode) : undefined;
}

/** Stripe documents only the length of a lookup key. */
export const LOOKUP_KEY_MAX = 200;

/**
 * Currencies Stripe accepts for prices (its list of supported presentment currencies, lower
 * case, without ISO codes since withdrawn such as EEK, HRK, LTL, LVL, MRO, STD, VEF).
 */
export const STRIPE_CURRENCIES: readonly string[] = (
    "aed afn all amd ang aoa ars aud awg azn bam bbd bdt bgn bif bmd bnd bob brl bsd bwp bzd cad cdf chf clp cny cop crc cve " +
    "czk djf dkk dop dzd egp etb eur fjd fkp gbp gel gip gmd gnf gtq gyd hkd hnl htg huf idr ils inr isk jmd jpy kes kgs khr " +
    "kmf krw kyd kzt lak lbp lkr lrd lsl mad mdl mga mkd mnt mop mur mvr mwk mxn myr mzn nad ngn nio nok npr nzd pab pen pgk " +
    "php pkr pln pyg qar ron rsd rub rwf sar sbd scr sek sgd shp sll sos srd svc szl thb tjs top try ttd twd tzs uah ugx usd " +
    "uyu uzs vnd vuv wst xaf xcd xof xpf yer zar zmw"
).split(" ");

/** Stripe's largest amount in the smallest currency unit (eight digits). */
export const MAX_AMOUNT = 99_999_999;

export function currencySchema() {
    return z
        .string()
        .toLowerCase()
        .refine((c) => STRIPE_CURRENCIES.includes(c), "must be a currency Stripe supports, as a three-letter ISO code such as eur or usd");
}

export function amountSchema() {
    return z
        .number()
        .int("must be a whole number of the currency's smallest unit (cents for EUR: 20.00 EUR is 2000)")
        .min(0, "must not be negative (a free price is 0)")
        .max(MAX_AMOUNT, `must be at most ${MAX_AMOUNT}`);
}

/** Up to 12 decimal places of the smallest unit, as Stripe's *_decimal fields. */
export function decimalAmountSchema() {
    return z.string().regex(/^\d{1,8}(\.\d{1,12})?$/, 'must be a decimal of the smallest unit with at most 12 decimal places, e.g. "0.5"');
}

/** Stripe's metadata limits: 50 keys, keys up to 40 characters without brackets, values up to 500. */
export function metadataSchema() {
    return z
        .record(
            z.string().min(1).max(40, "metadata keys must be at most 40 characters").regex(/^[^[\]]+$/, "metadata keys must not contain square brackets"),
            z.string().max(500, "metadata values must be at most 500 characters"),
        )
        .refine((m) => Object.keys(m).length <= 50, "must have at most 50 keys")
        .default({});
}

/** The inputs every Stripe resource carries. */
export function connectionShape() {
    return {
        apiBase: httpUrl().default(STRIPE_API_BASE),
        keyModes: z.array(z.enum(["test", "live"])).min(1).default(["test"]),
        resourceUrn: z.string().min(1, "is set by the resource class"),
    };
}

/** Stripe allows schedules of up to three years. */
export const MAX_INTERVAL_COUNT = { day: 1095, week: 156, month: 36, year: 3 } as const;

/** "0.50" and "0.5" are the same decimal; Stripe answers with the short form. */
export function normaliseDecimal(value: string): string {
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
        lookupKey: z.string().min(1).max(LOOKUP_KEY_MAX, `must be at most ${LOOKUP_KEY_MAX} characters`).nullable().default(null),
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

/** Characters Stripe refuses in statement descriptors. */
const DESCRIPTOR_FORBIDDEN = /[<>\\'"*]/;

export function productInputSchema() {
    return z.object({
        ...connectionShape(),
        name: z.string().trim().min(1, "must not be empty"),
        description: z.string().min(1).nullable().default(null),
        active: z.boolean().default(true),
        metadata: metadataSchema(),
        images: z.array(httpUrl()).max(8, "Stripe takes at most 8 images").default([]),
        taxCode: z.string().regex(/^txcd_\d{8}$/, "must be a Stripe tax code such as txcd_10103001").nullable().default(null),
        statementDescriptor: z
            .string()
            .max(22, "must be at most 22 characters")
            .refine((s) => !DESCRIPTOR_FORBIDDEN.test(s), "must not contain < > \\ ' \" or *")
            .refine((s) => /[A-Za-z]/.test(s), "must contain at least one letter")
            .nullable()
            .default(null),
        unitLabel: z.string().max(12, "must be at most 12 characters").nullable().default(null),
        url: httpUrl().nullable().default(null),
        /** Archive rather than delete on destroy: Stripe never deletes a product that has prices. */
        archiveOnDelete: z.boolean().default(false),
    });
}

export type ProductInputs = z.output<ReturnType<typeof productInputSchema>>;

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
