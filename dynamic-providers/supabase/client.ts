/**
 * Supabase clients, built per operation (never at module level) on the shared HTTP layer.
 */
import { createClient } from "@supabase/supabase-js";
import WebSocket from "ws";
import type { CredentialSpec } from "../core/credentials";
import type { HttpCall } from "../core/http";

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
