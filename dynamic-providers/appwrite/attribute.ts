/**
 * Appwrite attribute, every type in one resource (the `type` picks which fields apply).
 * Creation waits until Appwrite reports it available; a failed build is removed and reported
 * with Appwrite's reason. Key, type, array-ness and relationship shape replace (deleting first,
 * since keys are unique, and deleting drops the column's data); required, default, size, bounds,
 * enum elements and onDelete change in place.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { appwrite, appwriteCall, removeIfPresent } from "./client";
import { attributeInputSchema, type AttributeInputs } from "./schema";
import { schemaApi, type AttributeSpec } from "./schema-api";
import { attributeReader, awaitAttribute, createWhenKeyFree } from "./status";

export interface AttributeState extends AttributeInputs {
    status: string;
}

function spec(i: AttributeInputs): AttributeSpec {
    return {
        type: i.type,
        key: i.key,
        required: i.required,
        array: i.array,
        default: i.default,
        size: i.size ?? undefined,
        min: i.min,
        max: i.max,
        elements: i.elements ?? undefined,
        relatedCollectionId: i.relatedCollectionId ?? undefined,
        relationType: i.relationType ?? undefined,
        twoWay: i.twoWay,
        twoWayKey: i.twoWayKey,
        onDelete: i.onDelete,
    };
}

/** Appwrite reports "no bound" as the type's extreme (int64 or double); we store null. */
function bound(value: unknown): number | null {
    return typeof value === "number" && Math.abs(value) <= Number.MAX_SAFE_INTEGER ? value : null;
}

export const attributeDefinition: ResourceDefinition<ReturnType<typeof attributeInputSchema>, AttributeState> = {
    module: "appwrite",
    type: "Attribute",
    service: "appwrite",
    schema: attributeInputSchema,
    outputs: ["status"],
    replaceOnChanges: ["endpoint", "projectId", "databaseId", "collectionId", "key", "type", "array", "relatedCollectionId", "relationType", "twoWay", "twoWayKey"],
    deleteBeforeReplace: true,

    async create(ctx, i) {
        const read = attributeReader(ctx, i, i.databaseId, i.collectionId, i.key);
        await createWhenKeyFree(ctx, `attribute ${i.collectionId}.${i.key}`, () => {
            const { call, databases } = appwrite(ctx, i, `create ${i.type} attribute ${i.collectionId}.${i.key}`);
            return { call, sent: schemaApi.createAttribute(databases, i.databaseId, i.collectionId, spec(i)) };
        }, read);
        await awaitAttribute(ctx, i, i.databaseId, i.collectionId, i.key);
        return { id: `${i.collectionId}.${i.key}`, outs: { ...i, status: "available" } };
    },

    async read(ctx, _id, state) {
        const found = await attributeReader(ctx, state, state.databaseId, state.collectionId, state.key)();
        if (found === undefined) return undefined;
        return {
            ...state,
            required: found.required,
            array: found.array ?? false,
            default: found.default ?? null,
            size: state.type === "string" ? found.size : null,
            min: state.type === "integer" || state.type === "float" ? bound(found.min) : null,
            max: state.type === "integer" || state.type === "float" ? bound(found.max) : null,
            elements: state.type === "enum" ? found.elements : null,
            onDelete: state.type === "relationship" ? found.onDelete : state.onDelete,
            status: found.status,
        };
    },

    async update(ctx, _id, _olds, news) {
        const { call, databases } = appwrite(ctx, news, `update attribute ${news.collectionId}.${news.key}`);
        await appwriteCall(ctx, call, () => schemaApi.updateAttribute(databases, news.databaseId, news.collectionId, spec(news)));
        return { ...news, status: "available" };
    },

    async delete(ctx, _id, state) {
        // One call: Appwrite deletes in the background, and a create of the same key waits for it.
        const { call, databases } = appwrite(ctx, state, `delete attribute ${state.collectionId}.${state.key}`);
        await removeIfPresent(ctx, call, () => schemaApi.deleteAttribute(databases, state.databaseId, state.collectionId, state.key));
    },
};

/**
 * `type` picks which fields apply: `size` for strings, `min`/`max` for numbers, `elements` for
 * enums, the relationship fields for relationships. Key, type, array-ness and relationship shape
 * replace the attribute (deleting its data); the rest changes in place.
 */
export type AppwriteAttributeArgs = ResourceArgs<ReturnType<typeof attributeInputSchema>>;

export class AppwriteAttribute extends DynamicResource<ReturnType<typeof attributeInputSchema>, AttributeState> {
    declare readonly key: pulumi.Output<string>;
    declare readonly status: pulumi.Output<string>;
    constructor(name: string, args: AppwriteAttributeArgs, opts?: pulumi.CustomResourceOptions) {
        super(attributeDefinition, name, args, opts);
    }
}
