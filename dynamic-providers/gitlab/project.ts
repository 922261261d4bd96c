/** GitLab project: namespace and path replace; name, visibility, description and default branch change in place. */
import type * as pulumi from "@pulumi/pulumi";
import type { ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { gitlab } from "./client";
import { projectInputSchema, type GitlabProjectInputs } from "./schema";

export interface GitlabProjectState extends GitlabProjectInputs {
    pathWithNamespace: string;
    webUrl: string;
    httpUrlToRepo: string;
}

interface ApiProject {
    id: number;
    name: string;
    path: string;
    path_with_namespace: string;
    visibility: GitlabProjectInputs["visibility"];
    description: string | null;
    default_branch: string | null;
    web_url: string;
    http_url_to_repo: string;
    namespace: { id: number };
}

function fromApi(state: GitlabProjectInputs, p: ApiProject): GitlabProjectState {
    return {
        ...state,
        name: p.name,
        path: p.path,
        visibility: p.visibility,
        description: p.description ?? "",
        defaultBranch: p.default_branch ?? state.defaultBranch,
        namespaceId: state.namespaceId === null ? null : p.namespace.id,
        pathWithNamespace: p.path_with_namespace,
        webUrl: p.web_url,
        httpUrlToRepo: p.http_url_to_repo,
    };
}

export const projectDefinition: ResourceDefinition<ReturnType<typeof projectInputSchema>, GitlabProjectState> = {
    module: "gitlab",
    type: "Project",
    service: "gitlab",
    outputs: ["pathWithNamespace", "webUrl", "httpUrlToRepo"],
    schema: projectInputSchema,
    replaceOnChanges: ["baseUrl", "namespaceId", "path"],
    deleteBeforeReplace: true,

    async create(ctx, i) {
        const api = gitlab(ctx, i.baseUrl, `create project ${i.path}`);
        const body = { name: i.name, path: i.path, visibility: i.visibility, description: i.description, default_branch: i.defaultBranch, ...(i.namespaceId !== null ? { namespace_id: i.namespaceId } : {}) };
        try {
            const created = await api.post<ApiProject>("/projects", body);
            return { id: String(created.id), outs: fromApi(i, created) };
        } catch (err) {
            // Our own earlier attempt may have created it before the answer was lost.
            if (!api.call.writeMayHaveLanded) throw err;
            const found = (await api.get<ApiProject[]>("/projects", { owned: true, search: i.path })) ?? [];
            const ours = found.find((p) => p.path === i.path && (i.namespaceId === null || p.namespace.id === i.namespaceId));
            if (!ours) throw err;
            return { id: String(ours.id), outs: fromApi(i, ours) };
        }
    },
    async read(ctx, id, state) {
        const p = await gitlab(ctx, state.baseUrl, `read project ${id}`).get<ApiProject>(`/projects/${id}`);
        return p && fromApi(state, p);
    },
    async update(ctx, id, _olds, news) {
        const p = await gitlab(ctx, news.baseUrl, `update project ${id}`).put<ApiProject>(`/projects/${id}`, { name: news.name, visibility: news.visibility, description: news.description, default_branch: news.defaultBranch });
        return fromApi(news, p);
    },
    async delete(ctx, id, state) {
        // GitLab answers 202: deletion is scheduled (and delayed on some plans).
        await gitlab(ctx, state.baseUrl, `delete project ${id}`).remove(`/projects/${id}`);
    },
};

/** `namespaceId` is the group (the token's user when absent); namespace and path replace the project. */
export type GitlabProjectArgs = ResourceArgs<ReturnType<typeof projectInputSchema>>;

export class GitlabProject extends DynamicResource<ReturnType<typeof projectInputSchema>, GitlabProjectState> {
    declare readonly pathWithNamespace: pulumi.Output<string>;
    declare readonly webUrl: pulumi.Output<string>;
    declare readonly httpUrlToRepo: pulumi.Output<string>;
    constructor(name: string, args: GitlabProjectArgs, opts?: pulumi.CustomResourceOptions) {
        super(projectDefinition, name, args, opts);
    }
}
