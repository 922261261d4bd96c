/**
 * Appwrite server API emulator for databases, collections, attributes, indexes, storage buckets
 * and function variables, as Appwrite behaves where providers can trip:
 * - `X-Appwrite-Project` and `X-Appwrite-Key` headers; errors `{message, code, type, version}`;
 * - custom id rules (36 characters, a-z A-Z 0-9 . - _, no leading special character);
 * - attributes and indexes start `processing` and become `available` (or `failed`, when a test
 *   says so) over the following reads; deletion passes through `deleting` the same way;
 * - email, url, ip and enum attributes are reported as `type: "string"` with a `format`;
 *   integer bounds left open come back as the int64 extremes, float bounds as ±max double;
 * - an index needs its attributes available; secret variables never show their value.
 */
import { systemClock, type Clock } from "../../dynamic-providers/core/clock";
import { ApiFailure, Emulator, type EmulatorRequest, type EmulatorResponse, type Route } from "./frame";

const VERSION = "1.7.4";
const ID = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,35}$/;
const PERMISSION = /^(read|create|update|delete|write)\("[^"]+"\)$/;
const INT64_MAX = "9223372036854775807";
const INT64_MIN = "-9223372036854775808";
const MAX_STRING_SIZE = 1_073_741_824;
const FORMATTED = new Set(["email", "url", "ip", "enum"]);

type Obj = Record<string, any>;

/** Appwrite's error body: `{message, code, type, version}`. */
function appwriteError(code: number, type: string, message: string): ApiFailure {
    return new ApiFailure({ status: code, body: { message, code, type, version: VERSION } });
}

const invalidArgument = (message: string) => appwriteError(400, "general_argument_invalid", message);
const invalidId = (param: string) => invalidArgument(`Invalid \`${param}\` param: Parameter must contain at most 36 chars. Valid chars are a-z, A-Z, 0-9, period, hyphen, and underscore. Can't start with a special char`);
const notFound = (entity: string, what: string) => appwriteError(404, `${entity}_not_found`, `${what} with the requested ID could not be found.`);
const exists = (entity: string, what: string) => appwriteError(409, `${entity}_already_exists`, `${what} with the requested ID already exists. Try again with a different ID or use ID.unique() to generate a unique ID.`);

function now(): string {
    return new Date().toISOString();
}

function requireId(body: Obj, param: string): string {
    const value = body[param];
    if (value === undefined) throw invalidArgument(`Param "${param}" is not optional.`);
    if (typeof value !== "string" || !ID.test(value)) throw invalidId(param);
    return value;
}

function requireName(body: Obj): string {
    if (typeof body.name !== "string" || body.name.length === 0) throw invalidArgument('Param "name" is not optional.');
    if (body.name.length > 128) throw invalidArgument("Invalid `name` param: Value must be a valid string and at most 128 chars");
    return body.name;
}

function permissions(body: Obj): string[] {
    const list = body.permissions ?? [];
    for (const p of list) if (typeof p !== "string" || !PERMISSION.test(p)) throw invalidArgument(`Invalid \`permissions\` param: Permission "${String(p)}" is not allowed. Must be one of: read, create, update, delete, write.`);
    return list;
}

/**
 * A schema object building in the background. It finishes after a number of reads, or, with
 * `buildMs`, when that much of the emulator's clock has passed.
 */
interface Building {
    status: "processing" | "available" | "failed" | "deleting";
    error: string;
    readsLeft: number;
    failWith?: string;
    startedAt: number;
    /** When a read first showed it finished (for detection delays). */
    seenDoneAt?: number;
}

export interface AppwriteEmulatorOptions {
    projectId: string;
    apiKey: string;
    /** Functions that exist, by id (variables need one). */
    functions?: string[];
    /** Reads an attribute or index stays `processing` (or `deleting`) for. @default 2 */
    readsUntilDone?: number;
    /** Time a build (or a deletion) takes instead, on `clock`, as on a real server. */
    buildMs?: number;
    /** @default the system clock */
    clock?: Clock;
}

