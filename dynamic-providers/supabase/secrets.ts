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
 */
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import type { OperationContext, ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { joinUrl, restClient } from "../core/rest";
import { supabaseAccessToken } from "./client";
import { secretSetInputSchema, type SecretSetInputs } from "./schema";

/** The digest the Management API lists for a value: SHA-256 of its UTF-8 bytes, lower-case hex. */
export const digestOf = (value: string) => createHash("sha256").update(value, "utf8").digest("hex");

function api(ctx: OperationContext, i: Pick<SecretSetInputs, "managementUrl" | "projectRef">, operation: string) {
    const client = restClient(ctx, ctx.http(operation), { baseUrl: joinUrl(i.managementUrl, `/v1/projects/${i.projectRef}`), headers: { authorization: `Bearer ${ctx.credential(supabaseAccessToken)}` } });
    return {
        list: () => client.get<{ name: string; value: string }[]>("/secrets"),
        upsert: (secrets: Record<string, string>) => client.post("/secrets", Object.entries(secrets).map(([name, value]) => ({ name, value }))),
        // A project that is gone has no secrets left to remove.
        remove: (names: string[]) => client.remove("/secrets", { body: names }),
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
        const listed = await api(ctx, state, `list secrets of project ${state.projectRef}`).list();
        if (listed === undefined) return undefined;
        const digests = new Map(listed.map((s) => [s.name, s.value]));
        // None of its names left on the project: the set was removed out of band.
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
        if (removed.length > 0) await client.remove(removed);
        return news;
    },
    async delete(ctx, _id, state) {
        await api(ctx, state, `remove secrets of project ${state.projectRef}`).remove(Object.keys(state.secrets));
    },
};

/** `managementUrl` defaults to https://api.supabase.com; every value stays secret in state. */
export type SupabaseSecretSetArgs = ResourceArgs<ReturnType<typeof secretSetInputSchema>>;

export class SupabaseSecretSet extends DynamicResource<ReturnType<typeof secretSetInputSchema>> {
    constructor(name: string, args: SupabaseSecretSetArgs, opts?: pulumi.CustomResourceOptions) {
        super(secretSetDefinition, name, args, opts);
    }
}
