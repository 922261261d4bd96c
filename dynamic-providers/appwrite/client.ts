/**
 * Appwrite clients on node-appwrite, built per operation. The SDK sends with its own undici
 * fetch and offers no transport option, so `ToolkitClient` keeps the SDK's request preparation
 * (headers, encoding) and sends it through the shared HTTP layer instead, parsing answers as the
 * SDK does.
 */
import { AppwriteException, Client, Databases, Functions, Messaging, Query, Storage } from "node-appwrite";
import { callApi, type ApiErrors } from "../core/api-calls";
import type { CredentialSpec } from "../core/credentials";
import { answerIsAbout, confirmGone, type WhereItLives } from "../core/gone";
import type { HttpCall } from "../core/http";
import { createdRecently, createOnce } from "../core/ownership";
import type { OperationContext } from "../core/provider";

export const appwriteApiKey: CredentialSpec = {
    configKey: "appwriteApiKey",
    envVars: ["APPWRITE_API_KEY"],
    label: "Appwrite API key",
};

/**
 * A node-appwrite Client whose `call` sends the SDK's prepared request through `httpCall`.
 * The method is replaced on the instance rather than in a subclass: Pulumi's serializer would
 * copy a subclass's base class by value, and the SDK's Client does not survive that.
 */
function toolkitClient(httpCall: HttpCall): Client {
    const client = new Client();
    client.call = async (method: string, url: URL, headers: Record<string, string> = {}, params: Record<string, unknown> = {}, responseType = "json") => {
        const { uri, options } = client.prepareRequest(method, url, headers, params);
        const response = await httpCall.fetch(uri, await replayable(options));
        const text = await response.text();
        const isJson = response.headers.get("content-type")?.includes("application/json") ?? false;
        // Our schemas hold numbers to safe integers; Appwrite's int64 default bounds lose
        // precision here and are read as "no bound" (see attribute.ts).
        const data = isJson && text ? JSON.parse(text) : responseType === "json" ? { message: text } : text;
        if (response.status >= 400) throw new AppwriteException(data?.message ?? text, response.status, data?.type ?? "", text);
        return data;
    };
    return client;
}

/**
 * A multipart body (a deployment's code) as bytes with its boundary, so the shared HTTP layer can
 * send it again after a 429 or 5xx; a FormData is a stream it may send only once.
 */
async function replayable(options: RequestInit): Promise<RequestInit> {
    const body = options.body as unknown;
    if (!body || typeof body !== "object" || typeof (body as FormData).append !== "function" || typeof (body as FormData).entries !== "function") return options;
    const encoded = new Response(body as FormData);
    const headers = { ...(options.headers as Record<string, string>), "content-type": encoded.headers.get("content-type") ?? "multipart/form-data" };
    return { ...options, headers, body: Buffer.from(await encoded.arrayBuffer()) };
}

export interface AppwriteConnection {
    /** API endpoint, e.g. https://cloud.appwrite.io/v1 or a self-hosted server's. */
    endpoint: string;
    projectId: string;
}

/** SDK services on one HTTP call: a new one for `operation`, or `call` (a create that must not replay). */
export function appwrite(ctx: OperationContext, connection: AppwriteConnection, operation: string, call: HttpCall = ctx.http(operation)) {
    const client = toolkitClient(call).setEndpoint(connection.endpoint).setProject(connection.projectId).setKey(ctx.credential(appwriteApiKey));
    return { call, databases: new Databases(client), storage: new Storage(client), functions: new Functions(client), messaging: new Messaging(client) };
}

/** What Appwrite said, as it said it: status, error type, message. */
export function appwriteFailure(error: unknown): { status?: number; code?: string; apiMessage: string } {
    const e = error as { code?: number; type?: string; message?: string };
    return { status: e.code || undefined, code: e.type || undefined, apiMessage: e.message ?? String(error) };
}

/**
 * What Appwrite said, and for a refused key (401 or 403: a key of another project or revoked,
 * user_unauthorized; a key without the scope, general_unauthorized_scope; expired) the setting
 * that holds it.
 */
