/**
 * Agora's Console REST API (docs.agora.io, "Agora Console REST API"; AgoraIO/Docs-Source
 * shared/common/manage-agora-account/_agora-console-restapi.mdx @0a587bc4) on the shared REST
 * layer: HTTP Basic with the account's Customer ID and Customer Secret, JSON bodies.
 */
import { createHash } from "node:crypto";
import type { CredentialSpec } from "../core/credentials";
import { confirmGone, type WhereItLives } from "../core/gone";
import type { HttpCall } from "../core/http";
import type { OperationContext } from "../core/provider";
import { restClient, type ExplainRefusal } from "../core/rest";

export const agoraCustomerId: CredentialSpec = { configKey: "agoraCustomerId", envVars: ["AGORA_CUSTOMER_ID"], label: "Agora Customer ID" };
export const agoraCustomerSecret: CredentialSpec = { configKey: "agoraCustomerSecret", envVars: ["AGORA_CUSTOMER_SECRET"], label: "Agora Customer Secret" };

/** A project as Agora answers it: `vendor_key` is the App ID, `sign_key` the primary certificate ("" when off), status 1 enabled, 0 disabled. */
export interface ApiAgoraProject {
    id: string;
    name: string;
    vendor_key: string;
    sign_key: string | null;
    recording_server: string | null;
    status: number;
    /** Documented in seconds; real answers have been in milliseconds. */
    created: number;
}

/** A refused pair: 401 (documented: "incorrect … Customer Certificate"), 403 Forbidden. */
const explainRefusal: ExplainRefusal = () => `Agora did not accept ${agoraCustomerId.configKey} and ${agoraCustomerSecret.configKey} (or ${agoraCustomerId.envVars[0]} / ${agoraCustomerSecret.envVars[0]}): check the pair in the console's RESTful API page`;

export function agora(ctx: OperationContext, baseUrl: string, operation: string, call: HttpCall = ctx.http(operation)) {
    const basic = Buffer.from(`${ctx.credential(agoraCustomerId)}:${ctx.credential(agoraCustomerSecret)}`).toString("base64");
    // "Content-Type must be application/json" for every request, reads included (the API answers 415 otherwise).
    return restClient(ctx, call, { baseUrl, headers: { authorization: `Basic ${basic}`, "content-type": "application/json" }, explainRefusal });
}

/** Every project of the account, disabled ones included (`GET /dev/v1/projects`, one call, no paging). */
export async function allProjects(ctx: OperationContext, baseUrl: string, operation: string, call?: HttpCall): Promise<ApiAgoraProject[]> {
    const api = agora(ctx, baseUrl, operation, call);
    const answer = await api.get<{ projects: ApiAgoraProject[] }>("/dev/v1/projects");
    // The list itself missing is a wrong URL, never an empty account: nothing may be taken for gone from it.
    if (!answer || !Array.isArray(answer.projects)) throw ctx.error(api.call, { status: answer ? undefined : 404, apiMessage: `Agora answered ${answer ? "without a project list" : "404"} to GET /dev/v1/projects: check agora.baseUrl` });
    return answer.projects;
}

/**
 * Which account made a project, as far as the API can tell: it names no account, and another
 * account's Customer ID sees another project list, where ours is simply absent. So a project
 * records a digest of the Customer ID that made it (never the ID itself).
 */
export const accountDigest = (ctx: OperationContext) => createHash("sha256").update(`agora-customer:${ctx.credential(agoraCustomerId)}`).digest("hex").slice(0, 16);

/**
 * A project the account's list does not hold is gone when the Customer ID asking is the one that
 * made it; with another one it may be another account's list, and the state keeps the project.
 */
export async function goneFromAccount(ctx: OperationContext, call: HttpCall, what: string, madeBy: string | undefined): Promise<void> {
    const where: WhereItLives = {
        name: "the Agora account that made it",
        credential: agoraCustomerId,
        visible: async () => madeBy === undefined || madeBy === accountDigest(ctx) || "is not the Customer ID that made it (another account's, or a new pair of the same account: if so, run `pulumi refresh` with the old pair once)",
    };
    await confirmGone(ctx, call, what, where);
}

/** `created` in milliseconds, whichever unit Agora answered in. */
export const createdMs = (p: Pick<ApiAgoraProject, "created">) => (p.created < 1e12 ? p.created * 1000 : p.created);
