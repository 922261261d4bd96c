/**
 * Supabase Management API emulator: Bearer personal access tokens (401 `{"message":"Unauthorized"}`),
 * projects by reference, Edge Function secrets (bulk upsert, bulk delete, a list that shows each
 * value only as its digest), Edge Function deploys (handed to a FunctionHost, which runs them),
 * each project's Auth config (custom SMTP among it), and the account's project list. A token of
 * another account (valid, but no member of these projects' organisation) gets 403 on every
 * project's routes, as the Management API answers it.
 *
 * Routes, bodies and statuses follow the published spec, supabase/supabase
 * apps/docs/spec/api_v1_openapi.json (1.0.0, commit 06fd6bce9e0b8786644a0f74e3f84c0f61fcfb7f),
 * checked route by route by test/fidelity (contract test/fidelity/contracts/supabase-management.json,
 * extracted from test/fidelity/specs/supabase-management-api-v1.excerpt.json). The spec documents
 * no error bodies; errors here are `{message}`.
 */
import { createHash, randomUUID } from "node:crypto";
import type { DeployedCode, FunctionHost } from "../functions/host";
import { bearerToken, Emulator, type EmulatorRequest, type EmulatorResponse, type Route } from "./frame";
import { multipartParts } from "./multipart";
import { NEW_PROJECT_AUTH_CONFIG } from "./supabase-auth-defaults";

/**
 * The digest the list shows for a value: SHA-256 of its UTF-8 bytes, lower-case hex (64 chars).
 * supabase/terraform-provider-supabase internal/provider/edge_function_secrets_resource.go
 * (de2ab2739615504f8a8ad903534d2a0682541a0a) compares the API's value with exactly this
 * (`computeSecretDigest`: sha256.Sum256 then hex.EncodeToString), and its tests mock the list
 * with it; the Supabase CLI prints the same field as the DIGEST column (internal/secrets/list).
 */
export function secretDigest(value: string): string {
    return createHash("sha256").update(value, "utf8").digest("hex");
}

/** CreateSecretBody's limits (api_v1_openapi.json, components.schemas.CreateSecretBody). */
export const SECRET_NAME_MAX = 256;
export const SECRET_VALUE_MAX = 24576;

/**
 * Secrets every project has and the list shows: supabase/supabase
 * apps/docs/content/guides/functions/secrets.mdx (03a1d002439602220b0806dfd09c574b8bfc7993),
 * "Default secrets". The API refuses to set names with this prefix (CreateSecretBody's pattern).
 */
function defaultSecrets(ref: string): Map<string, string> {
    return new Map([
        ["SUPABASE_URL", `https://${ref}.supabase.co`],
        ["SUPABASE_ANON_KEY", `anon-key-of-${ref}`],
        ["SUPABASE_SERVICE_ROLE_KEY", `service-role-key-of-${ref}`],
        ["SUPABASE_DB_URL", `postgresql://postgres:password@db.${ref}.supabase.co:5432/postgres`],
    ]);
}

const badRequest = (message: string): EmulatorResponse => ({ status: 400, body: { message } });

/**
 * What the Management API answers a valid personal access token whose account may not reach a
 * project (a project of another organisation, or a role without the permission): 403 with this
 * body. The spec documents 403 "Forbidden action" (and no 404) on each secrets operation
 * (api_v1_openapi.json, v1-list-all-secrets / v1-bulk-create-secrets / v1-bulk-delete-secrets,
 * `fga_permissions: edge_functions_secrets_read|write`); the body is the one quoted from the live
 * API in supabase/cli#6392 ("Unexpected error retrieving remote project status: {"message":"Your
 * account does not have the necessary privileges ..."}"), and supabase/mcp#329 reads a 403 on a
 * project's routes as a token of the wrong organisation ("intercepts 403 only").
 */
export const FORBIDDEN_BODY = {
    message: "Your account does not have the necessary privileges to access this endpoint. For more details, refer to our documentation https://supabase.com/docs/guides/platform/access-control",
};

