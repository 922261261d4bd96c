/**
 * Stripe API emulator for the routes stackwire uses (products, prices, webhook endpoints), as the
 * real API behaves where providers can trip: form-encoded bodies with bracketed nesting, keys by
 * bearer or basic auth, `{error: {type, code, message, param}}` bodies with Stripe's status codes,
 * prefixed ids, idempotency (replay with `Idempotent-Replayed: true`; same key with other
 * parameters is an idempotency_error), immutable price fields refused as unknown parameters, an
 * empty value refused for a field that cannot be unset, products with prices refused on delete,
 * lookup keys unique with transfer, `tiers` only when expanded, decimal twins of integer amounts,
 * and the webhook secret only at creation.
 *
 * Objects belong to an account and a mode, as Stripe's do: a key sees only its own account's
 * objects of its own mode. Another account's object is answered as one that does not exist; an
 * object of the same account in the other mode is answered 404 with Stripe's "a similar object
 * exists in live mode" message. `GET /v1/account` tells a secret key its account; a restricted key
 * is refused it with the 403 that names the account.
 *
 * The routes follow Stripe's published OpenAPI spec: stripe/openapi, latest/openapi.spec3.json at
 * commit 19be337d65af244fed355eaeb144de6dbeea82f1 (API 2026-07-29.dahlia), the operations of which
 * test/fidelity/specs/stripe-openapi-2026-07-29.dahlia.excerpt.json holds and the fidelity tier
 * checks every request and answer against. Only the routes stackwire uses are answered: the
 * providers' routes, and the events routes (list and retrieve) a webhook receiver reads back.
 *
 * Events (issue 12): `trigger` does what `stripe trigger <event>` does in test mode: makes the
 * object, records its Event and sends it to every enabled webhook endpoint of the account and mode
 * that listens for its type (or "*"), signed as Stripe signs it; `resend` sends an event again.
 */
import { createHash, createHmac, randomBytes } from "node:crypto";
import { systemClock, type Clock } from "../../dynamic-providers/core/clock";
import { postEvent, type Delivery } from "../events/deliver";
import { ApiFailure, Emulator, type EmulatorRequest, type EmulatorResponse, type Route } from "./frame";
import { STRIPE_EVENT_TYPES } from "../../dynamic-providers/stripe/api-lists";
import { parseStripeForm, type FormValue } from "./stripe-form";

type Params = Record<string, FormValue>;
type Obj = Record<string, unknown>;

const ALPHANUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** The shape of the idempotency keys stripe-node and stripe-cli send (a v4 UUID). */
const randomUUIDLike = () => {
    const hex = randomBytes(16).toString("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};

function randomId(prefix: string, length = 24): string {
    const bytes = randomBytes(length);
    return `${prefix}_${[...bytes].map((b) => ALPHANUM[b % ALPHANUM.length]).join("")}`;
}

/** Stripe's error body: `{error: {type, message, code?, param?}}`. */
const stripeError = (status: number, error: { type: string; message: string; code?: string; param?: string }) => new ApiFailure({ status, body: { error } });

const invalid = (message: string, param?: string, code?: string) => stripeError(400, { type: "invalid_request_error", message, ...(code ? { code } : {}), ...(param ? { param } : {}) });
/**
 * Stripe's 404 for an id its key cannot see. An object of another account is answered exactly as
 * one that never existed (Stripe scopes every object to its account: "No such product:
 * 'prod_…'", resource_missing). One of the same account in the other mode names that mode, as
 * Stripe answers it: `{"error": {"code": "resource_missing", "message": "No such customer:
 * 'cus_Jop8JpEFz1lsCL'; a similar object exists in live mode, but a test mode key was used to
 * make this request.", "param": "id", "type": "invalid_request_error"}}` (status 404; quoted by
 * Stripe's Paul Asjes in "Designing APIs for humans: Error messages", dev.to/stripe, and in
 * stripe/stripe-node#149 for the other direction).
 */
const missing = (what: string, id: string, otherMode?: { objectLive: boolean }) =>
    stripeError(404, {
        type: "invalid_request_error",
        code: "resource_missing",
        message: otherMode
            ? `No such ${what}: '${id}'; a similar object exists in ${otherMode.objectLive ? "live" : "test"} mode, but a ${otherMode.objectLive ? "test" : "live"} mode key was used to make this request.`
            : `No such ${what}: '${id}'`,
        param: "id",
    });
const unknownParam = (param: string) => invalid(`Received unknown parameter: ${param}`, param, "parameter_unknown");
const missingParam = (param: string) => invalid(`Missing required param: ${param}.`, param, "parameter_missing");

function str(params: Params, key: string): string | undefined {
    const v = params[key];
    if (v === undefined) return undefined;
    if (typeof v !== "string") throw invalid(`Invalid string: ${key}`, key, "parameter_invalid_string");
    return v;
}

function int(value: FormValue | undefined, param: string): number | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== "string" || !/^-?\d+$/.test(value)) throw invalid(`Invalid integer: ${String(value)}`, param, "parameter_invalid_integer");
    return Number(value);
}

function bool(value: FormValue | undefined, param: string): boolean | undefined {
    if (value === undefined) return undefined;
    if (value !== "true" && value !== "false") throw invalid(`Invalid boolean: ${String(value)}`, param, "parameter_invalid_boolean");
    return value === "true";
}

function list(value: FormValue | undefined, param: string): string[] | undefined {
    if (value === undefined) return undefined;
    if (value === "") return [];
    if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) throw invalid(`Invalid array`, param, "parameter_invalid_array");
    return value as string[];
}

