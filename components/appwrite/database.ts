/**
 * One Appwrite database from its declared schema: the database, its collections, their
 * attributes and indexes, created in dependency order. A relationship waits for its related
 * collection; an index waits for the attributes it names. The data policy protects the database
 * and collections and retains the database.
 */
import * as pulumi from "@pulumi/pulumi";
import { AppwriteAttribute, type AppwriteAttributeArgs } from "../../dynamic-providers/appwrite/attribute";
import { AppwriteCollection, type AppwriteCollectionArgs } from "../../dynamic-providers/appwrite/collection";
import { AppwriteIndex, type AppwriteIndexArgs } from "../../dynamic-providers/appwrite/collection-index";
import { AppwriteDatabaseResource, type AppwriteDatabaseResourceArgs } from "../../dynamic-providers/appwrite/database";
import { adoptable, transformed, UNPROTECTED, type Adoptable, type DataPolicy, type Transform } from "../component";

export const APPWRITE_DATABASE_TYPE = "stackwire:appwrite:Database";

type Placed = "endpoint" | "projectId" | "databaseId" | "collectionId";

export type DatabaseAttribute = Omit<AppwriteAttributeArgs, Placed | "key" | "relatedCollectionId"> & Adoptable & {
    /** The related collection's id in the same database (relationships only). */
    relatedCollection?: string;
};
export type DatabaseIndex = Omit<AppwriteIndexArgs, Placed | "key" | "attributes"> & Adoptable & {
    /** Keys of attributes of the same collection. */
    attributes: string[];
};
export type DatabaseCollection = Omit<AppwriteCollectionArgs, Placed> & Adoptable & {
    /** Attributes by key. */
    attributes?: Record<string, DatabaseAttribute>;
    /** Indexes by key. */
    indexes?: Record<string, DatabaseIndex>;
};

export interface AppwriteDatabaseArgs extends Adoptable {
    /** e.g. https://cloud.appwrite.io/v1 */
    endpoint: pulumi.Input<string>;
    projectId: pulumi.Input<string>;
    /** The database's physical id. */
    databaseId: string;
    /** Display name. */
    name: pulumi.Input<string>;
    /** @default true */
    enabled?: pulumi.Input<boolean>;
    /** Collections by id (ids are scoped by the database). */
    collections: Record<string, DatabaseCollection>;
    /** @default nothing protected */
    policy?: DataPolicy;
    transform?: {
        database?: Transform<AppwriteDatabaseResourceArgs>;
        collection?: Transform<AppwriteCollectionArgs>;
        attribute?: Transform<AppwriteAttributeArgs>;
        index?: Transform<AppwriteIndexArgs>;
    };
}

export class AppwriteDatabase extends pulumi.ComponentResource {
    public readonly databaseId: pulumi.Output<string>;
    /** Collection ids by name (the names are the ids, scoped by the database). */
    public readonly collectionIds: pulumi.Output<Record<string, string>>;
    public readonly collections: Record<string, AppwriteCollection>;
    /** Attributes by "<collection>.<key>". */
    public readonly attributes: Record<string, AppwriteAttribute>;
    /** Indexes by "<collection>.<key>". */
    public readonly indexes: Record<string, AppwriteIndex>;

    constructor(name: string, args: AppwriteDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super(APPWRITE_DATABASE_TYPE, name, {}, opts);
        const policy = args.policy ?? UNPROTECTED;
        const [{ adopt }, adoption] = adoptable({ adopt: args.adopt, deleteAdopted: args.deleteAdopted });
        const databaseArgs: AppwriteDatabaseResourceArgs = { endpoint: args.endpoint, projectId: args.projectId, databaseId: args.databaseId, name: args.name, enabled: args.enabled, ...(adopt ? { adopt } : {}) };
        const database = new AppwriteDatabaseResource(...transformed(args.transform?.database, `${name}-db`, databaseArgs, { parent: this, protect: policy.protect, retainOnDelete: policy.retainOnDelete, ...adoption }));
        this.databaseId = database.databaseId;
        this.collections = this.createCollections(name, args, database);
        this.attributes = this.createAttributes(name, args);
        this.indexes = this.createIndexes(name, args);
        this.collectionIds = pulumi.output(Object.fromEntries(Object.entries(this.collections).map(([c, r]) => [c, r.collectionId])));
        this.registerOutputs({ databaseId: this.databaseId, collectionIds: this.collectionIds });
    }

    private createCollections(name: string, args: AppwriteDatabaseArgs, database: AppwriteDatabaseResource): Record<string, AppwriteCollection> {
        const protect = (args.policy ?? UNPROTECTED).protect;
        return Object.fromEntries(
            Object.entries(args.collections).map(([collectionId, { attributes: _a, indexes: _i, ...spec }]) => {
                const [collection, adoption] = adoptable(spec);
                const collectionArgs: AppwriteCollectionArgs = { ...collection, endpoint: args.endpoint, projectId: args.projectId, databaseId: database.databaseId, collectionId };
                return [collectionId, new AppwriteCollection(...transformed(args.transform?.collection, `${name}-${collectionId}`, collectionArgs, { parent: this, protect, ...adoption }))];
            }),
        );
    }

    private createAttributes(name: string, args: AppwriteDatabaseArgs): Record<string, AppwriteAttribute> {
        const attributes: Record<string, AppwriteAttribute> = {};
        for (const [collectionId, c] of Object.entries(args.collections)) {
            const collection = this.collections[collectionId];
            for (const [key, { relatedCollection, ...spec }] of Object.entries(c.attributes ?? {})) {
                const [fields, adoption] = adoptable(spec);
                const attributeArgs: AppwriteAttributeArgs = {
                    ...fields,
                    endpoint: args.endpoint,
                    projectId: args.projectId,
                    databaseId: args.databaseId,
                    collectionId: collection.collectionId,
                    key,
                    relatedCollectionId: relatedCollection ? this.collections[relatedCollection].collectionId : null,
                };
                // A relationship needs its related collection to exist first.
                const dependsOn = relatedCollection ? [this.collections[relatedCollection]] : [];
                attributes[`${collectionId}.${key}`] = new AppwriteAttribute(...transformed(args.transform?.attribute, `${name}-${collectionId}-${key}`, attributeArgs, { parent: collection, dependsOn, ...adoption }));
            }
        }
        return attributes;
    }

    private createIndexes(name: string, args: AppwriteDatabaseArgs): Record<string, AppwriteIndex> {
        const indexes: Record<string, AppwriteIndex> = {};
        for (const [collectionId, c] of Object.entries(args.collections)) {
            const collection = this.collections[collectionId];
            for (const [key, spec] of Object.entries(c.indexes ?? {})) {
                const [index, adoption] = adoptable(spec);
                const indexArgs: AppwriteIndexArgs = { ...index, endpoint: args.endpoint, projectId: args.projectId, databaseId: args.databaseId, collectionId: collection.collectionId, key };
                const dependsOn = index.attributes.map((a) => this.attributes[`${collectionId}.${a}`]);
                indexes[`${collectionId}.${key}`] = new AppwriteIndex(...transformed(args.transform?.index, `${name}-${collectionId}-index-${key}`, indexArgs, { parent: collection, dependsOn, ...adoption }));
            }
        }
        return indexes;
    }
}
