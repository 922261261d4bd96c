/**
 * Resend API key. Its token exists only in the creation response: it becomes a secret output that
 * survives refresh and update. A rename is made in place (PATCH); permission and domain replace it.
 *
 * A key whose creation answer was lost is useless (nobody has its token), so it is removed
 * rather than adopted: before each create, keys of this name made within the lost-create window
 * and never used are deleted.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { createdRecently, createOnce } from "../core/ownership";
import { listAll, resend } from "./client";
import { apiKeyInputSchema, type ApiKeyInputs } from "./schema";

export interface ApiKeyState extends ApiKeyInputs {
    token: string;
}

interface ApiKeyListItem {
    id: string;
    name: string;
    created_at: string;
    last_used_at?: string | null;
}

export const apiKeyDefinition: ResourceDefinition<ReturnType<typeof apiKeyInputSchema>, ApiKeyState> = {
    module: "resend",
    type: "ApiKey",
    service: "resend",
    schema: apiKeyInputSchema,
    secretOutputs: ["token"],
    // Resend cannot change what a key may do: that issues a new one (created first, so sending never stops).
    replaceOnChanges: ["baseUrl", "permission", "domainId"],
    deleteBeforeReplace: false,
    async create(ctx, i) {
        const operation = `create API key ${i.name}`;
        const k = await createOnce(ctx, operation, {
            lookFirst: true,
            create: (call) => resend(ctx, i.baseUrl, operation, call).post<{ id: string; token: string }>("/api-keys", { name: i.name, permission: i.permission, ...(i.domainId ? { domain_id: i.domainId } : {}) }),
            findLanded: async () => {
                const api = resend(ctx, i.baseUrl, `remove lost API keys named ${i.name}`);
                const lost = (await listAll<ApiKeyListItem>(api, "/api-keys")).filter((k) => k.name === i.name && !k.last_used_at && createdRecently(ctx, k.created_at));
                for (const key of lost) await api.remove(`/api-keys/${key.id}`);
                return undefined;
            },
        });
        return { id: k.id, outs: { ...i, token: k.token } };
    },
    async read(ctx, id, state) {
        // There is no single-key route: the list tells whether it still exists. The token is never shown again.
        const found = (await listAll<ApiKeyListItem>(resend(ctx, state.baseUrl, `list API keys`), "/api-keys")).find((k) => k.id === id);
        return found && { ...state, name: found.name };
    },
    async update(ctx, id, olds, news) {
        if (news.name !== olds.name) await resend(ctx, news.baseUrl, `rename API key ${id}`).patch(`/api-keys/${id}`, { name: news.name });
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
