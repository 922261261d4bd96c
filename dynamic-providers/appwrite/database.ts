/** Appwrite database: the id replaces; name and enabled change in place. */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { dynamicProvider, type ResourceDefinition } from "../core/provider";
import { appwrite, appwriteCall, connectionShape, createOrRecover, fetchOrGone, idSchema, removeIfPresent, type AppwriteConnectionArgs } from "./client";
import { schemaApi } from "./schema-api";

export function databaseInputSchema() {
    return z.object({ ...connectionShape(), databaseId: idSchema("databaseId"), name: z.string().min(1).max(128), enabled: z.boolean().default(true) });
}

export type DatabaseInputs = z.output<ReturnType<typeof databaseInputSchema>>;

export const databaseDefinition: ResourceDefinition<DatabaseInputs, DatabaseInputs> = {
    service: "appwrite",
    schema: databaseInputSchema,
    replaceOnChanges: ["endpoint", "projectId", "databaseId"],
    deleteBeforeReplace: true,

    async create(ctx, i) {
        const { call, databases } = appwrite(ctx, i, `create database ${i.databaseId}`);
        await createOrRecover(ctx, call, `database ${i.databaseId}`, () => schemaApi.createDatabase(databases, i.databaseId, i.name, i.enabled), () => fetchOrGone(ctx, call, () => schemaApi.getDatabase(databases, i.databaseId)));
        return { id: i.databaseId, outs: i };
    },
    async read(ctx, id, state) {
        const { call, databases } = appwrite(ctx, state, `read database ${id}`);
        const found = await fetchOrGone(ctx, call, () => schemaApi.getDatabase(databases, id));
        return found && { ...state, name: found.name, enabled: found.enabled };
    },
    async update(ctx, id, _olds, news) {
        const { call, databases } = appwrite(ctx, news, `update database ${id}`);
        await appwriteCall(ctx, call, () => schemaApi.updateDatabase(databases, id, news.name, news.enabled));
        return news;
    },
    async delete(ctx, id, state) {
        const { call, databases } = appwrite(ctx, state, `delete database ${id}`);
        await removeIfPresent(ctx, call, () => schemaApi.deleteDatabase(databases, id));
    },
};

export const databaseProvider = dynamicProvider(databaseDefinition);

export interface AppwriteDatabaseResourceArgs extends AppwriteConnectionArgs {
    databaseId: pulumi.Input<string>;
    name: pulumi.Input<string>;
    /** @default true */
    enabled?: pulumi.Input<boolean>;
}

export class AppwriteDatabaseResource extends pulumi.dynamic.Resource {
    declare readonly databaseId: pulumi.Output<string>;
    constructor(name: string, args: AppwriteDatabaseResourceArgs, opts?: pulumi.CustomResourceOptions) {
        super(databaseProvider, name, { ...args }, opts, "appwrite", "Database");
    }
}
