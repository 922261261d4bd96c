/**
 * Supabase Edge Function secrets, as one set per stack, through the Management API. The API
 * never returns values: its list (GET /v1/projects/{ref}/secrets, SecretResponse.value) carries
 * the SHA-256 digest of each value's UTF-8 bytes in lower-case hex, as Supabase's own Terraform
 * provider reads it (supabase/terraform-provider-supabase, edge_function_secrets_resource.go
 * `computeSecretDigest`). Refresh compares digests, so a value changed out of band shows as drift
 * without stackwire ever reading it; a set none of whose names remain is gone.
 *
 * Every write is an upsert or a removal by name, so a write whose answer was lost is simply sent
 * again: the same request leaves the same secrets, never a second object.
 *
 * "Not found" (issue 16): a token that may not reach the project gets 403 (another organisation,
 * or no permission), never 404, so it fails here, naming supabaseAccessToken. A 404 on the
 * project's secrets counts as "the project is gone" only once the account's project list, read
 * with the same token, answers and does not hold the project: that list also tells a gone project
 * from a managementUrl that is not the Management API. One call, on the 404 path only.
 */
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { confirmGone, segment, type WhereItLives } from "../core/gone";
import type { HttpCall } from "../core/http";
import type { OperationContext, ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { joinUrl, rest, restError, type RestError } from "../core/rest";
import { supabaseAccessToken } from "./client";
import { secretSetInputSchema, type SecretSetInputs } from "./schema";

/** The digest the Management API lists for a value: SHA-256 of its UTF-8 bytes, lower-case hex. */
export const digestOf = (value: string) => createHash("sha256").update(value, "utf8").digest("hex");

type Project = Pick<SecretSetInputs, "managementUrl" | "projectRef">;

/** Why the Management API refused the token, saying which setting to look at. */
function refusal(status: number, ref: string): string {
    const setting = `${supabaseAccessToken.configKey} (or ${supabaseAccessToken.envVars.join(" / ")})`;
    return status === 401
        ? `${setting} is not a valid personal access token`
        : `${setting} may not reach project ${ref}: its account is not a member of the project's organisation, or lacks the permission for Edge Function secrets`;
}

/**
 * One operation's calls on a project. A 404 comes back as `undefined` where `gone` allows it
 * (the caller then confirms it); 401 and 403 fail naming the token's setting.
 */
function api(ctx: OperationContext, p: Project, operation: string) {
    const call = ctx.http(operation);
    const headers = { authorization: `Bearer ${ctx.credential(supabaseAccessToken)}` };
    const secretsPath = `/v1/projects/${segment(p.projectRef)}/secrets`;
    async function send<T>(method: "GET" | "POST" | "DELETE", path: string, body: unknown, gone: "may be gone" | "must exist"): Promise<{ body: T } | undefined> {
        try {
            return { body: (await rest<T>(call, { method, url: joinUrl(p.managementUrl, path), headers, body })).body };
        } catch (err) {
            const status = (err as RestError).status;
            if (status === 404 && gone === "may be gone") return undefined;
            if (status === 401 || status === 403) throw ctx.error(call, { status, apiMessage: `${(err as RestError).apiMessage}: ${refusal(status, p.projectRef)}` });
            throw restError(ctx, call, err);
        }
    }
    return {
        call,
        list: () => send<unknown>("GET", secretsPath, undefined, "may be gone"),
        upsert: (secrets: Record<string, string>) => send("POST", secretsPath, Object.entries(secrets).map(([name, value]) => ({ name, value })), "must exist"),
        remove: (names: string[], gone: "may be gone" | "must exist") => send("DELETE", secretsPath, names, gone),
        /** Every project the token's account may see (GET /v1/projects). */
        projects: () => send<unknown>("GET", "/v1/projects", undefined, "may be gone"),
    };
}

type Api = ReturnType<typeof api>;

/** The list is a secret list (SecretResponse[]) before any of it becomes state. */
function secretList(ctx: OperationContext, call: HttpCall, ref: string, listed: unknown): Map<string, string> {
    const ok = Array.isArray(listed) && listed.every((s) => typeof (s as { name?: unknown })?.name === "string" && typeof (s as { value?: unknown })?.value === "string");
    if (!ok) throw ctx.error(call, { apiMessage: `asked for the secrets of project ${ref} and was answered with something that is not a secret list: managementUrl may not be the Management API; nothing was changed in state` });
    return new Map((listed as { name: string; value: string }[]).map((s) => [s.name, s.value]));
}

/**
 * Where a set lives is its project, among the projects of the token's account. Visible when the
 * Management API lists that account's projects and the project is not among them (or is listed as
 * REMOVED): then the 404 means the project, and its secrets, are gone.
 */
function theAccount(ctx: OperationContext, calls: Api, p: Project): WhereItLives {
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
            if (project === undefined || project.status === "REMOVED") return true;
            throw ctx.error(calls.call, {
                status: 404,
                apiMessage: `project ${p.projectRef} is listed (status ${String(project.status)}) yet its secrets answered 404, so they are not known to be gone: kept in state; try again once the project is reachable`,
            });
        },
    };
}

