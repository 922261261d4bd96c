/** OpenAI Admin API inputs: a project per stack, service accounts whose API keys the stack hands on. */
import { z } from "zod";
import { baseUrlSchema } from "../core/rest";

/** OpenAI's API, unless another is given (the sandbox's emulator). */
export const OPENAI_BASE_URL = "https://api.openai.com/v1";

/** openai/openai-openapi openapi.yaml @f85dbe22 `PublicProjectResidency`. */
export const OPENAI_RESIDENCIES = ["GLOBAL", "US_STORAGE_PROCESSING", "EU_STORAGE_PROCESSING", "JP_STORAGE", "KR_STORAGE", "CA_STORAGE", "SG_STORAGE", "IN_STORAGE", "AU_STORAGE", "GB_STORAGE", "AE_STORAGE", "AE_STORAGE_PROCESSING"] as const;

export function projectInputSchema() {
    return z.object({
        baseUrl: baseUrlSchema(OPENAI_BASE_URL),
        name: z.string().trim().min(1, "must not be empty").max(255),
        /** Where the project's data is stored and processed; taken at creation only. */
        residency: z.enum(OPENAI_RESIDENCIES).nullable().default(null),
    });
}
export type ProjectInputs = z.output<ReturnType<typeof projectInputSchema>>;

export function serviceAccountInputSchema() {
    return z.object({
        baseUrl: baseUrlSchema(OPENAI_BASE_URL),
        projectId: z.string().regex(/^proj_[A-Za-z0-9]+$/, "must be an OpenAI project id (proj_…)"),
        name: z.string().trim().min(1, "must not be empty").max(255),
        /** Change it (1, 2, …) to rotate the key: a new service account with a new key, then the old one deleted. */
        rotation: z.number().int().min(0).default(0),
    });
}
export type ServiceAccountInputs = z.output<ReturnType<typeof serviceAccountInputSchema>>;

/** A project's limits for one model (openapi.yaml @f85dbe22 `ProjectRateLimitUpdateRequest`); unset fields are left as OpenAI has them. */
export const RATE_LIMIT_FIELDS = {
    maxRequestsPerMinute: "max_requests_per_1_minute",
    maxTokensPerMinute: "max_tokens_per_1_minute",
    maxImagesPerMinute: "max_images_per_1_minute",
    maxAudioMegabytesPerMinute: "max_audio_megabytes_per_1_minute",
    maxRequestsPerDay: "max_requests_per_1_day",
    batchMaxInputTokensPerDay: "batch_1_day_max_input_tokens",
} as const;
export type RateLimitField = keyof typeof RATE_LIMIT_FIELDS;

const limitValue = z.number().int().min(0).nullable().default(null);

/** The limits alone, each unset (null) unless given. */
export function rateLimitValuesSchema() {
    return z.object({
        maxRequestsPerMinute: limitValue,
        maxTokensPerMinute: limitValue,
        maxImagesPerMinute: limitValue,
        maxAudioMegabytesPerMinute: limitValue,
        maxRequestsPerDay: limitValue,
        batchMaxInputTokensPerDay: limitValue,
    });
}

/** A row the stack takes must set something: an empty one would change nothing and restore nothing. */
export const setsALimit = (r: Partial<Record<RateLimitField, number | null | undefined>>) => (Object.keys(RATE_LIMIT_FIELDS) as RateLimitField[]).some((f) => typeof r[f] === "number");
export const SETS_A_LIMIT_RULE = `must set at least one of ${Object.keys(RATE_LIMIT_FIELDS).join(", ")}`;

export function rateLimitInputSchema() {
    return z
        .object({
            baseUrl: baseUrlSchema(OPENAI_BASE_URL),
            projectId: z.string().regex(/^proj_[A-Za-z0-9]+$/, "must be an OpenAI project id (proj_…)"),
            /** The model whose limits these are ("gpt-4o-mini"). */
            model: z.string().trim().min(1, "must not be empty"),
        })
        .extend(rateLimitValuesSchema().shape)
        .refine(setsALimit, { message: SETS_A_LIMIT_RULE, path: ["maxRequestsPerMinute"] });
}
export type RateLimitInputs = z.output<ReturnType<typeof rateLimitInputSchema>>;
