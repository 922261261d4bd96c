/**
 * GitLab REST API v4 emulator for projects, pull mirrors, remote (push) mirrors, project hooks
 * and CI/CD variables, as GitLab behaves where providers can trip: `PRIVATE-TOKEN`
 * authentication (401 `{"message":"401 Unauthorized"}`), numeric ids, `{"message": ...}` errors
 * with field maps for validation (400 `{"message":{"path":["has already been taken"]}}`),
 * credentials never returned (mirror URLs masked as GitLab masks them, hook tokens omitted),
 * masking rules for variables, 202 for project deletion, and pagination headers on lists.
 *
 * Followed, route by route, from the server source and API docs of gitlabhq/gitlabhq (no
 * OpenAPI spec covers these routes); each route cites the file it follows. Commits: remote
 * mirrors lib/api/remote_mirrors.rb 05f0ebba, lib/api/entities/remote_mirror.rb 017a6c12,
 * app/models/remote_mirror.rb 0286e4c6, app/models/concerns/safe_url.rb 6adfd945; pull mirrors
 * doc/api/project_pull_mirroring.md 017a6c12, with the EE source of GitLab 17.6+ (ee/lib/api/
 * project_mirror.rb, ee/lib/api/entities/pull_mirror.rb, app/services/repositories/pull_mirrors/
 * update_service.rb, read from a public copy of gitlab-org/gitlab: gitlabhq/gitlabhq's stored
 * ee/ predates them), Project#safe_import_url and lib/gitlab/url_sanitizer.rb; projects app/services/projects/create_service.rb, app/models/concerns/
 * has_repository.rb, app/services/projects/update_service.rb, doc/api/projects.md; hooks
 * lib/api/helpers/web_hooks_helpers.rb 1b9e60e8, app/models/concerns/web_hooks/hook.rb 135b9a70,
 * lib/api/entities/hook.rb 0286e4c6, doc/api/project_webhooks.md 0c97aa58; variables
 * doc/api/project_level_variables.md 017a6c12, lib/api/ci/variables.rb 2df3fbbc; namespaces
 * lib/api/namespaces.rb 04e80ac1.
 *
 * Who may see what (issue 16): a token of another user that is a member of none of these
 * namespaces (`outsiders`) is accepted, and GitLab hides from it everything it may not read.
 * lib/api/helpers.rb `find_project!` (e0eff03d, and the current helpers): a project the user may
 * not `read_project` answers 404 {"message":"404 Project Not Found"}, exactly as a project that
 * does not exist, on every route under /projects/:id (each starts with `user_project`). A
 * project it may read but not administer (public or internal) answers 403 {"message":"403
 * Forbidden"} (`authorize_admin_project`, `authorize! :admin_build`) and 401 {"message":"401
 * Unauthorized"} on remote mirrors (remote_mirrors.rb: `unauthorized! unless can?(current_user,
 * :admin_remote_mirror, user_project)`). `find_namespace!` answers 404 {"message":"404 Namespace
 * Not Found"} unless the user may `read_namespace_via_membership`: a member of the group
 * (GroupPolicy `has_access`) or the owner of the user namespace (UserNamespacePolicy).
 *
 * Pipeline events (issue 12): `runPipeline` moves a pipeline through its statuses and posts a
 * Pipeline Hook to each of the project's hooks with pipeline_events, as WebHookService does
 * (app/services/web_hook_service.rb 017a6c12, body from lib/gitlab/data_builder/pipeline.rb
 * 017a6c12); `resendHookRequest` is the hook's "Resend request" (web_hooks/events/resend_service.rb).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { postEvent, type Delivery } from "../events/deliver";
import { ApiFailure, Emulator, type EmulatorRequest, type EmulatorResponse, type Route } from "./frame";

type Obj = Record<string, any>;

const failure = (status: number, body: unknown) => new ApiFailure({ status, body });
const notFound = (what: string) => failure(404, { message: `404 ${what} Not Found` });
const invalid = (field: string, problem: string) => failure(400, { message: { [field]: [problem] } });
/** Grape's answer for a route that does not exist (CE and Free have no pull mirror API). */
const noRoute = () => failure(404, { error: "404 Not Found" });

/**
 * A URL's parts as Gitlab::UrlSanitizer#parse_url reads them (lib/gitlab/url_sanitizer.rb):
 * everything before the last `@` is the credentials, split on `:` into user and password.
 */
function parseCredentials(url: string): { bare: string; user?: string; password?: string } {
    const match = /^((?:git|ssh|https?):\/\/)(?:(.+)@)?(.+)$/.exec(url.trim());
    if (!match) return { bare: url };
    const [, scheme, raw, rest] = match;
    if (!raw) return { bare: `${scheme}${rest}` };
    const [user, password] = raw.split(":");
    return { bare: `${scheme}${rest}`, ...(user ? { user: decodeURIComponent(user) } : {}), ...(password ? { password: decodeURIComponent(password) } : {}) };
}

