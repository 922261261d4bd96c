/**
 * One Appwrite database from its declared schema: the database, its collections, their
 * attributes and indexes, created in dependency order. A relationship waits for its related
 * collection; an index waits for the attributes it names. In prod the database and collections
 * are protected and the database is retained on delete.
 */
import * as pulumi from "@pulumi/pulumi";
import { AppwriteAttribute, type AppwriteAttributeArgs } from "../dynamic-providers/appwrite/attribute";
import { AppwriteCollection, type AppwriteCollectionArgs } from "../dynamic-providers/appwrite/collection";
import { AppwriteIndex } from "../dynamic-providers/appwrite/collection-index";
import { AppwriteDatabaseResource } from "../dynamic-providers/appwrite/database";
import type { PlannedAppwriteDatabase } from "../stacks/config";
import type { Environment } from "../stacks/environment";
import { applyTransform, type Transform } from "./transform";

export const APPWRITE_DATABASE_TYPE = "stackwire:appwrite:Database";

export interface AppwriteDatabaseArgs {
    endpoint: pulumi.Input<string>;
    projectId: pulumi.Input<string>;
    database: PlannedAppwriteDatabase;
    environment: Environment;
    transform?: { collection?: Transform<AppwriteCollectionArgs>; attribute?: Transform<AppwriteAttributeArgs> };
}

export class AppwriteDatabase extends pulumi.ComponentResource {
    public readonly databaseId: pulumi.Output<string>;
    /** Collection ids by name (the names are the ids, scoped by the database). */
    public readonly collectionIds: pulumi.Output<Record<string, string>>;
    public readonly collections: Record<string, AppwriteCollection>;
    public readonly attributes: Record<string, AppwriteAttribute>;
    public readonly indexes: Record<string, AppwriteIndex>;

    constructor(name: string, args: AppwriteDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super(APPWRITE_DATABASE_TYPE, name, {}, opts);
        const connection = { endpoint: args.endpoint, projectId: args.projectId };
        const { protectStateful: protect, retainDataOnDelete } = args.environment;
        const database = new AppwriteDatabaseResource(`${name}-db`, { ...connection, databaseId: args.database.databaseId, name: args.database.displayName, enabled: args.database.enabled }, { parent: this, protect, retainOnDelete: retainDataOnDelete });
        this.databaseId = database.databaseId;
        this.collections = this.createCollections(name, args, database);
        this.attributes = this.createAttributes(name, args);
        this.indexes = this.createIndexes(name, args);
        this.collectionIds = pulumi.output(Object.fromEntries(Object.entries(this.collections).map(([c, r]) => [c, r.collectionId])));
        this.registerOutputs({ databaseId: this.databaseId, collectionIds: this.collectionIds });
    }

    private createCollections(name: string, args: AppwriteDatabaseArgs, database: AppwriteDatabaseResource): Record<string, AppwriteCollection> {
        const protect = args.environment.protectStateful;
        return Object.fromEntries(
            Object.entries(args.database.collections).map(([collectionId, c]) => {
                const resourceName = `${name}-${collectionId}`;
                const collectionArgs: AppwriteCollectionArgs = {
                    endpoint: args.endpoint,
                    projectId: args.projectId,
                    databaseId: database.databaseId,
                    collectionId,
                    name: c.name,
                    permissions: c.permissions,
                    documentSecurity: c.documentSecurity,
                    enabled: c.enabled,
                };
                return [collectionId, new AppwriteCollection(resourceName, applyTransform(collectionArgs, resourceName, args.transform?.collection), { parent: this, protect })];
            }),
        );
    }

    private createAttributes(name: string, args: AppwriteDatabaseArgs): Record<string, AppwriteAttribute> {
        const attributes: Record<string, AppwriteAttribute> = {};
        for (const [collectionId, c] of Object.entries(args.database.collections)) {
            const collection = this.collections[collectionId];
            for (const [key, { relatedCollection, ...fields }] of Object.entries(c.attributes)) {
                const resourceName = `${name}-${collectionId}-${key}`;
                const attributeArgs = {
                    endpoint: args.endpoint,
                    projectId: args.projectId,
                    databaseId: args.database.databaseId,
                    collectionId: collection.collectionId,
                    key,
                    ...fields,
                    relatedCollectionId: relatedCollection ? this.collections[relatedCollection].collectionId : null,
                } as AppwriteAttributeArgs;
                // A relationship needs its related collection to exist first.
                const dependsOn = relatedCollection ? [this.collections[relatedCollection]] : [];
                attributes[`${collectionId}.${key}`] = new AppwriteAttribute(resourceName, applyTransform(attributeArgs, resourceName, args.transform?.attribute), { parent: collection, dependsOn });
            }
        }
        return attributes;
    }

    private createIndexes(name: string, args: AppwriteDatabaseArgs): Record<string, AppwriteIndex> {
        const indexes: Record<string, AppwriteIndex> = {};
        for (const [collectionId, c] of Object.entries(args.database.collections)) {
            const collection = this.collections[collectionId];
            for (const [key, index] of Object.entries(c.indexes)) {
                indexes[`${collectionId}.${key}`] = new AppwriteIndex(
                    `${name}-${collectionId}-index-${key}`,
                    { endpoint: args.endpoint, projectId: args.projectId, databaseId: args.database.databaseId, collectionId: collection.collectionId, key, ...index, orders: index.orders ?? undefined },
                    { parent: collection, dependsOn: index.attributes.map((a) => this.attributes[`${collectionId}.${a}`]) },
                );
            }
        }
        return indexes;
    }
}
