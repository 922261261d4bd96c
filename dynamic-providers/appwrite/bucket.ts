/** Appwrite storage bucket: the id replaces; every setting changes in place. */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { dynamicProvider, type ResourceDefinition } from "../core/provider";
import { appwrite, appwriteCall, connectionShape, createOrRecover, fetchOrGone, idSchema, permissionsSchema, removeIfPresent, type AppwriteConnectionArgs } from "./client";

export function appwriteBucketInputSchema() {
    return z.object({
        ...connectionShape(),
        bucketId: idSchema("bucketId"),
        name: z.string().min(1).max(128),
        permissions: permissionsSchema(),
        fileSecurity: z.boolean().default(false),
        enabled: z.boolean().default(true),
        /** Bytes; Appwrite's own ceiling applies (30 MB on Cloud's free plan). */
        maximumFileSize: z.number().int().min(1).nullable().default(null),
        allowedFileExtensions: z
            .array(z.string().regex(/^[a-z0-9]{1,64}$/i, "must be an extension without the dot, e.g. png"))
            .max(100)
            .default([])
            .transform((list) => [...new Set(list.map((e) => e.toLowerCase()))].sort()),
        compression: z.enum(["none", "gzip", "zstd"]).default("none"),
        encryption: z.boolean().default(true),
        antivirus: z.boolean().default(true),
    });
}

export type AppwriteBucketInputs = z.output<ReturnType<typeof appwriteBucketInputSchema>>;

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

export const appwriteBucketDefinition: ResourceDefinition<AppwriteBucketInputs, AppwriteBucketInputs> = {
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

export const appwriteBucketProvider = dynamicProvider(appwriteBucketDefinition);

export interface AppwriteBucketArgs extends AppwriteConnectionArgs {
    bucketId: pulumi.Input<string>;
    name: pulumi.Input<string>;
    permissions?: pulumi.Input<pulumi.Input<string>[]>;
    /** @default false */
    fileSecurity?: pulumi.Input<boolean>;
    /** @default true */
    enabled?: pulumi.Input<boolean>;
    /** Bytes. @default the server's limit */
    maximumFileSize?: pulumi.Input<number>;
    /** Without dots; empty allows any. */
    allowedFileExtensions?: pulumi.Input<pulumi.Input<string>[]>;
    /** @default "none" */
    compression?: pulumi.Input<"none" | "gzip" | "zstd">;
    /** @default true */
    encryption?: pulumi.Input<boolean>;
    /** @default true */
    antivirus?: pulumi.Input<boolean>;
}

export class AppwriteBucket extends pulumi.dynamic.Resource {
    declare readonly bucketId: pulumi.Output<string>;
    constructor(name: string, args: AppwriteBucketArgs, opts?: pulumi.CustomResourceOptions) {
        super(appwriteBucketProvider, name, { ...args }, opts, "appwrite", "Bucket");
    }
}
