/** Mapbox's access tokens against the Tokens API emulator. */
import { tokenDefinition } from "../../dynamic-providers/mapbox/token";
import { MapboxEmulator } from "../../sandbox/emulators/mapbox";
import type { KindScenario, VendorRig } from "./scenario";

export function mapboxScenarios(): KindScenario[] {
    const manage = ["tokens:read", "tokens:write", "styles:read", "styles:tiles", "fonts:read", "uploads:write"];
    const emulator = new MapboxEmulator({ accounts: [{ user: "acme", scopes: manage }, { user: "other", scopes: manage }] });
    const ownTokens = () => new Set(emulator.accountTokens.values());
    const rig: VendorRig = { vendor: "mapbox", emulator, credentials: { mapboxAccessToken: emulator.accountTokens.get("acme")! }, connection: () => ({ baseUrl: emulator.url }) };
    return [
        {
            kind: "mapbox:Token",
            rig,
            definition: tokenDefinition,
            inputs: async () => ({ username: "acme", note: "acme-dev-web", scopes: ["styles:read", "styles:tiles", "fonts:read"], usage: "pk", allowedUrls: ["https://app.acme.test"] }),
            change: { note: "acme-dev-web-2", allowedUrls: [] },
            writes: { create: "POST /tokens/v2/:username", update: "PATCH /tokens/v2/:username/:id", delete: "DELETE /tokens/v2/:username/:id" },
            held: () => [...emulator.tokens.values()].filter((t) => !ownTokens().has(t.token)).map((t) => t.id),
            // Another account's token is refused before any call: it is not the username's.
            blind: { credentials: { mapboxAccessToken: emulator.accountTokens.get("other")! }, answers: "refused before any call: the token's payload names user other, not acme" },
            removeOutOfBand: (id) => void emulator.tokens.delete(id),
            verify: (id, outs) => {
                if (emulator.tokens.get(id)?.token !== outs.token) throw new Error(`the token in the outputs is not token ${id}'s`);
            },
        },
    ];
}