/**
 * The URL as GitLab shows it: `*****` for a password, and for a user unless allowed.
 * Push mirrors: RemoteMirror#safe_url allows `git` (app/models/remote_mirror.rb, concerns/safe_url.rb).
 * Pull mirrors: Project#safe_import_url is UrlSanitizer#masked_url, which allows none.
 */
function shown(bare: string, credentials: { user?: string; password?: string }, allowedUsers: string[]): string {
    const { user, password } = credentials;
    if (!user && !password) return bare;
    const shownUser = user ? (allowedUsers.includes(user) ? user : "*****") : "";
    const userinfo = password ? `${shownUser}:*****` : shownUser;
    return bare.replace(/^([a-z]+:\/\/)/, `$1${userinfo}@`);
}

const MIRROR_SCHEMES = /^(https?|ssh|git):\/\//;
const HOOK_FLAGS = ["push_events", "tag_push_events", "merge_requests_events", "issues_events", "note_events", "pipeline_events", "job_events", "releases_events", "deployment_events"];
const timestamp = () => new Date().toISOString();

export interface GitlabEmulatorOptions {
    token: string;
    /** The token user's namespace. */
    userNamespace?: { id: number; path: string };
    /** Other namespaces (groups) that exist. */
    groups?: { id: number; path: string }[];
    /** The instance's default branch name (Gitlab::CurrentSettings.default_branch_name). @default "main" */
    defaultBranchName?: string;
    /** Premium or Ultimate: the pull mirror API exists. @default true */
    premium?: boolean;
    /**
     * Tokens GitLab accepts, of other users who are members of none of these namespaces: they
     * read public and internal projects only, administer none, and see no namespace.
     */
    outsiders?: string[];
    /** Gitlab.config.gitlab.base_url, sent as X-Gitlab-Instance. @default "https://gitlab.example" */
    instanceUrl?: string;
    /** Gitlab::VERSION, sent in the User-Agent. @default "18.3.0" */
    version?: string;
}

/** Ci::HasStatus statuses a pipeline goes through. */
export const PIPELINE_STATUSES = ["created", "waiting_for_resource", "preparing", "pending", "running", "success", "failed", "canceled", "skipped", "manual", "scheduled"] as const;
export type PipelineStatus = (typeof PIPELINE_STATUSES)[number];
const FINISHED: readonly string[] = ["success", "failed", "canceled", "skipped"];
/** The label of Gitlab::Ci::Status for each status (detailed_status). */
const STATUS_LABEL: Record<string, string> = { success: "passed", manual: "manual action", waiting_for_resource: "waiting for resource" };

/** One Pipeline Hook sent to one project hook. */
export interface GitlabDelivery extends Delivery {
    hookId: number;
    /** The hook log's idempotency key: kept by a resend. */
    idempotencyKey: string;
}

export class GitlabEmulator extends Emulator {
    readonly projects = new Map<number, Obj>();
    private nextId = 1000;
    private readonly namespaces: { id: number; path: string; kind: "user" | "group" }[];
    private readonly token: string;
    private readonly defaultBranchName: string;
    private readonly premium: boolean;
    private readonly outsiders: string[];
    private readonly instanceUrl: string;
    private readonly version: string;
    /** Every Pipeline Hook posted, in order. */
    readonly hookDeliveries: GitlabDelivery[] = [];
    private readonly pipelines = new Map<number, { projectId: number; iid: number; ref: string; sha: string; createdAt: string; startedAt: number }>();

    constructor(options: GitlabEmulatorOptions) {
        super({
            name: "gitlab",
            requestIdHeader: "x-request-id",
            errorBody: (status, message) => ({ message: status === 429 ? "Retry later" : `${status} ${message}` }),
        });
        this.token = options.token;
        this.namespaces = [{ ...(options.userNamespace ?? { id: 1, path: "stackwire-bot" }), kind: "user" }, ...(options.groups ?? []).map((g) => ({ ...g, kind: "group" as const }))];
        this.defaultBranchName = options.defaultBranchName ?? "main";
        this.premium = options.premium ?? true;
        this.outsiders = options.outsiders ?? [];
        this.instanceUrl = options.instanceUrl ?? "https://gitlab.example";
        this.version = options.version ?? "18.3.0";
    }

    protected override authenticate(req: EmulatorRequest): EmulatorResponse | undefined {
        const token = req.headers["private-token"];
        return token === this.token || this.outsiders.includes(String(token)) ? undefined : { status: 401, body: { message: "401 Unauthorized" } };
    }

    /** The request comes from a user who is a member of none of the namespaces. */
    private isOutsider(req: EmulatorRequest): boolean {
        return req.headers["private-token"] !== this.token;
    }

    override reset(): void {
        super.reset();
        this.projects.clear();
        this.pipelines.clear();
        this.hookDeliveries.length = 0;
    }

