/** Agora's project through its provider against the Console REST API emulator: what the scenario tiers do not reach. */
import { describe, expect, it } from "vitest";
import { agoraProjectDefinition } from "../../dynamic-providers/agora/project";
import { AgoraEmulator } from "../../sandbox/emulators/agora";
import { startNewRun } from "../../dynamic-providers/core/once";
import { useEmulator } from "./emulator-suite";
import { configuredProvider, lifecycle, type ProviderUnderTest } from "./harness";

const ours = { customerId: "1c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f", customerSecret: "6f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c" };
const emulator = new AgoraEmulator({ accounts: { ours }, projectQuota: 3 });
const p = {} as Record<"project", ProviderUnderTest>;
const served = useEmulator(emulator, async () => {
    p.project = await configuredProvider(agoraProjectDefinition, { agoraCustomerId: ours.customerId, agoraCustomerSecret: ours.customerSecret });
});
const { make } = lifecycle(p, () => ({ baseUrl: served.url() }));

/** A project made in the console by hand, as the account's owner would. */
async function madeByHand(name: string): Promise<string> {
    const answer = await fetch(`${served.url()}/dev/v1/project`, {
        method: "POST",
        headers: { authorization: `Basic ${Buffer.from(`${ours.customerId}:${ours.customerSecret}`).toString("base64")}`, "content-type": "application/json" },
        body: JSON.stringify({ name, enable_sign_key: true }),
    });
    const { project } = (await answer.json()) as { project: { id: string } };
    // Made long ago: outside the window in which a project of our name could be our own lost create.
    emulator.projects.get(project.id)!.created -= 3600;
    return project.id;
}

describe("Agora project", () => {
    it("outputs the App ID and certificate, turns the certificate off and on in place, and is disabled on destroy", async () => {
        const { id, outs, inputs } = await make("project", { name: "acme-dev-agora" });
        expect(outs.appId).toMatch(/^[0-9a-f]{32}$/);
        expect(outs.appCertificate).toMatch(/^[0-9a-f]{32}$/);
        expect(outs.appCertificate).toBe(emulator.projects.get(id)!.sign_key);
        expect((await p.project.provider.diff(id, outs, { ...inputs, name: "acme-dev-agora-2" })).replaces).toEqual(["name"]);
        const off = await p.project.provider.update!(id, outs, { ...inputs, certificate: false });
        expect(off.outs).toMatchObject({ certificate: false, appCertificate: "", appId: outs.appId });
        expect(emulator.projects.get(id)!.sign_key).toBe("");
        const on = await p.project.provider.update!(id, off.outs, { ...inputs, certificate: true });
        expect(on.outs.appCertificate).toMatch(/^[0-9a-f]{32}$/);
        expect(on.outs.appCertificate).not.toBe(outs.appCertificate);
        await p.project.provider.delete(id, on.outs);
        expect(emulator.projects.get(id)!.status).toBe(0);
        expect((await p.project.provider.read!(id, on.outs)).id).toBe("");
    });

    it.each([true, false])("made again after a destroy, it takes back its disabled project with a certificate the old stack never had (disabled names taken: %s)", async (taken) => {
        const account = new AgoraEmulator({ accounts: { ours }, disabledNamesTaken: taken });
        const url = await account.start();
        try {
            const first = await make("project", { name: "acme-pr-12-agora", baseUrl: url });
            await p.project.provider.delete(first.id, first.outs);
            startNewRun();
            const again = await p.project.provider.create({ ...first.inputs });
            expect(again.id).toBe(first.id);
            expect(account.projects.get(first.id)!.status).toBe(1);
            expect(again.outs.appId).toBe(first.outs.appId);
            expect(again.outs.appCertificate).toMatch(/^[0-9a-f]{32}$/);
            expect(again.outs.appCertificate).not.toBe(first.outs.appCertificate);
            expect([...account.projects.values()]).toHaveLength(1);
        } finally {
            await account.stop();
        }
    });

    it("refuses a project of the same name that someone else made, naming it and adopt, and changes nothing", async () => {
        const theirs = await madeByHand("acme-dev-agora");
        const before = JSON.stringify([...emulator.projects.values()]);
        await expect(p.project.provider.create({ baseUrl: served.url(), name: "acme-dev-agora", certificate: true })).rejects.toThrow(new RegExp(`already exists in the account and this stack did not make it: adopt it \\(adopt: "${theirs}"\\)`));
        expect(JSON.stringify([...emulator.projects.values()])).toBe(before);
    });

    it("a full account is refused with Agora's reason, not mistaken for a taken name", async () => {
        for (const name of ["a", "b", "c"]) await madeByHand(name);
        await expect(p.project.provider.create({ baseUrl: served.url(), name: "acme-dev-agora", certificate: true })).rejects.toThrow(/exceeds the maximum limit/);
    });

    it("a wrong URL, whose project list is not there, is an error naming the setting, never a project gone", async () => {
        const { id, outs } = await make("project", { name: "acme-dev-agora" });
        const elsewhere = { ...outs, baseUrl: `${served.url()}/not-agora` };
        await expect(p.project.provider.read(id, elsewhere)).rejects.toThrow("check agora.baseUrl");
        await expect(p.project.provider.delete(id, elsewhere)).rejects.toThrow("check agora.baseUrl");
        expect(emulator.projects.get(id)!.status).toBe(1);
    });

    it("without a certificate asked for, none is made, and the output says so", async () => {
        const { id, outs } = await make("project", { name: "acme-dev-open", certificate: false });
        expect(outs.appCertificate).toBe("");
        expect(emulator.projects.get(id)!.sign_key).toBe("");
    });
});