/** metadata[k]=v sets, metadata[k]= removes, metadata= clears. */
function applyMetadata(current: Record<string, string>, value: FormValue | undefined): Record<string, string> {
    if (value === undefined) return current;
    if (value === "") return {};
    if (typeof value !== "object" || Array.isArray(value)) throw invalid("Invalid hash", "metadata", "parameter_invalid_hash");
    const next = { ...current };
    for (const [k, v] of Object.entries(value)) {
        if (v === "") delete next[k];
        else next[k] = String(v);
    }
    return next;
}

function checkEvents(events: string[]): void {
    events.forEach((event, i) => {
        if (!STRIPE_EVENT_TYPES.includes(event)) throw invalid(`Invalid enabled_events[${i}]: must be one of the supported event types`, `enabled_events[${i}]`, "parameter_invalid_string");
    });
}

function allowOnly(params: Params, allowed: readonly string[]): void {
    for (const key of Object.keys(params)) if (!allowed.includes(key)) throw unknownParam(key);
}

/**
 * Stripe reads an empty value as "unset this field" and refuses it where the field cannot be unset
 * (the spec lists `enum: [""]` only for those that can). A metadata value may always be "": it
 * removes that key. Message and code as Stripe answers (quoted in stripe/stripe-dotnet#1828).
 */
function refuseEmpty(params: Params, unsettable: readonly string[], at = ""): void {
    for (const [key, value] of Object.entries(params)) {
        const name = at ? `${at}[${key}]` : key;
        if (value === "") {
            if (at === "" && unsettable.includes(key)) continue;
            throw invalid(
                `You passed an empty string for '${name}'. We assume empty values are an attempt to unset a parameter; however '${name}' cannot be unset. You should remove '${name}' from your request or supply a non-empty value.`,
                name,
                "parameter_invalid_empty",
            );
        }
        if (key === "metadata" && at === "") continue;
        if (typeof value === "object") refuseEmpty(Array.isArray(value) ? Object.fromEntries(value.map((v, i) => [String(i), v])) : value, [], name);
    }
}

/** A `created` filter: a timestamp, or a range of gt, gte, lt and lte. */
function createdWithin(t: number, created: FormValue): boolean {
    if (typeof created === "string") return t === int(created, "created");
    if (typeof created !== "object" || Array.isArray(created)) throw invalid("Invalid integer or hash", "created");
    const range = created as Params;
    const bound = (k: string) => int(range[k], `created[${k}]`);
    return (bound("gt") === undefined || t > bound("gt")!) && (bound("gte") === undefined || t >= bound("gte")!) && (bound("lt") === undefined || t < bound("lt")!) && (bound("lte") === undefined || t <= bound("lte")!);
}

/**
 * Stripe's cursor pagination over a newest-first list: `starting_after` pages towards older
 * objects, `ending_before` towards newer ones. A cursor that names no object of the list is a 400
 * naming it, as Stripe answers ("No such account: acct_…", param starting_after: a Stripe
 * engineer's curl in stripe/stripe-node#258).
 */
/**
 * A page of `matching` (newest first) around a cursor. The cursor is placed among all the caller's
 * objects (`all`, newest first), not only those the filters keep: Stripe positions a cursor by the
 * object itself, so an object archived while a client pages through active ones still marks its
 * place. A cursor naming no object is refused (stripe-node#258).
 */
function cursorPage(all: Obj[], matching: Obj[], p: Params, limit: number, url: string, noun: string): Obj {
    const after = str(p, "starting_after");
    const before = str(p, "ending_before");
    for (const [param, cursor] of [["starting_after", after], ["ending_before", before]] as const) {
        if (cursor !== undefined && !all.some((e) => e.id === cursor)) throw invalid(`No such ${noun}: '${cursor}'`, param, "resource_missing");
    }
    const position = (o: Obj) => all.indexOf(o);
    let page: Obj[];
    let hasMore: boolean;
    if (before !== undefined) {
        const end = all.findIndex((e) => e.id === before);
        const earlier = matching.filter((o) => position(o) < end);
        page = earlier.slice(-limit);
        hasMore = earlier.length > limit;
    } else {
        const start = after === undefined ? -1 : all.findIndex((e) => e.id === after);
        const later = matching.filter((o) => position(o) > start);
        page = later.slice(0, limit);
        hasMore = later.length > limit;
    }
    return { object: "list", data: page, has_more: hasMore, url };
}

/**
 * The secret key a request authenticates with. Stripe takes it as a bearer token, or as the basic
 * auth user with an empty password (`curl -u sk_test_…:`), or bare after `Basic`: the spec's
 * securitySchemes (basicAuth: "Authorization: Basic <api_key> | Authorization: Basic <base64 hash
 * of `api_key:`>"; bearerAuth: "Authorization: Bearer <api_key>").
 */
export function stripeKeyOf(req: Pick<EmulatorRequest, "headers">): string | undefined {
    const header = req.headers.authorization;
    if (typeof header !== "string") return undefined;
    const [scheme, credentials] = header.trim().split(/\s+/, 2);
    if (!credentials) return undefined;
    if (/^bearer$/i.test(scheme)) return credentials;
    if (!/^basic$/i.test(scheme)) return undefined;
    if (/^(sk|rk)_/.test(credentials)) return credentials;
    const decoded = Buffer.from(credentials, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon <= 0 || decoded.slice(colon + 1) !== "") return undefined;
    return decoded.slice(0, colon);
}

/** Decimal text of an integer amount, as Stripe returns it next to the integer. */
const decimalOf = (n: number | null) => (n === null ? null : String(n));

export interface StripeEmulatorOptions {
    /** Keys of the emulator's own account (sk_test_…, sk_live_…, rk_test_…, rk_live_…). */
    keys: string[];
    /** That account's id. @default DEFAULT_ACCOUNT */
    account?: string;
    /** Other accounts and their keys: each key sees its own account's objects only. */
    otherAccounts?: { id: string; keys: string[] }[];
    /** The clock events are created and signed on. @default the system clock */
    clock?: Clock;
}

