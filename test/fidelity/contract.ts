/**
 * Contracts: the parts of a vendor's published OpenAPI spec that the routes stackwire uses touch,
 * extracted by `extract.ts` into `contracts/<vendor>.json` (with the spec's repository, path,
 * commit and version), and the check of one recorded exchange against them.
 *
 * A mismatch is a sentence naming the route, the side (request or response) and the rule, so a
 * failing test reads like a review comment.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import type { Exchange } from "../../sandbox/emulators/frame";
import { multipartParts } from "../../sandbox/emulators/multipart";
import { parseStripeForm } from "../../sandbox/emulators/stripe-form";

export interface ContractParameter {
    name: string;
    in: "path" | "query" | "header" | "cookie";
    required?: boolean;
    schema?: unknown;
    /** OpenAPI `style: deepObject` and the like; form-style arrays are read as repeated keys. */
    style?: string;
}

export interface ContractRoute {
    /** The spec's operation: "POST /api-keys/{api_key_id}". */
    spec: string;
    parameters: ContractParameter[];
    requestBody?: { required: boolean; contentType: string; schema?: unknown };
    /** Status code (or "default") to the JSON schema of the body; null when the spec gives no body. */
    responses: Record<string, unknown>;
}

export interface Contract {
    vendor: string;
    source: {
        repository: string;
        path: string;
        commit: string;
        version: string;
        extractedWith: string;
        /** A newer spec's operations laid over this one, where they differ for the routes used. */
        overrides?: { repository: string; path: string; commit: string; version: string; file: string; differences: Record<string, string> };
        /** The spec file read was an excerpt of the published one: where it is, and how it departs. */
        excerpt?: { file: string } & Record<string, unknown>;
    };
    /** What the emulator's route paths carry that the spec's paths do not (Appwrite's "/v1"). */
    routePrefix: string;
    /** How request bodies are encoded. */
    bodyEncoding: "json" | "stripe-form";
    /** Emulator route key ("POST /api-keys/:id") to the spec's operation. */
    routes: Record<string, ContractRoute>;
    /** Emulator routes that no operation of the spec matches. */
    unmatched: string[];
    /** `#/components/schemas/…` the routes reference, transitively. */
    schemas: Record<string, unknown>;
}

/** Contracts are read from the sources (`bin/` holds no JSON), whichever copy of this file runs. */
export function loadContract(vendor: string): Contract {
    const projectRoot = __dirname.includes(`${path.sep}bin${path.sep}`) ? path.join(__dirname, "..", "..", "..") : path.join(__dirname, "..", "..");
    return JSON.parse(readFileSync(path.join(projectRoot, "test", "fidelity", "contracts", `${vendor}.json`), "utf8")) as Contract;
}

/** JSON Schema's formats, and the vendors' own names for formats JSON Schema does not define (accepted as they are). */
function withFormats(ajv: Ajv): Ajv {
    addFormats(ajv);
    for (const vendorFormat of ["unix-time", "decimal", "currency", "password", "datetime"]) ajv.addFormat(vendorFormat, true);
    return ajv;
}

