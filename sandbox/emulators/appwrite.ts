/**
 * Appwrite server API emulator for databases, collections, attributes, indexes, storage buckets
 * and function variables, as Appwrite 1.9 (the server node-appwrite 27 targets) behaves where
 * providers can trip:
 * - `X-Appwrite-Project` and `X-Appwrite-Key` headers; errors `{message, code, type, version}`;
 * - custom id rules (36 characters, a-z A-Z 0-9 . - _, no leading special character);
 * - one route per attribute type, as the spec lists them (the relationship update at
 *   `/attributes/relationship/{key}`, its 1.9 path);
 * - `write("…")` permissions stored as the create, update and delete they stand for;
 * - attributes and indexes start `processing` and become `available` (or `failed`, when a test
 *   says so) over the following reads; a removal drops them the same way (or ends `stuck`);
 * - email, url, ip and enum attributes are reported as `type: "string"` with a `format`, float
 *   ones as `type: "double"`;
 *   integer bounds left open are the int64 extremes (exact digits, as PHP writes them), float
 *   bounds ±max double; an update without a bound keeps the one in place;
 * - an index needs its attributes available; secret variables never show their value;
 * - API keys carry scopes, and a key Appwrite does not hold for the project is refused: a key of
 *   another project (or revoked) with 401 user_unauthorized, a key without the route's scope with
 *   401 general_unauthorized_scope. A project key sees every object of its project, so nothing is
 *   ever hidden behind a 404 (see `authenticate`);
 * - the lists of databases, buckets and functions take `queries` (equal, limit, offset);
 * - functions take deployments of a tar.gz (multipart `code`) that build in the background
 *   (waiting, processing, building, then ready or failed with a build log) and, once ready, become
 *   the active deployment; with a `functionHost`, the active code runs there, answering executions
 *   (POST /functions/{id}/executions) and the function's domains (a second listener, `functionsUrl`,
 *   routing by Host as Appwrite's router does), with the headers and environment Appwrite gives it
 *   (an `x-appwrite-key` limited to the function's scopes);
 * - documents can be created (the relay functions write them), and Messaging's Resend providers
 *   are stored and listed.
 *
 * Sources, cited beside each route: the operations in the contract (test/fidelity/contracts/
 * appwrite.json: appwrite/appwrite app/config/specs/open-api3-1.8.x-server.json at 9dc11c1715,
 * with the 1.9.x operations of test/fidelity/specs/appwrite-1.9.x-operations.json), and the server
 * source of appwrite/appwrite at 0cefd06153 (1.9.6), "src:" below meaning
 * src/Appwrite/Platform/Modules/.
 */
import { randomBytes } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { ProjectKeyScopes, Runtime } from "node-appwrite";
import { unpackCode } from "../../dynamic-providers/appwrite/code-archive";
import { systemClock, type Clock } from "../../dynamic-providers/core/clock";
import type { FunctionHost } from "../functions/host";
import { ApiFailure, Emulator, type EmulatorRequest, type EmulatorResponse, type Route } from "./frame";
import { parseMultipart } from "./multipart";

const VERSION = "1.9.6";
const ID = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,35}$/;
const PERMISSION = /^(read|create|update|delete|write)\("[^"]+"\)$/;
/** PHP_INT_MIN and PHP_INT_MAX: an integer attribute's open bounds. */
const INT64_MIN = -9223372036854775808n;
const INT64_MAX = 9223372036854775807n;
const MAX_STRING_SIZE = 1_073_741_824;
/** MariaDB's row size limit, Appwrite's `bytesMax` for a collection. */
const ROW_BYTES_MAX = 65_535;
const FORMATTED = new Set(["email", "url", "ip", "enum"]);
const ATTRIBUTE_TYPES = ["string", "integer", "float", "boolean", "email", "url", "ip", "enum", "datetime", "relationship"] as const;
type AttributeRoute = (typeof ATTRIBUTE_TYPES)[number];

type Obj = Record<string, any>;

/** Appwrite's error body: `{message, code, type, version}`. */
function appwriteError(code: number, type: string, message: string): ApiFailure {
    return new ApiFailure({ status: code, body: { message, code, type, version: VERSION } });
}

const invalidArgument = (message: string) => appwriteError(400, "general_argument_invalid", message);
const notOptional = (param: string) => invalidArgument(`Param "${param}" is not optional.`);
const invalidId = (param: string) => invalidArgument(`Invalid \`${param}\` param: Parameter must contain at most 36 chars. Valid chars are a-z, A-Z, 0-9, period, hyphen, and underscore. Can't start with a special char`);
const notFound = (entity: string, what: string) => appwriteError(404, `${entity}_not_found`, `${what} with the requested ID could not be found.`);
const exists = (entity: string, what: string) => appwriteError(409, `${entity}_already_exists`, `${what} with the requested ID already exists. Try again with a different ID or use ID.unique() to generate a unique ID.`);
const valueInvalid = (message: string) => appwriteError(400, "attribute_value_invalid", message);

function requireId(body: Obj, param: string): string {
    const value = body[param];
    if (value === undefined) throw notOptional(param);
    if (typeof value !== "string" || !ID.test(value)) throw invalidId(param);
    return value;
}

function requireName(body: Obj): string {
    if (typeof body.name !== "string" || body.name.length === 0) throw notOptional("name");
    return checkedName(body.name);
}

function checkedName(name: string): string {
    if (name.length > 128) throw invalidArgument("Invalid `name` param: Value must be a valid string and at most 128 chars");
    return name;
}

function requireBoolean(body: Obj, param: string): boolean {
    if (body[param] === undefined || body[param] === null) throw notOptional(param);
    if (typeof body[param] !== "boolean") throw invalidArgument(`Invalid \`${param}\` param: Value must be a valid boolean`);
    return body[param];
}

/**
 * `write("role")` stands for create, update and delete of that role, and Appwrite stores the three
 * (utopia-php/database src/Database/Helpers/Permission.php, `aggregate`, read at 0cd84882a60d;
 * called by src: Databases/Http/Databases/Collections/Create.php and Update.php,
 * Storage/Http/Buckets/Create.php and Update.php). Order kept, duplicates dropped.
 */
function aggregatePermissions(list: string[]): string[] {
    const out: string[] = [];
    for (const permission of list) {
        const [, type, role] = /^(\w+)\((".*")\)$/.exec(permission)!;
        if (type === "write") for (const sub of ["create", "update", "delete"]) out.push(`${sub}(${role})`);
        else out.push(permission);
    }
    return [...new Set(out)];
}

function permissions(body: Obj): string[] | undefined {
    const list = body.permissions;
    if (list === undefined || list === null) return undefined;
    for (const p of list) if (typeof p !== "string" || !PERMISSION.test(p)) throw invalidArgument(`Invalid \`permissions\` param: Permission "${String(p)}" is not allowed. Must be one of: read, create, update, delete, write.`);
    return aggregatePermissions(list);
}

/**
 * JSON with integers beyond 2^53 read exactly (as BigInt), as PHP's json_decode reads int64:
 * a node-appwrite client sends the int64 bounds with their exact digits.
 */
function parseExact(text: string): Obj {
    let out = "";
    let inString = false;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (inString) {
            out += c;
            if (c === "\\") out += text[++i] ?? "";
            else if (c === '"') inString = false;
            continue;
        }
        if (c === '"') {
            inString = true;
            out += c;
            continue;
        }
        const number = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i))?.[0];
        if (number && /^-?\d{16,}$/.test(number)) {
            out += `{"__bigint__":"${number}"}`;
            i += number.length - 1;
        } else if (number) {
            out += number;
            i += number.length - 1;
        } else out += c;
    }
    return JSON.parse(out, (_key, value) => (value && typeof value === "object" && typeof value.__bigint__ === "string" ? BigInt(value.__bigint__) : value)) ?? {};
}

/**
 * An int64 parameter (utopia-php Integer(false, 64)): a whole number within PHP_INT_MIN and
 * PHP_INT_MAX, kept exact. Undefined or null when absent.
 */
function int64(body: Obj, param: string): bigint | null | undefined {
    const value = body[param];
    if (value === undefined || value === null) return value;
    const whole = typeof value === "bigint" ? value : typeof value === "number" && Number.isSafeInteger(value) ? BigInt(value) : undefined;
    if (whole === undefined || whole < INT64_MIN || whole > INT64_MAX) throw invalidArgument(`Invalid \`${param}\` param: Value must be a valid integer`);
    return whole;
}

/** A float parameter (utopia-php FloatValidator). */
function float(body: Obj, param: string): number | null | undefined {
    const value = body[param];
    if (value === undefined || value === null) return value;
    if (typeof value !== "number" || !Number.isFinite(value)) throw invalidArgument(`Invalid \`${param}\` param: Value must be a valid float`);
    return value;
}

