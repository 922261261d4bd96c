/**
 * Supabase Storage buckets. Buckets hold data: the data policy decides whether they are
 * protected, retained on delete, or emptied on destroy.
 */
import * as pulumi from "@pulumi/pulumi";
import { StorageBucket, type StorageBucketArgs } from "../../dynamic-providers/supabase/bucket";
import { adoptable, transformed, UNPROTECTED, type Adoptable, type DataPolicy, type Transform } from "../component";

export const SUPABASE_STORAGE_TYPE = "stackwire:supabase:Storage";

/** One bucket: its physical id and settings (the project URL comes from the component). */
export type StorageBucketSpec = Omit<StorageBucketArgs, "projectUrl"> & Adoptable;

export interface SupabaseStorageArgs {
    /** The project URL, e.g. https://abcd.supabase.co. */
    projectUrl: pulumi.Input<string>;
    /** Buckets by logical name. @example { avatars: { bucketId: "acme-dev-avatars", public: true } } */
    buckets: Record<string, StorageBucketSpec>;
    /** Protection, retention and emptying of buckets. @default nothing protected */
    policy?: DataPolicy;
    transform?: { bucket?: Transform<StorageBucketArgs> };
}

export class SupabaseStorage extends pulumi.ComponentResource {
    /** Bucket ids by logical name. */
    public readonly bucketIds: pulumi.Output<Record<string, string>>;
    public readonly buckets: Record<string, StorageBucket>;

    constructor(name: string, args: SupabaseStorageArgs, opts?: pulumi.ComponentResourceOptions) {
        super(SUPABASE_STORAGE_TYPE, name, {}, opts);
        this.buckets = this.createBuckets(name, args);
        this.bucketIds = pulumi.output(Object.fromEntries(Object.entries(this.buckets).map(([logical, bucket]) => [logical, bucket.bucketId])));
        this.registerOutputs({ bucketIds: this.bucketIds });
    }

    private createBuckets(name: string, args: SupabaseStorageArgs): Record<string, StorageBucket> {
        const policy = args.policy ?? UNPROTECTED;
        return Object.fromEntries(
            Object.entries(args.buckets).map(([logical, spec]) => {
                const [bucket, adoption] = adoptable(spec);
                const bucketArgs: StorageBucketArgs = {
                    ...bucket,
                    projectUrl: args.projectUrl,
                    // A policy that empties data stores empties every bucket; otherwise each bucket says.
                    forceDestroy: policy.forceDestroy ? true : (bucket.forceDestroy ?? false),
                };
                // An adopted bucket predates the stack: kept on delete (and never emptied) unless the config says otherwise.
                const options = { parent: this, protect: policy.protect, retainOnDelete: policy.retainOnDelete, ...adoption };
                return [logical, new StorageBucket(...transformed(args.transform?.bucket, `${name}-${logical}`, bucketArgs, options))];
            }),
        );
    }
}
