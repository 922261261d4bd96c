/**
 * Stripe's contract (stripe/openapi 2026-07-29.dahlia, see test/fidelity/contracts/stripe.json):
 * its request bodies refuse parameters they do not list (additionalProperties: false) and an empty
 * value where the field cannot be unset, so the checker catches both in what a provider sends.
 */
import { describe, expect, it } from "vitest";
import type { Exchange } from "../../sandbox/emulators/frame";
import { ContractChecker, loadContract } from "../fidelity/contract";

const contract = loadContract("stripe");
const checker = new ContractChecker(contract);

function post(route: string, path: string, form: string): Exchange {
    const price = { id: "price_1", object: "price", active: true, billing_scheme: "per_unit", created: 1, currency: "eur", livemode: false, metadata: {}, product: "prod_1", type: "one_time", tiers_mode: null, unit_amount: 1, unit_amount_decimal: "1" };
    return { route, method: "POST", path, params: { id: "price_1" }, query: new URLSearchParams(), requestHeaders: {}, requestBody: Buffer.from(form), status: 200, responseBody: price, responseHeaders: {}, injected: false };
}

describe("Stripe's contract", () => {
    it("comes from Stripe's published spec, with every emulator route matched", () => {
        expect(contract.source).toMatchObject({ repository: "stripe/openapi", version: "2026-07-29.dahlia" });
        expect(contract.unmatched).toEqual([]);
        for (const route of ["POST /v1/products", "POST /v1/products/:id", "POST /v1/prices", "POST /v1/prices/:id", "POST /v1/webhook_endpoints", "POST /v1/webhook_endpoints/:id"]) {
            expect((contract.routes[route].requestBody?.schema as { additionalProperties?: unknown }).additionalProperties).toBe(false);
        }
    });

    it("names a body parameter the operation does not take (an immutable price field sent on update)", () => {
        expect(checker.check(post("POST /v1/prices/:id", "/v1/prices/price_1", "unit_amount=100")).join("\n")).toContain('must NOT have additional properties ("unit_amount")');
    });

    it.each([
        ["a price's lookup key", "POST /v1/prices/:id", "/v1/prices/price_1", "lookup_key=", "/lookup_key"],
        ["a price's nickname", "POST /v1/prices/:id", "/v1/prices/price_1", "nickname=", "/nickname"],
        ["a product's statement descriptor", "POST /v1/products/:id", "/v1/products/prod_1", "statement_descriptor=", "/statement_descriptor"],
    ])("refuses an empty value for %s, which the spec does not let be unset", (_what, route, path, form, field) => {
        expect(checker.check(post(route, path, form))).toContain(`${route.split(" ")[0]} ${path} request: ${field} is "" but the spec does not let this field be emptied`);
    });

    it("takes an empty value where the spec lists it (a product's description and unit label, a price's metadata)", () => {
        const problems = [...checker.check(post("POST /v1/products/:id", "/v1/products/prod_1", "description=&unit_label=")), ...checker.check(post("POST /v1/prices/:id", "/v1/prices/price_1", "metadata="))];
        expect(problems.filter((p) => p.includes("request"))).toEqual([]);
    });

    it("takes an empty value for one metadata key, which Stripe documents as removing that key", () => {
        const problems = checker.check(post("POST /v1/prices/:id", "/v1/prices/price_1", "metadata[plan]="));
        expect(problems.filter((p) => p.includes("request"))).toEqual([]);
    });

    it("names a single value where the spec wants a list, and a list where it wants one value", () => {
        const asScalar = checker.check(post("POST /v1/webhook_endpoints/:id", "/v1/webhook_endpoints/we_1", "enabled_events=invoice.paid")).join("\n");
        expect(asScalar).toContain("/enabled_events must be array");
        const asList = checker.check(post("POST /v1/prices/:id", "/v1/prices/price_1", "nickname[0]=Monthly")).join("\n");
        expect(asList).toContain("/nickname must be string");
    });
});
