/** Shapes and rules of Supabase objects, used by the stack config and by the providers' check. */
import { z } from "zod";
import { baseUrlSchema } from "../core/rest";
import { httpUrl } from "../core/validation";

/** Supabase's rule for bucket names (storage API `isValidBucketName`). */
export const BUCKET_NAME_PATTERN = /^[\w!.*'() &$@=;:+,?-]+$/;
export const BUCKET_NAME_MAX = 100;
/**
 * type/subtype, the subtype may be the wildcard "*": RFC 6838's shape, held to the characters the
 * Storage server accepts (letters, digits, `.`, `+`, `-`: supabase/storage src/storage/storage.ts
 * `validateMimeType`, 4fa61fba9371c4bd40cbb81509f07bcb3af21683), which refuses RFC 6838's
 * `! # $ & ^ _` with InvalidMimeType.
 */
export const MIME_TYPE_PATTERN = /^[a-z0-9][a-z0-9.+-]*\/([a-z0-9][a-z0-9.+-]*|\*)$/;
/** A project's reference, as in https://<ref>.supabase.co: 20 lower-case letters (api_v1_openapi.json, `ref`). */
export const PROJECT_REF_PATTERN = /^[a-z]{20}$/;
export const SUPABASE_MANAGEMENT_URL = "https://api.supabase.com";

export function projectUrlSchema() {
    return httpUrl("must be the project's http(s) URL, e.g. https://abcd.supabase.co");
}

export function projectRefSchema() {
    return z.string().regex(PROJECT_REF_PATTERN, "must be the project's reference, 20 lower-case letters, as in https://<ref>.supabase.co");
}

export function mimeTypeListSchema() {
    return z.array(z.string().toLowerCase().regex(MIME_TYPE_PATTERN, "must be a MIME type such as image/png or image/*, of letters, digits, . + and -"));
}

export function bucketInputSchema() {
    return z.object({
        projectUrl: projectUrlSchema(),
        bucketId: z
            .string()
            .min(1, "must not be empty")
            .max(BUCKET_NAME_MAX, `must be at most ${BUCKET_NAME_MAX} characters`)
            .refine((s) => s.trim() === s, "must not start or end with white space")
            .refine((s) => !s.includes("/") && !s.includes("\\"), "must not contain / or \\")
            // URL parsers resolve a "." or ".." segment away (%2E too): no request could reach such a bucket.
            .refine((s) => s !== "." && s !== "..", 'must not be "." or "..", which no URL can address')
            .refine((s) => BUCKET_NAME_PATTERN.test(s), "may hold only letters, digits, spaces and _ ! - . * ' ( ) & $ @ = ; : + , ?"),
        public: z.boolean().default(false),
        fileSizeLimit: z
            .number()
            .int("must be a whole number of bytes")
            .nonnegative("must not be negative")
            .nullable()
            .default(null),
        allowedMimeTypes: mimeTypeListSchema()
            .nullable()
            .default(null)
            .transform((list) => (list === null || list.length === 0 ? null : list))
            .refine((list) => list === null || new Set(list).size === list.length, "must not list a MIME type twice"),
        forceDestroy: z.boolean().default(false),
        adoptExisting: z.boolean().default(false),
    });
}

export type BucketInputs = z.output<ReturnType<typeof bucketInputSchema>>;

/** The Management API's limits on one secret (api_v1_openapi.json, CreateSecretBody). */
export const SECRET_NAME_MAX = 256;
export const SECRET_VALUE_MAX = 24576;

export function secretSetInputSchema() {
    return z.object({
        managementUrl: baseUrlSchema(SUPABASE_MANAGEMENT_URL),
        projectRef: projectRefSchema(),
        secrets: z
            .record(
                z
                    .string()
                    .max(SECRET_NAME_MAX, `secret names are at most ${SECRET_NAME_MAX} characters`)
                    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "secret names are letters, digits and _, not starting with a digit")
                    .refine((n) => !n.startsWith("SUPABASE_"), "names starting with SUPABASE_ are reserved by Supabase"),
                z.string().min(1, "must not be empty").max(SECRET_VALUE_MAX, `must be at most ${SECRET_VALUE_MAX} characters (the Management API's limit)`),
            )
            .refine((s) => Object.keys(s).length > 0, "must hold at least one secret"),
    });
}

export type SecretSetInputs = z.output<ReturnType<typeof secretSetInputSchema>>;

