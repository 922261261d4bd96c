/**
 * The Stripe catalog component under Pulumi mocks, from a config with several products and
 * prices. Imported from bin/ because it holds dynamic providers (see supabase-storage.test.ts).
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type * as Catalog from "../../components/stripe/catalog";
import type * as StripeService from "../../stacks/services/stripe";
import type * as Config from "../../stacks/config";
import type * as Environments from "../../stacks/environment";
import type * as Graph from "./mock-graph";

const load = createRequire(join(process.cwd(), "package.json"));
const { StripeCatalog, STRIPE_CATALOG_TYPE } = load("./bin/components/stripe/catalog") as typeof Catalog;
const { stripeService } = load("./bin/stacks/services/stripe") as typeof StripeService;
const { validateStackConfig } = load("./bin/stacks/config") as typeof Config;
const { environmentFor } = load("./bin/stacks/environment") as typeof Environments;
const { recordGraph, settled, isSecretValue } = load("./bin/test/unit/mock-graph") as typeof Graph;
const pulumi = load("@pulumi/pulumi") as typeof import("@pulumi/pulumi");

const PRODUCT = "pulumi-nodejs:dynamic/stripe:Product";
const PRICE = "pulumi-nodejs:dynamic/stripe:Price";

const settings = {
    products: {
        pro: {
            name: "Pro",
            description: "For teams",
            prices: {
                monthly: { currency: "EUR", unitAmount: 2000, recurring: { interval: "month" } },
                yearly: { currency: "EUR", unitAmount: 20000, recurring: { interval: "year" }, lookupKey: "pro-annual" },
            },
        },
        credits: {
            name: "Credits",
            prices: {
                pack: { currency: "eur", unitAmount: 500 },
                volume: { currency: "eur", billingScheme: "tiered", tiersMode: "graduated", tiers: [{ upTo: 1000, unitAmount: 2 }, { upTo: "inf", unitAmount: 1 }] },
            },
        },
    },
    webhooks: { app: { url: "https://placeholder.test/hook", enabledEvents: ["checkout.session.completed"] } },
};

/** Stands for another component's resource whose output becomes the webhook URL. */
class ApiService extends pulumi.CustomResource {
    declare readonly url: import("@pulumi/pulumi").Output<string>;
    constructor(name: string, url: string) {
        super("test:index:Api", name, { url });
    }
}

function catalogIn(stack: string, keyKind = stack === "prod" ? "live" : "test") {
    const graph = recordGraph("stackwire", stack);
    const environment = environmentFor("stackwire", stack);
    const plan = validateStackConfig({ settings: { stripe: settings }, secretness: { stripe: false, stripeSecretKey: true }, env: {}, secretKinds: { stripeSecretKey: keyKind } }, environment).stripe!;
    // The webhook URL comes from another resource's output, as an app's API URL would.
    const api = new ApiService("api", "https://api.acme.test");
    const url = pulumi.interpolate`${api.url}/stripe/webhook`;
    const catalog = new StripeCatalog("stripe", { ...plan.catalog, apiBase: "http://127.0.0.1:12111", webhooks: { app: { ...plan.catalog.webhooks!.app, url } } });
    return { graph, catalog, plan };
}

