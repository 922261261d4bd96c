import { describe, expect, it } from "vitest";
import { StackConfigError, validateStackConfig, type RawStackConfig } from "../../stacks/config";
import { stripeKeyModes } from "../../stacks/services/stripe";
import { environmentFor } from "../../stacks/environment";

const catalog = {
    products: {
        pro: {
            name: "Pro",
            prices: {
                monthly: { currency: "EUR", unitAmount: 2000, recurring: { interval: "month" } },
                yearly: { currency: "eur", unitAmount: 20000, recurring: { interval: "year" } },
            },
        },
        credits: {
            name: "Credits",
            prices: {
                pack: { currency: "usd", unitAmount: 0, nickname: "Free pack" },
                volume: {
                    currency: "usd",
                    billingScheme: "tiered",
                    tiersMode: "volume",
                    tiers: [
                        { upTo: 100, unitAmount: 10 },
                        { upTo: "inf", unitAmount: 8 },
                    ],
                },
            },
        },
    },
    webhooks: { app: { url: "https://app.test/stripe", enabledEvents: ["checkout.session.completed", "invoice.paid"] } },
};

function raw(stripe: unknown, keyKind: string | null = "test"): RawStackConfig {
    return {
        settings: { stripe },
        secretness: { stripe: false, ...(keyKind ? { stripeSecretKey: true } : {}) },
        env: {},
        secretKinds: keyKind ? { stripeSecretKey: keyKind } : {},
    };
}

function problemsOf(input: RawStackConfig, stack = "dev"): string[] {
    try {
        validateStackConfig(input, environmentFor("stackwire", stack));
    } catch (err) {
        expect(err).toBeInstanceOf(StackConfigError);
        return (err as StackConfigError).problems.map((p) => `${p.path}: ${p.rule}${p.received !== undefined ? ` (received ${p.received})` : ""}`);
    }
    throw new Error("config was accepted");
}

describe("a valid Stripe catalog", () => {
    it("plans products, prices with default lookup keys carrying project and stack, and webhooks", () => {
        const config = validateStackConfig(raw(catalog), environmentFor("stackwire", "pr-9"));
        const pro = config.stripe!.catalog.products.pro;
        expect(Object.entries(config.stripe!.lookupKeys).filter(([, k]) => k.product === "pro").map(([written, k]) => [written, k.physical])).toEqual([
            ["pro-monthly", "stackwire-pr-9-pro-monthly"],
            ["pro-yearly", "stackwire-pr-9-pro-yearly"],
        ]);
        expect(pro.prices!.monthly).toMatchObject({ currency: "eur", unitAmount: 2000, lookupKey: "stackwire-pr-9-pro-monthly" });
        expect(config.stripe!.catalog.webhooks!.app.enabledEvents).toEqual(["checkout.session.completed", "invoice.paid"]);
        expect(config.stripe!.catalog.keyModes).toEqual(["test"]);
    });

    it("accepts a live key in prod, and a test key there only when allowed", () => {
        expect(validateStackConfig(raw(catalog, "live"), environmentFor("stackwire", "prod")).stripe!.catalog.keyModes).toEqual(["live"]);
        expect(validateStackConfig(raw({ ...catalog, allowTestKeyInProd: true }, "test"), environmentFor("stackwire", "prod")).stripe!.catalog.keyModes).toEqual(["live", "test"]);
    });

    it("gives each environment its key modes", () => {
        expect(["dev", "staging", "pr-1", "local", "prod"].map((s) => stripeKeyModes(environmentFor("stackwire", s), false))).toEqual([["test"], ["test"], ["test"], ["test"], ["live"]]);
    });
});

describe("an invalid Stripe catalog is rejected naming the field and the rule", () => {
    const withPrice = (price: Record<string, unknown>) => ({ products: { pro: { name: "Pro", prices: { monthly: { currency: "eur", unitAmount: 2000, ...price } } } } });
    it.each([
        ["an unknown currency", withPrice({ currency: "euro" }), /^stripe\.products\.pro\.prices\.monthly\.currency: must be a currency Stripe supports.*received "euro"/],
        ["a fractional amount", withPrice({ unitAmount: 19.99 }), /^stripe\.products\.pro\.prices\.monthly\.unitAmount: must be a whole number of the currency's smallest unit.*received 19\.99/],
        ["an unknown event", { webhooks: { app: { url: "https://a.test/h", enabledEvents: ["invoice.payed"] } } }, /^stripe\.webhooks\.app\.enabledEvents\[0\]: must be a Stripe event type.*received "invoice\.payed"/],
        ["a misspelt price field", withPrice({ unit_amount: 5 }), /^stripe\.products\.pro\.prices\.monthly: Unrecognized key: "unit_amount"/],
        ["a tier list without a last open tier", withPrice({ unitAmount: null, billingScheme: "tiered", tiersMode: "volume", tiers: [{ upTo: 5, unitAmount: 1 }] }), /tiers\[0\]\.upTo: the last tier must go up to "inf"/],
    ])("%s", (_what, stripe, expected) => {
        const problems = problemsOf(raw(stripe));
        expect(problems.some((p) => expected.test(p)), problems.join("\n")).toBe(true);
    });

    it("a lookup key used twice, naming both prices", () => {
        const stripe = {
            products: {
                a: { name: "A", prices: { m: { currency: "eur", unitAmount: 1, lookupKey: "plan" } } },
                b: { name: "B", prices: { m: { currency: "eur", unitAmount: 2, lookupKey: "plan" } } },
            },
        };
        expect(problemsOf(raw(stripe))).toEqual([
            'stripe.products.b.prices.m.lookupKey: "plan" is already the lookup key of stripe.products.a.prices.m: lookup keys are unique in a Stripe account',
        ]);
    });

    it("a live key in dev", () => {
        expect(problemsOf(raw(catalog, "live"))).toEqual(["stripeSecretKey: is a live key, refused in the dev environment: use a test key (sk_test_…)"]);
    });

    it("a test key in prod without the explicit setting", () => {
        expect(problemsOf(raw(catalog, "test"), "prod")).toEqual(["stripeSecretKey: is a test key, refused in prod unless stripe.allowTestKeyInProd is true"]);
    });

    it("a value that is not a Stripe key", () => {
        expect(problemsOf(raw(catalog, "malformed"))).toEqual(["stripeSecretKey: must be a Stripe secret or restricted key (sk_test_…, sk_live_…, rk_test_… or rk_live_…)"]);
    });

    it("no key at all", () => {
        expect(problemsOf(raw(catalog, null))).toEqual([
            "stripeSecretKey: is required: run `pulumi config set --secret stripeSecretKey <value>` or set STRIPE_SECRET_KEY",
        ]);
    });
});
