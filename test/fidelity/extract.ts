/**
 * Extracts a vendor's contract from its published OpenAPI spec: for every route the emulator
 * answers, the spec's operation (parameters, request body, responses) and every schema those
 * reference, into test/fidelity/contracts/<vendor>.json with where the spec came from.
 *
 *   npm run build
 *   node bin/test/fidelity/extract.js <vendor> <spec file (.json or .yaml)> <repository> <path in repository> <commit>
 *
 * docs/fidelity.md lists the command for each vendor.
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import type { Contract, ContractParameter, ContractRoute } from "./contract";
import { FIDELITY_VENDORS } from "./vendors";

type Json = Record<string, unknown>;

interface PathItem {
    parameters?: Json[];
    [method: string]: Json | Json[] | undefined;
}

interface Spec {
    info?: { version?: string };
    paths: Record<string, PathItem>;
    components?: { schemas?: Json; parameters?: Json; requestBodies?: Json; responses?: Json };
}

function localRef(spec: Spec, ref: string): Json {
    const parts = ref.replace(/^#\//, "").split("/");
    let node: unknown = spec;
    for (const part of parts) node = (node as Json)[part.replace(/~1/g, "/").replace(/~0/g, "~")];
    if (node === undefined) throw new Error(`the spec has no ${ref}`);
    return node as Json;
}

/** A parameter, request body or response given as a $ref, followed to its definition. */
function followed(spec: Spec, value: Json): Json {
    return typeof value.$ref === "string" && !value.$ref.startsWith("#/components/schemas/") ? followed(spec, localRef(spec, value.$ref)) : value;
}

/** The spec path an emulator route answers: same segments, literals equal, parameters in place. */
function specPathFor(spec: Spec, routePath: string, method: string): string | undefined {
    const segments = routePath.split("/").filter(Boolean);
    const candidates = Object.keys(spec.paths).filter((specPath) => {
        if (!spec.paths[specPath][method]) return false;
        const specSegments = specPath.split("/").filter(Boolean);
        if (specSegments.length !== segments.length) return false;
        return specSegments.every((s, i) => {
            const ours = segments[i];
            const specIsParam = /^\{.+\}$/.test(s);
            const oursIsParam = /^[:*]/.test(ours);
            return specIsParam ? oursIsParam : !oursIsParam && s === ours;
        });
    });
    return candidates[0];
}

function schemaOfContent(content: Json | undefined): { contentType: string; schema?: unknown } | undefined {
    if (!content) return undefined;
    const contentType = Object.keys(content).find((t) => t.includes("json")) ?? Object.keys(content)[0];
    if (!contentType) return undefined;
    return { contentType, schema: (content[contentType] as Json | undefined)?.schema };
}

function routeOf(spec: Spec, specPath: string, method: string): ContractRoute {
    const pathItem = spec.paths[specPath];
    const operation = pathItem[method] as Json;
    const parameters = [...(pathItem.parameters ?? []), ...((operation.parameters as Json[] | undefined) ?? [])].map((p) => {
        const parameter = followed(spec, p);
        return { name: parameter.name, in: parameter.in, required: parameter.required === true, schema: parameter.schema, ...(parameter.style ? { style: parameter.style } : {}) } as ContractParameter;
    });
    const body = operation.requestBody ? followed(spec, operation.requestBody as Json) : undefined;
    const bodySchema = body ? schemaOfContent(body.content as Json) : undefined;
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries((operation.responses as Json) ?? {})) {
        responses[status] = schemaOfContent(followed(spec, response as Json).content as Json)?.schema ?? null;
    }
    return {
        spec: `${method.toUpperCase()} ${specPath}`,
        parameters,
        ...(bodySchema ? { requestBody: { required: body!.required === true, contentType: bodySchema.contentType, schema: bodySchema.schema } } : {}),
        responses,
    };
}

/**
 * OpenAPI's discriminator picks one alternative of a oneOf by a property; JSON Schema validators
 * do not read it, and overlapping alternatives then all match. Appwrite's `x-mapping` (and the
 * standard `mapping`) become if/then rules on the properties they name.
 */
function withDiscriminatorRules(schema: unknown): unknown {
    if (Array.isArray(schema)) return schema.map(withDiscriminatorRules);
    if (!schema || typeof schema !== "object") return schema;
    const node = schema as Json;
    const discriminator = node.discriminator as { propertyName?: string; mapping?: Record<string, string>; "x-mapping"?: Record<string, Record<string, string>> } | undefined;
    if (discriminator && Array.isArray(node.oneOf)) {
        const mapping: Record<string, Record<string, string>> =
            discriminator["x-mapping"] ?? Object.fromEntries(Object.entries(discriminator.mapping ?? {}).map(([value, ref]) => [ref, { [discriminator.propertyName!]: value }]));
        const entries = Object.entries(mapping);
        const conditions = entries.map(([, values]) => {
            const condition: Json = { properties: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { const: v }])), required: Object.keys(values) };
            // A mapping on `type` alone must not claim the objects a more specific mapping (type and format) names.
            const narrower = entries.filter(([, other]) => Object.keys(other).length > Object.keys(values).length && Object.entries(values).every(([k, v]) => other[k] === v));
            const extra = [...new Set(narrower.flatMap(([, other]) => Object.keys(other).filter((k) => !(k in values))))];
            if (extra.length === 1) condition.not = { properties: { [extra[0]]: { enum: narrower.map(([, other]) => other[extra[0]]) } }, required: extra };
            return condition;
        });
        return { allOf: entries.map(([ref], i) => ({ if: conditions[i], then: { $ref: ref } })), anyOf: conditions };
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, withDiscriminatorRules(v)]));
}

