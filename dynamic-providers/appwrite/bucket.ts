/** Appwrite storage bucket: the id replaces; every setting changes in place. */
import type * as pulumi from "@pulumi/pulumi";
import type { ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { appwrite, appwriteCall, createOrRecover, fetchOrGone, removeIfPresent } from "./client";
import { appwriteBucketInputSchema, type AppwriteBucketInputs } from "./schema";

const settings = (i: AppwriteBucketInputs) => ({
    bucketId: i.bucketId,
    name: i.name,
    permissions: i.permissions,
    fileSecurity: i.fileSecurity,
    enabled: i.enabled,
    ...(i.maximumFileSize !== null ? { maximumFileSize: i.maximumFileSize } : {}),
    allowedFileExtensions: i.allowedFileExtensions,
    compression: i.compression as never,
    encryption: i.encryption,
    antivirus: i.antivirus,
});

export const appwriteBucketDefinition: ResourceDefinition<ReturnType<typeof appwriteBucketInputSchema>> = {
    module: "appwrite",
    type: "Bucket",
    service: "appwrite",
    schema: appwriteBucketInputSchema,
    replaceOnChanges: ["endpoint", "projectId", "bucketId"],
    deleteBeforeReplace: true,

    async create(ctx, i) {
        const { call, storage } = appwrite(ctx, i, `create bucket ${i.bucketId}`);
        const created = await createOrRecover(ctx, call, `bucket ${i.bucketId}`, () => storage.createBucket(settings(i)), () => fetchOrGone(ctx, call, () => storage.getBucket({ bucketId: i.bucketId })));
        return { id: i.bucketId, outs: { ...i, maximumFileSize: i.maximumFileSize ?? created.maximumFileSize } };
    },
    async read(ctx, id, state) {
        const { call, storage } = appwrite(ctx, state, `read bucket ${id}`);
        const b = await fetchOrGone(ctx, call, () => storage.getBucket({ bucketId: id }));
        return (
            b && {
                ...state,
                name: b.name,
                permissions: [...b.$permissions].sort(),
                fileSecurity: b.fileSecurity,
                enabled: b.enabled,
                maximumFileSize: b.maximumFileSize,
                allowedFileExtensions: [...b.allowedFileExtensions].sort(),
                compression: b.compression as AppwriteBucketInputs["compression"],
                encryption: b.encryption,
                antivirus: b.antivirus,
            }
        );
    },
    async update(ctx, _id, olds, news) {
        const { call, storage } = appwrite(ctx, news, `update bucket ${news.bucketId}`);
        await appwriteCall(ctx, call, () => storage.updateBucket(settings(news)));
        return { ...news, maximumFileSize: news.maximumFileSize ?? olds.maximumFileSize };
    },
    async delete(ctx, id, state) {
        const { call, storage } = appwrite(ctx, state, `delete bucket ${id}`);
        await removeIfPresent(ctx, call, () => storage.deleteBucket({ bucketId: id }));
    },
};

/** `maximumFileSize` in bytes (the server's limit when absent); extensions without dots. */
export type AppwriteBucketArgs = ResourceArgs<ReturnType<typeof appwriteBucketInputSchema>>;

export class AppwriteBucket extends DynamicResource<ReturnType<typeof appwriteBucketInputSchema>> {
    declare readonly bucketId: pulumi.Output<string>;
    constructor(name: string, args: AppwriteBucketArgs, opts?: pulumi.CustomResourceOptions) {
        super(appwriteBucketDefinition, name, args, opts);
    }
}
