/**
 * Resend API emulator for domains, API keys and webhooks: Bearer keys (401 missing_api_key,
 * 403 for an invalid key, 401 restricted_api_key for a sending-only key), errors `{statusCode,
 * name, message}`, domains created `not_started` with their SPF, MX and DKIM records, an API key's
 * token returned only at creation, no route to read a single API key, and lists paged with
 * `limit` (1-100), `after` and `has_more`.
 *
 * Everything belongs to a team, as in Resend: a key sees its own team's domains, keys and
 * webhooks only. Another team's object is answered as one that does not exist (the same 404
 * not_found "Domain not found" that resend-node's domains.spec.ts shows for an unknown id), and
 * the key list shows the team's own keys, the one making the request included.
 *
 * Shapes and statuses follow resend/resend-openapi resend.yaml (1.5.0, fd6f395), checked route by
 * route by test/fidelity (contract test/fidelity/contracts/resend.json).
 *
 * Sending (issue 12): POST /emails takes a full-access key or a sending-only one (restricted to
 * one domain when it has a `domain_id`); the `from` domain must be one of the team's verified
 * domains. What was sent stays in `outbox`, for tests and the demo to see a wire's effect.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { systemClock, type Clock } from "../../dynamic-providers/core/clock";
import { bearerToken, Emulator, type EmulatorRequest, type EmulatorResponse, type Route } from "./frame";

type Obj = Record<string, any>;
const error = (statusCode: number, name: string, message: string): EmulatorResponse => ({ status: statusCode, body: { statusCode, name, message } });
const REGIONS = ["us-east-1", "eu-west-1", "sa-east-1", "ap-northeast-1"];
/** Resend writes timestamps as Postgres prints them: "2023-10-06 23:47:56.678+00". */
const timestamp = () => new Date().toISOString().replace("T", " ").replace("Z", "+00");

/** One page of a list, newest first, as resend.yaml's Pagination* parameters describe. */
function page(req: EmulatorRequest, items: Obj[]): EmulatorResponse {
    const limit = req.query.has("limit") ? Number(req.query.get("limit")) : 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return error(422, "validation_error", "The `limit` parameter must be a number between 1 and 100.");
    const newestFirst = [...items].reverse();
    const after = req.query.get("after");
    const start = after ? newestFirst.findIndex((i) => i.id === after) + 1 : 0;
    const data = newestFirst.slice(start, start + limit);
    return { status: 200, body: { object: "list", has_more: start + limit < newestFirst.length, data } };
}

export interface ResendEmulatorOptions {
    /** A full-access key of the emulator's own team. */
    apiKey: string;
    /** Sending-only keys of that team. */
    sendingKeys?: string[];
    /** Full-access keys of other teams, one team each. */
    otherTeams?: string[];
    /** The clock idempotency keys expire on. @default the system clock */
    clock?: Clock;
}

/** An email the emulator accepted, as a test reads it. */
export interface SentEmail {
    id: string;
    from: string;
    to: string[];
    cc: string[];
    bcc: string[];
    reply_to: string[];
    subject: string;
    html?: string;
    text?: string;
    headers: Record<string, string>;
    tags: { name: string; value: string }[];
    created_at: string;
    /** The id of the API key that sent it. */
    keyId: string;
}

/** Resend keeps an idempotency key for 24 hours (resend.com/docs/dashboard/emails/idempotency-keys). */
const IDEMPOTENCY_WINDOW_MS = 24 * 3600 * 1000;
/** "Max 50" recipients in `to` (SendEmailRequest). */
const MAX_RECIPIENTS = 50;
/** `Name <address>` or a bare address (the format Resend's invalid `from` message names). */
const ADDRESS = /^(?:[^<>]*<([^\s<>@]+@([^\s<>@]+))>|([^\s<>@]+@([^\s<>@]+)))$/;

/** The emulator's own team. */
export const OWN_TEAM = "team-own";

export class ResendEmulator extends Emulator {
    readonly domains = new Map<string, Obj>();
    /** Keys made through the API. */
    readonly apiKeys = new Map<string, Obj>();
    readonly webhooks = new Map<string, Obj>();
    /** Keys the teams were set up with (the stack's own key among them): listed, never reset. */
    readonly teamKeys: Obj[] = [];
    /** The team each domain, key and webhook made through the API belongs to. */
    private readonly teamOf = new Map<string, string>();
    /** Every email accepted, oldest first. */
    readonly outbox: SentEmail[] = [];
    /** Idempotency keys per team: the request's fingerprint, its answer and when it was first seen. */
    private readonly idempotency = new Map<string, { fingerprint: string; response: EmulatorResponse; at: number }>();
    private readonly clock: Clock;

