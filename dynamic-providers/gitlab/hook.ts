/** GitLab project webhook. Its secret token is never returned, so state keeps it. */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { httpUrl } from "../core/validation";
import { dynamicProvider, type ResourceDefinition } from "../core/provider";
import { gitlab, gitlabConnectionShape } from "./client";

/** Event switches GitLab takes on a project hook, and our names for them. */
export const GITLAB_HOOK_EVENTS = {
    push: "push_events",
    tagPush: "tag_push_events",
    mergeRequests: "merge_requests_events",
    issues: "issues_events",
    notes: "note_events",
    pipeline: "pipeline_events",
    job: "job_events",
    releases: "releases_events",
    deployment: "deployment_events",
} as const;

export type GitlabHookEvent = keyof typeof GITLAB_HOOK_EVENTS;
const EVENT_NAMES = Object.keys(GITLAB_HOOK_EVENTS) as [GitlabHookEvent, ...GitlabHookEvent[]];

export function hookInputSchema() {
    return z.object({
        ...gitlabConnectionShape(),
        projectId: z.string().regex(/^\d+$/, "must be a numeric project id"),
        url: httpUrl(),
        token: z.string().min(1).nullable().default(null),
        events: z
            .array(z.enum(EVENT_NAMES, { error: `must be one of ${EVENT_NAMES.join(", ")}` }))
            .min(1, "must list at least one event")
            .transform((e) => [...new Set(e)].sort()),
        enableSslVerification: z.boolean().default(true),
    });
}

export type HookInputs = z.output<ReturnType<typeof hookInputSchema>>;

function body(i: HookInputs) {
    const flags = Object.fromEntries(EVENT_NAMES.map((e) => [GITLAB_HOOK_EVENTS[e], i.events.includes(e)]));
    return { url: i.url, enable_ssl_verification: i.enableSslVerification, ...flags, ...(i.token !== null ? { token: i.token } : {}) };
}

export const hookDefinition: ResourceDefinition<HookInputs, HookInputs> = {
    service: "gitlab",
    schema: hookInputSchema,
    replaceOnChanges: ["baseUrl", "projectId"],
    deleteBeforeReplace: false,

    async create(ctx, i) {
        const hook = await gitlab(ctx, i.baseUrl, `add hook to project ${i.projectId}`).post<{ id: number }>(`/projects/${i.projectId}/hooks`, body(i));
        return { id: String(hook.id), outs: i };
    },
    async read(ctx, id, state) {
        const h = await gitlab(ctx, state.baseUrl, `read hook ${id}`).get<Record<string, unknown>>(`/projects/${state.projectId}/hooks/${id}`);
        if (!h) return undefined;
        const events = EVENT_NAMES.filter((e) => h[GITLAB_HOOK_EVENTS[e]] === true).sort();
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

export const hookProvider = dynamicProvider(hookDefinition);

export interface GitlabProjectHookArgs {
    baseUrl?: pulumi.Input<string>;
    projectId: pulumi.Input<string>;
    url: pulumi.Input<string>;
    /** Sent by GitLab in X-Gitlab-Token; secret in state. */
    token?: pulumi.Input<string>;
    events: pulumi.Input<pulumi.Input<GitlabHookEvent>[]>;
    /** @default true */
    enableSslVerification?: pulumi.Input<boolean>;
}

export class GitlabProjectHook extends pulumi.dynamic.Resource {
    constructor(name: string, args: GitlabProjectHookArgs, opts?: pulumi.CustomResourceOptions) {
        super(hookProvider, name, { ...args, ...(args.token !== undefined ? { token: pulumi.secret(args.token) } : {}) }, pulumi.mergeOptions(opts, { additionalSecretOutputs: ["token"] }), "gitlab", "ProjectHook");
    }
}
