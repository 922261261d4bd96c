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