    constructor(options: ResendEmulatorOptions) {
        super({
            name: "resend",
            requestIdHeader: "x-request-id",
            errorBody: (status, message) => ({ statusCode: status, name: status === 429 ? "rate_limit_exceeded" : "application_error", message }),
        });
        const provision = (token: string, team: string, permission: string, name: string) =>
            this.teamKeys.push({ id: randomUUID(), name, permission, domain_id: null, token, team, created_at: timestamp(), last_used_at: null });
        provision(options.apiKey, OWN_TEAM, "full_access", "Onboarding");
        (options.sendingKeys ?? []).forEach((token, i) => provision(token, OWN_TEAM, "sending_access", `Sending ${i + 1}`));
        (options.otherTeams ?? []).forEach((token, i) => provision(token, `team-other-${i + 1}`, "full_access", "Onboarding"));
        this.clock = options.clock ?? systemClock;
    }

    /** The key a token is, provisioned or made through the API, with its team. */
    private keyOf(token: string): (Obj & { team: string }) | undefined {
        const provisioned = this.teamKeys.find((k) => k.token === token);
        if (provisioned) return provisioned as Obj & { team: string };
        const made = [...this.apiKeys.values()].find((k) => k.token === token);
        return made && { ...made, team: this.teamOf.get(made.id) ?? OWN_TEAM };
    }

    /** The team of the request's key (authenticate has accepted it). */
    private team(req: EmulatorRequest): string {
        return this.keyOf(bearerToken(req) ?? "")?.team ?? OWN_TEAM;
    }

    /** The team's objects of one kind; made by a test straight into the map: the emulator's own team. */
    private ofTeam(req: EmulatorRequest, objects: Map<string, Obj>): Obj[] {
        const team = this.team(req);
        return [...objects.values()].filter((o) => (this.teamOf.get(o.id) ?? OWN_TEAM) === team);
    }

    /** The object if the request's team holds it; another team's is as good as absent. */
    private held(req: EmulatorRequest, objects: Map<string, Obj>, id: string): Obj | undefined {
        const found = objects.get(id);
        return found && (this.teamOf.get(id) ?? OWN_TEAM) === this.team(req) ? found : undefined;
    }

    /**
     * Resend's errors page (resend.com/docs/api-reference/errors): missing_api_key 401; a key
     * that is not one is refused ("API key is invalid"); restricted_api_key 401 "This API key is
     * restricted to only send emails." for a sending_access key on any route but sending.
     */
    protected override authenticate(req: EmulatorRequest): EmulatorResponse | undefined {
        const token = bearerToken(req);
        if (!token) return error(401, "missing_api_key", "Missing API key in the authorization header. Include the following header in the request: Authorization: Bearer YOUR_API_KEY");
        const key = this.keyOf(token);
        if (!key) return error(403, "validation_error", "API key is invalid");
        const sending = req.method === "POST" && req.path === "/emails";
        if (key.permission !== "full_access" && !sending) return error(401, "restricted_api_key", "This API key is restricted to only send emails.");
        return undefined;
    }

    override reset(): void {
        super.reset();
        for (const m of [this.domains, this.apiKeys, this.webhooks, this.teamOf, this.idempotency]) m.clear();
        this.outbox.length = 0;
    }

    /** What Resend does once the DNS records are found. */
    verify(domainId: string): void {
        const d = this.domains.get(domainId);
        if (d) {
            d.status = "verified";
            for (const r of d.records) r.status = "verified";
        }
    }

    /** A user's DNS records found by Resend: the sandbox calls it after `pulumi up`, as a user would wait for DNS. */
    verifyDomain(name: string): void {
        const domain = [...this.domains.values()].find((d) => d.name === name.toLowerCase() || d.name === name);
        if (!domain) throw new Error(`no domain ${name} in the Resend emulator`);
        this.verify(domain.id);
    }