export class AppwriteEmulator extends Emulator {
    readonly databases = new Map<string, Obj>();
    readonly buckets = new Map<string, Obj>();
    readonly functions = new Map<string, Map<string, Obj>>();
    /** Reads that found an attribute or index still at work (benchmarks read this). */
    processingReads = 0;
    /** With `buildMs`: for each build, how long after it finished a read first showed it (ms). */
    readonly detectionDelays: number[] = [];
    private readonly clock: Clock;
    private readonly failures = new Map<string, string>();
    private readonly opts: Required<Omit<AppwriteEmulatorOptions, "buildMs" | "clock">> & Pick<AppwriteEmulatorOptions, "buildMs">;

    constructor(options: AppwriteEmulatorOptions) {
        super({
            name: "appwrite",
            requestIdHeader: "x-appwrite-request-id",
            errorBody: (status, message) => ({ message, code: status, type: status === 429 ? "general_rate_limit_exceeded" : status >= 500 ? "general_server_error" : "general_route_not_found", version: VERSION }),
        });
        this.opts = { functions: [], readsUntilDone: 2, ...options } as typeof this.opts;
        this.clock = options.clock ?? systemClock;
        for (const fn of this.opts.functions) this.functions.set(fn, new Map());
    }

    override reset(): void {
        super.reset();
        this.databases.clear();
        this.buckets.clear();
        this.failures.clear();
        this.processingReads = 0;
        this.detectionDelays.length = 0;
        for (const fn of this.opts.functions) this.functions.set(fn, new Map());
    }

    /** The next attribute or index created with this key ends `failed` with this reason. */
    failNextBuild(key: string, reason: string): void {
        this.failures.set(key, reason);
    }

    protected override authenticate(req: EmulatorRequest): EmulatorResponse | undefined {
        const project = req.headers["x-appwrite-project"];
        if (project !== this.opts.projectId) {
            return appwriteError(404, "project_not_found", "Project with the requested ID could not be found. Please check the value of the X-Appwrite-Project header to ensure the correct project ID is being used.").response;
        }
        const key = req.headers["x-appwrite-key"];
        if (key === undefined) return appwriteError(401, "general_unauthorized_scope", "User (role: guests) missing scope (databases.read)").response;
        if (key !== this.opts.apiKey) return appwriteError(401, "user_unauthorized", "The current user is not authorized to perform the requested action.").response;
        return undefined;
    }

    /** JSON with int64 extremes written as exact digits, as Appwrite (PHP) writes them. */
    private json(status: number, body: unknown): EmulatorResponse {
        const text = JSON.stringify(body).replace(/"__int64_(max|min)__"/g, (_m, which) => (which === "max" ? INT64_MAX : INT64_MIN));
        return { status, body: Buffer.from(text), headers: { "content-type": "application/json; charset=utf-8", "x-appwrite-version": VERSION } };
    }

    private handle(run: (req: EmulatorRequest, body: Obj) => unknown, status = 200): (req: EmulatorRequest) => EmulatorResponse {
        return (req) => this.json(status, run(req, req.json<Obj>() ?? {}));
    }

    /** A handler answering 204 No Content, as Appwrite's deletes do. */
    private noContent(run: (req: EmulatorRequest) => void): (req: EmulatorRequest) => EmulatorResponse {
        return (req) => {
            run(req);
            return { status: 204 };
        };
    }

    /** Whether the background work is over: enough reads, or enough time. */
    private workDone(building: Building): boolean {
        return this.opts.buildMs === undefined ? building.readsLeft <= 0 : this.clock.now() >= building.startedAt + this.opts.buildMs;
    }

    /** Brings a build up to date; a read (`reading`) is one step of read-counted work. */
    private settle(building: Building, reading: boolean): void {
        if (building.status !== "processing" && building.status !== "deleting") return;
        if (reading) {
            this.processingReads += 1;
            if (this.opts.buildMs === undefined) building.readsLeft -= 1;
        }
        if (!this.workDone(building) || building.status === "deleting") return;
        if (building.failWith !== undefined) {
            building.status = "failed";
            building.error = building.failWith;
        } else building.status = "available";
    }

