/**
 * Shapes and rules of Appwrite objects, used by the stack config and by the providers' check.
 * Appwrite's own rules are checked here before any request.
 */
import { ProjectKeyScopes, Runtime } from "node-appwrite";
import { z } from "zod";
import { httpUrl } from "../core/validation";
import type { AttributeType } from "./schema-api";

/** Appwrite's rule for custom ids (and attribute and index keys). */
export const APPWRITE_ID_MAX = 36;
export const APPWRITE_ID_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,35}$/;

export function idSchema(what = "id") {
    return z
        .string()
        .max(APPWRITE_ID_MAX, `${what} must be at most ${APPWRITE_ID_MAX} characters`)
        .regex(/^[a-zA-Z0-9._-]*$/, `${what} may hold only letters, digits, period, hyphen and underscore`)
        .regex(/^[a-zA-Z0-9]/, `${what} must not start with a special character`);
}

/**
 * Permission strings as Appwrite's Permission helper writes them: read("any"), create("users"),
 * update("user:ID/verified"), delete("team:ID/role"), write("label:admins").
 */
export const PERMISSION_PATTERN =
    /^(read|create|update|delete|write)\("(any|guests|users(\/(verified|unverified))?|user:[a-zA-Z0-9][a-zA-Z0-9._-]{0,35}(\/(verified|unverified))?|team:[a-zA-Z0-9][a-zA-Z0-9._-]{0,35}(\/[a-zA-Z0-9._-]+)?|member:[a-zA-Z0-9][a-zA-Z0-9._-]{0,35}|label:[a-zA-Z0-9]+)"\)$/;

/**
 * Permissions as Appwrite stores them: `write("role")` stands for create, update and delete of
 * that role and comes back as those three (utopia-php/database Permission::aggregate, which
 * Appwrite applies to collection and bucket permissions), so comparing what we asked for with
 * what a read returns needs the same expansion. Sorted, without repeats.
 */
export function storedPermissions(list: readonly string[]): string[] {
    const expanded = list.flatMap((p) => {
        const role = /^write(\(".*"\))$/.exec(p)?.[1];
        return role === undefined ? [p] : [`create${role}`, `update${role}`, `delete${role}`];
    });
    return [...new Set(expanded)].sort();
}

export function permissionsSchema() {
    return z
        .array(z.string().regex(PERMISSION_PATTERN, 'must be a permission such as read("any"), create("users") or update("team:ID/owner")'))
        .default([])
        .transform(storedPermissions);
}

export function connectionShape() {
    return {
        endpoint: httpUrl("must be the Appwrite endpoint, e.g. https://cloud.appwrite.io/v1"),
        projectId: idSchema("projectId"),
    };
}

export const ATTRIBUTE_TYPES = ["string", "integer", "float", "boolean", "email", "url", "ip", "enum", "datetime", "relationship"] as const satisfies readonly AttributeType[];
/** Appwrite's largest string attribute. */
export const MAX_STRING_SIZE = 1_073_741_824;
// An array, not a Set: the closure serializer does not rebuild Sets captured by a provider.
const STRING_LIKE: readonly string[] = ["string", "email", "url", "ip", "enum", "datetime"];

export function attributeFieldsShape() {
    return {
        type: z.enum(ATTRIBUTE_TYPES),
        required: z.boolean().default(false),
        array: z.boolean().default(false),
        default: z.union([z.string(), z.number(), z.boolean()]).nullable().default(null),
        size: z.number().int().min(1).max(MAX_STRING_SIZE, `must be at most ${MAX_STRING_SIZE}`).nullable().default(null),
        min: z.number().nullable().default(null),
        max: z.number().nullable().default(null),
        elements: z.array(z.string().min(1, "enum elements must not be empty").max(255, "enum elements must be at most 255 characters")).nullable().default(null),
        relatedCollectionId: idSchema("relatedCollectionId").nullable().default(null),
        relationType: z.enum(["oneToOne", "oneToMany", "manyToOne", "manyToMany"]).nullable().default(null),
        twoWay: z.boolean().default(false),
        twoWayKey: idSchema("twoWayKey").nullable().default(null),
        onDelete: z.enum(["cascade", "restrict", "setNull"]).default("restrict"),
    };
}

type Fields = z.output<z.ZodObject<ReturnType<typeof attributeFieldsShape>>>;