/** A number kept as Appwrite writes it: small integers as numbers, int64 ones exact. */
function asStored(value: bigint): number | bigint {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/**
 * The scope a route asks for (its `scope` label in src: Databases/Http/Databases/**,
 * Storage/Http/Buckets/*, Functions/Http/{Functions,Variables}/*): the service's `.read` for GET,
 * `.write` otherwise. Undefined for a path no route here answers.
 */
function scopeOf(method: string, path: string): string | undefined {
    const segments = path.split("/").filter(Boolean);
    if (segments[0] !== "v1") return undefined;
    // Documents/Create.php: documents.*; Executions/Create.php: executions.write; messaging.php providers: providers.*.
    if (segments[1] === "databases" && segments[5] === "documents") return `documents.${method === "GET" ? "read" : "write"}`;
    if (segments[1] === "functions" && segments[3] === "executions") return `executions.${method === "GET" ? "read" : "write"}`;
    if (segments[1] === "messaging" && segments[2] === "providers") return `providers.${method === "GET" ? "read" : "write"}`;
    const service = segments[1] === "databases" ? (segments.length > 3 ? "collections" : "databases") : segments[1] === "storage" && segments[2] === "buckets" ? "buckets" : segments[1] === "functions" ? "functions" : undefined;
    return service && `${service}.${method === "GET" ? "read" : "write"}`;
}

/**
 * A list's `queries` (`queries[0]`, `queries[1]`, … as the SDK sends them), as Appwrite reads them
 * (utopia-php/database Query::parseQueries; src/Appwrite/Utopia/Database/Validator/Queries/Base.php:
 * filters on the list's own attributes and on $id, $createdAt, $updatedAt, $sequence). This
 * emulator answers equal, limit and offset; anything else is refused as Appwrite refuses an
 * invalid query (400 general_argument_invalid).
 */
function listQueries(req: EmulatorRequest, attributes: readonly string[]): { filters: { attribute: string; values: unknown[] }[]; limit: number; offset: number } {
    const texts = [...req.query.entries()].filter(([k]) => k === "queries" || k.startsWith("queries[")).map(([, v]) => v);
    const invalid = (why: string) => invalidArgument(`Invalid \`queries\` param: Invalid query: ${why}`);
    const out = { filters: [] as { attribute: string; values: unknown[] }[], limit: 25, offset: 0 };
    for (const text of texts) {
        let query: { method?: unknown; attribute?: unknown; values?: unknown };
        try {
            query = JSON.parse(text);
        } catch {
            throw invalid("Syntax error");
        }
        const values = Array.isArray(query.values) ? query.values : [];
        if (query.method === "limit" || query.method === "offset") {
            const n = values[0];
            if (!Number.isInteger(n) || (n as number) < 0 || (query.method === "limit" && (n as number) < 1)) throw invalid(`Invalid ${query.method}`);
            out[query.method] = n as number;
        } else if (query.method === "equal") {
            if (typeof query.attribute !== "string" || ![...attributes, "$id", "$createdAt", "$updatedAt", "$sequence"].includes(query.attribute)) throw invalid(`Attribute not found in schema: ${String(query.attribute)}`);
            out.filters.push({ attribute: query.attribute, values });
        } else throw invalid(`Invalid query method: ${String(query.method)}`);
    }
    return out;
}

/** One page of a list, filtered and cut as the queries ask, with Appwrite's `total` (the count before the cut). */
function listed<T extends Obj>(req: EmulatorRequest, attributes: readonly string[], all: T[]): { total: number; items: T[] } {
    const q = listQueries(req, attributes);
    const matching = all.filter((item) => q.filters.every((f) => f.values.includes(item[f.attribute])));
    return { total: req.query.get("total") === "false" ? 0 : matching.length, items: matching.slice(q.offset, q.offset + q.limit) };
}

/** Background work: it ends after a number of reads, or, with `buildMs`, when that much time has passed. */
interface Work {
    startedAt: number;
    readsLeft: number;
}

/** A schema object building (or being removed) in the background. */
interface Building extends Work {
    status: "processing" | "available" | "failed" | "deleting" | "stuck";
    error: string;
    failWith?: string;
    /** A removal Appwrite's worker is carrying out; `failWith` makes it end `stuck`. */
    removal?: Work & { failWith?: string };
    /** The removal finished: the next read finds nothing. */
    gone?: boolean;
    /** When a read first showed it finished (for detection delays). */
    seenDoneAt?: number;
}

export interface AppwriteEmulatorOptions {
    projectId: string;
    apiKey: string;
    /** Functions that exist, by id (variables need one). */
    functions?: string[];
    /**
     * Other API keys of the project, each with only the scopes listed (Appwrite's key scopes, e.g.
     * "databases.read"). `apiKey` has every scope.
     */
    keys?: { secret: string; scopes: string[] }[];
    /** Reads an attribute or index stays `processing` (or being removed) for. @default 2 */
    readsUntilDone?: number;
    /** Time a build (or a removal) takes instead, on `clock`, as on a real server. */
    buildMs?: number;
    /** @default the system clock */
    clock?: Clock;
    /** Runs the active deployment of each function (sandbox/functions/node-host.ts). */
    functionHost?: FunctionHost;
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
    /** When the functions of `functions` were made (they exist before any test runs). */
    private readonly functionsCreatedAt: string;
    private readonly failures = new Map<string, string>();
    private readonly removalFailures = new Map<string, string>();
    private readonly opts: Required<Omit<AppwriteEmulatorOptions, "buildMs" | "clock" | "functionHost">> & Pick<AppwriteEmulatorOptions, "buildMs" | "functionHost">;
    /** Each function's settings and deployments, by id; a function exists while `functions` holds its id. */
    readonly functionRecords = new Map<string, Obj>();
    /** Messaging providers, by id. */
    readonly providers = new Map<string, Obj>();
    /** Proxy rules of functions: domain to function id (made in the console or with the Proxy API; test set-up here). */
    readonly functionDomains = new Map<string, string>();
    /** Keys Appwrite handed executions, with the function's scopes. */
    private readonly ephemeralKeys = new Map<string, string[]>();
    private readonly deploymentFailures = new Map<string, string>();
    private gateway?: http.Server;
    /** Where the functions' domains answer: requests carry the domain in their Host header. */
    functionsUrl = "";

    constructor(options: AppwriteEmulatorOptions) {
        super({
            name: "appwrite",
            requestIdHeader: "x-appwrite-request-id",
            errorBody: (status, message) => ({ message, code: status, type: status === 429 ? "general_rate_limit_exceeded" : status >= 500 ? "general_server_error" : "general_route_not_found", version: VERSION }),
        });
        this.opts = { functions: [], keys: [], readsUntilDone: 2, ...options } as typeof this.opts;
        this.clock = options.clock ?? systemClock;
        this.functionsCreatedAt = this.now();
        for (const fn of this.opts.functions) this.functions.set(fn, new Map());
    }

    override async start(port = 0): Promise<string> {
        const url = await super.start(port);
        const gateway = http.createServer((req, res) => void this.serveDomain(req, res));
        await new Promise<void>((resolve) => gateway.listen(0, "127.0.0.1", resolve));
        this.gateway = gateway;
        this.functionsUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
        return url;
    }

    override async stop(): Promise<void> {
        const gateway = this.gateway;
        this.gateway = undefined;
        if (gateway) {
            gateway.closeAllConnections();
            await new Promise<void>((resolve) => gateway.close(() => resolve()));
        }
        await super.stop();
    }

    /** The next deployment of this function fails to build, with this build log. */
    failNextDeployment(functionId: string, buildLogs: string): void {
        this.deploymentFailures.set(functionId, buildLogs);
    }

    /** The documents of every collection with this id (what a function wrote), for tests and the demo. */
    documentsOf(collectionId: string): Obj[] {
        return [...this.databases.values()].flatMap((db) => {
            const collection = (db.collections as Map<string, Obj> | undefined)?.get(collectionId);
            return [...((collection?.documents as Map<string, Obj> | undefined)?.values() ?? [])];
        });
    }

    /** Test set-up, no request: the function answers at this domain (a proxy rule). */
    addFunctionDomain(domain: string, functionId: string): void {
        this.functionDomains.set(domain.toLowerCase(), functionId);
    }

    override reset(): void {
        super.reset();
        this.databases.clear();
        this.buckets.clear();
        this.failures.clear();
        this.removalFailures.clear();
        this.processingReads = 0;
        this.functions.clear();
        this.functionRecords.clear();
        this.providers.clear();
        this.functionDomains.clear();
        this.ephemeralKeys.clear();
        this.deploymentFailures.clear();
        this.detectionDelays.length = 0;
        for (const fn of this.opts.functions) this.functions.set(fn, new Map());
    }

    /** The next attribute or index created with this key ends `failed` with this reason. */
    failNextBuild(key: string, reason: string): void {
        this.failures.set(key, reason);
    }

    /**
     * The next removal of the attribute with this key ends `stuck` with this reason, as when
     * Appwrite's worker cannot drop it (src: Databases/Workers/Databases.php, deleteAttribute).
     */
    failNextRemoval(key: string, reason: string): void {
        this.removalFailures.set(key, reason);
    }

    /** Test set-up, no request: a database and a collection in it exist, as a stack's parents would. */
    ensureCollection(databaseId: string, collectionId: string): Obj {
        if (!this.databases.has(databaseId)) this.databases.set(databaseId, { $id: databaseId, name: databaseId, enabled: true, $createdAt: this.now(), $updatedAt: this.now(), type: "legacy", collections: new Map() });
        const collections: Map<string, Obj> = this.databases.get(databaseId)!.collections;
        if (!collections.has(collectionId)) {
            collections.set(collectionId, { $id: collectionId, databaseId, name: collectionId, $permissions: [], documentSecurity: false, enabled: true, $createdAt: this.now(), $updatedAt: this.now(), attributes: new Map(), indexes: new Map() });
        }
        return collections.get(collectionId)!;
    }

    /** Test set-up, no request: an available string attribute exists in a collection. */
    ensureStringAttribute(databaseId: string, collectionId: string, key: string, size = 64): void {
        const coll = this.ensureCollection(databaseId, collectionId);
        if (this.present(coll.attributes, key)) return;
        coll.attributes.set(key, { key, type: "string", required: false, array: false, size, default: null, encrypt: false, $createdAt: this.now(), $updatedAt: this.now(), building: { status: "available", error: "", ...this.newWork() } });
    }

    /**
     * The project and the key, as app/controllers/shared/api.php (the `api` init) and
     * src/Appwrite/Auth/Key.php (`decode`) check them, in their order:
     * - no project with the X-Appwrite-Project id: 404 project_not_found (Step 1);
     * - no key: the guests role, whose scopes lack every route here: 401 general_unauthorized_scope
     *   "User (role: guests) missing scopes ([…])" (Step 9);
     * - a key the project does not hold (another project's, a revoked one): `decode` answers a guest
     *   key of type standard (no prefix, or `standard_`; likewise `organization_` and `account_`),
     *   and the init then looks the secret up in the project and throws 401 user_unauthorized;
     *   a key with any other prefix stays a guest: 401 general_unauthorized_scope;
     * - a key of the project without the route's scope (the route's `scope` label: databases.* for
     *   /databases and /databases/{id}, collections.* below them, buckets.*, functions.*; read for
     *   GET, write otherwise): 401 general_unauthorized_scope "app.<project>@service.<host> (role:
     *   applications) missing scopes ([…])".
     * A key that passes sees every object of its project: the init disables authorization for
     * project keys (`setDefaultStatus(false)`), so no object is hidden from it behind a 404.
     */
    protected override authenticate(req: EmulatorRequest): EmulatorResponse | undefined {
        const project = req.headers["x-appwrite-project"];
        if (project !== this.opts.projectId) {
            return appwriteError(404, "project_not_found", "Project with the requested ID could not be found. Please check the value of the X-Appwrite-Project header to ensure the correct project ID is being used.").response;
        }
        const scope = scopeOf(req.method, req.path);
        // No route here: the frame answers 404 general_route_not_found.
        if (scope === undefined) return undefined;
        const missing = (who: string) => appwriteError(401, "general_unauthorized_scope", `${who} missing scopes (${JSON.stringify([scope])})`).response;
        const key = req.headers["x-appwrite-key"];
        if (typeof key !== "string" || key === "") return missing("User (role: guests)");
        if (key === this.opts.apiKey) return undefined;
        // An execution's key (app/controllers/general.php: API_KEY_EPHEMERAL "_" JWT) holds the function's scopes.
        const ephemeral = this.ephemeralKeys.get(key);
        if (ephemeral) return ephemeral.includes(scope) ? undefined : missing(`app.${this.opts.projectId}@service.${(req.headers.host ?? "localhost").replace(/:\d+$/, "")} (role: applications)`);
        const held = this.opts.keys.find((k) => k.secret === key);
        if (held) {
            const host = (req.headers.host ?? "localhost").replace(/:\d+$/, "");
            return held.scopes.includes(scope) ? undefined : missing(`app.${this.opts.projectId}@service.${host} (role: applications)`);
        }
        const type = key.includes("_") ? key.slice(0, key.indexOf("_")) : "standard";
        if (["standard", "organization", "account"].includes(type)) return appwriteError(401, "user_unauthorized", "The current user is not authorized to perform the requested action.").response;
        return missing("User (role: guests)");
    }

    /** JSON with int64 values written as exact digits, as Appwrite (PHP) writes them. */
    private json(status: number, body: unknown): EmulatorResponse {
        const text = JSON.stringify(body, (_key, value) => (typeof value === "bigint" ? `__bigint__${value}__` : value)).replace(/"__bigint__(-?\d+)__"/g, "$1");
        return { status, body: Buffer.from(text), headers: { "content-type": "application/json; charset=utf-8", "x-appwrite-version": VERSION } };
    }

    private handle(run: (req: EmulatorRequest, body: Obj) => unknown, status = 200): (req: EmulatorRequest) => EmulatorResponse {
        // A multipart body (a deployment's code) is read by its route.
        return (req) => this.json(status, run(req, req.body.length === 0 || String(req.headers["content-type"] ?? "").startsWith("multipart/") ? {} : parseExact(req.body.toString("utf8"))));
    }

    /** A handler answering 204 No Content, as Appwrite's deletes do. */
    private noContent(run: (req: EmulatorRequest) => void): (req: EmulatorRequest) => EmulatorResponse {
        return (req) => {
            run(req);
            return { status: 204 };
        };
    }

    /** A timestamp on the emulator's clock, so creation times agree with a virtual clock the providers share. */
    private now(): string {
        return new Date(this.clock.now()).toISOString();
    }

    /** Whether background work is over: enough reads, or enough time. */
    private workDone(work: Work): boolean {
        return this.opts.buildMs === undefined ? work.readsLeft <= 0 : this.clock.now() >= work.startedAt + this.opts.buildMs;
    }

    private newWork(): Work {
        return { startedAt: this.clock.now(), readsLeft: this.opts.readsUntilDone };
    }

    /** Brings a build (and a removal) up to date; a read (`reading`) is one step of read-counted work. */
    private settle(building: Building, reading: boolean): void {
        const atWork = building.status === "processing" || building.removal !== undefined;
        if (reading && atWork) {
            this.processingReads += 1;
            if (this.opts.buildMs === undefined) {
                if (building.status === "processing") building.readsLeft -= 1;
                if (building.removal) building.removal.readsLeft -= 1;
            }
        }
        if (building.status === "processing" && this.workDone(building)) {
            if (building.failWith !== undefined) {
                building.status = "failed";
                building.error = building.failWith;
            } else building.status = "available";
        }
        if (building.removal && this.workDone(building.removal)) {
            // src: Databases/Workers/Databases.php deleteAttribute: a removal that fails leaves it `stuck` with the reason.
            if (building.removal.failWith !== undefined) Object.assign(building, { status: "stuck", error: building.removal.failWith, removal: undefined });
            else building.gone = true;
        }
    }

    /** Notes how long after a build finished a read first showed it. */
    private noteSeen(building: Building): void {
        if (building.seenDoneAt !== undefined || building.status === "processing" || building.removal !== undefined) return;
        building.seenDoneAt = this.clock.now();
        if (this.opts.buildMs !== undefined) this.detectionDelays.push(building.seenDoneAt - (building.startedAt + this.opts.buildMs));
    }

    private newBuilding(key: string): Building {
        const failWith = this.failures.get(key);
        this.failures.delete(key);
        return { status: "processing", error: "", failWith, ...this.newWork() };
    }

    /**
     * Hands an attribute or index to the worker for removal. Only an available one is marked
     * `deleting`; a failed, processing or stuck one keeps its status until it is gone
     * (src: Databases/Http/Databases/Collections/Attributes/Delete.php).
     */
    private remove(found: Obj): void {
        const building: Building = found.building;
        const failWith = this.removalFailures.get(found.key);
        this.removalFailures.delete(found.key);
        if (building.status === "available") building.status = "deleting";
        building.removal = { ...this.newWork(), failWith };
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

    /** Roughly MariaDB's width of a row: what `bytesUsed` reports (src: Databases/Http/Databases/Collections/Action.php, addRowBytesInfo). */
    private rowBytes(c: Obj): number {
        let bytes = 0;
        for (const a of c.attributes.values()) bytes += a.array ? 20 : a.type === "string" ? Math.min(a.size, 16_381) * 4 + 2 : 8;
        return bytes;
    }

    private publicCollection(c: Obj) {
        const { attributes, indexes, documents: _documents, ...rest } = c;
        return {
            ...rest,
            attributes: [...attributes.values()].map((a: Obj) => this.publicAttribute(a)),
            indexes: [...indexes.values()].map((i: Obj) => this.publicAttribute(i)),
            bytesMax: ROW_BYTES_MAX,
            bytesUsed: this.rowBytes(c),
        };
    }

    /** Reads an attribute or index, advancing its background work; gone once removed. */
    private readBuilding(map: Map<string, Obj>, key: string, entity: string, what: string): Obj {
        const found = map.get(key);
        if (!found) throw notFound(entity, what);
        this.settle(found.building, true);
        if (found.building.gone) {
            map.delete(key);
            throw notFound(entity, what);
        }
        this.noteSeen(found.building);
        return this.publicAttribute(found);
    }

    /** A schema object still listed: a removed one disappears as soon as its work is done. */
    private present(map: Map<string, Obj>, key: string): Obj | undefined {
        const found = map.get(key);
        if (!found) return undefined;
        this.settle(found.building, false);
        if (!found.building.gone) return found;
        map.delete(key);
        return undefined;
    }

    /**
     * Creates an attribute of one type (src: Databases/Http/Databases/Collections/Attributes/<Type>/Create.php
     * and Attributes/Action.php createAttribute): `required` is a required parameter (but for
     * relationships), a default is refused on required and array attributes, integer and float
     * bounds default to the type's extremes.
     */
    private attributeFrom(type: AttributeRoute, body: Obj, coll: Obj, dbId: string): Obj {
        const key = type === "relationship" ? (body.key ?? requireId(body, "relatedCollectionId")) : requireId(body, "key");
        if (typeof key !== "string" || !ID.test(key)) throw invalidId("key");
        const required = type === "relationship" ? false : requireBoolean(body, "required");
        const array = body.array ?? false;
        const hasDefault = body.default !== undefined && body.default !== null;
        if (hasDefault && required) throw appwriteError(400, "attribute_default_unsupported", "Cannot set default value for required attribute");
        if (hasDefault && array) throw appwriteError(400, "attribute_default_unsupported", "Cannot set default value for array attributes");
        // A float attribute's type is "double" (utopia-php/database Database::VAR_FLOAT).
        const base: Obj = { key, type: FORMATTED.has(type) ? "string" : type === "float" ? "double" : type, required, array, $createdAt: this.now(), $updatedAt: this.now() };
        if (FORMATTED.has(type) || type === "datetime") base.format = type;
        let attribute: Obj;
        switch (type) {
            case "string":
                if (!Number.isInteger(body.size) || body.size < 1 || body.size > MAX_STRING_SIZE) throw invalidArgument("Invalid `size` param: Value must be a valid range between 1 and 1,073,741,824");
                attribute = { ...base, size: body.size, default: body.default ?? null, encrypt: body.encrypt ?? false };
                break;
            case "integer": {
                const min = int64(body, "min") ?? INT64_MIN;
                const max = int64(body, "max") ?? INT64_MAX;
                const value = int64(body, "default") ?? null;
                if (min > max) throw valueInvalid("Minimum value must be lesser than maximum value");
                if (value !== null && (value < min || value > max)) throw valueInvalid(`Value must be a valid range between ${min} and ${max}`);
                attribute = { ...base, min: asStored(min), max: asStored(max), default: value === null ? null : asStored(value) };
                break;
            }
            case "float": {
                const min = float(body, "min") ?? -Number.MAX_VALUE;
                const max = float(body, "max") ?? Number.MAX_VALUE;
                const value = float(body, "default") ?? null;
                if (min > max) throw valueInvalid("Minimum value must be lesser than maximum value");
                if (value !== null && (value < min || value > max)) throw valueInvalid(`Value must be a valid range between ${min} and ${max}`);
                attribute = { ...base, min, max, default: value };
                break;
            }
            case "enum":
                if (!Array.isArray(body.elements) || body.elements.length === 0) throw notOptional("elements");
                if (hasDefault && !body.elements.includes(body.default)) throw valueInvalid("Default value not found in elements");
                attribute = { ...base, elements: body.elements, default: body.default ?? null };
                break;
            case "relationship": {
                const related = this.collection(dbId, requireId(body, "relatedCollectionId"));
                if (!["oneToOne", "oneToMany", "manyToOne", "manyToMany"].includes(body.type)) throw invalidArgument("Invalid `type` param: Value must be one of (oneToOne, manyToOne, manyToMany, oneToMany)");
                // src: Attributes/Relationship/Create.php: `$key ??= $relatedCollectionId; $twoWayKey ??= $collectionId`.
                const twoWayKey = body.twoWayKey ?? coll.$id;
                attribute = { ...base, type: "relationship", required: false, array: false, relatedCollection: related.$id, relationType: body.type, twoWay: body.twoWay ?? false, twoWayKey, onDelete: body.onDelete ?? "restrict", side: "parent" };
                if (attribute.twoWay) {
                    if (this.present(related.attributes, twoWayKey)) throw appwriteError(409, "attribute_already_exists", `Attribute with the requested key '${twoWayKey}' already exists. Attribute keys must be unique, try again with a different key.`);
                    related.attributes.set(twoWayKey, { ...attribute, key: twoWayKey, relatedCollection: coll.$id, twoWayKey: key, side: "child", building: this.newBuilding(twoWayKey) });
                }
                break;
            }
            default:
                attribute = { ...base, default: body.default ?? null };
        }
        if (this.present(coll.attributes, key)) throw appwriteError(409, "attribute_already_exists", `Attribute with the requested key '${key}' already exists. Attribute keys must be unique, try again with a different key.`);
        return { ...attribute, building: this.newBuilding(key) };
    }

    /**
     * Updates an attribute (src: Databases/Http/Databases/Collections/Attributes/Action.php
     * updateAttribute, and <Type>/Update.php): `required` and `default` are required parameters;
     * an integer or float bound left out or null keeps the bound in place (`$min ??= …`), so
     * opening a bound means sending the type's extreme.
     */
    private updateAttribute(type: AttributeRoute, found: Obj, body: Obj): void {
        if (found.building.status !== "available") throw appwriteError(400, "attribute_not_available", `The requested attribute '${found.key}' is not yet available. Please try again later.`);
        const required = requireBoolean(body, "required");
        if (!("default" in body)) throw notOptional("default");
        if (required && body.default !== null) throw appwriteError(400, "attribute_default_unsupported", "Cannot set default value for required attribute");
        if (found.array && body.default !== null) throw appwriteError(400, "attribute_default_unsupported", "Cannot set default value for array attributes");
        let value = body.default;
        if (type === "string" && body.size !== undefined && body.size !== null) {
            if (!Number.isInteger(body.size) || body.size < 1 || body.size > MAX_STRING_SIZE) throw invalidArgument("Invalid `size` param: Value must be a valid range between 1 and 1,073,741,824");
            found.size = body.size;
        }
        if (type === "integer") {
            const min = int64(body, "min") ?? BigInt(found.min);
            const max = int64(body, "max") ?? BigInt(found.max);
            const whole = int64(body, "default") ?? null;
            if (min > max) throw valueInvalid("Minimum value must be lesser than maximum value");
            if (whole !== null && (whole < min || whole > max)) throw valueInvalid(`Value must be a valid range between ${min} and ${max}`);
            Object.assign(found, { min: asStored(min), max: asStored(max) });
            value = whole === null ? null : asStored(whole);
        }
        if (type === "float") {
            const min = float(body, "min") ?? found.min;
            const max = float(body, "max") ?? found.max;
            value = float(body, "default") ?? null;
            if (min > max) throw valueInvalid("Minimum value must be lesser than maximum value");
            if (value !== null && (value < min || value > max)) throw valueInvalid(`Value must be a valid range between ${min} and ${max}`);
            Object.assign(found, { min, max });
        }
        if (type === "enum") {
            if (!Array.isArray(body.elements)) throw notOptional("elements");
            if (body.elements.length === 0) throw valueInvalid("Enum elements must not be empty");
            if (body.elements.some((e: unknown) => e === "")) throw valueInvalid("Each enum element must not be empty");
            if (value !== null && !body.elements.includes(value)) throw valueInvalid("Default value not found in elements");
            found.elements = body.elements;
        }
        Object.assign(found, { required, default: value, $updatedAt: this.now() });
    }

    protected routes(): Route[] {
        const db = "/v1/databases/:db";
        const coll = `${db}/collections/:coll`;
        const attributeOf = (req: EmulatorRequest) => {
            const found = this.present(this.collection(req.params.db, req.params.coll).attributes, req.params.key);
            if (!found) throw appwriteError(404, "attribute_not_found", `Attribute with the requested key '${req.params.key}' could not be found.`);
            return found;
        };
        return [
            // POST /databases: src Databases/Http/Databases/Create.php; 201 database.
            {
                method: "POST",
                path: "/v1/databases",
                handle: this.handle((_req, body) => {
                    const id = requireId(body, "databaseId");
                    const name = requireName(body);
                    if (this.databases.has(id)) throw exists("database", "Database");
                    const created = { $id: id, name, enabled: body.enabled ?? true, $createdAt: this.now(), $updatedAt: this.now(), type: "legacy", collections: new Map() };
                    this.databases.set(id, created);
                    return this.publicDatabase(created);
                }, 201),
            },
            // GET /databases: src Databases/Http/Databases/XList.php; queries may filter on name (Queries/Databases.php)
            // and $id; 200 databaseList. Providers ask it where a database lives (its project), after a 404.
            {
                method: "GET",
                path: "/v1/databases",
                handle: this.handle((req) => {
                    const { total, items } = listed(req, ["name"], [...this.databases.values()]);
                    return { total, databases: items.map((d) => this.publicDatabase(d)) };
                }),
            },
            // GET /databases/{databaseId}: src Databases/Http/Databases/Get.php.
            { method: "GET", path: db, handle: this.handle((req) => this.publicDatabase(this.database(req.params.db))) },
            // PUT /databases/{databaseId}: src Databases/Http/Databases/Update.php: name optional, enabled defaults to true.
            {
                method: "PUT",
                path: db,
                handle: this.handle((req, body) => {
                    const found = this.database(req.params.db);
                    if (typeof body.name === "string" && body.name !== "") found.name = checkedName(body.name);
                    Object.assign(found, { enabled: body.enabled ?? true, $updatedAt: this.now() });
                    return this.publicDatabase(found);
                }),
            },
            // DELETE /databases/{databaseId}: 204.
            {
                method: "DELETE",
                path: db,
                handle: this.noContent((req) => {
                    this.database(req.params.db);
                    this.databases.delete(req.params.db);
                }),
            },
            // POST /databases/{databaseId}/collections: src Databases/Http/Databases/Collections/Create.php (permissions aggregated); 201 collection.
            {
                method: "POST",
                path: `${db}/collections`,
                handle: this.handle((req, body) => {
                    const parent = this.database(req.params.db);
                    const id = requireId(body, "collectionId");
                    const name = requireName(body);
                    const perms = permissions(body) ?? [];
                    if (parent.collections.has(id)) throw appwriteError(409, "collection_already_exists", `A collection with the requested ID '${id}' already exists. Try again with a different ID or use ID.unique() to generate a unique ID.`);
                    const created = { $id: id, databaseId: parent.$id, name, $permissions: perms, documentSecurity: body.documentSecurity ?? false, enabled: body.enabled ?? true, $createdAt: this.now(), $updatedAt: this.now(), attributes: new Map(), indexes: new Map() };
                    parent.collections.set(id, created);
                    return this.publicCollection(created);
                }, 201),
            },
            // GET /databases/{databaseId}/collections (databasesListCollections): src Databases/Http/Databases/Collections/XList.php;
            // queries may filter on name, enabled and documentSecurity (Queries/Collections.php) and $id; search and total; 200 collectionList.
            {
                method: "GET",
                path: `${db}/collections`,
                handle: this.handle((req) => {
                    const { total, items } = listed(req, ["name", "enabled", "documentSecurity"], [...this.database(req.params.db).collections.values()]);
                    return { total, collections: items.map((c) => this.publicCollection(c)) };
                }),
            },
            { method: "GET", path: coll, handle: this.handle((req) => this.publicCollection(this.collection(req.params.db, req.params.coll))) },
            // PUT collection: src Databases/Http/Databases/Collections/Update.php: name optional, permissions
            // inherited when absent, documentSecurity and enabled back to their defaults when absent.
            {
                method: "PUT",
                path: coll,
                handle: this.handle((req, body) => {
                    const found = this.collection(req.params.db, req.params.coll);
                    if (typeof body.name === "string" && body.name !== "") found.name = checkedName(body.name);
                    Object.assign(found, { $permissions: permissions(body) ?? found.$permissions, documentSecurity: body.documentSecurity ?? false, enabled: body.enabled ?? true, $updatedAt: this.now() });
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
            // POST /databases/{databaseId}/collections/{collectionId}/attributes/<type>, one operation per type: 202 attribute<Type>.
            ...ATTRIBUTE_TYPES.map(
                (type): Route => ({
                    method: "POST",
                    path: `${coll}/attributes/${type}`,
                    handle: this.handle((req, body) => {
                        const parent = this.collection(req.params.db, req.params.coll);
                        const attribute = this.attributeFrom(type, body, parent, req.params.db);
                        parent.attributes.set(attribute.key, attribute);
                        return this.publicAttribute(attribute);
                    }, 202),
                }),
            ),
            // GET .../attributes/{key}: src Databases/Http/Databases/Collections/Attributes/Get.php.
            { method: "GET", path: `${coll}/attributes/:key`, handle: this.handle((req) => this.readBuilding(this.collection(req.params.db, req.params.coll).attributes, req.params.key, "attribute", "Attribute")) },
            // PATCH .../attributes/<type>/{key}, one operation per type: 200 attribute<Type>. The
            // server checks no type here (Attributes/Action.php compares the result of a call, not the type).
            ...ATTRIBUTE_TYPES.filter((type) => type !== "relationship").map(
                (type): Route => ({
                    method: "PATCH",
                    path: `${coll}/attributes/${type}/:key`,
                    handle: this.handle((req, body) => {
                        const found = attributeOf(req);
                        this.updateAttribute(type, found, body);
                        return this.publicAttribute(found);
                    }),
                }),
            ),
            // PATCH .../attributes/relationship/{key}: the 1.9 path node-appwrite 27 calls (1.8's
            // .../attributes/{key}/relationship stays an alias; src Attributes/Relationship/Update.php).
            {
                method: "PATCH",
                path: `${coll}/attributes/relationship/:key`,
                handle: this.handle((req, body) => {
                    const found = attributeOf(req);
                    if (found.building.status !== "available") throw appwriteError(400, "attribute_not_available", `The requested attribute '${found.key}' is not yet available. Please try again later.`);
                    if (body.onDelete !== undefined && body.onDelete !== null) {
                        if (!["cascade", "restrict", "setNull"].includes(body.onDelete)) throw invalidArgument("Invalid `onDelete` param: Value must be one of (cascade, restrict, setNull)");
                        found.onDelete = body.onDelete;
                    }
                    found.$updatedAt = this.now();
                    return this.publicAttribute(found);
                }),
            },
            // DELETE .../attributes/{key}: src Attributes/Delete.php; 204, the worker removes it.
            {
                method: "DELETE",
                path: `${coll}/attributes/:key`,
                handle: this.noContent((req) => this.remove(attributeOf(req))),
            },
            // POST .../indexes: src Databases/Http/Databases/Collections/Indexes/Create.php: the
            // attributes are checked (known, available) before the key's uniqueness; 202 index.
            {
                method: "POST",
                path: `${coll}/indexes`,
                handle: this.handle((req, body) => {
                    const parent = this.collection(req.params.db, req.params.coll);
                    const key = requireId(body, "key");
                    if (!["key", "unique", "fulltext"].includes(body.type)) throw invalidArgument("Invalid `type` param: Value must be one of (key, fulltext, unique, spatial)");
                    // Orders are a case-insensitive whitelist (WhiteList(['ASC', 'DESC'], false)), kept as sent.
                    if (body.orders !== undefined && (!Array.isArray(body.orders) || body.orders.some((o: unknown) => typeof o !== "string" || !["ASC", "DESC"].includes(o.toUpperCase())))) throw invalidArgument("Invalid `orders` param: Value must be an array of values of one of (ASC, DESC)");
                    const attributes: string[] = body.attributes ?? [];
                    for (const name of attributes) {
                        const attribute = this.present(parent.attributes, name);
                        if (!attribute) throw appwriteError(400, "attribute_unknown", `The attribute '${name}' required for the index could not be found. Please confirm all your attributes are in the available state.`);
                        if (attribute.building.status !== "available") throw appwriteError(400, "attribute_not_available", `The requested attribute '${name}' is not yet available. Please try again later.`);
                    }
                    if (this.present(parent.indexes, key)) throw appwriteError(409, "index_already_exists", `Index with the requested key '${key}' already exists. Try again with a different key.`);
                    const index = { $id: `${req.params.db}_${req.params.coll}_${key}`, key, type: body.type, attributes, orders: body.orders ?? [], lengths: body.lengths ?? [], $createdAt: this.now(), $updatedAt: this.now(), building: this.newBuilding(key) };
                    parent.indexes.set(key, index);
                    return this.publicAttribute(index);
                }, 202),
            },
            { method: "GET", path: `${coll}/indexes/:key`, handle: this.handle((req) => this.readBuilding(this.collection(req.params.db, req.params.coll).indexes, req.params.key, "index", "Index")) },
            {
                method: "DELETE",
                path: `${coll}/indexes/:key`,
                handle: this.noContent((req) => {
                    const found = this.present(this.collection(req.params.db, req.params.coll).indexes, req.params.key);
                    if (!found) throw appwriteError(404, "index_not_found", `Index with the requested key '${req.params.key}' could not be found.`);
                    this.remove(found);
                }),
            },
            ...this.bucketRoutes(),
            ...this.variableRoutes(),
            ...this.functionRoutes(),
            ...this.documentRoutes(),
            ...this.providerRoutes(),
        ];
    }

    /**
     * A bucket's settings on create and update (src: Storage/Http/Buckets/Create.php and
     * Update.php): on update, permissions, maximumFileSize, encryption and compression are
     * inherited when absent; the other flags go back to their defaults.
     */
    private bucketSettings(body: Obj, current?: Obj): Obj {
        const compression = body.compression ?? current?.compression ?? "none";
        if (!["none", "gzip", "zstd"].includes(compression)) throw invalidArgument("Invalid `compression` param: Value must be one of (none, gzip, zstd)");
        return {
            name: requireName(body),
            $permissions: permissions(body) ?? current?.$permissions ?? [],
            fileSecurity: body.fileSecurity ?? false,
            enabled: body.enabled ?? true,
            maximumFileSize: body.maximumFileSize ?? current?.maximumFileSize ?? 30_000_000,
            allowedFileExtensions: body.allowedFileExtensions ?? [],
            compression,
            encryption: body.encryption ?? current?.encryption ?? true,
            antivirus: body.antivirus ?? true,
            transformations: body.transformations ?? true,
            $updatedAt: this.now(),
        };
    }

    private bucketRoutes(): Route[] {
        const bucket = (id: string) => {
            const found = this.buckets.get(id);
            if (!found) throw notFound("storage_bucket", "Storage bucket");
            return found;
        };
        return [
            // POST /storage/buckets: 201 bucket.
            {
                method: "POST",
                path: "/v1/storage/buckets",
                handle: this.handle((_req, body) => {
                    const id = requireId(body, "bucketId");
                    if (this.buckets.has(id)) throw appwriteError(409, "storage_bucket_already_exists", "A storage bucket with the requested ID already exists. Try again with a different ID or use ID.unique() to generate a unique ID.");
                    const created = { $id: id, $createdAt: this.now(), ...this.bucketSettings(body), totalSize: 0 };
                    this.buckets.set(id, created);
                    return created;
                }, 201),
            },
            // GET /storage/buckets: src Storage/Http/Buckets/XList.php; queries may filter on the attributes of
            // Queries/Buckets.php and $id; 200 bucketList.
            {
                method: "GET",
                path: "/v1/storage/buckets",
                handle: this.handle((req) => {
                    const { total, items } = listed(req, ["enabled", "name", "fileSecurity", "maximumFileSize", "encryption", "antivirus", "transformations"], [...this.buckets.values()]);
                    return { total, buckets: items };
                }),
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

    /** Function variables: src Functions/Http/Variables/*.php (1.9: the variable id is the caller's). */
    private variableRoutes(): Route[] {
        const variables = (fn: string) => {
            const found = this.functions.get(fn);
            if (!found) throw notFound("function", "Function");
            return found;
        };
        // The Variable response model blanks a secret variable's value (src: ../Utopia/Response/Model/Variable.php, filter).
        const shown = (v: Obj) => (v.secret ? { ...v, value: "" } : v);
        const variable = (fn: string, id: string) => {
            const found = variables(fn).get(id);
            if (!found) throw notFound("variable", "Variable");
            return found;
        };
        const alreadyExists = () => appwriteError(409, "variable_already_exists", "Variable with the same ID already exists in this project. Try again with a different ID.");
        return [
            // POST: variableId required (1.9), secret defaults to true; a key is unique per function
            // (the `_key_uniqueKey` index of app/config/collections/projects.php); 201 variable.
            {
                method: "POST",
                path: "/v1/functions/:fn/variables",
                handle: this.handle((req, body) => {
                    const list = variables(req.params.fn);
                    const id = requireId(body, "variableId");
                    if (typeof body.key !== "string" || body.key.length === 0) throw notOptional("key");
                    if (typeof body.value !== "string") throw notOptional("value");
                    if ([...list.values()].some((v) => v.key === body.key) || list.has(id)) throw alreadyExists();
                    const created = { $id: id, $createdAt: this.now(), $updatedAt: this.now(), key: body.key, value: body.value, secret: body.secret ?? true, resourceType: "function", resourceId: req.params.fn };
                    list.set(id, created);
                    return shown(created);
                }, 201),
            },
            { method: "GET", path: "/v1/functions/:fn/variables/:id", handle: this.handle((req) => shown(variable(req.params.fn, req.params.id))) },
            // PUT: key, value and secret each optional (1.9), not all absent; a secret stays secret.
            {
                method: "PUT",
                path: "/v1/functions/:fn/variables/:id",
                handle: this.handle((req, body) => {
                    const found = variable(req.params.fn, req.params.id);
                    if (found.secret && body.secret === false) throw appwriteError(400, "variable_cannot_unset_secret", "Secret variables cannot be marked as non-secret. Please re-create the variable if this is your intention.");
                    if ((body.key ?? null) === null && (body.value ?? null) === null && (body.secret ?? null) === null) throw invalidArgument("The request contains one or more invalid arguments. Please refer to the endpoint documentation.");
                    if (body.key !== undefined && body.key !== null && [...variables(req.params.fn).values()].some((v) => v !== found && v.key === body.key)) throw alreadyExists();
                    Object.assign(found, { key: body.key ?? found.key, value: body.value ?? found.value, secret: body.secret ?? found.secret, $updatedAt: this.now() });
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

    /** A function's settings and deployments; undefined when the project holds no such function. */
    private functionRecord(id: string): Obj | undefined {
        if (!this.functions.has(id)) {
            this.functionRecords.delete(id);
            return undefined;
        }
        let found = this.functionRecords.get(id);
        if (!found) {
            // The defaults of Functions/Create.php, for a function that exists before the test (`functions`).
            found = { $id: id, $createdAt: this.functionsCreatedAt, $updatedAt: this.functionsCreatedAt, name: id, runtime: "node-22", execute: [], events: [], schedule: "", timeout: 15, enabled: true, logging: true, entrypoint: "", commands: "", scopes: [], deploymentId: "", deployments: new Map<string, Obj>() };
            this.functionRecords.set(id, found);
        }
        return found;
    }

    private existingFunction(id: string): Obj {
        const found = this.functionRecord(id);
        if (!found) throw notFound("function", "Function");
        return found;
    }

    /**
     * A function as the Function response model writes one (src: ../Utopia/Response/Model/Func.php),
     * in the fields of the 1.8.1 spec the contract holds (1.9 adds deploymentRetention,
     * providerBranches, providerPaths and splits `specification` in two; providers read neither).
     */
    private publicFunction(f: Obj): Obj {
        const latest = [...(f.deployments as Map<string, Obj>).values()].at(-1);
        const shown = (v: Obj) => (v.secret ? { ...v, value: "" } : v);
        return {
            $id: f.$id,
            $createdAt: f.$createdAt,
            $updatedAt: f.$updatedAt,
            execute: f.execute,
            name: f.name,
            enabled: f.enabled,
            live: true,
            logging: f.logging,
            runtime: f.runtime,
            deploymentId: f.deploymentId,
            deploymentCreatedAt: f.deploymentId ? f.deployments.get(f.deploymentId)?.$createdAt ?? "" : "",
            latestDeploymentId: latest?.$id ?? "",
            latestDeploymentCreatedAt: latest?.$createdAt ?? "",
            latestDeploymentStatus: latest?.status ?? "",
            scopes: f.scopes,
            vars: [...(this.functions.get(f.$id)?.values() ?? [])].map(shown),
            events: f.events,
            schedule: f.schedule,
            timeout: f.timeout,
            entrypoint: f.entrypoint,
            commands: f.commands,
            version: "v5",
            installationId: "",
            providerRepositoryId: "",
            providerBranch: "",
            providerRootDirectory: "",
            providerSilentMode: false,
            specification: "s-1vcpu-512mb",
        };
    }

    /**
     * A function's settings from a create or an update (src: Functions/Http/Functions/Create.php and
     * Update.php): name required; runtime from the runtimes Appwrite knows (the spec's enum, as
     * node-appwrite 27.1.0 ships it); execute roles; scopes from the project key scopes; timeout
     * 1 to 900 s; on update, an absent runtime or entrypoint keeps the current one, the rest goes back
     * to its default.
     */
    private functionSettings(body: Obj, current?: Obj): Obj {
        const runtimes = Object.values(Runtime) as string[];
        const runtime = body.runtime ?? current?.runtime;
        if (runtime === undefined) throw notOptional("runtime");
        if (!runtimes.includes(runtime)) throw invalidArgument(`Invalid \`runtime\` param: Value must be one of (${runtimes.join(", ")})`);
        const execute = body.execute ?? [];
        if (!Array.isArray(execute) || execute.length > 100 || execute.some((r: unknown) => typeof r !== "string" || !/^(any|guests|users(\/\w+)?|(user|team|member|label):[\w.-]+(\/[\w.-]+)?)$/.test(r))) throw invalidArgument("Invalid `execute` param: Value must be a valid array no longer than 100 items and Role must be one of: any, guests, users, user, team, member, label");
        const scopeNames = Object.values(ProjectKeyScopes) as string[];
        const scopes = body.scopes ?? [];
        if (!Array.isArray(scopes) || scopes.some((x: unknown) => typeof x !== "string" || !scopeNames.includes(x))) throw invalidArgument("Invalid `scopes` param: Value must be a valid array and Value must be one of the project key scopes");
        const timeout = body.timeout ?? 15;
        if (!Number.isInteger(timeout) || timeout < 1 || timeout > 900) throw invalidArgument("Invalid `timeout` param: Value must be a valid range between 1 and 900");
        return {
            name: requireName(body),
            runtime,
            execute,
            scopes,
            timeout,
            events: body.events ?? [],
            schedule: body.schedule ?? "",
            enabled: body.enabled ?? true,
            logging: body.logging ?? true,
            entrypoint: body.entrypoint || current?.entrypoint || "",
            commands: body.commands ?? "",
            $updatedAt: this.now(),
        };
    }

    /** A deployment as the Deployment response model writes one (src: ../Utopia/Response/Model/Deployment.php), in the 1.8.1 fields. */
    private publicDeployment(d: Obj): Obj {
        const { files: _files, work: _work, failWith: _failWith, ...rest } = d;
        return rest;
    }

    /**
     * Brings a deployment's build up to date (src: Functions/Workers/Builds.php): waiting, then
     * processing and building over the following reads (or `buildMs`), then ready, or failed with
     * its build log. A ready deployment asked to activate becomes the function's deployment and,
     * with a function host, starts there with the function's variables and Appwrite's own.
     */
    private async settleDeployment(f: Obj, d: Obj, reading: boolean): Promise<void> {
        if (!["waiting", "processing", "building"].includes(d.status)) return;
        if (reading && this.opts.buildMs === undefined) d.work.readsLeft -= 1;
        if (!this.workDone(d.work)) {
            d.status = this.opts.buildMs === undefined ? (d.work.readsLeft > 1 ? "processing" : "building") : "building";
            return;
        }
        d.buildDuration = Math.max(0, Math.round((this.clock.now() - d.work.startedAt) / 1000));
        d.$updatedAt = this.now();
        if (d.failWith !== undefined) {
            Object.assign(d, { status: "failed", buildLogs: d.failWith });
            return;
        }
        const entry = d.files.get(d.entrypoint);
        if (!entry) {
            Object.assign(d, { status: "failed", buildLogs: `Entrypoint file "${d.entrypoint}" not found in the deployment's code.` });
            return;
        }
        Object.assign(d, { status: "ready", buildLogs: "Build finished.", buildSize: d.sourceSize });
        if (d.activate) await this.activate(f, d);
    }

    /** Makes a ready deployment the function's: the host runs it from now on (Functions/Deployment/Update.php). */
    private async activate(f: Obj, d: Obj): Promise<void> {
        f.deploymentId = d.$id;
        f.$updatedAt = this.now();
        const host = this.opts.functionHost;
        if (!host) return;
        const variables = Object.fromEntries([...(this.functions.get(f.$id)?.values() ?? [])].map((v) => [v.key, v.value]));
        // The environment of app/controllers/general.php (executions): the function's variables, then Appwrite's own.
        const env = {
            ...variables,
            APPWRITE_FUNCTION_API_ENDPOINT: `${this.url}/v1`,
            APPWRITE_FUNCTION_ID: f.$id,
            APPWRITE_FUNCTION_NAME: f.name,
            APPWRITE_FUNCTION_DEPLOYMENT: d.$id,
            APPWRITE_FUNCTION_PROJECT_ID: this.opts.projectId,
            APPWRITE_FUNCTION_RUNTIME_NAME: f.runtime.split("-")[0],
            APPWRITE_FUNCTION_RUNTIME_VERSION: f.runtime.split("-")[1] ?? "",
            APPWRITE_FUNCTION_CPUS: "1",
            APPWRITE_FUNCTION_MEMORY: "512",
            APPWRITE_VERSION: VERSION,
            APPWRITE_REGION: "default",
        };
        await host.deploy({ name: f.$id, files: d.files, entrypoint: d.entrypoint, env });
    }

    /**
     * Runs the active deployment once, as Appwrite's router and executions do (app/controllers/
     * general.php; src: Functions/Http/Executions/Create.php): the request's headers plus
     * x-appwrite-execution-id, x-appwrite-trigger and x-appwrite-key, a key valid for the
     * function's scopes.
     */
    private async execute(f: Obj, request: { method: string; path: string; headers: Record<string, string>; body: Uint8Array }): Promise<{ status: number; headers: Record<string, string>; body: Uint8Array }> {
        const active = f.deployments.get(f.deploymentId);
        if (!active) throw appwriteError(404, "deployment_not_found", "Deployment with the requested ID could not be found.");
        if (active.status !== "ready") throw appwriteError(400, active.status === "failed" ? "build_failed" : "build_not_ready", active.status === "failed" ? "Build with the requested ID failed. Please check the logs for more information." : "Build with the requested ID is building and not ready for execution.");
        const host = this.opts.functionHost;
        if (!host) throw appwriteError(500, "general_server_error", "No function host runs functions in this emulator.");
        const key = `ephemeral_${randomBytes(24).toString("hex")}`;
        this.ephemeralKeys.set(key, [...f.scopes]);
        const headers = { ...request.headers, "x-appwrite-execution-id": randomBytes(10).toString("hex"), "x-appwrite-trigger": "http", "x-appwrite-key": key, "x-appwrite-user-id": "", "x-appwrite-user-jwt": "" };
        const answer = await host.invoke(f.$id, { ...request, headers });
        if (!answer) throw appwriteError(404, "deployment_not_found", "Deployment with the requested ID could not be found.");
        return answer;
    }

    /** A request to a function's domain: the proxy rule for its Host runs the function (app/controllers/general.php, router). */
    private async serveDomain(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const send = (status: number, body: Uint8Array | string, headers: Record<string, string> = {}) => {
            res.writeHead(status, headers);
            res.end(body);
        };
        try {
            const host = String(req.headers.host ?? "").replace(/:\d+$/, "").toLowerCase();
            const functionId = this.functionDomains.get(host);
            const f = functionId === undefined ? undefined : this.functionRecord(functionId);
            if (!f || !f.enabled) throw appwriteError(404, functionId === undefined ? "rule_not_found" : "function_not_found", functionId === undefined ? "Rule with the requested ID could not be found." : "Function with the requested ID could not be found.");
            for (const d of f.deployments.values()) await this.settleDeployment(f, d, false);
            if (!f.execute.includes("any") && !f.execute.includes("guests")) throw appwriteError(401, "function_execute_permission_missing", "To execute function using domain, execute permissions must include \"any\" or \"guests\"");
            const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : String(v ?? "")]));
            const answer = await this.execute(f, { method: req.method ?? "GET", path: req.url ?? "/", headers, body: Buffer.concat(chunks) });
            send(answer.status, answer.body, answer.headers);
        } catch (err) {
            const response = err instanceof ApiFailure ? err.response : { status: 500, body: { message: String(err), code: 500, type: "general_server_error", version: VERSION } };
            send(response.status, JSON.stringify(response.body), { "content-type": "application/json" });
        }
    }

    private handleAsync(run: (req: EmulatorRequest, body: Obj) => Promise<unknown>, status = 200): (req: EmulatorRequest) => Promise<EmulatorResponse> {
        return async (req) => this.json(status, await run(req, req.body.length === 0 || String(req.headers["content-type"] ?? "").startsWith("multipart/") ? {} : parseExact(req.body.toString("utf8"))));
    }

    /** Functions, their deployments and executions: src Functions/Http/**. */
    private functionRoutes(): Route[] {
        const alreadyExists = () => appwriteError(409, "function_already_exists", "Function with the requested ID already exists. Try again with a different ID or use ID.unique() to generate a unique ID.");
        const deploymentOf = (f: Obj, id: string) => {
            const found = f.deployments.get(id);
            if (!found) throw appwriteError(404, "deployment_not_found", "Deployment with the requested ID could not be found.");
            return found;
        };
        return [
            // POST /functions: src Functions/Http/Functions/Create.php; 201 function.
            {
                method: "POST",
                path: "/v1/functions",
                handle: this.handle((_req, body) => {
                    const id = requireId(body, "functionId");
                    const settings = this.functionSettings(body);
                    if (this.functions.has(id)) throw alreadyExists();
                    this.functions.set(id, new Map());
                    const created = { $id: id, $createdAt: this.now(), ...settings, deploymentId: "", deployments: new Map<string, Obj>() };
                    this.functionRecords.set(id, created);
                    return this.publicFunction(created);
                }, 201),
            },
            // GET /functions: src Functions/Http/Functions/XList.php; queries may filter on the attributes of
            // Queries/Functions.php and $id; 200 functionList. Providers ask it where a function or variable lives, after a 404.
            {
                method: "GET",
                path: "/v1/functions",
                handle: this.handle((req) => {
                    const all = [...this.functions.keys()].map((id) => this.publicFunction(this.functionRecord(id)!));
                    const { total, items } = listed(req, ["name", "enabled", "runtime", "deploymentId", "schedule", "scheduleNext", "schedulePrevious", "timeout", "entrypoint", "commands", "installationId"], all);
                    return { total, functions: items };
                }),
            },
            // GET /functions/{functionId}: src Functions/Http/Functions/Get.php; 200 function.
            {
                method: "GET",
                path: "/v1/functions/:fn",
                handle: this.handleAsync(async (req) => {
                    const f = this.existingFunction(req.params.fn);
                    for (const d of f.deployments.values()) await this.settleDeployment(f, d, false);
                    return this.publicFunction(f);
                }),
            },
            // PUT /functions/{functionId}: src Functions/Http/Functions/Update.php; 200 function.
            {
                method: "PUT",
                path: "/v1/functions/:fn",
                handle: this.handle((req, body) => {
                    const f = this.existingFunction(req.params.fn);
                    Object.assign(f, this.functionSettings(body, f));
                    return this.publicFunction(f);
                }),
            },
            // DELETE /functions/{functionId}: src Functions/Http/Functions/Delete.php; 204, its deployments and variables with it.
            {
                method: "DELETE",
                path: "/v1/functions/:fn",
                handle: async (req) => {
                    this.existingFunction(req.params.fn);
                    this.functions.delete(req.params.fn);
                    this.functionRecords.delete(req.params.fn);
                    await this.opts.functionHost?.remove(req.params.fn);
                    return { status: 204 };
                },
            },
            // POST /functions/{functionId}/deployments: src Functions/Http/Deployments/Create.php: multipart
            // `code` (a .gz file), `activate`, `entrypoint` (else the function's; none: 404
            // function_entrypoint_missing); 202 deployment, built in the background.
            {
                method: "POST",
                path: "/v1/functions/:fn/deployments",
                handle: this.handle((req) => {
                    const f = this.existingFunction(req.params.fn);
                    const form = parseMultipart(String(req.headers["content-type"] ?? ""), req.body);
                    const entrypoint = form?.fields.entrypoint || f.entrypoint;
                    if (!entrypoint) throw appwriteError(404, "function_entrypoint_missing", "Entrypoint for your Appwrite Function is missing. Please specify it when making deployment or update the entrypoint under your function's \"Settings\" > \"Configuration\" > \"Entrypoint\".");
                    const code = form?.files.code;
                    if (!code || code.data.length === 0) throw appwriteError(400, "storage_file_empty", "No file sent");
                    if (!code.filename.endsWith(".gz")) throw appwriteError(400, "storage_file_type_unsupported", "The given file extension is not supported.");
                    if (form.fields.activate === undefined) throw notOptional("activate");
                    let files: Map<string, Uint8Array>;
                    try {
                        files = unpackCode(code.data);
                    } catch {
                        files = new Map();
                    }
                    const failWith = this.deploymentFailures.get(f.$id);
                    this.deploymentFailures.delete(f.$id);
                    const id = randomBytes(10).toString("hex");
                    const deployment = {
                        $id: id,
                        $createdAt: this.now(),
                        $updatedAt: this.now(),
                        type: "manual",
                        resourceId: f.$id,
                        resourceType: "functions",
                        entrypoint,
                        sourceSize: code.data.length,
                        buildSize: 0,
                        totalSize: code.data.length,
                        buildId: "",
                        activate: form.fields.activate === "true" || form.fields.activate === "1",
                        screenshotLight: "",
                        screenshotDark: "",
                        status: "waiting",
                        buildLogs: "",
                        buildDuration: 0,
                        providerRepositoryName: "",
                        providerRepositoryOwner: "",
                        providerRepositoryUrl: "",
                        providerCommitHash: "",
                        providerCommitAuthorUrl: "",
                        providerCommitAuthor: "",
                        providerCommitMessage: "",
                        providerCommitUrl: "",
                        providerBranch: "",
                        providerBranchUrl: "",
                        files,
                        failWith,
                        work: this.newWork(),
                    };
                    f.deployments.set(id, deployment);
                    return this.publicDeployment(deployment);
                }, 202),
            },
            // GET /functions/{functionId}/deployments/{deploymentId}: src Functions/Http/Deployments/Get.php; 200 deployment.
            {
                method: "GET",
                path: "/v1/functions/:fn/deployments/:id",
                handle: this.handleAsync(async (req) => {
                    const f = this.existingFunction(req.params.fn);
                    const d = deploymentOf(f, req.params.id);
                    await this.settleDeployment(f, d, true);
                    return this.publicDeployment(d);
                }),
            },
            // GET /functions/{functionId}/variables: src Functions/Http/Variables/XList.php; 200 variableList.
            {
                method: "GET",
                path: "/v1/functions/:fn/variables",
                handle: this.handle((req) => {
                    this.existingFunction(req.params.fn);
                    const variables = [...this.functions.get(req.params.fn)!.values()].map((v) => (v.secret ? { ...v, value: "" } : v));
                    return { total: variables.length, variables };
                }),
            },
            // POST /functions/{functionId}/executions: src Functions/Http/Executions/Create.php: body, path
            // (default "/"), method (default POST), headers; a synchronous run answers 201 execution.
            {
                method: "POST",
                path: "/v1/functions/:fn/executions",
                handle: this.handleAsync(async (req, body) => {
                    const f = this.existingFunction(req.params.fn);
                    for (const d of f.deployments.values()) await this.settleDeployment(f, d, false);
                    const method = body.method ?? "POST";
                    if (!["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"].includes(method)) throw invalidArgument("Invalid `method` param: Value must be one of (GET, POST, PUT, PATCH, DELETE, OPTIONS, HEAD)");
                    const requestHeaders: Record<string, string> = Object.fromEntries(Object.entries((body.headers ?? {}) as Obj).map(([k, v]) => [k.toLowerCase(), String(v)]));
                    const started = this.clock.now();
                    const answer = await this.execute(f, { method, path: body.path ?? "/", headers: requestHeaders, body: Buffer.from(String(body.body ?? ""), "utf8") });
                    const asList = (headers: Record<string, string>) => Object.entries(headers).map(([name, value]) => ({ name, value }));
                    return {
                        $id: randomBytes(10).toString("hex"),
                        $createdAt: this.now(),
                        $updatedAt: this.now(),
                        $permissions: [],
                        functionId: f.$id,
                        deploymentId: f.deploymentId,
                        trigger: "http",
                        status: answer.status >= 500 ? "failed" : "completed",
                        requestMethod: method,
                        requestPath: body.path ?? "/",
                        requestHeaders: asList(requestHeaders),
                        responseStatusCode: answer.status,
                        responseBody: Buffer.from(answer.body).toString("utf8"),
                        responseHeaders: asList(answer.headers),
                        logs: "",
                        errors: "",
                        duration: (this.clock.now() - started) / 1000,
                    };
                }, 201),
            },
        ];
    }

    /**
     * Creating a document (src: Databases/Http/Databases/Collections/Documents/Create.php): each field
     * must be an available attribute of the collection, required ones present (400
     * document_invalid_structure); an id taken is 409 document_already_exists; 201 document.
     */
    private documentRoutes(): Route[] {
        return [
            {
                method: "POST",
                path: "/v1/databases/:db/collections/:coll/documents",
                handle: this.handle((req, body) => {
                    const coll = this.collection(req.params.db, req.params.coll);
                    const id = requireId(body, "documentId");
                    const data = body.data;
                    if (!data || typeof data !== "object" || Array.isArray(data)) throw notOptional("data");
                    const invalid = (why: string) => appwriteError(400, "document_invalid_structure", `Invalid document structure: ${why}`);
                    for (const key of Object.keys(data)) {
                        const attribute = this.present(coll.attributes, key);
                        if (!attribute || attribute.building.status !== "available") throw invalid(`Unknown attribute: "${key}"`);
                        if (attribute.type === "string" && typeof data[key] === "string" && data[key].length > attribute.size) throw invalid(`Attribute "${key}" has invalid type. Value must be a valid string and no longer than ${attribute.size} chars`);
                    }
                    for (const attribute of coll.attributes.values()) if (attribute.required && !(attribute.key in data)) throw invalid(`Missing required attribute "${attribute.key}"`);
                    coll.documents ??= new Map<string, Obj>();
                    if (coll.documents.has(id)) throw appwriteError(409, "document_already_exists", "Document with the requested ID already exists. Try again with a different ID or use ID.unique() to generate a unique ID.");
                    const document = { $id: id, $sequence: coll.documents.size + 1, $collectionId: coll.$id, $databaseId: req.params.db, $createdAt: this.now(), $updatedAt: this.now(), $permissions: permissions(body) ?? [], ...data };
                    coll.documents.set(id, document);
                    return document;
                }, 201),
            },
        ];
    }

    /** Messaging providers (app/controllers/api/messaging.php): Resend's create and update, and every provider's get, list and delete. */
    private providerRoutes(): Route[] {
        const providerOf = (id: string) => {
            const found = this.providers.get(id);
            if (!found) throw appwriteError(404, "provider_not_found", "Provider with the requested ID could not be found.");
            return found;
        };
        const email = (body: Obj, param: string) => {
            const value = body[param];
            if (value !== undefined && value !== "" && (typeof value !== "string" || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value))) throw invalidArgument(`Invalid \`${param}\` param: Value must be a valid email address`);
            return value ?? "";
        };
        const text = (body: Obj, param: string) => {
            const value = body[param] ?? "";
            if (typeof value !== "string" || value.length > 128) throw invalidArgument(`Invalid \`${param}\` param: Value must be a valid string and at most 128 chars`);
            return value;
        };
        return [
            // POST /messaging/providers/resend: enabled only with an API key and a sender email, else stored disabled; 201 provider.
            {
                method: "POST",
                path: "/v1/messaging/providers/resend",
                handle: this.handle((_req, body) => {
                    const id = requireId(body, "providerId");
                    const name = requireName(body);
                    const apiKey = typeof body.apiKey === "string" ? body.apiKey : "";
                    const options = { fromName: text(body, "fromName"), fromEmail: email(body, "fromEmail"), replyToName: text(body, "replyToName"), replyToEmail: email(body, "replyToEmail") };
                    if (this.providers.has(id)) throw appwriteError(409, "provider_already_exists", "Provider with the requested ID already exists.");
                    const enabled = body.enabled === true && options.fromEmail !== "" && apiKey !== "";
                    const created = { $id: id, $createdAt: this.now(), $updatedAt: this.now(), name, provider: "resend", enabled, type: "email", credentials: apiKey ? { apiKey } : {}, options };
                    this.providers.set(id, created);
                    return created;
                }, 201),
            },
            // PATCH /messaging/providers/resend/{providerId}: empty values are left as they are; enabling
            // without a key and sender is 400 provider_missing_credentials; 200 provider.
            {
                method: "PATCH",
                path: "/v1/messaging/providers/resend/:id",
                handle: this.handle((req, body) => {
                    const found = providerOf(req.params.id);
                    if (found.provider !== "resend") throw appwriteError(400, "provider_incorrect_type", "Provider with the requested ID is of the incorrect type.");
                    if (body.name) found.name = checkedName(body.name);
                    for (const param of ["fromName", "replyToName"]) if (text(body, param)) found.options[param] = body[param];
                    for (const param of ["fromEmail", "replyToEmail"]) if (email(body, param)) found.options[param] = body[param];
                    if (typeof body.apiKey === "string" && body.apiKey !== "") found.credentials = { apiKey: body.apiKey };
                    if (body.enabled === true) {
                        if (!found.credentials.apiKey || !found.options.fromEmail) throw appwriteError(400, "provider_missing_credentials", "Provider with the requested ID is missing credentials.");
                        found.enabled = true;
                    } else if (body.enabled === false) found.enabled = false;
                    found.$updatedAt = this.now();
                    return found;
                }),
            },
            // GET /messaging/providers: queries may filter on name, provider, type, enabled and $id; 200 providerList.
            {
                method: "GET",
                path: "/v1/messaging/providers",
                handle: this.handle((req) => {
                    const { total, items } = listed(req, ["name", "provider", "type", "enabled"], [...this.providers.values()]);
                    return { total, providers: items };
                }),
            },
            { method: "GET", path: "/v1/messaging/providers/:id", handle: this.handle((req) => providerOf(req.params.id)) },
            {
                method: "DELETE",
                path: "/v1/messaging/providers/:id",
                handle: this.noContent((req) => {
                    providerOf(req.params.id);
                    this.providers.delete(req.params.id);
                }),
            },
        ];
    }
}
