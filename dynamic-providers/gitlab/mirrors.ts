/**
 * Mirrors between GitHub and GitLab. Both URLs carry credentials GitLab never shows again: its
 * answers mask them (`https://*****:*****@github.com/…`, `https://*****@…` for a token written
 * as the user). Read compares the repository and where the masks fall, never the masked text
 * with the stored one, and keeps the secret URL from state while they agree: no diff on every up.
 *
 * Pull mirror (Premium and Ultimate): configured with `PUT /projects/:id/mirror/pull` (GitLab
 * 17.6; the project-edit `import_url`/`mirror` fields it replaces are deprecated), which takes
 * the repository URL and the credentials apart (`auth_user`, `auth_password`); read with `GET
 * /projects/:id/mirror/pull` (400 "The project is not mirrored" when off); removed with the same
 * PUT and `enabled: false`, which also drops the stored credentials (ee/lib/api/project_mirror.rb,
 * app/services/repositories/pull_mirrors/update_service.rb, doc/api/project_pull_mirroring.md).
 * A project has one pull mirror: configuring it twice is the same write, so a lost answer is
 * simply sent again; a project that already pulls from another repository is refused.
 *
 * Push mirror (a project's remote mirror, lib/api/remote_mirrors.rb): GitLab cannot change its
 * URL, so a new URL (a rotated token included) replaces it, the old one removed first. A remote
 * mirror has no field for a mark and GitLab shows no creation time: after a lost answer, the
 * mirror to the same repository, with the credentials masked in the same places and the settings
 * we sent, that has never run (update_status "none") is our own attempt and is adopted; any other
 * mirror to that repository is refused with an explanation.
 *
 * Gone only when gone (issue 16): a pull mirror that is off is gone (GitLab says so: 400 "The
 * project is not mirrored"); a 404 on either mirror counts as "gone" only when the project
 * answers with the same token, or is gone itself while its namespace (recorded at creation)
 * answers (client.ts `theProject`).
 */
