/** Resend's REST API on the shared HTTP layer. */
import type { CredentialSpec } from "../core/credentials";
import { answerIsAbout, confirmGone, segment, type WhereItLives } from "../core/gone";
import type { HttpCall } from "../core/http";
import { oncePerRun } from "../core/once";
import type { OperationContext } from "../core/provider";
import { joinUrl, rest, restClient, restError, RestError } from "../core/rest";

export const resendApiKey: CredentialSpec = { configKey: "resendApiKey", envVars: ["RESEND_API_KEY"], label: "Resend API key (full access)" };

/** One operation's client; `call` is given when the operation manages its own (a create sent once). */
export function resend(ctx: OperationContext, baseUrl: string, operation: string, call: HttpCall = ctx.http(operation)) {
    return restClient(ctx, call, { baseUrl, headers: { authorization: `Bearer ${ctx.credential(resendApiKey)}` } });
}

type ResendClient = ReturnType<typeof resend>;

/** Every item of a Resend list, page by page (at most 100 a page; `after` is the last id seen). */
export async function listAll<T extends { id: string }>(api: ResendClient, path: string): Promise<T[]> {
    const all: T[] = [];
    for (let after: string | undefined; ; ) {
        const page = await api.get<{ data: T[]; has_more?: boolean }>(path, { limit: 100, after });
        if (!page) return all;
        all.push(...page.data);
        if (!page.has_more || page.data.length === 0) return all;
        after = page.data[page.data.length - 1].id;
    }
}

/** Resend refused because the object exists (a domain already registered). */
export function isAlreadyThere(err: unknown): boolean {
    const e = err as { status?: number; apiMessage?: string };
    return (e.status === 403 || e.status === 409 || e.status === 422) && /already/i.test(e.apiMessage ?? "");
}

/**
 * An id (always Resend's, from the state) as a path segment: encoded, and never empty, which
 * would address the list instead.
 */
export function inPath(id: string): string {
    if (id.length === 0) throw new Error("an empty id cannot address a Resend object");
    return segment(id);
}

/**
 * Which team a key belongs to, as far as Resend's API can tell: it has no call that names a
 * key's team, and a full-access key of another team is answered 404 not_found for this team's
 * objects, as if they were gone. What a key can see of its team is the team's API keys (the key
 * itself among them). So an object records the ids of its team's keys when it is made, and a
 * 404 means gone only when the key asking still sees one of them.
 */
export interface ResendTeam {
    /** Ids of the team's API keys when the object was made (the newest 100); absent in state written before. */
    teamKeyIds?: string[];
}

/** The team fields of a state, only those it has. */
export function teamOf(state: ResendTeam): ResendTeam {
    return state.teamKeyIds !== undefined ? { teamKeyIds: state.teamKeyIds } : {};
}

/** The ids of the team's API keys the stack's key sees (the newest 100: one request), read once per run and key. */
export function teamKeyIds(ctx: OperationContext, baseUrl: string): Promise<string[]> {
    return oncePerRun("resend team", ctx.credential(resendApiKey), baseUrl, async () => {
        const page = await resend(ctx, baseUrl, "list the Resend team's API keys").get<{ data: { id: string }[] }>("/api-keys", { limit: 100 });
        return (page?.data ?? []).map((k) => k.id);
    });
}

/**
 * The team that made the object, seen through the stack's key: one request (a page of the key
 * list) in the common case, until a key recorded at create shows up or the list ends.
 */
export function theTeam(ctx: OperationContext, baseUrl: string, state: ResendTeam): WhereItLives {
    return {
        name: "the Resend team that made it",
        credential: resendApiKey,
        visible: async () => {
            // State written before the team was recorded: the key works with full access, nothing more can be told.
            const recorded = state.teamKeyIds;
            if (recorded === undefined) return true;
            const api = resend(ctx, baseUrl, "check which Resend team the key belongs to");
            for (let after: string | undefined; ; ) {
                const page = await api.get<{ data: { id: string }[]; has_more?: boolean }>("/api-keys", { limit: 100, after });
                if (!page) return "cannot list its team's API keys (404)";
                if (page.data.some((k) => recorded.includes(k.id))) return true;
                if (!page.has_more || page.data.length === 0) break;
                after = page.data[page.data.length - 1].id;
            }
            return `sees none of the ${recorded.length} API key(s) its team had when it was made: it is a key of another team (or every one of those keys was removed since; then remove the object from the state yourself with \`pulumi state delete\` if it is really gone)`;
        },
    };
}

/** "product prod_1" → "product": what the answer should have been about, without its id. */
const kindOf = (what: string, id: string) => (what.endsWith(` ${id}`) ? what.slice(0, -id.length - 1) : what);

/** The object, or undefined when it is gone (the 404 confirmed by `where`); an answer about another object fails. */
export async function getOrGone<T extends { id?: unknown }>(ctx: OperationContext, baseUrl: string, what: string, path: string, id: string, where: () => WhereItLives): Promise<T | undefined> {
    const api = resend(ctx, baseUrl, `read ${what}`);
    const found = await api.get<T>(path);
    if (found === undefined) {
        await confirmGone(ctx, api.call, what, where());
        return undefined;
    }
    answerIsAbout(ctx, api.call, kindOf(what, id), id, found?.id);
    return found;
}

/** Deletes; a 404 counts as done only when `where` confirms it; the answer must be about this object. */
export async function removeOrGone(ctx: OperationContext, baseUrl: string, what: string, path: string, id: string, where: () => WhereItLives): Promise<void> {
    const api = resend(ctx, baseUrl, `remove ${what}`);
    let answer: { id?: unknown } | undefined;
    try {
        answer = await api.send<{ id?: unknown }>("DELETE", path);
    } catch (err) {
        if ((err as { status?: number }).status !== 404) throw err;
        return confirmGone(ctx, api.call, what, where());
    }
    answerIsAbout(ctx, api.call, kindOf(what, id), id, answer?.id);
}

/**
 * An API key proves itself: a key of this team that another team's key cannot list still answers
 * to its own token. Resend refuses the token of a removed key as invalid ("API key is invalid")
 * and a sending-only key's with restricted_api_key (resend.com/docs/api-reference/errors), so one
 * request with the key's own token tells gone from hidden, whichever team the stack's key is of.
 */
export function itsOwnToken(ctx: OperationContext, baseUrl: string, id: string, token: string | undefined): WhereItLives {
    return {
        name: `the Resend team that holds API key ${id}`,
        credential: resendApiKey,
        visible: async () => {
            // No token to ask with (a state that lost it): nothing more can be told.
            if (!token) return true;
            const call = ctx.http(`ask Resend whether API key ${id} still exists, with its own token`);
            try {
                await rest(call, { method: "GET", url: joinUrl(baseUrl, "/api-keys"), headers: { authorization: `Bearer ${token}` }, query: { limit: 1 } });
            } catch (err) {
                const e = err as RestError;
                if (!(err instanceof RestError) && e?.name !== "RestError") throw err;
                const name = (e.body as { name?: unknown } | undefined)?.name;
                if (e.status === 401 && name === "restricted_api_key") return `is a key of another team: API key ${id} still answers to its own token (as a sending key)`;
                if ([400, 401, 403].includes(e.status) && /invalid/i.test(e.apiMessage)) return true;
                throw restError(ctx, call, err);
            }
            return `is a key of another team: API key ${id} still answers to its own token`;
        },
    };
}
