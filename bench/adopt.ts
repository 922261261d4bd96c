/**
 * Figures for adoption (issue 14): what `npm run adopt` costs on an account with many prices:
 * 1,000 Stripe prices on 100 products, read as adopt reads them (every active price in one
 * paginated listing, then the products), against the emulator. Requests from its counters, wall
 * time as the median of runs. `node bin/bench/adopt.js` after `npm run build`.
 */
import { performance } from "node:perf_hooks";
import { SANDBOX_ENV, SANDBOX_KEYS } from "../sandbox/local-stack";
import { StripeEmulator } from "../sandbox/emulators/stripe";
import { discover } from "../stacks/adopt";
import { median } from "./figures";
import { environmentFor } from "../stacks/environment";

export interface AdoptFigures {
    products: number;
    prices: number;
    requests: Record<string, number>;
    medianMs: number;
    runs: number[];
}

async function post(url: string, form: Record<string, string>): Promise<{ id: string }> {
    const answer = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${SANDBOX_KEYS.stripeSecretKey}`, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(form) });
    if (!answer.ok) throw new Error(`${url}: ${answer.status} ${await answer.text()}`);
    return (await answer.json()) as { id: string };
}

export async function benchAdoptStripe(products = 100, pricesPerProduct = 10, runs = 5): Promise<AdoptFigures> {
    const stripe = new StripeEmulator({ keys: [SANDBOX_KEYS.stripeSecretKey] });
    await stripe.start();
    try {
        for (let p = 0; p < products; p++) {
            const product = await post(`${stripe.url}/v1/products`, { name: `Plan ${p}` });
            for (let i = 0; i < pricesPerProduct; i++) await post(`${stripe.url}/v1/prices`, { product: product.id, currency: "eur", unit_amount: String(100 + i), "recurring[interval]": i % 2 === 0 ? "month" : "year" });
        }
        const target = {
            env: environmentFor("stackwire", "dev"),
            settings: { stripe: { apiBase: stripe.url, allowTestKeyInProd: false, products: {}, webhooks: {} } } as never,
            credentials: { get: (key: string) => (key === "stackwire:stripeSecretKey" ? SANDBOX_ENV.STRIPE_SECRET_KEY : undefined) },
        };
        const times: number[] = [];
        let requests: Record<string, number> = {};
        for (let run = 0; run < runs; run++) {
            stripe.resetCounts();
            const started = performance.now();
            const found = await discover(target);
            times.push(performance.now() - started);
            if (found.found.filter((f) => f.kind === "price").length !== products * pricesPerProduct) throw new Error("adopt did not find every price");
            requests = stripe.requestCounts();
        }
        return { products, prices: products * pricesPerProduct, requests, medianMs: median(times), runs: times };
    } finally {
        await stripe.stop();
    }
}

export function printAdoptFigures(f: AdoptFigures): void {
    const total = Object.values(f.requests).reduce((a, b) => a + b, 0);
    console.log(`\nAdopt: ${f.prices} Stripe prices on ${f.products} products read in ${total} requests (${Object.entries(f.requests).map(([route, n]) => `${route} ×${n}`).join(", ")}); median ${f.medianMs.toFixed(0)} ms over ${f.runs.length} runs (min ${Math.min(...f.runs).toFixed(0)}, max ${Math.max(...f.runs).toFixed(0)}).`);
}

if (require.main === module) {
    benchAdoptStripe()
        .then(printAdoptFigures)
        .catch((err) => {
            console.error(err);
            process.exit(1);
        });
}