import type * as pulumi from "@pulumi/pulumi";
import { createOnce } from "../core/ownership";
import { answerIsAbout, confirmGone, segment } from "../core/gone";
import type { OperationContext, ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { gitlab, idOf, listAll, namespaceOfProject, PULL_MIRROR_VISIBLE_USERS, PUSH_MIRROR_VISIBLE_USERS, sameMirrorUrl, splitCredentials, theProject, withoutCredentials } from "./client";
import { pullMirrorInputSchema, pushMirrorInputSchema, type PullMirrorInputs, type PushMirrorInputs } from "./schema";

/** The project's namespace, recorded at creation: what tells a project that is gone from one hidden (client.ts). */
interface Placed {
    projectNamespaceId?: number;
}
export type PullMirrorState = PullMirrorInputs & Placed;
export type PushMirrorState = PushMirrorInputs & Placed;

/** The recorded namespace, carried from the old state into the new one. */
const placedAs = (olds: Placed): Placed => (olds.projectNamespaceId !== undefined ? { projectNamespaceId: olds.projectNamespaceId } : {});

/** ee/lib/api/entities/pull_mirror.rb */
interface ApiPullMirror {
    id: number;
    update_status: string;
    url: string;
    enabled: boolean;
    mirror_trigger_builds: boolean;
    only_mirror_protected_branches: boolean | null;
}

/** The pull mirror's settings as `PUT /projects/:id/mirror/pull` takes them: the URL and its credentials apart. */
function pullSettings(i: PullMirrorInputs) {
    const { url, user, password } = splitCredentials(i.importUrl);
    // Both credentials always: an empty one clears what an earlier URL left (import data merges them).
    return { enabled: true, url, auth_user: user ?? "", auth_password: password ?? "", mirror_trigger_builds: i.triggerBuilds, only_mirror_protected_branches: i.onlyProtectedBranches };
}

/** GitLab's answer when the project has no pull mirror configured. */
function isNotMirrored(err: unknown): boolean {
    const e = err as { status?: number; apiMessage?: string };
    return e.status === 400 && /not mirrored|url is missing/.test(e.apiMessage ?? "");
}

/** Whether an answer is a pull mirror (ee/lib/api/entities/pull_mirror.rb), not a list or another object. */
const isPullMirror = (m: unknown): m is ApiPullMirror => typeof m === "object" && m !== null && !Array.isArray(m) && typeof (m as ApiPullMirror).enabled === "boolean" && "update_status" in m;

/**
 * The project's pull mirror, or undefined when the project has none. A 404 (the project gone, or
 * hidden from the token) counts as none only when `where` confirms it; without `where` (a create
 * looking first) the 404 is left for the write to report.
 */
async function pullMirrorOf(ctx: OperationContext, baseUrl: string, projectId: string, where?: Placed): Promise<ApiPullMirror | undefined> {
    const api = gitlab(ctx, baseUrl, `read pull mirror of project ${projectId}`);
    let m: ApiPullMirror | undefined;
    try {
        m = await api.get<ApiPullMirror>(`/projects/${segment(projectId)}/mirror/pull`);
    } catch (err) {
        if (isNotMirrored(err)) return undefined;
        throw err;
    }
    if (m === undefined) {
        // A bare 404 is the route missing (Free tier), not the project gone: never a reason to forget the mirror.
        if ((api.call.lastErrorBody as { error?: string } | undefined)?.error === "404 Not Found") {
            throw explainTier(ctx.error(api.call, { status: 404, apiMessage: "404 Not Found" }));
        }
        if (where) await confirmGone(ctx, api.call, `the pull mirror of project ${projectId}`, theProject(ctx, baseUrl, projectId, where.projectNamespaceId));
        return undefined;
    }
    answerIsAbout(ctx, api.call, "the pull mirror of project", projectId, isPullMirror(m) ? projectId : undefined);
    return m.enabled ? m : undefined;
}

/** Free and Community Edition have no pull mirror API: the route answers Grape's bare 404. */
function explainTier(err: unknown): unknown {
    const e = err as { status?: number; apiMessage?: string; message?: string };
    if (e.status !== 404 || e.apiMessage !== "404 Not Found") return err;
    e.message = `${e.message}. Pull mirroring (PUT /projects/:id/mirror/pull) needs GitLab Premium or Ultimate; on Free, mirror in the other direction (a push mirror from GitHub's side) instead`;
    return e;
}

async function configurePull(ctx: OperationContext, i: PullMirrorInputs, operation: string): Promise<void> {
    try {
        await gitlab(ctx, i.baseUrl, operation).put(`/projects/${segment(i.projectId)}/mirror/pull`, pullSettings(i));
    } catch (err) {
        throw explainTier(err);
    }
}

export const pullMirrorDefinition: ResourceDefinition<ReturnType<typeof pullMirrorInputSchema>, PullMirrorState> = {
    module: "gitlab",
    type: "PullMirror",
    idFor: (i) => `${i.projectId}/pull-mirror`,
    service: "gitlab",
    outputs: ["projectNamespaceId"],
    schema: pullMirrorInputSchema,
    replaceOnChanges: ["baseUrl", "projectId"],
    deleteBeforeReplace: true,
    secretInputs: ["importUrl"],

    async create(ctx, i) {
        const where = await namespaceOfProject(ctx, i.baseUrl, i.projectId);
        const current = await pullMirrorOf(ctx, i.baseUrl, i.projectId);
        if (current && withoutCredentials(current.url) !== withoutCredentials(i.importUrl)) {
            const call = ctx.http(`set up pull mirror of project ${i.projectId}`);
            throw ctx.error(call, {
                status: 409,
                apiMessage: `project ${i.projectId} already pulls from ${withoutCredentials(current.url)}: a project has one pull mirror; remove that one in GitLab (Settings > Repository > Mirroring repositories) or mirror into another project`,
            });
        }
        // The same repository (our own earlier attempt, or one set up by hand): configuring it is the same write.
        await configurePull(ctx, i, `set up pull mirror of project ${i.projectId}`);
        return { id: pullMirrorDefinition.idFor!(i), outs: { ...i, ...where } };
    },
    async read(ctx, _id, state) {
        const m = await pullMirrorOf(ctx, state.baseUrl, state.projectId, state);
        if (!m) return undefined;
        const importUrl = sameMirrorUrl(state.importUrl, m.url, PULL_MIRROR_VISIBLE_USERS) ? state.importUrl : m.url;
        return { ...state, importUrl, triggerBuilds: m.mirror_trigger_builds, onlyProtectedBranches: m.only_mirror_protected_branches ?? false };
    },
    async update(ctx, _id, olds, news) {
        await configurePull(ctx, news, `update pull mirror of project ${news.projectId}`);
        return { ...news, ...placedAs(olds) };
    },
    async delete(ctx, _id, state) {
        // One call: `enabled: false` stops the mirror and drops its credentials. A project that is
        // gone has no mirror left, once the project's absence is confirmed.
        const api = gitlab(ctx, state.baseUrl, `stop pull mirror of project ${state.projectId}`);
        try {
            await api.retire("PUT", `/projects/${segment(state.projectId)}/mirror/pull`, { enabled: false });
        } catch (err) {
            if (!isNotMirrored(err)) throw explainTier(err);
            return;
        }
        if (api.call.lastStatus === 404) {
            if ((api.call.lastErrorBody as { error?: string } | undefined)?.error === "404 Not Found") throw explainTier(ctx.error(api.call, { status: 404, apiMessage: "404 Not Found" }));
            await confirmGone(ctx, api.call, `the pull mirror of project ${state.projectId}`, theProject(ctx, state.baseUrl, state.projectId, state.projectNamespaceId));
        }
    },
};

/** lib/api/entities/remote_mirror.rb */
interface ApiRemoteMirror {
    id: number;
    url: string;
    enabled: boolean;
    only_protected_branches: boolean;
    keep_divergent_refs: boolean;
    update_status: string;
    last_update_started_at: string | null;
}

function pushSettings(i: PushMirrorInputs) {
    return { enabled: i.enabled, only_protected_branches: i.onlyProtectedBranches, keep_divergent_refs: i.keepDivergentRefs };
}

export const pushMirrorDefinition: ResourceDefinition<ReturnType<typeof pushMirrorInputSchema>, PushMirrorState> = {
    module: "gitlab",
    type: "PushMirror",
    service: "gitlab",
    outputs: ["projectNamespaceId"],
    schema: pushMirrorInputSchema,
    // GitLab does not change a remote mirror's URL: a new one replaces it, the old one removed
    // first, so the replacement can never be taken for the mirror it replaces.
    replaceOnChanges: ["baseUrl", "projectId", "url"],
    deleteBeforeReplace: true,
    secretInputs: ["url"],
    notAdoptable: "its URL holds credentials GitLab never shows and never lets change, so the stack could not put its own there; the stack makes its own push mirror: delete the old one after the first up",

    async create(ctx, i) {
        const operation = `add push mirror to project ${i.projectId}`;
        const where = await namespaceOfProject(ctx, i.baseUrl, i.projectId);
        const m = await createOnce<ApiRemoteMirror>(ctx, operation, {
            // GitLab takes two mirrors of one repository: look first, so a create run again adopts the first.
            lookFirst: true,
            create: (call) => gitlab(ctx, i.baseUrl, operation, call).post<ApiRemoteMirror>(`/projects/${segment(i.projectId)}/remote_mirrors`, { url: i.url, ...pushSettings(i) }),
            findLanded: async () => {
                const api = gitlab(ctx, i.baseUrl, `look for push mirrors of project ${i.projectId}`);
                const sameTarget = (await listAll<ApiRemoteMirror>(api, `/projects/${segment(i.projectId)}/remote_mirrors`)).filter((m) => withoutCredentials(m.url) === withoutCredentials(i.url));
                const ours = sameTarget.find(
                    (m) =>
                        sameMirrorUrl(i.url, m.url, PUSH_MIRROR_VISIBLE_USERS) &&
                        m.update_status === "none" &&
                        !m.last_update_started_at &&
                        m.enabled === i.enabled &&
                        m.only_protected_branches === i.onlyProtectedBranches &&
                        m.keep_divergent_refs === i.keepDivergentRefs,
                );
                if (ours) return ours;
                if (sameTarget.length > 0) {
                    throw ctx.error(api.call, {
                        status: 409,
                        apiMessage: `project ${i.projectId} already pushes to ${withoutCredentials(i.url)} (remote mirror ${sameTarget.map((m) => m.id).join(", ")}) and this stack cannot tell it is its own: remove it in GitLab (Settings > Repository > Mirroring repositories), then run again`,
                    });
                }
                return undefined;
            },
        });
        return { id: String(m.id), outs: { ...i, ...where } };
    },
    async read(ctx, id, state) {
        const api = gitlab(ctx, state.baseUrl, `read push mirror ${id}`);
        const m = await api.get<ApiRemoteMirror>(`/projects/${segment(state.projectId)}/remote_mirrors/${segment(id)}`);
        if (!m) {
            await confirmGone(ctx, api.call, `push mirror ${id}`, theProject(ctx, state.baseUrl, state.projectId, state.projectNamespaceId));
            return undefined;
        }
        answerIsAbout(ctx, api.call, "push mirror", id, idOf(m));
        const url = sameMirrorUrl(state.url, m.url, PUSH_MIRROR_VISIBLE_USERS) ? state.url : m.url;
        return { ...state, url, enabled: m.enabled, onlyProtectedBranches: m.only_protected_branches, keepDivergentRefs: m.keep_divergent_refs };
    },
    async update(ctx, id, olds, news) {
        await gitlab(ctx, news.baseUrl, `update push mirror ${id}`).put(`/projects/${segment(news.projectId)}/remote_mirrors/${segment(id)}`, pushSettings(news));
        return { ...news, ...placedAs(olds) };
    },
    async delete(ctx, id, state) {
        const api = gitlab(ctx, state.baseUrl, `remove push mirror ${id}`);
        await api.remove(`/projects/${segment(state.projectId)}/remote_mirrors/${segment(id)}`);
        if (api.call.lastStatus === 404) await confirmGone(ctx, api.call, `push mirror ${id}`, theProject(ctx, state.baseUrl, state.projectId, state.projectNamespaceId));
    },
};

/** `importUrl` is the GitHub repository's https URL with credentials; secret in state. Needs GitLab Premium. */
export type GitlabPullMirrorArgs = ResourceArgs<ReturnType<typeof pullMirrorInputSchema>>;
/** `url` is the target repository's https URL with credentials; secret in state. A new URL replaces the mirror. */
export type GitlabPushMirrorArgs = ResourceArgs<ReturnType<typeof pushMirrorInputSchema>>;

export class GitlabPullMirror extends DynamicResource<ReturnType<typeof pullMirrorInputSchema>, PullMirrorState> {
    /** The namespace of the mirror's project when the mirror was set up (how a deleted project is told from a hidden one). */
    declare readonly projectNamespaceId: pulumi.Output<number | undefined>;
    constructor(name: string, args: GitlabPullMirrorArgs, opts?: pulumi.CustomResourceOptions) {
        super(pullMirrorDefinition, name, args, opts);
    }
}

export class GitlabPushMirror extends DynamicResource<ReturnType<typeof pushMirrorInputSchema>, PushMirrorState> {
    /** The namespace of the mirror's project when the mirror was made (how a deleted project is told from a hidden one). */
    declare readonly projectNamespaceId: pulumi.Output<number | undefined>;
    constructor(name: string, args: GitlabPushMirrorArgs, opts?: pulumi.CustomResourceOptions) {
        super(pushMirrorDefinition, name, args, opts);
    }
}
