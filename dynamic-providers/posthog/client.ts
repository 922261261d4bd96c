/**
 * PostHog's private REST API (posthog.com/docs/api) on the shared REST layer, with a personal
 * API key. Errors come as {"type", "code", "detail", "attr"} (exceptions_hog, PostHog/posthog
 * settings EXCEPTION_HANDLER).
 */
import type { CredentialSpec } from "../core/credentials";
import { confirmGone } from "../core/gone";
import type { HttpCall } from "../core/http";
import type { OperationContext } from "../core/provider";
import { restClient, type ExplainRefusal } from "../core/rest";

/** A personal API key (phx_…) with project:write and feature_flag:write, not limited to some projects (those cannot create one). */
export const posthogPersonalKey: CredentialSpec = { configKey: "posthogPersonalKey", envVars: ["POSTHOG_PERSONAL_API_KEY"], label: "PostHog personal API key (project:write, feature_flag:write)" };

/**
 * PostHog's refusals: 401 a key it does not take (auth.py), 403 a missing scope or a project or
 * organization the key's user may not reach (permissions.py). A 403 for another reason (a plan's
 * project limit) speaks for itself.
 */
const explainRefusal: ExplainRefusal = (status, said) => {
    const setting = `${posthogPersonalKey.configKey} (or ${posthogPersonalKey.envVars.join(" / ")})`;
    if (status === 401) return `PostHog does not accept ${setting} on this host (a key works only in its own region)`;
    return /scope|access/i.test(said) ? `${setting} may not do this: it needs the project:write and feature_flag:write scopes, and its user access to the organization and project` : undefined;
};

export function posthog(ctx: OperationContext, baseUrl: string, operation: string, call: HttpCall = ctx.http(operation)) {
    return restClient(ctx, call, { baseUrl, headers: { authorization: `Bearer ${ctx.credential(posthogPersonalKey)}` }, explainRefusal });
}

/** A list page (DRF LimitOffsetPagination, 100 a page). */
export interface Page<T> {
    count: number;
    next: string | null;
    results: T[];
}

/** Every item of a list, following `next` (absolute URLs; only their query is taken). */
export async function listAll<T>(ctx: OperationContext, baseUrl: string, path: string, query: Record<string, string>, operation: string): Promise<T[]> {
    const api = posthog(ctx, baseUrl, operation);
    const all: T[] = [];
    let q: Record<string, string> = { limit: "100", ...query };
    for (let page = 0; page < 1000; page++) {
        const answer = await api.get<Page<T>>(path, q);
        // A list that is not there is a wrong URL or organization, never an empty one.
        if (!answer) throw ctx.error(api.call, { status: 404, apiMessage: `PostHog answered 404 to ${path}: check posthog.baseUrl and posthog.organizationId` });
        all.push(...answer.results);
        if (!answer.next) return all;
        q = Object.fromEntries(new URL(answer.next).searchParams);
    }
    return all;
}

/**
 * A 404 is gone only when the key still sees where the object lived (the organization's project
 * list, or the project), or that place is gone too (404) while this host takes the key (its own
 * record, @current, answers: a wrong URL would not). A place the key is refused (403: another
 * organization's) keeps the object in state.
 */
export async function goneFrom(ctx: OperationContext, call: HttpCall, what: string, baseUrl: string, wherePath: string, whereName: string): Promise<void> {
    await confirmGone(ctx, call, what, {
        name: whereName,
        credential: posthogPersonalKey,
        visible: async () => {
            const api = posthog(ctx, baseUrl, `read ${whereName}`);
            try {
                if ((await api.get(wherePath, { limit: "1" })) !== undefined) return true;
                return (await api.get("/api/personal_api_keys/@current/")) !== undefined;
            } catch (err) {
                return `is refused: ${(err as Error).message}`;
            }
        },
    });
}
