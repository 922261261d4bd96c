/** GitLab project: namespace and path replace; name, visibility, description and default branch change in place. */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { dynamicProvider, type ResourceDefinition } from "../core/provider";
import { gitlab, gitlabConnectionShape } from "./client";

export function projectInputSchema() {
    return z.object({
        ...gitlabConnectionShape(),
        /** Group or user namespace id; the token's user when absent. */
        namespaceId: z.number().int().positive().nullable().default(null),
        path: z.string().min(1).max(255).regex(/^[a-zA-Z0-9_][a-zA-Z0-9_.-]*$/, "must start with a letter, digit or _ and hold only letters, digits, _ . -").refine((p) => !/\.(git|atom)$/.test(p), "must not end in .git or .atom"),
        name: z.string().min(1).max(255),
        visibility: z.enum(["private", "internal", "public"]).default("private"),
        description: z.string().max(2000).default(""),
        defaultBranch: z.string().min(1).default("main"),
    });
}

export type GitlabProjectInputs = z.output<ReturnType<typeof projectInputSchema>>;
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

export const projectDefinition: ResourceDefinition<GitlabProjectInputs, GitlabProjectState> = {
    service: "gitlab",
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

export const gitlabProjectProvider = dynamicProvider(projectDefinition);

export interface GitlabProjectArgs {
    /** @default https://gitlab.com */
    baseUrl?: pulumi.Input<string>;
    namespaceId?: pulumi.Input<number>;
    path: pulumi.Input<string>;
    name: pulumi.Input<string>;
    /** @default "private" */
    visibility?: pulumi.Input<"private" | "internal" | "public">;
    description?: pulumi.Input<string>;
    /** @default "main" */
    defaultBranch?: pulumi.Input<string>;
}

export class GitlabProject extends pulumi.dynamic.Resource {
    declare readonly pathWithNamespace: pulumi.Output<string>;
    declare readonly webUrl: pulumi.Output<string>;
    declare readonly httpUrlToRepo: pulumi.Output<string>;
    constructor(name: string, args: GitlabProjectArgs, opts?: pulumi.CustomResourceOptions) {
        super(gitlabProjectProvider, name, { pathWithNamespace: undefined, webUrl: undefined, httpUrlToRepo: undefined, ...args }, opts, "gitlab", "Project");
    }
}
