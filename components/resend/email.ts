/**
 * Resend for the platform: sending domains (with the DNS records to publish as an output),
 * API keys for the services that send (Stripe receipts, auth emails, alerts), and webhooks.
 */
import * as pulumi from "@pulumi/pulumi";
import { ResendApiKey, type ResendApiKeyArgs } from "../../dynamic-providers/resend/api-key";
import { ResendDomain, type DnsRecord, type ResendDomainArgs } from "../../dynamic-providers/resend/domain";
import { ResendWebhook, type ResendWebhookArgs } from "../../dynamic-providers/resend/webhook";
import { adoptable, transformed, type Adoptable, type Transform } from "../component";

export const RESEND_EMAIL_TYPE = "stackwire:resend:Email";

export interface EmailApiKey {
    /** The key's name in Resend. */
    name: string;
    /** @default "sending_access" */
    permission?: "full_access" | "sending_access";
    /** A sending key restricted to this domain (a key of `domains`). */
    domain?: string;
}

export interface ResendEmailArgs {
    /** @default https://api.resend.com */
    baseUrl?: pulumi.Input<string>;
    /** Domains by name, with their region. */
    domains: Record<string, { region?: ResendDomainArgs["region"] } & Adoptable>;
    /** API keys by logical name. */
    apiKeys: Record<string, EmailApiKey>;
    /** Webhooks by logical name. */
    webhooks: Record<string, Omit<ResendWebhookArgs, "baseUrl"> & Adoptable>;
    transform?: { domain?: Transform<ResendDomainArgs>; apiKey?: Transform<ResendApiKeyArgs>; webhook?: Transform<ResendWebhookArgs> };
}

export class ResendEmail extends pulumi.ComponentResource {
    /** DNS records to publish, by domain. */
    public readonly dnsRecords: pulumi.Output<Record<string, DnsRecord[]>>;
    public readonly domainStatus: pulumi.Output<Record<string, string>>;
    /** Resend's id of each domain, by name: what a sending key is restricted to. */
    public readonly domainIds: Record<string, pulumi.Output<string>>;
    /** API key tokens by logical name; secret. */
    public readonly apiKeyTokens: pulumi.Output<Record<string, string>>;
    /** Webhook signing secrets by name; secret. */
    public readonly webhookSecrets: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: ResendEmailArgs, opts?: pulumi.ComponentResourceOptions) {
        super(RESEND_EMAIL_TYPE, name, {}, opts);
        const base = args.baseUrl ? { baseUrl: args.baseUrl } : {};
        const t = args.transform ?? {};
        const domains = Object.fromEntries(
            Object.entries(args.domains).map(([domain, spec]) => {
                const [d, adoption] = adoptable(spec);
                return [domain, new ResendDomain(...transformed(t.domain, `${name}-domain-${domain}`, { ...base, name: domain, region: d.region, ...(d.adopt ? { adopt: d.adopt } : {}) }, { parent: this, ...adoption }))];
            }),
        );
        const keys = Object.entries(args.apiKeys).map(([key, k]) => {
            const domain = k.domain ? domains[k.domain] : undefined;
            const keyArgs: ResendApiKeyArgs = { ...base, name: k.name, permission: k.permission ?? "sending_access", ...(domain ? { domainId: domain.id } : {}) };
            return [key, new ResendApiKey(...transformed(t.apiKey, `${name}-key-${key}`, keyArgs, { parent: this })).token] as const;
        });
        const hooks = Object.entries(args.webhooks).map(([hook, spec]) => {
            const [w, adoption] = adoptable(spec);
            return [hook, new ResendWebhook(...transformed(t.webhook, `${name}-webhook-${hook}`, { ...base, ...w }, { parent: this, ...adoption })).signingSecret] as const;
        });
        this.dnsRecords = pulumi.output(Object.fromEntries(Object.entries(domains).map(([d, r]) => [d, r.records])));
        this.domainIds = Object.fromEntries(Object.entries(domains).map(([d, r]) => [d, r.id]));
        this.domainStatus = pulumi.output(Object.fromEntries(Object.entries(domains).map(([d, r]) => [d, r.status])));
        this.apiKeyTokens = pulumi.secret(pulumi.output(Object.fromEntries(keys)));
        this.webhookSecrets = pulumi.secret(pulumi.output(Object.fromEntries(hooks)));
        this.registerOutputs({ dnsRecords: this.dnsRecords, domainStatus: this.domainStatus, apiKeyTokens: this.apiKeyTokens, webhookSecrets: this.webhookSecrets });
    }
}
