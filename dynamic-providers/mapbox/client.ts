/**
 * Mapbox's Tokens API (docs.mapbox.com/api/accounts/tokens) on the shared REST layer. The
 * @mapbox/mapbox-sdk tokens service covers the same routes, but it sends through `got` with no
 * fetch to pass in, so its requests would bypass the retries, lost-answer detection and redaction
 * every other provider gets from core/http.ts; the routes are five plain JSON calls.
 */
import type { CredentialSpec } from "../core/credentials";
import type { HttpCall } from "../core/http";
import type { OperationContext } from "../core/provider";
import { nextLink, restClient, type ExplainRefusal } from "../core/rest";

/** A secret token (sk.…) with tokens:read, tokens:write and every scope the stack's tokens get. */
export const mapboxAccessToken: CredentialSpec = { configKey: "mapboxAccessToken", envVars: ["MAPBOX_ACCESS_TOKEN"], label: "Mapbox secret access token (tokens:read, tokens:write)" };

/** A token as the API answers it; `token` only for public tokens in a list, and for any token at creation. */
export interface ApiToken {
    id: string;
    usage: "pk" | "sk" | "tk";
    note?: string;
    scopes: string[];
    allowedUrls?: string[];
    created: string;
    modified: string;
    default: boolean;
    token?: string;
}

/** The username a token was issued to: the `u` of its base64 JSON payload (`pk.<payload>.<signature>`). */
export function usernameOf(token: string): string | undefined {
    try {
        const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64").toString("utf8")) as { u?: unknown };
        return typeof payload.u === "string" ? payload.u : undefined;
    } catch {
        return undefined;
    }
}

/** Mapbox's 401: a token it does not take ("Unauthorized": invalid, or no token). Missing scopes come as 404 (Tokens API errors). */
const explainRefusal: ExplainRefusal = () => `Mapbox does not accept ${mapboxAccessToken.configKey} (or ${mapboxAccessToken.envVars[0]}): it is invalid or deleted`;

export function mapbox(ctx: OperationContext, baseUrl: string, operation: string, call: HttpCall = ctx.http(operation)) {
    return restClient(ctx, call, { baseUrl, query: { access_token: ctx.credential(mapboxAccessToken) }, explainRefusal });
}

/**
 * The stack's token must be the account's: with another user's, the URLs would name an account it
 * cannot see. Checked before any call, naming the setting.
 */
export function checkAccount(ctx: OperationContext, username: string): void {
    const owner = usernameOf(ctx.credential(mapboxAccessToken));
    if (owner === undefined) throw new Error(`${mapboxAccessToken.configKey} is not a Mapbox access token (sk.… with a base64 JSON payload)`);
    if (owner !== username) throw new Error(`${mapboxAccessToken.configKey} belongs to Mapbox user "${owner}", not "${username}" (mapbox.username): use a token of that account`);
}

/** Every token of the account, page by page, following the `Link: <…>; rel="next"` the API sends (it must be followed, not built). */
export async function allTokens(ctx: OperationContext, baseUrl: string, username: string, operation: string): Promise<ApiToken[]> {
    const api = mapbox(ctx, baseUrl, operation);
    const found: ApiToken[] = [];
    let query: Record<string, string> = { limit: "100" };
    for (let page = 0; page < 1000; page++) {
        const tokens = await api.get<ApiToken[]>(`/tokens/v2/${encodeURIComponent(username)}`, query);
        if (tokens === undefined) throw ctx.error(api.call, { status: 404, apiMessage: `Mapbox answered 404 to the token list of "${username}": ${mapboxAccessToken.configKey} needs the tokens:read scope, and must be that user's` });
        found.push(...tokens);
        const next = nextLink(api.call.lastHeaders);
        if (!next) return found;
        query = Object.fromEntries(new URL(next).searchParams);
        delete query.access_token;
    }
    return found;
}
