/**
 * The fidelity tier: every request the providers send and every answer the emulators give, on
 * the routes stackwire uses, checked against the vendor's published OpenAPI spec (the contract
 * extracted from it). Emulators and providers written from the same assumptions agree with each
 * other; only the spec can say that both are right.
 */
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discover } from "../../stacks/adopt";
import { environmentFor } from "../../stacks/environment";
import { findOwned } from "../../stacks/sweep";
import type { Exchange } from "../../sandbox/emulators/frame";
import { configuredProvider } from "../providers/harness";
import { allScenarios } from "../scenarios";
import type { KindScenario } from "../scenarios/scenario";
import { ContractChecker, loadContract } from "./contract";
import { FIDELITY_VENDORS } from "./vendors";

/** One object of the kind through the whole of its life, as `pulumi up`, refresh and destroy run it. */
async function lifecycle(s: KindScenario): Promise<void> {
    const { provider } = await configuredProvider(s.definition, s.rig.credentials);
    const checked = await provider.check({}, { ...s.rig.connection(), ...(await s.inputs()) });
    expect(checked.failures ?? []).toEqual([]);
    const { id, outs } = await provider.create(checked.inputs);
    const read = await provider.read(id, outs);
    let state = read.props as Record<string, unknown>;
    if (s.change) {
        const news = (await provider.check({}, { ...checked.inputs, ...s.change })).inputs;
        state = (await provider.update(id, state, news)).outs;
    }
    await provider.delete(id, state);
    // Refresh after the object is gone: the API's "not found" answer is part of the contract too.
    const after = await provider.read(id, state);
    if (!s.archivedOnDelete) expect(after.id).toBe("");
}

/**
 * Routes only function code or event receivers call (an execution, a document, an email, an
 * event read back): no resource lifecycle uses them; their own tests check them against the contract.
 */
const CALLED_BY_FUNCTION_CODE = [
    "POST /v1/functions/:fn/executions",
    "POST /v1/databases/:db/collections/:coll/documents",
    // What a receiver reads and what the relay sends: test/providers/emulator-events.test.ts checks them against the contracts.
    "GET /v1/events",
    "GET /v1/events/:id",
    "POST /emails",
    "GET /emails/:id",
];
const vendors = Object.keys(FIDELITY_VENDORS).filter((vendor) => allScenarios().some((s) => s.rig.vendor === vendor));

