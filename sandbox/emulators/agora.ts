/**
 * Agora's Console REST API, the project routes stackwire provisions with. Shapes from the page
 * "Agora Console REST API" (docs.agora.io/en/api-reference/api-ref/console/solutions-agora-console-rest-api;
 * source AgoraIO/Docs-Source shared/common/manage-agora-account/_agora-console-restapi.mdx @0a587bc4),
 * cited per route; where it is silent, said so.
 *
 * - Auth: `Authorization: Basic base64(<Customer ID>:<Customer Secret>)` ("RESTful authentication",
 *   _restful-authentication.mdx). A refused pair is 401 (documented); its body is not. api.agora.io
 *   answers as a Kong gateway (Docs-Source issue #1654: "no Route matched with those values"), so
 *   the bodies are Kong basic-auth's: {"message":"Unauthorized"} without a header,
 *   {"message":"Invalid authentication credentials"} for a wrong pair.
 * - JSON only: a request without `Content-Type: application/json` is 415 (documented for every
 *   request, without an exception for reads; Agora's own GET samples set it).
 * - Errors: "See the `message` field in the response body" (documented); the texts are not, and
 *   are written here in words of the documented reasons.
 * - A project: {id, name, vendor_key (App ID), sign_key (primary certificate, "" when off),
 *   recording_server, status (1 enabled, 0 disabled), created}. Ids are 9 characters (the docs'
 *   7sdnf3xRH); App IDs and certificates 32 lower-case hex (every example; Agora's token builder
 *   refuses anything else). `created` is documented in seconds.
 * - Names are unique in the account: "Duplicate project name" is a documented 400 reason, as is
 *   the project quota (20, disabled projects counted: "Manage projects"). Whether a disabled
 *   project keeps its name taken is not documented: `disabledNamesTaken` chooses.
 * - The documented API has no delete: a project is disabled with status 0.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { ApiFailure, Emulator, type EmulatorRequest, type EmulatorResponse, type Route } from "./frame";

type Obj = Record<string, unknown>;

export interface AgoraEmulatorOptions {
    /** Customer ID → Customer Secret, per account: each account sees only its own projects. */
    accounts: Record<string, { customerId: string; customerSecret: string }>;
    /** Projects per account (20 on Agora, disabled ones counted: "Manage projects"). */
    projectQuota?: number;
    /**
     * Whether a disabled project keeps its name taken. Agora's docs do not say (a documented 400
     * reason is only "Duplicate project name"). @default true
     */
    disabledNamesTaken?: boolean;
}

export interface AgoraProjectRecord extends Obj {
    id: string;
    name: string;
    vendor_key: string;
    sign_key: string;
    recording_server: string | null;
    status: 0 | 1;
    created: number;
    account: string;
}

const agoraError = (status: number, message: string) => new ApiFailure({ status, body: { message } });
const hex32 = () => randomUUID().replace(/-/g, "");
const shortId = () => randomBytes(9).toString("base64").replace(/[^A-Za-z0-9]/g, "").padEnd(9, "x").slice(0, 9);

export class AgoraEmulator extends Emulator {
    readonly projects = new Map<string, AgoraProjectRecord>();

    constructor(private readonly opts: AgoraEmulatorOptions) {
        super({ name: "agora", requestIdHeader: "x-request-id", errorBody: (_status, message) => ({ message }) });
    }

    override reset(): void {
        super.reset();
        this.projects.clear();
    }

    /** The account a request's Basic pair belongs to (set by authenticate). */
    private accountOf(req: EmulatorRequest): string {
        const [id, secret] = Buffer.from(/^basic (.+)$/i.exec(req.headers.authorization ?? "")?.[1] ?? "", "base64").toString("utf8").split(":");
        const found = Object.entries(this.opts.accounts).find(([, a]) => a.customerId === id && a.customerSecret === secret);
        return found![0];
    }

    protected override authenticate(req: EmulatorRequest): EmulatorResponse | undefined {
        const header = /^basic (.+)$/i.exec(req.headers.authorization ?? "")?.[1];
        if (!header) return { status: 401, body: { message: "Unauthorized" }, headers: { "www-authenticate": 'Basic realm="kong"' } };
        const [id, secret] = Buffer.from(header, "base64").toString("utf8").split(":");
        if (!Object.values(this.opts.accounts).some((a) => a.customerId === id && a.customerSecret === secret)) return { status: 401, body: { message: "Invalid authentication credentials" } };
        if (!(req.headers["content-type"] ?? "").includes("application/json")) return { status: 415, body: { message: "Unsupported media type. Make sure that you set Content-Type in Headers as application/json" } };
        return undefined;
    }