    /**
     * POST /emails (resend.yaml `emails/send`, SendEmailRequest: from, to (a string or 1-50
     * strings), subject required; cc, bcc, reply_to, html, text, headers, tags). Errors as
     * resend.com/docs/api-reference/errors lists them: 422 missing_required_field and
     * validation_error for the body; 403 validation_error "The <domain> domain is not verified.
     * Please, add and verify your domain on https://resend.com/domains" when the team has no
     * verified domain of that name (the text quoted in resend/resend-node#662). A sending-only key
     * with a `domain_id` sends from that domain alone: the docs give the status of the refusal
     * (403, as every `from` refusal) but not its text, which is therefore the emulator's own.
     */
    private sendEmail(req: EmulatorRequest): EmulatorResponse {
        const b = req.json<Obj>() ?? {};
        for (const field of ["from", "to", "subject"]) if (b[field] === undefined || b[field] === null || b[field] === "") return error(422, "missing_required_field", `Missing \`${field}\` field.`);
        const from = typeof b.from === "string" ? ADDRESS.exec(b.from.trim()) : null;
        if (!from) return error(422, "validation_error", "Invalid `from` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.");
        const list = (field: string): string[] | EmulatorResponse => {
            const value = b[field] ?? [];
            const all = typeof value === "string" ? [value] : value;
            if (!Array.isArray(all) || all.some((a) => typeof a !== "string" || !ADDRESS.test(a.trim()))) return error(422, "validation_error", `Invalid \`${field}\` field. The email address needs to follow the \`email@example.com\` or \`Name <email@example.com>\` format.`);
            return all as string[];
        };
        const lists: Record<string, string[]> = {};
        for (const field of ["to", "cc", "bcc", "reply_to"]) {
            const value = list(field);
            if (!Array.isArray(value)) return value;
            lists[field] = value;
        }
        if (lists.to.length === 0) return error(422, "missing_required_field", "Missing `to` field.");
        if (lists.to.length > MAX_RECIPIENTS) return error(422, "validation_error", `Invalid \`to\` field. The \`to\` field can contain at most ${MAX_RECIPIENTS} email addresses.`);
        if (typeof b.subject !== "string") return error(422, "validation_error", "Invalid `subject` field. It must be a string.");

        const key = this.keyOf(bearerToken(req) ?? "")!;
        const team = key.team;
        const domainName = (from[2] ?? from[4]).toLowerCase();
        const domain = [...this.domains.values()].find((d) => d.name.toLowerCase() === domainName && (this.teamOf.get(d.id) ?? OWN_TEAM) === team);
        if (key.permission === "sending_access" && key.domain_id && key.domain_id !== domain?.id) {
            const allowed = this.domains.get(key.domain_id)?.name ?? "another";
            return error(403, "validation_error", `This API key is restricted to send emails from the ${allowed} domain only, not from ${domainName}.`);
        }
        if (!domain || domain.status !== "verified") return error(403, "validation_error", `The ${domainName} domain is not verified. Please, add and verify your domain on https://resend.com/domains`);

        const id = randomUUID();
        this.outbox.push({
            id,
            from: b.from,
            to: lists.to,
            cc: lists.cc,
            bcc: lists.bcc,
            reply_to: lists.reply_to,
            subject: b.subject,
            ...(typeof b.html === "string" ? { html: b.html } : {}),
            ...(typeof b.text === "string" ? { text: b.text } : {}),
            headers: (b.headers as Record<string, string>) ?? {},
            tags: (b.tags as { name: string; value: string }[]) ?? [],
            created_at: timestamp(),
            keyId: key.id,
        });
        this.teamOf.set(id, team);
        return { status: 200, body: { id } };
    }

    /**
     * Idempotency-Key on POST /emails (resend.yaml: at most 256 characters; the errors page:
     * 400 invalid_idempotency_key "The key must be between 1-256 chars.", 409
     * invalid_idempotent_request "Same idempotency key used with a different request payload.";
     * the idempotency-keys page: kept 24 hours, the same key and payload answer the first
     * answer again). Keys belong to the team; refused requests are not remembered.
     */
    private idempotentSend(req: EmulatorRequest): EmulatorResponse {
        const header = req.headers["idempotency-key"];
        if (header === undefined) return this.sendEmail(req);
        const key = String(header);
        if (key.length < 1 || key.length > 256) return error(400, "invalid_idempotency_key", "The key must be between 1-256 chars.");
        const scoped = `${this.team(req)}:${key}`;
        const fingerprint = createHash("sha256").update(req.body).digest("hex");
        const now = this.clock.now();
        const seen = this.idempotency.get(scoped);
        if (seen && now - seen.at < IDEMPOTENCY_WINDOW_MS) {
            if (seen.fingerprint !== fingerprint) return error(409, "invalid_idempotent_request", "Same idempotency key used with a different request payload. Change your idempotency key or payload.");
            return seen.response;
        }
        const response = this.sendEmail(req);
        if (response.status === 200) this.idempotency.set(scoped, { fingerprint, response, at: now });
        return response;
    }

