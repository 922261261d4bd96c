/**
 * Resend domains, API keys and webhooks on the REST API. A domain outputs the DNS records to
 * publish and its verification status (a domain verified out of band shows on refresh). An API
 * key's token and a webhook's signing secret exist only in the creation response: they become
 * secret outputs that survive refresh and update.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { httpUrl } from "../core/validation";
import type { CredentialSpec } from "../core/credentials";
import { dynamicProvider, type OperationContext, type ResourceDefinition } from "../core/provider";
import { baseUrlSchema, restClient } from "../core/rest";

export const resendApiKey: CredentialSpec = { configKey: "resendApiKey", envVars: ["RESEND_API_KEY"], label: "Resend API key (full access)" };
export const RESEND_BASE_URL = "https://api.resend.com";
export const RESEND_REGIONS = ["us-east-1", "eu-west-1", "sa-east-1", "ap-northeast-1"] as const;
export const RESEND_WEBHOOK_EVENTS = [
    "email.sent", "email.delivered", "email.delivery_delayed", "email.complained", "email.bounced", "email.opened", "email.clicked",
    "email.received", "email.failed", "contact.created", "contact.updated", "contact.deleted", "domain.created", "domain.updated", "domain.deleted",
] as const;

function resend(ctx: OperationContext, baseUrl: string, operation: string) {
    return restClient(ctx, ctx.http(operation), { baseUrl, headers: { authorization: `Bearer ${ctx.credential(resendApiKey)}` } });
}

const baseUrl = () => baseUrlSchema(RESEND_BASE_URL);

export function domainInputSchema() {
    return z.object({
        baseUrl: baseUrl(),
        name: z.string().toLowerCase().regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "must be a domain name such as mail.example.com"),
        region: z.enum(RESEND_REGIONS).default("us-east-1"),
    });
}
export type DomainInputs = z.output<ReturnType<typeof domainInputSchema>>;
export interface DnsRecord {
    record: string;
    name: string;
    type: string;
    value: string;
    ttl: string;
    priority?: number;
}
export interface DomainState extends DomainInputs {
    status: string;
    records: DnsRecord[];
}
interface ApiDomain {
    id: string;
    name: string;
    region: DomainInputs["region"];
    status: string;
    records: (DnsRecord & { status?: string })[];
}
const records = (d: ApiDomain): DnsRecord[] => d.records.map(({ record, name, type, value, ttl, priority }) => ({ record, name, type, value, ttl, ...(priority !== undefined ? { priority } : {}) }));

export const domainDefinition: ResourceDefinition<DomainInputs, DomainState> = {
    service: "resend",
    schema: domainInputSchema,
    replaceOnChanges: ["baseUrl", "name", "region"],
    deleteBeforeReplace: true,
    async create(ctx, i) {
        const d = await resend(ctx, i.baseUrl, `add domain ${i.name}`).post<ApiDomain>("/domains", { name: i.name, region: i.region });
        return { id: d.id, outs: { ...i, status: d.status, records: records(d) } };
    },
    async read(ctx, id, state) {
        const d = await resend(ctx, state.baseUrl, `read domain ${id}`).get<ApiDomain>(`/domains/${id}`);
        return d && { ...state, status: d.status, records: records(d) };
    },
    async update(_ctx, _id, olds, news) {
        return { ...news, status: olds.status, records: olds.records };
    },
    async delete(ctx, id, state) {
        await resend(ctx, state.baseUrl, `remove domain ${id}`).remove(`/domains/${id}`);
    },
};

export function apiKeyInputSchema() {
    return z.object({
        baseUrl: baseUrl(),
        name: z.string().min(1).max(50, "must be at most 50 characters"),
        permission: z.enum(["full_access", "sending_access"]).default("sending_access"),
        domainId: z.string().min(1).nullable().default(null),
    }).superRefine((k, ctx) => {
        if (k.domainId !== null && k.permission !== "sending_access") ctx.addIssue({ code: "custom", path: ["domainId"], message: "applies only to sending_access keys" });
    });
}
export type ApiKeyInputs = z.output<ReturnType<typeof apiKeyInputSchema>>;
export interface ApiKeyState extends ApiKeyInputs {
    token: string;
}

export const apiKeyDefinition: ResourceDefinition<ApiKeyInputs, ApiKeyState> = {
    service: "resend",
    schema: apiKeyInputSchema as unknown as () => z.ZodObject,
    // Resend cannot change a key: any change issues a new one (created first, so sending never stops).
    replaceOnChanges: ["baseUrl", "name", "permission", "domainId"],
    deleteBeforeReplace: false,
    async create(ctx, i) {
        const k = await resend(ctx, i.baseUrl, `create API key ${i.name}`).post<{ id: string; token: string }>("/api-keys", { name: i.name, permission: i.permission, ...(i.domainId ? { domain_id: i.domainId } : {}) });
        return { id: k.id, outs: { ...i, token: k.token } };
    },
    async read(ctx, id, state) {
        // There is no single-key route: the list tells whether it still exists. The token is never shown again.
        const list = await resend(ctx, state.baseUrl, `list API keys`).get<{ data: { id: string; name: string }[] }>("/api-keys");
        const found = list?.data.find((k) => k.id === id);
        return found && { ...state, name: found.name };
    },
    async update(_ctx, _id, olds, news) {
        return { ...news, token: olds.token };
    },
    async delete(ctx, id, state) {
        await resend(ctx, state.baseUrl, `remove API key ${id}`).remove(`/api-keys/${id}`);
    },
};

export function resendWebhookInputSchema() {
    return z.object({
        baseUrl: baseUrl(),
        endpoint: httpUrl("must be the http(s) URL Resend will call"),
        events: z.array(z.enum(RESEND_WEBHOOK_EVENTS, { error: `must be one of ${RESEND_WEBHOOK_EVENTS.join(", ")}` })).min(1).transform((e) => [...new Set(e)].sort()),
        enabled: z.boolean().default(true),
    });
}
export type ResendWebhookInputs = z.output<ReturnType<typeof resendWebhookInputSchema>>;
export interface ResendWebhookState extends ResendWebhookInputs {
    signingSecret: string;
}
interface ApiWebhook {
    id: string;
    endpoint: string;
    events: string[];
    status: "enabled" | "disabled";
}

export const resendWebhookDefinition: ResourceDefinition<ResendWebhookInputs, ResendWebhookState> = {
    service: "resend",
    schema: resendWebhookInputSchema,
    replaceOnChanges: ["baseUrl"],
    deleteBeforeReplace: false,
    async create(ctx, i) {
        const api = resend(ctx, i.baseUrl, `create webhook for ${i.endpoint}`);
        const w = await api.post<{ id: string; signing_secret: string }>("/webhooks", { endpoint: i.endpoint, events: i.events });
        if (!i.enabled) await api.patch(`/webhooks/${w.id}`, { status: "disabled" });
        return { id: w.id, outs: { ...i, signingSecret: w.signing_secret } };
    },
    async read(ctx, id, state) {
        const w = await resend(ctx, state.baseUrl, `read webhook ${id}`).get<ApiWebhook>(`/webhooks/${id}`);
        return w && { ...state, endpoint: w.endpoint, events: [...w.events].sort() as ResendWebhookInputs["events"], enabled: w.status === "enabled" };
    },
    async update(ctx, id, olds, news) {
        await resend(ctx, news.baseUrl, `update webhook ${id}`).patch(`/webhooks/${id}`, { endpoint: news.endpoint, events: news.events, status: news.enabled ? "enabled" : "disabled" });
        return { ...news, signingSecret: olds.signingSecret };
    },
    async delete(ctx, id, state) {
        await resend(ctx, state.baseUrl, `remove webhook ${id}`).remove(`/webhooks/${id}`);
    },
};

export const domainProvider = dynamicProvider(domainDefinition);
export const apiKeyProvider = dynamicProvider(apiKeyDefinition);
export const resendWebhookProvider = dynamicProvider(resendWebhookDefinition);

export class ResendDomain extends pulumi.dynamic.Resource {
    declare readonly status: pulumi.Output<string>;
    /** The DNS records to publish (SPF, DKIM, MX). */
    declare readonly records: pulumi.Output<DnsRecord[]>;
    constructor(name: string, args: { name: pulumi.Input<string>; region?: pulumi.Input<string>; baseUrl?: pulumi.Input<string> }, opts?: pulumi.CustomResourceOptions) {
        super(domainProvider, name, { status: undefined, records: undefined, ...args }, opts, "resend", "Domain");
    }
}

