/**
 * Supabase Storage API emulator (the routes under /storage/v1 that stackwire and its tests use).
 *
 * Storage publishes no OpenAPI contract: every route follows the server's source, supabase/storage
 * at commit 4fa61fba9371c4bd40cbb81509f07bcb3af21683 (cited beside each route as `storage@4fa61fb`
 * and the file), where providers can trip:
 * - the gateway checks the `apikey` header first (401 `{message}`); the storage server then
 *   verifies the bearer JWT after the body passed its schema (src/http/plugins/jwt.ts): the
 *   service-role key may manage buckets, the anon key only what row-level security allows, and a
 *   project with no policies on storage.buckets (the default) lets anon see no bucket at all;
 * - errors a handler raises come back as HTTP 400 (500 for server faults) with the meaningful
 *   status in the body, and `error` as the server's ERRORS table names it
 *   (src/http/error-handler.ts, src/internal/errors/codes.ts):
 *   `{"statusCode":"404","code":"NoSuchBucket","error":"Bucket not found","message":"Bucket not found"}`;
 * - a body that fails the route's JSON schema is refused by Fastify before the handler, with the
 *   real HTTP 400 and `{"statusCode":"400","error":"Error","code":"InvalidRequest","message":"body/… must …"}`;
 * - emptying a bucket is queued: objects disappear over the following requests, not at once.
 */
import { randomUUID } from "node:crypto";
import type { FunctionHost } from "../functions/host";
import { ApiFailure, bearerToken, Emulator, type EmulatorRequest, type EmulatorResponse, type Route } from "./frame";

