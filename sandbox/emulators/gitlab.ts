/**
 * GitLab REST API v4 emulator for projects, pull mirrors (import_url + mirror), remote (push)
 * mirrors, project hooks and CI/CD variables, as GitLab behaves where providers can trip:
 * `PRIVATE-TOKEN` authentication (401 `{"message":"401 Unauthorized"}`), numeric ids,
 * `{"message": ...}` errors with field maps for validation (400 `{"message":{"path":["has
 * already been taken"]}}`), credentials never returned (import URLs stripped, mirror URLs
 * masked, hook tokens omitted), masking rules for variables, 202 for project deletion, and
 * pagination headers on lists.
 */
import { ApiFailure, Emulator, type EmulatorRequest, type EmulatorResponse, type Route } from "./frame";

type Obj = Record<string, any>;

const failure = (status: number, body: unknown) => new ApiFailure({ status, body });
const notFound = (what: string) => failure(404, { message: `404 ${what} Not Found` });
const invalid = (field: string, problem: string) => failure(400, { message: { [field]: [problem] } });

function stripCredentials(url: string): string {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    return u.href;
}

function maskCredentials(url: string): string {
    const u = new URL(url);
    return u.username || u.password ? `${u.protocol}//*****:*****@${u.host}${u.pathname}${u.search}` : u.href;
}

const HOOK_FLAGS = ["push_events", "tag_push_events", "merge_requests_events", "issues_events", "note_events", "pipeline_events", "job_events", "releases_events", "deployment_events"];

export interface GitlabEmulatorOptions {
    token: string;
    /** The token user's namespace. */
    userNamespace?: { id: number; path: string };
    /** Other namespaces (groups) that exist. */
    groups?: { id: number; path: string }[];
}

export class GitlabEmulator extends Emulator {
    readonly projects = new Map<number, Obj>();
    private nextId = 1000;
    private readonly namespaces: { id: number; path: string }[];
    private readonly token: string;

    constructor(options: GitlabEmulatorOptions) {
        super({
            name: "gitlab",
            requestIdHeader: "x-request-id",
            errorBody: (status, message) => ({ message: status === 429 ? "Retry later" : `${status} ${message}` }),
        });
        this.token = options.token;
        this.namespaces = [options.userNamespace ?? { id: 1, path: "stackwire-bot" }, ...(options.groups ?? [])];
    }

    protected override authenticate(req: EmulatorRequest): EmulatorResponse | undefined {
        return req.headers["private-token"] === this.token ? undefined : { status: 401, body: { message: "401 Unauthorized" } };
    }

    override reset(): void {
        super.reset();
        this.projects.clear();
    }

    private project(id: string): Obj {
        const found = /^\d+$/.test(id) ? this.projects.get(Number(id)) : [...this.projects.values()].find((p) => p.path_with_namespace === decodeURIComponent(id));
        if (!found || found.pending_delete) throw notFound("Project");
        return found;
    }

    private handle(run: (req: EmulatorRequest, body: Obj) => unknown, status = 200): (req: EmulatorRequest) => EmulatorResponse {
        return (req) => {
            const result = run(req, req.json<Obj>() ?? {});
            if (result && typeof result === "object" && "__page" in (result as Obj)) return result as EmulatorResponse;
            return { status, body: result };
        };
    }

    private publicProject(p: Obj) {
        const { hooks: _h, variables: _v, mirrors: _m, import_url_secret: _s, ...rest } = p;
        return rest;
    }

