/** PostHog inputs: a project per stack and the feature flags the config declares. */
import { z } from "zod";
import { baseUrlSchema } from "../core/rest";

/** PostHog US Cloud's private API; EU Cloud is https://eu.posthog.com, self-hosted instances their own host. */
export const POSTHOG_BASE_URL = "https://us.posthog.com";
export const POSTHOG_EU_BASE_URL = "https://eu.posthog.com";

/** posthog/api/feature_flag.py `validate_key`; models/feature_flag `CharField(max_length=400)`. */
export const FLAG_KEY_PATTERN = /^[a-zA-Z0-9_-]+$/;
export const FLAG_KEY_MAX = 400;
/** ProjectBackwardCompatSerializer.name: 1–200 characters. */
export const POSTHOG_PROJECT_NAME_MAX = 200;

/** Lower-case, as PostHog answers it: a case change would otherwise read as another organization, which replaces. */
const organizationId = z
    .string()
    .uuid("must be the organization's id, a UUID (Settings › Organization)")
    .transform((id) => id.toLowerCase());

export function posthogProjectInputSchema() {
    return z.object({
        baseUrl: baseUrlSchema(POSTHOG_BASE_URL),
        organizationId,
        name: z.string().trim().min(1, "must not be empty").max(POSTHOG_PROJECT_NAME_MAX),
    });
}
export type PosthogProjectInputs = z.output<ReturnType<typeof posthogProjectInputSchema>>;

export function featureFlagInputSchema() {
    return z.object({
        baseUrl: baseUrlSchema(POSTHOG_BASE_URL),
        projectId: z.number().int().positive(),
        /** What the app asks for; code holds it, so another key is another flag. */
        key: z.string().max(FLAG_KEY_MAX).regex(FLAG_KEY_PATTERN, "must be letters, digits, - and _ only"),
        /** PostHog keeps the description in the flag's `name`. */
        description: z.string().default(""),
        /** Share of users who get the flag. */
        rolloutPercentage: z.number().min(0).max(100).default(100),
        active: z.boolean().default(true),
    });
}
export type FeatureFlagInputs = z.output<ReturnType<typeof featureFlagInputSchema>>;
