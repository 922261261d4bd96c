/**
 * Supabase clients, built per operation (never at module level) on the shared HTTP layer: the
 * storage client of supabase-js, and the Management API's routes with the token's refusals named.
 */
import { createClient } from "@supabase/supabase-js";
import WebSocket from "ws";
import type { CredentialSpec } from "../core/credentials";
import type { WhereItLives } from "../core/gone";
import type { HttpCall } from "../core/http";
import type { OperationContext } from "../core/provider";
import { joinUrl, messageOf, rest, RestError, restError } from "../core/rest";

export const serviceRoleKey: CredentialSpec = {
    configKey: "supabaseServiceRoleKey",
    envVars: ["SUPABASE_SERVICE_ROLE_KEY"],
    label: "Supabase service-role key",
};

/**
 * Why a key cannot be the service-role key, read from the key itself (no request): a JWT whose
 * `role` claim is not service_role (the anon key: Storage's row-level security hides every bucket
 * from it and answers 404), or a publishable key. Undefined when it is, or when the format is not
 * one we can read.
 */
export function serviceRoleKeyProblem(key: string): string | undefined {
    if (key.startsWith("sb_publishable_")) return "is a publishable key, which Storage treats as anon";
    const parts = key.split(".");
    if (parts.length !== 3) return undefined;
    try {
        const role = (JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as { role?: unknown }).role;
        return role === undefined || role === "service_role" ? undefined : `is a key with the role "${String(role)}", not the service-role key`;
    } catch {
        return undefined;
    }
}

/** For the Management API (Edge Function secrets). */
export const supabaseAccessToken: CredentialSpec = { configKey: "supabaseAccessToken", envVars: ["SUPABASE_ACCESS_TOKEN"], label: "Supabase personal access token" };

/** The storage client of supabase-js, sending through `call.fetch` (retries, request ids). */
export function storageClient(projectUrl: string, key: string, call: HttpCall) {
    return createClient(projectUrl, key, {
        auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
        global: { fetch: call.fetch },
        // Never opened; supabase-js insists on a WebSocket constructor on Node < 22.
        realtime: { transport: WebSocket as never },
    }).storage;
}

export interface StorageFailure {
    status?: number;
    code?: string;
    apiMessage: string;
}

/**
 * Supabase Storage answers most errors with HTTP 400 and puts the meaningful status in the body
 * (`{"statusCode":"404","code":"NoSuchBucket",...}`); storage-js exposes it as `statusCode`.
 */
export function storageFailure(error: unknown, call?: HttpCall): StorageFailure {
    const e = error as { status?: number; statusCode?: string; message?: string; name?: string };
    const bodyStatus = Number(e.statusCode);
    const status = Number.isInteger(bodyStatus) && bodyStatus > 0 ? bodyStatus : e.status;
    const body = call?.lastErrorBody as { code?: unknown } | undefined;
    const code = typeof body?.code === "string" ? body.code : undefined;
    return { status, code, apiMessage: e.message ?? String(error) };
}

/** A project on the Management API. */
export interface ManagementProject {
    managementUrl: string;
    projectRef: string;
}

type Gone = "may be gone" | "must exist";

/** Why the Management API refused the token, saying which setting to look at. */
export function managementRefusal(status: number, ref: string, permission: string): string {
    const setting = `${supabaseAccessToken.configKey} (or ${supabaseAccessToken.envVars.join(" / ")})`;
    return status === 401
        ? `${setting} is not a valid personal access token`
        : `${setting} may not reach project ${ref}: its account is not a member of the project's organisation, or lacks the permission for ${permission}`;
}

/**
 * One operation's calls on a project's Management API routes. A 404 comes back as `undefined`
 * where `gone` allows it (the caller then confirms it with `theAccount`); 401 and 403 fail naming
 * the token's setting. `permission` names what the token must be allowed ("Edge Functions").
 */
export function managementApi(ctx: OperationContext, p: ManagementProject, operation: string, permission: string, call: HttpCall = ctx.http(operation)) {
    const headers = { authorization: `Bearer ${ctx.credential(supabaseAccessToken)}` };
    const failure = (err: unknown) => {
        const status = (err as RestError).status;
        if (status === 401 || status === 403) return ctx.error(call, { status, apiMessage: `${(err as RestError).apiMessage}: ${managementRefusal(status, p.projectRef, permission)}` });
        return restError(ctx, call, err);
    };
    async function send<T>(method: "GET" | "POST" | "PATCH" | "DELETE", path: string, body: unknown, gone: Gone): Promise<{ body: T } | undefined> {
        try {
            return { body: (await rest<T>(call, { method, url: joinUrl(p.managementUrl, path), headers, body })).body };
        } catch (err) {
            if ((err as RestError).status === 404 && gone === "may be gone") return undefined;
            throw failure(err);
        }
    }
    /** A multipart/form-data request (Edge Function deploys); the answer is JSON. */
    async function sendForm<T>(path: string, query: Record<string, string>, form: FormData): Promise<T> {
        try {
            const url = new URL(joinUrl(p.managementUrl, path));
            for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
            // Encoded once to bytes, so the HTTP layer can send the same body again on a retry.
            const encoded = new Response(form);
            const body = new Uint8Array(await encoded.arrayBuffer());
            const contentType = encoded.headers.get("content-type") ?? "multipart/form-data";
            const response = await call.fetch(url.href, { method: "POST", headers: { ...headers, accept: "application/json", "content-type": contentType }, body });
            const text = await response.text();
            const answer: unknown = text && response.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text;
            if (!response.ok) throw new RestError(response.status, messageOf(answer, response.status), answer);
            return answer as T;
        } catch (err) {
            throw failure(err);
        }
    }
    return {
        call,
        send,
        sendForm,
        /** Every project the token's account may see (GET /v1/projects). */
        projects: () => send<unknown>("GET", "/v1/projects", undefined, "may be gone"),
    };
}

export type ManagementApi = ReturnType<typeof managementApi>;

/**
 * Where a project's objects live: the project, among the projects of the token's account.
 * Visible when the Management API lists that account's projects and the project is not among
 * them (or is listed as REMOVED): then the 404 means the project, and its objects, are gone. When
 * the project is listed, a 404 is about the object alone (`objectMayBeGone`) or cannot be trusted.
 */
export function theAccount(ctx: OperationContext, calls: ManagementApi, p: ManagementProject, what: string, objectMayBeGone = false): WhereItLives {
    return {
        name: `the project list of the account behind ${supabaseAccessToken.configKey}`,
        credential: supabaseAccessToken,
        visible: async () => {
            const answer = await calls.projects();
            const listed = answer?.body;
            if (!Array.isArray(listed) || !listed.every((x) => typeof (x as { ref?: unknown })?.ref === "string")) {
                return `got no project list from ${joinUrl(p.managementUrl, "/v1/projects")} (${answer === undefined ? "404" : "not a list"}): managementUrl may not be the Management API`;
            }
            const project = (listed as { ref: string; status?: string }[]).find((x) => x.ref === p.projectRef);
            if (project === undefined || project.status === "REMOVED" || objectMayBeGone) return true;
            throw ctx.error(calls.call, {
                status: 404,
                apiMessage: `project ${p.projectRef} is listed (status ${String(project.status)}) yet ${what} answered 404, which is not known to mean gone: kept in state; try again once the project is reachable`,
            });
        },
    };
}