/**
 * An Edge Function's slug, as the deploy endpoint takes it (api_v1_openapi.json, v1-deploy-a-function,
 * query `slug`: `^[A-Za-z][A-Za-z0-9_-]*$`); it is also the last segment of the function's URL.
 */
export const FUNCTION_SLUG_PATTERN = /^[A-Za-z][A-Za-z0-9_-]*$/;
/** What an Edge Function's sources may weigh in all: they are kept in the state with its inputs. */
export const FUNCTION_SOURCES_MAX_BYTES = 1024 * 1024;

/** A file's path inside the function: relative, `/`-separated, no `.` or `..` segment. */
function functionFilePath() {
    return z
        .string()
        .min(1, "must not be empty")
        .refine((p) => !p.startsWith("/") && !p.includes("\\"), "must be a relative path with / separators")
        .refine((p) => p.split("/").every((s) => s !== "" && s !== "." && s !== ".."), "must not hold empty, . or .. segments");
}

export function edgeFunctionInputSchema() {
    return z
        .object({
            managementUrl: baseUrlSchema(SUPABASE_MANAGEMENT_URL),
            projectRef: projectRefSchema(),
            /** The project's URL (https://<ref>.supabase.co), from which the function's URL is made. */
            projectUrl: projectUrlSchema(),
            slug: z.string().regex(FUNCTION_SLUG_PATTERN, "must start with a letter and hold only letters, digits, _ and - (Supabase's slug rule)"),
            /** Shown in the dashboard. @default the slug */
            name: z.string().min(1, "must not be empty").max(256, "must be at most 256 characters").optional(),
            /** The function's sources: path relative to its root → text. */
            files: z
                .record(functionFilePath(), z.string())
                .refine((f) => Object.keys(f).length > 0, "must hold at least one file")
                .refine((f) => Object.values(f).reduce((n, text) => n + Buffer.byteLength(text, "utf8"), 0) <= FUNCTION_SOURCES_MAX_BYTES, `must weigh at most ${FUNCTION_SOURCES_MAX_BYTES} bytes in all (they are kept in the state)`),
            /** The file that starts the function. */
            entrypoint: functionFilePath().default("index.ts"),
            /** A deno.json or import map among `files`. */
            importMap: functionFilePath().nullable().default(null),
            /** Whether Supabase's gateway demands a project JWT; off for receivers of other platforms' webhooks. */
            verifyJwt: z.boolean().default(false),
            resourceUrn: z.string().min(1, "is set by the resource class"),
        })
        .superRefine((i, issues) => {
            if (!(i.entrypoint in i.files)) issues.addIssue({ code: "custom", path: ["entrypoint"], message: `must be one of the files (${Object.keys(i.files).join(", ")})` });
            if (i.importMap !== null && !(i.importMap in i.files)) issues.addIssue({ code: "custom", path: ["importMap"], message: "must be one of the files" });
        });
}

export type EdgeFunctionInputs = z.output<ReturnType<typeof edgeFunctionInputSchema>>;

/** A host name (RFC 1123 labels). */
const HOST_NAME_PATTERN = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
/** UpdateAuthConfigBody.rate_limit_email_sent: 1 to 2147483647 (api_v1_openapi.json). */
export const EMAILS_PER_HOUR_MAX = 2147483647;

export function authSmtpInputSchema() {
    return z.object({
        managementUrl: baseUrlSchema(SUPABASE_MANAGEMENT_URL),
        projectRef: projectRefSchema(),
        host: z.string().regex(HOST_NAME_PATTERN, "must be a host name such as smtp.resend.com").default("smtp.resend.com"),
        port: z.number().int("must be a whole number").min(1, "must be a TCP port, 1 to 65535").max(65535, "must be a TCP port, 1 to 65535").default(465),
        user: z.string().min(1, "must not be empty").default("resend"),
        /** The SMTP password: for Resend, a sending-only API key. Secret. */
        password: z.string().min(1, "must not be empty"),
        /** The address Auth's emails come from. */
        adminEmail: z.email("must be an email address such as no-reply@example.com"),
        senderName: z.string().min(1, "must not be empty").max(256, "must be at most 256 characters"),
        /** Auth's email rate limit with custom SMTP (rate_limit_email_sent). @default 30, Supabase's own default once custom SMTP is on */
        emailsPerHour: z.number().int("must be a whole number").min(1, "must be at least 1").max(EMAILS_PER_HOUR_MAX, `must be at most ${EMAILS_PER_HOUR_MAX}`).default(30),
    });
}

export type AuthSmtpInputs = z.output<ReturnType<typeof authSmtpInputSchema>>;