/** storage@4fa61fb src/storage/limits.ts VALID_BUCKET_NAME (1 to 100 characters: isValidBucketName). */
const VALID_BUCKET_NAME = /^[A-Za-z0-9_!.*'() &$=@;:+,?-]*$/;
/** storage@4fa61fb src/storage/storage.ts validateMimeType (at most 1000 characters). */
const VALID_MIME_TYPE = /^([a-zA-Z0-9\-+.]+)\/([a-zA-Z0-9\-+.]+)(;\s*charset=[a-zA-Z0-9-]+)?$|\*$/;
/** storage@4fa61fb src/http/schemas/file-size-limit.ts: the text form of a size. */
const FILE_SIZE_TEXT = /^[0-9]+(?:\.[0-9]+)?(?:[gG][bB]|[mM][bB]|[kK][bB]|[bB])$/;
/**
 * The server-wide upload limit (FILE_SIZE_LIMIT) a bucket's own limit may not exceed: 50 MiB, as
 * supabase/supabase docker/docker-compose.yml (f813858db24e424146f62442faeafeed544dc508) sets it.
 */
export const DEFAULT_UPLOAD_FILE_SIZE_LIMIT = 52_428_800;

interface StoredObject {
    id: string;
    bytes: Buffer;
    mimetype: string;
    createdAt: string;
    updatedAt: string;
}

export interface EmulatedBucket {
    id: string;
    name: string;
    owner: string;
    public: boolean;
    file_size_limit: number | null;
    allowed_mime_types: string[] | null;
    created_at: string;
    updated_at: string;
    type: "STANDARD";
    objects: Map<string, StoredObject>;
    /** Set by POST /empty: the background job still has objects to delete. */
    emptying: boolean;
}

export interface SupabaseStorageEmulatorOptions {
    serviceRoleKey: string;
    anonKey: string;
    /** Objects the background empty job deletes per request the bucket receives. @default 2 */
    emptyBatchSize?: number;
    /** The server's FILE_SIZE_LIMIT, in bytes. @default DEFAULT_UPLOAD_FILE_SIZE_LIMIT */
    uploadFileSizeLimit?: number;
    /** Runs the project's Edge Functions, which `/functions/v1/<slug>` reaches. */
    functionHost?: FunctionHost;
    /**
     * Whether a deployed function demands a project JWT (its verify_jwt), undefined when none of that
     * slug is deployed: the Management API emulator knows (`functionOf(ref, slug)?.verify_jwt`).
     * Without it every function the host runs is reached without a check.
     */
    verifiesJwt?: (slug: string) => boolean | undefined;
}

/**
 * The Edge Functions gateway's answers (the platform's, before any function code runs):
 * supabase/supabase apps/docs/content/troubleshooting/edge-function-404-error-response.mdx
 * (f4ae894c) for an unknown function, edge-function-401-error-response.mdx (b0bb9a87) for a JWT
 * the check refuses. A request with no Authorization at all gets UNAUTHORIZED_NO_AUTH_HEADER: no
 * Supabase document shows it, so it is the live gateway's answer as projects quote it from their
 * own calls. The 404 carries `sb-error-code`, as the live answer in supabase/supabase#47739 does.
 */
const FUNCTION_NOT_FOUND: EmulatorResponse = { status: 404, body: { code: "NOT_FOUND", message: "Requested function was not found" }, headers: { "sb-error-code": "NOT_FOUND" } };
const NO_AUTH_HEADER: EmulatorResponse = { status: 401, body: { code: "UNAUTHORIZED_NO_AUTH_HEADER", message: "Missing authorization header" } };
const INVALID_JWT: EmulatorResponse = { status: 401, body: { code: 401, message: "Invalid JWT" } };
const FUNCTION_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/**
 * An error a handler raises: storage@4fa61fb src/internal/errors/storage-error.ts StorageBackendError
 * (HTTP 500 for a 500, else 400; the status, the code and the `error` text in the body).
 */
function storageError(httpStatusCode: number, code: string, message: string, error = code): EmulatorResponse {
    return {
        status: httpStatusCode === 500 ? 500 : 400,
        body: { statusCode: String(httpStatusCode), code, error, message },
    };
}

/** A body or query the route's schema refuses: Fastify's FST_ERR_VALIDATION through src/http/error-handler.ts. */
function schemaError(message: string): EmulatorResponse {
    return { status: 400, body: { statusCode: "400", error: "Error", code: "InvalidRequest", message } };
}

/** storage@4fa61fb src/internal/errors/codes.ts ERRORS, the entries the bucket routes raise. */
const errors = {
    noSuchBucket: () => storageError(404, "NoSuchBucket", "Bucket not found", "Bucket not found"),
    bucketAlreadyExists: () => storageError(409, "BucketAlreadyExists", "The resource already exists", "Duplicate"),
    keyAlreadyExists: () => storageError(409, "KeyAlreadyExists", "The resource already exists", "Duplicate"),
    bucketNotEmpty: () => storageError(409, "ResourceNotEmpty", "The bucket you tried to delete is not empty"),
    invalidBucketName: () => storageError(400, "InvalidBucketName", "Bucket name invalid", "Invalid Input"),
    invalidMimeType: (t: string) => storageError(415, "InvalidMimeType", `mime type ${t} is not supported`, "invalid_mime_type"),
    entityTooLarge: () => storageError(413, "EntityTooLarge", "The object exceeded the maximum allowed size", "Payload too large"),
    invalidParameter: (message: string) => storageError(400, "InvalidParameter", message),
    accessDenied: (message: string) => storageError(403, "AccessDenied", message, "Unauthorized"),
    /** src/storage/database/errors.ts: Postgres 42501 under row-level security. */
    rowLevelSecurity: () => storageError(403, "AccessDenied", "new row violates row-level security policy", "Unauthorized"),
    /** src/http/plugins/jwt.ts enforceJwtRole: `.withStatusCode(403)`, the one error sent with its own status. */
    invalidRole: () => ({ ...storageError(403, "AccessDenied", "Access denied: Invalid role", "Unauthorized"), status: 403 }),
};

function isValidBucketName(name: string): boolean {
    return name.length > 0 && name.length < 101 && VALID_BUCKET_NAME.test(name);
}

const SIZE_UNITS: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9 };

/**
 * A size as the server reads it (storage@4fa61fb src/storage/limits.ts parseFileSizeToBytes):
 * three significant digits, decimal units ("100MB" is 100,000,000 bytes).
 */
function parseFileSizeToBytes(text: string): number {
    const [, digits, unit] = /^([0-9]+(?:\.[0-9]+)?)(gb|mb|kb|b)$/i.exec(text)!;
    return +parseFloat(digits).toPrecision(3) * SIZE_UNITS[unit.toUpperCase()];
}

interface BucketSettingsBody {
    id?: unknown;
    name?: unknown;
    public?: unknown;
    type?: unknown;
    file_size_limit?: unknown;
    allowed_mime_types?: unknown;
}

