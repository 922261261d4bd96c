/**
 * GitLab project: namespace and path replace; name, visibility, description and default branch
 * change in place.
 *
 * Default branch, as GitLab has it (app/services/projects/create_service.rb, app/models/concerns/
 * has_repository.rb, app/services/projects/update_service.rb): the branch is created only with
 * `initialize_with_readme`; without it the repository is empty, its HEAD points at the branch
 * asked for, and GitLab shows the group's or instance's default branch name until a first branch
 * lands (a push, the mirror's first pull). Changing it later works only towards a branch that
 * exists. So an empty project keeps the state's branch on refresh, and the branch is sent on an
 * update only when it changed.
 *
 * Ownership of a create whose answer was lost (core/ownership.ts): a project's path is unique in
 * its namespace, so the create is sent first and GitLab's "has already been taken" (or a lost
 * answer) leads to the project at that path. It is ours when its description carries this
 * resource's mark, an HTML comment after the description (`<!-- stackwire:urn:… -->`) that
 * GitLab's Markdown hides and read strips; without a URN, when it was created within the
 * lost-create window with the name and visibility we sent. Any other project there is refused.
 *
 * Gone only when gone (issue 16): GitLab answers 404 "404 Project Not Found" both for a project
 * that was deleted and for one the token may not read (lib/api/helpers.rb find_project!). A 404
 * on read or delete counts as "gone" only when the project's namespace (`namespaceId`, else the
 * namespace part of `pathWithNamespace`) answers with the same token: one call, on that path only.
 */
import type * as pulumi from "@pulumi/pulumi";
import { createdRecently, createOnce } from "../core/ownership";
import type { OperationContext, ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { answerIsAbout, confirmGone, segment } from "../core/gone";
import { gitlab, gitlabMark, holdsMark, idOf, isTaken, listAll, theNamespace } from "./client";
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
    empty_repo?: boolean;
    created_at?: string;
    web_url: string;
    http_url_to_repo: string;
    namespace: { id: number; kind?: string };
}

/** GitLab's limit on a project description (app/models/project.rb: maximum 2000). */
const DESCRIPTION_MAX = 2000;

/** The description as sent: the user's text, then this resource's mark where it fits. */
export function describedWithMark(description: string, resourceUrn: string | null): string {
    if (!resourceUrn) return description;
    for (const mark of [gitlabMark(resourceUrn, Infinity), gitlabMark(resourceUrn, 0)]) {
        const text = `${description}${description ? "\n\n" : ""}<!-- ${mark} -->`;
        if (text.length <= DESCRIPTION_MAX) return text;
    }
    return description;
}

/** The description without a stackwire mark (ours or an earlier URN's), as the user wrote it. */
export function descriptionWithoutMark(description: string | null): string {
    return (description ?? "").replace(/(?:\n\n)?<!-- stackwire:[^\n]*? -->$/, "");
}

function fromApi(state: GitlabProjectInputs, p: ApiProject): GitlabProjectState {
    return {
        ...state,
        name: p.name,
        path: p.path,
        visibility: p.visibility,
        description: descriptionWithoutMark(p.description),
        // An empty repository shows the instance's default name, not its HEAD: the state's branch stands.
        defaultBranch: p.empty_repo || !p.default_branch ? state.defaultBranch : p.default_branch,
        namespaceId: state.namespaceId === null ? null : p.namespace.id,
        pathWithNamespace: p.path_with_namespace,
        webUrl: p.web_url,
        httpUrlToRepo: p.http_url_to_repo,
    };
}

/** Where a project lives, as its state knows it: the namespace id asked for, else the path GitLab showed. */
function namespaceOf(state: Partial<GitlabProjectState>): number | string | undefined {
    if (typeof state.namespaceId === "number") return state.namespaceId;
    const full = state.pathWithNamespace;
    return typeof full === "string" && full.includes("/") ? full.slice(0, full.lastIndexOf("/")) : undefined;
}

/** The project at the path we asked for, if one exists. */
async function projectAtPath(ctx: OperationContext, i: GitlabProjectInputs): Promise<ApiProject | undefined> {
    const api = gitlab(ctx, i.baseUrl, `look for project ${i.path}`);
    // membership, not owned: a maintainer of a group does not own the projects it creates there.
    const found = await listAll<ApiProject>(api, "/projects", { membership: true, search: i.path, simple: false });
    return found.find((p) => p.path === i.path && (i.namespaceId === null ? p.namespace.kind !== "group" : p.namespace.id === i.namespaceId));
}

/** Whether a project found at our path is the one an earlier attempt of ours created. */
function isOurs(ctx: OperationContext, i: GitlabProjectInputs, p: ApiProject): boolean {
    if (i.resourceUrn) return holdsMark(p.description, i.resourceUrn);
    return createdRecently(ctx, p.created_at) && p.name === i.name && p.visibility === i.visibility;
}

