/**
 * Mapbox tokens: the emulator answered through the vendor's own SDK (@mapbox/mapbox-sdk, which
 * parses the tokens' payloads and follows Link pages as Mapbox's clients do), then the provider on
 * what the scenario tiers do not reach.
 */
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { tokenDefinition } from "../../dynamic-providers/mapbox/token";
import { MapboxEmulator } from "../../sandbox/emulators/mapbox";
import { useEmulator } from "./emulator-suite";
import { configuredProvider, lifecycle, type ProviderUnderTest } from "./harness";

// The SDK ships no types; the calls below are its documented ones (services/tokens.js).
type MapiResponse = { body: unknown; headers: Record<string, string>; hasNextPage(): boolean; nextPage(): { send(): Promise<MapiResponse> } };
type MapiRequest = { send(): Promise<MapiResponse> };
type TokensService = {
    listTokens(): MapiRequest;
    createToken(c: object): MapiRequest;
    updateToken(c: object): MapiRequest;
    deleteToken(c: object): MapiRequest;
    getToken(): MapiRequest;
};
const mbxTokens = createRequire(__filename)("@mapbox/mapbox-sdk/services/tokens") as (o: { accessToken: string; origin: string }) => TokensService;

const SCOPES = ["tokens:read", "tokens:write", "styles:read", "styles:tiles", "fonts:read", "uploads:write"];
const emulator = new MapboxEmulator({ accounts: [{ user: "acme", scopes: SCOPES }, { user: "reader", scopes: ["tokens:read", "styles:read"] }] });
const p = {} as Record<"token", ProviderUnderTest>;
const own = () => emulator.accountTokens.get("acme")!;
const served = useEmulator(emulator, async () => {
    p.token = await configuredProvider(tokenDefinition, { mapboxAccessToken: own() });
});
const { make } = lifecycle(p, () => ({ baseUrl: served.url() }));

describe("the Mapbox emulator through @mapbox/mapbox-sdk", () => {
    it("creates, pages, updates and deletes as the SDK expects; a secret token's value is shown once", async () => {
        const sdk = mbxTokens({ accessToken: own(), origin: served.url() });
        const made = (await sdk.createToken({ note: "uploads", scopes: ["uploads:write"] }).send()).body as { id: string; usage: string; token: string };
        expect(made.usage).toBe("sk");
        expect(made.token).toMatch(/^sk\./);
        for (let n = 0; n < 3; n++) await sdk.createToken({ note: `web ${n}`, scopes: ["styles:read"], allowedUrls: ["https://app.acme.test"] }).send();
        // Pages of 2, followed through the SDK's nextPage (the Link header).
        const seen: { id: string; token?: string; usage: string }[] = [];
        let page = await mbxTokens({ accessToken: own(), origin: served.url() }).listTokens().send();
        expect(page.headers.link).toBeUndefined(); // 5 tokens, default limit 100
        emulator.reset();
        for (let n = 0; n < 150; n++) await sdk.createToken({ note: `bulk ${n}`, scopes: ["styles:read"] }).send();
        page = await sdk.listTokens().send();
        seen.push(...(page.body as typeof seen));
        while (page.hasNextPage()) {
            page = await page.nextPage().send();
            seen.push(...(page.body as typeof seen));
        }
        expect(seen).toHaveLength(151);
        expect(seen.filter((t) => t.usage === "sk").every((t) => t.token === undefined)).toBe(true);
        const one = seen.find((t) => t.usage === "pk")!;
        const updated = (await sdk.updateToken({ tokenId: one.id, allowedUrls: null, note: "renamed" }).send()).body as { note: string; allowedUrls?: string[] };
        expect(updated).toMatchObject({ note: "renamed" });
        expect(updated.allowedUrls).toBeUndefined();
        await sdk.deleteToken({ tokenId: one.id }).send();
        const check = (await mbxTokens({ accessToken: one.token!, origin: served.url() }).getToken().send()).body as { code: string };
        expect(check.code).toBe("TokenRevoked");
    });

    it("refuses scopes beyond the creating token's with 422, and a token without tokens:write with 404", async () => {
        const sdk = mbxTokens({ accessToken: own(), origin: served.url() });
        await expect(sdk.createToken({ note: "too much", scopes: ["datasets:write"] }).send()).rejects.toMatchObject({ statusCode: 422, message: "scopes are invalid" });
        const reader = mbxTokens({ accessToken: emulator.accountTokens.get("reader")!, origin: served.url() });
        await expect(reader.createToken({ note: "x", scopes: ["styles:read"] }).send()).rejects.toMatchObject({ statusCode: 404, message: "Not found" });
    });
});

