/**
 * Trello REST API emulator for boards, lists, labels and webhooks, as Trello behaves where
 * providers can trip: `key` and `token` query parameters (401 with a plain-text body), errors as
 * plain text, 24-hex ids, form-style query parameters for writes, lists that are archived rather
 * than deleted, a HEAD request to a webhook's callback URL that must answer 200, and a limit of
 * 100 requests per 10 seconds per token (429 beyond it).
 *
 * Followed from Trello's REST reference (developer.atlassian.com/cloud/trello/rest/, groups
 * boards, lists, labels, members, tokens, webhooks), its object definitions and webhooks guide
 * (developer.atlassian.com/cloud/trello/guides/rest-api/object-definitions/ and .../webhooks/),
 * and its rate-limit guide; each route cites its page. No OpenAPI spec is checked here.
 *
 * Who may see what (issue 16): `outsiders` are credentials Trello accepts, of another member who
 * is on none of these boards. Trello answers a board that member may not see, and the lists and
 * labels on it, with 401 "unauthorized permission requested" in plain text (the answer to a
 * token without access to an existing board, as public test suites against api.trello.com
 * record it, and as Trello's "New Aux API Request Errors" notice on the developer community
 * quotes it); a board that does not exist answers 404 "The requested resource was not found."
 * and an id that is not one 400 "invalid id". A webhook belongs to the token that made it:
 * another token gets "webhook does not belong to token" (rest/api-group-webhooks "Get a
 * Webhook"); the reference gives no status for it, and the emulator answers it with Trello's
 * status for a permission refusal, 401.
 */
import { randomBytes } from "node:crypto";
import { systemClock, type Clock } from "../../dynamic-providers/core/clock";
import { ApiFailure, Emulator, type EmulatorRequest, type EmulatorResponse, type Route } from "./frame";

type Obj = Record<string, any>;

const text = (status: number, body: string): EmulatorResponse => ({ status, body: Buffer.from(body), headers: { "content-type": "text/plain; charset=utf-8" } });
/**
 * A MongoDB ObjectId, as every Trello id is: the first 8 hex digits are the creation time in Unix
 * seconds (support.atlassian.com/trello/docs/getting-the-time-a-card-or-board-was-created).
 */
const objectId = (now: number) => Math.floor(now / 1000).toString(16).padStart(8, "0") + randomBytes(8).toString("hex");
const COLORS = ["green", "yellow", "orange", "red", "purple", "blue", "sky", "lime", "pink", "black"].flatMap((c) => [c, `${c}_dark`, `${c}_light`]);

/** Trello answers errors in plain text. */
const failure = (status: number, message: string) => new ApiFailure(text(status, message));

export interface TrelloEmulatorOptions {
    key: string;
    token: string;
    /** Requests allowed per window per token. @default 100 per 10 s, as Trello documents */
    rate?: { requests: number; windowMs: number };
    /** The clock the rate window runs on. @default the system clock */
    clock?: Clock;
    /** Credentials of other members, who are on none of the boards (boards they create are theirs). */
    outsiders?: { key: string; token: string }[];
}

/** The member `key` and `token` of the options belong to. */
export const TRELLO_MEMBER_ID = "5abbe4b7ddc1b351ef961414";
/** Trello's answer to a token whose member may not see a board (or what is on it). */
const NO_PERMISSION = "unauthorized permission requested";

export class TrelloEmulator extends Emulator {
    readonly boards = new Map<string, Obj>();
    readonly lists = new Map<string, Obj>();
    readonly labels = new Map<string, Obj>();
    readonly webhooks = new Map<string, Obj>();
    /** Requests refused with 429 (benchmarks read this). */
    rateLimited = 0;
    private stamps: number[] = [];
    private readonly opts: Required<TrelloEmulatorOptions>;

    constructor(options: TrelloEmulatorOptions) {
        super({
            name: "trello",
            requestIdHeader: "x-trello-request-id",
            errorBody: (status, message) => (status === 429 ? { error: "API_TOKEN_LIMIT_EXCEEDED", message: "Rate limit exceeded" } : message),
        });
        this.opts = { rate: { requests: 100, windowMs: 10_000 }, clock: systemClock, outsiders: [], ...options };
    }

