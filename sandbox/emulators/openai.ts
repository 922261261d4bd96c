/**
 * OpenAI's Admin API, the routes stackwire provisions with: organization projects and their
 * service accounts. Shapes from openai/openai-openapi openapi.yaml @f85dbe223d40e1a31cba812ab2d755c7e98a92a3
 * (cited per route below); where the spec is silent, what OpenAI answers in practice, said so.
 *
 * - Auth: `Authorization: Bearer <admin key>` (security AdminApiKeyAuth). A key OpenAI does not
 *   know: 401 invalid_api_key. A project or service-account key on an admin route: 401 "You have
 *   insufficient permissions for this operation. Missing scopes: api.management.read. …" (not in
 *   the spec; the answer OpenAI gives, as reported on its community forum, threads 1345041 and 1368874).
 * - Errors: `ErrorResponse`, {"error": {"message", "type", "param", "code"}}. The spec declares no
 *   404 for the project and service-account routes; an unknown id is answered 404
 *   invalid_request_error, as OpenAI does for other objects. The rate-limit routes' examples show
 *   {"code": 404, "message": "The project {project_id} was not found"} (L12501, L12568).
 * - Lists (`ProjectListResponse`, `ProjectServiceAccountListResponse`): limit 1–100 (default 20),
 *   after; {object: "list", data, first_id, last_id, has_more}; archived projects only with
 *   include_archived=true.
 * - An archived project "cannot be used or updated": modify, and service accounts' list, create
 *   and delete answer 400 (documented for the latter three).
 */
import { randomBytes } from "node:crypto";
import { ApiFailure, bearerToken, Emulator, type EmulatorRequest, type EmulatorResponse, type Route } from "./frame";

type Obj = Record<string, unknown>;

export interface OpenaiEmulatorOptions {
    /** Admin keys of the organization (sk-admin-…). */
    adminKeys: string[];
    /** Other keys OpenAI knows (a project's), refused on admin routes. */
    projectKeys?: string[];
}

const openaiError = (status: number, message: string, type = "invalid_request_error", code: string | null = null, param: string | null = null) => new ApiFailure({ status, body: { error: { message, type, param, code } } });

const token = (length: number) => randomBytes(length).toString("base64url").replace(/[-_]/g, "").slice(0, length);

interface Project extends Obj {
    id: string;
    status: "active" | "archived";
    accounts: Map<string, Obj>;
    /** One row per model, made with the project (list-project-rate-limits' example: id rl-<model>). */
    rateLimits: Map<string, Obj>;
}

/** The rows a new project starts with: the organization's limits per model (figures of the kind OpenAI's tier 1 shows). */
export const DEFAULT_RATE_LIMITS: readonly Obj[] = [
    { model: "gpt-4o", max_requests_per_1_minute: 500, max_tokens_per_1_minute: 30000, batch_1_day_max_input_tokens: 90000 },
    { model: "gpt-4o-mini", max_requests_per_1_minute: 500, max_tokens_per_1_minute: 200000, max_requests_per_1_day: 10000, batch_1_day_max_input_tokens: 2000000 },
    { model: "text-embedding-3-small", max_requests_per_1_minute: 3000, max_tokens_per_1_minute: 1000000 },
    { model: "dall-e-3", max_requests_per_1_minute: 500, max_tokens_per_1_minute: 0, max_images_per_1_minute: 5 },
    { model: "whisper-1", max_requests_per_1_minute: 500, max_tokens_per_1_minute: 0, max_audio_megabytes_per_1_minute: 50 },
];

/** ProjectRateLimitUpdateRequest's fields: integers. */
const RATE_LIMIT_BODY_FIELDS = ["max_requests_per_1_minute", "max_tokens_per_1_minute", "max_images_per_1_minute", "max_audio_megabytes_per_1_minute", "max_requests_per_1_day", "batch_1_day_max_input_tokens"];

