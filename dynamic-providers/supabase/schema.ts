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
