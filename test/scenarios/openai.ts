/** OpenAI's kinds against the OpenAI Admin API emulator. */
import { openaiProjectDefinition } from "../../dynamic-providers/openai/project";
import { serviceAccountDefinition } from "../../dynamic-providers/openai/service-account";
import { OpenaiEmulator } from "../../sandbox/emulators/openai";
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
    ];
}