/** The rules Appwrite applies across fields, checked before any request. */
export function checkAttributeRules(a: Fields, ctx: z.RefinementCtx): void {
    const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    const isRelationship = a.type === "relationship";
    if (a.type === "string" && a.size === null) issue("size", "is required for a string attribute");
    if (a.type !== "string" && a.size !== null) issue("size", "applies only to string attributes");
    if (a.type !== "integer" && a.type !== "float" && (a.min !== null || a.max !== null)) issue("min", "min and max apply only to integer and float attributes");
    if (a.type === "integer") {
        for (const bound of ["min", "max"] as const) if (a[bound] !== null && !Number.isSafeInteger(a[bound])) issue(bound, "must be a whole number within ±2^53");
    }
    if (a.min !== null && a.max !== null && a.min > a.max) issue("max", "must not be below min");
    if (a.type === "enum") {
        if (!a.elements || a.elements.length === 0) issue("elements", "are required for an enum attribute");
        else if (new Set(a.elements).size !== a.elements.length) issue("elements", "must not repeat an element");
    } else if (a.elements !== null) issue("elements", "apply only to enum attributes");
    if (a.default !== null) {
        if (a.required) issue("default", "cannot be set on a required attribute (Appwrite refuses it)");
        if (a.array) issue("default", "cannot be set on an array attribute");
        if (isRelationship) issue("default", "cannot be set on a relationship");
        const d = a.default;
        if (STRING_LIKE.includes(a.type) && typeof d !== "string") issue("default", `must be text for a ${a.type} attribute`);
        if ((a.type === "integer" && !Number.isSafeInteger(d)) || (a.type === "float" && typeof d !== "number")) issue("default", `must be a number${a.type === "integer" ? " without decimals" : ""}`);
        if (a.type === "boolean" && typeof d !== "boolean") issue("default", "must be true or false");
        if (typeof d === "number" && ((a.min !== null && d < a.min) || (a.max !== null && d > a.max))) issue("default", "must lie between min and max");
        if (a.type === "enum" && a.elements && !a.elements.includes(String(d))) issue("default", "must be one of the elements");
        if (a.type === "email" && typeof d === "string" && !z.email().safeParse(d).success) issue("default", "must be an email address");
        if (a.type === "url" && typeof d === "string" && !z.url().safeParse(d).success) issue("default", "must be a URL");
        if (a.type === "ip" && typeof d === "string" && !z.union([z.ipv4(), z.ipv6()]).safeParse(d).success) issue("default", "must be an IP address");
        if (a.type === "datetime" && typeof d === "string" && Number.isNaN(Date.parse(d))) issue("default", "must be an ISO 8601 date and time");
    }
    if (isRelationship) {
        if (a.relatedCollectionId === null) issue("relatedCollectionId", "is required for a relationship");
        if (a.relationType === null) issue("relationType", "is required for a relationship (oneToOne, oneToMany, manyToOne, manyToMany)");
        if (a.required || a.array) issue("required", "a relationship cannot be required or an array: Appwrite manages both sides");
        if (a.twoWayKey !== null && !a.twoWay) issue("twoWayKey", "needs twoWay: true");
    } else if (a.relatedCollectionId !== null || a.relationType !== null || a.twoWay || a.twoWayKey !== null) {
        issue("relationType", "relationship fields apply only to relationship attributes");
    }
}

export function attributeInputSchema() {
    return z
        .object({ ...connectionShape(), databaseId: idSchema("databaseId"), collectionId: idSchema("collectionId"), key: idSchema("key"), ...attributeFieldsShape() })
        .superRefine(checkAttributeRules);
}

export type AttributeInputs = z.output<ReturnType<typeof attributeInputSchema>>;

export function indexFieldsShape() {
    return {
        type: z.enum(["key", "unique", "fulltext"]),
        attributes: z.array(z.string().min(1)).min(1, "must name at least one attribute").max(30),
        orders: z.array(z.enum(["ASC", "DESC"])).nullable().default(null),
    };
}

type IndexFields = z.output<z.ZodObject<ReturnType<typeof indexFieldsShape>>>;

