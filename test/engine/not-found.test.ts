/**
 * Issue 16 through the real provider host: for every kind with a credential that may not see
 * the object, refresh and destroy fail and the object stays; an object deleted out of band
 * leaves the state. The stack config (good or blind credential) reaches the host as `pulumi up`
 * sends it, and the stored provider is the one `pulumi up` writes.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { allScenarios } from "../scenarios";
import type { KindScenario } from "../scenarios/scenario";
import { DynamicProviderHost } from "../../sandbox/engine/host";
import { asConfig, createThrough, RigHosts } from "./rig-hosts";

const scenarios = allScenarios({ realClock: true }).filter((s) => s.blind || s.removeOutOfBand || s.removeParentOutOfBand);
const rigHosts = new RigHosts([...new Set(scenarios.map((s) => s.rig))]);
const hostFor = (s: KindScenario) => rigHosts.hostFor(s.rig);

before(() => rigHosts.start());
/** Hosts configured with a credential that may not see the objects: another run of the stack, as each `pulumi up` starts one; one per credential set. */
const blindHosts = new Map<string, Promise<DynamicProviderHost>>();
function blindHostFor(credentials: Record<string, string>): Promise<DynamicProviderHost> {
    const key = JSON.stringify(credentials);
    if (!blindHosts.has(key)) {
        blindHosts.set(
            key,
            DynamicProviderHost.start().then(async (host) => {
                await host.configure(asConfig(credentials));
                return host;
            }),
        );
    }
    return blindHosts.get(key)!;
}
after(async () => {
    for (const host of await Promise.all(blindHosts.values())) await host.stop();
    await rigHosts.stop();
});

/** One object of the kind on a clean emulator, through a host configured with the rig's own credentials, with the state the engine keeps. */
async function createdThroughHost(s: KindScenario) {
    s.rig.emulator.reset();
    const made = await createThrough(hostFor(s), s, "not-found");
    return { urn: made.urn, id: made.id, state: made.outputs };
}

for (const s of scenarios) {
    describe(s.kind, () => {
        if (s.blind) {
            test("a credential that cannot see it: refresh and destroy fail, the object stays", async () => {
                const { urn, id, state } = await createdThroughHost(s);
                const blindHost = await blindHostFor(s.blind!.credentials);
                const settings = new RegExp(Object.keys(s.blind!.credentials).join("|"));
                await assert.rejects(blindHost.read(id, urn, state), settings);
                await assert.rejects(blindHost.delete(id, urn, state), settings);
                assert.ok(s.held().includes(id), `${s.kind} ${id} must still exist`);
            });
        }
        if (s.removeParentOutOfBand) {
            test("its parent deleted out of band: refresh drops it, destroy succeeds", async () => {
                const { urn, id, state } = await createdThroughHost(s);
                s.removeParentOutOfBand!(id);
                assert.equal((await hostFor(s).read(id, urn, state)).id, "");
                await hostFor(s).delete(id, urn, state);
            });
        }
        if (s.removeOutOfBand) {
            test("deleted out of band: refresh drops it, destroy succeeds", async () => {
                const { urn, id, state } = await createdThroughHost(s);
                s.removeOutOfBand!(id);
                assert.equal((await hostFor(s).read(id, urn, state)).id, "");
                await hostFor(s).delete(id, urn, state);
            });
        }
    });
}