export class OpenaiEmulator extends Emulator {
    readonly projects = new Map<string, Project>();
    /** Keys issued to service accounts: usable as project keys, never on admin routes. */
    readonly issuedKeys = new Map<string, { projectId: string; accountId: string }>();

    constructor(private readonly opts: OpenaiEmulatorOptions) {
        super({ name: "openai", requestIdHeader: "x-request-id", errorBody: (status, message) => ({ error: { message, type: status === 429 ? "requests" : status >= 500 ? "server_error" : "invalid_request_error", param: null, code: null } }) });
    }

    override reset(): void {
        super.reset();
        this.projects.clear();
        this.issuedKeys.clear();
    }

    protected override authenticate(req: EmulatorRequest): EmulatorResponse | undefined {
        const key = bearerToken(req);
        // The API itself (models) takes project and service-account keys; an admin key is for administration only.
        if (!req.path.startsWith("/v1/organization/")) {
            if (key && ((this.opts.projectKeys ?? []).includes(key) || this.issuedKeys.has(key))) return undefined;
            if (key && this.opts.adminKeys.includes(key)) return { status: 401, body: { error: { message: "Admin API keys cannot be used for non-administration endpoints.", type: "invalid_request_error", param: null, code: null } } };
        }
        if (key && this.opts.adminKeys.includes(key)) return undefined;
        if (key && ((this.opts.projectKeys ?? []).includes(key) || this.issuedKeys.has(key))) {
            const scope = req.method === "GET" ? "api.management.read" : "api.management.write";
            return { status: 401, body: { error: { message: `You have insufficient permissions for this operation. Missing scopes: ${scope}. Check that you have the correct role in your organization, and if you're using a restricted API key, that it has the necessary scopes.`, type: "invalid_request_error", param: null, code: null } } };
        }
        const shown = key ? `${key.slice(0, 8)}${"*".repeat(Math.max(0, key.length - 12))}${key.slice(-4)}` : "";
        return { status: 401, body: { error: { message: key ? `Incorrect API key provided: ${shown}. You can find your API key at https://platform.openai.com/account/api-keys.` : "You didn't provide an API key.", type: "invalid_request_error", param: null, code: key ? "invalid_api_key" : null } } };
    }

    private publicProject(p: Project): Obj {
        const { accounts: _accounts, rateLimits: _rateLimits, ...rest } = p;
        return rest;
    }

    private project(req: EmulatorRequest): Project {
        const found = this.projects.get(req.params.project);
        if (!found) throw openaiError(404, `No such project: ${req.params.project}`);
        return found;
    }

    /**
     * A project that may still be used. openapi.yaml @f85dbe22 documents a 400 "Error response when
     * project is archived" for list-, create- and delete-project-service-account (L12614, L12674,
     * L12816), without its text; the other routes inside a project are silent, and the same 400 is
     * assumed there. The text here is not OpenAI's (it is not published) and names no state, so a
     * client cannot lean on its wording.
     */
    private active(req: EmulatorRequest): Project {
        const p = this.project(req);
        if (p.status === "archived") throw openaiError(400, "This operation is not allowed for this project.");
        return p;
    }

    /** The project of a rate-limit route: a missing one answered as the spec's example for these routes shows it. */
    private rateLimitProject(req: EmulatorRequest): Project {
        if (!this.projects.has(req.params.project)) throw new ApiFailure({ status: 404, body: { code: 404, message: `The project ${req.params.project} was not found` } });
        return this.active(req);
    }

    private account(req: EmulatorRequest): Obj {
        const found = this.active(req).accounts.get(req.params.account);
        if (!found) throw openaiError(404, `No such service account: ${req.params.account}`);
        return found;
    }