    /**
     * A pipeline of the project on `ref` reaching each status in turn (one status, or a sequence
     * such as pending, running, success): every step is one Pipeline Hook to each hook with
     * pipeline_events, all carrying the same pipeline id. `pipelineId` moves an existing pipeline on.
     */
    async runPipeline(projectId: number, options: { ref: string; status: PipelineStatus | PipelineStatus[]; pipelineId?: number; sha?: string }): Promise<{ pipelineId: number; deliveries: GitlabDelivery[] }> {
        const project = this.projects.get(projectId);
        if (!project) throw new Error(`no project ${projectId}`);
        const statuses = Array.isArray(options.status) ? options.status : [options.status];
        for (const status of statuses) if (!PIPELINE_STATUSES.includes(status)) throw new Error(`unknown pipeline status ${status}; one of ${PIPELINE_STATUSES.join(", ")}`);
        let pipelineId = options.pipelineId;
        if (pipelineId === undefined || !this.pipelines.has(pipelineId)) {
            pipelineId = pipelineId ?? this.nextId++;
            const iid = [...this.pipelines.values()].filter((p) => p.projectId === projectId).length + 1;
            this.pipelines.set(pipelineId, { projectId, iid, ref: options.ref, sha: options.sha ?? randomBytes(20).toString("hex"), createdAt: timestamp(), startedAt: Date.now() });
        }
        const deliveries: GitlabDelivery[] = [];
        for (const status of statuses) {
            const body = this.pipelineHookData(project, pipelineId, status);
            for (const hook of project.hooks.values()) {
                if (hook.pipeline_events !== true) continue;
                deliveries.push(await this.postHook(hook, body, randomUUID()));
            }
        }
        return { pipelineId, deliveries };
    }

    /** The hook's "Resend request": the logged body again, with its idempotency key; a new event UUID. */
    async resendHookRequest(delivery: GitlabDelivery): Promise<GitlabDelivery> {
        const hook = [...this.projects.values()].map((p) => p.hooks.get(delivery.hookId)).find((h) => h !== undefined);
        if (!hook) throw new Error(`no hook ${delivery.hookId}`);
        return this.postHook(hook, JSON.parse(delivery.payload), delivery.idempotencyKey);
    }

    /**
     * WebHookService#build_headers: Content-Type, User-Agent "GitLab/<version>", Idempotency-Key
     * (per event and hook, kept by retries and resends), X-Gitlab-Event (hook_to_event:
     * "Pipeline Hook"), X-Gitlab-Webhook-UUID (Gitlab::WebHooks::GITLAB_UUID_HEADER, a new
     * SecureRandom.uuid per request), X-Gitlab-Instance (the instance's base URL), X-Gitlab-Token
     * only when the hook has a token, and RecursionDetection's X-Gitlab-Event-UUID (a new UUID for
     * each hook and triggering request: lib/gitlab/web_hooks/recursion_detection/uuid.rb).
     */
    private async postHook(hook: Obj, body: Obj, idempotencyKey: string): Promise<GitlabDelivery> {
        const headers: Record<string, string> = {
            "Content-Type": "application/json",
            "User-Agent": `GitLab/${this.version}`,
            "Idempotency-Key": idempotencyKey,
            "X-Gitlab-Event": "Pipeline Hook",
            "X-Gitlab-Webhook-UUID": randomUUID(),
            "X-Gitlab-Instance": this.instanceUrl,
            ...(hook.token ? { "X-Gitlab-Token": String(hook.token).replace(/[\r\n]/g, "") } : {}),
            "X-Gitlab-Event-UUID": randomUUID(),
        };
        const delivery = { ...(await postEvent(hook.url, headers, JSON.stringify(body))), hookId: hook.id as number, idempotencyKey };
        this.hookDeliveries.push(delivery);
        return delivery;
    }

