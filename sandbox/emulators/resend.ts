/**
 * Resend API emulator for domains, API keys and webhooks: Bearer keys (401 missing_api_key,
 * 403 for an invalid key), errors `{statusCode, name, message}`, domains created `not_started`
 * with their SPF, MX and DKIM records, an API key's token returned only at creation, no route to
 * read a single API key, and lists paged with `limit` (1-100), `after` and `has_more`.
 *
 * Shapes and statuses follow resend/resend-openapi resend.yaml (1.5.0, fd6f395), checked route by
 * route by test/fidelity (contract test/fidelity/contracts/resend.json).
 */
import { randomBytes, randomUUID } from "node:crypto";
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

export class ResendEmulator extends Emulator {
    readonly domains = new Map<string, Obj>();
    readonly apiKeys = new Map<string, Obj>();
    readonly webhooks = new Map<string, Obj>();

    private readonly adminKey: string;

    constructor(options: { apiKey: string }) {
        super({
            name: "resend",
            requestIdHeader: "x-request-id",
            errorBody: (status, message) => ({ statusCode: status, name: status === 429 ? "rate_limit_exceeded" : "application_error", message }),
        });
        this.adminKey = options.apiKey;
    }

    protected override authenticate(req: EmulatorRequest): EmulatorResponse | undefined {
        const key = bearerToken(req);
        if (!key) return error(401, "missing_api_key", "Missing API key in the authorization header. Include the following header in the request: Authorization: Bearer YOUR_API_KEY");
        if (key !== this.adminKey && ![...this.apiKeys.values()].some((k) => k.token === key && k.permission === "full_access")) return error(403, "validation_error", "API key is invalid");
        return undefined;
    }

    override reset(): void {
        super.reset();
        for (const m of [this.domains, this.apiKeys, this.webhooks]) m.clear();
    }

    /** What Resend does once the DNS records are found. */
    verify(domainId: string): void {
        const d = this.domains.get(domainId);
        if (d) {
            d.status = "verified";
            for (const r of d.records) r.status = "verified";
        }
    }

    protected routes(): Route[] {
        return [
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
                    // resend.yaml: POST /domains answers 201 with CreateDomainResponse, which has no `object`.
                    const { object: _object, ...created } = domain;
                    return { status: 201, body: created };
                },
            },
            {
                method: "GET",
                path: "/domains",
                handle: (req) => page(req, [...this.domains.values()].map(({ id, name, status, created_at, region }) => ({ id, name, status, created_at, region }))),
            },
            { method: "GET", path: "/domains/:id", handle: (req) => (this.domains.has(req.params.id) ? { status: 200, body: this.domains.get(req.params.id) } : error(404, "not_found", "Domain not found")) },
            {
                method: "DELETE",
                path: "/domains/:id",
                handle: (req) => (this.domains.delete(req.params.id) ? { status: 200, body: { object: "domain", id: req.params.id, deleted: true } } : error(404, "not_found", "Domain not found")),
            },
            {
                method: "POST",
                path: "/api-keys",
                handle: (req) => {
                    const b = req.json<Obj>() ?? {};
                    if (typeof b.name !== "string" || b.name.length === 0 || b.name.length > 50) return error(422, "validation_error", "The `name` field must be a string of at most 50 characters.");
                    if (b.permission !== undefined && !["full_access", "sending_access"].includes(b.permission)) return error(422, "validation_error", "Invalid `permission` field.");
                    if (b.domain_id !== undefined && !this.domains.has(b.domain_id)) return error(404, "not_found", "Domain not found");
                    const id = randomUUID();
                    const token = `re_${randomBytes(18).toString("base64url")}`;
                    this.apiKeys.set(id, { id, name: b.name, permission: b.permission ?? "full_access", domain_id: b.domain_id ?? null, token, created_at: timestamp(), last_used_at: null });
                    return { status: 201, body: { id, token } };
                },
            },
            { method: "GET", path: "/api-keys", handle: (req) => page(req, [...this.apiKeys.values()].map(({ id, name, created_at, last_used_at }) => ({ id, name, created_at, last_used_at }))) },
            {
                // resend.yaml: PATCH /api-keys/{api_key_id} renames a key in place (UpdateApiKeyRequest: name).
                method: "PATCH",
                path: "/api-keys/:id",
                handle: (req) => {
                    const k = this.apiKeys.get(req.params.id);
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
                handle: (req) => (this.apiKeys.delete(req.params.id) ? { status: 200, body: { object: "api_key", id: req.params.id, deleted: true } } : error(404, "not_found", "API key not found")),
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
                    return { status: 201, body: { object: "webhook", id, signing_secret } };
                },
            },
            {
                method: "GET",
                path: "/webhooks",
                handle: (req) => page(req, [...this.webhooks.values()].map(({ id, endpoint, events, status, created_at }) => ({ id, endpoint, events, status, created_at }))),
            },
            {
                // resend.yaml GetWebhookResponse: the signing secret is part of a webhook's read.
                method: "GET",
                path: "/webhooks/:id",
                handle: (req) => (this.webhooks.has(req.params.id) ? { status: 200, body: this.webhooks.get(req.params.id) } : error(404, "not_found", "Webhook not found")),
            },
            {
                method: "PATCH",
                path: "/webhooks/:id",
                handle: (req) => {
                    const w = this.webhooks.get(req.params.id);
                    if (!w) return error(404, "not_found", "Webhook not found");
                    const b = req.json<Obj>() ?? {};
                    for (const f of ["endpoint", "events", "status"]) if (b[f] !== undefined) w[f] = b[f];
                    return { status: 200, body: { object: "webhook", id: w.id } };
                },
            },
            { method: "DELETE", path: "/webhooks/:id", handle: (req) => (this.webhooks.delete(req.params.id) ? { status: 200, body: { object: "webhook", id: req.params.id, deleted: true } } : error(404, "not_found", "Webhook not found")) },
        ];
    }
}