/**
 * A project as the list shows it: V1ProjectWithDatabaseResponse (api_v1_openapi.json), with the
 * values the live API recorded in supabase/cli apps/cli-e2e/fixtures/recorded/GET_v1_projects
 * (1d1e7191268e068fe9cb6aba524d1c619a9c727b).
 */
function projectListed(ref: string) {
    return {
        id: ref,
        ref,
        organization_id: "stackwireemulatororg",
        organization_slug: "stackwireemulatororg",
        name: `project ${ref}`,
        region: "us-east-1",
        status: "ACTIVE_HEALTHY",
        database: { host: `db.${ref}.supabase.co`, version: "17.6.1.084", postgres_engine: "17", release_channel: "ga" },
        created_at: "2000-01-01T00:00:00Z",
    };
}

/**
 * An Edge Function's slug, as v1-deploy-a-function takes it (api_v1_openapi.json, query `slug`);
 * the routes that name a function take `^[A-Za-z0-9_-]+$` (`function_slug`).
 */
const DEPLOY_SLUG = /^[A-Za-z][A-Za-z0-9_-]*$/;
const FUNCTION_SLUG = /^[A-Za-z0-9_-]+$/;
/** A deployed function, as FunctionSlugResponse describes it, with the files it was deployed from. */
export interface EmulatedFunction {
    id: string;
    slug: string;
    name: string;
    version: number;
    created_at: number;
    updated_at: number;
    verify_jwt: boolean;
    entrypoint_path: string;
    import_map_path?: string;
    ezbr_sha256: string;
    files: Map<string, Uint8Array>;
}

export interface SupabaseManagementEmulatorOptions {
    /** The account that owns `projects`. */
    token: string;
    projects: string[];
    /** Valid tokens of an account in another organisation, which may see none of the projects. */
    otherAccountTokens?: string[];
    /** Runs deployed Edge Functions; without one, deploys are recorded and nothing runs. */
    functionHost?: FunctionHost;
    /** SUPABASE_DB_URL as deployed functions see it. */
    databaseUrl?: string;
    /** SUPABASE_SERVICE_ROLE_KEY and SUPABASE_ANON_KEY as deployed functions see them. */
    serviceRoleKey?: string;
    anonKey?: string;
}

export class SupabaseManagementEmulator extends Emulator {
    /** Secrets set through the API, by project ref: name → value (tests may read them; the API never shows them). */
    readonly secrets = new Map<string, Map<string, string>>();
    /** Deployed Edge Functions, by project ref and slug. */
    readonly functions = new Map<string, Map<string, EmulatedFunction>>();
    /** When each secret was last set, by project ref and name. */
    private readonly updatedAt = new Map<string, Map<string, string>>();
    /** Each project's Auth config, smtp_pass in clear (the API never shows it). */
    private readonly authConfigs = new Map<string, Record<string, unknown>>();
    /** Each project's URL (SUPABASE_URL), once the server that answers it is known. */
    private readonly projectUrls = new Map<string, string>();

    private readonly projects: string[];
    private readonly token: string;
    private readonly otherAccountTokens: readonly string[];
    private readonly opts: SupabaseManagementEmulatorOptions;

    constructor(options: SupabaseManagementEmulatorOptions) {
        super({
            name: "supabase-management",
            requestIdHeader: "sb-request-id",
            errorBody: (_status, message) => ({ message }),
        });
        this.opts = options;
        this.token = options.token;
        this.projects = options.projects;
        this.otherAccountTokens = options.otherAccountTokens ?? [];
        this.emptyProjects();
    }

    /** Where the project's own APIs answer (the storage emulator's URL in the sandbox): its functions' SUPABASE_URL. */
    setProjectUrl(ref: string, url: string): void {
        this.projectUrls.set(ref, url.replace(/\/+$/, ""));
    }

    /** A project's Auth config as stored, the SMTP password in clear: for tests and the demo, never an API answer. */
    authConfig(ref: string): Readonly<Record<string, unknown>> | undefined {
        const config = this.authConfigs.get(ref);
        return config && { ...config };
    }

