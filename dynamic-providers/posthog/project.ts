/**
 * PostHog project (PostHog/posthog posthog/api/project.py: create under an organization, read,
 * rename, delete). Its project API key (`api_token`, phc_…) is an output and the made key
 * posthog.projectKey; PostHog means it to be public (apps send events with it), so it is not
 * marked secret here, and consumers that receive it keep it secret anyway.
 *
 * Deletion is asynchronous: the project is marked `is_pending_deletion`, and a second delete is
 * refused with 400 "already being deleted"; both count as gone. Newer PostHog refuses a second
 * project of a name (409); older deployments take duplicates, so a create looks for a project of
 * our name made within the lost-create window before sending.
 */
import type * as pulumi from "@pulumi/pulumi";
import { answerIsAbout } from "../core/gone";
import { createdRecently, createOnce, takenBy } from "../core/ownership";
import type { OperationContext, ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { goneFrom, listAll, posthog } from "./client";
import { posthogProjectInputSchema, type PosthogProjectInputs } from "./schema";

export type PosthogProjectState = PosthogProjectInputs & { apiToken: string };

export interface ApiProject {
    id: number;
    name: string;
    organization: string;
    api_token: string;
    created_at?: string;
    is_pending_deletion?: boolean;
}

const orgProjects = (i: Pick<PosthogProjectInputs, "organizationId">) => `/api/organizations/${encodeURIComponent(i.organizationId)}/projects/`;
const projectPath = (id: string | number) => `/api/projects/${encodeURIComponent(String(id))}/`;

/**
 * The organization's projects that are not being deleted, read whole. The list (its basic
 * serializer) has neither created_at nor is_pending_deletion, so each listed project is read:
 * one a destroy is deleting is neither ours to take, nor in the way, nor left over.
 */
export async function liveProjects(ctx: OperationContext, i: Pick<PosthogProjectInputs, "baseUrl" | "organizationId">, keep: (name: string) => boolean, search?: string): Promise<ApiProject[]> {
    const listed = (await listAll<ApiProject>(ctx, i.baseUrl, orgProjects(i), search ? { search } : {}, "list PostHog projects")).filter((p) => keep(p.name));
    const live: ApiProject[] = [];
    for (const p of listed) {
        const full = await posthog(ctx, i.baseUrl, `read PostHog project ${p.id}`).get<ApiProject>(projectPath(p.id));
        if (full && !full.is_pending_deletion) live.push(full);
    }
    return live;
}

/** Projects of our name made within the lost-create window (ours), else one someone else made. */
async function recentlyNamed(ctx: OperationContext, i: PosthogProjectInputs): Promise<{ recent?: ApiProject; other?: ApiProject }> {
    const named = await liveProjects(ctx, i, (name) => name === i.name, i.name);
    const recent = named.find((p) => createdRecently(ctx, p.created_at));
    return recent ? { recent } : { other: named[0] };
}

export const posthogProjectDefinition: ResourceDefinition<ReturnType<typeof posthogProjectInputSchema>, PosthogProjectState> = {
    module: "posthog",
    type: "Project",
    service: "posthog",
    schema: posthogProjectInputSchema,
    replaceOnChanges: ["baseUrl", "organizationId"],
    deleteBeforeReplace: false,
    outputs: ["apiToken"],

    async create(ctx, i) {
        const operation = `create PostHog project ${i.name}`;
        let other: ApiProject | undefined;
        const made = await createOnce<ApiProject>(ctx, operation, {
            lookFirst: true,
            create: (call) => posthog(ctx, i.baseUrl, operation, call).post<ApiProject>(orgProjects(i), { name: i.name }),
            isConflict: (err) => (err as { status?: number }).status === 409,
            findLanded: async () => {
                const found = await recentlyNamed(ctx, i);
                other = found.other;
                return found.recent;
            },
            notOurs: (err) => takenBy(err, other && { what: `PostHog project "${i.name}"`, id: other.id, where: "the organization", instead: "give the project another name" }),
        }).catch((err: unknown) => {
            // A plan with one project per organization: the stack cannot have its own, but can take the one there is.
            const e = err as { status?: number; apiMessage?: string };
            if (e.status === 403 && /maximum limit of allowed projects/i.test(e.apiMessage ?? "")) {
                throw new Error(`PostHog refused a new project: ${e.apiMessage} To use the organization's project instead, set posthog.project.adopt to its id and posthog.project.name to its name (Settings → Project), or run npm run adopt.`);
            }
            throw err;
        });
        return { id: String(made.id), outs: { ...i, name: made.name, apiToken: made.api_token } };
    },

    async read(ctx, id, state) {
        const api = posthog(ctx, state.baseUrl, `read PostHog project ${id}`);
        const found = await api.get<ApiProject>(projectPath(id));
        if (!found) {
            await goneFrom(ctx, api.call, `PostHog project ${id}`, state.baseUrl, orgProjects(state), `organization ${state.organizationId}`);
            return undefined;
        }
        answerIsAbout(ctx, api.call, "project", id, String(found.id));
        if (found.is_pending_deletion) return undefined;
        // A project never moves between organizations: the state's id stands, as written.
        return { ...state, name: found.name, apiToken: found.api_token };
    },

    async update(ctx, id, _olds, news) {
        const updated = await posthog(ctx, news.baseUrl, `rename PostHog project ${id}`).patch<ApiProject>(projectPath(id), { name: news.name });
        return { ...news, apiToken: updated.api_token };
    },

    async delete(ctx, id, state) {
        const api = posthog(ctx, state.baseUrl, `delete PostHog project ${id}`);
        try {
            await api.send("DELETE", projectPath(id));
        } catch (err) {
            const e = err as { status?: number; apiMessage?: string };
            // A delete sent again after a lost answer: the first one started it.
            if (e.status === 400 && /already being deleted/i.test(e.apiMessage ?? "")) return;
            if (e.status !== 404) throw err;
            await goneFrom(ctx, api.call, `PostHog project ${id}`, state.baseUrl, orgProjects(state), `organization ${state.organizationId}`);
        }
    },
};

export type PosthogProjectArgs = ResourceArgs<ReturnType<typeof posthogProjectInputSchema>>;

export class PosthogProject extends DynamicResource<ReturnType<typeof posthogProjectInputSchema>, PosthogProjectState> {
    declare readonly apiToken: pulumi.Output<string>;
    constructor(name: string, args: PosthogProjectArgs, opts?: pulumi.CustomResourceOptions) {
        super(posthogProjectDefinition, name, args, opts);
    }
}