/** The API version events are rendered with when an endpoint names none: the account's default, the spec's. */
export const STRIPE_API_VERSION = "2026-07-29.dahlia";

/** The events `trigger` makes, as `stripe trigger` names them. */
export const TRIGGERABLE_EVENTS = ["checkout.session.completed", "payment_intent.succeeded", "charge.refunded", "invoice.paid"] as const;
export type TriggerableEvent = (typeof TRIGGERABLE_EVENTS)[number];

/** One event sent to one webhook endpoint. */
export interface StripeDelivery extends Delivery {
    eventId: string;
    endpointId: string;
}

/**
 * The Stripe-Signature header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<payload>" keyed
 * with the endpoint's secret>` (docs.stripe.com/webhooks "Verify webhook signatures manually":
 * the signed payload is the timestamp, a period and the raw body; the key is the whole
 * `whsec_…` secret).
 */
export function stripeSignatureHeader(secret: string, payload: string, unixSeconds: number): string {
    return `t=${unixSeconds},v1=${createHmac("sha256", secret).update(`${unixSeconds}.${payload}`).digest("hex")}`;
}

/** The emulator's own account, as Stripe spells account ids (acct_ and 16 characters). */
export const DEFAULT_ACCOUNT = "acct_1StackwireEmulat";

/** Who a request is: the account its key belongs to, the key's mode, and whether it is restricted. */
interface Caller {
    account: string;
    livemode: boolean;
    restricted: boolean;
    key: string;
}

/** Where an object lives. */
interface Home {
    account: string;
    livemode: boolean;
}

interface IdempotentEntry {
    route: string;
    fingerprint: string;
    response: EmulatorResponse;
}

export class StripeEmulator extends Emulator {
    readonly products = new Map<string, Obj>();
    readonly prices = new Map<string, Obj>();
    readonly webhookEndpoints = new Map<string, Obj>();
    private readonly idempotency = new Map<string, IdempotentEntry>();
    /** Each accepted key and the account it belongs to. */
    private readonly accounts = new Map<string, string>();
    readonly account: string;
    /** The account and mode each object was made in (an object put here by a test: the emulator's own account). */
    private readonly homes = new Map<string, Home>();
    /** Events, oldest first (the list answers newest first). */
    readonly events = new Map<string, Obj>();
    /** Every POST of an event to an endpoint, in order. */
    readonly deliveries: StripeDelivery[] = [];
    /** The bytes each event was first sent as: a resend sends them again. */
    private readonly payloads = new Map<string, string>();
    private readonly clock: Clock;

    constructor(options: StripeEmulatorOptions) {
        super({
            name: "stripe",
            requestIdHeader: "request-id",
            newRequestId: () => randomId("req", 14),
            errorBody: (status, message) => ({
                error: status === 429 ? { type: "invalid_request_error", code: "rate_limit", message: "Too many requests hit the API too quickly." } : status >= 500 ? { type: "api_error", message } : { type: "invalid_request_error", message },
            }),
        });
        this.account = options.account ?? DEFAULT_ACCOUNT;
        this.clock = options.clock ?? systemClock;
        for (const key of options.keys) this.accounts.set(key, this.account);
        for (const other of options.otherAccounts ?? []) for (const key of other.keys) this.accounts.set(key, other.id);
    }

    override reset(): void {
        super.reset();
        this.products.clear();
        this.prices.clear();
        this.webhookEndpoints.clear();
        this.idempotency.clear();
        this.homes.clear();
        this.events.clear();
        this.payloads.clear();
        this.deliveries.length = 0;
    }

    protected override authenticate(req: EmulatorRequest): EmulatorResponse | undefined {
        const key = stripeKeyOf(req);
        if (!key) {
            return { status: 401, body: { error: { type: "invalid_request_error", message: "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY')." } } };
        }
        if (!this.accounts.has(key)) {
            return { status: 401, body: { error: { type: "invalid_request_error", message: `Invalid API Key provided: ${key.slice(0, 8)}****${key.slice(-4)}` } } };
        }
        return undefined;
    }

    private livemode(req: EmulatorRequest): boolean {
        return this.caller(req).livemode;
    }

    /** The account and mode of the request's key (authenticate has accepted it). */
    private caller(req: EmulatorRequest): Caller {
        const key = stripeKeyOf(req) ?? "";
        return { account: this.accounts.get(key) ?? this.account, livemode: key.includes("_live_"), restricted: key.startsWith("rk_"), key };
    }

    /** Records where a new object lives: the account and mode of the key that made it. */
    private settle(id: string, req: EmulatorRequest): void {
        const { account, livemode } = this.caller(req);
        this.homes.set(id, { account, livemode });
    }

    private homeOf(id: string, object: Obj): Home {
        return this.homes.get(id) ?? { account: this.account, livemode: object.livemode === true };
    }

    /** Whether the request's key can see the object: same account, same mode. */
    private visible(req: EmulatorRequest, id: string, object: Obj): boolean {
        const home = this.homeOf(id, object);
        const who = this.caller(req);
        return home.account === who.account && home.livemode === who.livemode;
    }

    /** The object if the request's key can see it, else Stripe's 404 for that key (see `missing`). */
    private seen(req: EmulatorRequest, objects: Map<string, Obj>, what: string, id: string): Obj {
        const found = objects.get(id);
        if (!found) throw missing(what, id);
        const home = this.homeOf(id, found);
        const who = this.caller(req);
        if (home.account !== who.account) throw missing(what, id);
        if (home.livemode !== who.livemode) throw missing(what, id, { objectLive: home.livemode });
        return found;
    }

