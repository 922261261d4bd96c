/**
 * Requests to Stripe per object for a catalog of products and prices: create, no-op up,
 * refresh, price replacement (new price first, then the old one archived) and destroy.
 */
import { dynamicProvider } from "../dynamic-providers/core/provider";
import { priceDefinition } from "../dynamic-providers/stripe/price";
import { productDefinition } from "../dynamic-providers/stripe/product";
import { StripeEmulator } from "../sandbox/emulators/stripe";
import { measure, type StepFigure } from "./figures";

const KEY = "sk_test_benchKey0123456789";

interface Managed {
    name: string;
    id: string;
    outs: Record<string, unknown>;
    inputs: Record<string, unknown>;
}

export async function benchStripeCatalog(productCount: number, pricesPerProduct: number): Promise<StepFigure[]> {
    const emulator = new StripeEmulator({ keys: [KEY] });
    await emulator.start();
    const config = { config: { get: (k: string) => (k === "stackwire:stripeSecretKey" ? KEY : undefined) } } as never;
    const products = dynamicProvider(productDefinition, { sleep: async () => undefined });
    const prices = dynamicProvider(priceDefinition, { sleep: async () => undefined });
    await products.configure!(config);
    await prices.configure!(config);
    const connection = { apiBase: emulator.url, keyModes: ["test"] };
    const urn = (name: string) => `urn:pulumi:bench::stackwire::stripe::${name}`;
    const figures: StepFigure[] = [];

    const productList: Managed[] = Array.from({ length: productCount }, (_, i) => ({ name: `product-${i}`, id: "", outs: {}, inputs: {} }));
    const priceList: Managed[] = [];

    await measure(figures, emulator, "create products", productList, async (p) => {
        p.inputs = (await products.check!({}, { ...connection, resourceUrn: urn(p.name), name: `Product ${p.name}`, metadata: { plan: p.name }, archiveOnDelete: pricesPerProduct > 0 })).inputs;
        const created = await products.create(p.inputs);
        Object.assign(p, { id: created.id, outs: created.outs });
        for (let j = 0; j < pricesPerProduct; j++) priceList.push({ name: `${p.name}-price-${j}`, id: p.id, outs: {}, inputs: {} });
    });
    const priceInputs = async (price: Managed, unitAmount: number) =>
        (await prices.check!({}, { ...connection, resourceUrn: urn(price.name), product: price.id, currency: "eur", unitAmount, recurring: { interval: "month" }, lookupKey: price.name })).inputs;
    await measure(figures, emulator, "create prices", priceList, async (price) => {
        price.inputs = await priceInputs(price, 1000);
        const created = await prices.create(price.inputs);
        Object.assign(price, { id: created.id, outs: created.outs });
    });
    await measure(figures, emulator, "no-op up, products (check + diff)", productList, async (p) => {
        if ((await products.diff!(p.id, p.outs, p.inputs)).changes) throw new Error("bench: product changed on a no-op up");
    });
    await measure(figures, emulator, "no-op up, prices (check + diff)", priceList, async (price) => {
        if ((await prices.diff!(price.id, price.outs, await priceInputs({ ...price, id: price.inputs.product as string }, 1000))).changes) throw new Error("bench: price changed on a no-op up");
    });
    await measure(figures, emulator, "refresh products", productList, async (p) => {
        await products.read!(p.id, p.outs);
    });
    await measure(figures, emulator, "refresh prices", priceList, async (price) => {
        await prices.read!(price.id, price.outs);
    });
    await measure(figures, emulator, "price replacement (new amount)", priceList, async (price) => {
        const news = await priceInputs({ ...price, id: price.inputs.product as string }, 1200);
        const diff = await prices.diff!(price.id, price.outs, news);
        if (!diff.replaces?.includes("unitAmount")) throw new Error("bench: a new amount did not replace the price");
        const created = await prices.create(news);
        await prices.delete!(price.id, price.outs);
        Object.assign(price, { id: created.id, outs: created.outs, inputs: news });
    });
    await measure(figures, emulator, "destroy prices (archive)", priceList, async (price) => {
        await prices.delete!(price.id, price.outs);
    });
    await measure(figures, emulator, "destroy products (have prices: archive)", productList, async (p) => {
        await products.delete!(p.id, p.outs);
    });
    await emulator.stop();
    return figures;
}
