/** PostHog: a project per stack, whose project key the stack hands on, and its feature flags. */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { PosthogPlatform, type PosthogPlatformArgs } from "../../components/posthog/project";
import { httpUrl } from "../../dynamic-providers/core/validation";
import { posthogPersonalKey } from "../../dynamic-providers/posthog/client";
import { featureFlagInputSchema, FLAG_KEY_PATTERN, FLAG_KEY_MAX, posthogProjectInputSchema, POSTHOG_PROJECT_NAME_MAX } from "../../dynamic-providers/posthog/schema";
import { dataPolicyOf } from "../environment";
import { NAME_RULES, physicalName } from "../naming";
import { adoptionOf, adoptSetting, defineService, projectSection } from "../service";

const flagFields = featureFlagInputSchema().shape;
const flag = z.object({ description: flagFields.description, rolloutPercentage: flagFields.rolloutPercentage, active: flagFields.active, adopt: adoptSetting }).strict();

const section = z
    .object({
        /** Another PostHog: https://eu.posthog.com, a self-hosted one, the sandbox's emulator. @default https://us.posthog.com */
        baseUrl: httpUrl().optional(),
        organizationId: posthogProjectInputSchema().shape.organizationId,
        /** name (default <project>-<stack>-posthog), adopt. */
        project: projectSection(POSTHOG_PROJECT_NAME_MAX, {}).default({}),
        /** Feature flags by key (what the app asks PostHog for). */
        featureFlags: z.record(z.string().max(FLAG_KEY_MAX).regex(FLAG_KEY_PATTERN, "must be letters, digits, - and _ only"), flag).default({}),
    })
    .strict();

export const posthogService = defineService({
    key: "posthog",
    section,
    secrets: [{ credential: posthogPersonalKey }],

    plan: (s, ctx): PosthogPlatformArgs => ({
        ...(s.baseUrl ? { baseUrl: s.baseUrl } : {}),
        organizationId: s.organizationId,
        name: s.project.name ?? ctx.name("posthog.project.name", () => physicalName(ctx.env, "posthog", NAME_RULES.posthogProject)),
        featureFlags: Object.fromEntries(Object.entries(s.featureFlags).map(([key, f]) => [key, { description: f.description, rolloutPercentage: f.rolloutPercentage, active: f.active, ...adoptionOf(f.adopt) }])),
        policy: dataPolicyOf(ctx.env),
        ...adoptionOf(s.project.adopt),
    }),

    build: (plan) => new PosthogPlatform("posthog", plan),
    outputs: (platform) => ({ posthogProjectId: platform.projectId, posthogProjectKey: platform.projectKey, posthogFeatureFlagIds: pulumi.output(platform.featureFlagIds) }),
    keysMade: () => ["posthog.projectKey"],
    keyValues: (platform) => ({ "posthog.projectKey": platform.projectKey }),
});
