/**
 * PostHog's private REST API, the routes stackwire uses: projects under an organization, feature
 * flags, and the personal key's own record. Behaviour from PostHog/posthog sources (cited per
 * route: posthog/api/project.py @0030b351, posthog/api/feature_flag.py @00025c4a with its tests
 * posthog/api/test/test_feature_flag.py, posthog/api/forbid_destroy_model.py @91962438,
 * posthog/auth.py @0193a92a, posthog/permissions.py @001027ce, posthog/api/test/test_personal_api_keys.py
 * @00f6238b).
 *
 * - Errors: {"type", "code", "detail", "attr"} (exceptions_hog handler, PostHog/drf-exceptions-hog
 *   exceptions_hog/handler.py @09c92dac), only the first error.
 * - Auth: `Authorization: Bearer <personal key>`. None: 401 not_authenticated; unknown: 401
 *   authentication_failed "Personal API key found in request Authorization header is invalid."
 *   A scope missing: 403 permission_denied "API key missing required scope '<object>:<action>'";
 *   write implies read; "*" is every scope (permissions.py APIScopePermission).
 * - Lists: {count, next, previous, results}, limit/offset, 100 a page (settings PAGE_SIZE).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { ApiFailure, Emulator, type EmulatorRequest, type EmulatorResponse, type Route } from "./frame";

type Obj = Record<string, unknown>;

export interface PosthogKey {
    value: string;
    scopes: string[];
    /** Organizations whose projects the key's user may manage. */
    organizations: string[];
}

export interface PosthogEmulatorOptions {
    keys: PosthogKey[];
    /** Organizations on a plan without multiple projects (no ORGANIZATIONS_PROJECTS feature): one project each. */
    singleProjectOrganizations?: string[];
}

export interface PosthogProjectRecord extends Obj {
    id: number;
    uuid: string;
    organization: string;
    name: string;
    api_token: string;
    created_at: string;
    is_pending_deletion: boolean;
}

export interface PosthogFlagRecord extends Obj {
    id: number;
    project: number;
    key: string;
    name: string;
    active: boolean;
    deleted: boolean;
    filters: Obj;
    created_at: string;
    version: number;
}

const hogError = (status: number, type: string, code: string, detail: string, attr: string | null = null) => new ApiFailure({ status, body: { type, code, detail, attr } });
const base62 = (n: number) => randomBytes(n * 2).toString("base64").replace(/[^A-Za-z0-9]/g, "").slice(0, n);

export class PosthogEmulator extends Emulator {
    readonly projects = new Map<number, PosthogProjectRecord>();
    readonly flags = new Map<number, PosthogFlagRecord>();
    /** Dashboards PostHog makes with a new flag unless told not to (_should_create_usage_dashboard). */
    readonly usageDashboards: number[] = [];
    private nextId = 1;

    constructor(private readonly opts: PosthogEmulatorOptions) {
        // exceptions_hog sends no headers with its answers: a 429 has no Retry-After.
        super({ name: "posthog", requestIdHeader: "x-request-id", rateLimitHeaders: () => ({}), errorBody: (status, message) => ({ type: status === 429 ? "throttled_error" : status >= 500 ? "server_error" : "invalid_request", code: status === 429 ? "throttled" : status >= 500 ? "error" : "invalid", detail: message, attr: null }) });
    }

    override reset(): void {
        super.reset();
        this.projects.clear();
        this.flags.clear();
        this.usageDashboards.length = 0;
    }

    /** The personal key a request carries: auth.py PersonalAPIKeyAuthentication, `^Bearer\s+(\S.+)$`, stripped. */
    private keyValue(req: EmulatorRequest): string | undefined {
        return /^Bearer\s+(\S.+)$/.exec(req.headers.authorization ?? "")?.[1]?.trim();
    }

    private key(req: EmulatorRequest): PosthogKey {
        return this.opts.keys.find((k) => k.value === this.keyValue(req))!;
    }

    protected override authenticate(req: EmulatorRequest): EmulatorResponse | undefined {
        const value = this.keyValue(req);
        if (!value) return { status: 401, body: { type: "authentication_error", code: "not_authenticated", detail: "Authentication credentials were not provided.", attr: null } };
        if (!this.opts.keys.some((k) => k.value === value)) return { status: 401, body: { type: "authentication_error", code: "authentication_failed", detail: "Personal API key found in request Authorization header is invalid.", attr: null } };
        return undefined;
    }

