/**
 * Mirrors between GitHub and GitLab. A pull mirror is a project's import URL with mirroring on;
 * a push mirror is a project's remote mirror. Both URLs carry credentials that GitLab never
 * returns (the pull URL comes back stripped, the push URL masked): read keeps the secret URL
 * from state while GitLab's form of it still matches, so there is no diff on every up.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { dynamicProvider, type ResourceDefinition } from "../core/provider";
import { gitlab, gitlabConnectionShape, maskedCredentials, withoutCredentials } from "./client";

const mirrorUrl = () => z.url({ protocol: /^https$/, error: "must be an https URL of the repository, credentials included (https://user:token@github.com/org/repo.git)" });

export function pullMirrorInputSchema() {
    return z.object({
        ...gitlabConnectionShape(),
        projectId: z.string().regex(/^\d+$/, "must be a numeric project id"),
        importUrl: mirrorUrl(),
        triggerBuilds: z.boolean().default(false),
        onlyProtectedBranches: z.boolean().default(false),
    });
}

export type PullMirrorInputs = z.output<ReturnType<typeof pullMirrorInputSchema>>;

interface ApiMirrorProject {
    import_url: string | null;
    mirror: boolean;
    mirror_trigger_builds: boolean;
    only_mirror_protected_branches: boolean;
}

function pullSettings(i: PullMirrorInputs) {
    return { import_url: i.importUrl, mirror: true, mirror_trigger_builds: i.triggerBuilds, only_mirror_protected_branches: i.onlyProtectedBranches };
}

export const pullMirrorDefinition: ResourceDefinition<PullMirrorInputs, PullMirrorInputs> = {
    service: "gitlab",
    schema: pullMirrorInputSchema,
    replaceOnChanges: ["baseUrl", "projectId"],
    deleteBeforeReplace: true,

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
        const api = gitlab(ctx, state.baseUrl, `stop pull mirror of project ${state.projectId}`);
        if ((await api.get(`/projects/${state.projectId}`)) !== undefined) await api.put(`/projects/${state.projectId}`, { mirror: false });
    },
};

export function pushMirrorInputSchema() {
    return z.object({
        ...gitlabConnectionShape(),
        projectId: z.string().regex(/^\d+$/, "must be a numeric project id"),
        url: mirrorUrl(),
        enabled: z.boolean().default(true),
        onlyProtectedBranches: z.boolean().default(false),
        keepDivergentRefs: z.boolean().default(false),
    });
}

export type PushMirrorInputs = z.output<ReturnType<typeof pushMirrorInputSchema>>;

interface ApiRemoteMirror {
    id: number;
    url: string;
    enabled: boolean;
    only_protected_branches: boolean;
    keep_divergent_refs: boolean;
}

export const pushMirrorDefinition: ResourceDefinition<PushMirrorInputs, PushMirrorInputs> = {
    service: "gitlab",
    schema: pushMirrorInputSchema,
    // GitLab does not change a remote mirror's URL; a new one is created instead.
    replaceOnChanges: ["baseUrl", "projectId", "url"],
    deleteBeforeReplace: false,

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

export const pullMirrorProvider = dynamicProvider(pullMirrorDefinition);
export const pushMirrorProvider = dynamicProvider(pushMirrorDefinition);

interface MirrorCommonArgs {
    baseUrl?: pulumi.Input<string>;
    projectId: pulumi.Input<string>;
    onlyProtectedBranches?: pulumi.Input<boolean>;
}

export interface GitlabPullMirrorArgs extends MirrorCommonArgs {
    /** The GitHub repository's https URL with credentials; secret in state. */
    importUrl: pulumi.Input<string>;
    /** Run pipelines for mirrored commits. @default false */
    triggerBuilds?: pulumi.Input<boolean>;
}

export interface GitlabPushMirrorArgs extends MirrorCommonArgs {
    /** The target repository's https URL with credentials; secret in state. */
    url: pulumi.Input<string>;
    enabled?: pulumi.Input<boolean>;
    keepDivergentRefs?: pulumi.Input<boolean>;
}

export class GitlabPullMirror extends pulumi.dynamic.Resource {
    constructor(name: string, args: GitlabPullMirrorArgs, opts?: pulumi.CustomResourceOptions) {
        super(pullMirrorProvider, name, { ...args, importUrl: pulumi.secret(args.importUrl) }, pulumi.mergeOptions(opts, { additionalSecretOutputs: ["importUrl"] }), "gitlab", "PullMirror");
    }
}

export class GitlabPushMirror extends pulumi.dynamic.Resource {
    constructor(name: string, args: GitlabPushMirrorArgs, opts?: pulumi.CustomResourceOptions) {
        super(pushMirrorProvider, name, { ...args, url: pulumi.secret(args.url) }, pulumi.mergeOptions(opts, { additionalSecretOutputs: ["url"] }), "gitlab", "PushMirror");
    }
}