export class ResendApiKey extends pulumi.dynamic.Resource {
    /** The key (re_…), shown by Resend only at creation; secret. */
    declare readonly token: pulumi.Output<string>;
    constructor(name: string, args: { name: pulumi.Input<string>; permission?: pulumi.Input<"full_access" | "sending_access">; domainId?: pulumi.Input<string>; baseUrl?: pulumi.Input<string> }, opts?: pulumi.CustomResourceOptions) {
        super(apiKeyProvider, name, { token: undefined, ...args }, pulumi.mergeOptions(opts, { additionalSecretOutputs: ["token"] }), "resend", "ApiKey");
    }
}

export class ResendWebhook extends pulumi.dynamic.Resource {
    /** Svix signing secret (whsec_…), shown by Resend only at creation; secret. */
    declare readonly signingSecret: pulumi.Output<string>;
    constructor(name: string, args: { endpoint: pulumi.Input<string>; events: pulumi.Input<pulumi.Input<string>[]>; enabled?: pulumi.Input<boolean>; baseUrl?: pulumi.Input<string> }, opts?: pulumi.CustomResourceOptions) {
        super(resendWebhookProvider, name, { signingSecret: undefined, ...args }, pulumi.mergeOptions(opts, { additionalSecretOutputs: ["signingSecret"] }), "resend", "Webhook");
    }
}
