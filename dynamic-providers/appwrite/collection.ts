/**
 * Appwrite collection: the ids replace; name, permissions, document security and enabled change
 * in place. Permissions are compared as Appwrite stores them (`write` expanded, see schema.ts).
 * A create whose answer was lost adopts the collection at our id made within the lost-create
 * window with our settings (`createOwn`). A 404 leaves the state only when its database's place,
 * the project's list of databases read with the same key, answers (places.ts).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { appwrite, appwriteCall, createOwn, differences, fetchOrGone, NOT_FOUND, readOrGone, removeOrGone, type About } from "./client";
import { databasesOf } from "./places";
import { collectionInputSchema, type CollectionInputs } from "./schema";
import { schemaApi } from "./schema-api";

/** A collection is named by its database and its id: the answer must name both. */
const collection = (databaseId: string, id: string): About<{ $id: string; databaseId: string }> => ({
    kind: "collection",
    id: `${databaseId}/${id}`,
    idOf: (c) => `${c.databaseId}/${c.$id}`,
    notFound: NOT_FOUND.collection,
});

const settings = (i: CollectionInputs) => ({ databaseId: i.databaseId, collectionId: i.collectionId, name: i.name, permissions: i.permissions, documentSecurity: i.documentSecurity, enabled: i.enabled });

export const collectionDefinition: ResourceDefinition<ReturnType<typeof collectionInputSchema>> = {
    module: "appwrite",
    type: "Collection",
    idFor: (i) => i.collectionId,
    service: "appwrite",
    schema: collectionInputSchema,
    replaceOnChanges: ["endpoint", "projectId", "databaseId", "collectionId"],
    deleteBeforeReplace: true,

    async create(ctx, i) {
        const operation = `create collection ${i.databaseId}/${i.collectionId}`;
        await createOwn(ctx, operation, `collection ${i.collectionId}`, {
            send: (call) => schemaApi.createCollection(appwrite(ctx, i, operation, call).databases, settings(i)),
            read: () => {
                const { call, databases } = appwrite(ctx, i, `look for collection ${i.databaseId}/${i.collectionId}`);
                return fetchOrGone(ctx, call, collection(i.databaseId, i.collectionId), () => schemaApi.getCollection(databases, i.databaseId, i.collectionId));
            },
            createdAt: (c) => c.$createdAt,
            differs: (c) => differences({ ...c, permissions: [...c.$permissions].sort() }, { name: i.name, permissions: i.permissions, documentSecurity: i.documentSecurity, enabled: i.enabled }),
        });
        return { id: collectionDefinition.idFor!(i), outs: i };
    },
    async read(ctx, id, state) {
        const { call, databases } = appwrite(ctx, state, `read collection ${state.databaseId}/${id}`);
        const found = await readOrGone(ctx, call, collection(state.databaseId, id), databasesOf(ctx, state, state.databaseId, false), () => schemaApi.getCollection(databases, state.databaseId, id));
        return found && { ...state, name: found.name, permissions: [...found.$permissions].sort(), documentSecurity: found.documentSecurity, enabled: found.enabled };
    },
    async update(ctx, _id, _olds, news) {
        const { call, databases } = appwrite(ctx, news, `update collection ${news.databaseId}/${news.collectionId}`);
        await appwriteCall(ctx, call, () => schemaApi.updateCollection(databases, settings(news)));
        return news;
    },
    async delete(ctx, id, state) {
        const { call, databases } = appwrite(ctx, state, `delete collection ${state.databaseId}/${id}`);
        await removeOrGone(ctx, call, collection(state.databaseId, id), databasesOf(ctx, state, state.databaseId, false), () => schemaApi.deleteCollection(databases, state.databaseId, id));
    },
};

/** `permissions` as Appwrite writes them, e.g. ['read("any")', 'create("users")']; order does not matter. */
export type AppwriteCollectionArgs = ResourceArgs<ReturnType<typeof collectionInputSchema>>;

export class AppwriteCollection extends DynamicResource<ReturnType<typeof collectionInputSchema>> {
    declare readonly collectionId: pulumi.Output<string>;
    constructor(name: string, args: AppwriteCollectionArgs, opts?: pulumi.CustomResourceOptions) {
        super(collectionDefinition, name, args, opts);
    }
}
