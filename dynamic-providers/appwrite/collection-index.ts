/**
 * Appwrite index. Indexes cannot be changed, so any change replaces (deleting first: keys are
 * unique). Creation waits for the attributes it names to be available, then for the index.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { dynamicProvider, type OperationContext, type ResourceDefinition } from "../core/provider";
import { appwrite, appwriteFailure, connectionShape, fetchOrGone, idSchema, isConflict, removeIfPresent, type AppwriteConnectionArgs } from "./client";
import { awaitAttribute } from "./attribute";
import { schemaApi } from "./schema-api";
import { SchemaWorkFailed, waitAvailable, waitGone } from "./status";

export function indexFieldsShape() {
    return {
        type: z.enum(["key", "unique", "fulltext"]),
        attributes: z.array(z.string().min(1)).min(1, "must name at least one attribute").max(30),
        orders: z.array(z.enum(["ASC", "DESC"])).nullable().default(null),
    };
}

export function indexInputSchema() {
    return z
        .object({ ...connectionShape(), databaseId: idSchema("databaseId"), collectionId: idSchema("collectionId"), key: idSchema("key"), ...indexFieldsShape() })
        .superRefine((i, ctx) => {
            if (i.orders !== null && i.orders.length !== i.attributes.length) ctx.addIssue({ code: "custom", path: ["orders"], message: "must give one order per attribute" });
            if (new Set(i.attributes).size !== i.attributes.length) ctx.addIssue({ code: "custom", path: ["attributes"], message: "must not name an attribute twice" });
        });
}

export type IndexInputs = z.output<ReturnType<typeof indexInputSchema>>;

function getter(ctx: OperationContext, i: IndexInputs) {
    return async () => {
        const { call, databases } = appwrite(ctx, i, `read index ${i.collectionId}.${i.key}`);
        return fetchOrGone(ctx, call, () => schemaApi.getIndex(databases, i.databaseId, i.collectionId, i.key));
    };
}

export const indexDefinition: ResourceDefinition<IndexInputs, IndexInputs> = {
    service: "appwrite",
    schema: indexInputSchema as unknown as () => z.ZodObject,
    replaceOnChanges: ["endpoint", "projectId", "databaseId", "collectionId", "key", "type", "attributes", "orders"],
    deleteBeforeReplace: true,

    async create(ctx, i) {
        for (const attribute of i.attributes) await awaitAttribute(ctx, i, i.databaseId, i.collectionId, attribute).catch((err) => {
            throw new Error(`index ${i.key} names attribute "${attribute}": ${err instanceof Error ? err.message : String(err)}`);
        });
        const { call, databases } = appwrite(ctx, i, `create index ${i.collectionId}.${i.key}`);
        try {
            await schemaApi.createIndex(databases, { databaseId: i.databaseId, collectionId: i.collectionId, key: i.key, type: i.type, attributes: i.attributes, ...(i.orders ? { orders: i.orders } : {}) });
        } catch (err) {
            if (!(isConflict(err) && call.writeMayHaveLanded)) throw ctx.error(call, appwriteFailure(err));
        }
        try {
            await waitAvailable(ctx, `index ${i.collectionId}.${i.key}`, getter(ctx, i));
        } catch (err) {
            if (err instanceof SchemaWorkFailed) {
                const cleanup = appwrite(ctx, i, `remove failed index ${i.collectionId}.${i.key}`);
                await removeIfPresent(ctx, cleanup.call, () => schemaApi.deleteIndex(cleanup.databases, i.databaseId, i.collectionId, i.key));
                await waitGone(ctx, `failed index ${i.collectionId}.${i.key}`, getter(ctx, i));
            }
            throw err;
        }
        return { id: `${i.collectionId}.${i.key}`, outs: i };
    },

    async read(ctx, _id, state) {
        const found = await getter(ctx, state)();
        return found && { ...state, type: found.type, attributes: found.attributes, orders: state.orders === null ? null : found.orders };
    },

    async update(_ctx, _id, _olds, news) {
        // Only inputs that never reach the API can change without a replacement.
        return news;
    },

    async delete(ctx, _id, state) {
        const { call, databases } = appwrite(ctx, state, `delete index ${state.collectionId}.${state.key}`);
        await removeIfPresent(ctx, call, () => schemaApi.deleteIndex(databases, state.databaseId, state.collectionId, state.key));
        await waitGone(ctx, `index ${state.collectionId}.${state.key}`, getter(ctx, state));
    },
};

export const indexProvider = dynamicProvider(indexDefinition);

export interface AppwriteIndexArgs extends AppwriteConnectionArgs {
    databaseId: pulumi.Input<string>;
    collectionId: pulumi.Input<string>;
    key: pulumi.Input<string>;
    type: pulumi.Input<"key" | "unique" | "fulltext">;
    attributes: pulumi.Input<pulumi.Input<string>[]>;
    /** One per attribute. */
    orders?: pulumi.Input<pulumi.Input<"ASC" | "DESC">[]>;
}

export class AppwriteIndex extends pulumi.dynamic.Resource {
    declare readonly key: pulumi.Output<string>;
    constructor(name: string, args: AppwriteIndexArgs, opts?: pulumi.CustomResourceOptions) {
        super(indexProvider, name, { ...args }, opts, "appwrite", "Index");
    }
}