/** A newer spec's operations laid over an older whole spec, with where they come from and why. */
interface Overlay {
    source: { repository: string; path: string; commit: string; version: string };
    differences?: Record<string, string>;
    /** Paths of the older spec the newer one no longer has. */
    removed?: string[];
    paths: Record<string, PathItem>;
}

function applyOverlay(spec: Spec, overlay: Overlay): void {
    for (const removed of overlay.removed ?? []) delete spec.paths[removed];
    for (const [specPath, item] of Object.entries(overlay.paths)) spec.paths[specPath] = { ...spec.paths[specPath], ...item };
}

/** Every `#/components/schemas/X` reachable from the routes. */
function referencedSchemas(spec: Spec, roots: unknown[]): Json {
    const found: Json = {};
    const queue = [...roots];
    while (queue.length > 0) {
        const text = JSON.stringify(queue.pop() ?? null);
        for (const match of text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
            const name = match[1];
            if (name in found) continue;
            // Examples are data, not rules, and Appwrite's carry `$id` keys that confuse a validator.
            const { example: _example, ...schema } = (spec.components?.schemas?.[name] ?? {}) as Json;
            found[name] = schema;
            queue.push(found[name]);
        }
    }
    return Object.fromEntries(Object.entries(found).sort(([a], [b]) => a.localeCompare(b)));
}

export function extractContract(vendor: string, spec: Spec, source: Contract["source"]): Contract {
    const definition = FIDELITY_VENDORS[vendor];
    if (!definition) throw new Error(`unknown vendor "${vendor}"; one of ${Object.keys(FIDELITY_VENDORS).join(", ")}`);
    const routes: Record<string, ContractRoute> = {};
    const unmatched: string[] = [];
    for (const key of definition.emulator().routeKeys()) {
        const [method, routePath] = key.split(" ");
        const specPath = routePath.startsWith(definition.routePrefix) ? specPathFor(spec, routePath.slice(definition.routePrefix.length) || "/", method.toLowerCase()) : undefined;
        if (specPath === undefined) unmatched.push(key);
        else routes[key] = withDiscriminatorRules(routeOf(spec, specPath, method.toLowerCase())) as ContractRoute;
    }
    return {
        vendor,
        source,
        routePrefix: definition.routePrefix,
        bodyEncoding: definition.bodyEncoding,
        routes,
        unmatched,
        schemas: withDiscriminatorRules(referencedSchemas(spec, Object.values(routes))) as Json,
    };
}

function isExcerpt(spec: Spec): boolean {
    const marked = spec as Spec & { "x-stackwire-excerpt"?: unknown; info?: { "x-source"?: unknown } };
    return marked["x-stackwire-excerpt"] !== undefined || marked.info?.["x-source"] !== undefined;
}

function excerptNote(spec: Spec): Record<string, unknown> {
    const marked = spec as Spec & { "x-stackwire-excerpt"?: Record<string, unknown>; info?: { description?: string } };
    return marked["x-stackwire-excerpt"] ?? { what: marked.info?.description ?? "an excerpt of the spec" };
}

function main(): void {
    const [vendor, specFile, repository, specPathInRepo, commit, overlayFlag, overlayFile] = process.argv.slice(2);
    if (!commit || (overlayFlag !== undefined && (overlayFlag !== "--overlay" || !overlayFile))) {
        console.error("usage: node bin/test/fidelity/extract.js <vendor> <spec file> <repository> <path in repository> <commit> [--overlay <newer operations file>]");
        process.exit(2);
    }
    const text = readFileSync(specFile, "utf8");
    const spec = (specFile.endsWith(".json") ? JSON.parse(text) : yaml.load(text)) as Spec;
    const overlay = overlayFile ? (JSON.parse(readFileSync(overlayFile, "utf8")) as Overlay) : undefined;
    if (overlay) applyOverlay(spec, overlay);
    const contract = extractContract(vendor, spec, {
        repository,
        path: specPathInRepo,
        commit,
        version: spec.info?.version ?? "unknown",
        extractedWith: "test/fidelity/extract.ts",
        ...(overlay ? { overrides: { ...overlay.source, file: path.relative(process.cwd(), overlayFile), differences: overlay.differences ?? {} } } : {}),
        // A spec file that is an excerpt (the whole could not be read here) says so, and how it departs.
        ...(isExcerpt(spec) ? { excerpt: { file: path.relative(process.cwd(), specFile), ...excerptNote(spec) } } : {}),
    });
    const out = path.join(process.cwd(), "test", "fidelity", "contracts", `${vendor}.json`);
    writeFileSync(out, `${JSON.stringify(contract, null, 1)}\n`);
    console.log(`${vendor}: ${Object.keys(contract.routes).length} routes, ${Object.keys(contract.schemas).length} schemas, unmatched: ${contract.unmatched.join(", ") || "none"} -> ${path.relative(process.cwd(), out)}`);
}

if (require.main === module) main();
