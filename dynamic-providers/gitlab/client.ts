/** GitLab REST API v4 on the shared HTTP layer; base URL overridable for self-managed GitLab. */
import type { CredentialSpec } from "../core/credentials";
import type { OperationContext } from "../core/provider";
import { joinUrl, restClient } from "../core/rest";

export const gitlabToken: CredentialSpec = {
    configKey: "gitlabToken",
    envVars: ["GITLAB_TOKEN"],
    label: "GitLab access token (api scope)",
};

/** One operation's client: paths are relative to /api/v4. */
export function gitlab(ctx: OperationContext, baseUrl: string, operation: string) {
    return restClient(ctx, ctx.http(operation), { baseUrl: joinUrl(baseUrl, "/api/v4"), headers: { "PRIVATE-TOKEN": ctx.credential(gitlabToken) } });
}

/** A URL without its user and password, as GitLab shows a pull mirror's import URL. */
export function withoutCredentials(url: string): string {
    try {
        const u = new URL(url);
        u.username = "";
        u.password = "";
        return u.href;
    } catch {
        return url;
    }
}

/** A URL with its credentials masked, as GitLab shows a push mirror's URL. */
export function maskedCredentials(url: string): string {
    try {
        const u = new URL(url);
        if (!u.username && !u.password) return u.href;
        return `${u.protocol}//*****:*****@${u.host}${u.pathname}${u.search}`;
    } catch {
        return url;
    }
}