    /** Notes how long after a build finished a read first showed it. */
    private noteSeen(building: Building): void {
        if (building.seenDoneAt !== undefined || building.status === "processing" || building.status === "deleting") return;
        building.seenDoneAt = this.clock.now();
        if (this.opts.buildMs !== undefined) this.detectionDelays.push(building.seenDoneAt - (building.startedAt + this.opts.buildMs));
    }

    private newBuilding(key: string): Building {
        const failWith = this.failures.get(key);
        this.failures.delete(key);
        return { status: "processing", error: "", readsLeft: this.opts.readsUntilDone, failWith, startedAt: this.clock.now() };
    }

    private deleting(): Building {
        return { status: "deleting", error: "", readsLeft: this.opts.readsUntilDone, startedAt: this.clock.now() };
    }

    private database(id: string): Obj {
        const db = this.databases.get(id);
        if (!db) throw notFound("database", "Database");
        return db;
    }

    private collection(dbId: string, id: string): Obj {
        const coll = this.database(dbId).collections.get(id);
        if (!coll) throw notFound("collection", "Collection");
        return coll;
    }

    private publicDatabase(db: Obj) {
        const { collections: _c, ...rest } = db;
        return rest;
    }

    private publicAttribute(a: Obj) {
        const { building, ...rest } = a;
        return { ...rest, status: building.status, error: building.error };
    }

    private publicCollection(c: Obj) {
        const { attributes, indexes, ...rest } = c;
        return { ...rest, attributes: [...attributes.values()].map((a: Obj) => this.publicAttribute(a)), indexes: [...indexes.values()].map((i: Obj) => this.publicAttribute(i)) };
    }

    /** Reads an attribute or index, advancing its background work; gone once deleted. */
    private readBuilding(map: Map<string, Obj>, key: string, entity: string, what: string): Obj {
        const found = map.get(key);
        if (!found) throw notFound(entity, what);
        this.settle(found.building, true);
        if (found.building.status === "deleting" && this.workDone(found.building)) {
            map.delete(key);
            throw notFound(entity, what);
        }
        this.noteSeen(found.building);
        return this.publicAttribute(found);
    }

    private attributeFrom(type: string, body: Obj, coll: Obj, dbId: string): Obj {
        const key = requireId(body, "key");
        if (coll.attributes.has(key)) throw appwriteError(409, "attribute_already_exists", "Attribute with the requested key already exists. Attribute keys must be unique, try again with a different key.");
        const required = body.required ?? false;
        const array = body.array ?? false;
        const hasDefault = body.default !== undefined && body.default !== null;
        if (hasDefault && required) throw appwriteError(400, "attribute_default_unsupported", "Cannot set default value for required attribute");
        if (hasDefault && array) throw appwriteError(400, "attribute_default_unsupported", "Cannot set default value for array attributes");
        const base: Obj = { key, type: FORMATTED.has(type) ? "string" : type, required, array, $createdAt: now(), $updatedAt: now(), building: this.newBuilding(key) };
        if (FORMATTED.has(type)) base.format = type;
        switch (type) {
            case "string":
                if (!Number.isInteger(body.size) || body.size < 1 || body.size > MAX_STRING_SIZE) throw invalidArgument("Invalid `size` param: Value must be a valid range between 1 and 1,073,741,824");
                return { ...base, size: body.size, default: body.default ?? null, encrypt: body.encrypt ?? false };
            case "integer":
            case "float": {
                const [lo, hi] = type === "integer" ? ["__int64_min__", "__int64_max__"] : [-Number.MAX_VALUE, Number.MAX_VALUE];
                if (body.min !== undefined && body.max !== undefined && body.min > body.max) throw appwriteError(400, "attribute_value_invalid", "Minimum value must be lesser than maximum value");
                return { ...base, min: body.min ?? lo, max: body.max ?? hi, default: body.default ?? null };
            }
            case "enum":
                if (!Array.isArray(body.elements) || body.elements.length === 0) throw invalidArgument('Param "elements" is not optional.');
                if (hasDefault && !body.elements.includes(body.default)) throw appwriteError(400, "attribute_value_invalid", "Default value not found in elements");
                return { ...base, elements: body.elements, default: body.default ?? null };
            case "relationship": {
                const related = this.collection(dbId, requireId(body, "relatedCollectionId"));
                const twoWayKey = body.twoWayKey ?? related.$id;
                const attribute = { ...base, type: "relationship", required: false, array: false, relatedCollection: related.$id, relationType: body.type, twoWay: body.twoWay ?? false, twoWayKey, onDelete: body.onDelete ?? "restrict", side: "parent" };
                if (attribute.twoWay) {
                    related.attributes.set(twoWayKey, { ...attribute, key: twoWayKey, relatedCollection: coll.$id, twoWayKey: key, side: "child", building: this.newBuilding(twoWayKey) });
                }
                return attribute;
            }
            default:
                return { ...base, default: body.default ?? null };
        }
    }

