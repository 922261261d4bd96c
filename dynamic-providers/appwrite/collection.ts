/** Appwrite collection: the ids replace; name, permissions, document security and enabled change in place. */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { dynamicProvider, type ResourceDefinition } from "../core/provider";
import { appwrite, appwriteCall, connectionShape, createOrRecover, fetchOrGone, idSchema, permissionsSchema, removeIfPresent, type AppwriteConnectionArgs } from "./client";
import { schemaApi } from "./schema-api";

export function collectionInputSchema() {
    return z.object({
        ...connectionShape(),
        databaseId: idSchema("databaseId"),
        collectionId: idSchema("collectionId"),
        name: z.string().min(1).max(128),
        permissions: permissionsSchema(),
        documentSecurity: z.boolean().default(false),
        enabled: z.boolean().default(true),
    });
}

export type CollectionInputs = z.output<ReturnType<typeof collectionInputSchema>>;

const settings = (i: CollectionInputs) => ({ databaseId: i.databaseId, collectionId: i.collectionId, name: i.name, permissions: i.permissions, documentSecurity: i.documentSecurity, enabled: i.enabled });

export const collectionDefinition: ResourceDefinition<CollectionInputs, CollectionInputs> = {
    service: "appwrite",
    schema: collectionInputSchema,
    replaceOnChanges: ["endpoint", "projectId", "databaseId", "collectionId"],
    deleteBeforeReplace: true,

    async create(ctx, i) {
        const { call, databases } = appwrite(ctx, i, `create collection ${i.databaseId}/${i.collectionId}`);
        await createOrRecover(ctx, call, `collection ${i.collectionId}`, () => schemaApi.createCollection(databases, settings(i)), () =>
            fetchOrGone(ctx, call, () => schemaApi.getCollection(databases, i.databaseId, i.collectionId)),
        );
        return { id: i.collectionId, outs: i };
    },
    async read(ctx, id, state) {
        const { call, databases } = appwrite(ctx, state, `read collection ${state.databaseId}/${id}`);
        const found = await fetchOrGone(ctx, call, () => schemaApi.getCollection(databases, state.databaseId, id));
        return found && { ...state, name: found.name, permissions: [...found.$permissions].sort(), documentSecurity: found.documentSecurity, enabled: found.enabled };
    },
    async update(ctx, _id, _olds, news) {
        const { call, databases } = appwrite(ctx, news, `update collection ${news.databaseId}/${news.collectionId}`);
        await appwriteCall(ctx, call, () => schemaApi.updateCollection(databases, settings(news)));
        return news;
    },
    async delete(ctx, id, state) {
        const { call, databases } = appwrite(ctx, state, `delete collection ${state.databaseId}/${id}`);
        await removeIfPresent(ctx, call, () => schemaApi.deleteCollection(databases, state.databaseId, id));
    },
};

export const collectionProvider = dynamicProvider(collectionDefinition);

export interface AppwriteCollectionArgs extends AppwriteConnectionArgs {
    databaseId: pulumi.Input<string>;
    collectionId: pulumi.Input<string>;
    name: pulumi.Input<string>;
    /** e.g. ['read("any")', 'create("users")']; order does not matter. */
    permissions?: pulumi.Input<pulumi.Input<string>[]>;
    /** Documents carry their own permissions too. @default false */
    documentSecurity?: pulumi.Input<boolean>;
    /** @default true */
    enabled?: pulumi.Input<boolean>;
}

export class AppwriteCollection extends pulumi.dynamic.Resource {
    declare readonly collectionId: pulumi.Output<string>;
    constructor(name: string, args: AppwriteCollectionArgs, opts?: pulumi.CustomResourceOptions) {
        super(collectionProvider, name, { ...args }, opts, "appwrite", "Collection");
    }
}
