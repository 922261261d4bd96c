/** GitLab REST API v4 on the shared HTTP layer; base URL overridable for self-managed GitLab. */
import { createHash } from "node:crypto";
import type { CredentialSpec } from "../core/credentials";
import type { HttpCall } from "../core/http";
import { ownerMark } from "../core/ownership";
import { segment, type WhereItLives } from "../core/gone";
import type { OperationContext } from "../core/provider";
import { joinUrl, restClient, type ExplainRefusal, type RestRequest } from "../core/rest";

export const gitlabToken: CredentialSpec = {
    configKey: "gitlabToken",
    envVars: ["GITLAB_TOKEN"],
    label: "GitLab access token (api scope)",
};

type Query = RestRequest["query"];

/** One operation's client: paths are relative to /api/v4. `call` is given when the operation manages its own (a create sent once). */
export function gitlab(ctx: OperationContext, baseUrl: string, operation: string, call: HttpCall = ctx.http(operation)) {
    const client = restClient(ctx, call, { baseUrl: joinUrl(baseUrl, "/api/v4"), headers: { "PRIVATE-TOKEN": ctx.credential(gitlabToken) }, explainRefusal });
    return {
        call,
        /** The body, or undefined when GitLab answers 404 (the caller confirms what that means: core/gone.ts). */
        get: <T>(path: string, query?: Query) => client.get<T>(path, query),
        post: <T>(path: string, body?: unknown, query?: Query) => client.post<T>(path, body, query),
        put: <T>(path: string, body?: unknown, query?: Query) => client.put<T>(path, body, query),
        /** A removal; a 404 leaves `call.lastStatus` at 404 for the caller to confirm. */
        remove: (path: string, options: { body?: unknown; query?: Query } = {}) => client.remove(path, options),
        /** A write that ends an object's life; a 404 leaves `call.lastStatus` at 404. */
        retire: (method: "PUT" | "POST", path: string, body?: unknown, query?: Query) => client.retire(method, path, body, query),
    };
}

/**
 * GitLab's refusals name the token's setting: 401 is a token GitLab does not take (unknown,
 * expired, revoked, another instance's), or on remote mirrors a user who may not administer the
 * project (lib/api/remote_mirrors.rb); 403 a user who may read the project but not change it, or
 * a token without the api scope.
 */
const explainRefusal: ExplainRefusal = (status) => {
    const setting = `${gitlabToken.configKey} (or ${gitlabToken.envVars.join(" / ")})`;
    return status === 401 ? `GitLab did not accept ${setting} here: the token is unknown, expired or revoked, or its user may not administer this project` : `${setting} may not do this: the token needs the api scope, and its user the Maintainer role on the project`;
};

/** An answer's numeric id as text (ids are numbers in GitLab's answers, strings in state). */
export function idOf(answer: unknown): string | undefined {
    const id = (answer as { id?: unknown } | null | undefined)?.id;
    return typeof id === "number" || typeof id === "string" ? String(id) : undefined;
}

/**
 * Whether `path` answers with the same token: true when it does (about `id`), false on 404, why
 * not on a refusal (401, 403) or an answer about something else. Other failures are thrown.
 */
async function visibleAt(ctx: OperationContext, baseUrl: string, path: string, what: string, id: string): Promise<true | false | string> {
    const api = gitlab(ctx, baseUrl, `look at ${what}`);
    try {
        const found = await api.get<unknown>(path);
        if (found === undefined) return false;
        return idOf(found) === id || (found as { full_path?: unknown }).full_path === id ? true : `was answered about something else than ${what} at ${path}`;
    } catch (err) {
        const e = err as { status?: number; apiMessage?: string };
        if (e.status === 401 || e.status === 403) return `is refused ${what} (${e.status} ${e.apiMessage})`;
        throw err;
    }
}

/**
 * Where a project lives: its namespace (a group, or its user's namespace), read with the same
 * token (GET /namespaces/:id). GitLab answers 404 "404 Project Not Found" alike for a project
 * that is gone and one the token may not read (lib/api/helpers.rb find_project!), and 404
 * "404 Namespace Not Found" unless the token's user is a member of the group or owns the user
 * namespace (check_namespace_access, read_namespace_via_membership): so a project is gone only
 * when its namespace answers. One call, on the 404 path only.
 */
export function theNamespace(ctx: OperationContext, baseUrl: string, namespace: number | string | undefined): WhereItLives {
    return {
        name: namespace === undefined ? "its namespace" : `its namespace ${namespace}`,
        credential: gitlabToken,
        visible: async () => {
            if (namespace === undefined) return "has no namespace to check: the state does not say which namespace holds the project";
            const seen = await visibleAt(ctx, baseUrl, `/namespaces/${segment(String(namespace))}`, `namespace ${namespace}`, String(namespace));
            return seen === false ? `gets 404 Namespace Not Found for namespace ${namespace}: its user is not a member there` : seen;
        },
    };
}

/**
 * Where a project's hook, variable or mirror lives: the project, read with the same token (GET
 * /projects/:id). When the project answers 404 too, it is gone or hidden alike: its namespace
 * (recorded when the object was created) tells them apart, and an object of a project that is
 * gone is gone with it. One call when the project answers, two when it is gone; 404 path only.
 */
