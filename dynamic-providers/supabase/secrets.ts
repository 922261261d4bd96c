/**
 * Supabase Edge Function secrets, as one set per stack, through the Management API. The API
 * never returns values, only a SHA-256 digest of each: refresh compares digests, so a value
 * changed out of band shows as drift without stackwire ever reading it.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { CredentialSpec } from "../core/credentials";
import { dynamicProvider, type OperationContext, type ResourceDefinition } from "../core/provider";
import { baseUrlSchema, joinUrl, restClient } from "../core/rest";

export const supabaseAccessToken: CredentialSpec = { configKey: "supabaseAccessToken", envVars: ["SUPABASE_ACCESS_TOKEN"], label: "Supabase personal access token" };
export const SUPABASE_MANAGEMENT_URL = "https://api.supabase.com";

export const digestOf = (value: string) => createHash("sha256").update(value).digest("hex");

export function secretSetInputSchema() {
    return z.object({
        managementUrl: baseUrlSchema(SUPABASE_MANAGEMENT_URL),
        projectRef: z.string().regex(/^[a-z0-9]{20}$/, "must be the project's 20-character reference, as in https://<ref>.supabase.co"),
        secrets: z
            .record(
                z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "secret names are letters, digits and _, not starting with a digit").refine((n) => !n.startsWith("SUPABASE_"), "names starting with SUPABASE_ are reserved by Supabase"),
                z.string().min(1, "must not be empty"),
            )
            .refine((s) => Object.keys(s).length > 0, "must hold at least one secret"),
    });
}

export type SecretSetInputs = z.output<ReturnType<typeof secretSetInputSchema>>;

function api(ctx: OperationContext, i: Pick<SecretSetInputs, "managementUrl" | "projectRef">, operation: string) {
    const client = restClient(ctx, ctx.http(operation), { baseUrl: joinUrl(i.managementUrl, `/v1/projects/${i.projectRef}`), headers: { authorization: `Bearer ${ctx.credential(supabaseAccessToken)}` } });
    return {
        list: () => client.get<{ name: string; value: string }[]>("/secrets"),
        upsert: (secrets: Record<string, string>) => client.post("/secrets", Object.entries(secrets).map(([name, value]) => ({ name, value }))),
        // A project that is gone has no secrets left to remove.
        remove: (names: string[]) => client.remove("/secrets", { body: names }),
    };
}

export const secretSetDefinition: ResourceDefinition<SecretSetInputs, SecretSetInputs> = {
    service: "supabase-management",
    schema: secretSetInputSchema,
    replaceOnChanges: ["managementUrl", "projectRef"],
    deleteBeforeReplace: true,

    async create(ctx, i) {
        await api(ctx, i, `set ${Object.keys(i.secrets).length} secrets on project ${i.projectRef}`).upsert(i.secrets);
        return { id: `${i.projectRef}/secrets`, outs: i };
    },
    async read(ctx, _id, state) {
        const listed = await api(ctx, state, `list secrets of project ${state.projectRef}`).list();
        if (listed === undefined) return undefined;
        const digests = new Map(listed.map((s) => [s.name, s.value]));
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

export const secretSetProvider = dynamicProvider(secretSetDefinition);

export interface SupabaseSecretSetArgs {
    /** @default https://api.supabase.com */
    managementUrl?: pulumi.Input<string>;
    projectRef: pulumi.Input<string>;
    /** Name → value; every value stays secret in state. */
    secrets: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export class SupabaseSecretSet extends pulumi.dynamic.Resource {
    constructor(name: string, args: SupabaseSecretSetArgs, opts?: pulumi.CustomResourceOptions) {
        super(secretSetProvider, name, { ...args, secrets: pulumi.secret(args.secrets) }, pulumi.mergeOptions(opts, { additionalSecretOutputs: ["secrets"] }), "supabase", "SecretSet");
    }
}
