/** OpenAI: a project per stack, with a service account whose API key the stack makes and hands on. */
import { z } from "zod";
import { OpenaiPlatform, type OpenaiPlatformArgs } from "../../components/openai/project";
import { httpUrl } from "../../dynamic-providers/core/validation";
import { openaiAdminKey } from "../../dynamic-providers/openai/client";
import { OPENAI_RESIDENCIES, rateLimitValuesSchema, setsALimit, SETS_A_LIMIT_RULE } from "../../dynamic-providers/openai/schema";
import { dataPolicyOf } from "../environment";
import { physicalName, NAME_RULES } from "../naming";
import { adoptionOf, defineService, projectSection } from "../service";

const section = z
    .object({
        /** Another API (the sandbox's emulator). @default https://api.openai.com/v1 */
        baseUrl: httpUrl().optional(),
        /** name (default <project>-<stack>-openai), residency (where the project's data lives; taken at creation), adopt. */
        project: projectSection(255, { residency: z.enum(OPENAI_RESIDENCIES).optional() }).default({}),
        /** Change it (1, 2, …) to rotate the API key: a new service account and key, handed to every consumer, then the old one deleted. */
        keyRotation: z.number().int().min(0).default(0),
        /** The project's limits per model: `gpt-4o-mini: { maxRequestsPerMinute: 500 }`; what OpenAI had is restored on destroy. */
        rateLimits: z
            .record(
                z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, "must be a model name such as gpt-4o-mini"),
                rateLimitValuesSchema().partial().strict().refine(setsALimit, SETS_A_LIMIT_RULE),
            )
            .default({}),
    })
    .strict();

export const openaiService = defineService({
    key: "openai",
    section,
    secrets: [{ credential: openaiAdminKey }],

    plan(s, ctx): OpenaiPlatformArgs {
        return {
            ...(s.baseUrl ? { baseUrl: s.baseUrl } : {}),
            name: s.project.name ?? ctx.name("openai.project.name", () => physicalName(ctx.env, "openai", NAME_RULES.openaiName)),
            ...(s.project.residency ? { residency: s.project.residency } : {}),
            serviceAccountName: ctx.name("openai", () => physicalName(ctx.env, "openai-api", NAME_RULES.openaiName)),
            keyRotation: s.keyRotation,
            rateLimits: s.rateLimits,
            policy: dataPolicyOf(ctx.env),
            ...adoptionOf(s.project.adopt),
        };
    },

    build: (plan) => new OpenaiPlatform("openai", plan),
    outputs: (platform) => ({ openaiProjectId: platform.projectId, openaiApiKey: platform.apiKey }),
    keysMade: () => ["openai.apiKey"],
    keyValues: (platform) => ({ "openai.apiKey": platform.apiKey }),
});
