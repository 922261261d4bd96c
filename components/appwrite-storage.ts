/** The Appwrite storage buckets a stack declares; protected and retained in prod. */
import * as pulumi from "@pulumi/pulumi";
import { AppwriteBucket, type AppwriteBucketArgs } from "../dynamic-providers/appwrite/bucket";
import type { StackConfig } from "../stacks/config";
import type { Environment } from "../stacks/environment";
import { applyTransform, type Transform } from "./transform";

export const APPWRITE_STORAGE_TYPE = "stackwire:appwrite:Storage";

export interface AppwriteStorageArgs {
    endpoint: pulumi.Input<string>;
    projectId: pulumi.Input<string>;
    buckets: NonNullable<StackConfig["appwrite"]>["buckets"];
    environment: Environment;
    transform?: { bucket?: Transform<AppwriteBucketArgs> };
}

export class AppwriteStorage extends pulumi.ComponentResource {
    /** Bucket ids by logical name. */
    public readonly bucketIds: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: AppwriteStorageArgs, opts?: pulumi.ComponentResourceOptions) {
        super(APPWRITE_STORAGE_TYPE, name, {}, opts);
        const { protectStateful: protect, retainDataOnDelete: retainOnDelete } = args.environment;
        const buckets = args.buckets.map(({ name: logical, bucketId, settings }) => {
            const resourceName = `${name}-${logical}`;
            const bucketArgs: AppwriteBucketArgs = { endpoint: args.endpoint, projectId: args.projectId, bucketId, ...settings, maximumFileSize: settings.maximumFileSize ?? undefined };
            return [logical, new AppwriteBucket(resourceName, applyTransform(bucketArgs, resourceName, args.transform?.bucket), { parent: this, protect, retainOnDelete })] as const;
        });
        this.bucketIds = pulumi.output(Object.fromEntries(buckets.map(([logical, b]) => [logical, b.bucketId])));
        this.registerOutputs({ bucketIds: this.bucketIds });
    }
}
