/**
 * Appwrite attribute, every type in one resource (the `type` picks which fields apply).
 * Creation waits until Appwrite reports it available; a failed build is removed and reported
 * with Appwrite's reason. Key, type, array-ness and relationship shape replace (deleting first,
 * since keys are unique, and deleting drops the column's data); required, default, size, bounds,
 * enum elements and onDelete change in place.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { dynamicProvider, type OperationContext, type ResourceDefinition } from "../core/provider";
import { appwrite, appwriteCall, appwriteFailure, connectionShape, fetchOrGone, idSchema, isConflict, removeIfPresent, type AppwriteConnection, type AppwriteConnectionArgs } from "./client";
import { schemaApi, type AttributeSpec, type AttributeType } from "./schema-api";
import { SchemaWorkFailed, waitAvailable, waitGone } from "./status";

export const ATTRIBUTE_TYPES = ["string", "integer", "float", "boolean", "email", "url", "ip", "enum", "datetime", "relationship"] as const satisfies readonly AttributeType[];
/** Appwrite's largest string attribute. */
export const MAX_STRING_SIZE = 1_073_741_824;
// An array, not a Set: the closure serializer does not rebuild Sets captured by a provider.
const STRING_LIKE: readonly string[] = ["string", "email", "url", "ip", "enum", "datetime"];

export function attributeFieldsShape() {
    return {
        type: z.enum(ATTRIBUTE_TYPES),
        required: z.boolean().default(false),
        array: z.boolean().default(false),
        default: z.union([z.string(), z.number(), z.boolean()]).nullable().default(null),
        size: z.number().int().min(1).max(MAX_STRING_SIZE, `must be at most ${MAX_STRING_SIZE}`).nullable().default(null),
        min: z.number().nullable().default(null),
        max: z.number().nullable().default(null),
        elements: z.array(z.string().min(1, "enum elements must not be empty").max(255, "enum elements must be at most 255 characters")).nullable().default(null),
        relatedCollectionId: idSchema("relatedCollectionId").nullable().default(null),
        relationType: z.enum(["oneToOne", "oneToMany", "manyToOne", "manyToMany"]).nullable().default(null),
        twoWay: z.boolean().default(false),
        twoWayKey: idSchema("twoWayKey").nullable().default(null),
        onDelete: z.enum(["cascade", "restrict", "setNull"]).default("restrict"),
    };
}

type Fields = z.output<z.ZodObject<ReturnType<typeof attributeFieldsShape>>>;

/** The rules Appwrite applies across fields, checked before any request. */
export function checkAttributeRules(a: Fields, ctx: z.RefinementCtx): void {
    const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    const isRelationship = a.type === "relationship";
    if (a.type === "string" && a.size === null) issue("size", "is required for a string attribute");
    if (a.type !== "string" && a.size !== null) issue("size", "applies only to string attributes");
    if (a.type !== "integer" && a.type !== "float" && (a.min !== null || a.max !== null)) issue("min", "min and max apply only to integer and float attributes");
    if (a.type === "integer") {
        for (const bound of ["min", "max"] as const) if (a[bound] !== null && !Number.isSafeInteger(a[bound])) issue(bound, "must be a whole number within ±2^53");
    }
    if (a.min !== null && a.max !== null && a.min > a.max) issue("max", "must not be below min");
    if (a.type === "enum") {
        if (!a.elements || a.elements.length === 0) issue("elements", "are required for an enum attribute");
        else if (new Set(a.elements).size !== a.elements.length) issue("elements", "must not repeat an element");
    } else if (a.elements !== null) issue("elements", "apply only to enum attributes");
    if (a.default !== null) {
        if (a.required) issue("default", "cannot be set on a required attribute (Appwrite refuses it)");
        if (a.array) issue("default", "cannot be set on an array attribute");
        if (isRelationship) issue("default", "cannot be set on a relationship");
        const d = a.default;
        if (STRING_LIKE.includes(a.type) && typeof d !== "string") issue("default", `must be text for a ${a.type} attribute`);
        if ((a.type === "integer" && !Number.isSafeInteger(d)) || (a.type === "float" && typeof d !== "number")) issue("default", `must be a number${a.type === "integer" ? " without decimals" : ""}`);
        if (a.type === "boolean" && typeof d !== "boolean") issue("default", "must be true or false");
        if (typeof d === "number" && ((a.min !== null && d < a.min) || (a.max !== null && d > a.max))) issue("default", "must lie between min and max");
        if (a.type === "enum" && a.elements && !a.elements.includes(String(d))) issue("default", "must be one of the elements");
        if (a.type === "email" && typeof d === "string" && !z.email().safeParse(d).success) issue("default", "must be an email address");
        if (a.type === "url" && typeof d === "string" && !z.url().safeParse(d).success) issue("default", "must be a URL");
        if (a.type === "ip" && typeof d === "string" && !z.union([z.ipv4(), z.ipv6()]).safeParse(d).success) issue("default", "must be an IP address");
        if (a.type === "datetime" && typeof d === "string" && Number.isNaN(Date.parse(d))) issue("default", "must be an ISO 8601 date and time");
    }
    if (isRelationship) {
        if (a.relatedCollectionId === null) issue("relatedCollectionId", "is required for a relationship");
        if (a.relationType === null) issue("relationType", "is required for a relationship (oneToOne, oneToMany, manyToOne, manyToMany)");
        if (a.required || a.array) issue("required", "a relationship cannot be required or an array: Appwrite manages both sides");
        if (a.twoWayKey !== null && !a.twoWay) issue("twoWayKey", "needs twoWay: true");
    } else if (a.relatedCollectionId !== null || a.relationType !== null || a.twoWay || a.twoWayKey !== null) {
        issue("relationType", "relationship fields apply only to relationship attributes");
    }
}

