/**
 * Appwrite Messaging's Resend provider: how Appwrite sends email through Resend, with a Resend API
 * key (secret; a sending-only key is enough) and a sender. The provider id, project and endpoint
 * replace, and so does clearing a reply-to: Appwrite's update skips empty values
 * (app/controllers/api/messaging.php, PATCH /v1/messaging/providers/resend/:providerId). The rest
 * changes in place. Appwrite answers the key back in `credentials`, so refresh sees it change.
 *
 * A create whose answer was lost adopts the provider at our id made within the lost-create window
 * with our name and sender (`createOwn`). A 404 leaves the state only when the project's list of
 * providers, read with the same key, answers without it (places.ts).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { Models } from "node-appwrite";
import type { ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { appwrite, appwriteCall, createOwn, differences, fetchOrGone, NOT_FOUND, readOrGone, removeOrGone, type About } from "./client";
import { providersOf } from "./places";
import { resendProviderInputSchema, type ResendProviderInputs } from "./schema";

const provider = (id: string): About<{ $id: string }> => ({ kind: "messaging provider", id, idOf: (p) => p.$id, notFound: NOT_FOUND.provider });

/** The fields Appwrite takes, empty ones left out (it stores "" for what is not sent). */
function fields(i: ResendProviderInputs) {
    return {
        name: i.name,
        apiKey: i.apiKey,
        fromEmail: i.fromEmail,
        enabled: i.enabled,
        ...(i.fromName ? { fromName: i.fromName } : {}),
        ...(i.replyToName ? { replyToName: i.replyToName } : {}),
        ...(i.replyToEmail ? { replyToEmail: i.replyToEmail } : {}),
    };
}

/** What Appwrite holds, in our inputs' terms. */
function asInputs(p: Models.Provider): Pick<ResendProviderInputs, "name" | "enabled" | "apiKey" | "fromName" | "fromEmail" | "replyToName" | "replyToEmail"> {
    const options = (p.options ?? {}) as Record<string, unknown>;
    const text = (value: unknown) => (typeof value === "string" ? value : "");
    return {
        name: p.name,
        enabled: p.enabled,
        apiKey: text((p.credentials as Record<string, unknown>)?.apiKey),
        fromName: text(options.fromName),
        fromEmail: text(options.fromEmail),
        replyToName: text(options.replyToName),
        replyToEmail: text(options.replyToEmail),
    };
}

export const resendProviderDefinition: ResourceDefinition<ReturnType<typeof resendProviderInputSchema>> = {
    module: "appwrite",
    type: "ResendProvider",
    idFor: (i) => i.providerId,
    service: "appwrite",
    schema: resendProviderInputSchema,
    replaceOnChanges: ["endpoint", "projectId", "providerId"],
    replacesFor: (changed, _olds, news) => changed.filter((key) => ["endpoint", "projectId", "providerId"].includes(key) || ((key === "replyToName" || key === "replyToEmail") && news[key] === "")),
    deleteBeforeReplace: true,
    secretInputs: ["apiKey"],

    async create(ctx, i) {
        const operation = `create Resend provider ${i.providerId}`;
        await createOwn(ctx, operation, `messaging provider ${i.providerId}`, {
            send: (call) => appwrite(ctx, i, operation, call).messaging.createResendProvider({ providerId: i.providerId, ...fields(i) }),
            read: () => {
                const { call, messaging } = appwrite(ctx, i, `look for messaging provider ${i.providerId}`);
                return fetchOrGone(ctx, call, provider(i.providerId), () => messaging.getProvider({ providerId: i.providerId }));
            },
            createdAt: (p) => p.$createdAt,
            // The key is left out: the refusal message must not carry it.
            differs: (p) => differences({ ...asInputs(p), provider: p.provider }, { provider: "resend", name: i.name, fromEmail: i.fromEmail }),
        });
        return { id: resendProviderDefinition.idFor!(i), outs: i };
    },
    async read(ctx, id, state) {
        const { call, messaging } = appwrite(ctx, state, `read messaging provider ${id}`);
        const found = await readOrGone(ctx, call, provider(id), providersOf(ctx, state, id), () => messaging.getProvider({ providerId: id }));
        return found && { ...state, ...asInputs(found) };
    },
    async update(ctx, id, _olds, news) {
        const { call, messaging } = appwrite(ctx, news, `update Resend provider ${id}`);
        await appwriteCall(ctx, call, () => messaging.updateResendProvider({ providerId: id, ...fields(news) }));
        return news;
    },
    async delete(ctx, id, state) {
        const { call, messaging } = appwrite(ctx, state, `delete messaging provider ${id}`);
        await removeOrGone(ctx, call, provider(id), providersOf(ctx, state, id), () => messaging.deleteProvider({ providerId: id }));
    },
};

export type AppwriteResendProviderArgs = ResourceArgs<ReturnType<typeof resendProviderInputSchema>>;

export class AppwriteResendProvider extends DynamicResource<ReturnType<typeof resendProviderInputSchema>> {
    declare readonly providerId: pulumi.Output<string>;
    declare readonly enabled: pulumi.Output<boolean>;
    constructor(name: string, args: AppwriteResendProviderArgs, opts?: pulumi.CustomResourceOptions) {
        super(resendProviderDefinition, name, args, opts);
    }
}
