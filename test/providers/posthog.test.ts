/** PostHog's project and feature flags through their providers against the emulator: what the scenario tiers do not reach. */
import { describe, expect, it } from "vitest";
import { featureFlagDefinition } from "../../dynamic-providers/posthog/feature-flag";
import { posthogProjectDefinition } from "../../dynamic-providers/posthog/project";
import { PosthogEmulator } from "../../sandbox/emulators/posthog";
import { startNewRun } from "../../dynamic-providers/core/once";
import { POSTHOG_ORGANIZATION } from "../scenarios/posthog";
import { useEmulator } from "./emulator-suite";
import { configuredProvider, lifecycle, type ProviderUnderTest } from "./harness";

const ORG = POSTHOG_ORGANIZATION;
const KEY = "phx_providerTestPersonalKey0123456789abcdefghij";
const FLAGS_ONLY = "phx_providerTestFlagsReadOnly0123456789abcdefgh";
const FREE_ORG = "0190ffff-aaaa-7000-8000-00000000f4ee";
const emulator = new PosthogEmulator({ singleProjectOrganizations: [FREE_ORG], keys: [{ value: KEY, scopes: ["project:write", "feature_flag:write"], organizations: [ORG, FREE_ORG] }, { value: FLAGS_ONLY, scopes: ["feature_flag:read", "project:read"], organizations: [ORG] }] });
const p = {} as Record<"project" | "flag", ProviderUnderTest>;
const served = useEmulator(emulator, async () => {
    p.project = await configuredProvider(posthogProjectDefinition, { posthogPersonalKey: KEY });
    p.flag = await configuredProvider(featureFlagDefinition, { posthogPersonalKey: KEY });
});
const { make } = lifecycle(p, () => ({ baseUrl: served.url() }));