    /** Changes a project's Auth config behind the API's back, as the dashboard would (tests of drift). */
    editAuthConfig(ref: string, changes: Record<string, unknown>): void {
        const config = this.authConfigs.get(ref);
        if (!config) throw new Error(`no project ${ref}`);
        Object.assign(config, changes);
    }

    /** A deployed function of a project (its `verify_jwt` tells the gateway whether to demand a JWT). */
    functionOf(ref: string, slug: string): EmulatedFunction | undefined {
        return this.functions.get(ref)?.get(slug);
    }

    protected override authenticate(req: EmulatorRequest): EmulatorResponse | undefined {
        const token = bearerToken(req);
        return token === this.token || (token !== undefined && this.otherAccountTokens.includes(token)) ? undefined : { status: 401, body: { message: "Unauthorized" } };
    }

    protected routes(): Route[] {
        // Another organisation's token meets 403 on every project route, whether or not the project exists.
        const ownAccount = (req: EmulatorRequest) => bearerToken(req) === this.token;
        const forbidden = { status: 403, body: FORBIDDEN_BODY };
        const project = (ref: string) => this.secrets.get(ref);
        // A project that does not exist (deleted): 404, as Supabase's own Terraform provider reads it
        // (supabase/terraform-provider-supabase internal/provider/edge_function_secrets_resource.go,
        // 9ea5f96d: a 404 on the list is "not found for project", on the bulk delete "already deleted"),
        // and as Supabase's dashboard tells a deleted project (404) from one it may not see (403)
        // (supabase/supabase#44032). The spec lists no 404 on these three operations: a departure
        // test/providers/supabase-secrets.test.ts records.
        const notFound = { status: 404, body: { message: "Project not found" } };
        return [
            {
                // api_v1_openapi.json GET /v1/projects (v1-list-all-projects): 200,
                // V1ProjectWithDatabaseResponse[], every project the token's account may see (none of
                // these for another organisation's token). A deleted project is no longer listed.
                method: "GET",
                path: "/v1/projects",
                handle: (req) => ({ status: 200, body: ownAccount(req) ? [...this.secrets.keys()].map(projectListed) : [] }),
            },
            {
                // api_v1_openapi.json GET /v1/projects/{ref}/secrets (v1-list-all-secrets): 200, SecretResponse[]
                // ({name, value, updated_at?}); `value` is the digest, never the secret.
                method: "GET",
                path: "/v1/projects/:ref/secrets",
                handle: (req) => {
                    if (!ownAccount(req)) return forbidden;
                    const p = project(req.params.ref);
                    if (!p) return notFound;
                    const times = this.timesOf(req.params.ref);
                    const listed = [
                        ...[...this.platformSecrets(req.params.ref)].map(([name, value]) => ({ name, value: secretDigest(value) })),
                        ...[...p].map(([name, value]) => ({ name, value: secretDigest(value), updated_at: times.get(name) ?? new Date().toISOString() })),
                    ];
                    return { status: 200, body: listed };
                },
            },
            {
                // api_v1_openapi.json POST /v1/projects/{ref}/secrets (v1-bulk-create-secrets): body
                // CreateSecretBody (array of {name ≤ 256, not SUPABASE_…; value ≤ 24576}), 201 without a
                // body. Names already set take the new value (an upsert, as `supabase secrets set` relies on).
                method: "POST",
                path: "/v1/projects/:ref/secrets",
                handle: async (req) => {
                    if (!ownAccount(req)) return forbidden;
                    const p = project(req.params.ref);
                    if (!p) return notFound;
                    const body = req.json<unknown>();
                    if (!Array.isArray(body)) return badRequest("body must be an array of {name, value}");
                    for (const [i, s] of body.entries()) {
                        const item = (s ?? {}) as { name?: unknown; value?: unknown };
                        if (typeof item.name !== "string") return badRequest(`[${i}].name must be a string`);
                        if (item.name.length > SECRET_NAME_MAX) return badRequest(`[${i}].name must be shorter than or equal to ${SECRET_NAME_MAX} characters`);
                        if (item.name.startsWith("SUPABASE_")) return badRequest(`[${i}].name: Secret name must not start with the SUPABASE_ prefix.`);
                        if (typeof item.value !== "string") return badRequest(`[${i}].value must be a string`);
                        if (item.value.length > SECRET_VALUE_MAX) return badRequest(`[${i}].value must be shorter than or equal to ${SECRET_VALUE_MAX} characters`);
                    }
                    const now = new Date().toISOString();
                    for (const s of body as { name: string; value: string }[]) {
                        p.set(s.name, s.value);
                        this.timesOf(req.params.ref).set(s.name, now);
                    }
                    await this.restartFunctions(req.params.ref);
                    return { status: 201 };
                },
            },
            {
                // api_v1_openapi.json DELETE /v1/projects/{ref}/secrets (v1-bulk-delete-secrets): body
                // DeleteSecretsBody (array of names), 200 without a body; names not set are ignored.
                method: "DELETE",
                path: "/v1/projects/:ref/secrets",
                handle: async (req) => {
                    if (!ownAccount(req)) return forbidden;
                    const p = project(req.params.ref);
                    if (!p) return notFound;
                    const names = req.json<unknown>();
                    if (!Array.isArray(names) || names.some((n) => typeof n !== "string")) return badRequest("body must be an array of secret names");
                    for (const n of names as string[]) {
                        p.delete(n);
                        this.timesOf(req.params.ref).delete(n);
                    }
                    await this.restartFunctions(req.params.ref);
                    return { status: 200 };
                },
            },
            ...this.functionRoutes(ownAccount, forbidden, notFound),
            ...this.authConfigRoutes(ownAccount, forbidden, notFound),
        ];
    }

