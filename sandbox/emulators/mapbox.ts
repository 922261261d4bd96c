/**
 * Mapbox's Tokens API. Shapes from docs.mapbox.com/api/accounts/tokens (cited per route as
 * "docs"), the 2018 api-documentation tokens.md and topics.md for pagination and rate limits
 * ("2018 docs"), and @mapbox/mapbox-sdk 0.16.2 services/tokens.js for what a client sends.
 *
 * - Auth: `?access_token=`. None: 422 "access token is required"; unknown or deleted: 401
 *   "Unauthorized". A token without tokens:read (list) or tokens:write (create, update, delete):
 *   404 "Not found" (docs, Tokens API errors: "needs the tokens:read … or tokens:write scope").
 * - Errors: {"message": "…"} (docs' error table).
 * - Tokens: `pk|sk.<base64 JSON {"u": user, "a": id}>.<signature>` (the 2018 docs' example decodes
 *   so); ids are 25-character cuids. An sk token's value is answered at creation only; a list
 *   leaves `token` out of sk entries (docs: "If a listed token's usage property is sk, the token
 *   property will not be included").
 * - Lists page with `limit` and `start`, and the next page's URL comes in `Link: <…>; rel="next"`
 *   (2018 docs, Pagination), which clients must follow rather than build.
 */
import { createHash, randomBytes } from "node:crypto";
import { ApiFailure, Emulator, type EmulatorRequest, type EmulatorResponse, type Route } from "./frame";

type Obj = Record<string, unknown>;

const PUBLIC_SCOPES = ["styles:tiles", "styles:read", "fonts:read", "datasets:read", "vision:read"];

export interface MapboxTokenRecord {
    id: string;
    user: string;
    usage: "pk" | "sk";
    note: string;
    scopes: string[];
    allowedUrls?: string[];
    default: boolean;
    created: string;
    modified: string;
    client: "api";
    token: string;
}

export interface MapboxEmulatorOptions {
    /** Each account's own secret token, with the scopes it holds (tokens:read and tokens:write to manage tokens); `token` fixes its value. */
    accounts: { user: string; scopes: string[]; token?: string }[];
}

const mapboxError = (status: number, message: string) => new ApiFailure({ status, body: { message } });
const cuid = () => `c${randomBytes(16).toString("hex").replace(/[^a-z0-9]/g, "").slice(0, 24)}`;
/** Plain base64 without padding, as Mapbox's payloads are (the SDK refuses a payload it cannot parse). */
const payload = (user: string, id: string) => Buffer.from(JSON.stringify({ u: user, a: id })).toString("base64").replace(/=+$/, "");

export class MapboxEmulator extends Emulator {
    readonly tokens = new Map<string, MapboxTokenRecord>();
    /** Each account's own token (the one the stack is given), by user. */
    readonly accountTokens = new Map<string, string>();
    /** Ids of deleted tokens, for Retrieve a token's TokenRevoked. */
    readonly revoked = new Set<string>();

    constructor(private readonly opts: MapboxEmulatorOptions) {
        super({
            name: "mapbox",
            requestIdHeader: "x-request-id",
            errorBody: (_status, message) => ({ message }),
            // 2018 docs, Rate limits: no Retry-After; the window's length, its limit and when it resets (a Unix time).
            rateLimitHeaders: (seconds, now) => ({ "x-rate-limit-interval": "60", "x-rate-limit-limit": "100", "x-rate-limit-reset": String(Math.ceil(now / 1000) + seconds) }),
        });
        this.seedAccounts();
    }

    override reset(): void {
        super.reset();
        this.tokens.clear();
        this.seedAccounts();
    }

    /** Each account's own token, the same after every reset, so a test's credential stays valid. */
    private seedAccounts(): void {
        this.revoked.clear();
        for (const a of this.opts.accounts) {
            const digest = createHash("sha256").update(a.user).digest("hex");
            const t = this.issue(a.user, "sk", `${a.user}'s own token`, a.scopes, undefined, false, `c${digest.slice(0, 24)}`, digest.slice(24, 46));
            if (a.token) t.token = a.token;
            this.accountTokens.set(a.user, t.token);
        }
    }

