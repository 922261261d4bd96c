/**
 * A Stripe catalog: products with their prices, and webhook endpoints whose URLs may be other
 * components' outputs. Prices are children of their product, so the preview tree reads
 * catalog → product → price.
 */
import * as pulumi from "@pulumi/pulumi";
import { OWNER_METADATA_KEY } from "../../dynamic-providers/core/ownership";
import { StripePrice, type StripePriceArgs } from "../../dynamic-providers/stripe/price";
import { StripeProduct, type StripeProductArgs } from "../../dynamic-providers/stripe/product";
import type { KeyMode } from "../../dynamic-providers/stripe/schema";
import { StripeWebhookEndpoint, type StripeWebhookEndpointArgs } from "../../dynamic-providers/stripe/webhook-endpoint";
import { adoptable, transformed, UNPROTECTED, type Adoptable, type DataPolicy, type Transform } from "../component";

export const STRIPE_CATALOG_TYPE = "stackwire:stripe:Catalog";

/** Metadata key naming the stack that owns an object, visible in the Stripe dashboard. */
export { OWNER_METADATA_KEY };

type Connection = "apiBase" | "keyModes";

export type CatalogPrice = Omit<StripePriceArgs, Connection | "product"> & Adoptable;
export type CatalogProduct = Omit<StripeProductArgs, Connection> & Adoptable & {
    /** Prices by logical name. */
    prices?: Record<string, CatalogPrice>;
};
/** A webhook endpoint; its `url` may be another component's output. */
export type CatalogWebhook = Omit<StripeWebhookEndpointArgs, Connection>;

export interface StripeCatalogArgs {
    /** Another API base, such as an emulator's. @default https://api.stripe.com */
    apiBase?: pulumi.Input<string>;
    /** Key modes the stack accepts: ["live"] in production, ["test"] elsewhere. @default ["test"] */
    keyModes?: KeyMode[];
    /** Products by logical name. */
    products: Record<string, CatalogProduct>;
    /** Webhook endpoints by logical name. */
    webhooks?: Record<string, CatalogWebhook>;
    /** Written into products' and endpoints' metadata (`stackwire_stack`), e.g. "acme/prod". */
    owner?: string;
    /** Products and prices are protected when the policy protects. @default nothing protected */
    policy?: DataPolicy;
    transform?: {
        product?: Transform<StripeProductArgs>;
        price?: Transform<StripePriceArgs>;
        webhook?: Transform<StripeWebhookEndpointArgs>;
    };
}

export class StripeCatalog extends pulumi.ComponentResource {
    /** Product ids by logical product name. */
    public readonly productIds: pulumi.Output<Record<string, string>>;
    /** Price ids by product and price name. */
    public readonly priceIds: pulumi.Output<Record<string, Record<string, string>>>;
    /** Webhook signing secrets by endpoint name; secret. */
    public readonly webhookSecrets: pulumi.Output<Record<string, string>>;
    public readonly webhookIds: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: StripeCatalogArgs, opts?: pulumi.ComponentResourceOptions) {
        super(STRIPE_CATALOG_TYPE, name, {}, opts);
        const products = this.createProducts(name, args);
        const prices = this.createPrices(name, args, products);
        const webhooks = this.createWebhooks(name, args);

        this.productIds = pulumi.output(Object.fromEntries(Object.entries(products).map(([n, p]) => [n, p.id])));
        this.priceIds = pulumi.output(Object.fromEntries(Object.entries(prices).map(([product, byName]) => [product, Object.fromEntries(Object.entries(byName).map(([n, p]) => [n, p.id]))])));
        this.webhookIds = pulumi.output(Object.fromEntries(Object.entries(webhooks).map(([n, endpoint]) => [n, endpoint.id])));
        this.webhookSecrets = pulumi.secret(pulumi.output(Object.fromEntries(Object.entries(webhooks).map(([n, endpoint]) => [n, endpoint.secret]))));
        this.registerOutputs({ productIds: this.productIds, priceIds: this.priceIds, webhookIds: this.webhookIds, webhookSecrets: this.webhookSecrets });
    }

    private connection(args: StripeCatalogArgs) {
        return { ...(args.keyModes ? { keyModes: args.keyModes } : {}), ...(args.apiBase ? { apiBase: args.apiBase } : {}) };
    }

    private ownerMetadata(args: StripeCatalogArgs, metadata: pulumi.Input<Record<string, pulumi.Input<string>> | undefined>) {
        if (!args.owner) return metadata;
        return pulumi.output(metadata ?? {}).apply((m) => ({ ...m, [OWNER_METADATA_KEY]: args.owner! }));
    }

    private createProducts(name: string, args: StripeCatalogArgs): Record<string, StripeProduct> {
        const protect = (args.policy ?? UNPROTECTED).protect;
        return Object.fromEntries(
            Object.entries(args.products).map(([logical, { prices, ...settings }]) => {
                const [product, adoption] = adoptable(settings);
                const productArgs: StripeProductArgs = {
                    ...this.connection(args),
                    // Stripe never deletes a product with prices: archiving is the one call that ends it.
                    archiveOnDelete: Object.keys(prices ?? {}).length > 0,
                    ...product,
                    // An adopted product predates the stack: it is not marked as the stack's.
                    metadata: product.adopt ? product.metadata : this.ownerMetadata(args, product.metadata),
                };
                return [logical, new StripeProduct(...transformed(args.transform?.product, `${name}-${logical}`, productArgs, { parent: this, protect, ...adoption }))];
            }),
        );
    }

    private createPrices(name: string, args: StripeCatalogArgs, products: Record<string, StripeProduct>): Record<string, Record<string, StripePrice>> {
        const protect = (args.policy ?? UNPROTECTED).protect;
        return Object.fromEntries(
            Object.entries(args.products).map(([logical, product]) => [
                logical,
                Object.fromEntries(
                    Object.entries(product.prices ?? {}).map(([priceName, settings]) => {
                        const [price, adoption] = adoptable(settings);
                        const priceArgs: StripePriceArgs = { ...this.connection(args), ...price, product: products[logical].id };
                        return [priceName, new StripePrice(...transformed(args.transform?.price, `${name}-${logical}-${priceName}`, priceArgs, { parent: products[logical], protect, ...adoption }))];
                    }),
                ),
            ]),
        );
    }

    private createWebhooks(name: string, args: StripeCatalogArgs): Record<string, StripeWebhookEndpoint> {
        return Object.fromEntries(
            Object.entries(args.webhooks ?? {}).map(([logical, hook]) => {
                const hookArgs: StripeWebhookEndpointArgs = { ...this.connection(args), ...hook, metadata: this.ownerMetadata(args, hook.metadata) };
                return [logical, new StripeWebhookEndpoint(...transformed(args.transform?.webhook, `${name}-webhook-${logical}`, hookArgs, { parent: this }))];
            }),
        );
    }
}