export function appwriteRefusal(error: unknown): { status?: number; code?: string; apiMessage: string } {
    const failure = appwriteFailure(error);
    if (failure.status !== 401 && failure.status !== 403) return failure;
    const setting = `${appwriteApiKey.configKey}${appwriteApiKey.envVars.length > 0 ? ` (or ${appwriteApiKey.envVars.join(" / ")})` : ""}`;
    return { ...failure, apiMessage: `${failure.apiMessage}. Check ${setting}: it must be an API key of this project with the scopes this needs` };
}

export function isNotFound(error: unknown): boolean {
    return (error as { code?: number }).code === 404;
}

const APPWRITE_ERRORS: ApiErrors = { details: appwriteRefusal, isGone: isNotFound };

/** Appwrite refused because the id or key is taken (409): the SDK's exception or our typed error. */
export function isConflict(error: unknown): boolean {
    const e = error as { code?: unknown; status?: unknown };
    return e.status === 409 || e.code === 409;
}

/** Runs one SDK call; a failure becomes a typed error with the call's request id. */
export const appwriteCall = <T>(ctx: OperationContext, call: HttpCall, run: () => Promise<T>) => callApi(ctx, call, APPWRITE_ERRORS, run);

/**
 * The Appwrite object a call is about. Appwrite's 404 says what is missing in its error type
 * (app/config/errors.php): `notFound` lists the types that mean this object, or a place it lives
 * in, does not exist. Any other 404 (project_not_found for a wrong project id, general_route_not_found
 * or a page that is not Appwrite's for a wrong endpoint) is not about the object and never counts
 * as "gone".
 */
export interface About<T> {
    /** What it is, for messages: "database", "attribute". */
    kind: string;
    /** The id asked for (for attributes and indexes, the key). */
    id: string;
    /** The id the answer names: its `$id`, an attribute's or index's `key`. */
    idOf(found: T): unknown;
    notFound: readonly string[];
}

/** Appwrite's error types for objects that do not exist, by kind (each with the places it lives in). */
export const NOT_FOUND = {
    database: ["database_not_found"],
    collection: ["collection_not_found", "database_not_found"],
    attribute: ["attribute_not_found", "collection_not_found", "database_not_found"],
    index: ["index_not_found", "collection_not_found", "database_not_found"],
    bucket: ["storage_bucket_not_found"],
    variable: ["variable_not_found", "function_not_found"],
    function: ["function_not_found"],
    deployment: ["deployment_not_found", "function_not_found"],
    provider: ["provider_not_found"],
} as const;

const described = (about: Pick<About<unknown>, "kind" | "id">) => `${about.kind} "${about.id}"`;

/** The answer, or undefined for a 404 about the object (see `About`); every other failure is thrown. */
async function attempt<T>(ctx: OperationContext, call: HttpCall, about: Pick<About<T>, "kind" | "id" | "notFound">, run: () => Promise<T>): Promise<{ found: T } | undefined> {
    try {
        return { found: await run() };
    } catch (err) {
        if (!isNotFound(err)) throw ctx.error(call, appwriteRefusal(err));
        const type = (err as { type?: unknown }).type;
        if (typeof type === "string" && about.notFound.includes(type)) return undefined;
        const failure = appwriteFailure(err);
        throw ctx.error(call, {
            ...failure,
            apiMessage: `${failure.apiMessage} (a 404 that is not Appwrite's answer about ${described(about)}, which would be ${about.notFound.join(" or ")}: check projectId and endpoint; nothing counts as gone)`,
        });
    }
}

/**
 * The object, or undefined when Appwrite answers that it (or a place it lives in) does not exist.
 * For the reads inside a create (looking for what landed, waiting for a build): nothing leaves the
 * state there. A refresh uses `readOrGone`.
 */
export async function fetchOrGone<T>(ctx: OperationContext, call: HttpCall, about: About<NoInfer<T>>, run: () => Promise<T>): Promise<T | undefined> {
    const outcome = await attempt(ctx, call, about, run);
    if (outcome === undefined) return undefined;
    answerIsAbout(ctx, call, about.kind, about.id, about.idOf(outcome.found));
    return outcome.found;
}

/**
 * A refresh's read: the object, or undefined (it leaves the state) only when Appwrite answers
 * that it does not exist and `place`, where it lives, is visible with the same key.
 */
export async function readOrGone<T>(ctx: OperationContext, call: HttpCall, about: About<NoInfer<T>>, place: WhereItLives, run: () => Promise<T>): Promise<T | undefined> {
    const outcome = await attempt(ctx, call, about, run);
    if (outcome === undefined) {
        await confirmGone(ctx, call, described(about), place);
        return undefined;
    }
    answerIsAbout(ctx, call, about.kind, about.id, about.idOf(outcome.found));
    return outcome.found;
}

