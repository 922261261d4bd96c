/**
 * Supabase Storage API emulator (the routes under /storage/v1 that stackwire and its tests use),
 * faithful to the real service where providers can trip:
 * - the gateway checks the `apikey` header first (401 `{message}`), the storage server then the
 *   bearer token; the service-role key may manage buckets, the anon key only sees what RLS allows;
 * - errors come back as HTTP 400 (500 for server faults) with the meaningful status in the body:
 *   `{"statusCode":"404","code":"NoSuchBucket","error":"NoSuchBucket","message":"Bucket not found"}`;
 * - emptying a bucket is queued: objects disappear over the following requests, not at once.
 */
import { randomUUID } from "node:crypto";
import { bearerToken, Emulator, type EmulatorRequest, type EmulatorResponse, type Route } from "./frame";

const BUCKET_NAME = /^[\w!.*'() &$@=;:+,?-]+$/;
const MIME_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/([a-z0-9][a-z0-9!#$&^_.+-]*|\*)$/i;

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
}

function storageError(httpStatusCode: number, code: string, message: string): EmulatorResponse {
    return {
        status: httpStatusCode >= 500 ? 500 : 400,
        body: { statusCode: String(httpStatusCode), code, error: code, message },
    };
}

const errors = {
    noSuchBucket: () => storageError(404, "NoSuchBucket", "Bucket not found"),
    noSuchKey: () => storageError(404, "NoSuchKey", "Object not found"),
    alreadyExists: () => storageError(409, "BucketAlreadyExists", "The resource already exists"),
    keyExists: () => storageError(409, "KeyAlreadyExists", "The resource already exists"),
    notEmpty: () => storageError(409, "ResourceNotEmpty", "The bucket you tried to delete is not empty"),
    invalidName: () => storageError(400, "InvalidBucketName", "Bucket name invalid"),
    invalidMime: (t: string) => storageError(415, "InvalidMimeType", `mime type ${t} is not supported`),
    tooLarge: () => storageError(413, "EntityTooLarge", "The object exceeded the maximum allowed size"),
    invalidRequest: (message: string) => storageError(400, "InvalidRequest", message),
    rls: () => storageError(403, "AccessDenied", "new row violates row-level security policy"),
    accessDenied: (message: string) => storageError(403, "AccessDenied", message),
};

function isValidBucketName(name: unknown): name is string {
    return typeof name === "string" && name.length >= 1 && name.length <= 100 && name.trim() === name && !/[/\\]/.test(name) && BUCKET_NAME.test(name);
}

const SIZE_UNITS: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9 };

/** The storage API accepts bytes or a string such as "100MB" (decimal units). */
function parseSizeLimit(value: unknown): number | null | "invalid" {
    if (value === undefined || value === null) return null;
    if (typeof value === "number") return Number.isInteger(value) && value >= 0 ? value : "invalid";
    if (typeof value !== "string") return "invalid";
    const match = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)$/i.exec(value.trim());
    return match ? Math.round(Number(match[1]) * SIZE_UNITS[match[2].toUpperCase()]) : "invalid";
}

interface BucketSettingsBody {
    id?: unknown;
    name?: unknown;
    public?: unknown;
    file_size_limit?: unknown;
    allowed_mime_types?: unknown;
}

export class SupabaseStorageEmulator extends Emulator {
    readonly buckets = new Map<string, EmulatedBucket>();
    private readonly opts: Required<SupabaseStorageEmulatorOptions>;

    constructor(options: SupabaseStorageEmulatorOptions) {
        super({
            name: "supabase-storage",
            requestIdHeader: "sb-request-id",
            errorBody: (status, message) =>
                status === 429 ? { message: "Too many requests" } : { statusCode: String(status), code: status >= 500 ? "InternalError" : "InvalidRequest", error: "Error", message },
        });
        this.opts = { emptyBatchSize: 2, ...options };
    }

    override reset(): void {
        super.reset();
        this.buckets.clear();
    }

    private role(req: EmulatorRequest): "service_role" | "anon" {
        return bearerToken(req) === this.opts.serviceRoleKey ? "service_role" : "anon";
    }

