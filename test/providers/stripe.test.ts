import Stripe from "stripe";
import { startNewRun } from "../../dynamic-providers/core/once";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CONFIG_NAMESPACE } from "../../dynamic-providers/core/credentials";
import { OperationContext } from "../../dynamic-providers/core/provider";
import { STRIPE_API_VERSION } from "../../dynamic-providers/stripe/api-lists";
import { priceDefinition } from "../../dynamic-providers/stripe/price";
import { productDefinition } from "../../dynamic-providers/stripe/product";
import { webhookEndpointDefinition } from "../../dynamic-providers/stripe/webhook-endpoint";
import { StripeEmulator } from "../../sandbox/emulators/stripe";
import { configuredProvider, type ProviderUnderTest } from "./harness";
import { fakeCredential } from "../fake-credential";

const TEST_KEY = "sk_test_emulatorKey0123456789";
const LIVE_KEY = fakeCredential("sk_live_", "emulatorKey0123456789");
// Restricted keys, joined at run time like fakeCredential's (secret scanners take rk_ strings for keys).
const RESTRICTED_KEY = ["rk", "test", "restrictedEmulatorKey0123"].join("_");
const OTHER_ACCOUNT = "acct_1OtherAccountXyz";
const OTHER_ACCOUNT_KEY = "sk_test_otherAccountKey0123456789";
const OTHER_RESTRICTED_KEY = ["rk", "test", "otherAccountRestricted0123"].join("_");
const emulator = new StripeEmulator({ keys: [TEST_KEY, LIVE_KEY, RESTRICTED_KEY], otherAccounts: [{ id: OTHER_ACCOUNT, keys: [OTHER_ACCOUNT_KEY, OTHER_RESTRICTED_KEY] }] });
let conn: { apiBase: string; keyModes: ("test" | "live")[] };

type Providers = { product: ProviderUnderTest; price: ProviderUnderTest; webhook: ProviderUnderTest };
let p: Providers;

async function providers(key = TEST_KEY, policy = {}): Promise<Providers> {
    return {
        product: await configuredProvider(productDefinition, { stripeSecretKey: key }, policy),
        price: await configuredProvider(priceDefinition, { stripeSecretKey: key }, policy),
        webhook: await configuredProvider(webhookEndpointDefinition, { stripeSecretKey: key }, policy),
    };
}

beforeAll(async () => {
    await emulator.start();
    conn = { apiBase: emulator.url, keyModes: ["test"] };
});
afterAll(() => emulator.stop());
beforeEach(async () => {
    startNewRun();
    emulator.reset();
    p = await providers();
});

const urn = (name: string) => `urn:pulumi:dev::stackwire::pulumi-nodejs:dynamic/stripe:Thing::${name}`;

async function checked(subject: ProviderUnderTest, news: Record<string, unknown>) {
    const result = await subject.provider.check({}, { ...conn, resourceUrn: urn("x"), ...news });
    expect(result.failures ?? []).toEqual([]);
    return result.inputs;
}

async function failures(subject: ProviderUnderTest, news: Record<string, unknown>) {
    const result = await subject.provider.check({}, { ...conn, resourceUrn: urn("x"), ...news });
    return (result.failures ?? []).map((f) => `${f.property}: ${f.reason}`);
}

async function product(extra: Record<string, unknown> = {}, name = "pro") {
    const inputs = await checked(p.product, { name: "Pro", resourceUrn: urn(name), ...extra });
    const { id, outs } = await p.product.provider.create(inputs);
    return { id, outs, inputs };
}

async function price(productId: string, extra: Record<string, unknown> = {}, name = "pro-monthly") {
    const inputs = await checked(p.price, { product: productId, currency: "EUR", unitAmount: 2000, recurring: { interval: "month" }, resourceUrn: urn(name), ...extra });
    const { id, outs } = await p.price.provider.create(inputs);
    return { id, outs, inputs };
}

/** A refresh followed by a plan with the same config, as a second `pulumi up` does. */
async function secondUp(subject: ProviderUnderTest, id: string, outs: Record<string, unknown>, inputs: Record<string, unknown>) {
    const read = await subject.provider.read!(id, outs);
    return subject.provider.diff(id, read.props!, inputs);
}

function sdk(): Stripe {
    const url = new URL(emulator.url);
    return new Stripe(TEST_KEY, { host: url.hostname, port: Number(url.port), protocol: "http", maxNetworkRetries: 0 });
}