describe("PostHog", () => {
    it("a project outputs its project key; destroy leaves it pending deletion, and a second delete is done", async () => {
        const { id, outs } = await make("project", { organizationId: ORG, name: "acme-dev-posthog" });
        expect(outs.apiToken).toMatch(/^phc_/);
        expect(outs.apiToken).toBe(emulator.projects.get(Number(id))!.api_token);
        await p.project.provider.delete(id, outs);
        expect(emulator.projects.get(Number(id))!.is_pending_deletion).toBe(true);
        await p.project.provider.delete(id, outs);
        expect((await p.project.provider.read(id, outs)).id).toBe("");
    });

    it("on a plan with one project per organization, says so and how to take the one there is", async () => {
        await make("project", { organizationId: FREE_ORG, name: "Default project" });
        startNewRun();
        await expect(p.project.provider.create({ baseUrl: served.url(), organizationId: FREE_ORG, name: "acme-dev-posthog" })).rejects.toThrow(
            "PostHog refused a new project: You have reached the maximum limit of allowed projects for your current plan. Upgrade your plan to be able to create and manage more projects. To use the organization's project instead, set posthog.project.adopt to its id and posthog.project.name to its name",
        );
    });

    it("made again right after a destroy, it makes a new project rather than taking the one being deleted; an upper-case organization id is the same organization", async () => {
        const first = await make("project", { organizationId: ORG.toUpperCase(), name: "acme-pr-9-posthog" });
        expect(first.inputs.organizationId).toBe(ORG);
        await p.project.provider.delete(first.id, first.outs);
        startNewRun();
        const again = await p.project.provider.create(first.inputs);
        expect(again.id).not.toBe(first.id);
        expect(emulator.projects.get(Number(again.id))!.is_pending_deletion).toBe(false);
        const read = await p.project.provider.read(again.id, again.outs);
        expect((await p.project.provider.diff(again.id, read.props!, first.inputs)).changes).toBe(false);
    });

    it("a rename onto a name the organization has is refused as PostHog refuses it (409), and nothing changes", async () => {
        await make("project", { organizationId: ORG, name: "Mobile analytics" });
        const ours = await make("project", { organizationId: ORG, name: "acme-dev-posthog" });
        await expect(p.project.provider.update(ours.id, ours.outs, { ...ours.inputs, name: "mobile ANALYTICS " })).rejects.toThrow('There is already a project called "mobile ANALYTICS" in this organization. Choose a different name. (status 409');
        expect(emulator.projects.get(Number(ours.id))!.name).toBe("acme-dev-posthog");
    });

    it("refuses a project of the same name that someone else made, naming adopt", async () => {
        const theirs = await make("project", { organizationId: ORG, name: "acme-dev-posthog" });
        emulator.projects.get(Number(theirs.id))!.created_at = "2020-01-01T00:00:00Z";
        startNewRun();
        await expect(p.project.provider.create({ baseUrl: served.url(), organizationId: ORG, name: "ACME-dev-posthog" })).rejects.toThrow(/already exists|There is already a project/);
        await expect(p.project.provider.create({ baseUrl: served.url(), organizationId: ORG, name: "acme-dev-posthog" })).rejects.toThrow(`already exists in the organization and this stack did not make it: adopt it (adopt: "${theirs.id}")`);
    });

    it("a flag rolls out as configured, asks for no usage dashboard, changes in place and is marked deleted on destroy, freeing its key", async () => {
        const project = await make("project", { organizationId: ORG, name: "acme-dev-posthog" });
        const { id, outs, inputs } = await make("flag", { projectId: Number(project.id), key: "new-checkout", description: "New checkout", rolloutPercentage: 25 });
        expect(emulator.flags.get(Number(id))).toMatchObject({ key: "new-checkout", name: "New checkout", active: true, filters: { groups: [{ properties: [], rollout_percentage: 25 }] } });
        expect(emulator.usageDashboards).toEqual([]);
        expect((await p.flag.provider.diff(id, outs, { ...inputs, key: "checkout-v2" })).replaces).toEqual(["key"]);
        // A condition added in PostHog by hand survives the stack's update.
        const byHand = { properties: [{ key: "email", value: "@acme.test", operator: "icontains", type: "person" }], rollout_percentage: 100 };
        (emulator.flags.get(Number(id))!.filters as { groups: unknown[] }).groups.push(byHand);
        await p.flag.provider.update(id, outs, { ...inputs, rolloutPercentage: 100, active: false });
        expect((emulator.flags.get(Number(id))!.filters as { groups: unknown[] }).groups).toEqual([{ properties: [], rollout_percentage: 100 }, byHand]);
        const read = await p.flag.provider.read(id, outs);
        expect(read.props).toMatchObject({ rolloutPercentage: 100, active: false });
        await p.flag.provider.delete(id, read.props!);
        expect(emulator.flags.get(Number(id))!.deleted).toBe(true);
        expect((await p.flag.provider.read(id, read.props!)).id).toBe("");
        // The key is free again: the next stack's flag of that key is made.
        startNewRun();
        const again = await p.flag.provider.create(inputs);
        expect(again.id).not.toBe(id);
    });

    it("refuses a flag key another flag holds, naming it and adopt; a key PostHog refuses is said as PostHog says it", async () => {
        const project = await make("project", { organizationId: ORG, name: "acme-dev-posthog" });
        const theirs = await make("flag", { projectId: Number(project.id), key: "beta" });
        emulator.flags.get(Number(theirs.id))!.created_at = "2020-01-01T00:00:00Z";
        startNewRun();
        await expect(p.flag.provider.create({ ...theirs.inputs })).rejects.toThrow(`feature flag "beta" (${theirs.id}) already exists in PostHog project ${project.id} and this stack did not make it: adopt it`);
        const check = await p.flag.provider.check({}, { baseUrl: served.url(), projectId: Number(project.id), key: "beta flag" });
        expect(check.failures?.map((f) => f.reason).join()).toMatch(/letters, digits, - and _ only/);
    });

    it("a key without feature_flag:write is refused with PostHog's words, naming the scope", async () => {
        const project = await make("project", { organizationId: ORG, name: "acme-dev-posthog" });
        const readOnly = await configuredProvider(featureFlagDefinition, { posthogPersonalKey: FLAGS_ONLY });
        await expect(readOnly.provider.create({ baseUrl: served.url(), projectId: Number(project.id), key: "x", description: "", rolloutPercentage: 100, active: true })).rejects.toThrow("API key missing required scope 'feature_flag:write'");
    });
});