    /** Gitlab::DataBuilder::Pipeline: object_kind, object_attributes (hook_attrs), merge_request, user, project (hook_attrs backward: false), commit, builds. */
    private pipelineHookData(project: Obj, pipelineId: number, status: PipelineStatus): Obj {
        const pipeline = this.pipelines.get(pipelineId)!;
        const finished = FINISHED.includes(status);
        const namespace = project.namespace as { path: string };
        const user = { id: 1, name: "Stackwire Bot", username: namespace.path, avatar_url: null, email: "[REDACTED]" };
        return {
            object_kind: "pipeline",
            object_attributes: {
                id: pipelineId,
                iid: pipeline.iid,
                name: null,
                ref: pipeline.ref,
                tag: false,
                sha: pipeline.sha,
                before_sha: "0".repeat(40),
                source: "push",
                status,
                detailed_status: STATUS_LABEL[status] ?? status,
                stages: ["test"],
                created_at: pipeline.createdAt,
                finished_at: finished ? timestamp() : null,
                duration: finished ? Math.max(1, Math.round((Date.now() - pipeline.startedAt) / 1000)) : null,
                queued_duration: status === "created" || status === "pending" ? null : 1,
                protected_ref: pipeline.ref === this.shownDefaultBranch(project),
                variables: [],
                url: `${project.web_url}/-/pipelines/${pipelineId}`,
            },
            merge_request: null,
            user,
            project: {
                id: project.id,
                name: project.name,
                description: project.description,
                web_url: project.web_url,
                avatar_url: null,
                git_ssh_url: `git@gitlab.example:${project.path_with_namespace}.git`,
                git_http_url: project.http_url_to_repo,
                namespace: namespace.path,
                visibility_level: project.visibility === "public" ? 20 : project.visibility === "internal" ? 10 : 0,
                path_with_namespace: project.path_with_namespace,
                default_branch: this.shownDefaultBranch(project),
                ci_config_path: null,
            },
            commit: {
                id: pipeline.sha,
                message: "Update .gitlab-ci.yml\n",
                title: "Update .gitlab-ci.yml",
                timestamp: pipeline.createdAt,
                url: `${project.web_url}/-/commit/${pipeline.sha}`,
                author: { name: "Stackwire Bot", email: "[REDACTED]" },
            },
            builds: [
                {
                    id: pipelineId + 1,
                    stage: "test",
                    name: "test",
                    status: status === "waiting_for_resource" || status === "preparing" || status === "scheduled" ? "created" : status,
                    created_at: pipeline.createdAt,
                    started_at: status === "created" || status === "pending" ? null : pipeline.createdAt,
                    finished_at: finished ? timestamp() : null,
                    duration: null,
                    queued_duration: null,
                    failure_reason: status === "failed" ? "script_failure" : null,
                    when: "on_success",
                    manual: false,
                    allow_failure: false,
                    user,
                    runner: null,
                    artifacts_file: { filename: null, size: null },
                    environment: null,
                },
            ],
        };
    }

    /** A project made directly (test equipment: the parent of mirrors, hooks and variables). */
    addProject(path: string, namespaceId = this.namespaces[0].id): Obj {
        return this.createProject({ path, name: path, namespace_id: namespaceId });
    }

    /** A branch pushed to a project (or brought by its mirror), as a test would have it arrive. */
    pushBranch(projectId: number, branch: string): void {
        const p = this.projects.get(projectId)!;
        if (!p.branches.includes(branch)) p.branches.push(branch);
    }

    /**
     * `user_project` (lib/api/helpers.rb find_project!): a project that does not exist and one the
     * user may not read answer alike, 404 "404 Project Not Found". An outsider reads public and
     * internal projects only (Gitlab::VisibilityLevel).
     */
    private project(req: EmulatorRequest, id = req.params.id): Obj {
        const found = /^\d+$/.test(id) ? this.projects.get(Number(id)) : [...this.projects.values()].find((p) => p.path_with_namespace === decodeURIComponent(id));
        if (!found || found.pending_delete) throw notFound("Project");
        if (this.isOutsider(req) && found.visibility === "private") throw notFound("Project");
        return found;
    }

    /**
     * A project the user must administer (`authorize_admin_project`, `authorize! :admin_build`):
     * 404 when it may not even read it, then 403 "403 Forbidden"; remote mirrors answer 401
     * "401 Unauthorized" instead (remote_mirrors.rb `unauthorized!`).
     */
    private managed(req: EmulatorRequest, refusal: 401 | 403 = 403): Obj {
        const p = this.project(req);
        if (this.isOutsider(req)) throw failure(refusal, { message: refusal === 401 ? "401 Unauthorized" : "403 Forbidden" });
        return p;
    }

    private handle(run: (req: EmulatorRequest, body: Obj) => unknown, status = 200): (req: EmulatorRequest) => EmulatorResponse {
        return (req) => ({ status, body: run(req, req.json<Obj>() ?? {}) });
    }

    /**
     * has_repository.rb `default_branch`: an empty repository shows the group's or instance's
     * default branch name; otherwise the branch HEAD points at (Gitaly falls back to the first
     * branch when HEAD's is missing).
     */
    private shownDefaultBranch(p: Obj): string | null {
        if (p.branches.length === 0) return this.defaultBranchName;
        return p.branches.includes(p.head) ? p.head : p.branches[0];
    }

    private publicProject(p: Obj) {
        const { hooks: _h, variables: _v, mirrors: _m, import_credentials: _c, import_state: _s, branches: _b, head: _head, pending_delete: _d, ...rest } = p;
        return { ...rest, default_branch: this.shownDefaultBranch(p), empty_repo: p.branches.length === 0 };
    }