    protected override authenticate(req: EmulatorRequest): EmulatorResponse | undefined {
        const apikey = req.headers.apikey;
        if (!apikey) return { status: 401, body: { message: "No API key found in request", hint: "No `apikey` request header or url param was found." } };
        if (apikey !== this.opts.serviceRoleKey && apikey !== this.opts.anonKey) return { status: 401, body: { message: "Invalid API key", hint: "Double check your Supabase `anon` or `service_role` API key." } };
        const token = bearerToken(req);
        if (token !== this.opts.serviceRoleKey && token !== this.opts.anonKey) return errors.accessDenied("invalid signature");
        return undefined;
    }

    /** The queued empty job deletes a batch each time the bucket is touched. */
    private progressEmpty(bucket: EmulatedBucket): void {
        if (!bucket.emptying) return;
        const keys = [...bucket.objects.keys()].slice(0, this.opts.emptyBatchSize);
        for (const key of keys) bucket.objects.delete(key);
        if (bucket.objects.size === 0) bucket.emptying = false;
    }

    private bucketFor(req: EmulatorRequest, id: string): EmulatedBucket | undefined {
        const bucket = this.buckets.get(id);
        if (!bucket) return undefined;
        // Row-level security hides buckets from the anon role unless they are public.
        if (this.role(req) === "anon" && !bucket.public) return undefined;
        this.progressEmpty(bucket);
        return bucket;
    }

    /** Bucket administration: RLS refuses it to the anon role; a missing bucket is NoSuchBucket. */
    private withAdminBucket(req: EmulatorRequest, run: (bucket: EmulatedBucket) => EmulatorResponse): EmulatorResponse {
        if (this.role(req) !== "service_role") return errors.rls();
        const bucket = this.bucketFor(req, req.params.id);
        return bucket ? run(bucket) : errors.noSuchBucket();
    }

    private validateSettings(body: BucketSettingsBody): EmulatorResponse | { public?: boolean; fileSizeLimit?: number | null; mimeTypes?: string[] | null } {
        if (body.public !== undefined && typeof body.public !== "boolean") return errors.invalidRequest("body/public must be boolean");
        const limit = body.file_size_limit === undefined ? undefined : parseSizeLimit(body.file_size_limit);
        if (limit === "invalid") return errors.invalidRequest("Invalid file size format, hint: use 20GB / 20MB / 30KB / 3B");
        let mimeTypes: string[] | null | undefined;
        if (body.allowed_mime_types !== undefined) {
            if (body.allowed_mime_types !== null && !Array.isArray(body.allowed_mime_types)) return errors.invalidRequest("body/allowed_mime_types must be array");
            mimeTypes = body.allowed_mime_types === null ? null : (body.allowed_mime_types as unknown[]).filter((t) => t) as string[];
            for (const type of mimeTypes ?? []) {
                if (typeof type !== "string" || !MIME_TYPE.test(type)) return errors.invalidMime(String(type));
            }
        }
        return { public: body.public as boolean | undefined, fileSizeLimit: limit, mimeTypes };
    }

    private publicBucket(b: EmulatedBucket) {
        const { objects: _objects, emptying: _emptying, ...rest } = b;
        return rest;
    }