    /** Runs a handler on the request's form-encoded parameters. */
    private handle(run: (req: EmulatorRequest, params: Params) => Obj): (req: EmulatorRequest) => EmulatorResponse {
        return (req) => {
            const params = req.method === "GET" || req.method === "DELETE" ? parseStripeForm(req.query.toString()) : parseStripeForm(req.body.toString("utf8"));
            return { status: 200, body: run(req, params) };
        };
    }

    /** POSTs honour Idempotency-Key: same key and parameters replay; other parameters are refused. */
    private idempotent(routeKey: string, handler: (req: EmulatorRequest) => EmulatorResponse): (req: EmulatorRequest) => EmulatorResponse {
        return (req) => {
            const header = req.headers["idempotency-key"];
            if (typeof header !== "string") return handler(req);
            // Keys are scoped to the account and mode that sent them.
            const { account, livemode } = this.caller(req);
            const key = `${account}:${livemode ? "live" : "test"}:${header}`;
            const fingerprint = createHash("sha256").update(`${req.path}\n${req.body.toString("utf8")}`).digest("hex");
            const seen = this.idempotency.get(key);
            if (seen) {
                if (seen.route !== routeKey || seen.fingerprint !== fingerprint) {
                    return {
                        status: 400,
                        body: { error: { type: "idempotency_error", message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${header}' if you meant to execute a different request.` } },
                    };
                }
                return { ...seen.response, headers: { ...seen.response.headers, "idempotent-replayed": "true" } };
            }
            const response = handler(req);
            // Stripe stores answers to requests that reached its servers, errors included, but not 5xx.
            if (response.status < 500) this.idempotency.set(key, { route: routeKey, fingerprint, response });
            return response;
        };
    }

    /**
     * `tiers` is includable: answered only when expanded, and then only for a tiered price (the
     * spec's price.tiers is an array, never null).
     */
    private withExpand(price: Obj, params: Params): Obj {
        const expand = list(params.expand, "expand") ?? [];
        const { tiers, ...rest } = price;
        return expand.includes("tiers") && Array.isArray(tiers) ? { ...rest, tiers } : rest;
    }

    private productFields(p: Params, product: Obj): void {
        if (p.name !== undefined) {
            const name = str(p, "name");
            if (!name) throw invalid("You must provide a non-empty name.", "name");
            product.name = name;
        }
        for (const field of ["description", "statement_descriptor", "unit_label", "url", "tax_code"]) {
            if (p[field] !== undefined) product[field] = str(p, field) || null;
        }
        if (typeof product.statement_descriptor === "string" && product.statement_descriptor.length > 22) throw invalid("The statement descriptor must be at most 22 characters.", "statement_descriptor");
        const active = bool(p.active, "active");
        if (active !== undefined) product.active = active;
        const images = list(p.images, "images");
        if (images !== undefined) product.images = images;
        product.metadata = applyMetadata((product.metadata as Record<string, string>) ?? {}, p.metadata);
    }

    private createPrice(req: EmulatorRequest, p: Params): Obj {
        allowOnly(p, ["product", "currency", "unit_amount", "unit_amount_decimal", "billing_scheme", "tiers_mode", "tiers", "recurring", "transform_quantity", "lookup_key", "transfer_lookup_key", "nickname", "tax_behavior", "metadata", "active", "expand"]);
        const productId = str(p, "product");
        if (!productId) throw missingParam("product");
        const parent = this.products.get(productId);
        if (!parent || !this.visible(req, productId, parent)) throw invalid(`No such product: '${productId}'`, "product", "resource_missing");
        const currency = str(p, "currency");
        if (!currency) throw missingParam("currency");
        const billingScheme = str(p, "billing_scheme") ?? "per_unit";
        const unitAmount = int(p.unit_amount, "unit_amount") ?? null;
        const unitAmountDecimal = str(p, "unit_amount_decimal") ?? null;
        let tiers: Obj[] | null = null;
        if (billingScheme === "tiered") {
            if (!Array.isArray(p.tiers) || p.tiers.length === 0) throw missingParam("tiers");
            if (!str(p, "tiers_mode")) throw missingParam("tiers_mode");
            tiers = (p.tiers as Params[]).map((t, i) => {
                const upTo = t.up_to === "inf" ? null : int(t.up_to, `tiers[${i}][up_to]`);
                if (upTo === undefined) throw missingParam(`tiers[${i}][up_to]`);
                const ua = int(t.unit_amount, `tiers[${i}][unit_amount]`) ?? null;
                const fa = int(t.flat_amount, `tiers[${i}][flat_amount]`) ?? null;
                return {
                    up_to: upTo,
                    unit_amount: ua,
                    unit_amount_decimal: (t.unit_amount_decimal as string | undefined) ?? decimalOf(ua),
                    flat_amount: fa,
                    flat_amount_decimal: (t.flat_amount_decimal as string | undefined) ?? decimalOf(fa),
                };
            });
        } else if (unitAmount === null && unitAmountDecimal === null) {
            throw invalid("You must pass either `unit_amount`, `unit_amount_decimal`, or `custom_unit_amount`.", "unit_amount");
        }
        if (unitAmount !== null && (unitAmount < 0 || unitAmount > 99_999_999)) throw invalid("Invalid integer: amount must be between 0 and 99999999", "unit_amount", "parameter_invalid_integer");
        let recurring: Obj | null = null;
        if (p.recurring !== undefined) {
            const r = p.recurring as Params;
            if (!r.interval) throw missingParam("recurring[interval]");
            const usageType = (r.usage_type as string) ?? "licensed";
            if (usageType === "metered" && !r.meter) throw invalid("A meter is required for prices with usage_type=metered.", "recurring[meter]");
            recurring = { interval: r.interval, interval_count: int(r.interval_count, "recurring[interval_count]") ?? 1, usage_type: usageType, meter: (r.meter as string) ?? null };
        }
        const tq = p.transform_quantity as Params | undefined;
        const price: Obj = {
            id: randomId("price"),
            object: "price",
            active: bool(p.active, "active") ?? true,
            billing_scheme: billingScheme,
            created: Math.floor(Date.now() / 1000),
            currency: currency.toLowerCase(),
            custom_unit_amount: null,
            livemode: this.livemode(req),
            lookup_key: null,
            metadata: applyMetadata({}, p.metadata),
            nickname: str(p, "nickname") ?? null,
            product: productId,
            recurring,
            tax_behavior: str(p, "tax_behavior") ?? "unspecified",
            tiers,
            tiers_mode: str(p, "tiers_mode") ?? null,
            transform_quantity: tq ? { divide_by: int(tq.divide_by, "transform_quantity[divide_by]"), round: tq.round } : null,
            type: recurring ? "recurring" : "one_time",
            unit_amount: unitAmount,
            unit_amount_decimal: unitAmountDecimal ?? decimalOf(unitAmount),
        };
        this.settle(price.id as string, req);
        this.assignLookupKey(req, price, str(p, "lookup_key"), bool(p.transfer_lookup_key, "transfer_lookup_key") ?? false);
        this.prices.set(price.id as string, price);
        return this.withExpand(price, p);
    }

    /** Unix seconds on the emulator's clock. */
    private unixNow(): number {
        return Math.floor(this.clock.now() / 1000);
    }

    /**
     * What `stripe trigger <type>` does in test mode: the object the event is about (made by API
     * requests, hence the event's `request.id`), its Event, and one POST of the event to every
     * endpoint listening for it. `overrides` replace top-level fields of the object.
     */
    async trigger(type: TriggerableEvent, overrides: Obj = {}): Promise<{ event: Obj; deliveries: StripeDelivery[] }> {
        if (!TRIGGERABLE_EVENTS.includes(type)) throw new Error(`trigger knows ${TRIGGERABLE_EVENTS.join(", ")}; not ${String(type)}`);
        const created = this.unixNow();
        const event: Obj = {
            id: randomId("evt"),
            object: "event",
            api_version: STRIPE_API_VERSION,
            created,
            data: { object: { ...this.eventObject(type, created), ...overrides } },
            livemode: false,
            pending_webhooks: this.listeners(type, false).length,
            request: { id: randomId("req", 14), idempotency_key: randomUUIDLike() },
            type,
        };
        this.events.set(event.id as string, event);
        this.homes.set(event.id as string, { account: this.account, livemode: false });
        const deliveries = await this.send(event, this.listeners(type, false));
        event.pending_webhooks = deliveries.filter((d) => d.status < 200 || d.status >= 300).length;
        return { event, deliveries };
    }

    /**
     * Sends an event again, unchanged (same id and body), with a new signature: the dashboard's
     * "Resend" and `stripe events resend`. To one endpoint, or to every endpoint listening now.
     * `signedAt` (unix seconds) signs as of another time, to show a receiver an old signature.
     */
    async resend(eventId: string, options: { endpointId?: string; signedAt?: number } = {}): Promise<StripeDelivery[]> {
        const event = this.events.get(eventId);
        if (!event) throw new Error(`no event ${eventId}`);
        const endpoints = options.endpointId ? [this.webhookEndpoints.get(options.endpointId)].filter((e): e is Obj => e !== undefined) : this.listeners(event.type as string, event.livemode === true);
        return this.send(event, endpoints, options.signedAt);
    }

    /** Enabled endpoints of the emulator's account in that mode whose enabled_events hold the type or "*". */
    private listeners(type: string, livemode: boolean): Obj[] {
        return [...this.webhookEndpoints.values()].filter((w) => {
            const home = this.homeOf(w.id as string, w);
            const events = w.enabled_events as string[];
            return w.status === "enabled" && home.account === this.account && home.livemode === livemode && (events.includes(type) || events.includes("*"));
        });
    }

    /**
     * One POST per endpoint. Stripe sends the event pretty-printed (two-space JSON) with
     * Content-Type "application/json; charset=utf-8" and User-Agent "Stripe/1.0
     * (+https://stripe.com/docs/webhooks)"; the signature covers exactly these bytes.
     */
    private async send(event: Obj, endpoints: Obj[], signedAt?: number): Promise<StripeDelivery[]> {
        const payload = this.payloads.get(event.id as string) ?? JSON.stringify(event, null, 2);
        this.payloads.set(event.id as string, payload);
        const deliveries = await Promise.all(
            endpoints.map(async (endpoint) => {
                const headers = {
                    Accept: "*/*; q=0.5, application/xml",
                    "Cache-Control": "no-cache",
                    "Content-Type": "application/json; charset=utf-8",
                    "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
                    "Stripe-Signature": stripeSignatureHeader(endpoint.secret as string, payload, signedAt ?? this.unixNow()),
                };
                const delivery = await postEvent(endpoint.url as string, headers, payload);
                return { ...delivery, eventId: event.id as string, endpointId: endpoint.id as string };
            }),
        );
        this.deliveries.push(...deliveries);
        return deliveries;
    }

    /**
     * The object an event carries, in the shape of its schema in the spec (checkout.session,
     * payment_intent, charge, invoice), with the fields a receiver reads (amounts, currency, the
     * customer's email) filled as stripe-cli's fixtures leave them: a paid test-mode payment.
     */
    private eventObject(type: TriggerableEvent, created: number): Obj {
        const amount = 2000;
        const email = "customer@example.com";
        const paymentIntent = randomId("pi");
        const charge = randomId("ch");
        const common = { created, currency: "usd", livemode: false, metadata: {} };
        switch (type) {
            case "checkout.session.completed":
                return {
                    id: randomId("cs_test", 58),
                    object: "checkout.session",
                    amount_subtotal: amount,
                    amount_total: amount,
                    customer: null,
                    customer_details: { address: null, email, name: "Jenny Rosen", phone: null, tax_exempt: "none", tax_ids: [] },
                    customer_email: null,
                    expires_at: created + 24 * 3600,
                    mode: "payment",
                    payment_intent: paymentIntent,
                    payment_status: "paid",
                    status: "complete",
                    success_url: "https://example.com/success",
                    url: null,
                    ...common,
                };
            case "payment_intent.succeeded":
                return {
                    id: paymentIntent,
                    object: "payment_intent",
                    amount,
                    amount_capturable: 0,
                    amount_received: amount,
                    capture_method: "automatic_async",
                    confirmation_method: "automatic",
                    customer: null,
                    description: null,
                    latest_charge: charge,
                    payment_method: randomId("pm"),
                    payment_method_types: ["card"],
                    receipt_email: email,
                    status: "succeeded",
                    ...common,
                };
            case "charge.refunded":
                return {
                    id: charge,
                    object: "charge",
                    amount,
                    amount_captured: amount,
                    amount_refunded: amount,
                    billing_details: { address: null, email, name: "Jenny Rosen", phone: null },
                    captured: true,
                    customer: null,
                    paid: true,
                    payment_intent: paymentIntent,
                    receipt_email: email,
                    refunded: true,
                    status: "succeeded",
                    ...common,
                };
            case "invoice.paid":
                return {
                    id: randomId("in"),
                    object: "invoice",
                    amount_due: amount,
                    amount_paid: amount,
                    amount_remaining: 0,
                    billing_reason: "manual",
                    collection_method: "charge_automatically",
                    customer: randomId("cus", 14),
                    customer_email: email,
                    customer_name: "Jenny Rosen",
                    hosted_invoice_url: null,
                    number: "STACKW-0001",
                    status: "paid",
                    ...common,
                };
        }
    }

    /** GetEvents: the caller's account and mode, newest first, with Stripe's cursor pagination and filters. */
    private listEvents(req: EmulatorRequest, p: Params): Obj {
        if (p.type !== undefined && p.types !== undefined) throw invalid("You may pass either `type` or `types`, but not both.", "types");
        // "a specific event name, or group of events using * as a wildcard"
        const pattern = (type: string) => new RegExp(`^${type.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
        return this.listOf(req, p, this.events, "/v1/events", "event", {
            type: (e, v) => pattern(String(v)).test(e.type as string),
            types: (e, v) => (list(v, "types") ?? []).includes(e.type as string),
            delivery_success: (e, v) => (e.pending_webhooks === 0) === bool(v, "delivery_success"),
            created: (e, v) => createdWithin(e.created as number, v),
        });
    }

    /**
     * A list route of the caller's own objects (account and mode), newest first as Stripe lists,
     * with the filters each operation documents and its cursor pagination.
     */
    private listOf(req: EmulatorRequest, p: Params, objects: Map<string, Obj>, url: string, noun: string, filters: Record<string, (object: Obj, value: FormValue) => boolean>): Obj {
        allowOnly(p, ["ending_before", "expand", "limit", "starting_after", ...Object.keys(filters)]);
        // Expansions of a list name its items (`data.product`); only the prices list expands one (`data.tiers`).
        list(p.expand, "expand");
        const limit = int(p.limit, "limit") ?? 10;
        if (limit < 1 || limit > 100) throw invalid(`This value must be ${limit < 1 ? "greater than or equal to 1" : "less than or equal to 100"}.`, "limit");
        const all = [...objects.values()].reverse().filter((o) => this.visible(req, o.id as string, o));
        const matching = all.filter((o) => Object.entries(filters).every(([name, matches]) => p[name] === undefined || matches(o, p[name])));
        return cursorPage(all, matching, p, limit, url, noun);
    }

    /** Lookup keys are unique per account and mode; another price's key moves only with transfer_lookup_key. */
    private assignLookupKey(req: EmulatorRequest, price: Obj, key: string | undefined, transfer: boolean): void {
        if (key === undefined) return;
        const holder = [...this.prices.values()].find((other) => other !== price && other.lookup_key === key && this.visible(req, other.id as string, other));
        if (holder && !transfer) throw invalid(`A price (\`${String(holder.id)}\`) already uses that lookup key.`, "lookup_key");
        if (holder) holder.lookup_key = null;
        price.lookup_key = key;
    }

    protected routes(): Route[] {
        const route = (method: string, path: string, run: (req: EmulatorRequest, params: Params) => Obj): Route => {
            const handler = this.handle(run);
            return { method, path, handle: method === "POST" ? this.idempotent(`${method} ${path}`, handler) : handler };
        };
        const product = (req: EmulatorRequest) => this.seen(req, this.products, "product", req.params.id);
        const price = (req: EmulatorRequest) => this.seen(req, this.prices, "price", req.params.id);
        const endpoint = (req: EmulatorRequest) => this.seen(req, this.webhookEndpoints, "webhook endpoint", req.params.id);
        const withoutSecret = (w: Obj) => {
            const { secret: _secret, ...rest } = w;
            return rest;
        };

        // Each route cites its operation in stripe/openapi latest/openapi.spec3.json @19be337d (2026-07-29.dahlia).
        return [
            // GetAccount: "Retrieves the details of an account", the key's own (required: id, object).
            // A restricted key is refused it whatever its permissions, with a 403 that names the
            // account: "The provided key 'rk_live_AB****…123' does not have the required permissions
            // for this endpoint on account 'acct_…'. This is a restricted API key, but the required
            // permissions are not available for use by restricted keys." (quoted in dj-stripe/dj-stripe#1131;
            // stripe/stripe-node#2246 shows it as a 403 StripePermissionError of rawType invalid_request_error).
            route("GET", "/v1/account", (req) => {
                const who = this.caller(req);
                if (who.restricted) {
                    throw stripeError(403, {
                        type: "invalid_request_error",
                        message: `The provided key '${who.key.slice(0, 8)}${"*".repeat(Math.max(0, who.key.length - 12))}${who.key.slice(-4)}' does not have the required permissions for this endpoint on account '${who.account}'. This is a restricted API key, but the required permissions are not available for use by restricted keys.`,
                    });
                }
                return {
                    id: who.account,
                    object: "account",
                    business_profile: null,
                    business_type: null,
                    charges_enabled: false,
                    country: "US",
                    created: 1_700_000_000,
                    default_currency: "usd",
                    details_submitted: false,
                    email: null,
                    metadata: {},
                    payouts_enabled: false,
                    settings: null,
                    type: "standard",
                };
            }),
            // PostProducts: body additionalProperties false; "" unsets nothing at creation.
            route("POST", "/v1/products", (req, p) => {
                allowOnly(p, ["name", "description", "active", "metadata", "images", "tax_code", "statement_descriptor", "unit_label", "url", "id", "expand"]);
                refuseEmpty(p, []);
                if (p.name === undefined) throw missingParam("name");
                const id = str(p, "id") ?? randomId("prod", 14);
                if (this.products.has(id)) throw invalid(`Product already exists.`, "id", "resource_already_exists");
                const now = Math.floor(Date.now() / 1000);
                const created: Obj = { id, object: "product", active: true, created: now, default_price: null, description: null, images: [], livemode: this.livemode(req), marketing_features: [], metadata: {}, package_dimensions: null, shippable: null, statement_descriptor: null, tax_code: null, unit_label: null, updated: now, url: null };
                const { id: _id, ...fields } = p;
                this.productFields(fields, created);
                this.settle(id, req);
                this.products.set(id, created);
                return created;
            }),
            // GetProductsId
            route("GET", "/v1/products/:id", (req) => product(req)),
            // GetProducts (stripe/openapi 19be337d): active, created, ids, shippable, url and the
            // cursor; "ids … cannot be used with starting_after or ending_before".
            route("GET", "/v1/products", (req, p) => {
                if (p.ids !== undefined && (p.starting_after !== undefined || p.ending_before !== undefined)) throw invalid("You cannot use `ids` with `starting_after` or `ending_before`.", "ids");
                return this.listOf(req, p, this.products, "/v1/products", "product", {
                    active: (o, v) => o.active === bool(v, "active"),
                    ids: (o, v) => (list(v, "ids") ?? []).includes(o.id as string),
                    // An unset `shippable` is null: it is not shippable.
                    shippable: (o, v) => (o.shippable === true) === bool(v, "shippable"),
                    url: (o, v) => o.url === v,
                    created: (o, v) => createdWithin(o.created as number, v),
                });
            }),
            // PostProductsId: description, images, marketing_features, metadata, package_dimensions,
            // tax_code, unit_label and url take "" (anyOf ... enum [""]); statement_descriptor does not.
            route("POST", "/v1/products/:id", (req, p) => {
                allowOnly(p, ["name", "description", "active", "metadata", "images", "tax_code", "statement_descriptor", "unit_label", "url", "expand"]);
                refuseEmpty(p, ["description", "images", "marketing_features", "metadata", "package_dimensions", "tax_code", "unit_label", "url"]);
                const found = product(req);
                this.productFields(p, found);
                found.updated = Math.floor(Date.now() / 1000);
                return found;
            }),
            // DeleteProductsId: "only possible if it has no prices associated with it".
            route("DELETE", "/v1/products/:id", (req) => {
                const found = product(req);
                if ([...this.prices.values()].some((pr) => pr.product === found.id)) throw invalid("This product cannot be deleted because it has one or more user-created prices.");
                this.products.delete(found.id as string);
                return { id: found.id, object: "product", deleted: true };
            }),

            // PostPrices: nothing takes "" at creation.
            route("POST", "/v1/prices", (req, p) => {
                refuseEmpty(p, []);
                return this.createPrice(req, p);
            }),
            // GetPrices (stripe/openapi 19be337d): active, created, currency, lookup_keys (at most
            // 10), product, recurring {interval, meter, usage_type}, type and the cursor. "Returns a
            // list of your active prices … For the list of inactive prices, set active to false."
            route("GET", "/v1/prices", (req, p) => {
                const wanted = { ...p, active: p.active ?? "true" };
                if ((list(p.lookup_keys, "lookup_keys") ?? []).length > 10) throw invalid("You may pass at most 10 lookup keys.", "lookup_keys");
                if (p.type !== undefined && !["one_time", "recurring"].includes(str(p, "type") ?? "")) throw invalid(`Invalid type: must be one of one_time or recurring`, "type");
                const recurring = p.recurring;
                if (recurring !== undefined && (typeof recurring !== "object" || Array.isArray(recurring))) throw invalid("Invalid hash", "recurring");
                const r = (recurring ?? {}) as Params;
                if (r.interval !== undefined && !["day", "week", "month", "year"].includes(str(r, "interval") ?? "")) throw invalid("Invalid recurring[interval]: must be one of day, month, week, or year", "recurring[interval]");
                if (r.usage_type !== undefined && !["licensed", "metered"].includes(str(r, "usage_type") ?? "")) throw invalid("Invalid recurring[usage_type]: must be one of licensed or metered", "recurring[usage_type]");
                const listed = this.listOf(req, wanted, this.prices, "/v1/prices", "price", {
                    active: (o, v) => o.active === bool(v, "active"),
                    currency: (o, v) => o.currency === String(v).toLowerCase(),
                    lookup_keys: (o, v) => (list(v, "lookup_keys") ?? []).includes(o.lookup_key as string),
                    product: (o, v) => o.product === v,
                    recurring: (o) => {
                        const has = o.recurring as Obj | null;
                        return has !== null && Object.entries(r).every(([k, v]) => (k === "meter" ? has.meter : has[k] ?? (k === "usage_type" ? "licensed" : undefined)) === v);
                    },
                    type: (o, v) => o.type === v,
                    created: (o, v) => createdWithin(o.created as number, v),
                });
                // As a retrieve answers: tiers only for a tiered price, and only when expanded (`data.tiers`).
                const expand = (list(p.expand, "expand") ?? []).filter((e) => e.startsWith("data.")).map((e) => e.slice("data.".length));
                return { ...listed, data: (listed.data as Obj[]).map((price) => this.withExpand(price, { expand })) };
            }),
            // GetPricesPrice
            route("GET", "/v1/prices/:id", (req, p) => this.withExpand(price(req), p)),
            // PostPricesPrice: only currency_options and metadata take ""; lookup_key and nickname
            // cannot be unset (a lookup key leaves a price only by transfer_lookup_key on another).
            route("POST", "/v1/prices/:id", (req, p) => {
                // Amount, currency, schedule, tiers and product cannot change: Stripe does not know them here.
                allowOnly(p, ["active", "lookup_key", "transfer_lookup_key", "metadata", "nickname", "tax_behavior", "expand"]);
                refuseEmpty(p, ["currency_options", "metadata"]);
                const found = price(req);
                const taxBehavior = str(p, "tax_behavior");
                if (taxBehavior !== undefined && taxBehavior !== found.tax_behavior && found.tax_behavior !== "unspecified") {
                    throw invalid("The tax_behavior of a price cannot be changed once it is set to inclusive or exclusive.", "tax_behavior");
                }
                if (taxBehavior !== undefined) found.tax_behavior = taxBehavior;
                const active = bool(p.active, "active");
                if (active !== undefined) found.active = active;
                if (p.nickname !== undefined) found.nickname = str(p, "nickname");
                found.metadata = applyMetadata(found.metadata as Record<string, string>, p.metadata);
                this.assignLookupKey(req, found, str(p, "lookup_key"), bool(p.transfer_lookup_key, "transfer_lookup_key") ?? false);
                return this.withExpand(found, p);
            }),

            // PostWebhookEndpoints: description and metadata take "".
            route("POST", "/v1/webhook_endpoints", (req, p) => {
                allowOnly(p, ["url", "enabled_events", "description", "api_version", "metadata", "connect", "expand"]);
                refuseEmpty(p, ["description", "metadata"]);
                const url = str(p, "url");
                if (!url) throw missingParam("url");
                if (!/^https?:\/\//.test(url)) throw invalid("Invalid URL: must be an http or https URL.", "url", "url_invalid");
                const events = list(p.enabled_events, "enabled_events");
                if (!events || events.length === 0) throw missingParam("enabled_events");
                checkEvents(events);
                const created: Obj = {
                    id: randomId("we"),
                    object: "webhook_endpoint",
                    api_version: str(p, "api_version") ?? null,
                    application: null,
                    created: Math.floor(Date.now() / 1000),
                    description: str(p, "description") || null,
                    enabled_events: events,
                    livemode: this.livemode(req),
                    metadata: applyMetadata({}, p.metadata),
                    secret: `whsec_${randomBytes(24).toString("hex")}`,
                    status: "enabled",
                    url,
                };
                this.settle(created.id as string, req);
                this.webhookEndpoints.set(created.id as string, created);
                return created;
            }),
            // GetWebhookEndpoints: only the cursor (WebhookEndpointListParams); secrets are never listed.
            route("GET", "/v1/webhook_endpoints", (req, p) => {
                const listed = this.listOf(req, p, this.webhookEndpoints, "/v1/webhook_endpoints", "webhook endpoint", {});
                return { ...listed, data: (listed.data as Obj[]).map(withoutSecret) };
            }),
            // GetWebhookEndpointsWebhookEndpoint: the secret is "Only returned at creation".
            route("GET", "/v1/webhook_endpoints/:id", (req) => withoutSecret(endpoint(req))),
            // PostWebhookEndpointsWebhookEndpoint: description and metadata take "".
            route("POST", "/v1/webhook_endpoints/:id", (req, p) => {
                allowOnly(p, ["url", "enabled_events", "description", "metadata", "disabled", "expand"]);
                refuseEmpty(p, ["description", "metadata"]);
                const found = endpoint(req);
                if (p.url !== undefined) found.url = str(p, "url");
                const events = list(p.enabled_events, "enabled_events");
                if (events !== undefined) {
                    if (events.length === 0) throw missingParam("enabled_events");
                    checkEvents(events);
                    found.enabled_events = events;
                }
                if (p.description !== undefined) found.description = str(p, "description") || null;
                const disabled = bool(p.disabled, "disabled");
                if (disabled !== undefined) found.status = disabled ? "disabled" : "enabled";
                found.metadata = applyMetadata(found.metadata as Record<string, string>, p.metadata);
                return withoutSecret(found);
            }),
            // GetEvents: created, delivery_success, ending_before, expand, limit (1-100, default 10),
            // starting_after, type (with * wildcards), types (not with type); NotificationEventList.
            route("GET", "/v1/events", (req, p) => this.listEvents(req, p)),
            // GetEventsId: the `event` schema; another account's or mode's event is "No such event".
            route("GET", "/v1/events/:id", (req) => this.seen(req, this.events, "event", req.params.id)),
            // DeleteWebhookEndpointsWebhookEndpoint
            route("DELETE", "/v1/webhook_endpoints/:id", (req) => {
                const found = endpoint(req);
                this.webhookEndpoints.delete(found.id as string);
                return { id: found.id, object: "webhook_endpoint", deleted: true };
            }),
        ];
    }
}