describe("product", () => {
    it("creates with one write, carrying an idempotency key, and records the account and mode it lives in", async () => {
        const { id, outs } = await product({ description: "Everything", metadata: { plan: "pro" } });
        expect(id).toMatch(/^prod_/);
        expect(outs).toMatchObject({ name: "Pro", description: "Everything", active: true, metadata: { plan: "pro" }, account: emulator.account, livemode: false });
        // Which account the key belongs to is read once, before the write (issue 16: a 404 later is told apart by it).
        expect(emulator.requestCounts()).toEqual({ "GET /v1/account": 1, "POST /v1/products": 1 });
    });

    it.each([
        [{ name: "" }, "name: must not be empty"],
        [{ taxCode: "10103001" }, "taxCode: must be a Stripe tax code"],
        [{ statementDescriptor: "A".repeat(23) }, "statementDescriptor: must be at most 22 characters"],
        [{ statementDescriptor: "Pro*Plan" }, "statementDescriptor: must not contain"],
        [{ statementDescriptor: "12345" }, "statementDescriptor: must contain at least one letter"],
        [{ images: Array.from({ length: 9 }, (_, i) => `https://x.test/${i}.png`) }, "images: Stripe takes at most 8 images"],
        [{ metadata: { "a[b]": "x" } }, "metadata"],
    ])("rejects %j before any request", async (news, expected) => {
        expect((await failures(p.product, { name: "Pro", ...news })).join("\n")).toContain(expected);
        expect(emulator.totalRequests()).toBe(0);
    });

    it("shows no change on a second up", async () => {
        const { id, outs, inputs } = await product({ images: ["https://x.test/a.png"], unitLabel: "seat" });
        expect((await secondUp(p.product, id, outs, inputs)).changes).toBe(false);
    });

    it("updates in place, removing metadata keys and clearing fields left out", async () => {
        const { id, outs } = await product({ description: "Old", metadata: { a: "1", b: "2" }, images: ["https://x.test/a.png"] });
        const news = await checked(p.product, { name: "Pro plan", metadata: { a: "1" }, resourceUrn: urn("pro") });
        const diff = await p.product.provider.diff(id, outs, news);
        expect(diff).toMatchObject({ changes: true, replaces: [] });
        await p.product.provider.update(id, outs, news);
        expect(emulator.products.get(id)).toMatchObject({ name: "Pro plan", description: null, metadata: { a: "1" }, images: [] });
    });

    it("reports a product archived or deleted out of band", async () => {
        const { id, outs } = await product();
        emulator.products.get(id)!.active = false;
        expect((await p.product.provider.read!(id, outs)).props).toMatchObject({ active: false });
        emulator.products.delete(id);
        expect((await p.product.provider.read!(id, outs)).id).toBe("");
    });

    it("is deleted when it has no prices", async () => {
        const { id, outs } = await product();
        await p.product.provider.delete(id, outs);
        expect(emulator.products.has(id)).toBe(false);
    });

    it("is archived, not deleted, when it has prices", async () => {
        const { id, outs } = await product();
        await price(id);
        await p.product.provider.delete(id, outs);
        expect(emulator.products.get(id)).toMatchObject({ active: false });
    });

    it("is archived in one call when the catalog says it has prices", async () => {
        const { id, outs } = await product({ archiveOnDelete: true });
        await price(id);
        emulator.resetCounts();
        await p.product.provider.delete(id, outs);
        expect(emulator.requestCounts()).toEqual({ "POST /v1/products/:id": 1 });
        expect(emulator.products.get(id)).toMatchObject({ active: false });
    });

    it("counts a product already gone as deleted", async () => {
        const { id, outs } = await product();
        emulator.products.delete(id);
        await expect(p.product.provider.delete(id, outs)).resolves.toBeUndefined();
    });

    it("removing a statement descriptor is refused before any request: Stripe cannot unset it", async () => {
        const { outs, inputs } = await product({ statementDescriptor: "STACKWIRE PRO" });
        emulator.resetCounts();
        const result = await p.product.provider.check(inputs, { ...inputs, statementDescriptor: null });
        expect((result.failures ?? []).map((f) => `${f.property}: ${f.reason}`).join("\n")).toMatch(/^statementDescriptor: Stripe cannot remove a product's statement descriptor/);
        // Another value changes in place.
        const news = await checked(p.product, { ...inputs, statementDescriptor: "STACKWIRE TEAM" });
        expect((await p.product.provider.diff("x", outs, news)).replaces).toEqual([]);
        expect(emulator.totalRequests()).toBe(0);
    });

    it("an update never sends an empty statement descriptor, even when the state drifted", async () => {
        const { id, outs, inputs } = await product();
        emulator.products.get(id)!.statement_descriptor = "SET OUT OF BAND";
        const read = await p.product.provider.read!(id, outs);
        const news = await checked(p.product, { ...inputs, name: "Pro plan" });
        const error = await p.product.provider.update(id, read.props!, news).catch((e) => e);
        expect(String(error?.message)).toMatch(/statementDescriptor: Stripe cannot remove a product's statement descriptor/);
        expect(emulator.count("POST /v1/products/:id")).toBe(0);
    });

    it("creates a fresh active product when the replayed one was archived since (same inputs within 24 hours)", async () => {
        const first = await product({ archiveOnDelete: true });
        await p.product.provider.delete(first.id, first.outs);
        expect(emulator.products.get(first.id)).toMatchObject({ active: false });
        const second = await product({ archiveOnDelete: true });
        expect(second.id).not.toBe(first.id);
        expect(second.outs).toMatchObject({ active: true });
        expect(emulator.products.get(second.id)).toMatchObject({ active: true });
    });

    it("leaves exactly one product when the response is lost after the write", async () => {
        emulator.inject({ kind: "drop-after-commit", route: "POST /v1/products" });
        const { id } = await product();
        expect([...emulator.products.keys()]).toEqual([id]);
        expect(emulator.count("POST /v1/products")).toBe(2);
    });

    it("creates a fresh product when the replayed one was deleted since (same inputs within 24 hours)", async () => {
        const first = await product();
        await p.product.provider.delete(first.id, first.outs);
        const second = await product();
        expect(second.id).not.toBe(first.id);
        expect(emulator.products.has(second.id)).toBe(true);
    });

    it("waits out 429 and retries 500 with the same idempotency key", async () => {
        emulator.inject({ kind: "rate-limit", retryAfterSeconds: 2 });
        emulator.inject({ kind: "server-error" });
        await product();
        expect(emulator.products.size).toBe(1);
        expect(p.product.sleeps[0]).toBeGreaterThanOrEqual(2000);
    });

    it("refuses a live key outside prod and a test key in prod, before any request", async () => {
        p = await providers(LIVE_KEY);
        await expect(p.product.provider.create(await checked(p.product, { name: "Pro" }))).rejects.toThrow(/live Stripe key is refused outside the prod environment/);
        p = await providers(TEST_KEY);
        await expect(p.product.provider.create(await checked(p.product, { name: "Pro", keyModes: ["live"] }))).rejects.toThrow(/test Stripe key is refused in prod.*allowTestKeyInProd/);
        expect(emulator.totalRequests()).toBe(0);
    });

    it("accepts a test key in prod when the stack allows it", async () => {
        const inputs = await checked(p.product, { name: "Pro", keyModes: ["live", "test"] });
        await expect(p.product.provider.create(inputs)).resolves.toMatchObject({ id: expect.stringMatching(/^prod_/) });
    });

    it("fails on a revoked key with Stripe's message, once, and without the key", async () => {
        p = await providers("sk_test_revokedKey99999999");
        const error = await p.product.provider.create(await checked(p.product, { name: "Pro" })).catch((e) => e);
        expect(error).toMatchObject({ name: "ProviderError", status: 401 });
        expect(error.message).toMatch(/Invalid API Key provided/);
        expect(error.message).not.toContain("sk_test_revokedKey99999999");
        expect(error.requestId).toMatch(/^req_/);
        expect(emulator.totalRequests()).toBe(1);
    });
});

describe("price", () => {
    it.each([
        [{ currency: "eu" }, "currency: must be a currency Stripe supports"],
        [{ currency: "xyz" }, "currency: must be a currency Stripe supports"],
        [{ unitAmount: 19.99 }, "unitAmount: must be a whole number of the currency's smallest unit"],
        [{ unitAmount: -1 }, "unitAmount: must not be negative"],
        [{ unitAmount: 100, unitAmountDecimal: "100" }, "unitAmountDecimal: set unitAmount or unitAmountDecimal, not both"],
        [{ unitAmount: null }, "unitAmount: is required for a per-unit price"],
        [{ billingScheme: "tiered", unitAmount: null, tiersMode: "graduated" }, "tiers: are required for a tiered price"],
        [{ billingScheme: "tiered", unitAmount: null, tiersMode: "volume", tiers: [{ upTo: 10, unitAmount: 5 }] }, 'tiers[0].upTo: the last tier must go up to "inf"'],
        [{ billingScheme: "tiered", unitAmount: null, tiersMode: "volume", tiers: [{ upTo: 10, unitAmount: 5 }, { upTo: 5, unitAmount: 4 }, { upTo: "inf", unitAmount: 3 }] }, "tiers[1].upTo: must be greater than the tier before"],
        [{ recurring: { interval: "month", intervalCount: 37 } }, "recurring.intervalCount: must be at most 36"],
        [{ recurring: { interval: "month", usageType: "metered" } }, "recurring.meter: is required for a metered price"],
        [{ recurring: { interval: "fortnight" } }, "recurring.interval"],
        [{ product: "pro" }, "product: must be a product id"],
    ])("rejects %j before any request", async (news, expected) => {
        const found = await failures(p.price, { product: "prod_x", currency: "eur", unitAmount: 2000, ...news });
        expect(found.join("\n")).toContain(expected);
        expect(emulator.totalRequests()).toBe(0);
    });

    it("normalises what Stripe normalises: currency case, free price of 0, defaults", async () => {
        const inputs = await checked(p.price, { product: "prod_x", currency: "EUR", unitAmount: 0 });
        expect(inputs).toMatchObject({ currency: "eur", unitAmount: 0, billingScheme: "per_unit", taxBehavior: "unspecified", active: true, metadata: {} });
    });

    it("creates a monthly price holding its lookup key, in one write (the key's account read once a run, here by the product)", async () => {
        const prod = await product();
        emulator.resetCounts();
        const { id, outs } = await price(prod.id, { lookupKey: "pro-monthly" });
        expect(emulator.prices.get(id)).toMatchObject({ currency: "eur", unit_amount: 2000, lookup_key: "pro-monthly", recurring: { interval: "month", interval_count: 1 } });
        expect(outs).toMatchObject({ lookupKey: "pro-monthly", unitAmount: 2000, unitAmountDecimal: null, account: prod.outs.account });
        expect(emulator.requestCounts()).toEqual({ "POST /v1/prices": 1 });
    });

    it.each([
        ["an integer amount (Stripe adds its decimal twin)", { unitAmount: 2000 }],
        ["a decimal amount written with trailing zeros", { unitAmount: null, unitAmountDecimal: "0.50" }],
        ["graduated tiers (Stripe returns them only when expanded)", { unitAmount: null, billingScheme: "tiered", tiersMode: "graduated", tiers: [{ upTo: 10, unitAmount: 500 }, { upTo: "inf", unitAmount: 400, flatAmount: 100 }] }],
        ["a one-time price with quantity transform", { recurring: null, transformQuantity: { divideBy: 10, round: "up" } }],
        ["a yearly price with tax behaviour", { recurring: { interval: "year" }, taxBehavior: "exclusive", nickname: "Yearly" }],
    ])("shows no change on a second up for %s", async (_what, extra) => {
        const prod = await product();
        const { id, outs, inputs } = await price(prod.id, extra);
        emulator.resetCounts();
        expect((await secondUp(p.price, id, outs, inputs)).changes).toBe(false);
        expect(emulator.requestCounts()).toEqual({ "GET /v1/prices/:id": 1 });
    });

    it("changing the amount creates one new price, moves the lookup key, and archives the old one", async () => {
        const prod = await product();
        const old = await price(prod.id, { lookupKey: "pro-monthly" });
        const news = await checked(p.price, { product: prod.id, currency: "eur", unitAmount: 2500, recurring: { interval: "month" }, lookupKey: "pro-monthly", resourceUrn: urn("pro-monthly") });
        const diff = await p.price.provider.diff(old.id, old.outs, news);
        expect(diff).toMatchObject({ changes: true, replaces: ["unitAmount"], deleteBeforeReplace: false });

        // The engine's replacement order: create the new one, then delete the old one.
        const created = await p.price.provider.create(news);
        expect(emulator.prices.get(created.id)).toMatchObject({ unit_amount: 2500, lookup_key: "pro-monthly", active: true });
        expect(emulator.prices.get(old.id)).toMatchObject({ lookup_key: null, active: true });
        await p.price.provider.delete(old.id, old.outs);

        expect(emulator.prices.size).toBe(2);
        expect(emulator.prices.get(old.id)).toMatchObject({ active: false, lookup_key: null });
        expect(emulator.prices.get(created.id)).toMatchObject({ active: true, lookup_key: "pro-monthly" });
    });

    it.each([
        ["currency", { currency: "usd" }, ["currency"]],
        ["recurring interval", { recurring: { interval: "year" } }, ["recurring"]],
        ["product", { product: "prod_other" }, ["product"]],
        ["nickname", { nickname: "Monthly" }, []],
        ["metadata", { metadata: { tier: "pro" } }, []],
        ["lookup key", { lookupKey: "pro" }, []],
        ["active", { active: false }, []],
        ["a first tax behaviour", { taxBehavior: "inclusive" }, []],
    ])("changing %s replaces %j", async (_what, change, replaces) => {
        const prod = await product();
        const old = await price(prod.id);
        const news = await checked(p.price, { ...old.inputs, ...change });
        expect((await p.price.provider.diff(old.id, old.outs, news)).replaces).toEqual(replaces);
    });

    it("replaces a price whose tax behaviour was already set, since Stripe refuses to change it", async () => {
        const prod = await product();
        const old = await price(prod.id, { taxBehavior: "exclusive" });
        const news = await checked(p.price, { ...old.inputs, taxBehavior: "inclusive" });
        expect((await p.price.provider.diff(old.id, old.outs, news)).replaces).toEqual(["taxBehavior"]);
    });

    it("updates nickname, metadata, lookup key and active in place with one request", async () => {
        const prod = await product();
        const old = await price(prod.id, { metadata: { a: "1" }, lookupKey: "k1" });
        await price(prod.id, { lookupKey: "k2", unitAmount: 100 }, "other");
        emulator.resetCounts();
        const news = await checked(p.price, { ...old.inputs, nickname: "Monthly", metadata: { b: "2" }, lookupKey: "k2", active: false });
        const { outs } = await p.price.provider.update(old.id, old.outs, news);
        expect(outs).toMatchObject({ nickname: "Monthly", metadata: { b: "2" }, lookupKey: "k2", active: false });
        expect(emulator.prices.get(old.id)).toMatchObject({ nickname: "Monthly", metadata: { b: "2" }, lookup_key: "k2", active: false });
        expect(emulator.requestCounts()).toEqual({ "POST /v1/prices/:id": 1 });
    });

    it("reports drift: archived out of band, lookup key taken by another price", async () => {
        const prod = await product();
        const { id, outs } = await price(prod.id, { lookupKey: "pro-monthly" });
        emulator.prices.get(id)!.active = false;
        emulator.prices.get(id)!.lookup_key = null;
        const read = await p.price.provider.read!(id, outs);
        expect(read.props).toMatchObject({ active: false, lookupKey: null });
    });

    it("leaves exactly one price when the response is lost after the write", async () => {
        const prod = await product();
        emulator.inject({ kind: "drop-after-commit", route: "POST /v1/prices" });
        const { id } = await price(prod.id);
        expect([...emulator.prices.keys()]).toEqual([id]);
        expect(emulator.count("POST /v1/prices")).toBe(2);
    });

    it("changing an amount and changing it back gives an active price, not the archived replay", async () => {
        const prod = await product();
        const first = await price(prod.id);
        await p.price.provider.delete(first.id, first.outs);
        const again = await price(prod.id);
        expect(again.id).not.toBe(first.id);
        expect(emulator.prices.get(again.id)).toMatchObject({ active: true });
    });

    it("changing back and forth three times within a day still ends on a fresh active price", async () => {
        const prod = await product();
        const seen = new Set<string>();
        for (let cycle = 0; cycle < 3; cycle++) {
            const current = await price(prod.id);
            expect(seen.has(current.id)).toBe(false);
            expect(emulator.prices.get(current.id)).toMatchObject({ active: true });
            seen.add(current.id);
            await p.price.provider.delete(current.id, current.outs);
        }
    });

    it("destroying a price that holds a lookup key archives it without trying to unset the key", async () => {
        const prod = await product();
        const { id, outs } = await price(prod.id, { lookupKey: "pro-monthly" });
        await p.price.provider.delete(id, outs);
        // Stripe refuses lookup_key="" (it cannot be unset); the archived price keeps its key and a
        // later price takes it with transfer_lookup_key.
        expect(emulator.prices.get(id)).toMatchObject({ active: false, lookup_key: "pro-monthly" });
        const again = await price(prod.id, { lookupKey: "pro-monthly", unitAmount: 2500 }, "again");
        expect(emulator.prices.get(again.id)).toMatchObject({ active: true, lookup_key: "pro-monthly" });
        expect(emulator.prices.get(id)).toMatchObject({ lookup_key: null });
    });

    it.each([
        ["lookup key", { lookupKey: "pro-monthly" }, { lookupKey: null }, ["lookupKey"]],
        ["nickname", { nickname: "Monthly" }, { nickname: null }, ["nickname"]],
    ])("removing the %s replaces the price, since Stripe cannot unset it", async (_what, set, cleared, replaces) => {
        const prod = await product();
        const old = await price(prod.id, set);
        const news = await checked(p.price, { ...old.inputs, ...cleared });
        expect((await p.price.provider.diff(old.id, old.outs, news)).replaces).toEqual(replaces);
        // The engine's replacement: the new price without it, then the old one archived.
        const created = await p.price.provider.create(news);
        await p.price.provider.delete(old.id, old.outs);
        expect(emulator.prices.get(created.id)).toMatchObject({ active: true, lookup_key: null, nickname: null });
        expect(emulator.prices.get(old.id)).toMatchObject({ active: false });
    });

    it("an update never sends an empty lookup key or nickname", async () => {
        const prod = await product();
        const old = await price(prod.id, { lookupKey: "pro-monthly", nickname: "Monthly" });
        const news = await checked(p.price, { ...old.inputs, lookupKey: null, nickname: null, metadata: { a: "1" } });
        const error = await p.price.provider.update(old.id, old.outs, news).catch((e) => e);
        expect(String(error?.message)).toMatch(/Stripe cannot remove a price's (lookup key|nickname)/);
        expect(emulator.count("POST /v1/prices/:id")).toBe(0);
    });

    it("archive counts a price already gone as done", async () => {
        const prod = await product();
        const { id, outs } = await price(prod.id);
        emulator.prices.delete(id);
        await expect(p.price.provider.delete(id, outs)).resolves.toBeUndefined();
    });
});

describe("webhook endpoint", () => {
    const events = ["invoice.paid", "checkout.session.completed", "invoice.paid"];

    async function endpoint(extra: Record<string, unknown> = {}) {
        const inputs = await checked(p.webhook, { url: "https://app.test/stripe", enabledEvents: events, resourceUrn: urn("app"), ...extra });
        const { id, outs } = await p.webhook.provider.create(inputs);
        return { id, outs, inputs };
    }

    it.each([
        [{ enabledEvents: ["invoice.paid", "invoice.payed"] }, "enabledEvents[1]: must be a Stripe event type"],
        [{ enabledEvents: [] }, "enabledEvents: must list at least one event"],
        [{ url: "stripe-hook" }, "url: must be the http(s) URL"],
        [{ apiVersion: "2019-13-45" }, "apiVersion: must be a Stripe API version"],
    ])("rejects %j before any request", async (news, expected) => {
        expect((await failures(p.webhook, { url: "https://app.test/stripe", enabledEvents: ["invoice.paid"], ...news })).join("\n")).toContain(expected);
        expect(emulator.totalRequests()).toBe(0);
    });

    it("returns the signing secret at creation, which Stripe never shows again", async () => {
        const { id, outs } = await endpoint();
        expect(outs.secret).toMatch(/^whsec_/);
        expect(outs.enabledEvents).toEqual(["checkout.session.completed", "invoice.paid"]);
        const fetched = await sdk().webhookEndpoints.retrieve(id);
        expect(fetched.secret).toBeUndefined();
    });

    it("keeps the secret through refresh and update", async () => {
        const { id, outs, inputs } = await endpoint();
        const read = await p.webhook.provider.read!(id, outs);
        expect(read.props!.secret).toBe(outs.secret);
        const news = await checked(p.webhook, { ...inputs, url: "https://app.test/v2/stripe", enabledEvents: ["*"] });
        expect((await p.webhook.provider.diff(id, read.props!, news)).replaces).toEqual([]);
        const updated = await p.webhook.provider.update(id, read.props!, news);
        expect(updated.outs).toMatchObject({ url: "https://app.test/v2/stripe", enabledEvents: ["*"], secret: outs.secret });
        expect(emulator.webhookEndpoints.get(id)).toMatchObject({ url: "https://app.test/v2/stripe", enabled_events: ["*"] });
    });

    it("shows no change on a second up whatever the order of events", async () => {
        const { id, outs } = await endpoint({ apiVersion: STRIPE_API_VERSION });
        const reordered = await checked(p.webhook, { url: "https://app.test/stripe", enabledEvents: [...events].reverse(), apiVersion: STRIPE_API_VERSION, resourceUrn: urn("app") });
        expect((await secondUp(p.webhook, id, outs, reordered)).changes).toBe(false);
    });

    it("is created disabled when asked, with a second request", async () => {
        const { id, outs } = await endpoint({ disabled: true });
        expect(outs).toMatchObject({ disabled: true, status: "disabled" });
        expect(emulator.webhookEndpoints.get(id)!.status).toBe("disabled");
        expect(emulator.requestCounts()).toEqual({ "GET /v1/account": 1, "POST /v1/webhook_endpoints": 1, "POST /v1/webhook_endpoints/:id": 1 });
    });

    it("replaces on a new API version, which Stripe fixes at creation", async () => {
        const { id, outs, inputs } = await endpoint();
        const news = await checked(p.webhook, { ...inputs, apiVersion: STRIPE_API_VERSION });
        expect((await p.webhook.provider.diff(id, outs, news)).replaces).toEqual(["apiVersion"]);
    });

    it("keeps the secret when the creation answer is lost and replayed", async () => {
        emulator.inject({ kind: "drop-after-commit", route: "POST /v1/webhook_endpoints" });
        const { outs } = await endpoint();
        expect(emulator.webhookEndpoints.size).toBe(1);
        expect(outs.secret).toBe([...emulator.webhookEndpoints.values()][0].secret);
    });

    it("deletes, and counts an endpoint already gone as deleted", async () => {
        const { id, outs } = await endpoint();
        await p.webhook.provider.delete(id, outs);
        expect(emulator.webhookEndpoints.size).toBe(0);
        await expect(p.webhook.provider.delete(id, outs)).resolves.toBeUndefined();
        expect((await p.webhook.provider.read!(id, outs)).id).toBe("");
    });
});

describe("outputs the engine can carry", () => {
    function context(): OperationContext {
        return new OperationContext("stripe", { get: (key) => (key === `${CONFIG_NAMESPACE}:stripeSecretKey` ? TEST_KEY : undefined) }, { sleep: async () => undefined });
    }

    function undefinedPaths(value: unknown, at = "outs"): string[] {
        if (value === undefined) return [at];
        if (Array.isArray(value)) return value.flatMap((v, i) => undefinedPaths(v, `${at}[${i}]`));
        if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => undefinedPaths(v, `${at}.${k}`));
        return [];
    }

    it("a webhook endpoint whose state has no signing secret reads and updates without an undefined output", async () => {
        const inputs = await checked(p.webhook, { url: "https://app.test/stripe", enabledEvents: ["invoice.paid"], resourceUrn: urn("app") });
        const { id, outs } = await p.webhook.provider.create(inputs);
        // State written without the secret (an earlier build, a hand-edited state): Stripe never shows it again.
        const { secret: _secret, ...withoutSecret } = outs;
        const read = await webhookEndpointDefinition.read(context(), id, withoutSecret as never);
        expect(undefinedPaths(read)).toEqual([]);
        const news = await checked(p.webhook, { ...inputs, description: "app" });
        expect(undefinedPaths(await webhookEndpointDefinition.update(context(), id, withoutSecret as never, news as never))).toEqual([]);
        expect(undefinedPaths(await webhookEndpointDefinition.update(context(), id, withoutSecret as never, { ...withoutSecret, ...news } as never))).toEqual([]);
    });

    it("no Stripe kind returns an undefined output from create, read or update", async () => {
        const prod = await product({ description: "d", taxCode: "txcd_10103001", statementDescriptor: "PRO", unitLabel: "seat", url: "https://x.test" });
        const pr = await price(prod.id, { lookupKey: "k", nickname: "n", transformQuantity: { divideBy: 10, round: "up" }, recurring: null });
        const tiered = await price(prod.id, { unitAmount: null, billingScheme: "tiered", tiersMode: "graduated", tiers: [{ upTo: 10, unitAmount: 500 }, { upTo: "inf", flatAmountDecimal: "0.5" }] }, "tiered");
        const hook = await p.webhook.provider.create(await checked(p.webhook, { url: "https://app.test/stripe", enabledEvents: ["*"], resourceUrn: urn("app") }));
        for (const [definition, made] of [[productDefinition, prod], [priceDefinition, pr], [priceDefinition, tiered], [webhookEndpointDefinition, hook]] as const) {
            expect(undefinedPaths(made.outs)).toEqual([]);
            expect(undefinedPaths(await (definition as typeof productDefinition).read(context(), made.id, made.outs as never))).toEqual([]);
        }
        const updated = await productDefinition.update(context(), prod.id, prod.outs as never, { ...prod.inputs, name: "Pro 2" } as never);
        expect(undefinedPaths(updated)).toEqual([]);
    });
});

describe("the emulator behaves as Stripe does", () => {
    it("keeps a cursor's place when its object left the filter meanwhile: prices archived while paging through active ones", async () => {
        const prod = await product();
        const made = [];
        for (let n = 0; n < 3; n++) made.push((await price(prod.id, {}, `paged-${n}`)).id);
        const seen: string[] = [];
        for await (const p of sdk().prices.list({ product: prod.id, active: true, limit: 1 })) {
            seen.push(p.id);
            await sdk().prices.update(p.id, { active: false });
        }
        expect(seen.sort()).toEqual([...made].sort());
        await expect(sdk().prices.list({ product: prod.id, starting_after: "price_noSuchPrice0000" })).rejects.toMatchObject({ statusCode: 400, code: "resource_missing" });
    });

    it("refuses to change an immutable price field, as an unknown parameter", async () => {
        const prod = await product();
        const { id } = await price(prod.id);
        await expect(sdk().prices.update(id, { unit_amount: 1 } as never)).rejects.toMatchObject({ statusCode: 400, code: "parameter_unknown", param: "unit_amount" });
    });

    it("refuses a lookup key another price holds unless it is transferred", async () => {
        const prod = await product();
        await price(prod.id, { lookupKey: "taken" });
        await expect(sdk().prices.create({ product: prod.id, currency: "eur", unit_amount: 1, lookup_key: "taken" })).rejects.toThrow(/already uses that lookup key/);
    });

    it("answers the same idempotency key with other parameters with an idempotency error", async () => {
        await sdk().products.create({ name: "A" }, { idempotencyKey: "k-1" });
        await expect(sdk().products.create({ name: "B" }, { idempotencyKey: "k-1" })).rejects.toMatchObject({ type: "StripeIdempotencyError" });
    });

    it("refuses to delete a product with prices", async () => {
        const prod = await product();
        await price(prod.id);
        await expect(sdk().products.del(prod.id)).rejects.toThrow(/cannot be deleted because it has one or more user-created prices/);
    });

    it.each([
        ["a price's lookup key", async (id: string) => sdk().prices.update(id, { lookup_key: "" }), "lookup_key"],
        ["a price's nickname", async (id: string) => sdk().prices.update(id, { nickname: "" }), "nickname"],
        ["a product's statement descriptor", async (_id: string, productId: string) => sdk().products.update(productId, { statement_descriptor: "" }), "statement_descriptor"],
    ])("refuses an empty value for %s, which Stripe cannot unset", async (_what, send, param) => {
        const prod = await product();
        const { id } = await price(prod.id, { lookupKey: "k", nickname: "n" });
        await expect(send(id, prod.id)).rejects.toMatchObject({ statusCode: 400, code: "parameter_invalid_empty", param, message: expect.stringContaining(`'${param}' cannot be unset`) });
    });

    it("takes an empty value where the spec lets a field be unset (a product's description and metadata)", async () => {
        const prod = await product({ description: "d", metadata: { a: "1" } });
        await expect(sdk().products.update(prod.id, { description: "", metadata: "" })).resolves.toMatchObject({ description: null, metadata: {} });
    });

    it("accepts the key as HTTP basic auth user with an empty password, as `curl -u sk_test_…:` sends it", async () => {
        const basic = (userinfo: string) => fetch(`${emulator.url}/v1/products`, { method: "POST", headers: { authorization: `Basic ${Buffer.from(userinfo).toString("base64")}`, "content-type": "application/x-www-form-urlencoded" }, body: "name=Pro" });
        const ok = await basic(`${TEST_KEY}:`);
        expect(ok.status).toBe(200);
        expect(await ok.json()).toMatchObject({ object: "product", name: "Pro", livemode: false });
        expect((await basic("sk_test_unknownKey000000:")).status).toBe(401);
        const bearer = await fetch(`${emulator.url}/v1/products`, { method: "POST", headers: { authorization: `Bearer ${TEST_KEY}`, "content-type": "application/x-www-form-urlencoded" }, body: "name=Pro" });
        expect(bearer.status).toBe(200);
        expect((await fetch(`${emulator.url}/v1/products/x`)).status).toBe(401);
    });

    it("answers tiers only for a tiered price, never as null, even when expanded", async () => {
        const prod = await product();
        const { id } = await price(prod.id);
        const fetched = await sdk().prices.retrieve(id, { expand: ["tiers"] });
        expect("tiers" in fetched).toBe(false);
        expect(fetched.tiers_mode).toBeNull();
    });

    it("answers only the lists the providers, receivers and the sweep use", async () => {
        // GET /v1/account is the key's own account, not a list; GET /v1/events is what a receiver
        // reads back; products, prices and endpoints are what `npm run sweep` lists.
        expect(emulator.routeKeys().filter((key) => key.startsWith("GET") && !key.endsWith("/:id"))).toEqual(["GET /v1/account", "GET /v1/products", "GET /v1/prices", "GET /v1/webhook_endpoints", "GET /v1/events"]);
    });
});

describe("not found means gone only when it is gone (issue 16)", () => {
    type Kind = keyof Providers;
    /** One object of each kind, made with the test key. */
    async function made(kind: Kind, extra: Record<string, unknown> = {}) {
        if (kind === "product") return product(extra);
        if (kind === "price") return price((await product()).id, extra);
        const inputs = await checked(p.webhook, { url: "https://app.test/stripe", enabledEvents: ["invoice.paid"], resourceUrn: urn("app"), ...extra });
        const { id, outs } = await p.webhook.provider.create(inputs);
        return { id, outs, inputs };
    }
    const remove = (kind: Kind, id: string) => (kind === "product" ? emulator.products : kind === "price" ? emulator.prices : emulator.webhookEndpoints).delete(id);
    const held = (kind: Kind, id: string) => (kind === "product" ? emulator.products : kind === "price" ? emulator.prices : emulator.webhookEndpoints).has(id);
    const kinds: Kind[] = ["product", "price", "webhook"];

    it.each(kinds)("%s: another account's key fails refresh and destroy naming stripeSecretKey and its account, at one extra call each", async (kind) => {
        const { id, outs } = await made(kind);
        const blind = (await providers(OTHER_ACCOUNT_KEY))[kind];
        emulator.resetCounts();
        const read = await blind.provider.read(id, outs).catch((e) => e);
        expect(read.message).toMatch(/stripeSecretKey/);
        expect(read.message).toContain(`is a key of Stripe account ${OTHER_ACCOUNT}`);
        expect(read.message).toContain(emulator.account);
        expect(emulator.count("GET /v1/account")).toBe(1);
        emulator.resetCounts();
        await expect(blind.provider.delete(id, outs)).rejects.toThrow(/stripeSecretKey/);
        expect(emulator.count("GET /v1/account")).toBe(1);
        expect(emulator.totalRequests()).toBe(2);
        expect(held(kind, id)).toBe(true);
    });

    it.each(kinds)("%s: deleted out of band, refresh drops it and destroy succeeds, each at one extra call", async (kind) => {
        const { id, outs } = await made(kind);
        remove(kind, id);
        emulator.resetCounts();
        expect((await p[kind].provider.read(id, outs)).id).toBe("");
        expect(emulator.totalRequests()).toBe(2);
        emulator.resetCounts();
        await expect(p[kind].provider.delete(id, outs)).resolves.toBeUndefined();
        expect(emulator.requestCounts()).toMatchObject({ "GET /v1/account": 1 });
        expect(emulator.totalRequests()).toBe(2);
    });

    it.each(kinds)("%s: a refresh that finds it costs no extra call", async (kind) => {
        const { id, outs } = await made(kind);
        emulator.resetCounts();
        expect((await p[kind].provider.read(id, outs)).id).toBe(id);
        expect(emulator.totalRequests()).toBe(1);
        expect(emulator.count("GET /v1/account")).toBe(0);
    });

    it("a price whose product is gone too is gone: its check is the account, not the product", async () => {
        // The API never deletes a product that has prices (400 "cannot be deleted because it has one or
        // more user-created prices"); both may still vanish out of band (the Dashboard, a deleted test mode).
        const prod = await product();
        const { id, outs } = await price(prod.id);
        emulator.prices.delete(id);
        emulator.products.delete(prod.id);
        emulator.resetCounts();
        expect((await p.price.provider.read(id, outs)).id).toBe("");
        await expect(p.price.provider.delete(id, outs)).resolves.toBeUndefined();
        expect(emulator.requestCounts()).toEqual({ "GET /v1/prices/:id": 1, "POST /v1/prices/:id": 1, "GET /v1/account": 2 });
    });

    it("a test key asking for a live object fails with Stripe's own words, and no extra call", async () => {
        p = await providers(LIVE_KEY);
        const live = await product({ keyModes: ["live", "test"] });
        expect(live.outs).toMatchObject({ livemode: true, account: emulator.account });
        p = await providers(TEST_KEY);
        emulator.resetCounts();
        const read = await p.product.provider.read(live.id, live.outs).catch((e) => e);
        expect(read.message).toMatch(/stripeSecretKey is a test-mode key, and Stripe says product prod_\w+ exists in live mode/);
        await expect(p.product.provider.delete(live.id, live.outs)).rejects.toThrow(/stripeSecretKey/);
        expect(emulator.count("GET /v1/account")).toBe(0);
        expect(emulator.products.get(live.id)).toMatchObject({ active: true });
    });

    it("the emulator answers a key of the other mode as Stripe does: 404 naming the mode the object lives in", async () => {
        const { id } = await product();
        const url = new URL(emulator.url);
        const live = new Stripe(LIVE_KEY, { host: url.hostname, port: Number(url.port), protocol: "http", maxNetworkRetries: 0 });
        const error = await live.products.retrieve(id).catch((e) => e);
        expect(error).toMatchObject({ statusCode: 404, code: "resource_missing", param: "id" });
        expect(error.message).toBe(`No such product: '${id}'; a similar object exists in test mode, but a live mode key was used to make this request.`);
    });

    it("a key whose mode differs from the state's fails before asking for the account, even if Stripe's message says nothing of modes", async () => {
        const { id, outs } = await product();
        emulator.products.delete(id);
        p = await providers(LIVE_KEY);
        emulator.resetCounts();
        const inState = { ...outs, keyModes: ["live", "test"] };
        await expect(p.product.provider.read(id, inState)).rejects.toThrow(/stripeSecretKey is a live-mode key, and product prod_\w+ was made in test mode/);
        expect(emulator.count("GET /v1/account")).toBe(0);
    });

    it("a restricted key, which Stripe never lets read its account, is placed by the account its refusal names", async () => {
        p = await providers(RESTRICTED_KEY);
        const { id, outs } = await product();
        expect(outs.account).toBe(emulator.account);
        emulator.products.delete(id);
        expect((await p.product.provider.read(id, outs)).id).toBe("");
        const other = (await providers(OTHER_RESTRICTED_KEY)).product;
        const kept = await product({}, "kept");
        await expect(other.provider.read(kept.id, kept.outs)).rejects.toThrow(new RegExp(`stripeSecretKey is a key of Stripe account ${OTHER_ACCOUNT}`));
    });

    it("the emulator refuses GET /v1/account to a restricted key with the 403 that names the account", async () => {
        const url = new URL(emulator.url);
        const restricted = new Stripe(RESTRICTED_KEY, { host: url.hostname, port: Number(url.port), protocol: "http", maxNetworkRetries: 0 });
        const error = await restricted.accounts.retrieveCurrent().catch((e) => e);
        expect(error).toMatchObject({ statusCode: 403, type: "StripePermissionError" });
        expect(error.message).toMatch(new RegExp(`on account '${emulator.account}'\\. This is a restricted API key`));
        expect(error.message).not.toContain(RESTRICTED_KEY);
        expect((await sdk().accounts.retrieveCurrent()).id).toBe(emulator.account);
    });

    it("state written before the account was recorded still leaves when the object is gone, and keeps it otherwise", async () => {
        const { id, outs } = await product();
        const { account: _account, livemode: _livemode, ...older } = outs as Record<string, unknown>;
        expect((await p.product.provider.read(id, older)).props).not.toHaveProperty("account");
        emulator.products.delete(id);
        expect((await p.product.provider.read(id, older)).id).toBe("");
    });

    it("an update keeps where the object lives in the state", async () => {
        const { id, outs, inputs } = await product();
        const news = await checked(p.product, { ...inputs, name: "Pro plan" });
        expect((await p.product.provider.update(id, outs, news)).outs).toMatchObject({ account: emulator.account, livemode: false });
        const price_ = await price(id);
        const priceNews = await checked(p.price, { ...price_.inputs, nickname: "Monthly" });
        expect((await p.price.provider.update(price_.id, price_.outs, priceNews)).outs).toMatchObject({ account: emulator.account, livemode: false });
    });

    it("an answer about another object fails the refresh and the destroy: nothing of it enters the state", async () => {
        const { id, outs } = await product();
        // The emulator answers "prod_alias" with the other product, as a misrouted request would be.
        emulator.products.set("prod_alias", emulator.products.get(id)!);
        await expect(p.product.provider.read("prod_alias", outs)).rejects.toThrow(new RegExp(`asked for product "prod_alias" and was answered about "${id}"`));
        await expect(p.product.provider.delete("prod_alias", { ...outs, archiveOnDelete: true })).rejects.toThrow(/was answered about/);
    });
});
