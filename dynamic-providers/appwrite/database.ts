/**
 * Appwrite database: the id replaces; name and enabled change in place. A create whose answer was
 * lost adopts the database at our id when it was made within the lost-create window with our
 * name and setting (`createOwn`). A 404 leaves the state only when the project's list of
 * databases, read with the same key, answers without it (places.ts).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { appwrite, appwriteCall, createOwn, differences, fetchOrGone, NOT_FOUND, readOrGone, removeOrGone, type About } from "./client";
import { databasesOf } from "./places";
import { databaseInputSchema } from "./schema";
import { schemaApi } from "./schema-api";

const database = (id: string): About<{ $id: string }> => ({ kind: "database", id, idOf: (d) => d.$id, notFound: NOT_FOUND.database });

export const databaseDefinition: ResourceDefinition<ReturnType<typeof databaseInputSchema>> = {
    module: "appwrite",
    type: "Database",
    idFor: (i) => i.databaseId,
    service: "appwrite",
    schema: databaseInputSchema,
    replaceOnChanges: ["endpoint", "projectId", "databaseId"],
    deleteBeforeReplace: true,

    async create(ctx, i) {
        const operation = `create database ${i.databaseId}`;
        await createOwn(ctx, operation, `database ${i.databaseId}`, {
            send: (call) => schemaApi.createDatabase(appwrite(ctx, i, operation, call).databases, i.databaseId, i.name, i.enabled),
            read: () => {
                const { call, databases } = appwrite(ctx, i, `look for database ${i.databaseId}`);
                return fetchOrGone(ctx, call, database(i.databaseId), () => schemaApi.getDatabase(databases, i.databaseId));
            },
            createdAt: (d) => d.$createdAt,
            differs: (d) => differences(d, { name: i.name, enabled: i.enabled }),
        });
        return { id: databaseDefinition.idFor!(i), outs: i };
    },
    async read(ctx, id, state) {
        const { call, databases } = appwrite(ctx, state, `read database ${id}`);
        const found = await readOrGone(ctx, call, database(id), databasesOf(ctx, state, id, true), () => schemaApi.getDatabase(databases, id));
        return found && { ...state, name: found.name, enabled: found.enabled };
    },
    async update(ctx, id, _olds, news) {
        const { call, databases } = appwrite(ctx, news, `update database ${id}`);
        await appwriteCall(ctx, call, () => schemaApi.updateDatabase(databases, id, news.name, news.enabled));
        return news;
    },
    async delete(ctx, id, state) {
        const { call, databases } = appwrite(ctx, state, `delete database ${id}`);
        await removeOrGone(ctx, call, database(id), databasesOf(ctx, state, id, true), () => schemaApi.deleteDatabase(databases, id));
    },
};

export type AppwriteDatabaseResourceArgs = ResourceArgs<ReturnType<typeof databaseInputSchema>>;

export class AppwriteDatabaseResource extends DynamicResource<ReturnType<typeof databaseInputSchema>> {
    declare readonly databaseId: pulumi.Output<string>;
    constructor(name: string, args: AppwriteDatabaseResourceArgs, opts?: pulumi.CustomResourceOptions) {
        super(databaseDefinition, name, args, opts);
    }
}