describe("StripeCatalog", () => {
    it("creates every product, price and webhook with prices under their product", async () => {
        const { graph, catalog, plan } = catalogIn("dev");
        const outputs = stripeService.outputs!(catalog, plan);
        const [priceIds, productIds, byLookupKey] = await settled(catalog.priceIds, catalog.productIds, pulumi.output(outputs.stripePriceIds));
        expect(graph.named("stripe").type).toBe(STRIPE_CATALOG_TYPE);
        expect(graph.byType(PRODUCT).map((r) => r.name).sort()).toEqual(["stripe-credits", "stripe-pro"]);
        expect(graph.byType(PRICE).map((r) => r.name).sort()).toEqual(["stripe-credits-pack", "stripe-credits-volume", "stripe-pro-monthly", "stripe-pro-yearly"]);
        expect(graph.named("stripe-pro-monthly").parent).toContain(`${PRODUCT}::stripe-pro`);
        expect(graph.named("stripe-pro").parent).toContain(`${STRIPE_CATALOG_TYPE}::stripe`);
        expect(graph.named("stripe-webhook-app").parent).toContain(`${STRIPE_CATALOG_TYPE}::stripe`);
        expect(productIds).toEqual({ pro: "stripe-pro-id", credits: "stripe-credits-id" });
        expect(priceIds).toEqual({ pro: { monthly: "stripe-pro-monthly-id", yearly: "stripe-pro-yearly-id" }, credits: { pack: "stripe-credits-pack-id", volume: "stripe-credits-volume-id" } });
        // The stack outputs key prices by their lookup keys as written.
        expect(byLookupKey).toEqual({
            "pro-monthly": "stripe-pro-monthly-id",
            "pro-annual": "stripe-pro-yearly-id",
            "credits-pack": "stripe-credits-pack-id",
            "credits-volume": "stripe-credits-volume-id",
        });
        expect((outputs.stripeLookupKeys as Record<string, string>)["pro-annual"]).toBe("stackwire-dev-pro-annual");
    });

    it("gives children no dependency on the component, which would make siblings wait on each other", async () => {
        const { graph, catalog } = catalogIn("dev");
        await settled(catalog.priceIds);
        for (const r of graph.resources.filter((r) => r.custom)) {
            expect(r.dependencies.filter((urn) => urn.endsWith(`${STRIPE_CATALOG_TYPE}::stripe`))).toEqual([]);
        }
    });

    it("hands each price its product's id, its physical lookup key and the stack's key modes", async () => {
        const { graph, catalog } = catalogIn("dev");
        await settled(catalog.priceIds);
        const monthly = graph.named("stripe-pro-monthly");
        expect(monthly.inputs).toMatchObject({
            product: "stripe-pro-id",
            currency: "eur",
            unitAmount: 2000,
            recurring: { interval: "month", intervalCount: 1, usageType: "licensed" },
            lookupKey: "stackwire-dev-pro-monthly",
            keyModes: ["test"],
            apiBase: "http://127.0.0.1:12111",
        });
        expect(monthly.dependencies.some((urn) => urn.endsWith("::stripe-pro"))).toBe(true);
        expect(String(monthly.inputs.resourceUrn)).toBe(`urn:pulumi:dev::stackwire::${STRIPE_CATALOG_TYPE}$${PRODUCT}$${PRICE}::stripe-pro-monthly`);
        expect(graph.named("stripe-credits-volume").inputs).toMatchObject({ billingScheme: "tiered", tiersMode: "graduated" });
        // No unit amount: nothing registered, so the provider's default (null) applies.
        expect(graph.named("stripe-credits-volume").inputs).not.toHaveProperty("unitAmount");
    });

    it("asks products with prices to be archived on destroy, since Stripe refuses to delete them", async () => {
        const { graph, catalog } = catalogIn("dev");
        await settled(catalog.priceIds);
        for (const product of graph.byType(PRODUCT)) expect(product.inputs.archiveOnDelete).toBe(true);
    });

    it("marks products with the owning stack, visible in the Stripe dashboard", async () => {
        const { graph, catalog } = catalogIn("staging");
        await settled(catalog.productIds);
        expect(graph.named("stripe-pro").inputs.metadata).toEqual({ stackwire_stack: "stackwire/staging" });
    });

    it("feeds the webhook URL from another resource's output and keeps the signing secret secret", async () => {
        const { graph, catalog } = catalogIn("dev");
        await settled(catalog.webhookIds);
        const hook = graph.named("stripe-webhook-app");
        expect(hook.inputs).toMatchObject({ url: "https://api.acme.test/stripe/webhook", enabledEvents: ["checkout.session.completed"] });
        expect(hook.dependencies.some((urn) => urn.endsWith("::api"))).toBe(true);
        expect(hook.additionalSecretOutputs).toEqual(["secret"]);
        expect(await pulumi.isSecret(catalog.webhookSecrets)).toBe(true);
    });

    it("in prod protects products and prices and accepts only live keys", async () => {
        const { graph, catalog } = catalogIn("prod");
        await settled(catalog.priceIds);
        for (const r of [...graph.byType(PRODUCT), ...graph.byType(PRICE)]) expect(r.protect).toBe(true);
        expect(graph.named("stripe-pro-monthly").inputs.keyModes).toEqual(["live"]);
    });

    it("in a preview stack leaves everything unprotected", async () => {
        const { graph, catalog } = catalogIn("pr-4");
        await settled(catalog.priceIds);
        for (const r of graph.resources.filter((r) => r.custom)) expect(r.protect).toBe(false);
        expect(graph.named("stripe-pro-monthly").inputs.lookupKey).toBe("stackwire-pr-4-pro-monthly");
    });

    it("never puts a key in any registered input", async () => {
        process.env.STRIPE_SECRET_KEY = "sk_test_canaryKey0123456789abcdef";
        try {
            const { graph, catalog } = catalogIn("dev");
            await settled(catalog.priceIds, catalog.webhookIds);
            const text = JSON.stringify(graph.resources.map((r) => r.inputs));
            expect(text).not.toContain("sk_test_canaryKey0123456789abcdef");
            expect(isSecretValue(graph.named("stripe-pro").inputs.name)).toBe(false);
        } finally {
            delete process.env.STRIPE_SECRET_KEY;
        }
    });
});
