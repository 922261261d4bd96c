/**
 * Where each Appwrite object lives, read with the same key, so that a 404 leaves the state only
 * when it is gone (issue 16, core/gone.ts). Asked only after a 404: a live read, a no-op `up` and
 * a delete that finds its object never pay for it.
 *
 * What Appwrite answers a key that may not see an object (appwrite/appwrite 1.9.6,
 * app/controllers/shared/api.php and src/Appwrite/Auth/Key.php): a key of another project or a
 * revoked one, 401 user_unauthorized; a key without the route's scope, 401
 * general_unauthorized_scope; a wrong project id, 404 project_not_found. A key that passes sees
 * every object of its project (authorization is off for project keys), so a 404 whose type names
 * the object is, on its face, about the object; the place is still read, because that same 404
 * also comes from a server or path that is not this project's Appwrite.
 *
 * - database, bucket: the project, through its list of databases or buckets filtered to the
 *   object's id (1 call). That list must not hold it: if it does, the read went astray.
 * - collection: its database, through the project's list of databases filtered to it (1 call):
 *   listed or not (then the database went, and the collection with it), the place is visible.
 * - attribute, index: the collection (1 call); when that is gone too, its database as above
 *   (2 calls).
 * - function variable: its function, through the project's list of functions filtered to it
 *   (1 call), listed or not.
 * - function, messaging provider: the project, through its list of functions or providers
 *   filtered to the object's id (1 call), which must not hold it.
 */
import { Query } from "node-appwrite";
import type { WhereItLives } from "../core/gone";
import type { HttpCall } from "../core/http";
import type { OperationContext } from "../core/provider";
import { appwrite, appwriteApiKey, appwriteFailure, isNotFound, NOT_FOUND, type AppwriteConnection } from "./client";
import { schemaApi } from "./schema-api";

/**
 * Why the key cannot see the place, from Appwrite's refusal (401, 403, or a 404 that is not about
 * the place: project_not_found, a wrong endpoint). Other failures say nothing about visibility and
 * are thrown as they are.
 */
function refusal(ctx: OperationContext, call: HttpCall, err: unknown): string {
    const failure = appwriteFailure(err);
    if (failure.status === 401 || failure.status === 403 || failure.status === 404) return `is refused there (${failure.status}${failure.code ? ` ${failure.code}` : ""}: ${failure.apiMessage})`;
    throw ctx.error(call, failure);
}

interface Listing {
    /** The field of Appwrite's list answer that holds the items: "databases", "buckets", "functions". */
    field: string;
    /** The id the list is filtered to. */
    id: string;
    /** Set when the listed object is the one that answered 404: the list must not hold it. */
    own?: string;
    list(call: HttpCall): Promise<unknown>;
}

/** Whether the project's list answers, with the same key; it must be a list, and must not hold an object that answered 404. */
async function listingVisible(ctx: OperationContext, operation: string, listing: Listing): Promise<true | string> {
    const call = ctx.http(operation);
    let answer: unknown;
    try {
        answer = await listing.list(call);
    } catch (err) {
        return refusal(ctx, call, err);
    }
    const items = (answer as Record<string, unknown> | null)?.[listing.field];
    if (!Array.isArray(items)) {
        throw ctx.error(call, { apiMessage: `asked for the project's list of ${listing.field} and was answered with something else: the request may have gone to the wrong URL; nothing was changed in state` });
    }
    if (listing.own !== undefined && items.some((item) => (item as { $id?: unknown })?.$id === listing.id)) {
        throw ctx.error(call, {
            status: 404,
            apiMessage: `${listing.own} answered 404, yet the project's list of ${listing.field} holds it: the read may have gone astray, so it is kept in state`,
        });
    }
    return true;
}

const filteredTo = (id: string) => [Query.equal("$id", id), Query.limit(1)];