/** The body of a change: the default branch only when it changes (GitLab moves HEAD only to an existing branch). */
function changes(olds: Partial<GitlabProjectInputs>, news: GitlabProjectInputs) {
    return {
        name: news.name,
        visibility: news.visibility,
        description: describedWithMark(news.description, news.resourceUrn ?? olds.resourceUrn ?? null),
        ...(news.defaultBranch !== olds.defaultBranch ? { default_branch: news.defaultBranch } : {}),
    };
}

/** GitLab's refusal to move HEAD to a branch the repository does not have, explained. */
function explainBranch(err: unknown, branch: string): unknown {
    const e = err as { message?: string; apiMessage?: string };
    if (!/Could not (change HEAD|set the default branch)/.test(e.apiMessage ?? "")) return err;
    e.message = `${e.message}. GitLab makes "${branch}" the default branch only once the repository has it: push it (or let the mirror bring it) first, or create the project with initializeWithReadme`;
    return e;
}

export const projectDefinition: ResourceDefinition<ReturnType<typeof projectInputSchema>, GitlabProjectState> = {
    module: "gitlab",
    type: "Project",
    service: "gitlab",
    outputs: ["pathWithNamespace", "webUrl", "httpUrlToRepo"],
    schema: projectInputSchema,
    replaceOnChanges: ["baseUrl", "namespaceId", "path"],
    deleteBeforeReplace: true,
    urnInput: true,

    async create(ctx, i) {
        const operation = `create project ${i.path}`;
        const body = {
            name: i.name,
            path: i.path,
            visibility: i.visibility,
            description: describedWithMark(i.description, i.resourceUrn),
            default_branch: i.defaultBranch,
            ...(i.initializeWithReadme ? { initialize_with_readme: true } : {}),
            ...(i.namespaceId !== null ? { namespace_id: i.namespaceId } : {}),
        };
        const project = await createOnce<ApiProject>(ctx, operation, {
            // The path is unique in its namespace: GitLab refuses a second project there.
            lookFirst: false,
            create: (call) => gitlab(ctx, i.baseUrl, operation, call).post<ApiProject>("/projects", body),
            isConflict: isTaken,
            findLanded: async () => {
                const found = await projectAtPath(ctx, i);
                return found && isOurs(ctx, i, found) ? found : undefined;
            },
            notOurs: (err, call) =>
                ctx.error(call, {
                    status: (err as { status?: number }).status,
                    apiMessage: `${(err as { apiMessage?: string }).apiMessage}: a project at path "${i.path}" already exists in this namespace and was not created by this resource (its description has no stackwire mark for it): choose another path, or remove or rename that project`,
                }),
        });
        const landed = fromApi(i, project);
        // An earlier attempt of ours may have sent other settings (the config changed since).
        if (landed.name !== i.name || landed.visibility !== i.visibility || landed.description !== i.description) {
            const api = gitlab(ctx, i.baseUrl, `update project ${project.id}`);
            const updated = await api.put<ApiProject>(`/projects/${segment(String(project.id))}`, changes(i, i));
            answerIsAbout(ctx, api.call, "project", String(project.id), idOf(updated));
            return { id: String(project.id), outs: fromApi(i, updated) };
        }
        return { id: String(project.id), outs: landed };
    },
    async read(ctx, id, state) {
        const api = gitlab(ctx, state.baseUrl, `read project ${id}`);
        const p = await api.get<ApiProject>(`/projects/${segment(id)}`);
        if (p === undefined) {
            await confirmGone(ctx, api.call, `project ${id}`, theNamespace(ctx, state.baseUrl, namespaceOf(state)));
            return undefined;
        }
        answerIsAbout(ctx, api.call, "project", id, idOf(p));
        return fromApi(state, p);
    },
    async update(ctx, id, olds, news) {
        const api = gitlab(ctx, news.baseUrl, `update project ${id}`);
        let p: ApiProject;
        try {
            p = await api.put<ApiProject>(`/projects/${segment(id)}`, changes(olds, news));
        } catch (err) {
            throw explainBranch(err, news.defaultBranch);
        }
        answerIsAbout(ctx, api.call, "project", id, idOf(p));
        return fromApi({ ...news, resourceUrn: news.resourceUrn ?? olds.resourceUrn ?? null }, p);
    },
    async delete(ctx, id, state) {
        // GitLab answers 202: deletion is scheduled (and delayed on some plans).
        const api = gitlab(ctx, state.baseUrl, `delete project ${id}`);
        await api.remove(`/projects/${segment(id)}`);
        if (api.call.lastStatus === 404) await confirmGone(ctx, api.call, `project ${id}`, theNamespace(ctx, state.baseUrl, namespaceOf(state)));
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
