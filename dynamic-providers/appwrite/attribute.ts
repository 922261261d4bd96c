/**
 * Appwrite attribute, every type in one resource (the `type` picks which fields apply).
 * Creation waits until Appwrite reports it available; a failed build is removed and reported
 * with Appwrite's reason (and, when the removal fails too, the next run removes it first). Key,
 * type, array-ness and relationship shape replace (deleting first, since keys are unique, and
 * deleting drops the column's data); required, default, size, bounds, enum elements and onDelete
 * change in place. A bound set back to none is sent as the type's open bound: Appwrite keeps the
 * bound in place when it is left out. An attribute Appwrite is deleting has left the state; one
 * Appwrite does not find leaves it only when its collection, read with the same key, answers (or,
 * gone too, when its database's place does: places.ts).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { appwrite, appwriteCall, differences, readOrGone, removeOrGone } from "./client";
import { collectionOf } from "./places";
import { attributeInputSchema, type AttributeInputs } from "./schema";
import { schemaApi, type AttributeSpec, type AttributeType } from "./schema-api";
import { attributeAt, attributeReader, attributeRemover, awaitAttribute, createSchemaObject } from "./status";

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

/**
 * Our type of an attribute as Appwrite reports it: email, url, ip and enum are strings with a
 * format, and a float's type is "double" (utopia-php/database's name for it).
 */
function kindOf(found: Record<string, any>): AttributeType {
    if (found.type === "string" && ["email", "url", "ip", "enum"].includes(found.format)) return found.format;
    return found.type === "double" ? "float" : found.type;
}

/**
 * An attribute's settings as Appwrite reports them (its type as ours: an object adopted, or made
 * again out of band, may not be the one in state). Refresh and `npm run adopt` read them alike.
 */
export function attributeFromApi(found: Record<string, any>) {
    const type = kindOf(found);
    return {
        type,
        required: found.required as boolean,
        array: (found.array ?? false) as boolean,
        default: (found.default ?? null) as string | number | boolean | null,
        size: type === "string" ? (found.size as number) : null,
        min: type === "integer" || type === "float" ? bound(found.min) : null,
        max: type === "integer" || type === "float" ? bound(found.max) : null,
        elements: type === "enum" ? (found.elements as string[]) : null,
    };
}

/** How an attribute Appwrite holds differs from the one we ask for; undefined when it does not. */
function attributeDifferences(found: Record<string, any>, i: AttributeInputs): string | undefined {
    const actual = { ...found, type: kindOf(found), array: found.array ?? false, default: found.default ?? null, min: bound(found.min), max: bound(found.max), relatedCollectionId: found.relatedCollection };
    const wanted: Record<string, unknown> = { type: i.type, array: i.array };
    if (i.type === "relationship") Object.assign(wanted, { relatedCollectionId: i.relatedCollectionId, relationType: i.relationType, twoWay: i.twoWay, onDelete: i.onDelete, ...(i.twoWayKey !== null ? { twoWayKey: i.twoWayKey } : {}) });
    else Object.assign(wanted, { required: i.required, default: i.default });
    if (i.type === "string") wanted.size = i.size;
    if (i.type === "integer" || i.type === "float") Object.assign(wanted, { min: i.min, max: i.max });
    if (i.type === "enum") wanted.elements = i.elements;
    return differences(actual, wanted);
}

export const attributeDefinition: ResourceDefinition<ReturnType<typeof attributeInputSchema>, AttributeState> = {
    module: "appwrite",
    type: "Attribute",
    idFor: (i) => `${i.collectionId}.${i.key}`,
    service: "appwrite",
    schema: attributeInputSchema,
    outputs: ["status"],
    replaceOnChanges: ["endpoint", "projectId", "databaseId", "collectionId", "key", "type", "array", "relatedCollectionId", "relationType", "twoWay", "twoWayKey"],
    deleteBeforeReplace: true,

    async create(ctx, i) {
        const operation = `create ${i.type} attribute ${i.collectionId}.${i.key}`;
        await createSchemaObject(ctx, {
            what: `attribute ${i.collectionId}.${i.key}`,
            operation,
            send: (call) => schemaApi.createAttribute(appwrite(ctx, i, operation, call).databases, i.databaseId, i.collectionId, spec(i)),
            read: attributeReader(ctx, i, i.databaseId, i.collectionId, i.key),
            remove: attributeRemover(ctx, i, i.databaseId, i.collectionId, i.key),
            differs: (found) => attributeDifferences(found, i),
            sameKind: (found) => kindOf(found) === i.type && (found.array ?? false) === i.array,
        });
        await awaitAttribute(ctx, i, i.databaseId, i.collectionId, i.key);
        return { id: attributeDefinition.idFor!(i), outs: { ...i, status: "available" } };
    },

    async read(ctx, _id, state) {
        const { call, databases } = appwrite(ctx, state, `read attribute ${state.collectionId}.${state.key}`);
        const place = collectionOf(ctx, state, state.databaseId, state.collectionId);
        const found = await readOrGone(ctx, call, attributeAt(state.key), place, () => schemaApi.getAttribute(databases, state.databaseId, state.collectionId, state.key));
        // Being deleted: its column and data are going, and the key frees when Appwrite is done.
        if (found === undefined || found.status === "deleting") return undefined;
        return { ...state, ...attributeFromApi(found), onDelete: found.type === "relationship" ? found.onDelete : state.onDelete, status: found.status };
    },

    async update(ctx, _id, _olds, news) {
        const { call, databases } = appwrite(ctx, news, `update attribute ${news.collectionId}.${news.key}`);
        await appwriteCall(ctx, call, () => schemaApi.updateAttribute(databases, news.databaseId, news.collectionId, spec(news)));
        return { ...news, status: "available" };
    },

    async delete(ctx, _id, state) {
        // One call: Appwrite deletes in the background, and a create of the same key waits for it.
        const { call, databases } = appwrite(ctx, state, `delete attribute ${state.collectionId}.${state.key}`);
        await removeOrGone(ctx, call, attributeAt(state.key), collectionOf(ctx, state, state.databaseId, state.collectionId), () => schemaApi.deleteAttribute(databases, state.databaseId, state.collectionId, state.key));
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
