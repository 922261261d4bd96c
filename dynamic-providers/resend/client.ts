/** Resend's REST API on the shared HTTP layer. */
import type { CredentialSpec } from "../core/credentials";
import type { OperationContext } from "../core/provider";
import { restClient } from "../core/rest";

export const resendApiKey: CredentialSpec = { configKey: "resendApiKey", envVars: ["RESEND_API_KEY"], label: "Resend API key (full access)" };

export function resend(ctx: OperationContext, baseUrl: string, operation: string) {
    return restClient(ctx, ctx.http(operation), { baseUrl, headers: { authorization: `Bearer ${ctx.credential(resendApiKey)}` } });
}
