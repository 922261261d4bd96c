/**
 * Supabase Storage bucket as a dynamic resource.
 *
 * The id is the bucket's physical name: changing it replaces the bucket (delete first, since ids
 * are unique per project). Visibility, file size limit and allowed MIME types update in place.
 * Buckets cannot carry an ownership marker, so an existing bucket is adopted only when our own
 * create may have landed unseen (a lost response) or when `adoptExisting` says so.
 */
import * as pulumi from "@pulumi/pulumi";
import { sameValue } from "../core/canonical";
import type { HttpCall } from "../core/http";
import type { OperationContext, ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { pollUntil } from "../core/wait";
import { serviceRoleKey, storageClient, storageFailure } from "./client";
import { bucketInputSchema, type BucketInputs } from "./schema";

/** A bucket found with the same id is taken as ours only if created this recently before our call. */
const LOST_CREATE_WINDOW_MS = 5 * 60_000;

export type BucketState = BucketInputs;

interface ApiBucket {
    id: string;
    public: boolean;
    file_size_limit?: number | null;
    allowed_mime_types?: string[] | null;
    created_at?: string;
}

function settingsOf(b: ApiBucket): Pick<BucketInputs, "public" | "fileSizeLimit" | "allowedMimeTypes"> {
    const types = b.allowed_mime_types ?? null;
    return {
        public: b.public,
        fileSizeLimit: b.file_size_limit ?? null,
        allowedMimeTypes: types === null || types.length === 0 ? null : types,
    };
}

function sameSettings(a: Pick<BucketInputs, "public" | "fileSizeLimit" | "allowedMimeTypes">, b: typeof a): boolean {
    return a.public === b.public && a.fileSizeLimit === b.fileSizeLimit && sameValue(a.allowedMimeTypes, b.allowedMimeTypes);
}

function bucketOptions(i: BucketInputs) {
    return { public: i.public, fileSizeLimit: i.fileSizeLimit, allowedMimeTypes: i.allowedMimeTypes } as {
        public: boolean;
        fileSizeLimit?: number | null;
        allowedMimeTypes?: string[] | null;
    };
}

async function fetchBucket(ctx: OperationContext, projectUrl: string, id: string): Promise<ApiBucket | undefined> {
    const call = ctx.http(`read bucket "${id}"`);
    const { data, error } = await storageClient(projectUrl, ctx.credential(serviceRoleKey), call).getBucket(id);
    if (!error) return data as ApiBucket;
    const failure = storageFailure(error, call);
    if (failure.status === 404) return undefined;
    throw ctx.error(call, failure);
}

async function applySettings(ctx: OperationContext, call: HttpCall, i: BucketInputs): Promise<void> {
    const { error } = await storageClient(i.projectUrl, ctx.credential(serviceRoleKey), call).updateBucket(i.bucketId, bucketOptions(i));
    if (!error) return;
    const failure = storageFailure(error, call);
    if (failure.status === 404) {
        throw ctx.error(call, { ...failure, apiMessage: `bucket "${i.bucketId}" no longer exists; run \`pulumi refresh\` to drop it from state, then \`pulumi up\` to recreate it` });
    }
    throw ctx.error(call, failure);
}

/** Our earlier attempt landed if the bucket is this new and holds exactly what we sent. */
function isOurLostCreate(call: HttpCall, existing: ApiBucket, wanted: BucketInputs): boolean {
    if (!call.writeMayHaveLanded || !existing.created_at) return false;
    const createdAt = Date.parse(existing.created_at);
    return createdAt >= call.startedAt - LOST_CREATE_WINDOW_MS && sameSettings(settingsOf(existing), wanted);
}

async function waitUntilEmpty(ctx: OperationContext, i: BucketInputs): Promise<void> {
    await pollUntil(
        async () => {
            const call = ctx.http(`list objects of bucket "${i.bucketId}"`);
            const { data, error } = await storageClient(i.projectUrl, ctx.credential(serviceRoleKey), call)
                .from(i.bucketId)
                .list("", { limit: 1 });
            if (error) throw ctx.error(call, storageFailure(error, call));
            return data.length === 0 ? true : undefined;
        },
        // Supabase empties buckets in the background and warns it may take up to an hour.
        { what: `bucket "${i.bucketId}" to be emptied`, timeoutMs: 60 * 60_000, intervalMs: 500, maxIntervalMs: 15_000, clock: ctx.clock },
    );
}

export const bucketDefinition: ResourceDefinition<ReturnType<typeof bucketInputSchema>, BucketState> = {
    module: "supabase",
    type: "StorageBucket",
    service: "supabase-storage",
    schema: bucketInputSchema,
    replaceOnChanges: ["projectUrl", "bucketId"],
    deleteBeforeReplace: true,

    async create(ctx, inputs) {
        const call = ctx.http(`create bucket "${inputs.bucketId}"`);
        const { error } = await storageClient(inputs.projectUrl, ctx.credential(serviceRoleKey), call).createBucket(inputs.bucketId, bucketOptions(inputs));
        if (error) {
            const failure = storageFailure(error, call);
            if (failure.status !== 409) throw ctx.error(call, failure);
            const existing = await fetchBucket(ctx, inputs.projectUrl, inputs.bucketId);
            const adopt = existing !== undefined && (inputs.adoptExisting || isOurLostCreate(call, existing, inputs));
            if (!adopt) {
                throw ctx.error(call, {
                    ...failure,
                    apiMessage: `bucket "${inputs.bucketId}" already exists and this stack did not create it; choose another name, or set adoptExisting: true to manage the existing bucket`,
                });
            }
            if (!sameSettings(settingsOf(existing), inputs)) await applySettings(ctx, ctx.http(`update adopted bucket "${inputs.bucketId}"`), inputs);
        }
        return { id: inputs.bucketId, outs: inputs };
    },

    async read(ctx, id, state) {
        const bucket = await fetchBucket(ctx, state.projectUrl, id);
        return bucket === undefined ? undefined : { ...state, bucketId: bucket.id, ...settingsOf(bucket) };
    },

    async update(ctx, _id, olds, news) {
        if (!sameSettings(olds, news)) await applySettings(ctx, ctx.http(`update bucket "${news.bucketId}"`), news);
        return news;
    },

    async delete(ctx, id, state) {
        const remove = async () => {
            const call = ctx.http(`delete bucket "${id}"`);
            const { error } = await storageClient(state.projectUrl, ctx.credential(serviceRoleKey), call).deleteBucket(id);
            return error ? { call, failure: storageFailure(error, call) } : undefined;
        };
        const first = await remove();
        if (first === undefined || first.failure.status === 404) return;
        if (first.failure.status !== 409) throw ctx.error(first.call, first.failure);
        if (!state.forceDestroy) {
            throw ctx.error(first.call, {
                ...first.failure,
                apiMessage: `bucket "${id}" still holds objects; empty it, or set forceDestroy: true to delete them with the bucket`,
            });
        }
        const emptyCall = ctx.http(`empty bucket "${id}"`);
        const { error } = await storageClient(state.projectUrl, ctx.credential(serviceRoleKey), emptyCall).emptyBucket(id);
        if (error && storageFailure(error, emptyCall).status !== 404) throw ctx.error(emptyCall, storageFailure(error, emptyCall));
        await waitUntilEmpty(ctx, state);
        const second = await remove();
        if (second && second.failure.status !== 404) throw ctx.error(second.call, second.failure);
    },
};

/**
 * Changing `projectUrl` or `bucketId` replaces the bucket (deleted first: ids are unique per
 * project); visibility, size limit and MIME types change in place. `adoptExisting` takes over a
 * bucket of the same id that already exists.
 */
export type StorageBucketArgs = ResourceArgs<ReturnType<typeof bucketInputSchema>>;

export class StorageBucket extends DynamicResource<ReturnType<typeof bucketInputSchema>, BucketState> {
    declare readonly projectUrl: pulumi.Output<string>;
    declare readonly bucketId: pulumi.Output<string>;
    declare readonly public: pulumi.Output<boolean>;
    declare readonly fileSizeLimit: pulumi.Output<number | null>;
    declare readonly allowedMimeTypes: pulumi.Output<string[] | null>;
    declare readonly forceDestroy: pulumi.Output<boolean>;

    constructor(name: string, args: StorageBucketArgs, opts?: pulumi.CustomResourceOptions) {
        super(bucketDefinition, name, { adoptExisting: undefined, forceDestroy: undefined, ...args }, opts);
    }
}
