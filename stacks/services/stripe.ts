/** Stripe: the catalog (products and prices) and webhook endpoints, with the key's mode checked per environment. */
import { z } from "zod";
import { StripeCatalog, type CatalogPrice, type CatalogProduct, type StripeCatalogArgs } from "../../components/stripe/catalog";
import { stripeSecretKey } from "../../dynamic-providers/stripe/client";
import { checkPriceRules, keyModeOf, priceFieldsShape, productInputSchema, STRIPE_SECRET_KEY_SHAPE, webhookEndpointInputSchema, type KeyMode } from "../../dynamic-providers/stripe/schema";
import { httpUrl } from "../../dynamic-providers/core/validation";
import { dataPolicyOf, type Environment } from "../environment";
import { NAME_RULES, ownerTag, physicalName } from "../naming";
import { adoptionOf, adoptSetting, defineService, logicalName } from "../service";

/** Inputs set by the resource or the stack rather than by the config. */
const CONNECTION = { apiBase: true, keyModes: true, resourceUrn: true } as const;

const price = z
    .object({ ...priceFieldsShape(), adopt: adoptSetting })
    .strict()
    .superRefine(checkPriceRules);
const product = productInputSchema()
    .omit({ ...CONNECTION, archiveOnDelete: true })
    .extend({ prices: z.record(logicalName, price).default({}), adopt: adoptSetting })
    .strict();
const webhook = webhookEndpointInputSchema().omit(CONNECTION).strict();

const section = z
    .object({
        /** Another API base (the sandbox's emulator). @default https://api.stripe.com */
        apiBase: httpUrl().optional(),
        /** Accept a test key in prod (a staging copy of prod, say). */
        allowTestKeyInProd: z.boolean().default(false),
        products: z.record(logicalName, product).default({}),
        webhooks: z.record(logicalName, webhook).default({}),
    })
    .strict();

/** Which key modes a stack accepts: live only in prod, test in prod only when allowed. */
export function stripeKeyModes(env: Environment, allowTestKeyInProd: boolean): KeyMode[] {
    if (!env.allowLiveKeys) return ["test"];
    return allowTestKeyInProd ? ["live", "test"] : ["live"];
}

export interface StripePlan {
    catalog: StripeCatalogArgs;
    /** Each lookup key as written (default `<product>-<price>`) → the product and price holding it. */
    lookupKeys: Record<string, { product: string; price: string; physical: string }>;
}

export const stripeService = defineService({
    key: "stripe",
    section,
    secrets: [{ credential: stripeSecretKey, kindOf: (value) => keyModeOf(value) ?? "malformed" }],

    plan(s, ctx): StripePlan {
        const keyModes = stripeKeyModes(ctx.env, s.allowTestKeyInProd);
        const keyKind = ctx.secretKinds[stripeSecretKey.configKey];
        const key = stripeSecretKey.configKey;
        if (keyKind === "malformed") ctx.problem(key, `must be a Stripe secret or restricted key (${STRIPE_SECRET_KEY_SHAPE})`);
        else if (keyKind === "live" && !keyModes.includes("live")) ctx.problem(key, `is a live key, refused in the ${ctx.env.kind} environment: use a test key (sk_test_…)`);
        else if (keyKind === "test" && !keyModes.includes("test")) ctx.problem(key, "is a test key, refused in prod unless stripe.allowTestKeyInProd is true");

        const lookupKeys: StripePlan["lookupKeys"] = {};
        const products = Object.fromEntries(
            Object.entries(s.products).map(([productName, { prices, ...settings }]): [string, CatalogProduct] => {
                const planned = Object.fromEntries(
                    Object.entries(prices).map(([priceName, { adopt, ...p }]): [string, CatalogPrice] => {
                        // An adopted price keeps the lookup key it has: the config names it as found.
                        if (adopt) return [priceName, { ...p, lookupKey: p.lookupKey ?? null, ...adoptionOf(adopt) }];
                        const written = p.lookupKey ?? `${productName}-${priceName}`;
                        const path = `stripe.products.${productName}.prices.${priceName}.lookupKey`;
                        const holder = lookupKeys[written];
                        if (holder) ctx.problem(path, `"${written}" is already the lookup key of stripe.products.${holder.product}.prices.${holder.price}: lookup keys are unique in a Stripe account`);
                        // Project and stack in the key: stacks sharing an account never take each other's.
                        const physical = ctx.name(path, () => physicalName(ctx.env, written, NAME_RULES.stripeLookupKey));
                        lookupKeys[written] = { product: productName, price: priceName, physical };
                        return [priceName, { ...p, lookupKey: physical }];
                    }),
                );
                const { adopt, ...own } = settings;
                return [productName, { ...own, ...adoptionOf(adopt), prices: planned }];
            }),
        );
        return {
            catalog: { ...(s.apiBase ? { apiBase: s.apiBase } : {}), keyModes, products, webhooks: s.webhooks, owner: ownerTag(ctx.env), policy: dataPolicyOf(ctx.env) },
            lookupKeys,
        };
    },

    build: (plan) => new StripeCatalog("stripe", plan.catalog),
    outputs: (catalog, plan) => ({
        stripeProductIds: catalog.productIds,
        stripePriceIds: catalog.priceIds.apply((ids) => Object.fromEntries(Object.entries(plan.lookupKeys).map(([written, { product, price }]) => [written, ids[product][price]]))),
        stripeLookupKeys: Object.fromEntries(Object.entries(plan.lookupKeys).map(([written, { physical }]) => [written, physical])),
        stripeWebhookSecrets: catalog.webhookSecrets,
    }),
});
