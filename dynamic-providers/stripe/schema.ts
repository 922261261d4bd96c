/** Zod pieces shared by the Stripe resources and the stack config, built on demand. */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { httpUrl } from "../core/validation";
import { STRIPE_API_BASE, type KeyMode } from "./client";

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
        apiBase: httpUrl("must be an http(s) URL").default(STRIPE_API_BASE),
        keyModes: z.array(z.enum(["test", "live"])).min(1).default(["test"]),
        resourceUrn: z.string().min(1, "is set by the resource class"),
    };
}

/** Args every Stripe resource takes besides its own. */
export interface StripeConnectionArgs {
    /** The API's base URL; the emulator's in tests and the sandbox. Changing it replaces. @default https://api.stripe.com */
    apiBase?: pulumi.Input<string>;
    /** Key modes this stack accepts ("live" only in prod). @default ["test"] */
    keyModes?: pulumi.Input<KeyMode[]>;
    metadata?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}
