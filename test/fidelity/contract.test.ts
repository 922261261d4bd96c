/** The contract checker itself: it must catch what the spec forbids, or the tier proves nothing. */
import { describe, expect, it } from "vitest";
import type { Exchange } from "../../sandbox/emulators/frame";
import { ContractChecker, loadContract } from "./contract";

function exchange(partial: Partial<Exchange> & Pick<Exchange, "route" | "method" | "path" | "status">): Exchange {
    return { params: {}, query: new URLSearchParams(), requestHeaders: {}, requestBody: Buffer.alloc(0), responseBody: undefined, responseHeaders: {}, injected: false, ...partial };
}
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

describe("ContractChecker on Resend's spec", () => {
    const checker = new ContractChecker(loadContract("resend"));

    it("accepts a create the spec describes", () => {
        const ok = exchange({ route: "POST /api-keys", method: "POST", path: "/api-keys", status: 201, requestBody: json({ name: "k", permission: "sending_access" }), responseBody: { id: "1", token: "re_x" } });
        expect(checker.check(ok)).toEqual([]);
    });

    it("names a value outside the spec's enum, a missing required field and an undocumented status", () => {
        const bad = exchange({ route: "POST /api-keys", method: "POST", path: "/api-keys", status: 200, requestBody: json({ permission: "admin" }), responseBody: { id: "1" } });
        const problems = checker.check(bad).join("\n");
        expect(problems).toContain("must have required property 'name'");
        expect(problems).toContain("/permission must be equal to one of the allowed values");
        expect(problems).toContain("status 200 is not among the spec's (201)");
    });

    it("names a query parameter the operation does not take, and a limit out of range", () => {
        const query = new URLSearchParams({ limit: "500", sort: "name" });
        const problems = checker.check(exchange({ route: "GET /api-keys", method: "GET", path: "/api-keys", status: 200, query, responseBody: { object: "list", data: [] } })).join("\n");
        expect(problems).toContain('query parameter "sort" is not in the spec');
        expect(problems).toContain('query parameter "limit" must be <= 100');
    });

    it("names a response field of the wrong type", () => {
        const problems = checker.check(exchange({ route: "GET /api-keys", method: "GET", path: "/api-keys", status: 200, responseBody: { object: "list", data: [{ id: 7 }] } }));
        expect(problems.join("\n")).toContain("/data/0/id must be string");
    });

    it("names a field the emulator invented, which a provider could come to rely on", () => {
        const id = "479e3145-dd38-476b-932c-529ceb705947";
        const invented = exchange({ route: "GET /webhooks/:id", method: "GET", path: `/webhooks/${id}`, params: { id }, status: 200, responseBody: { object: "webhook", id, endpoint: "https://a.example", events: [], status: "enabled", created_at: "x", signing_secret: "s", secret_rotation: "daily" } });
        expect(checker.check(invented)).toEqual([`GET /webhooks/${id} response 200: /secret_rotation is a field the spec does not declare`]);
    });

    it("leaves faults the test injected alone", () => {
        expect(checker.check(exchange({ route: "POST /api-keys", method: "POST", path: "/api-keys", status: 429, injected: true }))).toEqual([]);
    });
});
