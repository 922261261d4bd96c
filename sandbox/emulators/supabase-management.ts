/**
 * Supabase Management API emulator for Edge Function secrets: Bearer personal access tokens
 * (401 `{"message":"Unauthorized"}`), projects by 20-character reference, bulk upsert, bulk
 * delete, and a list that shows each value only as its SHA-256 digest.
 */
import { createHash } from "node:crypto";
import { bearerToken, Emulator, type EmulatorRequest, type EmulatorResponse, type Route } from "./frame";

export class SupabaseManagementEmulator extends Emulator {
    /** Secrets by project ref: name → value (tests may read them; the API never shows them). */
    readonly secrets = new Map<string, Map<string, string>>();

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
                method: "GET",
                path: "/v1/projects/:ref/secrets",
                handle: (req) => {
                    const p = project(req.params.ref);
                    if (!p) return notFound;
                    return { status: 200, body: [...p.entries()].map(([name, value]) => ({ name, value: createHash("sha256").update(value).digest("hex") })) };
                },
            },
            {
                method: "POST",
                path: "/v1/projects/:ref/secrets",
                handle: (req) => {
                    const p = project(req.params.ref);
                    if (!p) return notFound;
                    const body = req.json<{ name?: unknown; value?: unknown }[]>();
                    if (!Array.isArray(body) || body.length === 0) return { status: 400, body: { message: "body must be a non-empty array of {name, value}" } };
                    for (const s of body) {
                        if (typeof s.name !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(s.name)) return { status: 400, body: { message: `Invalid secret name: ${String(s.name)}` } };
                        if (s.name.startsWith("SUPABASE_")) return { status: 400, body: { message: "Env var name cannot start with SUPABASE_" } };
                        if (typeof s.value !== "string") return { status: 400, body: { message: `Invalid value for ${s.name}` } };
                    }
                    for (const s of body) p.set(s.name as string, s.value as string);
                    return { status: 201, body: "" };
                },
            },
            {
                method: "DELETE",
                path: "/v1/projects/:ref/secrets",
                handle: (req) => {
                    const p = project(req.params.ref);
                    if (!p) return notFound;
                    const names = req.json<unknown[]>();
                    if (!Array.isArray(names)) return { status: 400, body: { message: "body must be an array of names" } };
                    for (const n of names) p.delete(String(n));
                    return { status: 200, body: {} };
                },
            },
        ];
    }

    override reset(): void {
        super.reset();
        this.emptyProjects();
    }

    /** Every configured project, with no secrets; a project a test deleted comes back. */
    private emptyProjects(): void {
        this.secrets.clear();
        for (const ref of this.projects) this.secrets.set(ref, new Map());
    }
}
