/**
 * Appwrite index. Indexes cannot be changed, so any change replaces (deleting first: keys are
 * unique). Creation waits for the attributes it names to be available, then for the index. A
 * create whose answer was lost adopts the index at our key made within the lost-create window
 * with our type and attributes; an index Appwrite is deleting has left the state. One Appwrite
 * does not find leaves it only when its collection, read with the same key, answers (or, gone
 * too, when its database's place does: places.ts).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { OperationContext, ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { appwrite, differences, fetchOrGone, NOT_FOUND, readOrGone, removeIfPresent, removeOrGone, type About } from "./client";
import { collectionOf } from "./places";
import { indexInputSchema, type IndexInputs } from "./schema";
import { schemaApi } from "./schema-api";
import { attributeReader, awaitAttribute, createSchemaObject, removeFailedBuild, SchemaWorkFailed, waitAvailable } from "./status";

/** An index's orders as our inputs write them (ASC, DESC), whatever case Appwrite stored. */
function ordersOf(found: { orders?: string[] }): ("ASC" | "DESC")[] {
    return (found.orders ?? []).map((o) => o.toUpperCase() as "ASC" | "DESC");
}

/** An index, as Appwrite names it in answers (its `key`) and in 404s. */
const indexAt = (key: string): About<Record<string, any>> => ({ kind: "index", id: key, idOf: (x) => x.key, notFound: NOT_FOUND.index });

/** Removes a failed build of ours inside a create; gone already counts as removed. */
function remover(ctx: OperationContext, i: IndexInputs) {
    return async () => {
        const { call, databases } = appwrite(ctx, i, `delete index ${i.collectionId}.${i.key}`);
        await removeIfPresent(ctx, call, indexAt(i.key), () => schemaApi.deleteIndex(databases, i.databaseId, i.collectionId, i.key));
    };
}

/** Reads the index inside a create; undefined once it is gone. */
function getter(ctx: OperationContext, i: IndexInputs) {
    return async () => {
        const { call, databases } = appwrite(ctx, i, `read index ${i.collectionId}.${i.key}`);
        return fetchOrGone(ctx, call, indexAt(i.key), () => schemaApi.getIndex(databases, i.databaseId, i.collectionId, i.key));
    };
}

/** Names the attribute an index refers to that does not exist, if one of them does not. */
async function explainMissing(ctx: OperationContext, i: IndexInputs): Promise<void> {
    for (const attribute of i.attributes) {
        if ((await attributeReader(ctx, i, i.databaseId, i.collectionId, attribute)()) === undefined) {
            throw new Error(`index ${i.key} names attribute "${attribute}": attribute ${i.collectionId}.${attribute} does not exist`);
        }
    }
}

export const indexDefinition: ResourceDefinition<ReturnType<typeof indexInputSchema>> = {
    module: "appwrite",
    type: "Index",
    idFor: (i) => `${i.collectionId}.${i.key}`,
    service: "appwrite",
    schema: indexInputSchema,
    replaceOnChanges: ["endpoint", "projectId", "databaseId", "collectionId", "key", "type", "attributes", "orders"],
    deleteBeforeReplace: true,

    async create(ctx, i) {
        const operation = `create index ${i.collectionId}.${i.key}`;
        const post = () =>
            createSchemaObject(ctx, {
                what: `index ${i.collectionId}.${i.key}`,
                operation,
                // The spec's orders are "asc" and "desc" (node-appwrite's OrderBy); Appwrite takes either case.
                send: (call) => schemaApi.createIndex(appwrite(ctx, i, operation, call).databases, { databaseId: i.databaseId, collectionId: i.collectionId, key: i.key, type: i.type, attributes: i.attributes, ...(i.orders ? { orders: i.orders.map((o) => o.toLowerCase()) } : {}) }),
                read: getter(ctx, i),
                remove: remover(ctx, i),
                differs: (found) => differences({ ...found, orders: i.orders === null ? null : ordersOf(found) }, { type: i.type, attributes: i.attributes, orders: i.orders }),
                sameKind: (found) => found.type === i.type,
            });
        const codeOf = (err: unknown) => (err as { code?: string }).code;
        try {
            // The attributes are usually ready (the component waits for them): try first, wait only if refused.
            await post();
        } catch (err) {
            if (codeOf(err) === "attribute_unknown") await explainMissing(ctx, i);
            // Appwrite refuses an index on an attribute still building (400 attribute_not_available).
            if (codeOf(err) !== "attribute_not_available") throw err;
            for (const attribute of i.attributes) {
                await awaitAttribute(ctx, i, i.databaseId, i.collectionId, attribute).catch((cause) => {
                    throw new Error(`index ${i.key} names attribute "${attribute}": ${cause instanceof Error ? cause.message : String(cause)}`);
                });
            }
            await post();
        }
        try {
            await waitAvailable(ctx, `index ${i.collectionId}.${i.key}`, getter(ctx, i));
        } catch (err) {
            if (err instanceof SchemaWorkFailed) await removeFailedBuild(ctx, err, `index ${i.collectionId}.${i.key}`, remover(ctx, i), getter(ctx, i));
            throw err;
        }
        return { id: indexDefinition.idFor!(i), outs: i };
    },

    async read(ctx, _id, state) {
        const { call, databases } = appwrite(ctx, state, `read index ${state.collectionId}.${state.key}`);
        const place = collectionOf(ctx, state, state.databaseId, state.collectionId);
        const found = await readOrGone(ctx, call, indexAt(state.key), place, () => schemaApi.getIndex(databases, state.databaseId, state.collectionId, state.key));
        // Being deleted: the key frees when Appwrite is done.
        if (found?.status === "deleting") return undefined;
        return found && { ...state, type: found.type, attributes: found.attributes, orders: state.orders === null ? null : ordersOf(found) };
    },

    async update(_ctx, _id, _olds, news) {
        // Only inputs that never reach the API can change without a replacement.
        return news;
    },

    async delete(ctx, _id, state) {
        // One call: Appwrite deletes in the background, and a create of the same key waits for it.
        const { call, databases } = appwrite(ctx, state, `delete index ${state.collectionId}.${state.key}`);
        await removeOrGone(ctx, call, indexAt(state.key), collectionOf(ctx, state, state.databaseId, state.collectionId), () => schemaApi.deleteIndex(databases, state.databaseId, state.collectionId, state.key));
    },
};

/** Any change replaces the index (deleting first: keys are unique); `orders` gives one per attribute. */
export type AppwriteIndexArgs = ResourceArgs<ReturnType<typeof indexInputSchema>>;

export class AppwriteIndex extends DynamicResource<ReturnType<typeof indexInputSchema>> {
    declare readonly key: pulumi.Output<string>;
    constructor(name: string, args: AppwriteIndexArgs, opts?: pulumi.CustomResourceOptions) {
        super(indexDefinition, name, args, opts);
    }
}
