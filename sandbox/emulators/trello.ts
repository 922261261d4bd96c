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
 *
 * Cards and webhook deliveries (issue 12): the card routes a relay uses (rest/api-group-cards),
 * and for each card created, changed, commented on or deleted the action POSTed to every active
 * webhook whose model is the card, its list or its board, as the webhooks guide describes:
 * `{action, model}` signed in X-Trello-Webhook with base64(HMAC-SHA1(the application's OAuth
 * secret, body + callbackURL)) ("Webhook Signatures"). Deliveries leave after the answer, as
 * Trello's do; `settled()` waits for them.
 */
import { createHmac, randomBytes } from "node:crypto";
import { postEvent, type Delivery } from "../events/deliver";
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
    /** The OAuth secret of the application `key` belongs to: webhook deliveries are signed with it. Unsigned without one. */
    appSecret?: string;
}

/** One action POSTed to one webhook. */
export interface TrelloDelivery extends Delivery {
    webhookId: string;
    actionType: string;
}

/** The X-Trello-Webhook header: base64(HMAC-SHA1(secret, body + callbackURL)) (webhooks guide, "Webhook Signatures"). */
export function trelloSignature(appSecret: string, body: string, callbackURL: string): string {
    return createHmac("sha1", appSecret).update(body + callbackURL).digest("base64");
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
    readonly cards = new Map<string, Obj>();
    /** Every action POSTed to a webhook, in the order they were answered. */
    readonly webhookDeliveries: TrelloDelivery[] = [];
    private readonly inFlight = new Set<Promise<void>>();
    /** Requests refused with 429 (benchmarks read this). */
    rateLimited = 0;
    private stamps: number[] = [];
    private readonly opts: Required<Omit<TrelloEmulatorOptions, "appSecret">> & Pick<TrelloEmulatorOptions, "appSecret">;

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
        for (const map of [this.boards, this.lists, this.labels, this.webhooks, this.cards]) map.clear();
        this.webhookDeliveries.length = 0;
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

    /**
     * Trello calls the callback with HEAD and wants 200: "We run a quick HTTP HEAD request on the
     * URL, and if a 200 status code is not returned in the response, then the webhook will not be
     * created" (guides/rest-api/webhooks, "Creating a Webhook"); the API answers 400 with the
     * URL and the status it got.
     */
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
            ...this.cardRoutes(),
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

    /** Waits for the webhook deliveries under way; the ones made so far. */
    async settled(): Promise<TrelloDelivery[]> {
        while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
        return this.webhookDeliveries;
    }

    /**
     * A request's parameters: Trello reads them from the query string and from a JSON or
     * form-encoded body alike (the REST reference lists them as query parameters; clients such
     * as trello.js send a JSON body).
     */
    private paramsOf(req: EmulatorRequest): URLSearchParams {
        const params = new URLSearchParams(req.query);
        if (req.body.length === 0) return params;
        const type = String(req.headers["content-type"] ?? "");
        if (type.includes("json")) {
            for (const [k, v] of Object.entries(req.json<Obj>() ?? {})) if (v !== undefined && v !== null) params.set(k, String(v));
        } else if (type.includes("x-www-form-urlencoded")) {
            for (const [k, v] of new URLSearchParams(req.body.toString("utf8"))) params.set(k, v);
        }
        return params;
    }

    /** A card, if the request's member is on its board (a card whose board is gone: 404). */
    private card(req: EmulatorRequest, id = req.params.id): Obj {
        const card = this.find(this.cards, id);
        if (!this.boards.has(card.idBoard)) throw failure(404, "The requested resource was not found.");
        this.board(req, card.idBoard);
        return card;
    }

    /** A card's position among its list's cards: "top", "bottom" or a positive number (default bottom). */
    private position(pos: string | null, idList: string, except?: string): number {
        const siblings = [...this.cards.values()].filter((c) => c.idList === idList && c.id !== except).map((c) => c.pos as number);
        if (pos === null || pos === "bottom") return Math.max(0, ...siblings) + 16384;
        if (pos === "top") return Math.min(65536, ...siblings) / 2;
        const n = Number(pos);
        if (!Number.isFinite(n) || n < 0) throw failure(400, "invalid value for pos");
        return n;
    }

    /** The member who acts through the request's token, as actions name them (memberCreator). */
    private memberCreator(req: EmulatorRequest): Obj {
        const id = this.memberOf(req);
        const username = id === TRELLO_MEMBER_ID ? "stackwire" : `outsider${id.slice(-1)}`;
        return { id, activityBlocked: false, avatarHash: null, avatarUrl: null, fullName: "Trello member", idMemberReferrer: null, initials: "TM", nonPublic: {}, nonPublicAvailable: true, username };
    }

    /**
     * Records an action (object definitions, Action: id, idMemberCreator, data, type, date,
     * memberCreator) and POSTs `{action, model}` to each active webhook whose idModel is the
     * card, its list or its board; `model` is that watched object. The answer is not awaited.
     */
    private announce(req: EmulatorRequest, type: string, card: Obj, data: Obj): Obj {
        const board = this.boards.get(card.idBoard)!;
        const list = this.lists.get(card.idList);
        const memberCreator = this.memberCreator(req);
        const action = {
            id: this.newId(),
            idMemberCreator: memberCreator.id,
            data: { ...data, board: { id: board.id, name: board.name, shortLink: board.id.slice(0, 8) } },
            appCreator: null,
            type,
            date: new Date(this.opts.clock.now()).toISOString(),
            limits: null,
            memberCreator,
        };
        const models: Record<string, Obj | undefined> = { [board.id]: board, [card.id]: card, ...(list ? { [list.id]: list } : {}) };
        for (const hook of this.webhooks.values()) {
            const model = models[hook.idModel];
            if (!hook.active || !model) continue;
            const body = JSON.stringify({ action, model });
            const headers: Record<string, string> = {
                "Content-Type": "application/json",
                ...(this.opts.appSecret ? { "X-Trello-Webhook": trelloSignature(this.opts.appSecret, body, hook.callbackURL) } : {}),
            };
            const sending: Promise<void> = postEvent(hook.callbackURL, headers, body).then((d) => {
                this.webhookDeliveries.push({ ...d, webhookId: hook.id, actionType: type });
                this.inFlight.delete(sending);
            });
            this.inFlight.add(sending);
        }
        return action;
    }

    /** The card fields an action's data carries. */
    private cardRef(card: Obj, extra: Obj = {}): Obj {
        return { id: card.id, name: card.name, idShort: card.idShort, shortLink: card.shortLink, ...extra };
    }

    private listRef(id: string): Obj | undefined {
        const list = this.lists.get(id);
        return list && { id: list.id, name: list.name };
    }

    /** The routes of rest/api-group-cards a relay uses, each citing its operation. */
    private cardRoutes(): Route[] {
        return [
            {
                // "Create a new Card": idList required; name, desc (0-16384), pos (top, bottom, a
                // positive float). Answers the card; a createCard action goes to the webhooks.
                method: "POST",
                path: "/1/cards",
                handle: this.handle((req) => {
                    const q = this.paramsOf(req);
                    const idList = q.get("idList") ?? "";
                    if (!/^[0-9a-f]{24}$/.test(idList)) throw failure(400, "invalid value for idList");
                    const list = this.onBoard(req, this.lists, idList);
                    const desc = q.get("desc") ?? "";
                    if (desc.length > 16384) throw failure(400, "invalid value for desc");
                    const id = this.newId();
                    const idShort = [...this.cards.values()].filter((c) => c.idBoard === list.idBoard).length + 1;
                    const shortLink = randomBytes(4).toString("hex");
                    const name = q.get("name") ?? "";
                    const card = {
                        id,
                        name,
                        desc,
                        closed: false,
                        idBoard: list.idBoard,
                        idList,
                        idShort,
                        shortLink,
                        shortUrl: `https://trello.example/c/${shortLink}`,
                        url: `https://trello.example/c/${shortLink}/${idShort}-${name.toLowerCase().replace(/\W+/g, "-")}`,
                        pos: this.position(q.get("pos"), idList),
                        idLabels: [],
                        idMembers: [],
                        labels: [],
                        due: null,
                        start: null,
                        dateLastActivity: new Date(this.opts.clock.now()).toISOString(),
                    };
                    this.cards.set(id, card);
                    this.announce(req, "createCard", card, { card: this.cardRef(card), list: this.listRef(idList) });
                    return card;
                }),
            },
            // "Get a Card": fields.
            { method: "GET", path: "/1/cards/:id", handle: this.handle((req, q) => this.pick(q, this.card(req))) },
            {
                // "Update a Card": name, desc, closed, idList (a move: listBefore and listAfter), pos.
                // One updateCard action whose data.old holds the fields' previous values.
                method: "PUT",
                path: "/1/cards/:id",
                handle: this.handle((req) => {
                    const card = this.card(req);
                    const q = this.paramsOf(req);
                    const old: Obj = {};
                    const set = (field: string, value: unknown) => {
                        if (value === card[field]) return;
                        old[field] = card[field];
                        card[field] = value;
                    };
                    if (q.get("name") !== null) set("name", q.get("name"));
                    if (q.get("desc") !== null) {
                        if (q.get("desc")!.length > 16384) throw failure(400, "invalid value for desc");
                        set("desc", q.get("desc"));
                    }
                    if (q.get("closed") !== null) set("closed", q.get("closed") === "true");
                    const idList = q.get("idList");
                    if (idList !== null && idList !== card.idList) {
                        const list = this.onBoard(req, this.lists, idList);
                        if (list.idBoard !== card.idBoard) set("idBoard", list.idBoard);
                        set("idList", idList);
                        set("pos", this.position(q.get("pos"), idList, card.id));
                    } else if (q.get("pos") !== null) set("pos", this.position(q.get("pos"), card.idList, card.id));
                    if (Object.keys(old).length === 0) return card;
                    card.dateLastActivity = new Date(this.opts.clock.now()).toISOString();
                    const changed = Object.fromEntries(Object.keys(old).map((f) => [f, card[f]]));
                    const moved = "idList" in old;
                    this.announce(req, "updateCard", card, {
                        card: this.cardRef(card, changed),
                        old,
                        ...(moved ? { listBefore: this.listRef(old.idList as string), listAfter: this.listRef(card.idList) } : { list: this.listRef(card.idList) }),
                    });
                    return card;
                }),
            },
            {
                // "Delete a Card": 200 {"limits": {}}; a deleteCard action.
                method: "DELETE",
                path: "/1/cards/:id",
                handle: this.handle((req) => {
                    const card = this.card(req);
                    this.announce(req, "deleteCard", card, { card: { id: card.id, idShort: card.idShort, shortLink: card.shortLink }, list: this.listRef(card.idList) });
                    this.cards.delete(card.id);
                    return { limits: {} };
                }),
            },
            {
                // "Add a new comment to a Card" (POST /1/cards/{id}/actions/comments, text 1-16384): answers the commentCard action.
                method: "POST",
                path: "/1/cards/:id/actions/comments",
                handle: this.handle((req) => {
                    const card = this.card(req);
                    const text = this.paramsOf(req).get("text") ?? "";
                    if (text.length === 0 || text.length > 16384) throw failure(400, "invalid value for text");
                    return this.announce(req, "commentCard", card, { text, card: this.cardRef(card), list: this.listRef(card.idList) });
                }),
            },
            {
                // rest/api-group-boards "Get Cards on a Board" (the open cards; `/cards/{filter}` is
                // another route): fields.
                method: "GET",
                path: "/1/boards/:id/cards",
                handle: this.handle((req, q) => {
                    const board = this.board(req, req.params.id);
                    return [...this.cards.values()].filter((c) => c.idBoard === board.id && !c.closed).sort((a, b) => a.pos - b.pos).map((c) => this.pick(q, c));
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