    protected routes(): Route[] {
        const db = "/v1/databases/:db";
        const coll = `${db}/collections/:coll`;
        return [
            {
                method: "POST",
                path: "/v1/databases",
                handle: this.handle((_req, body) => {
                    const id = requireId(body, "databaseId");
                    const name = requireName(body);
                    if (this.databases.has(id)) throw exists("database", "Database");
                    const created = { $id: id, name, enabled: body.enabled ?? true, $createdAt: now(), $updatedAt: now(), type: "legacy", collections: new Map() };
                    this.databases.set(id, created);
                    return this.publicDatabase(created);
                }, 201),
            },
            { method: "GET", path: db, handle: this.handle((req) => this.publicDatabase(this.database(req.params.db))) },
            {
                method: "PUT",
                path: db,
                handle: this.handle((req, body) => {
                    const found = this.database(req.params.db);
                    Object.assign(found, { name: requireName(body), enabled: body.enabled ?? found.enabled, $updatedAt: now() });
                    return this.publicDatabase(found);
                }),
            },
            {
                method: "DELETE",
                path: db,
                handle: this.noContent((req) => {
                    this.database(req.params.db);
                    this.databases.delete(req.params.db);
                }),
            },
            {
                method: "POST",
                path: `${db}/collections`,
                handle: this.handle((req, body) => {
                    const parent = this.database(req.params.db);
                    const id = requireId(body, "collectionId");
                    const name = requireName(body);
                    const perms = permissions(body);
                    if (parent.collections.has(id)) throw exists("collection", "Collection");
                    const created = { $id: id, databaseId: parent.$id, name, $permissions: perms, documentSecurity: body.documentSecurity ?? false, enabled: body.enabled ?? true, $createdAt: now(), $updatedAt: now(), attributes: new Map(), indexes: new Map() };
                    parent.collections.set(id, created);
                    return this.publicCollection(created);
                }, 201),
            },
            { method: "GET", path: coll, handle: this.handle((req) => this.publicCollection(this.collection(req.params.db, req.params.coll))) },
            {
                method: "PUT",
                path: coll,
                handle: this.handle((req, body) => {
                    const found = this.collection(req.params.db, req.params.coll);
                    Object.assign(found, { name: requireName(body), $permissions: permissions(body), documentSecurity: body.documentSecurity ?? found.documentSecurity, enabled: body.enabled ?? found.enabled, $updatedAt: now() });
                    return this.publicCollection(found);
                }),
            },
            {
                method: "DELETE",
                path: coll,
                handle: this.noContent((req) => {
                    this.collection(req.params.db, req.params.coll);
                    this.database(req.params.db).collections.delete(req.params.coll);
                }),
            },
            {
                method: "POST",
                path: `${coll}/attributes/:type`,
                handle: this.handle((req, body) => {
                    const parent = this.collection(req.params.db, req.params.coll);
                    const attribute = this.attributeFrom(req.params.type, body, parent, req.params.db);
                    parent.attributes.set(attribute.key, attribute);
                    return this.publicAttribute(attribute);
                }, 202),
            },
            { method: "GET", path: `${coll}/attributes/:key`, handle: this.handle((req) => this.readBuilding(this.collection(req.params.db, req.params.coll).attributes, req.params.key, "attribute", "Attribute")) },
            {
                method: "PATCH",
                path: `${coll}/attributes/:type/:key`,
                handle: this.handle((req, body) => {
                    const found = this.collection(req.params.db, req.params.coll).attributes.get(req.params.key);
                    if (!found) throw notFound("attribute", "Attribute");
                    if (found.building.status !== "available") throw appwriteError(400, "attribute_not_available", "The requested attribute is not yet available. Please try again later.");
                    if (req.params.type === "relationship") {
                        if (body.onDelete !== undefined) found.onDelete = body.onDelete;
                    } else {
                        if (!("default" in body)) throw invalidArgument('Param "default" is not optional.');
                        if (body.default !== null && (body.required ?? found.required)) throw appwriteError(400, "attribute_default_unsupported", "Cannot set default value for required attribute");
                        found.required = body.required ?? found.required;
                        found.default = body.default;
                        if (body.size !== undefined) found.size = body.size;
                        if (body.min !== undefined) found.min = body.min;
                        if (body.max !== undefined) found.max = body.max;
                        if (body.elements !== undefined) found.elements = body.elements;
                    }
                    found.$updatedAt = now();
                    return this.publicAttribute(found);
                }),
            },
            {
                method: "DELETE",
                path: `${coll}/attributes/:key`,
                handle: this.noContent((req) => {
                    const found = this.collection(req.params.db, req.params.coll).attributes.get(req.params.key);
                    if (!found) throw notFound("attribute", "Attribute");
                    found.building = this.deleting();
                }),
            },
            {
                method: "POST",
                path: `${coll}/indexes`,
                handle: this.handle((req, body) => {
                    const parent = this.collection(req.params.db, req.params.coll);
                    const key = requireId(body, "key");
                    if (parent.indexes.has(key)) throw appwriteError(409, "index_already_exists", "Index with the requested key already exists. Try again with a different key.");
                    if (!["key", "unique", "fulltext"].includes(body.type)) throw invalidArgument("Invalid `type` param: Value must be one of (key, fulltext, unique)");
                    const attributes: string[] = body.attributes ?? [];
                    for (const name of attributes) {
                        const attribute = parent.attributes.get(name);
                        if (!attribute) throw appwriteError(400, "attribute_unknown", `Unknown attribute: ${name}. Verify the attribute name or create the attribute.`);
                        this.settle(attribute.building, false);
                        if (attribute.building.status !== "available") throw appwriteError(400, "attribute_not_available", "The requested attribute is not yet available. Please try again later.");
                    }
                    const index = { key, type: body.type, attributes, orders: body.orders ?? [], lengths: body.lengths ?? [], $createdAt: now(), $updatedAt: now(), building: this.newBuilding(key) };
                    parent.indexes.set(key, index);
                    return this.publicAttribute(index);
                }, 202),
            },
            { method: "GET", path: `${coll}/indexes/:key`, handle: this.handle((req) => this.readBuilding(this.collection(req.params.db, req.params.coll).indexes, req.params.key, "index", "Index")) },
            {
                method: "DELETE",
                path: `${coll}/indexes/:key`,
                handle: this.noContent((req) => {
                    const found = this.collection(req.params.db, req.params.coll).indexes.get(req.params.key);
                    if (!found) throw notFound("index", "Index");
                    found.building = this.deleting();
                }),
            },
            ...this.bucketRoutes(),
            ...this.variableRoutes(),
        ];
    }