    private publicProject(p: AgoraProjectRecord): Obj {
        const { account: _account, ...rest } = p;
        return rest;
    }

    private mine(req: EmulatorRequest): AgoraProjectRecord[] {
        const account = this.accountOf(req);
        return [...this.projects.values()].filter((p) => p.account === account);
    }

    private body(req: EmulatorRequest): Obj {
        const b = req.json<Obj>();
        if (!b || typeof b !== "object" || Array.isArray(b)) throw agoraError(400, "Bad request: the body must be a JSON object");
        return b;
    }

    /** The account's project named by the body's `id`; 404 otherwise (documented: "The requested resource could not be found"). */
    private target(req: EmulatorRequest): AgoraProjectRecord {
        const b = this.body(req);
        const found = this.mine(req).find((p) => p.id === b.id);
        if (!found) throw agoraError(404, `project ${String(b.id)} not found`);
        return found;
    }

    /** The documented answer of every write: {"project": {...}}. */
    private answer(status: number, p: AgoraProjectRecord): EmulatorResponse {
        return { status, body: { project: this.publicProject(p) } };
    }

    protected routes(): Route[] {
        return [
            // Get all projects: {"projects": [...]}, disabled ones included.
            { method: "GET", path: "/dev/v1/projects", handle: (req) => ({ status: 200, body: { projects: this.mine(req).map((p) => this.publicProject(p)) } }) },
            // Get a project: `id` and `name` both required; {"projects": [one]}.
            {
                method: "GET",
                path: "/dev/v1/project",
                handle: (req) => {
                    const id = req.query.get("id");
                    const name = req.query.get("name");
                    if (!id || !name) throw agoraError(400, "Bad request: id and name are required");
                    return { status: 200, body: { projects: this.mine(req).filter((p) => p.id === id && p.name === name).map((p) => this.publicProject(p)) } };
                },
            },
            // Create a project: {name (1–255), enable_sign_key (default false)}; 201 {"project": {...}}.
            {
                method: "POST",
                path: "/dev/v1/project",
                handle: (req) => {
                    const b = this.body(req);
                    if (typeof b.name !== "string" || b.name.length < 1 || b.name.length > 255) throw agoraError(400, "Bad request: name must be between 1 and 255 characters");
                    const mine = this.mine(req);
                    if (mine.some((p) => p.name === b.name && (p.status === 1 || this.opts.disabledNamesTaken !== false))) throw agoraError(400, "Bad request: duplicate project name");
                    if (mine.length >= (this.opts.projectQuota ?? 20)) throw agoraError(400, "Bad request: the number of projects exceeds the maximum limit");
                    const p: AgoraProjectRecord = { id: shortId(), name: b.name, vendor_key: hex32(), sign_key: b.enable_sign_key === true ? hex32() : "", recording_server: null, status: 1, created: Math.floor(Date.now() / 1000), account: this.accountOf(req) };
                    this.projects.set(p.id, p);
                    return this.answer(201, p);
                },
            },
            // Enable or disable a project: {id, status: 0 | 1}; {"project": {...}}.
            {
                method: "POST",
                path: "/dev/v1/project_status",
                handle: (req) => {
                    const p = this.target(req);
                    const { status } = this.body(req);
                    if (status !== 0 && status !== 1) throw agoraError(400, "Bad request: status must be 0 or 1");
                    p.status = status;
                    return this.answer(200, p);
                },
            },
            // Enable or disable the primary App Certificate: {id, enable}; {"project": {...}}.
            {
                method: "POST",
                path: "/dev/v1/signkey",
                handle: (req) => {
                    const p = this.target(req);
                    const { enable } = this.body(req);
                    if (typeof enable !== "boolean") throw agoraError(400, "Bad request: enable must be true or false");
                    if (enable && !p.sign_key) p.sign_key = hex32();
                    if (!enable) p.sign_key = "";
                    return this.answer(200, p);
                },
            },
            // Reset the primary App Certificate: {id}; enables it when it was off (2020 "RESTful API" page).
            {
                method: "POST",
                path: "/dev/v1/reset_signkey",
                handle: (req) => {
                    const p = this.target(req);
                    p.sign_key = hex32();
                    return this.answer(200, p);
                },
            },
        ];
    }
}