    /** A list page: limit 1–100 (default 20), after an id. */
    private page(req: EmulatorRequest, items: Obj[], defaultLimit = 20): Obj {
        const limit = Number(req.query.get("limit") ?? defaultLimit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw openaiError(400, "limit must be an integer between 1 and 100", "invalid_request_error", null, "limit");
        const after = req.query.get("after");
        // The spec says only that `after` is "an object ID that defines your place in the list": one naming nothing is
        // refused here (not documented) rather than read as the start, which would send a paging client round again.
        if (after !== null && !items.some((i) => i.id === after)) throw openaiError(400, `No object with id '${after}' in this list to page after.`, "invalid_request_error", null, "after");
        const start = after === null ? 0 : items.findIndex((i) => i.id === after) + 1;
        const data = items.slice(start, start + limit);
        return { object: "list", data, first_id: (data[0]?.id as string | undefined) ?? null, last_id: (data[data.length - 1]?.id as string | undefined) ?? null, has_more: start + limit < items.length };
    }

    private body(req: EmulatorRequest): Obj {
        const b = req.json<Obj>() ?? {};
        if (typeof b !== "object" || Array.isArray(b)) throw openaiError(400, "The request body must be a JSON object");
        return b;
    }

    private answer(run: (req: EmulatorRequest) => Obj): Route["handle"] {
        return (req) => ({ status: 200, body: run(req) });
    }

    protected routes(): Route[] {
        const base = "/v1/organization/projects";
        const now = () => Math.floor(Date.now() / 1000);
        return [
            // listModels (GET /models): the cheapest call a project key can make; ListModelsResponse {object: "list", data: Model[]}.
            { method: "GET", path: "/v1/models", handle: () => ({ status: 200, body: { object: "list", data: [{ id: "gpt-4o-mini", object: "model", created: 1721172741, owned_by: "system" }] } }) },
            // list-projects (L11199): limit, after, include_archived.
            { method: "GET", path: base, handle: this.answer((req) => this.page(req, [...this.projects.values()].filter((p) => req.query.get("include_archived") === "true" || p.status === "active").map((p) => this.publicProject(p)))) },
            // create-project: ProjectCreateRequest {name (required), residency, external_key_id}; 200 Project.
            {
                method: "POST",
                path: base,
                handle: this.answer((req) => {
                    const b = this.body(req);
                    if (typeof b.name !== "string" || b.name === "") throw openaiError(400, "Missing required parameter: 'name'.", "invalid_request_error", "missing_required_parameter", "name");
                    const p: Project = { id: `proj_${token(24)}`, object: "organization.project", name: b.name, created_at: now(), archived_at: null, status: "active", ...(typeof b.residency === "string" ? { residency: b.residency } : {}), accounts: new Map(), rateLimits: new Map(DEFAULT_RATE_LIMITS.map((r) => [`rl-${String(r.model)}`, { object: "project.rate_limit", id: `rl-${String(r.model)}`, ...r }])) };
                    this.projects.set(p.id, p);
                    return this.publicProject(p);
                }),
            },
            // retrieve-project: an archived project is still answered, with status "archived".
            { method: "GET", path: `${base}/:project`, handle: this.answer((req) => this.publicProject(this.project(req))) },
            // modify-project: ProjectUpdateRequest {name, external_key_id}.
            {
                method: "POST",
                path: `${base}/:project`,
                handle: this.answer((req) => {
                    const p = this.active(req);
                    const b = this.body(req);
                    if (b.name !== undefined && b.name !== null) p.name = String(b.name);
                    return this.publicProject(p);
                }),
            },
            // archive-project: no body; the project with status "archived" and archived_at set. Final: there is no unarchive.
            {
                method: "POST",
                path: `${base}/:project/archive`,
                handle: this.answer((req) => {
                    const p = this.project(req);
                    if (p.status !== "archived") Object.assign(p, { status: "archived", archived_at: now() });
                    for (const a of p.accounts.values()) for (const [key, owner] of this.issuedKeys) if (owner.accountId === a.id) this.issuedKeys.delete(key);
                    p.accounts.clear();
                    return this.publicProject(p);
                }),
            },
            // list-project-rate-limits (L12423): limit (default 100), after, before; an archived project is refused as for its service accounts.
            // Its example error (and update's) is {"code": 404, "message": "The project {project_id} was not found"}, not ErrorResponse.
            { method: "GET", path: `${base}/:project/rate_limits`, handle: this.answer((req) => this.page(req, [...this.rateLimitProject(req).rateLimits.values()], 100)) },
            // update-project-rate-limits (L12505): ProjectRateLimitUpdateRequest, integers; 200 ProjectRateLimit; 400 ErrorResponse.
            {
                method: "POST",
                path: `${base}/:project/rate_limits/:rateLimit`,
                handle: this.answer((req) => {
                    const row = this.rateLimitProject(req).rateLimits.get(req.params.rateLimit);
                    if (!row) throw openaiError(404, `No such rate limit: ${req.params.rateLimit}`);
                    const b = this.body(req);
                    for (const [field, value] of Object.entries(b)) {
                        if (!RATE_LIMIT_BODY_FIELDS.includes(field)) throw openaiError(400, `Unrecognized request argument supplied: ${field}`);
                        if (!Number.isInteger(value) || (value as number) < 0) throw openaiError(400, `Invalid value for '${field}': expected a non-negative integer.`, "invalid_request_error", null, field);
                    }
                    // "Only relevant for certain models": a limit the model does not have is not kept.
                    for (const [field, value] of Object.entries(b)) if (field in row) row[field] = value;
                    return row;
                }),
            },
            // list-project-service-accounts (L12572): 400 when the project is archived.
            { method: "GET", path: `${base}/:project/service_accounts`, handle: this.answer((req) => this.page(req, [...this.active(req).accounts.values()])) },
            // create-project-service-account: {name (required), create_service_account_only}; the key's value is answered here only.
            {
                method: "POST",
                path: `${base}/:project/service_accounts`,
                handle: this.answer((req) => {
                    const p = this.active(req);
                    const b = this.body(req);
                    if (typeof b.name !== "string" || b.name === "") throw openaiError(400, "Missing required parameter: 'name'.", "invalid_request_error", "missing_required_parameter", "name");
                    const onlyAccount = b.create_service_account_only === true;
                    const account: Obj = { object: "organization.project.service_account", id: `svc_acct_${token(24)}`, name: b.name, role: onlyAccount ? "none" : "member", created_at: now() };
                    p.accounts.set(account.id as string, account);
                    if (onlyAccount) return { ...account, api_key: null };
                    const value = `sk-svcacct-${token(48)}`;
                    this.issuedKeys.set(value, { projectId: p.id, accountId: account.id as string });
                    return { ...account, api_key: { object: "organization.project.service_account.api_key", value, name: "Secret Key", created_at: now(), id: `key_${token(16)}` } };
                }),
            },
            // retrieve-project-service-account: ProjectServiceAccount (no key).
            { method: "GET", path: `${base}/:project/service_accounts/:account`, handle: this.answer((req) => this.account(req)) },
            // update-project-service-account: UpdateProjectServiceAccountBody {name, role (member | owner)}.
            {
                method: "POST",
                path: `${base}/:project/service_accounts/:account`,
                handle: this.answer((req) => {
                    const account = this.account(req);
                    const b = this.body(req);
                    if (b.role !== undefined && !["member", "owner"].includes(String(b.role))) throw openaiError(400, "Invalid value for 'role': expected one of member, owner.", "invalid_request_error", null, "role");
                    if (typeof b.name === "string") account.name = b.name;
                    if (typeof b.role === "string") account.role = b.role;
                    return account;
                }),
            },
            // delete-project-service-account: {object: "...deleted", id, deleted}; its keys stop working.
            {
                method: "DELETE",
                path: `${base}/:project/service_accounts/:account`,
                handle: this.answer((req) => {
                    const account = this.account(req);
                    this.active(req).accounts.delete(account.id as string);
                    for (const [key, owner] of this.issuedKeys) if (owner.accountId === account.id) this.issuedKeys.delete(key);
                    return { object: "organization.project.service_account.deleted", id: account.id, deleted: true };
                }),
            },
        ];
    }
}