    /** APIScopePermission: `<object>:read` is met by read or write, `<object>:write` by write; "*" by anything. */
    private require(req: EmulatorRequest, scope: string): PosthogKey {
        const key = this.key(req);
        const [object, action] = scope.split(":");
        const held = key.scopes.includes("*") || key.scopes.includes(scope) || (action === "read" && key.scopes.includes(`${object}:write`));
        if (!held) throw hogError(403, "authentication_error", "permission_denied", `API key missing required scope '${scope}'`);
        return key;
    }

    private organization(req: EmulatorRequest, scope: string): string {
        const key = this.require(req, scope);
        const org = req.params.organization;
        if (!key.organizations.includes(org)) throw hogError(403, "authentication_error", "permission_denied", "You don't have access to the organization.");
        return org;
    }

    /**
     * A project the key's user can reach: 404 "Not found." (DRF's NotFound) when there is none;
     * 403 when it exists in an organization the user is not in (permissions.py
     * TeamMemberAccessPermission, "You don't have access to the project.").
     */
    private project(req: EmulatorRequest, scope: string, param = "project"): PosthogProjectRecord {
        const key = this.require(req, scope);
        const p = this.projects.get(Number(req.params[param]));
        if (!p) throw hogError(404, "invalid_request", "not_found", "Not found.");
        if (!key.organizations.includes(p.organization)) throw hogError(403, "authentication_error", "permission_denied", "You don't have access to the project.");
        return p;
    }

    /**
     * The end of a project's deletion (project.py perform_destroy starts a Temporal workflow that
     * removes the project's data): the project and its flags are gone, and answered 404.
     */
    finishDeletion(projectId: number): void {
        this.projects.delete(projectId);
        for (const f of [...this.flags.values()]) if (f.project === projectId) this.flags.delete(f.id);
    }

    /** project.py validate_name: trimmed, 1–200, unique in the organization among projects not being deleted, case-insensitive (409 Conflict). */
    private projectName(org: string, raw: unknown, self?: number): string {
        const name = typeof raw === "string" ? raw.trim() : "";
        if (name.length === 0 || name.length > 200) throw hogError(400, "validation_error", name.length === 0 ? "blank" : "max_length", name.length === 0 ? "This field may not be blank." : "Ensure this field has no more than 200 characters.", "name");
        if ([...this.projects.values()].some((p) => p.organization === org && p.id !== self && !p.is_pending_deletion && p.name.toLowerCase() === name.toLowerCase())) {
            throw hogError(409, "server_error", "conflict", `There is already a project called "${name}" in this organization. Choose a different name.`);
        }
        return name;
    }

    private page(req: EmulatorRequest, items: Obj[]): EmulatorResponse {
        const limit = Math.min(Number(req.query.get("limit") ?? 100), 100);
        const offset = Number(req.query.get("offset") ?? 0);
        const results = items.slice(offset, offset + limit);
        const more = offset + limit < items.length;
        const next = more ? `${this.url}${req.path}?${new URLSearchParams({ ...Object.fromEntries(req.query), limit: String(limit), offset: String(offset + limit) })}` : null;
        return { status: 200, body: { count: items.length, next, previous: null, results } };
    }

    private body(req: EmulatorRequest): Obj {
        const b = req.json<Obj>() ?? {};
        if (typeof b !== "object" || Array.isArray(b)) throw hogError(400, "invalid_request", "parse_error", "JSON parse error");
        return b;
    }

    private flag(req: EmulatorRequest, scope: string): PosthogFlagRecord {
        const p = this.project(req, scope);
        const f = this.flags.get(Number(req.params.flag));
        if (!f || f.project !== p.id) throw hogError(404, "invalid_request", "not_found", "Not found.");
        return f;
    }

    /** FeatureFlagSerializer.validate_key: taken among flags not deleted ("unique", checked first), then the pattern. */
    private checkKey(project: number, key: unknown, self?: number): string {
        if (typeof key !== "string" || key === "") throw hogError(400, "validation_error", "required", "This field is required.", "key");
        if ([...this.flags.values()].some((f) => f.project === project && f.key === key && !f.deleted && f.id !== self)) throw hogError(400, "validation_error", "unique", "There is already a feature flag with this key.", "key");
        if (!/^[a-zA-Z0-9_-]+$/.test(key)) throw hogError(400, "validation_error", "invalid_key", "Only letters, numbers, hyphens (-) & underscores (_) are allowed.", "key");
        if (key.length > 400) throw hogError(400, "validation_error", "max_length", "Ensure this field has no more than 400 characters.", "key");
        return key;
    }