    /** The member whose credentials the request carries (authenticated already). */
    private memberOf(req: EmulatorRequest): string {
        const i = this.opts.outsiders.findIndex((o) => o.key === req.query.get("key") && o.token === req.query.get("token"));
        return i < 0 ? TRELLO_MEMBER_ID : `${"0".repeat(23)}${i + 1}`.slice(-24);
    }

    /** Whether the request's member is on the board (its `memberships`); boards made directly, without any, are the main member's. */
    private isOn(req: EmulatorRequest, board: Obj): boolean {
        const member = this.memberOf(req);
        const memberships = board.memberships as { idMember: string }[] | undefined;
        return memberships ? memberships.some((m) => m.idMember === member) : member === TRELLO_MEMBER_ID;
    }

    /** The board, if the request's member is on it: else 401 "unauthorized permission requested". */
    private board(req: EmulatorRequest, id: string): Obj {
        const board = this.find(this.boards, id);
        if (!this.isOn(req, board)) throw failure(401, NO_PERMISSION);
        return board;
    }

    /**
     * A list or label, if the request's member is on its board. One whose board was deleted is
     * gone with it: 404, as for any object that does not exist (the record stays here, archived
     * or not, for tests to look at).
     */
    private onBoard(req: EmulatorRequest, map: Map<string, Obj>, id: string): Obj {
        const item = this.find(map, id);
        if (!this.boards.has(item.idBoard)) throw failure(404, "The requested resource was not found.");
        this.board(req, item.idBoard);
        return item;
    }

    /** A webhook, if the request's token made it: else "webhook does not belong to token". */
    private webhook(req: EmulatorRequest): Obj {
        const w = this.find(this.webhooks, req.params.id);
        if (w.token !== req.query.get("token")) throw failure(401, "webhook does not belong to token");
        return w;
    }

    override reset(): void {
        super.reset();
        for (const map of [this.boards, this.lists, this.labels, this.webhooks]) map.clear();
        this.stamps = [];
        this.rateLimited = 0;
    }

    protected override authenticate(req: EmulatorRequest): EmulatorResponse | undefined {
        const pairs = [{ key: this.opts.key, token: this.opts.token }, ...this.opts.outsiders];
        if (!pairs.some((p) => p.key === req.query.get("key"))) return text(401, "invalid key");
        if (!pairs.some((p) => p.key === req.query.get("key") && p.token === req.query.get("token"))) return text(401, "invalid token");
        const now = this.opts.clock.now();
        this.stamps = this.stamps.filter((t) => now - t < this.opts.rate.windowMs);
        if (this.stamps.length >= this.opts.rate.requests) {
            this.rateLimited += 1;
            return { status: 429, body: { error: "API_TOKEN_LIMIT_EXCEEDED", message: "Rate limit exceeded" } };
        }
        this.stamps.push(now);
        return undefined;
    }

    private handle(run: (req: EmulatorRequest, q: URLSearchParams) => unknown | Promise<unknown>): (req: EmulatorRequest) => Promise<EmulatorResponse> {
        return async (req) => {
            return { status: 200, body: await run(req, req.query) };
        };
    }

    /** A new id, stamped with the emulator's clock. */
    private newId(): string {
        return objectId(this.opts.clock.now());
    }

    private find(map: Map<string, Obj>, id: string): Obj {
        if (!/^[0-9a-f]{24}$/.test(id)) throw failure(400, "invalid id");
        const found = map.get(id);
        if (!found) throw failure(404, "The requested resource was not found.");
        return found;
    }

    private bool(q: URLSearchParams, name: string): boolean | undefined {
        const v = q.get(name);
        return v === null ? undefined : v === "true";
    }

    private color(q: URLSearchParams): string | null | undefined {
        const c = q.get("color");
        if (c === null) return undefined;
        if (c === "null" || c === "") return null;
        if (!COLORS.includes(c)) throw failure(400, "invalid value for color");
        return c;
    }

    /** Trello calls the callback with HEAD and wants 200. */
    private async checkCallback(url: string): Promise<void> {
        let status: string;
        try {
            status = String((await fetch(url, { method: "HEAD", signal: AbortSignal.timeout(5000) })).status);
        } catch {
            status = "no response";
        }
        if (status !== "200") throw failure(400, `URL (${url}) did not return 200 status code, got ${status}`);
    }

