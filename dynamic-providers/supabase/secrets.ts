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
import { confirmGone, segment } from "../core/gone";
import type { HttpCall } from "../core/http";
import type { OperationContext, ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { managementApi, theAccount } from "./client";
import { secretSetInputSchema, type SecretSetInputs } from "./schema";

/** The digest the Management API lists for a value: SHA-256 of its UTF-8 bytes, lower-case hex. */
export const digestOf = (value: string) => createHash("sha256").update(value, "utf8").digest("hex");

type Project = Pick<SecretSetInputs, "managementUrl" | "projectRef">;

/** One operation's calls on a project's secrets (the shared Management API client, client.ts). */
function api(ctx: OperationContext, p: Project, operation: string) {
    const calls = managementApi(ctx, p, operation, "Edge Function secrets");
    const secretsPath = `/v1/projects/${segment(p.projectRef)}/secrets`;
    return {
        ...calls,
        list: () => calls.send<unknown>("GET", secretsPath, undefined, "may be gone"),
        upsert: (secrets: Record<string, string>) => calls.send("POST", secretsPath, Object.entries(secrets).map(([name, value]) => ({ name, value })), "must exist"),
        remove: (names: string[], gone: "may be gone" | "must exist") => calls.send("DELETE", secretsPath, names, gone),
    };
}

/** The list is a secret list (SecretResponse[]) before any of it becomes state. */
function secretList(ctx: OperationContext, call: HttpCall, ref: string, listed: unknown): Map<string, string> {
    const ok = Array.isArray(listed) && listed.every((s) => typeof (s as { name?: unknown })?.name === "string" && typeof (s as { value?: unknown })?.value === "string");
    if (!ok) throw ctx.error(call, { apiMessage: `asked for the secrets of project ${ref} and was answered with something that is not a secret list: managementUrl may not be the Management API; nothing was changed in state` });
    return new Map((listed as { name: string; value: string }[]).map((s) => [s.name, s.value]));
}

export const secretSetDefinition: ResourceDefinition<ReturnType<typeof secretSetInputSchema>> = {
    module: "supabase",
    type: "SecretSet",
    idFor: (i) => `${i.projectRef}/secrets`,
    service: "supabase-management",
    schema: secretSetInputSchema,
    replaceOnChanges: ["managementUrl", "projectRef"],
    deleteBeforeReplace: true,
    secretInputs: ["secrets"],

    async create(ctx, i) {
        await api(ctx, i, `set ${Object.keys(i.secrets).length} secrets on project ${i.projectRef}`).upsert(i.secrets);
        return { id: secretSetDefinition.idFor!(i), outs: i };
    },
    async read(ctx, _id, state) {
        const calls = api(ctx, state, `list secrets of project ${state.projectRef}`);
        const answer = await calls.list();
        if (answer === undefined) {
            await confirmGone(ctx, calls.call, `the secrets of project ${state.projectRef}`, theAccount(ctx, calls, state, "its secrets"));
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
            await confirmGone(ctx, calls.call, `the secrets of project ${state.projectRef}`, theAccount(ctx, calls, state, "its secrets"));
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
