/** Resend: sending domains, API keys and webhooks. */
import { z } from "zod";
import { ResendEmail, type ResendEmailArgs } from "../../components/resend/email";
import { httpUrl } from "../../dynamic-providers/core/validation";
import { resendApiKey } from "../../dynamic-providers/resend/client";
import { DOMAIN_NAME_PATTERN, RESEND_REGIONS, resendWebhookInputSchema } from "../../dynamic-providers/resend/schema";
import { NAME_RULES, stackScopedName } from "../naming";
import { adoptionOf, adoptSetting, defineService, logicalName } from "../service";

const section = z
    .object({
        baseUrl: httpUrl().optional(),
        domains: z.record(z.string().refine((d) => DOMAIN_NAME_PATTERN.test(d.toLowerCase()), "must be a domain name such as mail.example.com"), z.object({ region: z.enum(RESEND_REGIONS).optional(), adopt: adoptSetting }).strict()).default({}),
        apiKeys: z.record(logicalName, z.object({ permission: z.enum(["full_access", "sending_access"]).default("sending_access"), domain: z.string().optional() }).strict()).default({}),
        webhooks: z.record(logicalName, resendWebhookInputSchema().pick({ endpoint: true, events: true, enabled: true }).extend({ adopt: adoptSetting }).strict()).default({}),
    })
    .strict();

export const resendService = defineService({
    key: "resend",
    section,
    secrets: [{ credential: resendApiKey }],

    plan(s, ctx): ResendEmailArgs {
        const apiKeys = Object.fromEntries(
            Object.entries(s.apiKeys).map(([key, k]) => {
                if (k.domain !== undefined && !(k.domain in s.domains)) ctx.problem(`resend.apiKeys.${key}.domain`, `names domain "${k.domain}", which resend.domains does not declare`);
                return [key, { ...k, name: ctx.name(`resend.apiKeys.${key}`, () => stackScopedName(ctx.env, key, NAME_RULES.resendApiKey)) }];
            }),
        );
        // One webhook per endpoint: Resend has no field to tell two apart after a lost create.
        const byEndpoint = new Map<string, string>();
        for (const [key, w] of Object.entries(s.webhooks)) {
            const holder = byEndpoint.get(w.endpoint);
            if (holder) ctx.problem(`resend.webhooks.${key}.endpoint`, `is already the endpoint of resend.webhooks.${holder}: list every event in one webhook`);
            else byEndpoint.set(w.endpoint, key);
        }
        const domains = Object.fromEntries(Object.entries(s.domains).map(([domain, { adopt, ...d }]) => [domain, { ...d, ...adoptionOf(adopt) }]));
        const webhooks = Object.fromEntries(Object.entries(s.webhooks).map(([key, { adopt, ...w }]) => [key, { ...w, ...adoptionOf(adopt) }]));
        return { ...(s.baseUrl ? { baseUrl: s.baseUrl } : {}), domains, apiKeys, webhooks };
    },

    build: (plan) => new ResendEmail("resend", plan),
    outputs: (email) => ({ resendDnsRecords: email.dnsRecords, resendApiKeyTokens: email.apiKeyTokens }),
});