interface Settings {
    public?: boolean;
    fileSizeLimit?: number | null;
    mimeTypes?: string[] | null;
}

export class SupabaseStorageEmulator extends Emulator {
    readonly buckets = new Map<string, EmulatedBucket>();
    private readonly opts: Required<Omit<SupabaseStorageEmulatorOptions, "functionHost" | "verifiesJwt">>;
    private readonly functionHost?: FunctionHost;
    private readonly verifiesJwt?: (slug: string) => boolean | undefined;

    constructor(options: SupabaseStorageEmulatorOptions) {
        super({
            name: "supabase-storage",
            requestIdHeader: "sb-request-id",
            errorBody: (status, message) =>
                status === 429 ? { message: "Too many requests" } : { statusCode: String(status), code: status >= 500 ? "InternalError" : "InvalidRequest", error: status >= 500 ? "Internal" : "Error", message },
        });
        const { functionHost, verifiesJwt, ...storage } = options;
        this.opts = { emptyBatchSize: 2, uploadFileSizeLimit: DEFAULT_UPLOAD_FILE_SIZE_LIMIT, ...storage };
        this.functionHost = functionHost;
        this.verifiesJwt = verifiesJwt;
    }

    override reset(): void {
        super.reset();
        this.buckets.clear();
    }

    /** The API gateway: a request without a known `apikey` never reaches the storage server. */
    protected override authenticate(req: EmulatorRequest): EmulatorResponse | undefined {
        // Edge Functions have a gateway of their own, which demands no apikey (functionRoutes).
        if (req.path.startsWith("/functions/v1/")) return undefined;
        const apikey = req.headers.apikey;
        if (!apikey) return { status: 401, body: { message: "No API key found in request", hint: "No `apikey` request header or url param was found." } };
        if (apikey !== this.opts.serviceRoleKey && apikey !== this.opts.anonKey) return { status: 401, body: { message: "Invalid API key", hint: "Double check your Supabase `anon` or `service_role` API key." } };
        return undefined;
    }

    /**
     * The storage server's JWT check, a preHandler that runs after the route's schema
     * (storage@4fa61fb src/http/plugins/jwt.ts): a token it cannot verify is AccessDenied with
     * jose's message. The emulator's keys stand for the project's two JWTs.
     */
    private roleOf(req: EmulatorRequest): "service_role" | "anon" {
        const token = bearerToken(req);
        if (token === this.opts.serviceRoleKey) return "service_role";
        if (token === this.opts.anonKey) return "anon";
        throw new ApiFailure(errors.accessDenied("Invalid Compact JWS"));
    }

    /**
     * `ANY /functions/v1/:slug` and `/functions/v1/:slug/*path`: the Edge Functions gateway. A slug
     * not deployed answers 404 NOT_FOUND; a function with verify_jwt demands `Authorization: Bearer`
     * with one of the project's JWTs (OPTIONS passes, so CORS preflights reach the function, as
     * supabase/cli apps/cli-go/internal/functions/serve/templates/main.ts does, 1d1e7191); the
     * request then reaches the function with the path that follows its base.
     */
    private functionRoutes(): Route[] {
        const invoke = async (req: EmulatorRequest): Promise<EmulatorResponse> => {
            const slug = req.params.slug;
            const verifies = this.verifiesJwt ? this.verifiesJwt(slug) : false;
            if (!this.functionHost || verifies === undefined) return FUNCTION_NOT_FOUND;
            if (verifies && req.method !== "OPTIONS") {
                if (typeof req.headers.authorization !== "string") return NO_AUTH_HEADER;
                const token = bearerToken(req);
                if (token !== this.opts.serviceRoleKey && token !== this.opts.anonKey) return INVALID_JWT;
            }
            const headers = Object.fromEntries(Object.entries(req.headers).flatMap(([k, v]) => (v === undefined ? [] : [[k, Array.isArray(v) ? v.join(", ") : v]])));
            const query = req.query.toString();
            const path = `/${req.params.path ?? ""}${query ? `?${query}` : ""}`;
            const answer = await this.functionHost.invoke(slug, { method: req.method, path, headers, body: new Uint8Array(req.body) });
            return answer ? { status: answer.status, body: Buffer.from(answer.body), headers: answer.headers } : FUNCTION_NOT_FOUND;
        };
        return FUNCTION_METHODS.flatMap((method) => [
            { method, path: "/functions/v1/:slug", handle: invoke },
            { method, path: "/functions/v1/:slug/*path", handle: invoke },
        ]);
    }

