/**
 * The Supabase Storage buckets a stack declares. Buckets hold data, so in prod they are
 * protected and retained on delete; preview stacks empty them on destroy.
 */
import * as pulumi from "@pulumi/pulumi";
import { StorageBucket, type StorageBucketArgs } from "../dynamic-providers/supabase/bucket";
import type { PlannedBucket } from "../stacks/config";
import type { Environment } from "../stacks/environment";
import { applyTransform, type Transform } from "./transform";

export const SUPABASE_STORAGE_TYPE = "stackwire:supabase:Storage";

export interface SupabaseStorageArgs {
    /** The project URL, e.g. https://abcd.supabase.co. */
    projectUrl: pulumi.Input<string>;
    /** Buckets with their physical ids, as `validateStackConfig` plans them. */
    buckets: PlannedBucket[];
    /** Decides protection, retention and force-destroy. */
    environment: Environment;
    /** Adjust a bucket's args before it is created. */
    transform?: { bucket?: Transform<StorageBucketArgs> };
}

export interface BucketPlan {
    /** Pulumi resource name of the child. */
    resourceName: string;
    args: StorageBucketArgs;
    options: Pick<pulumi.CustomResourceOptions, "protect" | "retainOnDelete">;
}

/** Which bucket resources a config implies, with their options. Pure, so tests call it directly. */
export function planBuckets(componentName: string, args: Omit<SupabaseStorageArgs, "transform">): BucketPlan[] {
    const env = args.environment;
    return args.buckets.map((bucket) => ({
        resourceName: `${componentName}-${bucket.name}`,
        args: {
            projectUrl: args.projectUrl,
            bucketId: bucket.bucketId,
            public: bucket.settings.public,
            fileSizeLimit: bucket.settings.fileSizeLimit ?? null,
            allowedMimeTypes: bucket.settings.allowedMimeTypes ?? null,
            forceDestroy: env.fullyDestroyable || (bucket.settings.forceDestroy ?? false),
        },
        options: { protect: env.protectStateful, retainOnDelete: env.retainDataOnDelete },
    }));
}

export class SupabaseStorage extends pulumi.ComponentResource {
    /** Bucket ids by logical name. */
    public readonly bucketIds: pulumi.Output<Record<string, string>>;
    public readonly buckets: Record<string, StorageBucket>;

    constructor(name: string, args: SupabaseStorageArgs, opts?: pulumi.ComponentResourceOptions) {
        super(SUPABASE_STORAGE_TYPE, name, {}, opts);
        this.buckets = this.createBuckets(name, args);
        this.bucketIds = pulumi.output(
            Object.fromEntries(Object.entries(this.buckets).map(([logical, bucket]) => [logical, bucket.bucketId])),
        );
        this.registerOutputs({ bucketIds: this.bucketIds });
    }

    private createBuckets(name: string, args: SupabaseStorageArgs): Record<string, StorageBucket> {
        const plans = planBuckets(name, args);
        return Object.fromEntries(
            plans.map((plan, i) => [
                args.buckets[i].name,
                new StorageBucket(plan.resourceName, applyTransform(plan.args, plan.resourceName, args.transform?.bucket), { parent: this, ...plan.options }),
            ]),
        );
    }
}