export function attributeInputSchema() {
    return z
        .object({ ...connectionShape(), databaseId: idSchema("databaseId"), collectionId: idSchema("collectionId"), key: idSchema("key"), ...attributeFieldsShape() })
        .superRefine(checkAttributeRules);
}

export type AttributeInputs = z.output<ReturnType<typeof attributeInputSchema>>;
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

function getter(ctx: OperationContext, connection: AppwriteConnection, databaseId: string, collectionId: string, key: string) {
    return async () => {
        const { call, databases } = appwrite(ctx, connection, `read attribute ${collectionId}.${key}`);
        return fetchOrGone(ctx, call, () => schemaApi.getAttribute(databases, databaseId, collectionId, key));
    };
}

/** Waits for an attribute; a failed one is deleted so nothing half-built stays behind. */
export async function awaitAttribute(ctx: OperationContext, connection: AppwriteConnection, databaseId: string, collectionId: string, key: string): Promise<{ polls: number }> {
    const read = getter(ctx, connection, databaseId, collectionId, key);
    try {
        return await waitAvailable(ctx, `attribute ${collectionId}.${key}`, read);
    } catch (err) {
        if (err instanceof SchemaWorkFailed) {
            const { call, databases } = appwrite(ctx, connection, `remove failed attribute ${collectionId}.${key}`);
            await removeIfPresent(ctx, call, () => schemaApi.deleteAttribute(databases, databaseId, collectionId, key));
            await waitGone(ctx, `failed attribute ${collectionId}.${key}`, read);
        }
        throw err;
    }
}

export const attributeDefinition: ResourceDefinition<AttributeInputs, AttributeState> = {
    service: "appwrite",
    schema: attributeInputSchema as unknown as () => z.ZodObject,
    replaceOnChanges: ["endpoint", "projectId", "databaseId", "collectionId", "key", "type", "array", "relatedCollectionId", "relationType", "twoWay", "twoWayKey"],
    deleteBeforeReplace: true,

    async create(ctx, i) {
        const { call, databases } = appwrite(ctx, i, `create ${i.type} attribute ${i.collectionId}.${i.key}`);
        try {
            await schemaApi.createAttribute(databases, i.databaseId, i.collectionId, spec(i));
        } catch (err) {
            // A lost answer to our own create: the attribute exists and is building.
            if (!(isConflict(err) && call.writeMayHaveLanded)) throw ctx.error(call, appwriteFailure(err));
        }
        await awaitAttribute(ctx, i, i.databaseId, i.collectionId, i.key);
        return { id: `${i.collectionId}.${i.key}`, outs: { ...i, status: "available" } };
    },

    async read(ctx, _id, state) {
        const found = await getter(ctx, state, state.databaseId, state.collectionId, state.key)();
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
        const { call, databases } = appwrite(ctx, state, `delete attribute ${state.collectionId}.${state.key}`);
        await removeIfPresent(ctx, call, () => schemaApi.deleteAttribute(databases, state.databaseId, state.collectionId, state.key));
        await waitGone(ctx, `attribute ${state.collectionId}.${state.key}`, getter(ctx, state, state.databaseId, state.collectionId, state.key));
    },
};

export const attributeProvider = dynamicProvider(attributeDefinition);

export interface AppwriteAttributeArgs extends AppwriteConnectionArgs {
    databaseId: pulumi.Input<string>;
    collectionId: pulumi.Input<string>;
    key: pulumi.Input<string>;
    type: pulumi.Input<AttributeType>;
    required?: pulumi.Input<boolean>;
    array?: pulumi.Input<boolean>;
    default?: pulumi.Input<string | number | boolean | null>;
    /** Characters; string attributes only. */
    size?: pulumi.Input<number>;
    min?: pulumi.Input<number>;
    max?: pulumi.Input<number>;
    elements?: pulumi.Input<pulumi.Input<string>[]>;
    relatedCollectionId?: pulumi.Input<string>;
    relationType?: pulumi.Input<"oneToOne" | "oneToMany" | "manyToOne" | "manyToMany">;
    twoWay?: pulumi.Input<boolean>;
    twoWayKey?: pulumi.Input<string>;
    /** @default "restrict" */
    onDelete?: pulumi.Input<"cascade" | "restrict" | "setNull">;
}

export class AppwriteAttribute extends pulumi.dynamic.Resource {
    declare readonly key: pulumi.Output<string>;
    declare readonly status: pulumi.Output<string>;
    constructor(name: string, args: AppwriteAttributeArgs, opts?: pulumi.CustomResourceOptions) {
        super(attributeProvider, name, { status: undefined, ...args }, opts, "appwrite", "Attribute");
    }
}