    /** The queued empty job deletes a batch each time the bucket is touched. */
    private progressEmpty(bucket: EmulatedBucket): void {
        if (!bucket.emptying) return;
        const keys = [...bucket.objects.keys()].slice(0, this.opts.emptyBatchSize);
        for (const key of keys) bucket.objects.delete(key);
        if (bucket.objects.size === 0) bucket.emptying = false;
    }

    /** A bucket as `storage.buckets` shows it to the role: anon sees none (no policies, the default). */
    private visibleBucket(role: "service_role" | "anon", id: string): EmulatedBucket | undefined {
        const bucket = this.buckets.get(id);
        if (!bucket || role !== "service_role") return undefined;
        this.progressEmpty(bucket);
        return bucket;
    }

    /** A bucket for the object routes: a public bucket's objects are open to the anon role. */
    private objectBucket(req: EmulatorRequest, id: string): EmulatedBucket | undefined {
        const bucket = this.buckets.get(id);
        if (!bucket) return undefined;
        if (this.roleOf(req) === "anon" && !bucket.public) return undefined;
        this.progressEmpty(bucket);
        return bucket;
    }

    /**
     * The settings fields of a create or update body: their JSON schema first (Fastify, with
     * coerceTypes "array"), then the checks of src/storage/storage.ts createBucket/updateBucket.
     * Returns a response when the schema refuses the body; the handler's own checks come later.
     */
    private schemaProblem(body: BucketSettingsBody): EmulatorResponse | undefined {
        // storage@4fa61fb src/http/routes/bucket/createBucket.ts and updateBucket.ts: `public: boolean`.
        if (body.public !== undefined && typeof body.public !== "boolean") return schemaError("body/public must be boolean");
        // src/http/schemas/file-size-limit.ts: an integer >= 0 or a size text, either nullable.
        const limit = body.file_size_limit;
        if (limit !== undefined && limit !== null && !(typeof limit === "number" && Number.isInteger(limit) && limit >= 0) && !(typeof limit === "string" && FILE_SIZE_TEXT.test(limit))) {
            return schemaError("body/file_size_limit must match a schema in anyOf");
        }
        const types = body.allowed_mime_types;
        if (types !== undefined && types !== null && !(Array.isArray(types) && types.every((t) => typeof t === "string"))) return schemaError("body/allowed_mime_types must be array");
        return undefined;
    }

    /** src/storage/storage.ts: the size parsed and held to FILE_SIZE_LIMIT, the MIME types filtered and checked. */
    private settingsOf(body: BucketSettingsBody): EmulatorResponse | Settings {
        let fileSizeLimit: number | null | undefined;
        if (typeof body.file_size_limit === "number") fileSizeLimit = body.file_size_limit;
        else if (typeof body.file_size_limit === "string") fileSizeLimit = parseFileSizeToBytes(body.file_size_limit);
        else if (body.file_size_limit === null) fileSizeLimit = null;
        if (typeof fileSizeLimit === "number") {
            if (fileSizeLimit > this.opts.uploadFileSizeLimit) return errors.entityTooLarge();
            // The column is a bigint: "1.5B" parses to a fraction Postgres refuses (22P02).
            if (!Number.isInteger(fileSizeLimit)) return errors.invalidParameter(`invalid input syntax for type bigint: "${fileSizeLimit}"`);
        }
        let mimeTypes: string[] | null | undefined;
        if (body.allowed_mime_types !== undefined) {
            const listed = body.allowed_mime_types as string[] | null;
            mimeTypes = listed ? listed.filter((t) => t) : listed;
            for (const type of mimeTypes ?? []) {
                if (type.length > 1000 || !VALID_MIME_TYPE.test(type)) return errors.invalidMimeType(type);
            }
        }
        return { public: body.public as boolean | undefined, fileSizeLimit, mimeTypes };
    }

    private shown(b: EmulatedBucket, withType: boolean) {
        const { objects: _objects, emptying: _emptying, type, ...rest } = b;
        return withType ? { ...rest, type } : rest;
    }