    protected routes(): Route[] {
        const base = "/storage/v1";
        return [
            {
                method: "GET",
                path: `${base}/bucket`,
                handle: (req) => {
                    const limit = Number(req.query.get("limit") ?? Infinity);
                    const offset = Number(req.query.get("offset") ?? 0);
                    const search = req.query.get("search") ?? "";
                    const visible = [...this.buckets.values()]
                        .filter((b) => this.role(req) === "service_role" || b.public)
                        .filter((b) => b.name.includes(search))
                        .sort((a, b) => a.name.localeCompare(b.name));
                    return { status: 200, body: visible.slice(offset, offset + limit).map((b) => this.publicBucket(b)) };
                },
            },
            {
                method: "GET",
                path: `${base}/bucket/:id`,
                handle: (req) => {
                    const bucket = this.bucketFor(req, req.params.id);
                    return bucket ? { status: 200, body: this.publicBucket(bucket) } : errors.noSuchBucket();
                },
            },
            {
                method: "POST",
                path: `${base}/bucket`,
                handle: (req) => {
                    const body = req.json<BucketSettingsBody>() ?? {};
                    if (typeof body.name !== "string") return errors.invalidRequest("body must have required property 'name'");
                    const id = typeof body.id === "string" && body.id ? body.id : body.name;
                    if (!isValidBucketName(id)) return errors.invalidName();
                    if (this.role(req) !== "service_role") return errors.rls();
                    const settings = this.validateSettings(body);
                    if ("status" in settings) return settings;
                    if (this.buckets.has(id)) return errors.alreadyExists();
                    const now = new Date().toISOString();
                    this.buckets.set(id, {
                        id,
                        name: body.name,
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
                method: "PUT",
                path: `${base}/bucket/:id`,
                handle: (req) => this.withAdminBucket(req, (bucket) => {
                    const settings = this.validateSettings(req.json<BucketSettingsBody>() ?? {});
                    if ("status" in settings) return settings;
                    if (settings.public !== undefined) bucket.public = settings.public;
                    if (settings.fileSizeLimit !== undefined) bucket.file_size_limit = settings.fileSizeLimit;
                    if (settings.mimeTypes !== undefined) bucket.allowed_mime_types = settings.mimeTypes;
                    bucket.updated_at = new Date().toISOString();
                    return { status: 200, body: { message: "Successfully updated" } };
                }),
            },
            {
                method: "POST",
                path: `${base}/bucket/:id/empty`,
                handle: (req) => this.withAdminBucket(req, (bucket) => {
                    bucket.emptying = bucket.objects.size > 0;
                    return { status: 200, body: { message: "Empty bucket has been queued. Completion may take up to an hour." } };
                }),
            },
            {
                method: "DELETE",
                path: `${base}/bucket/:id`,
                handle: (req) => this.withAdminBucket(req, (bucket) => {
                    if (bucket.objects.size > 0) return errors.notEmpty();
                    this.buckets.delete(bucket.id);
                    return { status: 200, body: { message: "Successfully deleted" } };
                }),
            },
            {
                method: "POST",
                path: `${base}/object/list/:bucket`,
                handle: (req) => {
                    const body = req.json<{ prefix?: string; limit?: number; offset?: number; search?: string; sortBy?: { column?: string; order?: string } }>() ?? {};
                    const bucket = this.bucketFor(req, req.params.bucket);
                    if (!bucket) return { status: 200, body: [] };
                    return { status: 200, body: this.listLevel(bucket, body.prefix ?? "", body.search ?? "", body.offset ?? 0, body.limit ?? 100, body.sortBy?.order === "desc") };
                },
            },
            {
                method: "DELETE",
                path: `${base}/object/:bucket`,
                handle: (req) => {
                    const bucket = this.bucketFor(req, req.params.bucket);
                    if (!bucket) return errors.noSuchBucket();
                    const prefixes = req.json<{ prefixes?: unknown }>()?.prefixes;
                    if (!Array.isArray(prefixes) || prefixes.length === 0) return errors.invalidRequest("body/prefixes must NOT have fewer than 1 items");
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
                method: "POST",
                path: `${base}/object/:bucket/*path`,
                handle: (req) => {
                    const bucket = this.bucketFor(req, req.params.bucket);
                    if (!bucket) return errors.noSuchBucket();
                    const key = req.params.path;
                    const mimetype = String(req.headers["content-type"] ?? "application/octet-stream").split(";")[0].trim().toLowerCase();
                    if (bucket.allowed_mime_types && !bucket.allowed_mime_types.some((allowed) => mimeMatches(allowed, mimetype))) return errors.invalidMime(mimetype);
                    if (bucket.file_size_limit !== null && req.body.length > bucket.file_size_limit) return errors.tooLarge();
                    const upsert = req.headers["x-upsert"] === "true";
                    if (bucket.objects.has(key) && !upsert) return errors.keyExists();
                    const now = new Date().toISOString();
                    const id = bucket.objects.get(key)?.id ?? randomUUID();
                    bucket.objects.set(key, { id, bytes: Buffer.from(req.body), mimetype, createdAt: now, updatedAt: now });
                    return { status: 200, body: { Id: id, Key: `${bucket.id}/${key}` } };
                },
            },
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
