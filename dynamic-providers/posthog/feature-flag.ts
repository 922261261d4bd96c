/**
 * PostHog feature flag (posthog/api/feature_flag.py): one release condition rolled out to a share
 * of users; conditions added in PostHog beside it are kept by updates. PostHog forbids deleting a flag (405, ForbidDestroyModel): destroy sets `deleted`,
 * and a refresh that finds it deleted drops it from state. Keys are unique among a project's
 * flags that are not deleted (400 code "unique"), and a deleted flag's key may be used again.
 * The usage dashboard PostHog makes with a new flag by default is not asked for: nothing would
 * delete it.
 */
import type * as pulumi from "@pulumi/pulumi";
import { answerIsAbout } from "../core/gone";
import { createdRecently, createOnce, takenBy } from "../core/ownership";
import type { OperationContext, ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { goneFrom, listAll, posthog } from "./client";
import { featureFlagInputSchema, type FeatureFlagInputs } from "./schema";

interface ApiFlag {
    id: number;
    key: string;
    name: string;
    active: boolean;
    deleted: boolean;
    created_at: string;
    filters?: { groups?: { properties?: unknown[]; rollout_percentage?: number | null }[] };
}

const flags = (i: Pick<FeatureFlagInputs, "projectId">) => `/api/projects/${i.projectId}/feature_flags/`;
const flagPath = (i: Pick<FeatureFlagInputs, "projectId">, id: string | number) => `${flags(i)}${encodeURIComponent(String(id))}/`;

/** The body PostHog takes: everyone matching no property, rolled out to the configured share. */
const bodyOf = (i: FeatureFlagInputs) => ({ key: i.key, name: i.description, active: i.active, filters: { groups: [{ properties: [], rollout_percentage: i.rolloutPercentage }] } });

/** A flag of our key, not deleted: the list has no key filter, so a search and an exact match. */
async function flagKeyed(ctx: OperationContext, i: FeatureFlagInputs): Promise<ApiFlag | undefined> {
    return (await listAll<ApiFlag>(ctx, i.baseUrl, flags(i), { search: i.key }, `look for feature flag ${i.key}`)).find((f) => f.key === i.key && !f.deleted);
}

export const featureFlagDefinition: ResourceDefinition<ReturnType<typeof featureFlagInputSchema>, FeatureFlagInputs> = {
    module: "posthog",
    type: "FeatureFlag",
    service: "posthog",
    schema: featureFlagInputSchema,
    replaceOnChanges: ["baseUrl", "projectId", "key"],
    deleteBeforeReplace: true,

    async create(ctx, i) {
        const operation = `create feature flag ${i.key}`;
        let holder: ApiFlag | undefined;
        const made = await createOnce<ApiFlag>(ctx, operation, {
            lookFirst: false,
            create: (call) => posthog(ctx, i.baseUrl, operation, call).post<ApiFlag>(flags(i), { ...bodyOf(i), _should_create_usage_dashboard: false }),
            isConflict: (err) => (err as { status?: number; apiMessage?: string }).status === 400 && /already a feature flag/i.test((err as { apiMessage?: string }).apiMessage ?? ""),
            findLanded: async () => {
                holder = await flagKeyed(ctx, i);
                return holder && createdRecently(ctx, holder.created_at) ? holder : undefined;
            },
            notOurs: (err) => takenBy(err, holder && { what: `feature flag "${i.key}"`, id: holder.id, where: `PostHog project ${i.projectId}`, instead: "choose another key" }),
        });
        return { id: String(made.id), outs: { ...i } };
    },

    async read(ctx, id, state) {
        const api = posthog(ctx, state.baseUrl, `read feature flag ${id}`);
        const found = await api.get<ApiFlag>(flagPath(state, id));
        if (!found) {
            await goneFrom(ctx, api.call, `feature flag ${id}`, state.baseUrl, `/api/projects/${state.projectId}/`, `PostHog project ${state.projectId}`);
            return undefined;
        }
        answerIsAbout(ctx, api.call, "feature flag", id, String(found.id));
        if (found.deleted) return undefined;
        const rollout = found.filters?.groups?.[0]?.rollout_percentage;
        return { ...state, key: found.key, description: found.name ?? "", active: found.active, rolloutPercentage: typeof rollout === "number" ? rollout : 100 };
    },

    async update(ctx, id, _olds, news) {
        // The stack owns the first condition's rollout, the description and whether the flag is on; conditions,
        // variants and payloads added in PostHog are kept, not overwritten.
        const current = await posthog(ctx, news.baseUrl, `read feature flag ${id}`).get<ApiFlag>(flagPath(news, id));
        const groups = current?.filters?.groups ?? [];
        const filters = { ...current?.filters, groups: [{ properties: [], ...groups[0], rollout_percentage: news.rolloutPercentage }, ...groups.slice(1)] };
        await posthog(ctx, news.baseUrl, `update feature flag ${id}`).patch<ApiFlag>(flagPath(news, id), { ...bodyOf(news), filters });
        return news;
    },

    async delete(ctx, id, state) {
        // Flags are never deleted outright (405): marked deleted, which frees the key.
        const api = posthog(ctx, state.baseUrl, `delete feature flag ${id}`);
        try {
            await api.patch(flagPath(state, id), { deleted: true });
        } catch (err) {
            if ((err as { status?: number }).status !== 404) throw err;
            await goneFrom(ctx, api.call, `feature flag ${id}`, state.baseUrl, `/api/projects/${state.projectId}/`, `PostHog project ${state.projectId}`);
        }
    },
};

export type PosthogFeatureFlagArgs = ResourceArgs<ReturnType<typeof featureFlagInputSchema>>;

export class PosthogFeatureFlag extends DynamicResource<ReturnType<typeof featureFlagInputSchema>, FeatureFlagInputs> {
    declare readonly key: pulumi.Output<string>;
    constructor(name: string, args: PosthogFeatureFlagArgs, opts?: pulumi.CustomResourceOptions) {
        super(featureFlagDefinition, name, args, opts);
    }
}
