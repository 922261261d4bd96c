/**
 * Resend API key. Its token exists only in the creation response: it becomes a secret output that
 * survives refresh and update. A rename is made in place (PATCH); permission and domain replace it
 * (created first, so sending never stops).
 *
 * A key whose creation answer was lost is useless (nobody has its token), so it is removed, never
 * adopted. Keys carry a mark at the end of their name (" #" and 8 hex digits) made from the
 * resource's URN and the settings a replacement changes: before each create, unused keys with
 * exactly this mark are removed. Another stack's key, or the key this one replaces, has another
 * mark and is never touched.
 *
 * Not found (absent from the key list, or 404 on delete) means gone only when the key's own
 * token is refused as invalid: a key that another team's key cannot see still answers to it
 * (see `itsOwnToken`), and then the operation fails naming resendApiKey.
 */
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import type { ResourceDefinition } from "../core/provider";
import { serverOf } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { createOnce } from "../core/ownership";
import { confirmGone } from "../core/gone";
import { inPath, itsOwnToken, listAll, removeOrGone, resend } from "./client";
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

/** The generation mark stackwire appends to a key's name: ` #<8 hex>`. */
export const API_KEY_MARK = / #[0-9a-f]{8}$/;

/** The mark of this key and generation; none for a key made outside a resource (no URN). */
function markOf(i: ApiKeyInputs): string {
    if (!i.resourceUrn) return "";
    const generation = [i.resourceUrn, i.permission, i.domainId ?? "", serverOf(i.baseUrl)].join("\n");
    return ` #${createHash("sha256").update(generation).digest("hex").slice(0, 8)}`;
}

export const apiKeyDefinition: ResourceDefinition<ReturnType<typeof apiKeyInputSchema>, ApiKeyState> = {
    module: "resend",
    type: "ApiKey",
    service: "resend",
    schema: apiKeyInputSchema,
    secretOutputs: ["token"],
    notAdoptable: "its token is shown only when the key is made, so the stack could not hand it on; declare the key so the stack makes a new one, move its users, then delete the old one",
    urnInput: true,
    replaceOnChanges: ["baseUrl", "permission", "domainId"],
    deleteBeforeReplace: false,
    async create(ctx, i) {
        const operation = `create API key ${i.name}`;
        const name = `${i.name}${markOf(i)}`;
        const k = await createOnce(ctx, operation, {
            // Without a mark there is no telling our keys from others: only this call's own lost write is looked for.
            lookFirst: name !== i.name,
            create: (call) => resend(ctx, i.baseUrl, operation, call).post<{ id: string; token: string }>("/api-keys", { name, permission: i.permission, ...(i.domainId ? { domain_id: i.domainId } : {}) }),
            findLanded: async () => {
                const api = resend(ctx, i.baseUrl, `remove lost API keys named ${name}`);
                const lost = (await listAll<ApiKeyListItem>(api, "/api-keys")).filter((k) => k.name === name && !k.last_used_at);
                for (const key of lost) await api.remove(`/api-keys/${inPath(key.id)}`);
                return undefined;
            },
        });
        return { id: k.id, outs: { ...i, token: k.token } };
    },
    async read(ctx, id, state) {
        // There is no single-key route: the list tells whether it still exists. The token is never shown again.
        const api = resend(ctx, state.baseUrl, `list API keys`);
        const found = (await listAll<ApiKeyListItem>(api, "/api-keys")).find((k) => k.id === id);
        if (found) return { ...state, name: found.name.replace(API_KEY_MARK, "") };
        await confirmGone(ctx, api.call, `API key ${id}`, itsOwnToken(ctx, state.baseUrl, id, state.token));
        return undefined;
    },
    async update(ctx, id, olds, news) {
        if (news.name !== olds.name) await resend(ctx, news.baseUrl, `rename API key ${id}`).patch(`/api-keys/${inPath(id)}`, { name: `${news.name}${markOf(news)}` });
        return { ...news, token: olds.token };
    },
    async delete(ctx, id, state) {
        await removeOrGone(ctx, state.baseUrl, `API key ${id}`, `/api-keys/${inPath(id)}`, id, () => itsOwnToken(ctx, state.baseUrl, id, state.token));
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