/** The rules between an index's fields, as Appwrite enforces them. */
export function checkIndexRules(i: IndexFields, ctx: z.RefinementCtx): void {
    if (i.orders !== null && i.orders.length !== i.attributes.length) ctx.addIssue({ code: "custom", path: ["orders"], message: "must give one order per attribute" });
    if (new Set(i.attributes).size !== i.attributes.length) ctx.addIssue({ code: "custom", path: ["attributes"], message: "must not name an attribute twice" });
}

export function indexInputSchema() {
    return z
        .object({ ...connectionShape(), databaseId: idSchema("databaseId"), collectionId: idSchema("collectionId"), key: idSchema("key"), ...indexFieldsShape() })
        .superRefine(checkIndexRules);
}

export type IndexInputs = z.output<ReturnType<typeof indexInputSchema>>;

export function collectionInputSchema() {
    return z.object({
        ...connectionShape(),
        databaseId: idSchema("databaseId"),
        collectionId: idSchema("collectionId"),
        name: z.string().min(1).max(128),
        permissions: permissionsSchema(),
        documentSecurity: z.boolean().default(false),
        enabled: z.boolean().default(true),
    });
}

export type CollectionInputs = z.output<ReturnType<typeof collectionInputSchema>>;

export function databaseInputSchema() {
    return z.object({ ...connectionShape(), databaseId: idSchema("databaseId"), name: z.string().min(1).max(128), enabled: z.boolean().default(true) });
}

export type DatabaseInputs = z.output<ReturnType<typeof databaseInputSchema>>;

export function appwriteBucketInputSchema() {
    return z.object({
        ...connectionShape(),
        bucketId: idSchema("bucketId"),
        name: z.string().min(1).max(128),
        permissions: permissionsSchema(),
        fileSecurity: z.boolean().default(false),
        enabled: z.boolean().default(true),
        /** Bytes; Appwrite's own ceiling applies (30 MB on Cloud's free plan). */
        maximumFileSize: z.number().int().min(1).nullable().default(null),
        allowedFileExtensions: z
            .array(z.string().regex(/^[a-z0-9]{1,64}$/i, "must be an extension without the dot, e.g. png"))
            .max(100)
            .default([])
            .transform((list) => [...new Set(list.map((e) => e.toLowerCase()))].sort()),
        compression: z.enum(["none", "gzip", "zstd"]).default("none"),
        encryption: z.boolean().default(true),
        antivirus: z.boolean().default(true),
    });
}

export type AppwriteBucketInputs = z.output<ReturnType<typeof appwriteBucketInputSchema>>;

export function functionVariableInputSchema() {
    return z.object({
        ...connectionShape(),
        functionId: idSchema("functionId"),
        variableId: idSchema("variableId"),
        key: variableKeySchema(),
        value: z.string().max(8192, "must be at most 8192 characters"),
        /** Only the function can read a secret variable. */
        secret: z.boolean().default(true),
    });
}

export type FunctionVariableInputs = z.output<ReturnType<typeof functionVariableInputSchema>>;

/**
 * Runtimes Appwrite 1.9 takes for a function: the `runtime` enum of POST /functions in the 1.9.x
 * server spec, which node-appwrite 27.1.0 ships as its `Runtime` enum (dist/enums/runtime.js). A
 * server runs only those its `_APP_FUNCTIONS_RUNTIMES` allows (404 function_runtime_unsupported).
 */
export function appwriteRuntimes(): [string, ...string[]] {
    return Object.values(Runtime) as [string, ...string[]];
}

/** Appwrite's longest function timeout (`_APP_FUNCTIONS_TIMEOUT` defaults to 900 s). */
export const FUNCTION_TIMEOUT_MAX = 900;

/** An environment variable's name, as Appwrite keys function variables. */
export function variableKeySchema() {
    return z.string().min(1).max(255, "must be at most 255 characters").regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name: letters, digits and _, not starting with a digit");
}

/** A path inside the function's code: relative, `/`-separated, no `.` or `..` segment. */
const CODE_PATH = /^(?!\/)(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9._@+-]+(\/[A-Za-z0-9._@+-]+)*$/;

/** Roles Appwrite accepts in a function's `execute` (utopia-php Roles validator): any, guests, users, user:ID, team:ID[/role], label:NAME. */
const EXECUTE_ROLE = /^(any|guests|users(\/(verified|unverified))?|user:[a-zA-Z0-9][a-zA-Z0-9._-]{0,35}(\/(verified|unverified))?|team:[a-zA-Z0-9][a-zA-Z0-9._-]{0,35}(\/[a-zA-Z0-9._-]+)?|member:[a-zA-Z0-9][a-zA-Z0-9._-]{0,35}|label:[a-zA-Z0-9]+)$/;

