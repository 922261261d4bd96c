/**
 * Resend for the platform: sending domains (with the DNS records to publish as an output),
 * API keys for the services that send (Stripe receipts, auth emails, alerts), and webhooks.
 */
import * as pulumi from "@pulumi/pulumi";
import { ResendApiKey, ResendDomain, ResendWebhook, type DnsRecord } from "../dynamic-providers/resend/resources";

export const RESEND_EMAIL_TYPE = "stackwire:resend:Email";

export interface ResendEmailArgs {
    baseUrl?: pulumi.Input<string>;
    domains: Record<string, { region?: string }>;
    /** Key name → permission and, for sending keys, the domain (a key of `domains`). */
    apiKeys: Record<string, { permission?: "full_access" | "sending_access"; domain?: string }>;
    webhooks: Record<string, { endpoint: pulumi.Input<string>; events: string[] }>;
    stack: string;
}

export class ResendEmail extends pulumi.ComponentResource {
    /** DNS records to publish, by domain. */
    public readonly dnsRecords: pulumi.Output<Record<string, DnsRecord[]>>;
    public readonly domainStatus: pulumi.Output<Record<string, string>>;
    /** API key tokens by name; secret. */
    public readonly apiKeyTokens: pulumi.Output<Record<string, string>>;
    /** Webhook signing secrets by name; secret. */
    public readonly webhookSecrets: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: ResendEmailArgs, opts?: pulumi.ComponentResourceOptions) {
        super(RESEND_EMAIL_TYPE, name, {}, opts);
        const base = args.baseUrl ? { baseUrl: args.baseUrl } : {};
        const domains = Object.fromEntries(Object.entries(args.domains).map(([domain, d]) => [domain, new ResendDomain(`${name}-domain-${domain}`, { ...base, name: domain, region: d.region }, { parent: this })]));
        const keys = Object.entries(args.apiKeys).map(([key, k]) => {
            const domain = k.domain ? domains[k.domain] : undefined;
            const resource = new ResendApiKey(`${name}-key-${key}`, { ...base, name: `${args.stack}-${key}`, permission: k.permission ?? "sending_access", ...(domain ? { domainId: domain.id } : {}) }, { parent: this });
            return [key, resource.token] as const;
        });
        const hooks = Object.entries(args.webhooks).map(([hook, w]) => [hook, new ResendWebhook(`${name}-webhook-${hook}`, { ...base, endpoint: w.endpoint, events: w.events }, { parent: this }).signingSecret] as const);
        this.dnsRecords = pulumi.output(Object.fromEntries(Object.entries(domains).map(([d, r]) => [d, r.records])));
        this.domainStatus = pulumi.output(Object.fromEntries(Object.entries(domains).map(([d, r]) => [d, r.status])));
        this.apiKeyTokens = pulumi.secret(pulumi.output(Object.fromEntries(keys)));
        this.webhookSecrets = pulumi.secret(pulumi.output(Object.fromEntries(hooks)));
        this.registerOutputs({ dnsRecords: this.dnsRecords, domainStatus: this.domainStatus, apiKeyTokens: this.apiKeyTokens, webhookSecrets: this.webhookSecrets });
    }
}