export function theProject(ctx: OperationContext, baseUrl: string, projectId: string, namespaceId: number | undefined): WhereItLives {
    const namespace = theNamespace(ctx, baseUrl, namespaceId);
    return {
        name: `project ${projectId}`,
        credential: gitlabToken,
        visible: async () => {
            const seen = await visibleAt(ctx, baseUrl, `/projects/${segment(projectId)}`, `project ${projectId}`, projectId);
            if (seen !== false) return seen;
            if (namespaceId === undefined) {
                return `gets 404 Project Not Found for project ${projectId} too, which GitLab answers both for a deleted project and for one this token may not read; this state was written before the project's namespace was recorded, so they cannot be told apart`;
            }
            const parent = await namespace.visible();
            return parent === true ? true : `gets 404 Project Not Found for project ${projectId}, and ${parent}`;
        },
    };
}

/** The namespace of a project, read once when one of its objects is created, for `theProject` later. */
export async function namespaceOfProject(ctx: OperationContext, baseUrl: string, projectId: string): Promise<{ projectNamespaceId?: number }> {
    const p = await gitlab(ctx, baseUrl, `read project ${projectId}`).get<{ id?: unknown; namespace?: { id?: unknown } }>(`/projects/${segment(projectId)}`);
    const id = p?.namespace?.id;
    return idOf(p) === projectId && typeof id === "number" ? { projectNamespaceId: id } : {};
}

export type GitlabClient = ReturnType<typeof gitlab>;

/** GitLab's page size ceiling (doc/api/rest/_index.md, offset-based pagination: per_page default 20, max 100). */
const PER_PAGE = 100;

/** Every item of a GitLab list, page by page, following `x-next-page` (offset pagination). */
export async function listAll<T>(api: GitlabClient, path: string, query: Record<string, string | number | boolean | undefined> = {}): Promise<T[]> {
    const all: T[] = [];
    for (let page = 1; page <= 1000; page++) {
        const items = await api.get<T[]>(path, { ...query, per_page: PER_PAGE, page });
        if (!items) return all;
        all.push(...items);
        const next = api.call.lastHeaders?.get("x-next-page");
        if (!next || items.length < PER_PAGE) return all;
    }
    return all;
}

/** The user and password of an http(s) URL, decoded; the URL itself without them. */
export function splitCredentials(url: string): { url: string; user?: string; password?: string } {
    try {
        const u = new URL(url);
        const user = u.username ? decodeURIComponent(u.username) : undefined;
        const password = u.password ? decodeURIComponent(u.password) : undefined;
        u.username = "";
        u.password = "";
        return { url: u.href, ...(user !== undefined ? { user } : {}), ...(password !== undefined ? { password } : {}) };
    } catch {
        return { url };
    }
}

/** A URL without its user and password. */
export function withoutCredentials(url: string): string {
    return splitCredentials(url).url;
}

/**
 * The user-and-password part of a URL as GitLab shows it: `*****` for each part present, except
 * a username GitLab lets through (`git`, on push mirrors).
 *
 * - Push mirrors: app/models/remote_mirror.rb `safe_url` (allowed_usernames: %w[git]) with
 *   app/models/concerns/safe_url.rb (gitlabhq/gitlabhq 0286e4c6 and 6adfd945).
 * - Pull mirrors: Project#safe_import_url, Gitlab::UrlSanitizer#masked_url, which masks every
 *   user and password (lib/gitlab/url_sanitizer.rb).
 */
export function shownUserinfo(url: string, visibleUsers: readonly string[]): string {
    const { user, password } = splitCredentials(url);
    if (user === undefined && password === undefined) return "";
    const shownUser = user === undefined ? "" : visibleUsers.includes(user) ? user : "*****";
    return password === undefined ? shownUser : `${shownUser}:*****`;
}

/** The user-and-password part of a URL exactly as written (GitLab's masked answers are read this way). */
function writtenUserinfo(url: string): string {
    return /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)@/i.exec(url)?.[1] ?? "";
}

/** Users a push mirror's URL shows in clear (RemoteMirror#safe_url). */
export const PUSH_MIRROR_VISIBLE_USERS = ["git"] as const;
/** A pull mirror's URL shows no user in clear (UrlSanitizer#masked_url). */
export const PULL_MIRROR_VISIBLE_USERS = [] as const;

/**
 * Whether the URL GitLab shows (masked) is the secret URL we stored: same repository, and the
 * credentials masked in the same places. Never compares the masked form with the stored one.
 */
export function sameMirrorUrl(secretUrl: string, shownUrl: string | null | undefined, visibleUsers: readonly string[]): boolean {
    if (!shownUrl) return false;
    return withoutCredentials(secretUrl) === withoutCredentials(shownUrl) && shownUserinfo(secretUrl, visibleUsers) === writtenUserinfo(shownUrl);
}

/**
 * The mark a GitLab object carries to say it is this resource's (core/ownership.ts): the URN
 * when the field takes it, else a digest of the URN (same meaning, fixed length).
 */
export function gitlabMark(resourceUrn: string, maxLength: number): string {
    const full = ownerMark(resourceUrn);
    return full.length <= maxLength ? full : `stackwire:sha256:${createHash("sha256").update(resourceUrn).digest("hex")}`;
}

/** Whether a text holds this resource's mark, in either form. */
export function holdsMark(text: unknown, resourceUrn: string): boolean {
    return typeof text === "string" && (text.includes(gitlabMark(resourceUrn, Infinity)) || text.includes(gitlabMark(resourceUrn, 0)));
}

/** GitLab refused because the object exists ("has already been taken", 400). */
export function isTaken(err: unknown): boolean {
    const e = err as { status?: number; apiMessage?: string };
    return e.status === 400 && /has already been taken/.test(e.apiMessage ?? "");
}
