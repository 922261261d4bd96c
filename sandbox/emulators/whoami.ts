/**
 * The one call each of two key-only platforms answers about a key itself, for `npm run keys --
 * check`: Airtable's and Pipedream's "who am I".
 */
import { bearerToken, Emulator, type EmulatorRequest, type EmulatorResponse, type Route } from "./frame";


/**
 * Airtable Web API, Get user ID & scopes (airtable.com/developers/web/api/get-user-id-scopes):
 * `GET /v0/meta/whoami`, any valid token, no scope needed: {id}, with `email` when the token has
 * user.email:read, and `scopes` for OAuth tokens only. An invalid token: 401 (Errors page); the body
 * {"error": {"type": "AUTHENTICATION_REQUIRED", "message": …}} as Airtable's clients' fixtures show it.
 */
export class AirtableEmulator extends Emulator {
    constructor(private readonly tokens: Record<string, { id: string; email?: string; scopes?: string[] }>) {
        super({ name: "airtable", requestIdHeader: "x-request-id", errorBody: (_status, message) => ({ error: { type: "INVALID_REQUEST", message } }) });
    }

    protected override authenticate(req: EmulatorRequest): EmulatorResponse | undefined {
        const token = bearerToken(req);
        if (token && token in this.tokens) return undefined;
        return { status: 401, body: { error: { type: "AUTHENTICATION_REQUIRED", message: "Authentication required" } } };
    }

    protected routes(): Route[] {
        return [{ method: "GET", path: "/v0/meta/whoami", handle: (req) => ({ status: 200, body: this.tokens[bearerToken(req)!] }) }];
    }
}

/**
 * Pipedream REST API, Get current user info (pipedream.com/docs/rest-api/api-reference/users):
 * `GET /v1/users/me` with a user API key: {data: {id, username, email, orgs}}. Workspace OAuth
 * clients are refused here. A key it does not know: 401 (the body is not documented).
 */
export class PipedreamEmulator extends Emulator {
    constructor(private readonly keys: Record<string, { id: string; username: string }>) {
        super({ name: "pipedream", requestIdHeader: "x-request-id", errorBody: (_status, message) => ({ error: message }) });
    }

    protected override authenticate(req: EmulatorRequest): EmulatorResponse | undefined {
        const key = bearerToken(req);
        if (key && key in this.keys) return undefined;
        return { status: 401, body: { error: "Unauthorized" } };
    }

    protected routes(): Route[] {
        return [
            {
                method: "GET",
                path: "/v1/users/me",
                handle: (req) => {
                    const user = this.keys[bearerToken(req)!];
                    return { status: 200, body: { data: { ...user, email: `${user.username}@example.test`, orgs: [] } } };
                },
            },
        ];
    }
}