    private issue(user: string, usage: "pk" | "sk", note: string, scopes: string[], allowedUrls: string[] | undefined, isDefault: boolean, id = cuid(), signature = randomBytes(16).toString("base64url")): MapboxTokenRecord {
        const now = new Date().toISOString();
        const t: MapboxTokenRecord = { id, user, usage, note, scopes, ...(allowedUrls ? { allowedUrls } : {}), default: isDefault, created: now, modified: now, client: "api", token: `${usage}.${payload(user, id)}.${signature}` };
        this.tokens.set(id, t);
        return t;
    }

    /** Another token of an account, with these scopes, as its owner would make one in the account page. */
    issueToken(user: string, scopes: string[]): string {
        return this.issue(user, scopes.every((x) => PUBLIC_SCOPES.includes(x)) ? "pk" : "sk", "made in the account page", scopes, undefined, false).token;
    }

    /** The token a request carries, if it is live. */
    private caller(req: EmulatorRequest): MapboxTokenRecord | undefined {
        const value = req.query.get("access_token");
        return [...this.tokens.values()].find((t) => t.token === value);
    }

    protected override authenticate(req: EmulatorRequest): EmulatorResponse | undefined {
        // Retrieve a token answers every token with a code, valid or not (docs: all codes are HTTP 200).
        if (req.path === "/tokens/v2") return undefined;
        if (!req.query.get("access_token")) return { status: 422, body: { message: "access token is required" } };
        if (!this.caller(req)) return { status: 401, body: { message: "Unauthorized" } };
        return undefined;
    }

    /** The caller, when it holds `scope` and is the user in the path; Mapbox answers 404 "Not found" otherwise. */
    private authorized(req: EmulatorRequest, scope: string): MapboxTokenRecord {
        const caller = this.caller(req)!;
        if (!caller.scopes.includes(scope) || caller.user !== req.params.username) throw mapboxError(404, "Not found");
        return caller;
    }

    /** A token as answered: no value for a secret token outside its creation. */
    private shown(t: MapboxTokenRecord, withValue: boolean): Obj {
        const { user: _user, token, ...rest } = t;
        return { ...rest, ...(withValue || t.usage === "pk" ? { token } : {}) };
    }

    private body(req: EmulatorRequest): Obj {
        const b = req.json<Obj>() ?? {};
        if (typeof b !== "object" || Array.isArray(b)) throw mapboxError(422, "body must be a JSON object");
        return b;
    }

    /** Scopes the caller may grant (docs: "not possible to create a token with access to more scopes than the token that created it"). */
    private grantable(caller: MapboxTokenRecord, scopes: unknown): string[] {
        if (!Array.isArray(scopes) || scopes.some((s) => typeof s !== "string" || !caller.scopes.includes(s))) throw mapboxError(422, "scopes are invalid");
        return scopes as string[];
    }

    private allowedUrls(value: unknown): string[] | undefined {
        if (value === undefined || value === null) return undefined;
        if (!Array.isArray(value) || value.length > 100 || value.some((u) => typeof u !== "string")) throw mapboxError(422, "allowedUrls are invalid");
        return value as string[];
    }

    private owned(req: EmulatorRequest): MapboxTokenRecord {
        const t = this.tokens.get(req.params.id);
        if (!t || t.user !== req.params.username) throw mapboxError(404, "Not Found");
        return t;
    }

