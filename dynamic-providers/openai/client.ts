/**
 * The OpenAI Admin API through the `openai` SDK (its `admin.organization.projects` routes), on
 * one HTTP call per operation: retries, request ids and redaction come from core/http.ts.
 */
import OpenAI from "openai";
import { callApi, type ApiErrors } from "../core/api-calls";
import type { CredentialSpec } from "../core/credentials";
import { confirmGone, type WhereItLives } from "../core/gone";
import type { HttpCall } from "../core/http";
import type { OperationContext } from "../core/provider";

/** An admin key (sk-admin-…): only organization owners make them; project keys cannot call these routes. */
export const openaiAdminKey: CredentialSpec = { configKey: "openaiAdminKey", envVars: ["OPENAI_ADMIN_KEY"], label: "OpenAI admin key" };

export function openaiAdmin(ctx: OperationContext, baseUrl: string, operation: string, call: HttpCall = ctx.http(operation)) {
    // organization and project left unset: the SDK would otherwise send OPENAI_ORG_ID / OPENAI_PROJECT_ID from the environment.
    const client = new OpenAI({ adminAPIKey: ctx.credential(openaiAdminKey), baseURL: baseUrl, fetch: call.fetch, maxRetries: 0, organization: null, project: null });
    return { call, projects: client.admin.organization.projects };
}

/** What OpenAI said: `{"error": {"message", "type", "param", "code"}}` (openapi.yaml `ErrorResponse`). */
function details(err: unknown) {
    const e = err as { status?: number; error?: { message?: string; code?: string | null; type?: string }; message?: string };
    const status = typeof e.status === "number" ? e.status : undefined;
    const apiMessage = e.error?.message ?? e.message ?? String(err);
    // A key without admin scopes is answered 401 naming the missing scope: say which setting to fix.
    const hint = status === 401 ? ` (${openaiAdminKey.configKey} or ${openaiAdminKey.envVars.join(" / ")} must be an admin key, sk-admin-…, with write access)` : "";
    return { ...(status !== undefined ? { status } : {}), ...(e.error?.code ? { code: e.error.code } : e.error?.type ? { code: e.error.type } : {}), apiMessage: `${apiMessage}${hint}` };
}

const isNotFound = (err: unknown) => (err as { status?: number }).status === 404;

const OPENAI_ERRORS: ApiErrors = { details, isGone: isNotFound };

export const openaiCall = <T>(ctx: OperationContext, call: HttpCall, run: () => Promise<T>) => callApi(ctx, call, OPENAI_ERRORS, run);

/** The organization the admin key belongs to: visible when its project list answers (one call, on the 404 path only). */
export function theOrganization(ctx: OperationContext, baseUrl: string): WhereItLives {
    return {
        name: "the organization of the admin key",
        credential: openaiAdminKey,
        visible: async () => {
            try {
                await openaiAdmin(ctx, baseUrl, "list projects").projects.list({ limit: 1 });
                return true;
            } catch (err) {
                return `is refused: ${details(err).apiMessage}`;
            }
        },
    };
}

/**
 * A read or a write inside a project: undefined when the object is gone (`goneOrFail`), or when
 * the project was archived, which "cannot be used or updated" (what was in it counts as gone).
 * OpenAI answers a project's archived state with a 400 whose text it does not publish, so a 400
 * is judged by the project's own status (retrieve-project still answers an archived project).
 */
export async function insideProject<T>(ctx: OperationContext, call: HttpCall, what: string, baseUrl: string, projectId: string, run: () => Promise<T>): Promise<T | undefined> {
    try {
        return await run();
    } catch (err) {
        if ((err as { status?: number }).status === 400) {
            const project = openaiAdmin(ctx, baseUrl, `read project ${projectId}`);
            const found = await openaiCall(ctx, project.call, () => project.projects.retrieve(projectId));
            if (found.status === "archived") return undefined;
        }
        return goneOrFail(ctx, call, what, baseUrl, err);
    }
}

/**
 * A failed read or delete: a 404 means gone only when the admin key's organization answers
 * (core/gone.ts); anything else fails as OpenAI said it.
 */
export async function goneOrFail(ctx: OperationContext, call: HttpCall, what: string, baseUrl: string, err: unknown): Promise<undefined> {
    if (!isNotFound(err)) throw ctx.error(call, details(err));
    await confirmGone(ctx, call, what, theOrganization(ctx, baseUrl));
    return undefined;
}
