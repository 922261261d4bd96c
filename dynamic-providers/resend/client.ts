/** Resend's REST API on the shared HTTP layer. */
import type { CredentialSpec } from "../core/credentials";
import type { HttpCall } from "../core/http";
import type { OperationContext } from "../core/provider";
import { restClient } from "../core/rest";

export const resendApiKey: CredentialSpec = { configKey: "resendApiKey", envVars: ["RESEND_API_KEY"], label: "Resend API key (full access)" };

/** One operation's client; `call` is given when the operation manages its own (a create sent once). */
export function resend(ctx: OperationContext, baseUrl: string, operation: string, call: HttpCall = ctx.http(operation)) {
    return restClient(ctx, call, { baseUrl, headers: { authorization: `Bearer ${ctx.credential(resendApiKey)}` } });
}

type ResendClient = ReturnType<typeof resend>;

/** Every item of a Resend list, page by page (at most 100 a page; `after` is the last id seen). */
export async function listAll<T extends { id: string }>(api: ResendClient, path: string): Promise<T[]> {
    const all: T[] = [];
    for (let after: string | undefined; ; ) {
        const page = await api.get<{ data: T[]; has_more?: boolean }>(path, { limit: 100, after });
        if (!page) return all;
        all.push(...page.data);
        if (!page.has_more || page.data.length === 0) return all;
        after = page.data[page.data.length - 1].id;
    }
}

/** Resend refused because the object exists (a domain already registered). */
export function isAlreadyThere(err: unknown): boolean {
    const e = err as { status?: number; apiMessage?: string };
    return (e.status === 403 || e.status === 409 || e.status === 422) && /already/i.test(e.apiMessage ?? "");
}