    /** The fields a list answer shows: `fields` (a comma-separated list, or "all") picks them. */
    private pick(q: URLSearchParams, item: Obj): Obj {
        const fields = q.get("fields");
        if (!fields || fields === "all") return item;
        return Object.fromEntries(["id", ...fields.split(",")].filter((f) => f in item).map((f) => [f, item[f]]));
    }

    protected routes(): Route[] {
        return [
            {
                // rest/api-group-boards "Create a Board": name 1-16384 characters, desc 0-16384,
                // the creating member its admin (object definitions, Board `memberships`),
                // defaultLists / defaultLabels (To Do, Doing, Done and six coloured labels unless false),
                // prefs_permissionLevel; fields as query parameters.
                method: "POST",
                path: "/1/boards",
                handle: this.handle((req, q) => {
                    const name = q.get("name");
                    if (!name || name.length > 16384) throw failure(400, "invalid value for name");
                    const desc = q.get("desc") ?? "";
                    if (desc.length > 16384) throw failure(400, "invalid value for desc");
                    const id = this.newId();
                    const board = { id, name, desc, closed: false, idOrganization: q.get("idOrganization"), url: `https://trello.example/b/${id.slice(0, 8)}/${name.toLowerCase().replace(/\W+/g, "-")}`, prefs: { permissionLevel: q.get("prefs_permissionLevel") ?? "private" }, memberships: [{ id: this.newId(), idMember: this.memberOf(req), memberType: "admin", unconfirmed: false, deactivated: false }] };
                    this.boards.set(id, board);
                    if (q.get("defaultLists") !== "false") for (const [i, n] of ["To Do", "Doing", "Done"].entries()) {
                        const listId = this.newId();
                        this.lists.set(listId, { id: listId, name: n, idBoard: id, pos: (i + 1) * 16384, closed: false });
                    }
                    if (q.get("defaultLabels") !== "false") for (const color of ["green", "yellow", "orange", "red", "purple", "blue"]) {
                        const labelId = this.newId();
                        this.labels.set(labelId, { id: labelId, idBoard: id, name: "", color });
                    }
                    return board;
                }),
            },
            {
                // rest/api-group-members "Get Boards that Member belongs to" (GET /1/members/{id}/boards,
                // `me` for the token's member): filter (all, closed, open, …), fields.
                method: "GET",
                path: "/1/members/:member/boards",
                handle: this.handle((req, q) => {
                    if (req.params.member !== "me") throw failure(404, "The requested resource was not found.");
                    const filter = q.get("filter") ?? "all";
                    return [...this.boards.values()].filter((b) => this.isOn(req, b) && (filter === "all" || (filter === "open" ? !b.closed : filter === "closed" ? b.closed : true))).map((b) => this.pick(q, b));
                }),
            },
            {
                // rest/api-group-members "Get a Member" (GET /1/members/{id}, `me` for the token's member;
                // the authorization guide's first request): fields.
                method: "GET",
                path: "/1/members/:member",
                handle: this.handle((req, q) => {
                    if (req.params.member !== "me") throw failure(404, "The requested resource was not found.");
                    const id = this.memberOf(req);
                    return this.pick(q, { id, username: id === TRELLO_MEMBER_ID ? "stackwire" : `outsider${id.slice(-1)}`, fullName: "Trello member" });
                }),
            },
            // rest/api-group-boards "Get a Board": fields.
            { method: "GET", path: "/1/boards/:id", handle: this.handle((req, q) => this.pick(q, this.board(req, req.params.id))) },
            {
                // rest/api-group-boards "Update a Board": name, desc, prefs/permissionLevel.
                method: "PUT",
                path: "/1/boards/:id",
                handle: this.handle((req, q) => {
                    const b = this.board(req, req.params.id);
                    if (q.get("name") !== null) b.name = q.get("name");
                    if (q.get("desc") !== null) {
                        if (q.get("desc")!.length > 16384) throw failure(400, "invalid value for desc");
                        b.desc = q.get("desc");
                    }
                    if (q.get("prefs/permissionLevel") !== null) b.prefs.permissionLevel = q.get("prefs/permissionLevel");
                    return b;
                }),
            },
            {
                // rest/api-group-boards "Delete a board": 200 `{"_value": null}`. Its lists and labels go
                // with it (Trello keeps no list or label without its board: they answer 404 after).
                method: "DELETE",
                path: "/1/boards/:id",
                handle: this.handle((req) => {
                    this.board(req, req.params.id);
                    this.removeBoard(req.params.id);
                    return { _value: null };
                }),
            },
            {
                // rest/api-group-boards "Get Lists on a Board": filter (all, closed, none, open; default open), fields.
                method: "GET",
                path: "/1/boards/:id/lists",
                handle: this.handle((req, q) => {
                    const board = this.board(req, req.params.id);
                    const filter = q.get("filter") ?? "open";
                    const lists = [...this.lists.values()].filter((l) => l.idBoard === board.id && (filter === "all" || (filter === "open" ? !l.closed : filter === "closed" ? l.closed : false)));
                    return lists.sort((a, b) => a.pos - b.pos).map((l) => this.pick(q, l));
                }),
            },
            {
                // rest/api-group-boards "Get Labels on a Board": limit 0-1000, 50 by default; fields.
                method: "GET",
                path: "/1/boards/:id/labels",
                handle: this.handle((req, q) => {
                    const board = this.board(req, req.params.id);
                    const limit = q.has("limit") ? Number(q.get("limit")) : 50;
                    if (!Number.isInteger(limit) || limit < 0 || limit > 1000) throw failure(400, "invalid value for limit");
                    return [...this.labels.values()].filter((l) => l.idBoard === board.id).slice(0, limit).map((l) => this.pick(q, l));
                }),
            },
            {
                // rest/api-group-lists "Create a new List": name, idBoard, pos (top, bottom or a positive number).
                method: "POST",
                path: "/1/lists",
                handle: this.handle((req, q) => {
                    const name = q.get("name");
                    if (!name) throw failure(400, "invalid value for name");
                    const board = this.board(req, q.get("idBoard") ?? "");
                    const siblings = [...this.lists.values()].filter((l) => l.idBoard === board.id);
                    const pos = q.get("pos");
                    const list = { id: this.newId(), name, idBoard: board.id, closed: this.bool(q, "closed") ?? false, pos: pos === null || pos === "bottom" ? Math.max(0, ...siblings.map((l) => l.pos)) + 16384 : pos === "top" ? 1 : Number(pos) };
                    this.lists.set(list.id, list);
                    return list;
                }),
            },
            // rest/api-group-lists "Get a List".
            { method: "GET", path: "/1/lists/:id", handle: this.handle((req) => this.onBoard(req, this.lists, req.params.id)) },
            {
                // rest/api-group-lists "Update a List": name, pos, closed.
                method: "PUT",
                path: "/1/lists/:id",
                handle: this.handle((req, q) => {
                    const l = this.onBoard(req, this.lists, req.params.id);
                    if (q.get("name") !== null) l.name = q.get("name");
                    if (q.get("pos") !== null) l.pos = Number(q.get("pos"));
                    if (q.get("closed") !== null) l.closed = this.bool(q, "closed");
                    return l;
                }),
            },
            {
                // rest/api-group-lists "Archive or unarchive a list" (PUT /1/lists/{id}/closed, value): lists are never deleted.
                method: "PUT",
                path: "/1/lists/:id/closed",
                handle: this.handle((req, q) => Object.assign(this.onBoard(req, this.lists, req.params.id), { closed: this.bool(q, "value") ?? true })),
            },
            {
                // rest/api-group-labels "Create a Label": name, color (a colour or null), idBoard.
                method: "POST",
                path: "/1/labels",
                handle: this.handle((req, q) => {
                    const board = this.board(req, q.get("idBoard") ?? "");
                    const label = { id: this.newId(), idBoard: board.id, name: q.get("name") ?? "", color: this.color(q) ?? null };
                    this.labels.set(label.id, label);
                    return label;
                }),
            },
            // rest/api-group-labels "Get a Label".
            { method: "GET", path: "/1/labels/:id", handle: this.handle((req) => this.onBoard(req, this.labels, req.params.id)) },
            {
                // rest/api-group-labels "Update a Label": name, color.
                method: "PUT",
                path: "/1/labels/:id",
                handle: this.handle((req, q) => {
                    const l = this.onBoard(req, this.labels, req.params.id);
                    if (q.get("name") !== null) l.name = q.get("name");
                    const color = this.color(q);
                    if (color !== undefined) l.color = color;
                    return l;
                }),
            },
            {
                // rest/api-group-labels "Delete a Label".
                method: "DELETE",
                path: "/1/labels/:id",
                handle: this.handle((req) => {
                    this.onBoard(req, this.labels, req.params.id);
                    this.labels.delete(req.params.id);
                    return { limits: {} };
                }),
            },
            {
                // rest/api-group-webhooks "Create a Webhook" and guides/rest-api/webhooks: callbackURL,
                // idModel, description (0-16384), active; a HEAD to the callback must answer 200; one
                // webhook per callback, model and token ("A webhook with that callback, model, and token
                // already exists").
                method: "POST",
                path: "/1/webhooks",
                handle: this.handle(async (req, q) => {
                    const callbackURL = q.get("callbackURL");
                    if (!callbackURL) throw failure(400, "invalid value for callbackURL");
                    const idModel = q.get("idModel") ?? "";
                    if (!/^[0-9a-f]{24}$/.test(idModel)) throw failure(400, "invalid value for idModel");
                    if ((q.get("description") ?? "").length > 16384) throw failure(400, "invalid value for description");
                    const token = req.query.get("token");
                    // "Webhooks ... can only monitor objects that the token can access" (webhooks guide).
                    if (this.boards.has(idModel)) this.board(req, idModel);
                    if ([...this.webhooks.values()].some((w) => w.callbackURL === callbackURL && w.idModel === idModel && w.token === token)) throw failure(400, "A webhook with that callback, model, and token already exists");
                    await this.checkCallback(callbackURL);
                    const hook = { id: this.newId(), description: q.get("description") ?? "", idModel, callbackURL, active: this.bool(q, "active") ?? true, consecutiveFailures: 0, firstConsecutiveFailDate: null, token };
                    this.webhooks.set(hook.id, hook);
                    return this.publicWebhook(hook);
                }),
            },
            {
                // rest/api-group-tokens "Get Webhooks for Token" (GET /1/tokens/{token}/webhooks): the
                // guide's "webhooks belong to tokens"; a token sees only its own.
                method: "GET",
                path: "/1/tokens/:token/webhooks",
                handle: this.handle((req) => {
                    if (req.params.token !== req.query.get("token")) throw failure(401, "invalid token");
                    return [...this.webhooks.values()].filter((w) => w.token === req.params.token).map((w) => this.publicWebhook(w));
                }),
            },
            // rest/api-group-webhooks "Get a Webhook": only with the token it was made with ("webhook does not belong to token").
            { method: "GET", path: "/1/webhooks/:id", handle: this.handle((req) => this.publicWebhook(this.webhook(req))) },
            {
                // rest/api-group-webhooks "Update a Webhook": a new callbackURL is checked with HEAD again.
                method: "PUT",
                path: "/1/webhooks/:id",
                handle: this.handle(async (req, q) => {
                    const w = this.webhook(req);
                    const url = q.get("callbackURL");
                    if (url !== null && url !== w.callbackURL) {
                        await this.checkCallback(url);
                        w.callbackURL = url;
                    }
                    if (q.get("description") !== null) w.description = q.get("description");
                    if (q.get("active") !== null) w.active = this.bool(q, "active");
                    return this.publicWebhook(w);
                }),
            },
            {
                // rest/api-group-webhooks "Delete a Webhook".
                method: "DELETE",
                path: "/1/webhooks/:id",
                handle: this.handle((req) => {
                    this.webhook(req);
                    this.webhooks.delete(req.params.id);
                    return { _value: null };
                }),
            },
        ];
    }

    /** A board deleted (by the API, or out of band as a test does): its lists and labels answer 404 from then on. */
    removeBoard(id: string): void {
        this.boards.delete(id);
    }

    /** A webhook as Trello shows it (its token is not a field of it). */
    private publicWebhook(w: Obj) {
        const { token: _token, ...shownHook } = w;
        return shownHook;
    }
}
