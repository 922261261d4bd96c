/** GitLab REST API v4 on the shared HTTP layer; base URL overridable for self-managed GitLab. */
import { createHash } from "node:crypto";
import type { CredentialSpec } from "../core/credentials";
import type { HttpCall } from "../core/http";
import { ownerMark } from "../core/ownership";
import type { OperationContext } from "../core/provider";
import { joinUrl, restClient } from "../core/rest";

export const gitlabToken: CredentialSpec = {
    configKey: "gitlabToken",
    envVars: ["GITLAB_TOKEN"],
    label: "GitLab access token (api scope)",
};

/** One operation's client: paths are relative to /api/v4. `call` is given when the operation manages its own (a create sent once). */
export function gitlab(ctx: OperationContext, baseUrl: string, operation: string, call: HttpCall = ctx.http(operation)) {
    return restClient(ctx, call, { baseUrl: joinUrl(baseUrl, "/api/v4"), headers: { "PRIVATE-TOKEN": ctx.credential(gitlabToken) } });
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
