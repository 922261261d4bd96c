/** Appwrite storage buckets; the data policy protects and retains them. */
import * as pulumi from "@pulumi/pulumi";
import { AppwriteBucket, type AppwriteBucketArgs } from "../../dynamic-providers/appwrite/bucket";
import { adoptable, transformed, UNPROTECTED, type Adoptable, type DataPolicy, type Transform } from "../component";

export const APPWRITE_STORAGE_TYPE = "stackwire:appwrite:Storage";

/** One bucket: its physical id and settings (endpoint and project come from the component). */
export type StorageBucketSpec = Omit<AppwriteBucketArgs, "endpoint" | "projectId"> & Adoptable;

export interface AppwriteStorageArgs {
    endpoint: pulumi.Input<string>;
    projectId: pulumi.Input<string>;
    /** Buckets by logical name. */
    buckets: Record<string, StorageBucketSpec>;
    /** @default nothing protected */
    policy?: DataPolicy;
    transform?: { bucket?: Transform<AppwriteBucketArgs> };
}

export class AppwriteStorage extends pulumi.ComponentResource {
    /** Bucket ids by logical name. */
    public readonly bucketIds: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: AppwriteStorageArgs, opts?: pulumi.ComponentResourceOptions) {
        super(APPWRITE_STORAGE_TYPE, name, {}, opts);
        const { protect, retainOnDelete } = args.policy ?? UNPROTECTED;
        const buckets = Object.entries(args.buckets).map(([logical, spec]) => {
            const [bucket, adoption] = adoptable(spec);
            const bucketArgs: AppwriteBucketArgs = { ...bucket, endpoint: args.endpoint, projectId: args.projectId };
            return [logical, new AppwriteBucket(...transformed(args.transform?.bucket, `${name}-${logical}`, bucketArgs, { parent: this, protect, retainOnDelete, ...adoption }))] as const;
        });
        this.bucketIds = pulumi.output(Object.fromEntries(buckets.map(([logical, b]) => [logical, b.bucketId])));
        this.registerOutputs({ bucketIds: this.bucketIds });
    }
}
