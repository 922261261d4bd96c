/**
 * Appwrite's wires. Stripe → Appwrite: a Stripe webhook endpoint at the function's domain, and
 * the function (functions/appwrite/stripe-events) with the Stripe key and the endpoint's signing
 * secret as variables, storing each event once in a collection. Appwrite → Resend: Messaging's
 * Resend provider with a sending-only key restricted to the sender's domain.
 */
import * as pulumi from "@pulumi/pulumi";
import { OWNER_METADATA_KEY } from "../../dynamic-providers/core/ownership";
import { AppwriteFunction, type AppwriteFunctionArgs } from "../../dynamic-providers/appwrite/function";
import { AppwriteResendProvider, type AppwriteResendProviderArgs } from "../../dynamic-providers/appwrite/messaging";
import { ResendApiKey, type ResendApiKeyArgs } from "../../dynamic-providers/resend/api-key";
import type { KeyMode } from "../../dynamic-providers/stripe/schema";
import { StripeWebhookEndpoint, type StripeWebhookEndpointArgs } from "../../dynamic-providers/stripe/webhook-endpoint";
import { transformed, type Transform } from "../component";

export const APPWRITE_WIRES_TYPE = "stackwire:wires:Appwrite";

export interface AppwriteWiresArgs {
    endpoint: string;
    projectId: string;
    /** Stripe events to an Appwrite Function. */
    stripeEvents?: {
        functionId: string;
        domain: string;
        code: Record<string, string>;
        entrypoint: string;
        events: string[];
        databaseId: pulumi.Input<string>;
        collectionId: pulumi.Input<string>;
        stripe: { apiBase?: string; keyModes?: KeyMode[]; owner?: string };
    };
    /** Appwrite Messaging sends through Resend. */
    messaging?: { providerId: string; from: string; fromName?: string; resend: { baseUrl?: string; keyName: string; domainId: pulumi.Input<string> } };
    transform?: {
        function?: Transform<AppwriteFunctionArgs>;
        stripeEndpoint?: Transform<StripeWebhookEndpointArgs>;
        sendingKey?: Transform<ResendApiKeyArgs>;
        provider?: Transform<AppwriteResendProviderArgs>;
    };
}

export class AppwriteWires extends pulumi.ComponentResource {
    /** The function's URL, where Stripe posts events. */
    public readonly functionUrl?: pulumi.Output<string>;

    constructor(name: string, args: AppwriteWiresArgs, opts?: pulumi.ComponentResourceOptions) {
        super(APPWRITE_WIRES_TYPE, name, {}, opts);
        const t = args.transform ?? {};
        const child = { parent: this };
        const connection = { endpoint: args.endpoint, projectId: args.projectId };

        if (args.stripeEvents) {
            const s = args.stripeEvents;
            // The domain is known before the function exists: the endpoint comes first, and its secret goes into the function.
            const endpointArgs: StripeWebhookEndpointArgs = {
                ...(s.stripe.apiBase ? { apiBase: s.stripe.apiBase } : {}),
                ...(s.stripe.keyModes ? { keyModes: s.stripe.keyModes } : {}),
                url: `https://${s.domain}/`,
                enabledEvents: s.events,
                description: "stackwire: Stripe → Appwrite",
                ...(s.stripe.owner ? { metadata: { [OWNER_METADATA_KEY]: s.stripe.owner } } : {}),
            };
            const endpoint = new StripeWebhookEndpoint(...transformed(t.stripeEndpoint, `${name}-stripe`, endpointArgs, child));
            const functionArgs: AppwriteFunctionArgs = {
                ...connection,
                functionId: s.functionId,
                name: "stackwire Stripe events",
                runtime: "node-22",
                entrypoint: s.entrypoint,
                commands: "npm install --omit=dev",
                code: s.code,
                // Appwrite limits the execution's key to these: the function writes documents, nothing else.
                scopes: ["documents.write"],
                domain: s.domain,
                variables: pulumi.secret(
                    // The signing secret verifies deliveries; the account's API key is not needed and stays out.
                    pulumi.output({ STRIPE_WEBHOOK_SECRET: endpoint.secret, APPWRITE_DATABASE_ID: s.databaseId, APPWRITE_COLLECTION_ID: s.collectionId }),
                ) as AppwriteFunctionArgs["variables"],
            };
            this.functionUrl = new AppwriteFunction(...transformed(t.function, `${name}-function`, functionArgs, child)).url;
        }

        if (args.messaging) {
            const m = args.messaging;
            const keyArgs: ResendApiKeyArgs = { ...(m.resend.baseUrl ? { baseUrl: m.resend.baseUrl } : {}), name: m.resend.keyName, permission: "sending_access", domainId: m.resend.domainId };
            const key = new ResendApiKey(...transformed(t.sendingKey, `${name}-sending-key`, keyArgs, child));
            const providerArgs: AppwriteResendProviderArgs = { ...connection, providerId: m.providerId, name: "Resend", apiKey: key.token, fromEmail: m.from, ...(m.fromName ? { fromName: m.fromName } : {}) };
            new AppwriteResendProvider(...transformed(t.provider, `${name}-resend`, providerArgs, child));
        }
        this.registerOutputs({ functionUrl: this.functionUrl });
    }
}
