/**
 * Supabase Management API emulator for Edge Function secrets: Bearer personal access tokens
 * (401 `{"message":"Unauthorized"}`), projects by reference, bulk upsert, bulk delete, and a list
 * that shows each value only as its digest.
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

export class SupabaseManagementEmulator extends Emulator {
    /** Secrets set through the API, by project ref: name → value (tests may read them; the API never shows them). */
    readonly secrets = new Map<string, Map<string, string>>();
    /** When each secret was last set, by project ref and name. */
    private readonly updatedAt = new Map<string, Map<string, string>>();

    private readonly projects: string[];
    private readonly token: string;

    constructor(options: { token: string; projects: string[] }) {
        super({
            name: "supabase-management",
            requestIdHeader: "sb-request-id",
            errorBody: (_status, message) => ({ message }),
        });
        this.token = options.token;
        this.projects = options.projects;
        this.emptyProjects();
    }

    protected override authenticate(req: EmulatorRequest): EmulatorResponse | undefined {
        return bearerToken(req) === this.token ? undefined : { status: 401, body: { message: "Unauthorized" } };
    }

    protected routes(): Route[] {
        const project = (ref: string) => this.secrets.get(ref);
        const notFound = { status: 404, body: { message: "Project not found" } };
        return [
            {
                // api_v1_openapi.json GET /v1/projects/{ref}/secrets (v1-list-all-secrets): 200, SecretResponse[]
                // ({name, value, updated_at?}); `value` is the digest, never the secret.
                method: "GET",
                path: "/v1/projects/:ref/secrets",
                handle: (req) => {
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
