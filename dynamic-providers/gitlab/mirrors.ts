/**
 * Mirrors between GitHub and GitLab. A pull mirror is a project's import URL with mirroring on;
 * a push mirror is a project's remote mirror. Both URLs carry credentials that GitLab never
 * returns (the pull URL comes back stripped, the push URL masked): read keeps the secret URL
 * from state while GitLab's form of it still matches, so there is no diff on every up.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { gitlab, maskedCredentials, withoutCredentials } from "./client";
import { pullMirrorInputSchema, pushMirrorInputSchema, type PullMirrorInputs } from "./schema";

interface ApiMirrorProject {
    import_url: string | null;
    mirror: boolean;
    mirror_trigger_builds: boolean;
    only_mirror_protected_branches: boolean;
}

function pullSettings(i: PullMirrorInputs) {
    return { import_url: i.importUrl, mirror: true, mirror_trigger_builds: i.triggerBuilds, only_mirror_protected_branches: i.onlyProtectedBranches };
}

export const pullMirrorDefinition: ResourceDefinition<ReturnType<typeof pullMirrorInputSchema>> = {
    module: "gitlab",
    type: "PullMirror",
    service: "gitlab",
    schema: pullMirrorInputSchema,
    replaceOnChanges: ["baseUrl", "projectId"],
    deleteBeforeReplace: true,
    secretInputs: ["importUrl"],

    async create(ctx, i) {
        await gitlab(ctx, i.baseUrl, `set up pull mirror of project ${i.projectId}`).put(`/projects/${i.projectId}`, pullSettings(i));
        return { id: `${i.projectId}/pull-mirror`, outs: i };
    },
    async read(ctx, _id, state) {
        const p = await gitlab(ctx, state.baseUrl, `read pull mirror of project ${state.projectId}`).get<ApiMirrorProject>(`/projects/${state.projectId}`);
        if (!p || !p.mirror) return undefined;
        const sameUrl = p.import_url !== null && withoutCredentials(state.importUrl) === withoutCredentials(p.import_url);
        return { ...state, importUrl: sameUrl ? state.importUrl : (p.import_url ?? ""), triggerBuilds: p.mirror_trigger_builds, onlyProtectedBranches: p.only_mirror_protected_branches };
    },
    async update(ctx, _id, _olds, news) {
        await gitlab(ctx, news.baseUrl, `update pull mirror of project ${news.projectId}`).put(`/projects/${news.projectId}`, pullSettings(news));
        return news;
    },
    async delete(ctx, _id, state) {
        // One call: a project that is gone has no mirror left to stop.
        await gitlab(ctx, state.baseUrl, `stop pull mirror of project ${state.projectId}`).retire("PUT", `/projects/${state.projectId}`, { mirror: false });
    },
};

interface ApiRemoteMirror {
    id: number;
    url: string;
    enabled: boolean;
    only_protected_branches: boolean;
    keep_divergent_refs: boolean;
}

export const pushMirrorDefinition: ResourceDefinition<ReturnType<typeof pushMirrorInputSchema>> = {
    module: "gitlab",
    type: "PushMirror",
    service: "gitlab",
    schema: pushMirrorInputSchema,
    // GitLab does not change a remote mirror's URL; a new one is created instead.
    replaceOnChanges: ["baseUrl", "projectId", "url"],
    deleteBeforeReplace: false,
    secretInputs: ["url"],

    async create(ctx, i) {
        const m = await gitlab(ctx, i.baseUrl, `add push mirror to project ${i.projectId}`).post<ApiRemoteMirror>(`/projects/${i.projectId}/remote_mirrors`, {
            url: i.url,
            enabled: i.enabled,
            only_protected_branches: i.onlyProtectedBranches,
            keep_divergent_refs: i.keepDivergentRefs,
        });
        return { id: String(m.id), outs: i };
    },
    async read(ctx, id, state) {
        const m = await gitlab(ctx, state.baseUrl, `read push mirror ${id}`).get<ApiRemoteMirror>(`/projects/${state.projectId}/remote_mirrors/${id}`);
        if (!m) return undefined;
        return { ...state, url: maskedCredentials(state.url) === m.url ? state.url : m.url, enabled: m.enabled, onlyProtectedBranches: m.only_protected_branches, keepDivergentRefs: m.keep_divergent_refs };
    },
    async update(ctx, id, _olds, news) {
        await gitlab(ctx, news.baseUrl, `update push mirror ${id}`).put(`/projects/${news.projectId}/remote_mirrors/${id}`, { enabled: news.enabled, only_protected_branches: news.onlyProtectedBranches, keep_divergent_refs: news.keepDivergentRefs });
        return news;
    },
    async delete(ctx, id, state) {
        await gitlab(ctx, state.baseUrl, `remove push mirror ${id}`).remove(`/projects/${state.projectId}/remote_mirrors/${id}`);
    },
};

/** `importUrl` is the GitHub repository's https URL with credentials; secret in state. */
export type GitlabPullMirrorArgs = ResourceArgs<ReturnType<typeof pullMirrorInputSchema>>;
/** `url` is the target repository's https URL with credentials; secret in state. */
export type GitlabPushMirrorArgs = ResourceArgs<ReturnType<typeof pushMirrorInputSchema>>;

export class GitlabPullMirror extends DynamicResource<ReturnType<typeof pullMirrorInputSchema>> {
    constructor(name: string, args: GitlabPullMirrorArgs, opts?: pulumi.CustomResourceOptions) {
        super(pullMirrorDefinition, name, args, opts);
    }
}

export class GitlabPushMirror extends DynamicResource<ReturnType<typeof pushMirrorInputSchema>> {
    constructor(name: string, args: GitlabPushMirrorArgs, opts?: pulumi.CustomResourceOptions) {
        super(pushMirrorDefinition, name, args, opts);
    }
}
