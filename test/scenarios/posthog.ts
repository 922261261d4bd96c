/** PostHog's project and feature flag against the PostHog API emulator. */
import { featureFlagDefinition } from "../../dynamic-providers/posthog/feature-flag";
import { posthogProjectDefinition } from "../../dynamic-providers/posthog/project";
import { PosthogEmulator } from "../../sandbox/emulators/posthog";
import type { KindScenario, VendorRig } from "./scenario";

export const POSTHOG_ORGANIZATION = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";

export function posthogScenarios(): KindScenario[] {
    const key = "phx_emulatorPersonalKeyOfTheOrganizationOwner0123";
    /** Another organization's key: PostHog takes it, and answers 404 for this organization's projects. */
    const otherKey = "phx_emulatorPersonalKeyOfAnotherOrganization0123";
    const emulator = new PosthogEmulator({
        keys: [
            { value: key, scopes: ["project:write", "feature_flag:write"], organizations: [POSTHOG_ORGANIZATION] },
            { value: otherKey, scopes: ["project:write", "feature_flag:write"], organizations: ["0190ffff-0000-7000-8000-000000000000"] },
        ],
    });
    const rig: VendorRig = { vendor: "posthog", emulator, credentials: { posthogPersonalKey: key }, connection: () => ({ baseUrl: emulator.url }) };
    const blind = { credentials: { posthogPersonalKey: otherKey }, answers: "403 permission_denied for the project (not a member) and for the organization's project list" };
    /** A project for the flags, made on the emulator as the organization's owner would. */
    const project = async () => {
        const answer = await fetch(`${emulator.url}/api/organizations/${POSTHOG_ORGANIZATION}/projects/`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify({ name: `flags ${Math.random()}` }) });
        return ((await answer.json()) as { id: number }).id;
    };
    return [
        {
            kind: "posthog:Project",
            rig,
            definition: posthogProjectDefinition,
            inputs: async () => ({ organizationId: POSTHOG_ORGANIZATION, name: "acme-dev-posthog" }),
            change: { name: "acme-dev-posthog-renamed" },
            writes: { create: "POST /api/organizations/:organization/projects", update: "PATCH /api/projects/:project", delete: "DELETE /api/projects/:project" },
            held: () => [...emulator.projects.values()].filter((p) => !p.is_pending_deletion && p.name.startsWith("acme-")).map((p) => String(p.id)),
            archivedOnDelete: true,
            blind,
            removeOutOfBand: (id) => void emulator.projects.delete(Number(id)),
            verify: (id, outs) => {
                if (emulator.projects.get(Number(id))?.api_token !== outs.apiToken) throw new Error(`the project key in the outputs is not project ${id}'s`);
            },
        },
        {
            kind: "posthog:FeatureFlag",
            rig,
            definition: featureFlagDefinition,
            inputs: async () => ({ projectId: await project(), key: "new-checkout", description: "The new checkout", rolloutPercentage: 25 }),
            change: { rolloutPercentage: 50, active: false },
            writes: { create: "POST /api/projects/:project/feature_flags", update: "PATCH /api/projects/:project/feature_flags/:flag", delete: "PATCH /api/projects/:project/feature_flags/:flag" },
            held: () => [...emulator.flags.values()].filter((f) => !f.deleted).map((f) => String(f.id)),
            archivedOnDelete: true,
            blind,
            removeOutOfBand: (id) => void emulator.flags.delete(Number(id)),
            // Deleted in the app, and the deletion finished: the project and its flags are gone.
            removeParentOutOfBand: (id) => {
                const flag = emulator.flags.get(Number(id));
                if (flag) emulator.finishDeletion(flag.project);
            },
            verify: (id, outs) => {
                const f = emulator.flags.get(Number(id));
                const rollout = (f?.filters as { groups?: { rollout_percentage?: number }[] } | undefined)?.groups?.[0]?.rollout_percentage;
                if (rollout !== outs.rolloutPercentage || f?.active !== outs.active) throw new Error(`flag ${id} rolls out to ${String(rollout)}% (active ${String(f?.active)}), the outputs say ${String(outs.rolloutPercentage)}%`);
            },
        },
    ];
}