    protected routes(): Route[] {
        const base = "/storage/v1";
        return [
            {
                // storage@4fa61fb src/http/routes/bucket/getAllBuckets.ts: limit >= 1, offset >= 0,
                // sortColumn/sortOrder enums, search (ILIKE %search%, src/storage/database/pg.ts
                // listBuckets); each bucket with its `type`.
                method: "GET",
                path: `${base}/bucket`,
                handle: (req) => {
                    const q = req.query;
                    const integer = (name: string, min: number): number | EmulatorResponse | undefined => {
                        if (!q.has(name)) return undefined;
                        const n = Number(q.get(name));
                        if (!Number.isInteger(n)) return schemaError(`querystring/${name} must be integer`);
                        return n < min ? schemaError(`querystring/${name} must be >= ${min}`) : n;
                    };
                    const limit = integer("limit", 1);
                    const offset = integer("offset", 0);
                    if (typeof limit === "object") return limit;
                    if (typeof offset === "object") return offset;
                    const sortColumn = q.get("sortColumn");
                    if (sortColumn !== null && !["id", "name", "created_at", "updated_at"].includes(sortColumn)) return schemaError("querystring/sortColumn must be equal to one of the allowed values");
                    const sortOrder = q.get("sortOrder");
                    if (sortOrder !== null && !["asc", "desc"].includes(sortOrder)) return schemaError("querystring/sortOrder must be equal to one of the allowed values");
                    const role = this.roleOf(req);
                    const search = (q.get("search") ?? "").toLowerCase();
                    const column = (sortColumn ?? "name") as "id" | "name" | "created_at" | "updated_at";
                    const visible = [...this.buckets.values()]
                        .filter((b) => role === "service_role" && b.name.toLowerCase().includes(search))
                        .sort((a, b) => a[column].localeCompare(b[column]) * (sortOrder === "desc" ? -1 : 1));
                    const start = offset ?? 0;
                    return { status: 200, body: visible.slice(start, limit === undefined ? undefined : start + limit).map((b) => this.shown(b, true)) };
                },
            },
            {
                // storage@4fa61fb src/http/routes/bucket/getBucket.ts: the bucket without `type` (the
                // route selects id, name, owner, public, created_at, updated_at, file_size_limit,
                // allowed_mime_types); NoSuchBucket when the role cannot see it.
                method: "GET",
                path: `${base}/bucket/:id`,
                handle: (req) => {
                    const bucket = this.visibleBucket(this.roleOf(req), req.params.id);
                    return bucket ? { status: 200, body: this.shown(bucket, false) } : errors.noSuchBucket();
                },
            },
            {
                // storage@4fa61fb src/http/routes/bucket/createBucket.ts (body schema: name required;
                // id, public, type STANDARD|ANALYTICS, file_size_limit, allowed_mime_types; answer
                // `{name}`) and src/storage/storage.ts createBucket: the *name* must be a valid bucket
                // name without surrounding spaces, the id is `id || name`; then the insert, where RLS
                // refuses the anon role and the unique id gives BucketAlreadyExists.
                method: "POST",
                path: `${base}/bucket`,
                handle: (req) => {
                    const body = req.json<BucketSettingsBody>() ?? {};
                    if (typeof body.name !== "string") return schemaError("body must have required property 'name'");
                    if (body.id !== undefined && typeof body.id !== "string") return schemaError("body/id must be string");
                    if (body.type !== undefined && body.type !== "STANDARD" && body.type !== "ANALYTICS") return schemaError("body/type must be equal to one of the allowed values");
                    const schemaRefusal = this.schemaProblem(body);
                    if (schemaRefusal) return schemaRefusal;
                    const role = this.roleOf(req);
                    if (body.name.trim() !== body.name || !isValidBucketName(body.name)) return errors.invalidBucketName();
                    if (body.type === "ANALYTICS") return storageError(409, "FeatureNotEnabled", "The feature Iceberg buckets are not enabled for this tenant is not enabled for this resource");
                    const settings = this.settingsOf(body);
                    if ("status" in settings) return settings;
                    if (role !== "service_role") return errors.rowLevelSecurity();
                    const id = typeof body.id === "string" && body.id ? body.id : body.name;
                    if (this.buckets.has(id)) return errors.bucketAlreadyExists();
                    const now = new Date().toISOString();
                    this.buckets.set(id, {
                        id,
                        name: body.name,
                        // A service-role JWT has no subject: the owner column stays null, which the
                        // response schema (`owner: string`) serializes as "".
                        owner: "",
                        public: settings.public ?? false,
                        file_size_limit: settings.fileSizeLimit ?? null,
                        allowed_mime_types: settings.mimeTypes ?? null,
                        created_at: now,
                        updated_at: now,
                        type: "STANDARD",
                        objects: new Map(),
                        emptying: false,
                    });
                    return { status: 200, body: { name: body.name } };
                },
            },
            {
                // storage@4fa61fb src/http/routes/bucket/updateBucket.ts (body: at least one of public,
                // file_size_limit, allowed_mime_types; answer `{"message":"Successfully updated"}`) and
                // src/storage/storage.ts updateBucket: the id must be a valid bucket name; an update
                // that matches no row (missing, or hidden by RLS) is NoSuchBucket.
                method: "PUT",
                path: `${base}/bucket/:id`,
                handle: (req) => {
                    const body = req.json<BucketSettingsBody>() ?? {};
                    if (Object.keys(body).length === 0) return schemaError("body must NOT have fewer than 1 properties");
                    if (body.public === undefined && body.file_size_limit === undefined && body.allowed_mime_types === undefined) return schemaError("body must have required property 'public', body must have required property 'file_size_limit', body must have required property 'allowed_mime_types', body must match a schema in anyOf");
                    const schemaRefusal = this.schemaProblem(body);
                    if (schemaRefusal) return schemaRefusal;
                    const role = this.roleOf(req);
                    if (!isValidBucketName(req.params.id)) return errors.invalidBucketName();
                    const settings = this.settingsOf(body);
                    if ("status" in settings) return settings;
                    const bucket = this.visibleBucket(role, req.params.id);
                    if (!bucket) return errors.noSuchBucket();
                    if (settings.public !== undefined) bucket.public = settings.public;
                    if (settings.fileSizeLimit !== undefined) bucket.file_size_limit = settings.fileSizeLimit;
                    if (settings.mimeTypes !== undefined) bucket.allowed_mime_types = settings.mimeTypes;
                    bucket.updated_at = new Date().toISOString();
                    return { status: 200, body: { message: "Successfully updated" } };
                },
            },
            {
                // storage@4fa61fb src/http/routes/bucket/emptyBucket.ts: service role only
                // (registerJwtAuth with enforceJwtRoles: 403 "Access denied: Invalid role"), then
                // src/storage/storage.ts emptyBucket: NoSuchBucket, or the deletion queued.
                method: "POST",
                path: `${base}/bucket/:id/empty`,
                handle: (req) => {
                    if (this.roleOf(req) !== "service_role") return errors.invalidRole();
                    const bucket = this.visibleBucket("service_role", req.params.id);
                    if (!bucket) return errors.noSuchBucket();
                    bucket.emptying = bucket.objects.size > 0;
                    return { status: 200, body: { message: "Empty bucket has been queued. Completion may take up to an hour." } };
                },
            },
            {
                // storage@4fa61fb src/http/routes/bucket/deleteBucket.ts and src/storage/storage.ts
                // deleteBucket: found and counted as superuser (NoSuchBucket, then ResourceNotEmpty),
                // deleted under RLS (no row deleted: NoSuchBucket); `{"message":"Successfully deleted"}`.
                method: "DELETE",
                path: `${base}/bucket/:id`,
                handle: (req) => {
                    const role = this.roleOf(req);
                    const bucket = this.buckets.get(req.params.id);
                    if (!bucket) return errors.noSuchBucket();
                    this.progressEmpty(bucket);
                    if (bucket.objects.size > 0) return errors.bucketNotEmpty();
                    if (role !== "service_role") return errors.noSuchBucket();
                    this.buckets.delete(bucket.id);
                    return { status: 200, body: { message: "Successfully deleted" } };
                },
            },
            {
                // storage@4fa61fb src/http/routes/object/listObjects.ts: one folder level under
                // `prefix` (required), files with their metadata and folders with null ids.
                method: "POST",
                path: `${base}/object/list/:bucket`,
                handle: (req) => {
                    const body = req.json<{ prefix?: string; limit?: number; offset?: number; search?: string; sortBy?: { column?: string; order?: string } }>() ?? {};
                    if (typeof body.prefix !== "string") return schemaError("body must have required property 'prefix'");
                    const bucket = this.objectBucket(req, req.params.bucket);
                    if (!bucket) return { status: 200, body: [] };
                    return { status: 200, body: this.listLevel(bucket, body.prefix, body.search ?? "", body.offset ?? 0, body.limit ?? 100, body.sortBy?.order === "desc") };
                },
            },
            {
                // storage@4fa61fb src/http/routes/object/deleteObjects.ts: `prefixes` (at least one);
                // answers the objects removed.
                method: "DELETE",
                path: `${base}/object/:bucket`,
                handle: (req) => {
                    const prefixes = req.json<{ prefixes?: unknown }>()?.prefixes;
                    if (!Array.isArray(prefixes) || prefixes.length === 0) return schemaError("body/prefixes must NOT have fewer than 1 items");
                    const bucket = this.objectBucket(req, req.params.bucket);
                    if (!bucket) return errors.noSuchBucket();
                    const removed = prefixes
                        .filter((p): p is string => typeof p === "string" && bucket.objects.has(p))
                        .map((p) => {
                            const object = bucket.objects.get(p)!;
                            bucket.objects.delete(p);
                            return { bucket_id: bucket.id, name: p, id: object.id, metadata: { size: object.bytes.length, mimetype: object.mimetype } };
                        });
                    return { status: 200, body: removed };
                },
            },
            {
                // storage@4fa61fb src/http/routes/object/createObject.ts: `x-upsert`, the bucket's MIME
                // types and size limit (never above FILE_SIZE_LIMIT); answers `{Id, Key}`.
                method: "POST",
                path: `${base}/object/:bucket/*path`,
                handle: (req) => {
                    const bucket = this.objectBucket(req, req.params.bucket);
                    if (!bucket) return errors.noSuchBucket();
                    const key = req.params.path;
                    const mimetype = String(req.headers["content-type"] ?? "application/octet-stream").split(";")[0].trim().toLowerCase();
                    if (bucket.allowed_mime_types && bucket.allowed_mime_types.length > 0 && !bucket.allowed_mime_types.some((allowed) => mimeMatches(allowed, mimetype))) return errors.invalidMimeType(mimetype);
                    const limit = Math.min(this.opts.uploadFileSizeLimit, bucket.file_size_limit ?? Infinity);
                    if (req.body.length > limit) return errors.entityTooLarge();
                    const upsert = req.headers["x-upsert"] === "true";
                    if (bucket.objects.has(key) && !upsert) return errors.keyAlreadyExists();
                    const now = new Date().toISOString();
                    const id = bucket.objects.get(key)?.id ?? randomUUID();
                    bucket.objects.set(key, { id, bytes: Buffer.from(req.body), mimetype, createdAt: now, updatedAt: now });
                    return { status: 200, body: { Id: id, Key: `${bucket.id}/${key}` } };
                },
            },
            ...this.functionRoutes(),
        ];
    }