    /** Projects::CreateService (app/services/projects/create_service.rb). */
    private createProject(b: Obj): Obj {
        if (typeof b.name !== "string" && typeof b.path !== "string") throw failure(400, { error: "name, path are missing, at least one parameter must be provided" });
        const path = b.path ?? String(b.name).toLowerCase().replace(/\s+/g, "-");
        const namespace = this.namespaces.find((n) => n.id === (b.namespace_id ?? this.namespaces[0].id));
        if (!namespace) throw notFound("Namespace");
        const full = `${namespace.path}/${path}`;
        if ([...this.projects.values()].some((p) => p.path_with_namespace === full && !p.pending_delete)) throw failure(400, { message: { name: ["has already been taken"], path: ["has already been taken"] } });
        if (typeof b.description === "string" && b.description.length > 2000) throw invalid("description", "is too long (maximum is 2000 characters)");
        const id = this.nextId++;
        // `default_branch` names the repository's HEAD (create_repository(default_branch:)); the
        // branch itself exists only when `initialize_with_readme` commits a README to it.
        const head = b.default_branch || this.defaultBranchName;
        const project = {
            id,
            name: b.name ?? path,
            path,
            path_with_namespace: full,
            namespace: { id: namespace.id, path: namespace.path, kind: namespace.kind, full_path: namespace.path },
            visibility: b.visibility ?? "private",
            description: b.description ?? null,
            created_at: timestamp(),
            web_url: `https://gitlab.example/${full}`,
            http_url_to_repo: `https://gitlab.example/${full}.git`,
            import_url: null as string | null,
            mirror: false,
            mirror_trigger_builds: false,
            only_mirror_protected_branches: false,
            mirror_overwrites_diverged_branches: false,
            head,
            branches: b.initialize_with_readme === true || b.initialize_with_readme === "true" ? [head] : ([] as string[]),
            import_credentials: {} as { user?: string; password?: string },
            import_state: null as Obj | null,
            hooks: new Map<number, Obj>(),
            variables: [] as Obj[],
            mirrors: new Map<number, Obj>(),
        };
        this.projects.set(id, project);
        return project;
    }

    /** Project#import_url= (app/models/project.rb): the URL without credentials, the credentials in import data. */
    private setImportUrl(p: Obj, url: string, field: string): void {
        if (!MIRROR_SCHEMES.test(url)) throw invalid(field, "is blocked: Only allowed schemes are http, https, ssh, git");
        const { bare, user, password } = parseCredentials(url);
        p.import_url = bare;
        if (user !== undefined || password !== undefined) p.import_credentials = { user, password };
    }

    /** ee/lib/api/entities/pull_mirror.rb: the import state, with the URL masked (safe_import_url) and the project's settings. */
    private pullMirror(p: Obj) {
        const s = p.import_state;
        return {
            id: s.id,
            update_status: s.status,
            url: p.import_url === null ? null : shown(p.import_url, p.import_credentials, []),
            last_error: s.last_error,
            last_update_at: s.last_update_at,
            last_update_started_at: s.last_update_started_at,
            last_successful_update_at: s.last_successful_update_at,
            enabled: p.mirror,
            mirror_trigger_builds: p.mirror_trigger_builds,
            only_mirror_protected_branches: p.only_mirror_protected_branches,
            mirror_overwrites_diverged_branches: p.mirror_overwrites_diverged_branches,
            mirror_branch_regex: null,
        };
    }

    private paged(req: EmulatorRequest, all: unknown[]): EmulatorResponse {
        const perPage = Math.min(100, Number(req.query.get("per_page") ?? 20));
        const page = Number(req.query.get("page") ?? 1);
        const slice = all.slice((page - 1) * perPage, page * perPage);
        const totalPages = Math.max(1, Math.ceil(all.length / perPage));
        return {
            status: 200,
            body: slice,
            headers: { "x-total": String(all.length), "x-total-pages": String(totalPages), "x-page": String(page), "x-per-page": String(perPage), "x-next-page": page < totalPages ? String(page + 1) : "" },
        };
    }