    /** A POST's filters must hold at least one group (feature_flag.py validate_filters). */
    private checkFilters(filters: unknown, creating = true): Obj {
        const groups = (filters as { groups?: unknown[] } | undefined)?.groups;
        if (!Array.isArray(groups) || (creating && groups.length === 0)) throw hogError(400, "validation_error", "invalid_input", "Feature flags must have at least one condition set (group).", "filters");
        // _validate_rollout_percentage: a number (not a boolean) from 0 to 100.
        (groups as { rollout_percentage?: unknown }[]).forEach((g, i) => {
            const r = g.rollout_percentage;
            if (r !== null && r !== undefined && (typeof r !== "number" || r < 0 || r > 100)) throw hogError(400, "validation_error", "invalid_input", `groups[${i}].rollout_percentage must be between 0 and 100, got ${JSON.stringify(r)}`, "filters");
        });
        return filters as Obj;
    }

    protected routes(): Route[] {
        const flags = "/api/projects/:project/feature_flags";
        return [
            // test_personal_api_keys.py test_retrieve_personal_api_key_with_bearer_auth: no scope needed; `scopes` is ["*"] for an unscoped key.
            {
                method: "GET",
                path: "/api/personal_api_keys/@current",
                handle: (req) => {
                    const key = this.key(req);
                    return { status: 200, body: { id: `key_${key.value.slice(-6)}`, label: "stackwire", value: null, mask_value: `phx_...${key.value.slice(-4)}`, scopes: key.scopes.length > 0 ? key.scopes : ["*"], scoped_organizations: [], scoped_teams: [] } };
                },
            },
            // project.py ProjectViewSet list (ProjectBackwardCompatBasicSerializer, no created_at): `search` on name.
            {
                method: "GET",
                path: "/api/organizations/:organization/projects",
                handle: (req) => {
                    const org = this.organization(req, "project:read");
                    const search = req.query.get("search")?.toLowerCase();
                    const items = [...this.projects.values()]
                        .filter((p) => p.organization === org && (!search || p.name.toLowerCase().includes(search)))
                        // ProjectBackwardCompatBasicSerializer: no created_at, no is_pending_deletion (a project being deleted is listed as any other).
                        .map(({ id, uuid, organization, name, api_token }) => ({ id, uuid, organization, project_id: id, api_token, name, completed_snippet_onboarding: false, has_completed_onboarding_for: null, ingested_event: false, is_demo: false, timezone: "UTC", access_control: false }));
                    return this.page(req, items);
                },
            },
            // project.py create: name optional (1–200), unique in the organization, case-insensitive, pending deletions aside (409 Conflict); 201.
            // An organization on a plan without multiple projects that has one already: 403 (PremiumMultiProjectPermission).
            {
                method: "POST",
                path: "/api/organizations/:organization/projects",
                handle: (req) => {
                    const org = this.organization(req, "project:write");
                    // PremiumMultiProjectPermission: without the feature, one non-demo project per organization, those being deleted counted.
                    if ((this.opts.singleProjectOrganizations ?? []).includes(org) && [...this.projects.values()].some((p) => p.organization === org)) {
                        throw hogError(403, "authentication_error", "permission_denied", "You have reached the maximum limit of allowed projects for your current plan. Upgrade your plan to be able to create and manage more projects.");
                    }
                    const b = this.body(req);
                    const name = this.projectName(org, b.name === undefined ? `Default project ${this.nextId}` : b.name);
                    const p: PosthogProjectRecord = { id: this.nextId++, uuid: randomUUID(), organization: org, name, api_token: `phc_${base62(43)}`, created_at: new Date().toISOString(), is_pending_deletion: false };
                    this.projects.set(p.id, p);
                    return { status: 201, body: { ...p, project_id: p.id } };
                },
            },
            // project.py retrieve: still answered while pending deletion.
            { method: "GET", path: "/api/projects/:project", handle: (req) => ({ status: 200, body: { ...this.project(req, "project:read"), project_id: Number(req.params.project) } }) },
            // project.py partial_update: project:write.
            {
                method: "PATCH",
                path: "/api/projects/:project",
                handle: (req) => {
                    const p = this.project(req, "project:write");
                    const b = this.body(req);
                    // validate_name runs on update too, only for a newly chosen name.
                    if (b.name !== undefined && b.name !== p.name) p.name = this.projectName(p.organization, b.name, p.id);
                    return { status: 200, body: { ...p, project_id: p.id } };
                },
            },
            // project.py perform_destroy: 204, then deleted in the background (is_pending_deletion, then gone: finishDeletion); a second delete is 400.
            {
                method: "DELETE",
                path: "/api/projects/:project",
                handle: (req) => {
                    const p = this.project(req, "project:write");
                    if (p.is_pending_deletion) throw hogError(400, "validation_error", "invalid_input", "This project is already being deleted.");
                    // Flags are left as they are: the workflow removes them with the project (finishDeletion).
                    p.is_pending_deletion = true;
                    return { status: 204 };
                },
            },
            // feature_flag.py list: deleted flags left out; `search` on key or name; no key filter.
            {
                method: "GET",
                path: flags,
                handle: (req) => {
                    const p = this.project(req, "feature_flag:read");
                    const search = req.query.get("search")?.toLowerCase();
                    // Newest first (the viewset orders by -created_at), without the internal project field.
                    const listed = [...this.flags.values()].filter((f) => f.project === p.id && !f.deleted && (!search || f.key.toLowerCase().includes(search) || f.name.toLowerCase().includes(search))).reverse();
                    return this.page(req, listed.map(({ project: _project, ...shown }) => shown));
                },
            },
            // feature_flag.py create: 201; a dashboard is made unless _should_create_usage_dashboard is false.
            {
                method: "POST",
                path: flags,
                handle: (req) => {
                    const p = this.project(req, "feature_flag:write");
                    const b = this.body(req);
                    const key = this.checkKey(p.id, b.key);
                    const filters = b.filters === undefined ? { groups: [{ properties: [], rollout_percentage: null }] } : this.checkFilters(b.filters);
                    // Creating a key held by deleted flags hard-deletes those first (FeatureFlagSerializer.create).
                    for (const f of [...this.flags.values()]) if (f.project === p.id && f.key === key && f.deleted) this.flags.delete(f.id);
                    const f: PosthogFlagRecord = { id: this.nextId++, project: p.id, key, name: typeof b.name === "string" ? b.name : "", active: b.active !== false, deleted: false, filters, created_at: new Date().toISOString(), version: 1, ensure_experience_continuity: b.ensure_experience_continuity === true };
                    this.flags.set(f.id, f);
                    if (b._should_create_usage_dashboard !== false) this.usageDashboards.push(f.id);
                    const { project: _project, ...shown } = f;
                    return { status: 201, body: shown };
                },
            },
            // Retrieve: deleted flags are still answered, with deleted: true.
            {
                method: "GET",
                path: `${flags}/:flag`,
                handle: (req) => {
                    const { project: _project, ...shown } = this.flag(req, "feature_flag:read");
                    return { status: 200, body: shown };
                },
            },
            // partial_update: version incremented; `deleted: true` is the only delete.
            {
                method: "PATCH",
                path: `${flags}/:flag`,
                handle: (req) => {
                    const f = this.flag(req, "feature_flag:write");
                    const b = this.body(req);
                    if (b.key !== undefined) f.key = this.checkKey(f.project, b.key, f.id);
                    // validate_filters checks for empty groups on creation only; a PATCH without groups keeps the flag's.
                    if (b.filters !== undefined && (b.filters as { groups?: unknown }).groups !== undefined) f.filters = this.checkFilters(b.filters, false);
                    if (typeof b.name === "string") f.name = b.name;
                    if (typeof b.active === "boolean") f.active = b.active;
                    if (typeof b.deleted === "boolean") f.deleted = b.deleted;
                    f.version += 1;
                    const { project: _project, ...shown } = f;
                    return { status: 200, body: shown };
                },
            },
            // forbid_destroy_model.py: 405 with an empty body; the flag stays.
            { method: "DELETE", path: `${flags}/:flag`, handle: (req) => (this.flag(req, "feature_flag:write"), { status: 405 }) },
        ];
    }
}
