/**
 * Supabase Storage bucket as a dynamic resource.
 *
 * The id is the bucket's physical name: changing it replaces the bucket (delete first, since ids
 * are unique per project). Visibility, file size limit and allowed MIME types update in place.
 *
 * A create whose answer was lost, in this call or in one the engine gave up on and runs again,
 * finds the bucket that landed and adopts it. Buckets carry no ownership mark, so ours is the
 * bucket at our id (the stack-scoped physical name) created within the lost-create window with
 * exactly the settings we send; any other bucket at that id is refused with a clear error, unless
 * `adoptExisting` says to take it over.
 *
 * Bucket ids may hold characters that mean something in a URL (`?`, `&`, spaces: supabase/storage
 * src/storage/limits.ts `VALID_BUCKET_NAME`); storage-js puts the id in the path as given, so the
 * provider hands it over percent-encoded, or `a?b` would address bucket `a`.
 */
import * as pulumi from "@pulumi/pulumi";
import { sameValue } from "../core/canonical";
import type { ProviderError } from "../core/errors";
import type { HttpCall } from "../core/http";
import { createdRecently, createOnce, LOST_CREATE_WINDOW_MS } from "../core/ownership";
import type { OperationContext, ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { pollUntil } from "../core/wait";
import { answerIsAbout, confirmGone, segment, type WhereItLives } from "../core/gone";
import { serviceRoleKey, serviceRoleKeyProblem, storageClient, storageFailure } from "./client";
import { bucketInputSchema, type BucketInputs } from "./schema";

export type BucketState = BucketInputs;

/** A bucket id as a path segment (storage-js does not encode it). */
const inPath = segment;

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

/**
 * Where a bucket lives is the project, seen through the service-role key: Storage answers 404
 * NoSuchBucket to any other role (row-level security hides the bucket), so a 404 means gone
 * only when the key is the service-role key.
 */
function theProject(ctx: OperationContext, projectUrl: string): WhereItLives {
    return {
        name: `the storage of ${projectUrl}`,
        visible: async () => serviceRoleKeyProblem(ctx.credential(serviceRoleKey)) ?? true,
        credential: serviceRoleKey,
    };
}

/** The bucket, or undefined when it is gone (and the key could have seen it). */
async function fetchBucket(ctx: OperationContext, projectUrl: string, id: string, operation = `read bucket "${id}"`): Promise<ApiBucket | undefined> {
    const call = ctx.http(operation);
    const { data, error } = await storageClient(projectUrl, ctx.credential(serviceRoleKey), call).getBucket(inPath(id));
    if (!error) {
        answerIsAbout(ctx, call, "bucket", id, (data as ApiBucket | null)?.id);
        return data as ApiBucket;
    }
    const failure = storageFailure(error, call);
    if (failure.status !== 404) throw ctx.error(call, failure);
    await confirmGone(ctx, call, `bucket "${id}"`, theProject(ctx, projectUrl));
    return undefined;
}

async function applySettings(ctx: OperationContext, call: HttpCall, i: BucketInputs): Promise<void> {
    const { error } = await storageClient(i.projectUrl, ctx.credential(serviceRoleKey), call).updateBucket(inPath(i.bucketId), bucketOptions(i));
    if (!error) return;
    const failure = storageFailure(error, call);
    if (failure.status === 404) {
        throw ctx.error(call, { ...failure, apiMessage: `bucket "${i.bucketId}" no longer exists; run \`pulumi refresh\` to drop it from state, then \`pulumi up\` to recreate it` });
    }
    throw ctx.error(call, failure);
}

/** The API refused because a bucket of this id exists (BucketAlreadyExists, status 409 in the body). */
function isTaken(err: unknown): boolean {
    const e = err as Partial<ProviderError>;
    return e.status === 409 && (e.code === undefined || /AlreadyExists$/.test(e.code));
}

/** Whether a bucket found at our id is our own lost create: this new, holding exactly what we sent. */
function isOurLostCreate(ctx: OperationContext, existing: ApiBucket, wanted: BucketInputs): boolean {
    return createdRecently(ctx, existing.created_at) && sameSettings(settingsOf(existing), wanted);
}

async function waitUntilEmpty(ctx: OperationContext, i: BucketInputs): Promise<void> {
    await pollUntil(
        async () => {
            const call = ctx.http(`list objects of bucket "${i.bucketId}"`);
            const { data, error } = await storageClient(i.projectUrl, ctx.credential(serviceRoleKey), call)
                .from(inPath(i.bucketId))
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
    idFor: (i) => i.bucketId,
    service: "supabase-storage",
    schema: bucketInputSchema,
    replaceOnChanges: ["projectUrl", "bucketId"],
    deleteBeforeReplace: true,

    async create(ctx, inputs) {
        const operation = `create bucket "${inputs.bucketId}"`;
        const landed = await createOnce<ApiBucket | "created">(ctx, operation, {
            // Bucket ids are unique in a project: a second create is refused, never duplicated, so
            // look only when our send may have landed or the id is taken.
            lookFirst: false,
            create: async (call) => {
                const { error } = await storageClient(inputs.projectUrl, ctx.credential(serviceRoleKey), call).createBucket(inputs.bucketId, bucketOptions(inputs));
                if (error) throw ctx.error(call, storageFailure(error, call));
                return "created";
            },
            isConflict: isTaken,
            findLanded: async () => {
                const existing = await fetchBucket(ctx, inputs.projectUrl, inputs.bucketId, `look for the bucket "${inputs.bucketId}" a create may have left`);
                return existing !== undefined && (inputs.adoptExisting || isOurLostCreate(ctx, existing, inputs)) ? existing : undefined;
            },
            notOurs: (err, call) => {
                const e = err as Partial<ProviderError>;
                return ctx.error(call, {
                    status: e.status,
                    code: e.code,
                    apiMessage:
                        `bucket "${inputs.bucketId}" already exists and this stack did not create it ` +
                        `(a bucket this stack's own lost create left would be under ${LOST_CREATE_WINDOW_MS / 60_000} minutes old and hold exactly these settings); ` +
                        `choose another name, or take it over: adopt: ${inputs.bucketId} on the bucket in the stack config (docs/adoption.md)`,
                });
            },
        });
        if (landed !== "created" && !sameSettings(settingsOf(landed), inputs)) await applySettings(ctx, ctx.http(`update adopted bucket "${inputs.bucketId}"`), inputs);
        return { id: bucketDefinition.idFor!(inputs), outs: inputs };
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
            const { error } = await storageClient(state.projectUrl, ctx.credential(serviceRoleKey), call).deleteBucket(inPath(id));
            return error ? { call, failure: storageFailure(error, call) } : undefined;
        };
        const first = await remove();
        if (first === undefined) return;
        if (first.failure.status === 404) return confirmGone(ctx, first.call, `bucket "${id}"`, theProject(ctx, state.projectUrl));
        if (first.failure.status !== 409) throw ctx.error(first.call, first.failure);
        if (!state.forceDestroy) {
            throw ctx.error(first.call, {
                ...first.failure,
                apiMessage: `bucket "${id}" still holds objects; empty it, or set forceDestroy: true to delete them with the bucket`,
            });
        }
        const emptyCall = ctx.http(`empty bucket "${id}"`);
        const { error } = await storageClient(state.projectUrl, ctx.credential(serviceRoleKey), emptyCall).emptyBucket(inPath(id));
        if (error && storageFailure(error, emptyCall).status !== 404) throw ctx.error(emptyCall, storageFailure(error, emptyCall));
        await waitUntilEmpty(ctx, state);
        const second = await remove();
        if (second && second.failure.status !== 404) throw ctx.error(second.call, second.failure);
    },
};

/**
 * Changing `projectUrl` or `bucketId` replaces the bucket (deleted first: ids are unique per
 * project); visibility, size limit and MIME types change in place. `adoptExisting` takes over a
 * bucket of the same id that already exists (a bucket this stack's own lost create left is
 * adopted without it).
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