/** A destroy's removal: a 404 about the object counts as done only when `place` is visible with the same key. */
export async function removeOrGone(ctx: OperationContext, call: HttpCall, about: Pick<About<unknown>, "kind" | "id" | "notFound">, place: WhereItLives, run: () => Promise<unknown>): Promise<void> {
    if ((await attempt(ctx, call, about, run)) === undefined) await confirmGone(ctx, call, described(about), place);
}

/** A removal inside a create (a failed build of ours): a 404 about it means it is already gone. */
export async function removeIfPresent(ctx: OperationContext, call: HttpCall, about: Pick<About<unknown>, "kind" | "id" | "notFound">, run: () => Promise<unknown>): Promise<void> {
    await attempt(ctx, call, about, run);
}

/** What a create needs to know about an object Appwrite already holds at our id. */
export interface OwnCreate<T> {
    /** Sends the create on `call` (which never replays a write whose answer was lost). */
    send(call: HttpCall): Promise<T>;
    /** The object at our id, or undefined when there is none. */
    read(): Promise<T | undefined>;
    /** Its creation time, as Appwrite reports it (`$createdAt`). */
    createdAt(found: T): string | undefined;
    /** How it differs from what we asked for; undefined when it is what we asked for. */
    differs(found: T): string | undefined;
    /** Why Appwrite may refuse when nothing is at our id (another unique field is taken). */
    whenAbsent?: string;
}

/**
 * Creates an object whose id (or key) this stack chose. Appwrite refuses a second object at the
 * same id (409), and its objects carry no owner mark, so an object found at our id, after a lost
 * answer or when the engine runs a create it gave up on, is ours when it was created within the
 * lost-create window and is what we asked for. Anything else is refused with the reason.
 */
export async function createOwn<T>(ctx: OperationContext, operation: string, what: string, own: OwnCreate<T>): Promise<T> {
    let refusal = "";
    let vacant = false;
    return createOnce(ctx, operation, {
        // Ids are unique: a create that landed comes back as 409, so there is no need to look first.
        lookFirst: false,
        create: (call) => appwriteCall(ctx, call, () => own.send(call)),
        isConflict,
        // A 409, then nothing at our id: what held it (an attribute being replaced) was just deleted. Unless another field is unique.
        resendWhenConflictVanishes: own.whenAbsent === undefined,
        nothingAt: () => vacant,
        findLanded: async () => {
            const found = await own.read();
            vacant = found === undefined;
            if (found === undefined) {
                refusal = own.whenAbsent ?? "Appwrite reports a conflict, yet nothing is at this id";
                return undefined;
            }
            const createdAt = own.createdAt(found);
            const difference = createdRecently(ctx, createdAt) ? own.differs(found) : `created ${createdAt ?? "at an unknown time"}, before this run`;
            if (difference === undefined) return found;
            refusal = difference;
            return undefined;
        },
        notOurs: (err, call) => {
            const e = err as { status?: number; code?: string };
            return ctx.error(call, { status: e.status ?? 409, code: e.code, apiMessage: `${what} already exists and this stack did not create it (${refusal}): choose another id, or remove the existing one` });
        },
    });
}

/** "name "A", we asked for "B"" for each field that differs; undefined when none does. */
export function differences(found: Record<string, unknown>, wanted: Record<string, unknown>): string | undefined {
    const unequal = Object.entries(wanted).filter(([key, value]) => JSON.stringify(found[key]) !== JSON.stringify(value));
    return unequal.length === 0 ? undefined : unequal.map(([key, value]) => `${key} ${JSON.stringify(found[key])}, we asked for ${JSON.stringify(value)}`).join("; ");
}

/** Every item of an Appwrite list, 100 at a time. */
export async function listAllPages<T>(list: (queries: string[]) => Promise<{ total: number } & Record<string, unknown>>, field: string): Promise<T[]> {
    const all: T[] = [];
    for (let offset = 0; ; offset += 100) {
        const page = (await list([Query.limit(100), Query.offset(offset)]))[field] as T[];
        all.push(...page);
        if (page.length < 100) return all;
    }
}