    /** One folder level, as the list endpoint returns it: files, and folders with null ids. */
    private listLevel(bucket: EmulatedBucket, prefix: string, search: string, offset: number, limit: number, descending: boolean) {
        const folder = prefix === "" || prefix.endsWith("/") ? prefix : `${prefix}/`;
        const entries = new Map<string, object>();
        for (const [name, object] of bucket.objects) {
            if (!name.startsWith(folder)) continue;
            const rest = name.slice(folder.length);
            const slash = rest.indexOf("/");
            const entryName = slash === -1 ? rest : rest.slice(0, slash);
            if (!entryName.startsWith(search)) continue;
            entries.set(
                entryName,
                slash === -1
                    ? { name: entryName, id: object.id, updated_at: object.updatedAt, created_at: object.createdAt, last_accessed_at: object.updatedAt, metadata: { size: object.bytes.length, mimetype: object.mimetype } }
                    : { name: entryName, id: null, updated_at: null, created_at: null, last_accessed_at: null, metadata: null },
            );
        }
        const sorted = [...entries.entries()].sort(([a], [b]) => (descending ? b.localeCompare(a) : a.localeCompare(b)));
        return sorted.slice(offset, offset + limit).map(([, entry]) => entry);
    }
}

function mimeMatches(allowed: string, actual: string): boolean {
    const [type, subtype] = allowed.toLowerCase().split("/");
    const [actualType, actualSubtype] = actual.split("/");
    return type === actualType && (subtype === "*" || subtype === actualSubtype);
}
