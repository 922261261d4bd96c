/**
 * Resend API key. Its token exists only in the creation response: it becomes a secret output that
 * survives refresh and update.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { resend } from "./client";
import { apiKeyInputSchema, type ApiKeyInputs } from "./schema";

export interface ApiKeyState extends ApiKeyInputs {
    token: string;
}

export const apiKeyDefinition: ResourceDefinition<ReturnType<typeof apiKeyInputSchema>, ApiKeyState> = {
    module: "resend",
    type: "ApiKey",
    service: "resend",
    schema: apiKeyInputSchema,
    secretOutputs: ["token"],
    // Resend cannot change a key: any change issues a new one (created first, so sending never stops).
    replaceOnChanges: ["baseUrl", "name", "permission", "domainId"],
    deleteBeforeReplace: false,
    async create(ctx, i) {
        const k = await resend(ctx, i.baseUrl, `create API key ${i.name}`).post<{ id: string; token: string }>("/api-keys", { name: i.name, permission: i.permission, ...(i.domainId ? { domain_id: i.domainId } : {}) });
        return { id: k.id, outs: { ...i, token: k.token } };
    },
    async read(ctx, id, state) {
        // There is no single-key route: the list tells whether it still exists. The token is never shown again.
        const list = await resend(ctx, state.baseUrl, `list API keys`).get<{ data: { id: string; name: string }[] }>("/api-keys");
        const found = list?.data.find((k) => k.id === id);
        return found && { ...state, name: found.name };
    },
    async update(_ctx, _id, olds, news) {
        return { ...news, token: olds.token };
    },
    async delete(ctx, id, state) {
        await resend(ctx, state.baseUrl, `remove API key ${id}`).remove(`/api-keys/${id}`);
    },
};

/** `domainId` restricts a sending key to one domain. */
export type ResendApiKeyArgs = ResourceArgs<ReturnType<typeof apiKeyInputSchema>>;

export class ResendApiKey extends DynamicResource<ReturnType<typeof apiKeyInputSchema>, ApiKeyState> {
    /** The key (re_…), shown by Resend only at creation; secret. */
    declare readonly token: pulumi.Output<string>;
    constructor(name: string, args: ResendApiKeyArgs, opts?: pulumi.CustomResourceOptions) {
        super(apiKeyDefinition, name, args, opts);
    }
}