/** Makes OpenAPI 3.0 schema text something Ajv compiles: refs point into one definitions object, examples (data, not rules) left out. */
function rebased(schema: unknown): unknown {
    return JSON.parse(JSON.stringify(schema ?? {}).replace(/"#\/components\/schemas\//g, '"contract#/definitions/'), (key, value) => (key === "example" || key === "x-example" ? undefined : value));
}

/**
 * Where a service is known to answer outside its own spec, with the evidence: accepted by the
 * checker, listed here so that each departure is a reviewed decision, not a loosened rule.
 */
export const KNOWN_DEPARTURES: Record<string, { route: string; status: number; evidence: string }[]> = {
    "supabase-management": [
        // The spec lists 200/401/403/429/500 only; a deleted project answers 404 "Project not found".
        { route: "GET /v1/projects/:ref/secrets", status: 404, evidence: "supabase/terraform-provider-supabase edge_function_secrets_resource.go (9ea5f96d) reads 404 as not found; supabase/supabase#44032" },
        { route: "DELETE /v1/projects/:ref/secrets", status: 404, evidence: "supabase/terraform-provider-supabase edge_function_secrets_resource.go (9ea5f96d) reads 404 on delete as already deleted" },
        // The spec lists 200/401/403/429/500 only; a function that does not exist answers 404 "Function not found".
        { route: "GET /v1/projects/:ref/functions/:slug", status: 404, evidence: "supabase/cli apps/cli-go/internal/functions/download/download.go (1d1e7191) handles 404 from v1-get-a-function; download_test.go mocks its body" },
        { route: "DELETE /v1/projects/:ref/functions/:slug", status: 404, evidence: "supabase/cli apps/cli-go/internal/functions/delete/delete.go (1d1e7191) handles 404 from v1-delete-a-function; delete_test.go mocks its body" },
        // A deleted project answers 404 on its Auth config as on its other routes.
        { route: "GET /v1/projects/:ref/config/auth", status: 404, evidence: "as the project's secrets routes: a deleted project answers 404 (supabase/supabase#44032)" },
        { route: "PATCH /v1/projects/:ref/config/auth", status: 404, evidence: "as the project's secrets routes: a deleted project answers 404 (supabase/supabase#44032)" },
    ],
};

export class ContractChecker {
    private readonly ajv: Ajv;
    private readonly compiled = new Map<string, ValidateFunction>();

    constructor(readonly contract: Contract) {
        // OpenAPI 3.0 keywords (nullable, example, discriminator, x-…) are not JSON Schema: allow them.
        this.ajv = withFormats(new Ajv({ strict: false, allErrors: true, coerceTypes: false, validateFormats: true }));
        this.ajv.addKeyword({ keyword: "example" });
        this.ajv.addSchema({ $id: "contract", definitions: rebased(contract.schemas) as Record<string, unknown> });
    }

    private validator(key: string, schema: unknown, coerce: boolean): ValidateFunction {
        const cacheKey = `${coerce}:${key}`;
        let found = this.compiled.get(cacheKey);
        if (!found) {
            const ajv = coerce ? this.coercing() : this.ajv;
            found = ajv.compile(rebased(schema) as object);
            this.compiled.set(cacheKey, found);
        }
        return found;
    }

    private coercingAjv?: Ajv;
    /** Form and query values arrive as text: numbers and booleans are read from it, as servers do. */
    private coercing(): Ajv {
        if (!this.coercingAjv) {
            this.coercingAjv = withFormats(new Ajv({ strict: false, allErrors: true, coerceTypes: true, validateFormats: true }));
            this.coercingAjv.addSchema({ $id: "contract", definitions: rebased(this.contract.schemas) as Record<string, unknown> });
        }
        return this.coercingAjv;
    }

    /** Every way the exchange departs from the spec; empty when it conforms. */
    check(exchange: Exchange): string[] {
        if (exchange.injected) return [];
        const route = this.contract.routes[exchange.route];
        const where = `${exchange.method} ${exchange.path}`;
        if (!route) return [`${where}: the spec has no operation for emulator route "${exchange.route}"`];
        return [...this.checkRequest(route, exchange).map((m) => `${where} request: ${m}`), ...this.checkResponse(route, exchange).map((m) => `${where} response ${exchange.status}: ${m}`)];
    }

    private checkRequest(route: ContractRoute, exchange: Exchange): string[] {
        const problems: string[] = [];
        const declared = new Set(route.parameters.filter((p) => p.in === "query").map((p) => p.name));
        for (const parameter of route.parameters) {
            if (parameter.in === "path") {
                problems.push(...this.valueProblems(`${route.spec} path`, parameter, exchange.params[pathParamFor(route, exchange, parameter.name)] ?? undefined));
            } else if (parameter.in === "query") {
                const values = queryValues(exchange.query, parameter.name);
                if (values === undefined) {
                    if (parameter.required) problems.push(`query parameter "${parameter.name}" is required`);
                    continue;
                }
                problems.push(...this.valueProblems(`${route.spec} query`, parameter, values));
            }
        }
        for (const name of new Set([...exchange.query.keys()].map((k) => k.replace(/\[.*$/, "")))) {
            if (!declared.has(name)) problems.push(`query parameter "${name}" is not in the spec`);
        }
        const hasBody = exchange.requestBody.length > 0;
        if (!route.requestBody) {
            if (hasBody && exchange.method !== "GET" && exchange.method !== "DELETE") problems.push(`the spec takes no body, ${exchange.requestBody.length} bytes sent`);
            return problems;
        }
        if (!hasBody) {
            if (route.requestBody.required) problems.push("a body is required");
            return problems;
        }
        const multipart = multipartFields(exchange.requestHeaders["content-type"], exchange.requestBody, route.requestBody.schema, this.contract.schemas);
        const body = multipart
            ? multipart
            : this.contract.bodyEncoding === "stripe-form"
              ? parseStripeForm(exchange.requestBody.toString("utf8"))
              : parseJson(exchange.requestBody);
        if (body === PARSE_FAILED) return [...problems, "the body is not valid JSON"];
        const coerce = this.contract.bodyEncoding === "stripe-form" || multipart !== undefined;
        const validate = this.validator(`${route.spec} body`, route.requestBody.schema, coerce);
        if (!validate(structuredClone(body))) problems.push(...describe(validate.errors));
        if (coerce) problems.push(...emptyStringProblems(body, route.requestBody.schema, this.contract.schemas));
        return problems;
    }

    private checkResponse(route: ContractRoute, exchange: Exchange): string[] {
        const status = String(exchange.status);
        const documented = status in route.responses ? status : "default" in route.responses ? "default" : `${status[0]}XX` in route.responses ? `${status[0]}XX` : undefined;
        if (documented === undefined) {
            if ((KNOWN_DEPARTURES[this.contract.vendor] ?? []).some((d) => d.route === exchange.route && d.status === exchange.status)) return [];
            // Most specs document successes only; an error the spec says nothing of cannot be checked.
            const documentsErrors = Object.keys(route.responses).some((s) => s >= "4");
            return exchange.status >= 400 && !documentsErrors ? [] : [`status ${status} is not among the spec's (${Object.keys(route.responses).join(", ")})`];
        }
        const schema = route.responses[documented];
        if (schema === null || schema === undefined) return [];
        if (exchange.responseBody === undefined || Buffer.isBuffer(exchange.responseBody)) return ["the spec gives a JSON body; none was sent"];
        const validate = this.validator(`${route.spec} ${documented}`, schema, false);
        const problems = validate(exchange.responseBody) ? [] : describe(validate.errors);
        // Specs rarely close their objects; an emulator must not invent fields a provider could come to rely on.
        return exchange.status < 300 ? [...problems, ...undeclaredFields(exchange.responseBody, schema, this.contract.schemas)] : problems;
    }

    private valueProblems(key: string, parameter: ContractParameter, value: unknown): string[] {
        if (value === undefined) return parameter.required ? [`${parameter.in} parameter "${parameter.name}" is required`] : [];
        if (!parameter.schema) return [];
        const validate = this.validator(`${key} ${parameter.name}`, parameter.schema, true);
        return validate(structuredClone(value)) ? [] : describe(validate.errors, "").map((m) => `${parameter.in} parameter "${parameter.name}" ${m}`);
    }
}

const PARSE_FAILED = Symbol("parse failed");

/**
 * A multipart upload as the schema's properties: each part by its name, a file part as a binary
 * value. As OpenAPI 3.0's Encoding Object has it, a property typed as an object travels as JSON
 * (its default content type), and one typed as an array repeats its part (Supabase's function
 * deploy: a `metadata` part of JSON and one `file` part per source).
 */
function multipartFields(contentType: string | undefined, body: Buffer, schema: unknown, schemas: Record<string, unknown>): Record<string, unknown> | typeof PARSE_FAILED | undefined {
    const parts = multipartParts(contentType, body);
    if (!parts) return undefined;
    const properties = (resolve(schema, schemas).properties ?? {}) as Record<string, unknown>;
    const fields: Record<string, unknown> = {};
    for (const part of parts) {
        const declared = resolve(properties[part.name], schemas);
        let value: unknown = part.filename !== undefined ? "(binary)" : part.data.toString("utf8");
        if (part.filename === undefined && declared.type === "object") {
            value = parseJson(part.data);
            if (value === PARSE_FAILED) return PARSE_FAILED;
        }
        fields[part.name] = declared.type === "array" ? [...((fields[part.name] as unknown[] | undefined) ?? []), value] : value;
    }
    return fields;
}

function parseJson(body: Buffer): unknown {
    try {
        return JSON.parse(body.toString("utf8"));
    } catch {
        return PARSE_FAILED;
    }
}

/** The emulator names path parameters its own way (":id"); pair them with the spec's by position. */
function pathParamFor(route: ContractRoute, exchange: Exchange, specName: string): string {
    const specNames = [...route.spec.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    const emulatorNames = [...exchange.route.matchAll(/[:*]([A-Za-z0-9_]+)/g)].map((m) => m[1]);
    return emulatorNames[specNames.indexOf(specName)] ?? specName;
}

/**
 * A query parameter's value: one string, a list for repeated, `name[]` or `name[0]` keys, an
 * object for a deepObject's `name[field]` keys (`recurring[interval]=month`), undefined when absent.
 */
function queryValues(query: URLSearchParams, name: string): unknown {
    const values = [...query.getAll(name), ...query.getAll(`${name}[]`)];
    const indexed = [...query.entries()].filter(([k]) => k.startsWith(`${name}[`) && k !== `${name}[]`);
    const fields = indexed.map(([k]) => /^\[([^\]]+)\]$/.exec(k.slice(name.length))?.[1]);
    if (indexed.length > 0 && fields.every((f) => f !== undefined && !/^\d+$/.test(f))) return Object.fromEntries(indexed.map(([, v], i) => [fields[i], v]));
    if (indexed.length > 0) return indexed.map(([, v]) => v);
    if (values.length === 0) return undefined;
    return values.length === 1 && !query.has(`${name}[]`) ? values[0] : values;
}

function describe(errors: ErrorObject[] | null | undefined, root = "(body)"): string[] {
    const all = errors ?? [];
    // A oneOf's branch errors say more than "must match exactly one schema", unless they are all there is.
    const specific = all.filter((e) => e.keyword !== "anyOf" && e.keyword !== "oneOf");
    return (specific.length > 0 ? specific : all)
        .map((e) => `${e.instancePath || root}${e.instancePath || root ? " " : ""}${e.message}${e.keyword === "additionalProperties" ? ` ("${(e.params as { additionalProperty: string }).additionalProperty}")` : ""}${e.keyword === "enum" ? ` (${JSON.stringify((e.params as { allowedValues: unknown }).allowedValues)})` : ""}`)
        .filter((m, i, all) => all.indexOf(m) === i);
}

/**
 * Stripe reads an empty form value as "unset this field", and its spec says where that is allowed:
 * the field's schema lists `enum: [""]` among its alternatives. Anywhere else Stripe refuses it.
 */
function emptyStringProblems(body: unknown, schema: unknown, schemas: Record<string, unknown>, at = ""): string[] {
    if (body === "") {
        // Stripe documents `metadata[key]=""` as removing one key, though the schema cannot say so.
        if (/\/metadata\/[^/]+$/.test(at)) return [];
        return allowsEmpty(schema, schemas) ? [] : [`${at || "(body)"} is "" but the spec does not let this field be emptied`];
    }
    if (typeof body !== "object" || body === null) return [];
    const resolved = resolve(schema, schemas);
    const problems: string[] = [];
    for (const [key, value] of Object.entries(body)) {
        const child = childSchema(resolved, key, schemas);
        if (child === undefined) continue;
        problems.push(...emptyStringProblems(value, child, schemas, `${at}/${key}`));
    }
    return problems;
}

function resolve(schema: unknown, schemas: Record<string, unknown>): Record<string, unknown> {
    let current = (schema ?? {}) as Record<string, unknown>;
    for (let depth = 0; typeof current.$ref === "string" && depth < 20; depth++) current = (schemas[(current.$ref as string).split("/").pop()!] ?? {}) as Record<string, unknown>;
    return current;
}

function alternatives(schema: Record<string, unknown>, schemas: Record<string, unknown>): Record<string, unknown>[] {
    const options = [...((schema.anyOf as unknown[]) ?? []), ...((schema.oneOf as unknown[]) ?? [])];
    return options.length === 0 ? [schema] : options.map((o) => resolve(o, schemas));
}

function allowsEmpty(schema: unknown, schemas: Record<string, unknown>): boolean {
    return alternatives(resolve(schema, schemas), schemas).some((s) => Array.isArray(s.enum) && s.enum.includes(""));
}

function childSchema(schema: Record<string, unknown>, key: string, schemas: Record<string, unknown>): unknown {
    for (const option of alternatives(schema, schemas)) {
        const properties = option.properties as Record<string, unknown> | undefined;
        if (properties && key in properties) return properties[key];
        if (option.items !== undefined && /^\d+$/.test(key)) return option.items;
        if (typeof option.additionalProperties === "object") return option.additionalProperties;
    }
    return undefined;
}

/**
 * Fields of an answer that no alternative of its schema declares (where the schema lists its
 * properties and allows no others of its own accord).
 */
function undeclaredFields(value: unknown, schema: unknown, schemas: Record<string, unknown>, at = ""): string[] {
    const resolved = resolve(schema, schemas);
    // An allOf (a discriminator's if/then rules among them) speaks for the whole; else each alternative does.
    const options = Array.isArray(resolved.allOf) ? [mergedAllOf(resolved, value, schemas)] : alternatives(resolved, schemas).map((o) => (Array.isArray(o.allOf) ? mergedAllOf(o, value, schemas) : o));
    if (Array.isArray(value)) {
        const items = options.find((o) => o.items !== undefined)?.items;
        return items === undefined ? [] : value.flatMap((item, i) => undeclaredFields(item, items, schemas, `${at}/${i}`));
    }
    if (!value || typeof value !== "object") return [];
    const objects = options.filter((o) => o.properties !== undefined || o.additionalProperties !== undefined);
    if (objects.length === 0) return [];
    const problems: string[] = [];
    for (const [key, child] of Object.entries(value)) {
        const declaring = objects.find((o) => key in ((o.properties as Record<string, unknown>) ?? {}));
        if (declaring) {
            problems.push(...undeclaredFields(child, (declaring.properties as Record<string, unknown>)[key], schemas, `${at}/${key}`));
            continue;
        }
        const open = objects.find((o) => o.additionalProperties !== undefined && o.additionalProperties !== false);
        if (open) {
            if (typeof open.additionalProperties === "object") problems.push(...undeclaredFields(child, open.additionalProperties, schemas, `${at}/${key}`));
            continue;
        }
        problems.push(`${at}/${key} is a field the spec does not declare`);
    }
    return problems;
}

/** An allOf as one schema: its parts' properties, and of an if/then part the `then` whose `if` the value meets. */
function mergedAllOf(schema: Record<string, unknown>, value: unknown, schemas: Record<string, unknown>): Record<string, unknown> {
    const parts = (schema.allOf as unknown[]).map((p) => resolve(p, schemas)).flatMap((p) => (p.if === undefined ? [p] : meets(value, p.if as Record<string, unknown>) ? [resolve(p.then, schemas)] : []));
    return { ...schema, properties: Object.assign({}, schema.properties, ...parts.map((p) => p.properties ?? {})) };
}

/** Whether a value meets a condition made of required keys, constants, enums and a `not`. */
function meets(value: unknown, condition: Record<string, unknown>): boolean {
    if (!value || typeof value !== "object") return false;
    const record = value as Record<string, unknown>;
    if (((condition.required as string[]) ?? []).some((key) => !(key in record))) return false;
    for (const [key, rule] of Object.entries((condition.properties as Record<string, { const?: unknown; enum?: unknown[] }>) ?? {})) {
        if (!(key in record)) continue;
        if ("const" in rule && record[key] !== rule.const) return false;
        if (rule.enum && !rule.enum.includes(record[key])) return false;
    }
    return condition.not === undefined || !meets(value, condition.not as Record<string, unknown>);
}

