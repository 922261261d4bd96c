/**
 * GitLab project webhook. Its secret token is never returned, so state keeps it.
 *
 * Ownership of a create whose answer was lost (core/ownership.ts): GitLab takes two hooks with
 * one URL, so the create looks first. A hook is ours when its description (GitLab 17.1, lib/api/
 * entities/hook.rb) carries this resource's mark; without a URN, when it has our URL and events
 * and was created within the lost-create window. An adopted hook is written again with our
 * settings, since its token cannot be read back.
 *
 * Gone only when gone (issue 16): a 404 on read or delete counts as "gone" only when the project
 * answers with the same token, or is gone itself while its namespace (recorded at creation)
 * answers (client.ts `theProject`).
 */
import type * as pulumi from "@pulumi/pulumi";
import { createdRecently, createOnce } from "../core/ownership";
import { answerIsAbout, confirmGone, segment } from "../core/gone";
import type { ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { gitlab, gitlabMark, holdsMark, idOf, listAll, namespaceOfProject, theProject } from "./client";
import { GITLAB_HOOK_EVENT_NAMES, GITLAB_HOOK_EVENTS, hookInputSchema, type HookInputs } from "./schema";

/** The room a hook's description has for the mark (GitLab validates at most 2048). */
const DESCRIPTION_MAX = 2048;

/** The project's namespace, recorded at creation: what tells a project that is gone from one hidden (client.ts). */
export interface HookState extends HookInputs {
    projectNamespaceId?: number;
}

interface ApiHook extends Record<string, unknown> {
    id: number;
    url: string;
    description?: string | null;
    created_at?: string;
}

export function eventsOf(h: Record<string, unknown>) {
    return GITLAB_HOOK_EVENT_NAMES.filter((e) => h[GITLAB_HOOK_EVENTS[e]] === true).sort();
}

function body(i: HookInputs) {
    const flags = Object.fromEntries(GITLAB_HOOK_EVENT_NAMES.map((e) => [GITLAB_HOOK_EVENTS[e], i.events.includes(e)]));
    return {
        url: i.url,
        enable_ssl_verification: i.enableSslVerification,
        ...flags,
        ...(i.resourceUrn ? { description: gitlabMark(i.resourceUrn, DESCRIPTION_MAX) } : {}),
        // GitLab resets the token when the URL changes and it is not sent again: always send it.
        ...(i.token !== null ? { token: i.token } : {}),
    };
}

export const hookDefinition: ResourceDefinition<ReturnType<typeof hookInputSchema>, HookState> = {
    module: "gitlab",
    type: "ProjectHook",
    service: "gitlab",
    outputs: ["projectNamespaceId"],
    schema: hookInputSchema,
    replaceOnChanges: ["baseUrl", "projectId"],
    // It looks before creating and would find the hook it replaces (same mark): delete that first.
    deleteBeforeReplace: true,
    secretInputs: ["token"],
    urnInput: true,

    async create(ctx, i) {
        const operation = `add hook to project ${i.projectId}`;
        const where = await namespaceOfProject(ctx, i.baseUrl, i.projectId);
        const made = await createOnce<{ hook: ApiHook; adopted: boolean }>(ctx, operation, {
            lookFirst: true,
            create: async (call) => ({ hook: await gitlab(ctx, i.baseUrl, operation, call).post<ApiHook>(`/projects/${segment(i.projectId)}/hooks`, body(i)), adopted: false }),
            findLanded: async () => {
                const api = gitlab(ctx, i.baseUrl, `look for hooks of project ${i.projectId}`);
                const hooks = await listAll<ApiHook>(api, `/projects/${segment(i.projectId)}/hooks`);
                const hook = hooks.find((h) =>
                    i.resourceUrn ? holdsMark(h.description, i.resourceUrn) : h.url === i.url && eventsOf(h).join() === i.events.join() && createdRecently(ctx, h.created_at),
                );
                return hook && { hook, adopted: true };
            },
        });
        // The token of a hook we did not see created may be another attempt's: write ours.
        if (made.adopted) await gitlab(ctx, i.baseUrl, `update hook ${made.hook.id}`).put(`/projects/${segment(i.projectId)}/hooks/${made.hook.id}`, body(i));
        return { id: String(made.hook.id), outs: { ...i, ...where } };
    },
    async read(ctx, id, state) {
        const api = gitlab(ctx, state.baseUrl, `read hook ${id}`);
        const h = await api.get<ApiHook>(`/projects/${segment(state.projectId)}/hooks/${segment(id)}`);
        if (!h) {
            await confirmGone(ctx, api.call, `hook ${id}`, theProject(ctx, state.baseUrl, state.projectId, state.projectNamespaceId));
            return undefined;
        }
        answerIsAbout(ctx, api.call, "hook", id, idOf(h));
        return { ...state, url: String(h.url), events: eventsOf(h), enableSslVerification: h.enable_ssl_verification === true };
    },
    async update(ctx, id, olds, news) {
        const i = { ...news, resourceUrn: news.resourceUrn ?? olds.resourceUrn ?? null };
        await gitlab(ctx, news.baseUrl, `update hook ${id}`).put(`/projects/${segment(news.projectId)}/hooks/${segment(id)}`, body(i));
        return { ...i, ...(olds.projectNamespaceId !== undefined ? { projectNamespaceId: olds.projectNamespaceId } : {}) };
    },
    async delete(ctx, id, state) {
        const api = gitlab(ctx, state.baseUrl, `remove hook ${id}`);
        await api.remove(`/projects/${segment(state.projectId)}/hooks/${segment(id)}`);
        if (api.call.lastStatus === 404) await confirmGone(ctx, api.call, `hook ${id}`, theProject(ctx, state.baseUrl, state.projectId, state.projectNamespaceId));
    },
};

/** `token` is sent by GitLab in X-Gitlab-Token and kept secret; events use stackwire's names (pipeline, issues, …). */
export type GitlabProjectHookArgs = ResourceArgs<ReturnType<typeof hookInputSchema>>;

export class GitlabProjectHook extends DynamicResource<ReturnType<typeof hookInputSchema>, HookState> {
    /** The namespace of the hook's project when the hook was made (how a deleted project is told from a hidden one). */
    declare readonly projectNamespaceId: pulumi.Output<number | undefined>;
    constructor(name: string, args: GitlabProjectHookArgs, opts?: pulumi.CustomResourceOptions) {
        super(hookDefinition, name, args, opts);
    }
}
