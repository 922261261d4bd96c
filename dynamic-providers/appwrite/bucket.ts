/**
 * Appwrite storage bucket: the id replaces; every setting changes in place. A create whose answer
 * was lost adopts the bucket at our id made within the lost-create window with our settings
 * (`createOwn`). A 404 leaves the state only when the project's list of buckets, read with the
 * same key, answers without it (places.ts).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { appwrite, appwriteCall, createOwn, differences, fetchOrGone, NOT_FOUND, readOrGone, removeOrGone, type About } from "./client";
import { bucketsOf } from "./places";
import { appwriteBucketInputSchema, type AppwriteBucketInputs } from "./schema";

const bucket = (id: string): About<{ $id: string }> => ({ kind: "bucket", id, idOf: (b) => b.$id, notFound: NOT_FOUND.bucket });

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
    idFor: (i) => i.bucketId,
    service: "appwrite",
    schema: appwriteBucketInputSchema,
    replaceOnChanges: ["endpoint", "projectId", "bucketId"],
    deleteBeforeReplace: true,

    async create(ctx, i) {
        const operation = `create bucket ${i.bucketId}`;
        await createOwn(ctx, operation, `bucket ${i.bucketId}`, {
            send: (call) => appwrite(ctx, i, operation, call).storage.createBucket(settings(i)),
            read: () => {
                const { call, storage } = appwrite(ctx, i, `look for bucket ${i.bucketId}`);
                return fetchOrGone(ctx, call, bucket(i.bucketId), () => storage.getBucket({ bucketId: i.bucketId }));
            },
            createdAt: (b) => b.$createdAt,
            differs: (b) => {
                const { bucketId: _id, permissions, allowedFileExtensions, maximumFileSize, ...rest } = settings(i);
                const found = { ...b, permissions: [...b.$permissions].sort(), allowedFileExtensions: [...b.allowedFileExtensions].sort() };
                return differences(found, { ...rest, permissions, allowedFileExtensions, ...(maximumFileSize !== undefined ? { maximumFileSize } : {}) });
            },
        });
        // Without a maximumFileSize the server's limit applies: the state keeps null, so the next up
        // compares null with null instead of the server's figure with null (an update every time).
        return { id: appwriteBucketDefinition.idFor!(i), outs: i };
    },
    async read(ctx, id, state) {
        const { call, storage } = appwrite(ctx, state, `read bucket ${id}`);
        const b = await readOrGone(ctx, call, bucket(id), bucketsOf(ctx, state, id), () => storage.getBucket({ bucketId: id }));
        return (
            b && {
                ...state,
                name: b.name,
                permissions: [...b.$permissions].sort(),
                fileSecurity: b.fileSecurity,
                enabled: b.enabled,
                maximumFileSize: state.maximumFileSize === null ? null : b.maximumFileSize,
                allowedFileExtensions: [...b.allowedFileExtensions].sort(),
                compression: b.compression as AppwriteBucketInputs["compression"],
                encryption: b.encryption,
                antivirus: b.antivirus,
            }
        );
    },
    async update(ctx, _id, _olds, news) {
        const { call, storage } = appwrite(ctx, news, `update bucket ${news.bucketId}`);
        await appwriteCall(ctx, call, () => storage.updateBucket(settings(news)));
        return news;
    },
    async delete(ctx, id, state) {
        const { call, storage } = appwrite(ctx, state, `delete bucket ${id}`);
        await removeOrGone(ctx, call, bucket(id), bucketsOf(ctx, state, id), () => storage.deleteBucket({ bucketId: id }));
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
