/** GitLab REST API v4 on the shared HTTP layer; base URL overridable for self-managed GitLab. */
import type { CredentialSpec } from "../core/credentials";
import type { OperationContext } from "../core/provider";
import { baseUrlSchema, joinUrl, restClient } from "../core/rest";

export const gitlabToken: CredentialSpec = {
    configKey: "gitlabToken",
    envVars: ["GITLAB_TOKEN"],
    label: "GitLab access token (api scope)",
};

export const GITLAB_BASE_URL = "https://gitlab.com";

/** One operation's client: paths are relative to /api/v4. */
export function gitlab(ctx: OperationContext, baseUrl: string, operation: string) {
    return restClient(ctx, ctx.http(operation), { baseUrl: joinUrl(baseUrl, "/api/v4"), headers: { "PRIVATE-TOKEN": ctx.credential(gitlabToken) } });
}

export function gitlabConnectionShape() {
    return { baseUrl: baseUrlSchema(GITLAB_BASE_URL) };
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

/** GitLab's rule for CI/CD variable keys. */
export const VARIABLE_KEY_PATTERN = /^[A-Za-z0-9_]{1,255}$/;

/**
 * Whether GitLab can mask a value: at least 8 characters, no whitespace, and (unless the
 * variable is raw) only the Base64 alphabets of RFC 4648 and @ : . ~
 */
export function maskingProblem(value: string, raw: boolean): string | undefined {
    if (value.length < 8) return "a masked value must have at least 8 characters";
    if (/\s/.test(value)) return "a masked value must not contain spaces or line breaks";
    if (!raw) {
        const bad = [...new Set(value.replace(/[A-Za-z0-9+/=@:.~_-]/g, ""))];
        if (bad.length > 0) return `a masked value may hold only letters, digits and + / = @ : . ~ - _ (found ${bad.map((c) => JSON.stringify(c)).join(" ")}); mark it raw to allow other characters`;
    }
    return undefined;
}
