/** Shapes and rules of Resend objects, used by the stack config and by the providers' check. */
import { z } from "zod";
import { baseUrlSchema } from "../core/rest";
import { httpUrl } from "../core/validation";

export const RESEND_BASE_URL = "https://api.resend.com";
export const RESEND_REGIONS = ["us-east-1", "eu-west-1", "sa-east-1", "ap-northeast-1"] as const;
export const RESEND_WEBHOOK_EVENTS = [
    "email.sent", "email.delivered", "email.delivery_delayed", "email.complained", "email.bounced", "email.opened", "email.clicked",
    "email.received", "email.failed", "contact.created", "contact.updated", "contact.deleted", "domain.created", "domain.updated", "domain.deleted",
] as const;

const baseUrl = () => baseUrlSchema(RESEND_BASE_URL);

/** A domain name as Resend takes it: lower case, labels of letters, digits and inner hyphens. */
export const DOMAIN_NAME_PATTERN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
/** Resend's limit on an API key's name is 50; the last 10 hold the key's mark (see api-key.ts). */
export const API_KEY_NAME_MAX = 40;

export function domainInputSchema() {
    return z.object({
        baseUrl: baseUrl(),
        name: z.string().toLowerCase().regex(DOMAIN_NAME_PATTERN, "must be a domain name such as mail.example.com"),
        region: z.enum(RESEND_REGIONS).default("us-east-1"),
    });
}
export type DomainInputs = z.output<ReturnType<typeof domainInputSchema>>;
export function apiKeyInputSchema() {
    return z.object({
        baseUrl: baseUrl(),
        name: z.string().min(1).max(API_KEY_NAME_MAX, `must be at most ${API_KEY_NAME_MAX} characters`),
        permission: z.enum(["full_access", "sending_access"]).default("sending_access"),
        domainId: z.string().min(1).nullable().default(null),
        /** Set by the resource class: seeds the mark that tells this key's lost creates apart. */
        resourceUrn: z.string().min(1).optional(),
    }).superRefine((k, ctx) => {
        if (k.domainId !== null && k.permission !== "sending_access") ctx.addIssue({ code: "custom", path: ["domainId"], message: "applies only to sending_access keys" });
    });
}
export type ApiKeyInputs = z.output<ReturnType<typeof apiKeyInputSchema>>;
export function resendWebhookInputSchema() {
    return z.object({
        baseUrl: baseUrl(),
        endpoint: httpUrl("must be the http(s) URL Resend will call"),
        events: z.array(z.enum(RESEND_WEBHOOK_EVENTS, { error: `must be one of ${RESEND_WEBHOOK_EVENTS.join(", ")}` })).min(1).transform((e) => [...new Set(e)].sort()),
        enabled: z.boolean().default(true),
    });
}
export type ResendWebhookInputs = z.output<ReturnType<typeof resendWebhookInputSchema>>;