describe("Mapbox token provider", () => {
    const web = { username: "acme", note: "acme-dev-web", scopes: ["styles:read", "styles:tiles"], usage: "pk", allowedUrls: ["https://app.acme.test"] };

    it("a secret token's value, answered only at creation, survives refresh; scopes and URLs change in place", async () => {
        const { id, outs, inputs } = await make("token", { username: "acme", note: "acme-dev-uploads", scopes: ["uploads:write"], usage: "sk" });
        expect(outs.token).toBe(emulator.tokens.get(id)!.token);
        const read = await p.token.provider.read!(id, outs);
        expect(read.props!.token).toBe(outs.token);
        expect((await p.token.provider.diff(id, read.props!, inputs)).changes).toBe(false);
        // An update sends only what changed: a note change sends the note alone, never the scopes.
        const sent: string[] = [];
        emulator.onExchange = (e) => {
            if (e.method === "PATCH") sent.push(e.requestBody.toString("utf8"));
        };
        await p.token.provider.update!(id, outs, { ...inputs, note: "acme-dev-uploads-2" });
        emulator.onExchange = undefined;
        expect(sent).toEqual([JSON.stringify({ note: "acme-dev-uploads-2" })]);
        const pub = await make("token", web);
        const updated = await p.token.provider.update!(pub.id, pub.outs, { ...pub.inputs, allowedUrls: [], scopes: ["styles:read"] });
        expect(emulator.tokens.get(pub.id)).toMatchObject({ scopes: ["styles:read"] });
        expect(emulator.tokens.get(pub.id)!.allowedUrls).toBeUndefined();
        expect(updated.outs!.token).toBe(pub.outs.token);
    });

    it("a change between public and secret, or of rotation, replaces the token, the new one made first", async () => {
        const { id, outs, inputs } = await make("token", web);
        const diff = await p.token.provider.diff(id, outs, { ...inputs, scopes: ["styles:read", "uploads:write"], usage: "sk" });
        expect(diff.replaces).toEqual(["usage"]);
        expect(diff.deleteBeforeReplace).toBeFalsy();
        expect((await p.token.provider.diff(id, outs, { ...inputs, rotation: 1 })).replaces).toEqual(["rotation"]);
        const rotated = await p.token.provider.create({ ...inputs, rotation: 1 });
        expect(emulator.tokens.get(rotated.id)!.note).toBe("acme-dev-web (rotation 1)");
        expect(emulator.tokens.has(id)).toBe(true);
    });

    it("refuses scopes that do not match the usage, and a token of another user, before any call", async () => {
        const check = await p.token.provider.check!({}, { ...web, usage: "sk" });
        expect(check.failures?.map((f) => `${f.property}: ${f.reason}`).join("; ")).toMatch(/usage.*must be "pk"/);
        const before = emulator.writeCount();
        await expect(p.token.provider.create({ ...web, username: "someone-else" } as never)).rejects.toThrow(/belongs to Mapbox user "acme", not "someone-else"/);
        expect(emulator.writeCount()).toBe(before);
    });

    it("a lost create of a secret token deletes the token whose value no one saw, then makes one", async () => {
        const inputs = { baseUrl: served.url(), username: "acme", note: "acme-dev-uploads", scopes: ["uploads:write"], usage: "sk", allowedUrls: [], rotation: 0 };
        emulator.inject({ kind: "drop-after-commit", route: "POST /tokens/v2/:username" });
        const made = await p.token.provider.create(inputs);
        const held = [...emulator.tokens.values()].filter((t) => t.note === "acme-dev-uploads");
        expect(held.map((t) => t.id)).toEqual([made.id]);
        expect(made.outs.token).toBe(held[0].token);
    });

    it("a 404 to a delete is not taken for gone while the token is still listed (a token without tokens:write)", async () => {
        const { id, outs } = await make("token", web);
        const readOnly = await configuredProvider(tokenDefinition, { mapboxAccessToken: emulator.issueToken("acme", ["tokens:read", "styles:read"]) });
        await expect(readOnly.provider.delete(id, outs)).rejects.toThrow(/still lists: mapboxAccessToken needs the tokens:write scope/);
        expect(emulator.tokens.has(id)).toBe(true);
    });
});