    /** GET /emails/{email_id} (resend.yaml `emails/get`, schema Email): the team's own emails only. */
    private getEmail(req: EmulatorRequest): EmulatorResponse {
        const sent = this.outbox.find((e) => e.id === req.params.id);
        if (!sent || (this.teamOf.get(sent.id) ?? OWN_TEAM) !== this.team(req)) return error(404, "not_found", "Email not found");
        const { id, from, to, cc, bcc, reply_to, subject, html, text, created_at } = sent;
        return { status: 200, body: { object: "email", id, to, from, created_at, subject, ...(html !== undefined ? { html } : {}), ...(text !== undefined ? { text } : {}), bcc, cc, reply_to, last_event: "delivered" } };
    }

    protected routes(): Route[] {
        return [
            { method: "POST", path: "/emails", handle: (req) => this.idempotentSend(req) },
            { method: "GET", path: "/emails/:id", handle: (req) => this.getEmail(req) },
            {
                method: "POST",
                path: "/domains",
                handle: (req) => {
                    const b = req.json<Obj>() ?? {};
                    if (typeof b.name !== "string" || !/^([a-z0-9-]+\.)+[a-z]{2,}$/i.test(b.name)) return error(422, "validation_error", "The `name` field must be a valid domain.");
                    const region = b.region ?? "us-east-1";
                    if (!REGIONS.includes(region)) return error(422, "validation_error", `Invalid \`region\` field. Must be one of: ${REGIONS.join(", ")}`);
                    if ([...this.domains.values()].some((d) => d.name === b.name)) return error(403, "validation_error", `The domain ${b.name} has already been registered.`);
                    const id = randomUUID();
                    const domain = {
                        object: "domain",
                        id,
                        name: b.name,
                        status: "not_started",
                        region,
                        created_at: timestamp(),
                        records: [
                            { record: "SPF", name: `send.${b.name}`, type: "MX", ttl: "Auto", status: "not_started", value: `feedback-smtp.${region}.amazonses.com`, priority: 10 },
                            { record: "SPF", name: `send.${b.name}`, type: "TXT", ttl: "Auto", status: "not_started", value: "v=spf1 include:amazonses.com ~all" },
                            { record: "DKIM", name: `resend._domainkey.${b.name}`, type: "TXT", ttl: "Auto", status: "not_started", value: `p=${randomBytes(64).toString("base64")}` },
                        ],
                    };
                    this.domains.set(id, domain);
                    this.teamOf.set(id, this.team(req));
                    // resend.yaml: POST /domains answers 201 with CreateDomainResponse, which has no `object`.
                    const { object: _object, ...created } = domain;
                    return { status: 201, body: created };
                },
            },
            {
                method: "GET",
                path: "/domains",
                handle: (req) => page(req, this.ofTeam(req, this.domains).map(({ id, name, status, created_at, region }) => ({ id, name, status, created_at, region }))),
            },
            { method: "GET", path: "/domains/:id", handle: (req) => (this.held(req, this.domains, req.params.id) ? { status: 200, body: this.domains.get(req.params.id) } : error(404, "not_found", "Domain not found")) },
            {
                method: "DELETE",
                path: "/domains/:id",
                handle: (req) =>
                    this.held(req, this.domains, req.params.id) && this.domains.delete(req.params.id) ? { status: 200, body: { object: "domain", id: req.params.id, deleted: true } } : error(404, "not_found", "Domain not found"),
            },
            {
                method: "POST",
                path: "/api-keys",
                handle: (req) => {
                    const b = req.json<Obj>() ?? {};
                    if (typeof b.name !== "string" || b.name.length === 0 || b.name.length > 50) return error(422, "validation_error", "The `name` field must be a string of at most 50 characters.");
                    if (b.permission !== undefined && !["full_access", "sending_access"].includes(b.permission)) return error(422, "validation_error", "Invalid `permission` field.");
                    if (b.domain_id !== undefined && !this.held(req, this.domains, b.domain_id)) return error(404, "not_found", "Domain not found");
                    const id = randomUUID();
                    const token = `re_${randomBytes(18).toString("base64url")}`;
                    this.apiKeys.set(id, { id, name: b.name, permission: b.permission ?? "full_access", domain_id: b.domain_id ?? null, token, created_at: timestamp(), last_used_at: null });
                    this.teamOf.set(id, this.team(req));
                    return { status: 201, body: { id, token } };
                },
            },
            {
                // The team's keys, the one asking included (the keys it was set up with come first: they are the oldest).
                method: "GET",
                path: "/api-keys",
                handle: (req) => {
                    const team = this.team(req);
                    const keys = [...this.teamKeys.filter((k) => k.team === team), ...this.ofTeam(req, this.apiKeys)];
                    return page(req, keys.map(({ id, name, created_at, last_used_at }) => ({ id, name, created_at, last_used_at })));
                },
            },
            {
                // resend.yaml: PATCH /api-keys/{api_key_id} renames a key in place (UpdateApiKeyRequest: name).
                method: "PATCH",
                path: "/api-keys/:id",
                handle: (req) => {
                    const k = this.held(req, this.apiKeys, req.params.id);
                    if (!k) return error(404, "not_found", "API key not found");
                    const b = req.json<Obj>() ?? {};
                    if (typeof b.name !== "string" || b.name.length === 0 || b.name.length > 50) return error(422, "validation_error", "The `name` field must be a string of at most 50 characters.");
                    k.name = b.name;
                    return { status: 200, body: { object: "api_key", id: k.id } };
                },
            },
            {
                method: "DELETE",
                path: "/api-keys/:id",
                handle: (req) => {
                    const id = req.params.id;
                    // A key the team was set up with can be removed too (a rotation); its token then stops working.
                    const provisioned = this.teamKeys.findIndex((k) => k.id === id && k.team === this.team(req));
                    if (provisioned >= 0) this.teamKeys.splice(provisioned, 1);
                    else if (!(this.held(req, this.apiKeys, id) && this.apiKeys.delete(id))) return error(404, "not_found", "API key not found");
                    return { status: 200, body: { object: "api_key", id, deleted: true } };
                },
            },
            {
                method: "POST",
                path: "/webhooks",
                handle: (req) => {
                    const b = req.json<Obj>() ?? {};
                    if (typeof b.endpoint !== "string" || !/^https?:\/\//.test(b.endpoint)) return error(422, "validation_error", "The `endpoint` field must be a valid URL.");
                    if (!Array.isArray(b.events) || b.events.length === 0) return error(422, "validation_error", "The `events` field must be a non-empty array.");
                    const id = randomUUID();
                    const signing_secret = `whsec_${randomBytes(24).toString("base64")}`;
                    this.webhooks.set(id, { object: "webhook", id, endpoint: b.endpoint, events: b.events, status: "enabled", signing_secret, created_at: timestamp() });
                    this.teamOf.set(id, this.team(req));
                    return { status: 201, body: { object: "webhook", id, signing_secret } };
                },
            },
            {
                method: "GET",
                path: "/webhooks",
                handle: (req) => page(req, this.ofTeam(req, this.webhooks).map(({ id, endpoint, events, status, created_at }) => ({ id, endpoint, events, status, created_at }))),
            },
            {
                // resend.yaml GetWebhookResponse: the signing secret is part of a webhook's read.
                method: "GET",
                path: "/webhooks/:id",
                handle: (req) => (this.held(req, this.webhooks, req.params.id) ? { status: 200, body: this.webhooks.get(req.params.id) } : error(404, "not_found", "Webhook not found")),
            },
            {
                method: "PATCH",
                path: "/webhooks/:id",
                handle: (req) => {
                    const w = this.held(req, this.webhooks, req.params.id);
                    if (!w) return error(404, "not_found", "Webhook not found");
                    const b = req.json<Obj>() ?? {};
                    for (const f of ["endpoint", "events", "status"]) if (b[f] !== undefined) w[f] = b[f];
                    return { status: 200, body: { object: "webhook", id: w.id } };
                },
            },
            {
                method: "DELETE",
                path: "/webhooks/:id",
                handle: (req) =>
                    this.held(req, this.webhooks, req.params.id) && this.webhooks.delete(req.params.id) ? { status: 200, body: { object: "webhook", id: req.params.id, deleted: true } } : error(404, "not_found", "Webhook not found"),
            },
        ];
    }
}
