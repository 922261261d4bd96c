/** Mapbox Tokens API inputs: scoped access tokens per app, public unless a secret scope is asked for. */
import { z } from "zod";
import { baseUrlSchema } from "../core/rest";
import { httpUrl } from "../core/validation";

/** Mapbox's API, unless another is given (the sandbox's emulator). */
export const MAPBOX_BASE_URL = "https://api.mapbox.com";

/** The scopes a public (pk) token may hold (docs.mapbox.com/api/accounts/tokens, "Token format"); any other makes a secret (sk) token. */
export const MAPBOX_PUBLIC_SCOPES = ["styles:tiles", "styles:read", "fonts:read", "datasets:read", "vision:read"] as const;

/** "A token can have up to 100 allowed URLs" (Tokens API restrictions and limits). */
export const MAPBOX_ALLOWED_URLS_MAX = 100;

export const MAPBOX_SCOPE_PATTERN = /^[a-z]+(?::[a-z-]+)+$/;

export const isPublicScope = (scope: string) => (MAPBOX_PUBLIC_SCOPES as readonly string[]).includes(scope);

/** "pk" when every scope is public, else "sk": the API decides it so, and a public token cannot take a secret scope later. */
export const usageOf = (scopes: readonly string[]): "pk" | "sk" => (scopes.every(isPublicScope) ? "pk" : "sk");

export function tokenInputSchema() {
    return z
        .object({
            baseUrl: baseUrlSchema(MAPBOX_BASE_URL),
            /** The account the tokens belong to (the `u` of the stack's token). */
            username: z.string().regex(/^[A-Za-z0-9_-]+$/, "must be a Mapbox username"),
            /** The token's note, which names it in the account page. */
            note: z.string().trim().min(1, "must not be empty").max(255),
            scopes: z.array(z.string().regex(MAPBOX_SCOPE_PATTERN, "must be a Mapbox scope such as styles:read")).min(1, "must name at least one scope: a token made without any can never be given one"),
            /** "pk" or "sk", from the scopes: a change between them replaces the token. */
            usage: z.enum(["pk", "sk"]),
            /** Where a public token works (web origins); empty: anywhere. */
            allowedUrls: z.array(httpUrl()).max(MAPBOX_ALLOWED_URLS_MAX, `must hold at most ${MAPBOX_ALLOWED_URLS_MAX} URLs`).default([]),
            /** Change it (1, 2, …) to rotate the token: a new one is made and handed on, then the old one deleted. */
            rotation: z.number().int().min(0).default(0),
        })
        .superRefine((t, ctx) => {
            const usage = usageOf(t.scopes);
            if (t.usage !== usage) ctx.addIssue({ code: "custom", path: ["usage"], message: `must be "${usage}" for these scopes (${usage === "pk" ? "all public" : `secret: ${t.scopes.filter((s) => !isPublicScope(s)).join(", ")}`})` });
        });
}
export type TokenInputs = z.output<ReturnType<typeof tokenInputSchema>>;
