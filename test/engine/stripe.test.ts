/**
 * Stripe products, prices and webhook endpoints through the real dynamic-provider host over
 * gRPC, with providers serialized as `pulumi up` stores them.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { StripePrice } from "../../dynamic-providers/stripe/price";
import { StripeProduct } from "../../dynamic-providers/stripe/product";
import { StripeWebhookEndpoint } from "../../dynamic-providers/stripe/webhook-endpoint";
import { StripeEmulator } from "../../sandbox/emulators/stripe";
import { DynamicProviderHost, serializedProviderOf, wireSecret } from "../../sandbox/engine/host";

const CANARY = "sk_test_canaryEngineKey0123456789abcdef";
const emulator = new StripeEmulator({ keys: [CANARY] });
let host: DynamicProviderHost;
const serialized: Record<"product" | "price" | "webhook", Awaited<ReturnType<typeof serializedProviderOf>>> = {} as never;

before(async () => {
    await emulator.start();
    process.env.STRIPE_SECRET_KEY = CANARY;
    serialized.product = await serializedProviderOf(() => new StripeProduct("pro", { name: "Pro", apiBase: emulator.url }));
    serialized.price = await serializedProviderOf(() => new StripePrice("pro-monthly", { product: "prod_x", currency: "eur", unitAmount: 1, apiBase: emulator.url }));
    serialized.webhook = await serializedProviderOf(() => new StripeWebhookEndpoint("app", { url: "https://a.test", enabledEvents: ["*"], apiBase: emulator.url }));
    delete process.env.STRIPE_SECRET_KEY;
    host = await DynamicProviderHost.start({ STRIPE_SECRET_KEY: "" });
    await host.configure({ "stackwire:stripeSecretKey": wireSecret(CANARY) });
});

after(async () => {
    await host?.stop();
    await emulator.stop();
});

/** check then create, as the engine does for a new resource. */
async function up(kind: keyof typeof serialized, inputs: Record<string, unknown>) {
    const { provider, urn, registered } = serialized[kind];
    const news = { ...inputs, apiBase: emulator.url, resourceUrn: registered.inputs.resourceUrn, __provider: provider };
    const checked = await host.check(urn, {}, news);
    assert.deepEqual(checked.failures, []);
    const created = await host.create(urn, checked.inputs);
    return { ...created, news, urn };
}

async function plan(kind: keyof typeof serialized, id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
    const { urn } = serialized[kind];
    const checked = await host.check(urn, olds, news);
    assert.deepEqual(checked.failures, []);
    return { inputs: checked.inputs, diff: await host.diff(id, urn, olds, checked.inputs) };
}

test("no stored provider carries the key, and each loads only the installed provider code", () => {
    for (const { provider } of Object.values(serialized)) {
        assert.ok(!provider.includes(CANARY));
        const required = new Set([...provider.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]));
        assert.deepEqual([...required], ["@stackwire/providers"]);
        assert.ok(provider.length <= 2048, `${provider.length} bytes`);
    }
});

describe("product", () => {
    test("create, no-op, update, drift, delete without prices", async () => {
        const created = await up("product", { name: "Pro", metadata: { plan: "pro" } });
        assert.match(created.id, /^prod_/);
        assert.equal(emulator.products.get(created.id)?.name, "Pro");

        const same = await plan("product", created.id, created.properties, created.news);
        assert.equal(same.diff.changes, "none");

        const renamed = await plan("product", created.id, created.properties, { ...created.news, name: "Pro plan", description: "For teams" });
        assert.deepEqual(renamed.diff, { changes: "some", replaces: [], deleteBeforeReplace: false });
        const updated = await host.update(created.id, created.urn, created.properties, renamed.inputs);
        assert.equal(emulator.products.get(created.id)?.description, "For teams");

        emulator.products.get(created.id)!.active = false;
        const refreshed = await host.read(created.id, created.urn, updated);
        assert.equal(refreshed.properties.active, false);

        await host.delete(created.id, created.urn, refreshed.properties);
        assert.equal(emulator.products.has(created.id), false);
        assert.equal((await host.read(created.id, created.urn, refreshed.properties)).id, "");
    });
});

describe("price", () => {
    test("create, no-op, replace on a new amount moving the lookup key, archive, product archived", async () => {
        const product = await up("product", { name: "Team" });
        const price = await up("price", { product: product.id, currency: "EUR", unitAmount: 2000, recurring: { interval: "month" }, lookupKey: "team-monthly" });
        assert.equal(emulator.prices.get(price.id)?.lookup_key, "team-monthly");

        const refreshed = await host.read(price.id, price.urn, price.properties);
        assert.equal((await plan("price", price.id, refreshed.properties, price.news)).diff.changes, "none");

        const dearer = await plan("price", price.id, refreshed.properties, { ...price.news, unitAmount: 2500 });
        assert.deepEqual(dearer.diff, { changes: "some", replaces: ["unitAmount"], deleteBeforeReplace: false });
        const replacement = await host.create(price.urn, dearer.inputs);
        await host.delete(price.id, price.urn, refreshed.properties);
        assert.deepEqual(
            [emulator.prices.get(price.id), emulator.prices.get(replacement.id)].map((p) => [p?.active, p?.lookup_key, p?.unit_amount]),
            [
                [false, null, 2000],
                [true, "team-monthly", 2500],
            ],
        );

        const renamed = await plan("price", replacement.id, replacement.properties, { ...price.news, unitAmount: 2500, nickname: "Monthly" });
        assert.deepEqual(renamed.diff.replaces, []);
        await host.update(replacement.id, price.urn, replacement.properties, renamed.inputs);
        assert.equal(emulator.prices.get(replacement.id)?.nickname, "Monthly");

        await host.delete(replacement.id, price.urn, replacement.properties);
        await host.delete(product.id, product.urn, product.properties);
        assert.equal(emulator.prices.get(replacement.id)?.active, false);
        assert.equal(emulator.products.get(product.id)?.active, false, "a product with prices is archived, not deleted");
    });
});

describe("webhook endpoint", () => {
    test("the signing secret is returned, registered as a secret output, and kept through refresh and update", async () => {
        assert.deepEqual(serialized.webhook.registered.additionalSecretOutputs, ["secret"]);
        const created = await up("webhook", { url: "https://app.test/stripe", enabledEvents: ["invoice.paid", "checkout.session.completed"] });
        const secret = created.properties.secret as string;
        assert.match(secret, /^whsec_/);
        assert.equal(secret, emulator.webhookEndpoints.get(created.id)?.secret);

        const refreshed = await host.read(created.id, created.urn, created.properties);
        assert.equal(refreshed.properties.secret, secret);
        assert.equal((await plan("webhook", created.id, refreshed.properties, created.news)).diff.changes, "none");

        const moved = await plan("webhook", created.id, refreshed.properties, { ...created.news, url: "https://app.test/v2/stripe" });
        const updated = await host.update(created.id, created.urn, refreshed.properties, moved.inputs);
        assert.equal(updated.secret, secret);
        assert.equal(emulator.webhookEndpoints.get(created.id)?.url, "https://app.test/v2/stripe");

        await host.delete(created.id, created.urn, updated);
        assert.equal(emulator.webhookEndpoints.size, 0);
        assert.ok(!host.output.includes(CANARY));
    });
});