    protected routes(): Route[] {
        const base = "/api/v4/projects";
        return [
            {
                // lib/api/projects.rb `post` + Projects::CreateService: `default_branch` takes effect
                // only with `initialize_with_readme` (doc/api/projects.md: "Requires initialize_with_readme").
                method: "POST",
                path: base,
                handle: this.handle((_req, b) => this.publicProject(this.createProject(b)), 201),
            },
            {
                // lib/api/projects.rb `get`: search, offset pagination with x-total / x-next-page headers.
                // An outsider is a member of none (`membership`), and reads public and internal ones only.
                method: "GET",
                path: base,
                handle: (req) => {
                    const search = req.query.get("search") ?? "";
                    const outsider = this.isOutsider(req);
                    const visible = (p: Obj) => !outsider || (req.query.get("membership") !== "true" && p.visibility !== "private");
                    return this.paged(req, [...this.projects.values()].filter((p) => !p.pending_delete && visible(p) && (p.path.includes(search) || p.name.includes(search))).map((p) => this.publicProject(p)));
                },
            },
            {
                // lib/api/namespaces.rb `get ':id'` (04e80ac1): `find_namespace!` by id or URL-encoded
                // full path; 404 {"message":"404 Namespace Not Found"} unless the user may
                // `read_namespace_via_membership` (a member of the group, the owner of the user namespace).
                // Entities::Namespace: id, name, path, kind, full_path, parent_id, web_url.
                method: "GET",
                path: "/api/v4/namespaces/:id",
                handle: this.handle((req) => {
                    const id = req.params.id;
                    const n = this.namespaces.find((x) => (/^\d+$/.test(id) ? x.id === Number(id) : x.path === id));
                    if (!n || this.isOutsider(req)) throw notFound("Namespace");
                    return { id: n.id, name: n.path, path: n.path, kind: n.kind, full_path: n.path, parent_id: null, web_url: `https://gitlab.example/${n.path}` };
                }),
            },
            // lib/api/projects.rb `get ':id'`: Entities::Project, with `default_branch` and `empty_repo` as has_repository.rb has them.
            // doc/api/personal_access_tokens.md "Get single personal access token" (`self`): the token's own id, name, scopes, state.
            { method: "GET", path: "/api/v4/personal_access_tokens/self", handle: this.handle(() => ({ id: 1, name: "stackwire", revoked: false, created_at: "2024-01-01T00:00:00.000Z", scopes: ["api"], user_id: 1, last_used_at: null, active: true, expires_at: null })) },
            { method: "GET", path: `${base}/:id`, handle: this.handle((req) => this.publicProject(this.project(req))) },
            {
                // lib/api/projects.rb `put ':id'` + Projects::UpdateService: `default_branch` moves HEAD
                // only to an existing branch (Project#change_head: "Could not change HEAD: branch '…'
                // does not exist", rendered by render_validation_error!). `mirror` / `import_url` here
                // are the pull mirror settings deprecated in GitLab 17.6 (doc/api/project_pull_mirroring.md).
                method: "PUT",
                path: `${base}/:id`,
                handle: this.handle((req, b) => {
                    const p = this.managed(req);
                    if (b.default_branch !== undefined && b.default_branch !== this.shownDefaultBranch(p)) {
                        if (!p.branches.includes(b.default_branch)) throw invalid("base", `Could not change HEAD: branch '${b.default_branch}' does not exist`);
                        p.head = b.default_branch;
                    }
                    if (typeof b.description === "string" && b.description.length > 2000) throw invalid("description", "is too long (maximum is 2000 characters)");
                    for (const field of ["name", "visibility", "description", "mirror", "mirror_trigger_builds", "only_mirror_protected_branches"]) if (b[field] !== undefined) p[field] = b[field];
                    if (b.import_url !== undefined) this.setImportUrl(p, b.import_url, "import_url");
                    if (p.mirror && !p.import_state) p.import_state = { id: this.nextId++, status: "scheduled", last_error: null, last_update_at: null, last_update_started_at: null, last_successful_update_at: null };
                    return this.publicProject(p);
                }),
            },
            {
                // lib/api/projects.rb `delete ':id'`: 202 {"message":"202 Accepted"}; deletion is scheduled.
                method: "DELETE",
                path: `${base}/:id`,
                handle: this.handle((req) => {
                    this.managed(req).pending_delete = true;
                    return { message: "202 Accepted" };
                }, 202),
            },
            {
                // ee/lib/api/project_mirror.rb `get ':id/mirror/pull'`: 400 "The project is not mirrored" when off.
                method: "GET",
                path: `${base}/:id/mirror/pull`,
                handle: this.handle((req) => {
                    if (!this.premium) throw noRoute();
                    const p = this.managed(req);
                    if (!p.mirror || !p.import_state) throw failure(400, { message: "The project is not mirrored" });
                    return this.pullMirror(p);
                }),
            },
            {
                // ee/lib/api/project_mirror.rb `put ':id/mirror/pull'` (GitLab 17.6) and
                // Repositories::PullMirrors::UpdateService: `enabled` is the project's `mirror`,
                // `url` its import URL (credentials in it are kept apart), `auth_user` /
                // `auth_password` merge into the import data; `enabled: false` removes the import
                // data; without an import state and no URL, 400 {url: ["is missing"]}. Answers the
                // pull mirror entity; a mirror turned on is scheduled at once (force_import_job!).
                method: "PUT",
                path: `${base}/:id/mirror/pull`,
                handle: this.handle((req, b) => {
                    if (!this.premium) throw noRoute();
                    const p = this.managed(req);
                    const fields = ["enabled", "url", "auth_user", "auth_password", "mirror_trigger_builds", "only_mirror_protected_branches", "mirror_overwrites_diverged_branches", "mirror_branch_regex"];
                    if (!fields.some((f) => b[f] !== undefined)) throw failure(400, { error: `${fields.join(", ")} are missing, at least one parameter must be provided` });
                    if (b.url !== undefined) this.setImportUrl(p, String(b.url), "import_url");
                    if (b.enabled === false) {
                        p.mirror = false;
                        p.import_credentials = {};
                    } else {
                        if (b.enabled === true) p.mirror = true;
                        const credentials = { ...p.import_credentials };
                        if (b.auth_user !== undefined) credentials.user = b.auth_user || undefined;
                        if (b.auth_password !== undefined) credentials.password = b.auth_password || undefined;
                        p.import_credentials = credentials;
                    }
                    for (const field of ["mirror_trigger_builds", "only_mirror_protected_branches", "mirror_overwrites_diverged_branches"]) if (b[field] !== undefined) p[field] = b[field];
                    if (!p.import_state) {
                        if (p.import_url === null) throw invalid("url", "is missing");
                        p.import_state = { id: this.nextId++, status: "none", last_error: null, last_update_at: null, last_update_started_at: null, last_successful_update_at: null };
                    }
                    if (p.mirror) p.import_state.status = "scheduled";
                    return this.pullMirror(p);
                }),
            },
            {
                // lib/api/remote_mirrors.rb `get ':id/remote_mirrors'`: paginated, Entities::RemoteMirror.
                method: "GET",
                path: `${base}/:id/remote_mirrors`,
                handle: (req) => this.paged(req, [...this.managed(req, 401).mirrors.values()].map((m) => this.publicMirror(m))),
            },
            {
                // lib/api/remote_mirrors.rb `post ':id/remote_mirrors'`: 201; RemoteMirror#url= keeps the
                // credentials apart; `url` answers as safe_url (user masked unless `git`, password masked).
                method: "POST",
                path: `${base}/:id/remote_mirrors`,
                handle: this.handle((req, b) => {
                    const p = this.managed(req, 401);
                    if (typeof b.url !== "string" || !MIRROR_SCHEMES.test(b.url)) throw invalid("url", "is blocked: Only allowed schemes are ssh, git, http, https");
                    const id = this.nextId++;
                    const { bare, user, password } = parseCredentials(b.url);
                    const credentials = { user, password };
                    const mirror = {
                        id,
                        url: shown(bare, credentials, ["git"]),
                        bare_url: bare,
                        credentials,
                        enabled: b.enabled ?? false,
                        only_protected_branches: b.only_protected_branches ?? false,
                        keep_divergent_refs: b.keep_divergent_refs ?? false,
                        auth_method: "password",
                        update_status: "none",
                        last_update_at: null,
                        last_update_started_at: null,
                        last_successful_update_at: null,
                        last_error: null,
                        host_keys: [],
                    };
                    p.mirrors.set(id, mirror);
                    return this.publicMirror(mirror);
                }, 201),
            },
            {
                // lib/api/remote_mirrors.rb `get ':id/remote_mirrors/:mirror_id'`: 404 when the project has no such mirror.
                method: "GET",
                path: `${base}/:id/remote_mirrors/:mid`,
                handle: this.handle((req) => this.publicMirror(this.mirror(req))),
            },
            {
                // lib/api/remote_mirrors.rb `put`: enabled, keep_divergent_refs, only_protected_branches; never the URL.
                method: "PUT",
                path: `${base}/:id/remote_mirrors/:mid`,
                handle: this.handle((req, b) => {
                    const m = this.mirror(req);
                    for (const field of ["enabled", "only_protected_branches", "keep_divergent_refs"]) if (b[field] !== undefined) m[field] = b[field];
                    return this.publicMirror(m);
                }),
            },
            {
                // lib/api/remote_mirrors.rb `delete` (GitLab 14.10): 204.
                method: "DELETE",
                path: `${base}/:id/remote_mirrors/:mid`,
                handle: (req) => {
                    const m = this.mirror(req);
                    this.managed(req, 401).mirrors.delete(m.id);
                    return { status: 204 };
                },
            },
            {
                // doc/api/project_webhooks.md "List webhooks for a project": paginated.
                method: "GET",
                path: `${base}/:id/hooks`,
                handle: (req) => this.paged(req, [...this.managed(req).hooks.values()].map((h) => this.publicHook(h))),
            },
            {
                // doc/api/project_webhooks.md "Add a webhook" (name, description since 17.1);
                // web_hooks_helpers.rb save_hook: 422 {"error":"Invalid url given"} for a bad URL.
                method: "POST",
                path: `${base}/:id/hooks`,
                handle: this.handle((req, b) => {
                    const p = this.managed(req);
                    if (typeof b.url !== "string" || !/^https?:\/\/[^/]/.test(b.url)) throw failure(422, { error: "Invalid url given" });
                    const id = this.nextId++;
                    const hook: Obj = { id, url: b.url, name: b.name ?? null, description: b.description ?? null, project_id: p.id, enable_ssl_verification: b.enable_ssl_verification ?? true, token: b.token, created_at: timestamp() };
                    for (const flag of HOOK_FLAGS) hook[flag] = b[flag] ?? flag === "push_events";
                    p.hooks.set(id, hook);
                    return this.publicHook(hook);
                }, 201),
            },
            // doc/api/project_webhooks.md "Get a project webhook": the token is never shown (lib/api/entities/hook.rb).
            { method: "GET", path: `${base}/:id/hooks/:hid`, handle: this.handle((req) => this.publicHook(this.hook(req))) },
            {
                // web_hooks_helpers.rb update_hook; hook.rb reset_token: a new URL without a token clears the token.
                method: "PUT",
                path: `${base}/:id/hooks/:hid`,
                handle: this.handle((req, b) => {
                    const hook = this.hook(req);
                    if (b.url !== undefined && (typeof b.url !== "string" || !/^https?:\/\/[^/]/.test(b.url))) throw failure(422, { error: "Invalid url given" });
                    if (b.url !== undefined && b.url !== hook.url && b.token === undefined) hook.token = undefined;
                    for (const field of ["url", "name", "description", "enable_ssl_verification", "token", ...HOOK_FLAGS]) if (b[field] !== undefined) hook[field] = b[field];
                    return this.publicHook(hook);
                }),
            },
            {
                // doc/api/project_webhooks.md "Delete project webhook": 204 (destroy_conditionally!).
                method: "DELETE",
                path: `${base}/:id/hooks/:hid`,
                handle: (req) => {
                    this.hook(req);
                    this.managed(req).hooks.delete(Number(req.params.hid));
                    return { status: 204 };
                },
            },
            {
                // doc/api/project_level_variables.md "Create a variable": "(KEY) has already been taken"
                // for a key and scope that exist (Ci::Variable uniqueness); description at most 255.
                method: "POST",
                path: `${base}/:id/variables`,
                handle: this.handle((req, b) => {
                    const p = this.managed(req);
                    if (typeof b.key !== "string" || !/^[A-Za-z0-9_]{1,255}$/.test(b.key)) throw invalid("key", "can contain only letters, digits and '_'.");
                    const scope = b.environment_scope ?? "*";
                    if (p.variables.some((v: Obj) => v.key === b.key && v.environment_scope === scope)) throw invalid("key", `(${b.key}) has already been taken`);
                    const variable = {
                        key: b.key,
                        value: String(b.value ?? ""),
                        masked: b.masked ?? false,
                        protected: b.protected ?? false,
                        raw: b.raw ?? false,
                        variable_type: b.variable_type ?? "env_var",
                        environment_scope: scope,
                        hidden: false,
                        description: b.description ?? null,
                    };
                    this.checkVariable(variable);
                    p.variables.push(variable);
                    return variable;
                }, 201),
            },
            {
                // doc/api/project_level_variables.md "List project variables": paginated, every attribute shown
                // (a hidden variable's value is null, which the emulator does not model).
                method: "GET",
                path: `${base}/:id/variables`,
                handle: (req) => this.paged(req, [...this.managed(req).variables]),
            },
            // doc/api/project_level_variables.md "Get a single variable": `filter[environment_scope]` picks one of several.
            { method: "GET", path: `${base}/:id/variables/:key`, handle: this.handle((req) => this.variable(req)) },
            {
                // doc/api/project_level_variables.md "Update a variable": value, flags, description; masking rules hold.
                method: "PUT",
                path: `${base}/:id/variables/:key`,
                handle: this.handle((req, b) => {
                    const variable = this.variable(req);
                    const next = { ...variable };
                    for (const field of ["value", "masked", "protected", "raw", "variable_type", "description"]) if (b[field] !== undefined) next[field] = b[field];
                    this.checkVariable(next);
                    return Object.assign(variable, next);
                }),
            },
            {
                // doc/api/project_level_variables.md "Delete a variable": 204 (no_content!).
                method: "DELETE",
                path: `${base}/:id/variables/:key`,
                handle: (req) => {
                    const p = this.managed(req);
                    const variable = this.variable(req);
                    p.variables = p.variables.filter((v: Obj) => v !== variable);
                    return { status: 204 };
                },
            },
        ];
    }