    private bucketSettings(body: Obj, current: Obj = {}): Obj {
        const compression = body.compression ?? current.compression ?? "none";
        if (!["none", "gzip", "zstd"].includes(compression)) throw invalidArgument("Invalid `compression` param: Value must be one of (none, gzip, zstd)");
        return {
            name: requireName(body),
            $permissions: permissions(body),
            fileSecurity: body.fileSecurity ?? current.fileSecurity ?? false,
            enabled: body.enabled ?? current.enabled ?? true,
            maximumFileSize: body.maximumFileSize ?? current.maximumFileSize ?? 30_000_000,
            allowedFileExtensions: body.allowedFileExtensions ?? current.allowedFileExtensions ?? [],
            compression,
            encryption: body.encryption ?? current.encryption ?? true,
            antivirus: body.antivirus ?? current.antivirus ?? true,
            $updatedAt: now(),
        };
    }

    private bucketRoutes(): Route[] {
        const bucket = (id: string) => {
            const found = this.buckets.get(id);
            if (!found) throw notFound("storage_bucket", "Storage bucket");
            return found;
        };
        return [
            {
                method: "POST",
                path: "/v1/storage/buckets",
                handle: this.handle((_req, body) => {
                    const id = requireId(body, "bucketId");
                    if (this.buckets.has(id)) throw exists("storage_bucket", "Storage bucket");
                    const created = { $id: id, $createdAt: now(), ...this.bucketSettings(body) };
                    this.buckets.set(id, created);
                    return created;
                }, 201),
            },
            { method: "GET", path: "/v1/storage/buckets/:id", handle: this.handle((req) => bucket(req.params.id)) },
            { method: "PUT", path: "/v1/storage/buckets/:id", handle: this.handle((req, body) => Object.assign(bucket(req.params.id), this.bucketSettings(body, bucket(req.params.id)))) },
            {
                method: "DELETE",
                path: "/v1/storage/buckets/:id",
                handle: this.noContent((req) => {
                    if (!this.buckets.delete(req.params.id)) throw notFound("storage_bucket", "Storage bucket");
                }),
            },
        ];
    }

