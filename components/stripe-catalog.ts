/**
 * The Stripe catalog a stack declares: products with their prices, and webhook endpoints whose
 * URLs may be other components' outputs. Prices are children of their product, so the preview
 * tree reads catalog → product → price.
 */
import * as pulumi from "@pulumi/pulumi";
import type { KeyMode } from "../dynamic-providers/stripe/client";
import { StripePrice, type StripePriceArgs } from "../dynamic-providers/stripe/price";
import { StripeProduct, type StripeProductArgs } from "../dynamic-providers/stripe/product";
import { StripeWebhookEndpoint, type StripeWebhookEndpointArgs } from "../dynamic-providers/stripe/webhook-endpoint";
import type { PlannedProduct, StripeWebhookSettings } from "../stacks/config";
import type { Environment } from "../stacks/environment";
import { applyTransform, type Transform } from "./transform";

export const STRIPE_CATALOG_TYPE = "stackwire:stripe:Catalog";

/** Metadata key naming the stack that owns an object, visible in the Stripe dashboard. */
export const OWNER_METADATA_KEY = "stackwire_stack";

export interface CatalogWebhook {
    name: string;
    /** Where Stripe sends events: a literal or another component's output. */
    url: pulumi.Input<string>;
    settings: Omit<StripeWebhookSettings, "url">;
}

export interface StripeCatalogArgs {
    /** @default https://api.stripe.com */
    apiBase?: pulumi.Input<string>;
    /** Key modes the stack accepts (stacks/config.ts `stripeKeyModes`). */
    keyModes: KeyMode[];
    products: PlannedProduct[];
    webhooks: CatalogWebhook[];
    environment: Environment;
    transform?: {
        product?: Transform<StripeProductArgs>;
        price?: Transform<StripePriceArgs>;
        webhook?: Transform<StripeWebhookEndpointArgs>;
    };
}

export class StripeCatalog extends pulumi.ComponentResource {
    /** Product ids by logical product name. */
    public readonly productIds: pulumi.Output<Record<string, string>>;
    /** Price ids by lookup key as written in the config. */
    public readonly priceIds: pulumi.Output<Record<string, string>>;
    /** Lookup keys as written → lookup keys in Stripe (which carry project and stack). */
    public readonly lookupKeys: Record<string, string>;
    /** Webhook signing secrets by endpoint name; secret. */
    public readonly webhookSecrets: pulumi.Output<Record<string, string>>;
    public readonly webhookIds: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: StripeCatalogArgs, opts?: pulumi.ComponentResourceOptions) {
        super(STRIPE_CATALOG_TYPE, name, {}, opts);
        const owner = `${args.environment.project}/${args.environment.stack}`;
        const products = this.createProducts(name, args, owner);
        const prices = this.createPrices(name, args, products);
        const webhooks = this.createWebhooks(name, args, owner);

        this.productIds = pulumi.output(Object.fromEntries(Object.entries(products).map(([n, p]) => [n, p.id])));
        this.priceIds = pulumi.output(Object.fromEntries(prices.map(({ lookupKey, price }) => [lookupKey, price.id])));
        this.lookupKeys = Object.fromEntries(args.products.flatMap((p) => p.prices.map((price) => [price.lookupKey, price.physicalLookupKey])));
        this.webhookIds = pulumi.output(Object.fromEntries(webhooks.map(({ name: n, endpoint }) => [n, endpoint.id])));
        this.webhookSecrets = pulumi.secret(pulumi.output(Object.fromEntries(webhooks.map(({ name: n, endpoint }) => [n, endpoint.secret]))));
        this.registerOutputs({ productIds: this.productIds, priceIds: this.priceIds, webhookIds: this.webhookIds, webhookSecrets: this.webhookSecrets });
    }

    private connection(args: StripeCatalogArgs) {
        return { keyModes: args.keyModes, ...(args.apiBase ? { apiBase: args.apiBase } : {}) };
    }

    private createProducts(name: string, args: StripeCatalogArgs, owner: string): Record<string, StripeProduct> {
        const protect = args.environment.protectStateful;
        return Object.fromEntries(
            args.products.map((product) => {
                const resourceName = `${name}-${product.name}`;
                const productArgs: StripeProductArgs = { ...this.connection(args), ...product.settings, metadata: { ...product.settings.metadata, [OWNER_METADATA_KEY]: owner } };
                return [product.name, new StripeProduct(resourceName, applyTransform(productArgs, resourceName, args.transform?.product), { parent: this, protect })];
            }),
        );
    }

    private createPrices(name: string, args: StripeCatalogArgs, products: Record<string, StripeProduct>) {
        const protect = args.environment.protectStateful;
        return args.products.flatMap((product) =>
            product.prices.map((price) => {
                const resourceName = `${name}-${product.name}-${price.name}`;
                const { lookupKey: _written, ...settings } = price.settings;
                const priceArgs = {
                    ...this.connection(args),
                    ...settings,
                    product: products[product.name].id,
                    lookupKey: price.physicalLookupKey,
                } as StripePriceArgs;
                const resource = new StripePrice(resourceName, applyTransform(priceArgs, resourceName, args.transform?.price), { parent: products[product.name], protect });
                return { lookupKey: price.lookupKey, price: resource };
            }),
        );
    }

    private createWebhooks(name: string, args: StripeCatalogArgs, owner: string) {
        return args.webhooks.map((hook) => {
            const resourceName = `${name}-webhook-${hook.name}`;
            const hookArgs = {
                ...this.connection(args),
                ...hook.settings,
                url: hook.url,
                metadata: { ...hook.settings.metadata, [OWNER_METADATA_KEY]: owner },
            } as StripeWebhookEndpointArgs;
            return { name: hook.name, endpoint: new StripeWebhookEndpoint(resourceName, applyTransform(hookArgs, resourceName, args.transform?.webhook), { parent: this }) };
        });
    }
}
