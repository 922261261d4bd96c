/** Stripe's kinds against the Stripe emulator (added with the trust work of issue 11). */
import { priceDefinition } from "../../dynamic-providers/stripe/price";
import { productDefinition } from "../../dynamic-providers/stripe/product";
import { webhookEndpointDefinition } from "../../dynamic-providers/stripe/webhook-endpoint";
import { StripeEmulator } from "../../sandbox/emulators/stripe";
import { configuredProvider } from "../providers/harness";
import type { KindScenario, VendorRig } from "./scenario";

const KEY = "sk_test_emulatorStripeKey0123456789";
/** A test key of another Stripe account: Stripe accepts it and answers it as if the objects did not exist. */
const OTHER_ACCOUNT_KEY = "sk_test_otherAccountStripeKey0123456789";

export function stripeScenarios(): KindScenario[] {
    const emulator = new StripeEmulator({ keys: [KEY], otherAccounts: [{ id: "acct_1OtherAccountXyz", keys: [OTHER_ACCOUNT_KEY] }] });
    /** Stripe scopes every object to its account: another account's key gets 404 resource_missing "No such product: 'prod_…'" (sandbox/emulators/stripe.ts, `missing`). */
    const blind = { credentials: { stripeSecretKey: OTHER_ACCOUNT_KEY }, answers: "404 resource_missing \"No such …: '…'\", as for an object that never existed" };
    const credentials = { stripeSecretKey: KEY };
    const rig: VendorRig = { vendor: "stripe", emulator, credentials, connection: () => ({ apiBase: emulator.url, keyModes: ["test"] }) };
    /** Ids of live objects: delete archives prices (and products that have prices), which then no longer count. */
    const active = (objects: Map<string, Record<string, unknown>>) => [...objects.values()].filter((o) => o.active !== false).map((o) => o.id as string);

    /** The product a price belongs to, made through its own provider as the catalog would. */
    async function parentProduct(): Promise<string> {
        const { provider } = await configuredProvider(productDefinition, credentials);
        const checked = await provider.check({}, { ...rig.connection(), name: "Pro", resourceUrn: "urn:pulumi:dev::stackwire::stripe:Product::pro" });
        return (await provider.create(checked.inputs)).id;
    }

    return [
        {
            kind: "stripe:Product",
            rig,
            definition: productDefinition,
            inputs: async () => ({
                name: "Pro",
                description: "For teams",
                metadata: { plan: "pro" },
                statementDescriptor: "STACKWIRE PRO",
                unitLabel: "seat",
                url: "https://app.example/pro",
                resourceUrn: "urn:pulumi:dev::stackwire::stripe:Product::pro",
            }),
            // Fields Stripe lets a product update unset with "" are cleared here.
            change: { name: "Pro plan", description: null, unitLabel: null, url: null, metadata: { plan: "pro", tier: "2" } },
            writes: { create: "POST /v1/products", update: "POST /v1/products/:id", delete: "DELETE /v1/products/:id" },
            held: () => active(emulator.products),
            blind,
            removeOutOfBand: (id) => void emulator.products.delete(id),
        },
        {
            kind: "stripe:Price",
            rig,
            definition: priceDefinition,
            inputs: async () => ({
                product: await parentProduct(),
                currency: "eur",
                unitAmount: 2000,
                recurring: { interval: "month" },
                lookupKey: "stackwire-dev-pro-monthly",
                nickname: "Monthly",
                metadata: { plan: "pro" },
                resourceUrn: "urn:pulumi:dev::stackwire::stripe:Price::pro-monthly",
            }),
            change: { nickname: "Monthly (EUR)", lookupKey: "stackwire-dev-pro-monthly-eur", metadata: { plan: "pro", billing: "monthly" } },
            // Prices cannot be deleted: delete archives with an update.
            writes: { create: "POST /v1/prices", update: "POST /v1/prices/:id", delete: "POST /v1/prices/:id" },
            held: () => active(emulator.prices),
            archivedOnDelete: true,
            blind,
            // The API cannot delete a price; the Dashboard deletes one never used.
            removeOutOfBand: (id) => void emulator.prices.delete(id),
        },
        {
            kind: "stripe:WebhookEndpoint",
            rig,
            definition: webhookEndpointDefinition,
            inputs: async () => ({
                url: "https://app.example/stripe/webhook",
                enabledEvents: ["checkout.session.completed", "invoice.paid"],
                description: "stackwire app",
                metadata: { app: "web" },
                resourceUrn: "urn:pulumi:dev::stackwire::stripe:WebhookEndpoint::app",
            }),
            change: { enabledEvents: ["checkout.session.completed", "customer.subscription.deleted", "invoice.paid"], description: null },
            writes: { create: "POST /v1/webhook_endpoints", update: "POST /v1/webhook_endpoints/:id", delete: "DELETE /v1/webhook_endpoints/:id" },
            held: () => [...emulator.webhookEndpoints.keys()],
            blind,
            removeOutOfBand: (id) => void emulator.webhookEndpoints.delete(id),
            verify: (id, outs) => {
                if (emulator.webhookEndpoints.get(id)?.secret !== outs.secret) throw new Error(`the signing secret in the outputs is not webhook endpoint ${id}'s`);
            },
        },
    ];
}