/** A DNS name a proxy rule can serve (Appwrite's Domain validator): labels of letters, digits and hyphens. */
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

export function appwriteFunctionInputSchema() {
    const runtimes = appwriteRuntimes();
    return z
        .object({
            ...connectionShape(),
            functionId: idSchema("functionId"),
            name: z.string().min(1).max(128, "must be at most 128 characters"),
            runtime: z.enum(runtimes, { error: `must be one of Appwrite's runtimes: ${runtimes.join(", ")}` }),
            /** The file Appwrite starts, relative to the code's root, e.g. src/main.js. */
            entrypoint: z.string().min(1).max(1028, "must be at most 1028 characters").regex(CODE_PATH, "must be a relative path inside the code, without . or .. segments"),
            /** The build step Appwrite runs on a deployment, e.g. `npm install` for a function with dependencies. */
            commands: z.string().max(8192, "must be at most 8192 characters").default(""),
            /** The function's files, by path relative to its root; deployed as one tar.gz. */
            code: z.record(z.string().regex(CODE_PATH, "paths must be relative, without . or .. segments"), z.string()).refine((files) => Object.keys(files).length > 0, { message: "must hold at least one file" }),
            /** Environment variables, by name; values are secret. A change redeploys the function. */
            variables: z.record(variableKeySchema(), z.string().max(8192, "values must be at most 8192 characters")).default({}),
            /** Roles that may execute it; `any` lets a webhook call its domain. */
            execute: z.array(z.string().regex(EXECUTE_ROLE, 'must be a role such as any, guests, users, user:ID or team:ID')).max(100).default(["any"]),
            /**
             * What the key Appwrite hands each execution (the `x-appwrite-key` header) may do, e.g.
             * documents.write: node-appwrite's ProjectKeyScopes.
             */
            scopes: z.array(z.enum(Object.values(ProjectKeyScopes) as [string, ...string[]], { error: "must be an API key scope such as documents.write (node-appwrite's ProjectKeyScopes)" })).default([]).transform((list) => [...new Set(list)].sort()),
            /** Seconds an execution may take. */
            timeout: z.number().int().min(1).max(FUNCTION_TIMEOUT_MAX, `must be at most ${FUNCTION_TIMEOUT_MAX} seconds`).default(15),
            /**
             * The function's domain: a proxy rule made in the console or with the Proxy API (Appwrite
             * Cloud: `<subdomain>.<region>.appwrite.run`). `url` is built from it.
             */
            domain: z.string().regex(DOMAIN, "must be a domain name such as events.fra.appwrite.run").nullable().default(null),
        })
        .superRefine((f, ctx) => {
            if (!(f.entrypoint in f.code)) ctx.addIssue({ code: "custom", path: ["entrypoint"], message: "must name a file of code" });
        });
}

export type AppwriteFunctionInputs = z.output<ReturnType<typeof appwriteFunctionInputSchema>>;

/**
 * Appwrite Messaging's Resend provider (POST /messaging/providers/resend, app/controllers/api/
 * messaging.php): Appwrite enables it only with an API key and a sender address.
 */
export function resendProviderInputSchema() {
    return z
        .object({
            ...connectionShape(),
            providerId: idSchema("providerId"),
            name: z.string().min(1).max(128, "must be at most 128 characters"),
            /** A Resend API key; a sending-only one is enough. */
            apiKey: z.string().min(1, "must be a Resend API key"),
            fromName: z.string().max(128, "must be at most 128 characters").default(""),
            fromEmail: z.email("must be an email address"),
            replyToName: z.string().max(128, "must be at most 128 characters").default(""),
            replyToEmail: z.email("must be an email address").or(z.literal("")).default(""),
            enabled: z.boolean().default(true),
        })
        .superRefine((p, ctx) => {
            // Appwrite's update ignores empty values: a reply-to once set cannot be cleared in place.
            if (p.replyToName !== "" && p.replyToEmail === "") ctx.addIssue({ code: "custom", path: ["replyToEmail"], message: "is required with replyToName" });
        });
}

export type ResendProviderInputs = z.output<ReturnType<typeof resendProviderInputSchema>>;
