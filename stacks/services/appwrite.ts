/** Appwrite: databases with their collections, attributes and indexes, and storage buckets. */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { AppwriteDatabase, type AppwriteDatabaseArgs } from "../../components/appwrite/database";
import { AppwriteStorage, type AppwriteStorageArgs } from "../../components/appwrite/storage";
import { appwriteApiKey } from "../../dynamic-providers/appwrite/client";
import { appwriteBucketInputSchema, attributeFieldsShape, checkAttributeRules, checkIndexRules, idSchema, indexFieldsShape, permissionsSchema } from "../../dynamic-providers/appwrite/schema";
import { httpUrl } from "../../dynamic-providers/core/validation";
import { dataPolicyOf } from "../environment";
import { NAME_RULES, physicalName } from "../naming";
import { adoptionOf, adoptSetting, defineService, logicalName, type PlanContext } from "../service";

const key = idSchema("key");

const attribute = z
    .object(attributeFieldsShape())
    .extend({
        /** The related collection's id in the same database (collections are keyed by their ids). */
        relatedCollection: idSchema("relatedCollection").optional(),
        adopt: adoptSetting,
    })
    .omit({ relatedCollectionId: true })
    .strict()
    .superRefine((a, ctx) => checkAttributeRules({ ...a, relatedCollectionId: a.relatedCollection ?? null }, ctx));

const collection = z
    .object({
        name: z.string().min(1).max(128),
        permissions: permissionsSchema(),
        documentSecurity: z.boolean().default(false),
        enabled: z.boolean().default(true),
        attributes: z.record(key, attribute).default({}),
        indexes: z.record(key, z.object({ ...indexFieldsShape(), adopt: adoptSetting }).strict().superRefine(checkIndexRules)).default({}),
        adopt: adoptSetting,
    })
    .strict();

const database = z.object({ name: z.string().min(1).max(128), enabled: z.boolean().default(true), collections: z.record(key, collection).default({}), adopt: adoptSetting }).strict();

const section = z
    .object({
        endpoint: httpUrl("must be the Appwrite endpoint, e.g. https://cloud.appwrite.io/v1"),
        projectId: idSchema("projectId"),
        databases: z.record(logicalName, database).default({}),
        buckets: z.record(logicalName, appwriteBucketInputSchema().omit({ endpoint: true, projectId: true, bucketId: true }).extend({ adopt: adoptSetting }).strict()).default({}),
    })
    .strict();

export interface AppwritePlan {
    endpoint: string;
    projectId: string;
    databases: Record<string, AppwriteDatabaseArgs>;
    storage?: AppwriteStorageArgs;
}

/** References inside a database: relationships to declared collections, indexes on declared attributes. */
function checkReferences(name: string, db: z.output<typeof database>, ctx: PlanContext): void {
    for (const [collectionName, c] of Object.entries(db.collections)) {
        const at = `appwrite.databases.${name}.collections.${collectionName}`;
        for (const [attributeKey, a] of Object.entries(c.attributes)) {
            if (a.type === "relationship" && a.relatedCollection && !(a.relatedCollection in db.collections)) {
                ctx.problem(`${at}.attributes.${attributeKey}.relatedCollection`, `names collection "${a.relatedCollection}", which database ${name} does not declare`);
            }
        }
        for (const [indexKey, index] of Object.entries(c.indexes)) {
            index.attributes.forEach((a, i) => {
                if (!(a in c.attributes)) ctx.problem(`${at}.indexes.${indexKey}.attributes[${i}]`, `names attribute "${a}", which collection ${collectionName} does not declare`);
            });
        }
    }
}

export const appwriteService = defineService({
    key: "appwrite",
    section,
    secrets: [{ credential: appwriteApiKey }],

    plan(s, ctx): AppwritePlan {
        const policy = dataPolicyOf(ctx.env);
        const connection = { endpoint: s.endpoint, projectId: s.projectId };
        const databases = Object.fromEntries(
            Object.entries(s.databases).map(([name, db]): [string, AppwriteDatabaseArgs] => {
                checkReferences(name, db, ctx);
                // An adopted database (or bucket) keeps its id; a new one gets the stack's name.
                const databaseId = db.adopt ? db.adopt.id : ctx.name(`appwrite.databases.${name}`, () => physicalName(ctx.env, name, NAME_RULES.appwriteId));
                const collections = Object.fromEntries(
                    Object.entries(db.collections).map(([id, { adopt, attributes, indexes, ...c }]) => [
                        id,
                        {
                            ...c,
                            ...adoptionOf(adopt),
                            attributes: Object.fromEntries(Object.entries(attributes).map(([k, { adopt: a, ...attribute }]) => [k, { ...attribute, ...adoptionOf(a) }])),
                            indexes: Object.fromEntries(Object.entries(indexes).map(([k, { adopt: a, ...index }]) => [k, { ...index, ...adoptionOf(a) }])),
                        },
                    ]),
                );
                return [name, { ...connection, databaseId, name: db.name, enabled: db.enabled, collections, policy, ...adoptionOf(db.adopt) }];
            }),
        );
        const buckets = Object.fromEntries(
            Object.entries(s.buckets).map(([name, { adopt, ...b }]) => [name, { ...b, bucketId: adopt ? adopt.id : ctx.name(`appwrite.buckets.${name}`, () => physicalName(ctx.env, name, NAME_RULES.appwriteId)), ...adoptionOf(adopt) }]),
        );
        return { ...connection, databases, ...(Object.keys(buckets).length > 0 ? { storage: { ...connection, buckets, policy } } : {}) };
    },

    build: (plan) => ({
        databases: Object.fromEntries(Object.entries(plan.databases).map(([name, args]) => [name, new AppwriteDatabase(`appwrite-${name}`, args)])),
        storage: plan.storage && new AppwriteStorage("appwrite-storage", plan.storage),
    }),
    outputs: (built) => ({
        appwriteDatabaseIds: pulumi.output(Object.fromEntries(Object.entries(built.databases).map(([name, db]) => [name, db.databaseId]))),
        appwriteBucketIds: built.storage?.bucketIds,
    }),
});