    private variableRoutes(): Route[] {
        const variables = (fn: string) => {
            const found = this.functions.get(fn);
            if (!found) throw notFound("function", "Function");
            return found;
        };
        const shown = (v: Obj) => (v.secret ? { ...v, value: "" } : v);
        const variable = (fn: string, id: string) => {
            const found = variables(fn).get(id);
            if (!found) throw notFound("variable", "Variable");
            return found;
        };
        return [
            {
                method: "POST",
                path: "/v1/functions/:fn/variables",
                handle: this.handle((req, body) => {
                    const list = variables(req.params.fn);
                    const id = requireId(body, "variableId");
                    if (typeof body.key !== "string" || body.key.length === 0) throw invalidArgument('Param "key" is not optional.');
                    if ([...list.values()].some((v) => v.key === body.key) || list.has(id)) throw exists("variable", "Variable");
                    const created = { $id: id, $createdAt: now(), $updatedAt: now(), key: body.key, value: String(body.value ?? ""), secret: body.secret ?? false, resourceType: "function", resourceId: req.params.fn };
                    list.set(id, created);
                    return shown(created);
                }, 201),
            },
            { method: "GET", path: "/v1/functions/:fn/variables/:id", handle: this.handle((req) => shown(variable(req.params.fn, req.params.id))) },
            {
                method: "PUT",
                path: "/v1/functions/:fn/variables/:id",
                handle: this.handle((req, body) => {
                    const found = variable(req.params.fn, req.params.id);
                    if (found.secret && body.secret === false) throw invalidArgument("Secret variables cannot be marked as non-secret.");
                    Object.assign(found, { key: body.key ?? found.key, value: body.value ?? found.value, secret: body.secret ?? found.secret, $updatedAt: now() });
                    return shown(found);
                }),
            },
            {
                method: "DELETE",
                path: "/v1/functions/:fn/variables/:id",
                handle: this.noContent((req) => {
                    variable(req.params.fn, req.params.id);
                    variables(req.params.fn).delete(req.params.id);
                }),
            },
        ];
    }
}