    /**
     * Edge Functions (api_v1_openapi.json, tag "Edge Functions"). A function that does not exist
     * answers 404 `{"message":"Function not found"}`: the spec lists no 404 on these operations, but
     * the Supabase CLI handles it on both (supabase/cli apps/cli-go/internal/functions/delete/delete.go
     * and download/download.go, 1d1e7191), with this body in its tests (delete_test.go, download_test.go).
     */
    private functionRoutes(ownAccount: (req: EmulatorRequest) => boolean, forbidden: EmulatorResponse, notFound: EmulatorResponse): Route[] {
        const functionNotFound = { status: 404, body: { message: "Function not found" } };
        return [
            {
                // api_v1_openapi.json POST /v1/projects/{ref}/functions/deploy (v1-deploy-a-function):
                // query slug (^[A-Za-z][A-Za-z0-9_-]*$), bundleOnly; multipart/form-data FunctionDeployBody,
                // `metadata` (JSON: entrypoint_path required, import_map_path, static_patterns, verify_jwt,
                // name) and `file` parts, each named by its path as the CLI sends them (supabase/cli
                // apps/cli-go/pkg/function/deploy.go writeForm, testdata/writes_import_map.form). "It will
                // create if function does not exist": an upsert by slug, each deploy a new version.
                // 201 DeployFunctionResponse.
                method: "POST",
                path: "/v1/projects/:ref/functions/deploy",
                handle: async (req) => {
                    if (!ownAccount(req)) return forbidden;
                    const ref = req.params.ref;
                    if (!this.secrets.has(ref)) return notFound;
                    const slug = req.query.get("slug");
                    if (!slug) return badRequest("slug is required");
                    if (!DEPLOY_SLUG.test(slug)) return badRequest("slug must match ^[A-Za-z][A-Za-z0-9_-]*$");
                    const parts = multipartParts(String(req.headers["content-type"] ?? ""), req.body);
                    if (!parts) return badRequest("body must be multipart/form-data");
                    const metadataPart = parts.find((p) => p.name === "metadata" && p.filename === undefined);
                    if (!metadataPart) return badRequest("metadata is required");
                    let metadata: { entrypoint_path?: unknown; import_map_path?: unknown; verify_jwt?: unknown; name?: unknown };
                    try {
                        metadata = JSON.parse(metadataPart.data.toString("utf8")) as typeof metadata;
                    } catch {
                        return badRequest("metadata must be JSON");
                    }
                    if (typeof metadata?.entrypoint_path !== "string" || metadata.entrypoint_path === "") return badRequest("metadata.entrypoint_path must be a string");
                    if (metadata.import_map_path !== undefined && typeof metadata.import_map_path !== "string") return badRequest("metadata.import_map_path must be a string");
                    if (metadata.verify_jwt !== undefined && typeof metadata.verify_jwt !== "boolean") return badRequest("metadata.verify_jwt must be a boolean");
                    if (metadata.name !== undefined && typeof metadata.name !== "string") return badRequest("metadata.name must be a string");
                    const files = new Map(parts.filter((p) => p.name === "file" && p.filename !== undefined).map((p) => [p.filename!.replace(/^\.\//, ""), new Uint8Array(p.data)]));
                    // The bundler starts from the entrypoint: a deploy without it has nothing to run.
                    if (!files.has(metadata.entrypoint_path)) return badRequest(`Failed to bundle the function: entrypoint ${metadata.entrypoint_path} is not among the files sent`);
                    if (typeof metadata.import_map_path === "string" && !files.has(metadata.import_map_path)) return badRequest(`Failed to bundle the function: import map ${metadata.import_map_path} is not among the files sent`);
                    const existing = this.functions.get(ref)?.get(slug);
                    const now = Date.now();
                    const fn: EmulatedFunction = {
                        id: existing?.id ?? randomUUID(),
                        slug,
                        name: metadata.name ?? existing?.name ?? slug,
                        version: (existing?.version ?? 0) + 1,
                        created_at: existing?.created_at ?? now,
                        updated_at: now,
                        // Edge Functions check for a project JWT unless told not to (supabase/supabase
                        // apps/docs/content/troubleshooting/edge-function-401-error-response.mdx, "By default").
                        verify_jwt: metadata.verify_jwt ?? true,
                        entrypoint_path: metadata.entrypoint_path,
                        ...(typeof metadata.import_map_path === "string" ? { import_map_path: metadata.import_map_path } : {}),
                        ezbr_sha256: bundleDigest(files),
                        files,
                    };
                    try {
                        await this.opts.functionHost?.deploy(this.codeOf(ref, fn));
                    } catch (err) {
                        return badRequest(`Failed to bundle the function: ${err instanceof Error ? err.message : String(err)}`);
                    }
                    this.functionsOf(ref).set(slug, fn);
                    return { status: 201, body: functionResponse(fn) };
                },
            },
            {
                // api_v1_openapi.json GET /v1/projects/{ref}/functions (v1-list-all-functions): 200
                // FunctionResponse[], [] for a project without functions (supabase/cli apps/cli-e2e/fixtures/
                // recorded/GET_v1_projects___PROJECT_REF___functions/default.response.json, 1d1e7191).
                method: "GET",
                path: "/v1/projects/:ref/functions",
                handle: (req) => {
                    if (!ownAccount(req)) return forbidden;
                    if (!this.secrets.has(req.params.ref)) return notFound;
                    return { status: 200, body: [...(this.functions.get(req.params.ref)?.values() ?? [])].map(functionResponse) };
                },
            },
            {
                // api_v1_openapi.json GET /v1/projects/{ref}/functions/{function_slug} (v1-get-a-function):
                // 200 FunctionSlugResponse (created_at and updated_at in milliseconds, int64).
                method: "GET",
                path: "/v1/projects/:ref/functions/:slug",
                handle: (req) => {
                    if (!ownAccount(req)) return forbidden;
                    if (!this.secrets.has(req.params.ref)) return notFound;
                    if (!FUNCTION_SLUG.test(req.params.slug)) return badRequest("function_slug must match ^[A-Za-z0-9_-]+$");
                    const fn = this.functions.get(req.params.ref)?.get(req.params.slug);
                    return fn ? { status: 200, body: functionResponse(fn) } : functionNotFound;
                },
            },
            {
                // api_v1_openapi.json DELETE /v1/projects/{ref}/functions/{function_slug} (v1-delete-a-function):
                // 200; the live API's body is {"message":"ok"} (supabase/cli apps/cli-e2e/fixtures/recorded/
                // DELETE_v1_projects___PROJECT_REF___functions_hello_world/default.response.json, 1d1e7191).
                method: "DELETE",
                path: "/v1/projects/:ref/functions/:slug",
                handle: async (req) => {
                    if (!ownAccount(req)) return forbidden;
                    if (!this.secrets.has(req.params.ref)) return notFound;
                    if (!FUNCTION_SLUG.test(req.params.slug)) return badRequest("function_slug must match ^[A-Za-z0-9_-]+$");
                    const fns = this.functions.get(req.params.ref);
                    if (!fns?.has(req.params.slug)) return functionNotFound;
                    fns.delete(req.params.slug);
                    await this.opts.functionHost?.remove(req.params.slug);
                    return { status: 200, body: { message: "ok" } };
                },
            },
        ];
    }

    /**
     * A project's Auth config (api_v1_openapi.json, v1-get-auth-service-config and
     * v1-update-auth-service-config): AuthConfigResponse, every field present. smtp_pass is never
     * answered in clear: the live API returns an opaque, project-specific representation
     * (supabase/terraform-provider-supabase#151, #157 "ignore masked smtp pass"; supabase/agent-skills#270),
     * here a digest. A deleted project answers 404 "Project not found", as its other routes do.
     */
    private authConfigRoutes(ownAccount: (req: EmulatorRequest) => boolean, forbidden: EmulatorResponse, notFound: EmulatorResponse): Route[] {
        const answer = (ref: string) => {
            const config = this.authConfigs.get(ref)!;
            const pass = config.smtp_pass;
            return { ...config, smtp_pass: typeof pass === "string" && pass !== "" ? `masked:${secretDigest(`${ref}:${pass}`).slice(0, 32)}` : pass };
        };
        return [
            {
                // api_v1_openapi.json GET /v1/projects/{ref}/config/auth: 200 AuthConfigResponse.
                method: "GET",
                path: "/v1/projects/:ref/config/auth",
                handle: (req) => {
                    if (!ownAccount(req)) return forbidden;
                    if (!this.secrets.has(req.params.ref)) return notFound;
                    return { status: 200, body: answer(req.params.ref) };
                },
            },
            {
                // api_v1_openapi.json PATCH /v1/projects/{ref}/config/auth: body UpdateAuthConfigBody (every
                // field optional and nullable; smtp_port a string, smtp_admin_email an email,
                // smtp_max_frequency 0..32767, rate_limit_email_sent 1..2147483647), 200 AuthConfigResponse.
                method: "PATCH",
                path: "/v1/projects/:ref/config/auth",
                handle: (req) => {
                    if (!ownAccount(req)) return forbidden;
                    const config = this.authConfigs.get(req.params.ref);
                    if (!this.secrets.has(req.params.ref) || !config) return notFound;
                    const body = req.json<unknown>();
                    if (!body || typeof body !== "object" || Array.isArray(body)) return badRequest("body must be an object");
                    const problem = authConfigProblem(body as Record<string, unknown>);
                    if (problem) return badRequest(problem);
                    Object.assign(config, body);
                    return { status: 200, body: answer(req.params.ref) };
                },
            },
        ];
    }

    /** The platform's own secrets of a project, as its functions see them and the list shows them. */
    private platformSecrets(ref: string): Map<string, string> {
        const secrets = defaultSecrets(ref);
        const url = this.projectUrls.get(ref);
        if (url) secrets.set("SUPABASE_URL", url);
        if (this.opts.databaseUrl) secrets.set("SUPABASE_DB_URL", this.opts.databaseUrl);
        if (this.opts.serviceRoleKey) secrets.set("SUPABASE_SERVICE_ROLE_KEY", this.opts.serviceRoleKey);
        if (this.opts.anonKey) secrets.set("SUPABASE_ANON_KEY", this.opts.anonKey);
        return secrets;
    }

    /** A function as the host runs it: its files, and the project's platform variables and secrets. */
    private codeOf(ref: string, fn: EmulatedFunction): DeployedCode {
        const env = Object.fromEntries([...this.platformSecrets(ref), ...(this.secrets.get(ref) ?? [])]);
        return { name: fn.slug, files: fn.files, entrypoint: fn.entrypoint_path, env };
    }

    /**
     * Supabase applies secrets to running functions without a deploy (supabase/supabase
     * apps/docs/content/guides/functions/secrets.mdx, 03a1d002: "You don't need to re-deploy after setting
     * your secrets"); a host that runs
     * processes restarts each function of the project with its new environment.
     */
    private async restartFunctions(ref: string): Promise<void> {
        const host = this.opts.functionHost;
        if (!host) return;
        for (const fn of this.functions.get(ref)?.values() ?? []) await host.deploy(this.codeOf(ref, fn));
    }

    private functionsOf(ref: string): Map<string, EmulatedFunction> {
        let fns = this.functions.get(ref);
        if (!fns) this.functions.set(ref, (fns = new Map()));
        return fns;
    }

    private timesOf(ref: string): Map<string, string> {
        let times = this.updatedAt.get(ref);
        if (!times) this.updatedAt.set(ref, (times = new Map()));
        return times;
    }

    override reset(): void {
        super.reset();
        this.emptyProjects();
    }

    /** Every configured project, with no secrets, functions or Auth settings of its own; a project a test deleted comes back. */
    private emptyProjects(): void {
        const host = this.opts.functionHost;
        for (const fns of this.functions.values()) for (const slug of fns.keys()) void host?.remove(slug).catch(() => undefined);
        this.secrets.clear();
        this.updatedAt.clear();
        this.functions.clear();
        this.authConfigs.clear();
        for (const ref of this.projects) {
            this.secrets.set(ref, new Map());
            this.authConfigs.set(ref, { ...NEW_PROJECT_AUTH_CONFIG });
        }
    }
}

/** DeployFunctionResponse / FunctionSlugResponse (api_v1_openapi.json). */
function functionResponse(fn: EmulatedFunction) {
    return {
        id: fn.id,
        slug: fn.slug,
        name: fn.name,
        status: "ACTIVE",
        version: fn.version,
        created_at: fn.created_at,
        updated_at: fn.updated_at,
        verify_jwt: fn.verify_jwt,
        import_map: fn.import_map_path !== undefined,
        entrypoint_path: fn.entrypoint_path,
        ...(fn.import_map_path !== undefined ? { import_map_path: fn.import_map_path } : {}),
        ezbr_sha256: fn.ezbr_sha256,
    };
}

/** Stands for the digest of the eszip bundle Supabase builds: SHA-256 over the files, by path. */
function bundleDigest(files: ReadonlyMap<string, Uint8Array>): string {
    const hash = createHash("sha256");
    for (const [path, data] of [...files].sort(([a], [b]) => a.localeCompare(b))) hash.update(`${path}\0`).update(data).update("\0");
    return hash.digest("hex");
}

/** The rules of UpdateAuthConfigBody (api_v1_openapi.json) on the fields stackwire writes; other fields must be the config's own. */
function authConfigProblem(body: Record<string, unknown>): string | undefined {
    const nullableString = ["smtp_host", "smtp_port", "smtp_user", "smtp_pass", "smtp_sender_name"];
    const ranges: Record<string, [number, number]> = { smtp_max_frequency: [0, 32767], rate_limit_email_sent: [1, 2147483647] };
    for (const [key, value] of Object.entries(body)) {
        if (!(key in NEW_PROJECT_AUTH_CONFIG)) return `property ${key} should not exist`;
        if (value === null) continue;
        if (nullableString.includes(key) && typeof value !== "string") return `${key} must be a string`;
        if (key === "smtp_admin_email" && (typeof value !== "string" || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value))) return "smtp_admin_email must be an email";
        if (key in ranges) {
            const [min, max] = ranges[key];
            if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) return `${key} must be an integer from ${min} to ${max}`;
        }
    }
    return undefined;
}