    protected routes(): Route[] {
        const base = "/api/v4/projects";
        return [
            {
                method: "POST",
                path: base,
                handle: this.handle((_req, b) => {
                    if (typeof b.name !== "string" && typeof b.path !== "string") throw failure(400, { error: "name, path are missing, at least one parameter must be provided" });
                    const path = b.path ?? String(b.name).toLowerCase().replace(/\s+/g, "-");
                    const namespace = this.namespaces.find((n) => n.id === (b.namespace_id ?? this.namespaces[0].id));
                    if (!namespace) throw notFound("Namespace");
                    const full = `${namespace.path}/${path}`;
                    if ([...this.projects.values()].some((p) => p.path_with_namespace === full && !p.pending_delete)) throw failure(400, { message: { name: ["has already been taken"], path: ["has already been taken"] } });
                    const id = this.nextId++;
                    const project = {
                        id,
                        name: b.name ?? path,
                        path,
                        path_with_namespace: full,
                        namespace: { id: namespace.id, full_path: namespace.path },
                        visibility: b.visibility ?? "private",
                        description: b.description ?? null,
                        default_branch: b.default_branch ?? "main",
                        web_url: `https://gitlab.example/${full}`,
                        http_url_to_repo: `https://gitlab.example/${full}.git`,
                        import_url: null,
                        mirror: false,
                        mirror_trigger_builds: false,
                        only_mirror_protected_branches: false,
                        hooks: new Map<number, Obj>(),
                        variables: [] as Obj[],
                        mirrors: new Map<number, Obj>(),
                    };
                    this.projects.set(id, project);
                    return this.publicProject(project);
                }, 201),
            },
            {
                method: "GET",
                path: base,
                handle: (req) => {
                    const search = req.query.get("search") ?? "";
                    const perPage = Number(req.query.get("per_page") ?? 20);
                    const page = Number(req.query.get("page") ?? 1);
                    const all = [...this.projects.values()].filter((p) => !p.pending_delete && (p.path.includes(search) || p.name.includes(search)));
                    const slice = all.slice((page - 1) * perPage, page * perPage).map((p) => this.publicProject(p));
                    const totalPages = Math.max(1, Math.ceil(all.length / perPage));
                    return {
                        status: 200,
                        body: slice,
                        headers: { "x-total": String(all.length), "x-total-pages": String(totalPages), "x-page": String(page), "x-per-page": String(perPage), "x-next-page": page < totalPages ? String(page + 1) : "" },
                    };
                },
            },
            { method: "GET", path: `${base}/:id`, handle: this.handle((req) => this.publicProject(this.project(req.params.id))) },
            {
                method: "PUT",
                path: `${base}/:id`,
                handle: this.handle((req, b) => {
                    const p = this.project(req.params.id);
                    for (const field of ["name", "visibility", "description", "default_branch", "mirror", "mirror_trigger_builds", "only_mirror_protected_branches"]) if (b[field] !== undefined) p[field] = b[field];
                    if (b.import_url !== undefined) {
                        if (!/^https?:\/\//.test(b.import_url)) throw invalid("import_url", "is blocked: Only allowed schemes are http, https");
                        // GitLab keeps the credentials but never shows them.
                        p.import_url = stripCredentials(b.import_url);
                    }
                    return this.publicProject(p);
                }),
            },
            {
                method: "DELETE",
                path: `${base}/:id`,
                handle: this.handle((req) => {
                    this.project(req.params.id).pending_delete = true;
                    return { message: "202 Accepted" };
                }, 202),
            },
            {
                method: "POST",
                path: `${base}/:id/remote_mirrors`,
                handle: this.handle((req, b) => {
                    const p = this.project(req.params.id);
                    if (typeof b.url !== "string" || !/^https?:\/\//.test(b.url)) throw invalid("url", "is blocked: Only allowed schemes are ssh, git, http, https");
                    const id = this.nextId++;
                    const mirror = { id, url: maskCredentials(b.url), enabled: b.enabled ?? false, only_protected_branches: b.only_protected_branches ?? false, keep_divergent_refs: b.keep_divergent_refs ?? false, update_status: "none", last_error: null };
                    p.mirrors.set(id, mirror);
                    return mirror;
                }, 201),
            },
            {
                method: "GET",
                path: `${base}/:id/remote_mirrors/:mid`,
                handle: this.handle((req) => {
                    const m = this.project(req.params.id).mirrors.get(Number(req.params.mid));
                    if (!m) throw notFound("Remote Mirror");
                    return m;
                }),
            },
            {
                method: "PUT",
                path: `${base}/:id/remote_mirrors/:mid`,
                handle: this.handle((req, b) => {
                    const m = this.project(req.params.id).mirrors.get(Number(req.params.mid));
                    if (!m) throw notFound("Remote Mirror");
                    for (const field of ["enabled", "only_protected_branches", "keep_divergent_refs"]) if (b[field] !== undefined) m[field] = b[field];
                    return m;
                }),
            },
            {
                method: "DELETE",
                path: `${base}/:id/remote_mirrors/:mid`,
                handle: this.handle((req) => {
                    if (!this.project(req.params.id).mirrors.delete(Number(req.params.mid))) throw notFound("Remote Mirror");
                    return "";
                }, 204),
            },
            {
                method: "POST",
                path: `${base}/:id/hooks`,
                handle: this.handle((req, b) => {
                    const p = this.project(req.params.id);
                    if (typeof b.url !== "string" || !/^https?:\/\//.test(b.url)) throw invalid("url", "is blocked: Only allowed schemes are http, https");
                    const id = this.nextId++;
                    const hook: Obj = { id, url: b.url, project_id: p.id, enable_ssl_verification: b.enable_ssl_verification ?? true, token: b.token, created_at: new Date().toISOString() };
                    for (const flag of HOOK_FLAGS) hook[flag] = b[flag] ?? flag === "push_events";
                    p.hooks.set(id, hook);
                    return this.publicHook(hook);
                }, 201),
            },
            { method: "GET", path: `${base}/:id/hooks/:hid`, handle: this.handle((req) => this.publicHook(this.hook(req.params.id, req.params.hid))) },
            {
                method: "PUT",
                path: `${base}/:id/hooks/:hid`,
                handle: this.handle((req, b) => {
                    const hook = this.hook(req.params.id, req.params.hid);
                    for (const field of ["url", "enable_ssl_verification", "token", ...HOOK_FLAGS]) if (b[field] !== undefined) hook[field] = b[field];
                    return this.publicHook(hook);
                }),
            },
            {
                method: "DELETE",
                path: `${base}/:id/hooks/:hid`,
                handle: this.handle((req) => {
                    this.hook(req.params.id, req.params.hid);
                    this.project(req.params.id).hooks.delete(Number(req.params.hid));
                    return "";
                }, 204),
            },
            {
                method: "POST",
                path: `${base}/:id/variables`,
                handle: this.handle((req, b) => {
                    const p = this.project(req.params.id);
                    if (typeof b.key !== "string" || !/^[A-Za-z0-9_]{1,255}$/.test(b.key)) throw invalid("key", "can contain only letters, digits and '_'.");
                    const scope = b.environment_scope ?? "*";
                    if (p.variables.some((v: Obj) => v.key === b.key && v.environment_scope === scope)) throw invalid("key", `(${b.key}) has already been taken`);
                    const variable = { key: b.key, value: String(b.value ?? ""), masked: b.masked ?? false, protected: b.protected ?? false, raw: b.raw ?? false, variable_type: b.variable_type ?? "env_var", environment_scope: scope, hidden: false };
                    this.checkMasking(variable);
                    p.variables.push(variable);
                    return variable;
                }, 201),
            },
            { method: "GET", path: `${base}/:id/variables/:key`, handle: this.handle((req) => this.variable(req)) },
            {
                method: "PUT",
                path: `${base}/:id/variables/:key`,
                handle: this.handle((req, b) => {
                    const variable = this.variable(req);
                    const next = { ...variable };
                    for (const field of ["value", "masked", "protected", "raw", "variable_type"]) if (b[field] !== undefined) next[field] = b[field];
                    this.checkMasking(next);
                    return Object.assign(variable, next);
                }),
            },
            {
                method: "DELETE",
                path: `${base}/:id/variables/:key`,
                handle: this.handle((req) => {
                    const p = this.project(req.params.id);
                    const variable = this.variable(req);
                    p.variables = p.variables.filter((v: Obj) => v !== variable);
                    return "";
                }, 204),
            },
        ];
    }

    private publicHook(hook: Obj) {
        const { token: _token, ...rest } = hook;
        return rest;
    }

    private hook(projectId: string, hookId: string): Obj {
        const hook = this.project(projectId).hooks.get(Number(hookId));
        if (!hook) throw notFound("Hook");
        return hook;
    }

    private variable(req: EmulatorRequest): Obj {
        const scope = req.query.get("filter[environment_scope]");
        const matches = this.project(req.params.id).variables.filter((v: Obj) => v.key === req.params.key && (scope === null || v.environment_scope === scope));
        if (matches.length === 0) throw failure(404, { message: "404 Variable Not Found" });
        if (matches.length > 1) throw failure(409, { message: "There are multiple variables with provided parameters. Please use 'filter[environment_scope]'" });
        return matches[0];
    }

    private checkMasking(v: Obj): void {
        if (!v.masked) return;
        const value = String(v.value);
        const ok = value.length >= 8 && !/\s/.test(value) && (v.raw || /^[A-Za-z0-9+/=@:.~_-]+$/.test(value));
        if (!ok) throw invalid("value", "is invalid");
    }
}
