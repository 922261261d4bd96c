/** Resend's kinds against the Resend emulator. */
import { apiKeyDefinition } from "../../dynamic-providers/resend/api-key";
import { domainDefinition } from "../../dynamic-providers/resend/domain";
import { resendWebhookDefinition } from "../../dynamic-providers/resend/webhook";
import { ResendEmulator } from "../../sandbox/emulators/resend";
import type { KindScenario, VendorRig } from "./scenario";

const KEY = "re_emulatorFullAccessKey0123456789";
/** A full-access key of another Resend team: Resend accepts it and answers it as if this team's objects did not exist. */
const OTHER_TEAM_KEY = "re_otherTeamFullAccessKey0123456789";

export function resendScenarios(): KindScenario[] {
    const emulator = new ResendEmulator({ apiKey: KEY, otherTeams: [OTHER_TEAM_KEY] });
    /** Everything in Resend belongs to a team; another team's key gets the 404 of an unknown id (sandbox/emulators/resend.ts). */
    const blind = (answers: string) => ({ credentials: { resendApiKey: OTHER_TEAM_KEY }, answers });
    const rig: VendorRig = { vendor: "resend", emulator, credentials: { resendApiKey: KEY }, connection: () => ({ baseUrl: emulator.url }) };
    return [
        {
            kind: "resend:Domain",
            rig,
            definition: domainDefinition,
            inputs: async () => ({ name: "mail.example.com", region: "eu-west-1", resourceUrn: "urn:pulumi:dev::stackwire::resend:Domain::mail" }),
            writes: { create: "POST /domains", delete: "DELETE /domains/:id" },
            held: () => [...emulator.domains.keys()],
            blind: blind('404 not_found "Domain not found", as for a domain that never existed'),
            removeOutOfBand: (id) => void emulator.domains.delete(id),
        },
        {
            kind: "resend:ApiKey",
            rig,
            definition: apiKeyDefinition,
            inputs: async () => ({ name: "stackwire-dev-receipts", permission: "full_access", resourceUrn: "urn:pulumi:dev::stackwire::resend:ApiKey::receipts" }),
            change: { name: "stackwire-dev-receipts-2" },
            writes: { create: "POST /api-keys", update: "PATCH /api-keys/:id", delete: "DELETE /api-keys/:id" },
            held: () => [...emulator.apiKeys.keys()],
            blind: blind('its own team\'s keys only in GET /api-keys, and 404 not_found "API key not found" to DELETE'),
            removeOutOfBand: (id) => void emulator.apiKeys.delete(id),
            verify: (id, outs) => {
                if (emulator.apiKeys.get(id)?.token !== outs.token) throw new Error(`the token in the outputs is not API key ${id}'s`);
            },
        },
        {
            kind: "resend:Webhook",
            rig,
            definition: resendWebhookDefinition,
            inputs: async () => ({ endpoint: "https://app.example/resend", events: ["email.bounced"], resourceUrn: "urn:pulumi:dev::stackwire::resend:Webhook::app" }),
            change: { events: ["email.bounced", "email.delivered"] },
            writes: { create: "POST /webhooks", update: "PATCH /webhooks/:id", delete: "DELETE /webhooks/:id" },
            held: () => [...emulator.webhooks.keys()],
            blind: blind('404 not_found "Webhook not found", as for a webhook that never existed'),
            removeOutOfBand: (id) => void emulator.webhooks.delete(id),
            verify: (id, outs) => {
                if (emulator.webhooks.get(id)?.signing_secret !== outs.signingSecret) throw new Error(`the signing secret in the outputs is not webhook ${id}'s`);
            },
        },
    ];
}
