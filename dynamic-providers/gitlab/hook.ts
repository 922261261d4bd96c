/** GitLab project webhook. Its secret token is never returned, so state keeps it. */
import type * as pulumi from "@pulumi/pulumi";
import type { ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { gitlab } from "./client";
import { GITLAB_HOOK_EVENT_NAMES, GITLAB_HOOK_EVENTS, hookInputSchema, type HookInputs } from "./schema";

function body(i: HookInputs) {
    const flags = Object.fromEntries(GITLAB_HOOK_EVENT_NAMES.map((e) => [GITLAB_HOOK_EVENTS[e], i.events.includes(e)]));
    return { url: i.url, enable_ssl_verification: i.enableSslVerification, ...flags, ...(i.token !== null ? { token: i.token } : {}) };
}

export const hookDefinition: ResourceDefinition<ReturnType<typeof hookInputSchema>> = {
    module: "gitlab",
    type: "ProjectHook",
    service: "gitlab",
    schema: hookInputSchema,
    replaceOnChanges: ["baseUrl", "projectId"],
    deleteBeforeReplace: false,
    secretInputs: ["token"],

    async create(ctx, i) {
        const hook = await gitlab(ctx, i.baseUrl, `add hook to project ${i.projectId}`).post<{ id: number }>(`/projects/${i.projectId}/hooks`, body(i));
        return { id: String(hook.id), outs: i };
    },
    async read(ctx, id, state) {
        const h = await gitlab(ctx, state.baseUrl, `read hook ${id}`).get<Record<string, unknown>>(`/projects/${state.projectId}/hooks/${id}`);
        if (!h) return undefined;
        const events = GITLAB_HOOK_EVENT_NAMES.filter((e) => h[GITLAB_HOOK_EVENTS[e]] === true).sort();
        return { ...state, url: String(h.url), events, enableSslVerification: h.enable_ssl_verification === true };
    },
    async update(ctx, id, _olds, news) {
        await gitlab(ctx, news.baseUrl, `update hook ${id}`).put(`/projects/${news.projectId}/hooks/${id}`, body(news));
        return news;
    },
    async delete(ctx, id, state) {
        await gitlab(ctx, state.baseUrl, `remove hook ${id}`).remove(`/projects/${state.projectId}/hooks/${id}`);
    },
};

/** `token` is sent by GitLab in X-Gitlab-Token and kept secret; events use stackwire's names (pipeline, issues, …). */
export type GitlabProjectHookArgs = ResourceArgs<ReturnType<typeof hookInputSchema>>;

export class GitlabProjectHook extends DynamicResource<ReturnType<typeof hookInputSchema>> {
    constructor(name: string, args: GitlabProjectHookArgs, opts?: pulumi.CustomResourceOptions) {
        super(hookDefinition, name, args, opts);
    }
}