/** A database lives in the project: visible when the project's list of databases answers (and, for the database itself, does not hold it). */
export function databasesOf(ctx: OperationContext, c: AppwriteConnection, databaseId: string, self: boolean): WhereItLives {
    return {
        name: self ? `the list of databases of project "${c.projectId}"` : `database "${databaseId}" of project "${c.projectId}"`,
        credential: appwriteApiKey,
        visible: () =>
            listingVisible(ctx, `list databases of project ${c.projectId}`, {
                field: "databases",
                id: databaseId,
                own: self ? `database "${databaseId}"` : undefined,
                list: (call) => schemaApi.listDatabases(appwrite(ctx, c, call.operation, call).databases, filteredTo(databaseId)),
            }),
    };
}

/** An attribute or index lives in its collection: visible when it reads, or, when it is gone too, when its database's place is visible. */
export function collectionOf(ctx: OperationContext, c: AppwriteConnection, databaseId: string, collectionId: string): WhereItLives {
    return {
        name: `collection "${databaseId}/${collectionId}"`,
        credential: appwriteApiKey,
        visible: async () => {
            const { call, databases } = appwrite(ctx, c, `read collection ${databaseId}/${collectionId}`);
            let found: { $id?: unknown; databaseId?: unknown };
            try {
                found = await schemaApi.getCollection(databases, databaseId, collectionId);
            } catch (err) {
                const type = (err as { type?: unknown }).type;
                // The collection went (or its database did), and what lived in it with it: if the key can see where it lived.
                if (isNotFound(err) && NOT_FOUND.collection.includes(type as never)) return databasesOf(ctx, c, databaseId, false).visible();
                return refusal(ctx, call, err);
            }
            if (found.$id !== collectionId || found.databaseId !== databaseId) {
                throw ctx.error(call, { apiMessage: `asked for collection "${databaseId}/${collectionId}" and was answered about "${String(found.databaseId)}/${String(found.$id)}": the request may have gone to the wrong URL; nothing was changed in state` });
            }
            return true;
        },
    };
}

/** A bucket lives in the project: visible when the project's list of buckets answers without it. */
export function bucketsOf(ctx: OperationContext, c: AppwriteConnection, bucketId: string): WhereItLives {
    return {
        name: `the list of buckets of project "${c.projectId}"`,
        credential: appwriteApiKey,
        visible: () =>
            listingVisible(ctx, `list buckets of project ${c.projectId}`, {
                field: "buckets",
                id: bucketId,
                own: `bucket "${bucketId}"`,
                list: (call) => appwrite(ctx, c, call.operation, call).storage.listBuckets({ queries: filteredTo(bucketId) }),
            }),
    };
}

/** A variable lives in its function: visible when the project's list of functions answers, whether it holds the function or not (then the variable went with it). */
export function functionOf(ctx: OperationContext, c: AppwriteConnection, functionId: string): WhereItLives {
    return functionsOf(ctx, c, functionId, false);
}

/**
 * A function lives in the project: visible when the project's list of functions answers; for the
 * function itself (`self`), without it.
 */
export function functionsOf(ctx: OperationContext, c: AppwriteConnection, functionId: string, self: boolean): WhereItLives {
    return {
        name: self ? `the list of functions of project "${c.projectId}"` : `function "${functionId}" of project "${c.projectId}"`,
        credential: appwriteApiKey,
        visible: () =>
            listingVisible(ctx, `list functions of project ${c.projectId}`, {
                field: "functions",
                id: functionId,
                own: self ? `function "${functionId}"` : undefined,
                list: (call) => appwrite(ctx, c, call.operation, call).functions.list({ queries: filteredTo(functionId) }),
            }),
    };
}

/** A messaging provider lives in the project: visible when the project's list of providers answers without it. */
export function providersOf(ctx: OperationContext, c: AppwriteConnection, providerId: string): WhereItLives {
    return {
        name: `the list of messaging providers of project "${c.projectId}"`,
        credential: appwriteApiKey,
        visible: () =>
            listingVisible(ctx, `list messaging providers of project ${c.projectId}`, {
                field: "providers",
                id: providerId,
                own: `provider "${providerId}"`,
                list: (call) => appwrite(ctx, c, call.operation, call).messaging.listProviders({ queries: filteredTo(providerId) }),
            }),
    };
}