describe.each(vendors)("%s against its published spec", (vendor) => {
    const scenarios = allScenarios().filter((s) => s.rig.vendor === vendor);
    const rig = scenarios[0].rig;
    const contract = loadContract(vendor);
    const checker = new ContractChecker(contract);
    const exchanges: Exchange[] = [];

    beforeAll(async () => {
        rig.emulator.onExchange = (exchange) => exchanges.push(exchange);
        await rig.emulator.start();
    });
    afterAll(() => rig.emulator.stop());

    it("every route the emulator answers is an operation of the spec", () => {
        expect(contract.unmatched).toEqual([]);
        expect(Object.keys(contract.routes).sort()).toEqual(rig.emulator.routeKeys().sort());
    });

    it.each(scenarios.map((s) => [s.kind, s] as const))("%s: create, refresh, update, delete and refresh conform", async (_kind, s) => {
        const from = exchanges.length;
        await lifecycle(s);
        const problems = exchanges.slice(from).flatMap((e) => checker.check(e));
        expect(problems).toEqual([]);
    });

    it.each(scenarios.map((s) => [s.kind, s] as const))("%s: a create whose answer was lost, and its recovery, conform", async (_kind, s) => {
        const from = exchanges.length;
        const { provider } = await configuredProvider(s.definition, s.rig.credentials);
        const checked = await provider.check({}, { ...s.rig.connection(), ...(await s.inputs()) });
        rig.emulator.inject({ kind: "drop-after-commit", route: s.writes.create });
        const { id, outs } = await provider.create(checked.inputs);
        await provider.delete(id, outs);
        expect(exchanges.slice(from).flatMap((e) => checker.check(e))).toEqual([]);
    });

    it.each(scenarios.filter((s) => s.removeOutOfBand || s.removeParentOutOfBand).map((s) => [s.kind, s] as const))(
        "%s: refresh and destroy of an object deleted out of band (and of one whose parent was) conform",
        async (_kind, s) => {
            const from = exchanges.length;
            for (const remove of [s.removeOutOfBand, s.removeParentOutOfBand]) {
                if (!remove) continue;
                const { provider } = await configuredProvider(s.definition, s.rig.credentials);
                rig.emulator.reset();
                const checked = await provider.check({}, { ...s.rig.connection(), ...(await s.inputs()) });
                const { id, outs } = await provider.create(checked.inputs);
                remove(id);
                expect((await provider.read(id, outs)).id).toBe("");
                await provider.delete(id, outs);
            }
            expect(exchanges.slice(from).flatMap((e) => checker.check(e))).toEqual([]);
        },
    );

    // What `npm run sweep` reads and deletes (stacks/sweep.ts), on a stack's leftovers: lists paged two at a time.
    if (vendor === "stripe") {
        it("the sweep's listings and deletions conform", async () => {
            const from = exchanges.length;
            const stripe = new Stripe(rig.credentials.stripeSecretKey, { host: new URL(rig.emulator.url).hostname, port: Number(new URL(rig.emulator.url).port), protocol: "http" });
            const owned = { metadata: { stackwire_stack: "stackwire/pr-3" } };
            for (const name of ["A", "B", "C"]) {
                const product = await stripe.products.create({ name, ...owned });
                if (name !== "C") await stripe.prices.create({ product: product.id, currency: "eur", unit_amount: 100, recurring: { interval: "month" } });
            }
            await stripe.webhookEndpoints.create({ url: "https://pr-3.example.com/stripe", enabled_events: ["invoice.paid"], ...owned });
            const target = { env: { project: "stackwire", stack: "pr-3" }, settings: { stripe: { apiBase: rig.emulator.url } } as never, credentials: { get: (key: string) => rig.credentials[key.replace(/^stackwire:/, "")] } };
            const { found, unreachable } = await findOwned(target);
            expect(unreachable).toEqual([]);
            expect(found.map((o) => o.kind).sort()).toEqual(["product", "product", "product", "webhook endpoint"]);
            for (const o of found) await o.remove();
            // A delete sent again after a lost answer finds the object gone: done, not a failure.
            for (const o of found) await expect(o.remove()).resolves.toBeUndefined();
            expect((await findOwned(target)).found).toEqual([]);
            await stripe.products.list({ limit: 2, active: false });
            await stripe.prices.list({ limit: 1, active: false, recurring: { interval: "month" }, expand: ["data.tiers"] });
            expect(exchanges.slice(from).flatMap((e) => checker.check(e))).toEqual([]);
        });
    }

    // What `npm run adopt` reads (stacks/adopt.ts): every database, its collections with their attributes and indexes, buckets.
    if (vendor === "appwrite") {
        it("adopt's listings conform", async () => {
            const from = exchanges.length;
            for (const s of scenarios.filter((x) => x.kind === "appwrite:Index" || x.kind === "appwrite:Bucket")) {
                const { provider } = await configuredProvider(s.definition, s.rig.credentials);
                await provider.create((await provider.check({}, { ...s.rig.connection(), ...(await s.inputs()) })).inputs);
            }
            const connection = rig.connection() as { endpoint: string; projectId: string };
            const { found } = await discover({ env: environmentFor("stackwire", "dev"), settings: { appwrite: { ...connection, databases: {}, buckets: {} } } as never, credentials: { get: (key: string) => rig.credentials[key.replace(/^stackwire:/, "")] } });
            expect(found.map((f) => f.kind)).toEqual(expect.arrayContaining(["database", "collection", "attribute", "index", "bucket"]));
            expect(exchanges.slice(from).flatMap((e) => checker.check(e))).toEqual([]);
        });
    }

    it("the lifecycles used every route of the contract", () => {
        const used = new Set(exchanges.map((e) => e.route));
        expect(Object.keys(contract.routes).filter((route) => !used.has(route) && !CALLED_BY_FUNCTION_CODE.includes(route))).toEqual([]);
    });
});
