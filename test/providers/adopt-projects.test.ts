/**
 * `npm run adopt` for the sections that hold one project (OpenAI, Agora, PostHog): the project a
 * team already runs is found and adopted, with PostHog's feature flags; a stack's own project is
 * never taken; several candidates wait for --match. Then the adopted settings, run through the
 * providers, read the objects with no write.
 */
import { describe, expect, it } from "vitest";
import { agoraProjectDefinition } from "../../dynamic-providers/agora/project";
import { posthogProjectDefinition } from "../../dynamic-providers/posthog/project";
import { AgoraEmulator } from "../../sandbox/emulators/agora";
import { OpenaiEmulator } from "../../sandbox/emulators/openai";
import { PosthogEmulator } from "../../sandbox/emulators/posthog";
import { discover } from "../../stacks/adopt";
import { environmentFor } from "../../stacks/environment";
import { fakeCredential } from "../fake-credential";
import { POSTHOG_ORGANIZATION } from "../scenarios/posthog";
import { useEmulator } from "./emulator-suite";
import { configuredProvider } from "./harness";

const ORG = POSTHOG_ORGANIZATION;
const credentials = {
    openaiAdminKey: fakeCredential("sk-admin-", "adoptProjectsOwnerKey0123"),
    agoraCustomerId: "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    agoraCustomerSecret: "f0e1d2c3b4a5968778695a4b3c2d1e0f",
    posthogPersonalKey: "phx_adoptProjectsPersonalKey0123456789abcdefgh",
};
const openai = new OpenaiEmulator({ adminKeys: [credentials.openaiAdminKey] });
const agora = new AgoraEmulator({ accounts: { team: { customerId: credentials.agoraCustomerId, customerSecret: credentials.agoraCustomerSecret } } });
const posthog = new PosthogEmulator({ keys: [{ value: credentials.posthogPersonalKey, scopes: ["project:write", "feature_flag:write"], organizations: [ORG] }] });
const emulators = [openai, agora, posthog];
const source = { get: (key: string) => (credentials as Record<string, string>)[key.replace(/^stackwire:/, "")] };
const env = environmentFor("stackwire", "dev");

useEmulator(emulators);

async function post(url: string, headers: Record<string, string>, body: unknown): Promise<Record<string, unknown>> {
    const answer = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
    return (await answer.json()) as Record<string, unknown>;
}
const agoraAuth = { authorization: `Basic ${Buffer.from(`${credentials.agoraCustomerId}:${credentials.agoraCustomerSecret}`).toString("base64")}` };
const posthogAuth = { authorization: `Bearer ${credentials.posthogPersonalKey}` };

describe("adopting a team's projects", () => {
    it("finds the one project of each platform, PostHog's flags with it, and leaves a stack's own projects alone", async () => {
        const ai = await post(`${openai.url}/v1/organization/projects`, { authorization: `Bearer ${credentials.openaiAdminKey}` }, { name: "Mobile app" });
        await post(`${openai.url}/v1/organization/projects`, { authorization: `Bearer ${credentials.openaiAdminKey}` }, { name: "stackwire-pr-4-openai" });
        const calls = (await post(`${agora.url}/dev/v1/project`, agoraAuth, { name: "Calls", enable_sign_key: true })).project as { id: string };
        const analytics = await post(`${posthog.url}/api/organizations/${ORG}/projects/`, posthogAuth, { name: "Mobile analytics" });
        const flag = await post(`${posthog.url}/api/projects/${String(analytics.id)}/feature_flags/`, posthogAuth, { key: "dark-mode", name: "Dark mode", active: false, filters: { groups: [{ properties: [], rollout_percentage: 30 }] } });

        const settings = { openai: { baseUrl: `${openai.url}/v1`, project: {}, keyRotation: 0, rateLimits: {} }, agora: { baseUrl: agora.url, project: { certificate: true } }, posthog: { baseUrl: posthog.url, organizationId: ORG, project: {}, featureFlags: {} } };
        const { sections, found } = await discover({ env, settings: settings as never, credentials: source });
        expect(sections).toEqual({
            openai: { project: { name: "Mobile app", adopt: ai.id } },
            agora: { project: { name: "Calls", certificate: true, adopt: calls.id } },
            posthog: { project: { name: "Mobile analytics", adopt: String(analytics.id) }, featureFlags: { "dark-mode": { description: "Dark mode", rolloutPercentage: 30, active: false, adopt: String(flag.id) } } },
        });
        expect(found.find((f) => f.name === "stackwire-pr-4-openai")?.placed).toBe("skipped: named like a stackwire stack's project");

        // The adopted settings read back through the providers: found as written, nothing sent.
        const writes = () => emulators.reduce((n, e) => n + e.writeCount(), 0);
        const before = writes();
        const agoraProvider = await configuredProvider(agoraProjectDefinition, credentials);
        const checkedAgora = await agoraProvider.provider.check({}, { baseUrl: agora.url, name: "Calls", certificate: true, adopt: calls.id });
        expect(checkedAgora.failures ?? []).toEqual([]);
        const adoptedAgora = await agoraProvider.provider.create(checkedAgora.inputs);
        expect(adoptedAgora.id).toBe(calls.id);
        const posthogProvider = await configuredProvider(posthogProjectDefinition, credentials);
        const checkedPosthog = await posthogProvider.provider.check({}, { baseUrl: posthog.url, organizationId: ORG, name: "Mobile analytics", adopt: String(analytics.id) });
        expect((await posthogProvider.provider.create(checkedPosthog.inputs)).id).toBe(String(analytics.id));
        expect(writes()).toBe(before);
    });

    it("a PostHog project the file adopts already: its flags are still read, the project not written twice", async () => {
        const analytics = await post(`${posthog.url}/api/organizations/${ORG}/projects/`, posthogAuth, { name: "Mobile analytics" });
        const flag = await post(`${posthog.url}/api/projects/${String(analytics.id)}/feature_flags/`, posthogAuth, { key: "beta", filters: { groups: [{ properties: [], rollout_percentage: 10 }] } });
        const settings = { posthog: { baseUrl: posthog.url, organizationId: ORG, project: { name: "Mobile analytics", adopt: { id: String(analytics.id), deleteWithStack: false } }, featureFlags: {} } };
        const { sections } = await discover({ env, settings: settings as never, credentials: source, alreadyAdopted: new Set([String(analytics.id)]) });
        expect(sections).toEqual({ posthog: { featureFlags: { beta: { rolloutPercentage: 10, adopt: String(flag.id) } } } });
    });

    it("with several projects to choose from, adopts none until --match picks one", async () => {
        for (const name of ["Staging calls", "Production calls"]) await post(`${agora.url}/dev/v1/project`, agoraAuth, { name, enable_sign_key: false });
        const settings = { agora: { baseUrl: agora.url, project: { certificate: true } } };
        const open = await discover({ env, settings: settings as never, credentials: source });
        expect(open.sections).toEqual({});
        expect(open.found.map((f) => f.placed)).toEqual(["skipped: one of 2 projects the stack could take: pick one with --match", "skipped: one of 2 projects the stack could take: pick one with --match"]);
        const picked = await discover({ env, settings: settings as never, credentials: source, match: /^Production/ });
        expect(picked.sections).toMatchObject({ agora: { project: { name: "Production calls", certificate: false } } });
    });
});