    protected routes(): Route[] {
        const list = "/tokens/v2/:username";
        return [
            // docs "Retrieve a token": {code, token: {usage, user, authorization}}; codes TokenValid, TokenMalformed, TokenInvalid, TokenRevoked, all HTTP 200.
            {
                method: "GET",
                path: "/tokens/v2",
                handle: (req) => {
                    const value = req.query.get("access_token");
                    if (!value) return { status: 422, body: { message: "access token is required" } };
                    const [usage, body] = value.split(".");
                    let claims: { u?: string; a?: string } | undefined;
                    try {
                        claims = JSON.parse(Buffer.from(body ?? "", "base64").toString("utf8")) as { u?: string; a?: string };
                    } catch {
                        claims = undefined;
                    }
                    if (!claims?.u || !["pk", "sk"].includes(usage)) return { status: 200, body: { code: "TokenMalformed" } };
                    const live = this.caller(req);
                    if (live) return { status: 200, body: { code: "TokenValid", token: { usage: live.usage, user: live.user, authorization: live.id } } };
                    // A payload naming a token that no longer exists: deleted (revoked); one that never did: a signature that does not validate.
                    const code = claims.a && this.revoked.has(claims.a) ? "TokenRevoked" : "TokenInvalid";
                    return { status: 200, body: { code, token: { usage, user: claims.u, authorization: claims.a } } };
                },
            },
            // docs "List tokens": default, limit, sortby, start, usage; Link rel="next" when more remain.
            {
                method: "GET",
                path: list,
                handle: (req) => {
                    this.authorized(req, "tokens:read");
                    const usage = req.query.get("usage");
                    if (usage !== null && usage !== "pk" && usage !== "sk") throw mapboxError(422, "usage must be pk or sk");
                    const limit = Number(req.query.get("limit") ?? 100);
                    const all = [...this.tokens.values()].filter((t) => t.user === req.params.username && (usage === null || t.usage === usage));
                    const start = req.query.get("start");
                    const from = start === null ? 0 : all.findIndex((t) => t.id === start) + 1;
                    if (start !== null && from === 0) throw mapboxError(500, "Internal Server Error");
                    const page = all.slice(from, from + limit);
                    const headers: Record<string, string> = {};
                    if (from + limit < all.length) headers.link = `<${this.url}/tokens/v2/${req.params.username}?limit=${limit}&start=${page[page.length - 1].id}>; rel="next"`;
                    return { status: 200, body: page.map((t) => this.shown(t, false)), headers };
                },
            },
            // docs "Create a token": {note, scopes, allowedUrls}; usage from the scopes; the value in the answer.
            {
                method: "POST",
                path: list,
                handle: (req) => {
                    const caller = this.authorized(req, "tokens:write");
                    const b = this.body(req);
                    const scopes = this.grantable(caller, b.scopes ?? []);
                    const usage = scopes.every((s) => PUBLIC_SCOPES.includes(s)) ? "pk" : "sk";
                    const t = this.issue(req.params.username, usage, typeof b.note === "string" ? b.note : "", scopes, this.allowedUrls(b.allowedUrls), false);
                    return { status: 200, body: this.shown(t, true) };
                },
            },
            // docs "Update a token": any of note, scopes, allowedUrls (null removes it, as the SDK sends); a public token takes public scopes only.
            {
                method: "PATCH",
                path: `${list}/:id`,
                handle: (req) => {
                    const caller = this.authorized(req, "tokens:write");
                    const t = this.owned(req);
                    const b = this.body(req);
                    if (b.scopes !== undefined) {
                        const scopes = this.grantable(caller, b.scopes);
                        if (t.usage === "pk" && scopes.some((s) => !PUBLIC_SCOPES.includes(s))) throw mapboxError(422, "scopes are invalid");
                        t.scopes = scopes;
                    }
                    if (typeof b.note === "string") t.note = b.note;
                    if ("allowedUrls" in b) {
                        const urls = this.allowedUrls(b.allowedUrls);
                        if (urls) t.allowedUrls = urls;
                        else delete t.allowedUrls;
                    }
                    t.modified = new Date().toISOString();
                    return { status: 200, body: this.shown(t, false) };
                },
            },
            // docs "Delete a token": 204, no body.
            {
                method: "DELETE",
                path: `${list}/:id`,
                handle: (req) => {
                    this.authorized(req, "tokens:write");
                    const t = this.owned(req);
                    this.tokens.delete(t.id);
                    this.revoked.add(t.id);
                    return { status: 204 };
                },
            },
        ];
    }
}