export const secretSetDefinition: ResourceDefinition<ReturnType<typeof secretSetInputSchema>> = {
    module: "supabase",
    type: "SecretSet",
    service: "supabase-management",
    schema: secretSetInputSchema,
    replaceOnChanges: ["managementUrl", "projectRef"],
    deleteBeforeReplace: true,
    secretInputs: ["secrets"],

    async create(ctx, i) {
        await api(ctx, i, `set ${Object.keys(i.secrets).length} secrets on project ${i.projectRef}`).upsert(i.secrets);
        return { id: `${i.projectRef}/secrets`, outs: i };
    },
    async read(ctx, _id, state) {
        const calls = api(ctx, state, `list secrets of project ${state.projectRef}`);
        const answer = await calls.list();
        if (answer === undefined) {
            await confirmGone(ctx, calls.call, `the secrets of project ${state.projectRef}`, theAccount(ctx, calls, state));
            return undefined;
        }
        const digests = secretList(ctx, calls.call, state.projectRef, answer.body);
        // None of its names left on the project: the set was removed out of band. The list is the
        // project's own answer to this token (a 200), so this costs no further check.
        if (!Object.keys(state.secrets).some((name) => digests.has(name))) return undefined;
        // Ours as they are on Supabase: missing ones drop out, changed ones show a marker, never a value.
        const secrets = Object.fromEntries(
            Object.entries(state.secrets)
                .filter(([name]) => digests.has(name))
                .map(([name, value]) => [name, digests.get(name) === digestOf(value) ? value : `<changed outside stackwire: digest ${String(digests.get(name)).slice(0, 12)}…>`]),
        );
        return { ...state, secrets };
    },
    async update(ctx, _id, olds, news) {
        const client = api(ctx, news, `update secrets of project ${news.projectRef}`);
        const changed = Object.fromEntries(Object.entries(news.secrets).filter(([name, value]) => olds.secrets[name] !== value));
        const removed = Object.keys(olds.secrets).filter((name) => !(name in news.secrets));
        if (Object.keys(changed).length > 0) await client.upsert(changed);
        if (removed.length > 0) await client.remove(removed, "must exist");
        return news;
    },
    async delete(ctx, _id, state) {
        const calls = api(ctx, state, `remove secrets of project ${state.projectRef}`);
        // Names not set are ignored (200); a 404 is the project, and counts as done once it is known gone.
        if ((await calls.remove(Object.keys(state.secrets), "may be gone")) === undefined) {
            await confirmGone(ctx, calls.call, `the secrets of project ${state.projectRef}`, theAccount(ctx, calls, state));
        }
    },
};

/** `managementUrl` defaults to https://api.supabase.com; every value stays secret in state. */
export type SupabaseSecretSetArgs = ResourceArgs<ReturnType<typeof secretSetInputSchema>>;

export class SupabaseSecretSet extends DynamicResource<ReturnType<typeof secretSetInputSchema>> {
    constructor(name: string, args: SupabaseSecretSetArgs, opts?: pulumi.CustomResourceOptions) {
        super(secretSetDefinition, name, args, opts);
    }
}
