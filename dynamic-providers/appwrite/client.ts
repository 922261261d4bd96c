/**
 * Appwrite clients on node-appwrite, built per operation. The SDK sends with its own undici
 * fetch and offers no transport option, so `ToolkitClient` keeps the SDK's request preparation
 * (headers, encoding) and sends it through the shared HTTP layer instead, parsing answers as the
 * SDK does.
 */
import { AppwriteException, Client, Databases, Functions, Storage } from "node-appwrite";
import { callApi, callOrGone, removeOrGone, type ApiErrors } from "../core/api-calls";
import type { CredentialSpec } from "../core/credentials";
import type { HttpCall } from "../core/http";
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
        const response = await httpCall.fetch(uri, options);
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

export interface AppwriteConnection {
    /** API endpoint, e.g. https://cloud.appwrite.io/v1 or a self-hosted server's. */
    endpoint: string;
    projectId: string;
}

export function appwrite(ctx: OperationContext, connection: AppwriteConnection, operation: string) {
    const call = ctx.http(operation);
    const client = toolkitClient(call).setEndpoint(connection.endpoint).setProject(connection.projectId).setKey(ctx.credential(appwriteApiKey));
    return { call, databases: new Databases(client), storage: new Storage(client), functions: new Functions(client) };
}

export function appwriteFailure(error: unknown): { status?: number; code?: string; apiMessage: string } {
    const e = error as { code?: number; type?: string; message?: string };
    return { status: e.code || undefined, code: e.type || undefined, apiMessage: e.message ?? String(error) };
}

export function isNotFound(error: unknown): boolean {
    return (error as { code?: number }).code === 404;
}

const APPWRITE_ERRORS: ApiErrors = { details: appwriteFailure, isGone: isNotFound };

export function isConflict(error: unknown): boolean {
    return (error as { code?: number }).code === 409;
}

/** Runs one SDK call; a failure becomes a typed error with the call's request id. */
export const appwriteCall = <T>(ctx: OperationContext, call: HttpCall, run: () => Promise<T>) => callApi(ctx, call, APPWRITE_ERRORS, run);
/** The object, or undefined when Appwrite answers 404. */
export const fetchOrGone = <T>(ctx: OperationContext, call: HttpCall, run: () => Promise<T>) => callOrGone(ctx, call, APPWRITE_ERRORS, run);
export const removeIfPresent = (ctx: OperationContext, call: HttpCall, run: () => Promise<unknown>) => removeOrGone(ctx, call, APPWRITE_ERRORS, run);

/**
 * Creates; on a conflict adopts the existing object only when our own earlier attempt may have
 * created it (a response lost after the write), since Appwrite objects carry no ownership mark.
 */
export async function createOrRecover<T>(ctx: OperationContext, call: HttpCall, what: string, create: () => Promise<T>, existing: () => Promise<T | undefined>): Promise<T> {
    try {
        return await create();
    } catch (err) {
        if (isConflict(err) && call.writeMayHaveLanded) {
            const found = await existing();
            if (found !== undefined) return found;
        }
        if (isConflict(err)) throw ctx.error(call, { ...appwriteFailure(err), apiMessage: `${what} already exists and this stack did not create it: choose another id, or remove the existing one` });
        throw ctx.error(call, appwriteFailure(err));
    }
}
