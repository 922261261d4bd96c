/** OpenAI's kinds against the OpenAI Admin API emulator. */
import { openaiProjectDefinition } from "../../dynamic-providers/openai/project";
import { rateLimitDefinition } from "../../dynamic-providers/openai/rate-limit";
import { serviceAccountDefinition } from "../../dynamic-providers/openai/service-account";
import { DEFAULT_RATE_LIMITS, OpenaiEmulator } from "../../sandbox/emulators/openai";
import { fakeCredential } from "../fake-credential";
import type { KindScenario, VendorRig } from "./scenario";

export function openaiScenarios(): KindScenario[] {
    const admin = fakeCredential("sk-admin-", "emulatorOrganizationOwnerKey0123");
    /** A project key: OpenAI knows it, and refuses it on admin routes (401, missing scope). */
    const projectKey = fakeCredential("sk-proj-", "emulatorProjectKey0123456789");
    const emulator = new OpenaiEmulator({ adminKeys: [admin], projectKeys: [projectKey] });
    const rig: VendorRig = { vendor: "openai", emulator, credentials: { openaiAdminKey: admin }, connection: () => ({ baseUrl: `${emulator.url}/v1` }) };
    const blind = { credentials: { openaiAdminKey: projectKey }, answers: "401 invalid_request_error: insufficient permissions, missing scope api.management.read" };
    /** A project for the service accounts, made on the emulator as the admin would. */
    const project = async () => {
        const answer = await fetch(`${emulator.url}/v1/organization/projects`, { method: "POST", headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" }, body: JSON.stringify({ name: "stackwire-dev-ai" }) });
        return ((await answer.json()) as { id: string }).id;
    };
    return [
        {
            kind: "openai:Project",
            rig,
            definition: openaiProjectDefinition,
            inputs: async () => ({ name: "stackwire-dev-app" }),
            change: { name: "stackwire-dev-app-renamed" },
            writes: { create: "POST /v1/organization/projects", update: "POST /v1/organization/projects/:project", delete: "POST /v1/organization/projects/:project/archive" },
            // Archived projects are not live: OpenAI never deletes one.
            held: () => [...emulator.projects.values()].filter((p) => p.status === "active").map((p) => p.id),
            archivedOnDelete: true,
            blind,
            removeOutOfBand: (id) => void emulator.projects.delete(id),
        },
        {
            kind: "openai:ServiceAccount",
            rig,
            definition: serviceAccountDefinition,
            inputs: async () => ({ projectId: await project(), name: "stackwire-dev-relay" }),
            change: { name: "stackwire-dev-relay-2" },
            writes: { create: "POST /v1/organization/projects/:project/service_accounts", update: "POST /v1/organization/projects/:project/service_accounts/:account", delete: "DELETE /v1/organization/projects/:project/service_accounts/:account" },
            held: () => [...emulator.projects.values()].flatMap((p) => [...p.accounts.keys()]),
            blind,
            removeOutOfBand: (id) => {
                for (const p of emulator.projects.values()) p.accounts.delete(id);
            },
            removeParentOutOfBand: (id) => {
                for (const p of emulator.projects.values()) if (p.accounts.has(id)) Object.assign(p, { status: "archived" }, { accounts: new Map() });
            },
            verify: (id, outs) => {
                if (emulator.issuedKeys.get(String(outs.apiKey))?.accountId !== id) throw new Error(`the API key in the outputs is not service account ${id}'s`);
            },
        },
        {
            kind: "openai:RateLimit",
            rig,
            definition: rateLimitDefinition,
            inputs: async () => ({ projectId: await project(), model: "gpt-4o-mini", maxRequestsPerMinute: 120, maxTokensPerMinute: 40000 }),
            change: { maxRequestsPerMinute: 60 },
            writes: { create: "POST /v1/organization/projects/:project/rate_limits/:rateLimit", update: "POST /v1/organization/projects/:project/rate_limits/:rateLimit", delete: "POST /v1/organization/projects/:project/rate_limits/:rateLimit" },
            // Rows are never deleted: one the stack holds is one whose limits differ from what the project started with.
            held: () =>
                [...emulator.projects.values()]
                    .filter((p) => p.status === "active")
                    .flatMap((p) => [...p.rateLimits.values()])
                    .filter((row) => Object.entries(DEFAULT_RATE_LIMITS.find((d) => d.model === row.model) ?? {}).some(([field, value]) => row[field] !== value))
                    .map((row) => String(row.id)),
            blind,
            removeParentOutOfBand: (id) => {
                for (const p of emulator.projects.values()) if (p.rateLimits.has(id)) Object.assign(p, { status: "archived" }, { accounts: new Map() });
            },
            verify: (id, outs) => {
                const row = [...emulator.projects.values()].find((p) => p.id === outs.projectId)?.rateLimits.get(id);
                if (row?.max_requests_per_1_minute !== outs.maxRequestsPerMinute) throw new Error(`rate limit ${id} holds ${String(row?.max_requests_per_1_minute)} requests a minute, the outputs ${String(outs.maxRequestsPerMinute)}`);
            },
        },
    ];
}