    /** lib/api/entities/remote_mirror.rb: what GitLab shows of a remote mirror. */
    private publicMirror(m: Obj) {
        const { bare_url: _b, credentials: _c, ...shownMirror } = m;
        return shownMirror;
    }

    private mirror(req: EmulatorRequest): Obj {
        const m = this.managed(req, 401).mirrors.get(Number(req.params.mid));
        if (!m) throw notFound("Remote Mirror");
        return m;
    }

    private publicHook(hook: Obj) {
        const { token: _token, ...rest } = hook;
        return rest;
    }

    private hook(req: EmulatorRequest): Obj {
        const hook = this.managed(req).hooks.get(Number(req.params.hid));
        if (!hook) throw notFound("Hook");
        return hook;
    }

    private variable(req: EmulatorRequest): Obj {
        const scope = req.query.get("filter[environment_scope]");
        const matches = this.managed(req).variables.filter((v: Obj) => v.key === req.params.key && (scope === null || v.environment_scope === scope));
        if (matches.length === 0) throw failure(404, { message: "404 Variable Not Found" });
        if (matches.length > 1) throw failure(409, { message: "There are multiple variables with provided parameters. Please use 'filter[environment_scope]'" });
        return matches[0];
    }

    private checkVariable(v: Obj): void {
        if (typeof v.description === "string" && v.description.length > 255) throw invalid("description", "is too long (maximum is 255 characters)");
        if (!v.masked) return;
        const value = String(v.value);
        const ok = value.length >= 8 && !/\s/.test(value) && (v.raw || /^[A-Za-z0-9+/=@:.~_-]+$/.test(value));
        if (!ok) throw invalid("value", "is invalid");
    }
}
