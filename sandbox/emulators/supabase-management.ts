/**
 * Supabase Management API emulator for Edge Function secrets: Bearer personal access tokens
 * (401 `{"message":"Unauthorized"}`), projects by reference, bulk upsert, bulk delete, a list
 * that shows each value only as its digest, and the account's project list. A token of another
 * account (valid, but no member of these projects' organisation) gets 403 on every project's
 * routes, as the Management API answers it.
 *
 * Routes, bodies and statuses follow the published spec, supabase/supabase
 * apps/docs/spec/api_v1_openapi.json (1.0.0, commit 06fd6bce9e0b8786644a0f74e3f84c0f61fcfb7f),
 * checked route by route by test/fidelity (contract test/fidelity/contracts/supabase-management.json,
 * extracted from test/fidelity/specs/supabase-management-api-v1.excerpt.json). The spec documents
 * no error bodies; errors here are `{message}`.
 */
import { createHash } from "node:crypto";
import { bearerToken, Emulator, type EmulatorRequest, type EmulatorResponse, type Route } from "./frame";

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

export class SupabaseManagementEmulator extends Emulator {
    /** Secrets set through the API, by project ref: name → value (tests may read them; the API never shows them). */
    readonly secrets = new Map<string, Map<string, string>>();
    /** When each secret was last set, by project ref and name. */
    private readonly updatedAt = new Map<string, Map<string, string>>();

    private readonly projects: string[];
    private readonly token: string;
    private readonly otherAccountTokens: readonly string[];

    /**
     * `token` is the account that owns `projects`; `otherAccountTokens` are valid tokens of an
     * account in another organisation, which may see none of them.
     */
    constructor(options: { token: string; projects: string[]; otherAccountTokens?: string[] }) {
        super({
            name: "supabase-management",
            requestIdHeader: "sb-request-id",
            errorBody: (_status, message) => ({ message }),
        });
        this.token = options.token;
        this.projects = options.projects;
        this.otherAccountTokens = options.otherAccountTokens ?? [];
        this.emptyProjects();
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
                        ...[...defaultSecrets(req.params.ref)].map(([name, value]) => ({ name, value: secretDigest(value) })),
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
                handle: (req) => {
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
                    return { status: 201 };
                },
            },
            {
                // api_v1_openapi.json DELETE /v1/projects/{ref}/secrets (v1-bulk-delete-secrets): body
                // DeleteSecretsBody (array of names), 200 without a body; names not set are ignored.
                method: "DELETE",
                path: "/v1/projects/:ref/secrets",
                handle: (req) => {
                    if (!ownAccount(req)) return forbidden;
                    const p = project(req.params.ref);
                    if (!p) return notFound;
                    const names = req.json<unknown>();
                    if (!Array.isArray(names) || names.some((n) => typeof n !== "string")) return badRequest("body must be an array of secret names");
                    for (const n of names as string[]) {
                        p.delete(n);
                        this.timesOf(req.params.ref).delete(n);
                    }
                    return { status: 200 };
                },
            },
        ];
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

    /** Every configured project, with no secrets of its own; a project a test deleted comes back. */
    private emptyProjects(): void {
        this.secrets.clear();
        this.updatedAt.clear();
        for (const ref of this.projects) this.secrets.set(ref, new Map());
    }
}
