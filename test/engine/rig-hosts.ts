/**
 * One provider host per vendor rig, configured with the rig's credentials as a `pulumi up`
 * configures it, with each rig's emulator running: what the engine-tier tests that drive the
 * kinds' scenarios (test/scenarios) share.
 */
import { CONFIG_NAMESPACE } from "../../dynamic-providers/core/credentials";
import { DynamicProviderHost, wireSecret } from "../../sandbox/engine/host";
import { storedProviderText } from "../../dynamic-providers/core/resource";
import type { KindScenario, VendorRig } from "../scenarios/scenario";

/** Stack config as the engine hands it to a provider host: namespaced, every credential a secret. */
export const asConfig = (credentials: Record<string, string>) => Object.fromEntries(Object.entries(credentials).map(([k, v]) => [`${CONFIG_NAMESPACE}:${k}`, wireSecret(v)]));

export class RigHosts {
    private readonly hosts = new Map<VendorRig, DynamicProviderHost>();

    constructor(private readonly rigs: VendorRig[]) {}

    async start(): Promise<void> {
        for (const rig of this.rigs) {
            await rig.emulator.start();
            const host = await DynamicProviderHost.start();
            await host.configure(asConfig(rig.credentials));
            this.hosts.set(rig, host);
        }
    }

    hostFor(rig: VendorRig): DynamicProviderHost {
        return this.hosts.get(rig)!;
    }

    async stop(): Promise<void> {
        for (const host of this.hosts.values()) await host.stop();
        for (const rig of this.rigs) await rig.emulator.stop();
    }
}

/** One object of the scenario's kind, created through a host as `pulumi up` creates it. */
export async function createThrough(host: DynamicProviderHost, s: KindScenario, name: string): Promise<{ urn: string; inputs: Record<string, unknown>; id: string; outputs: Record<string, unknown> }> {
    const urn = `urn:pulumi:dev::stackwire::pulumi-nodejs:dynamic/${s.definition.module}:${s.definition.type}::${name}`;
    const __provider = storedProviderText(`${s.definition.module}:${s.definition.type}`);
    const checked = await host.check(urn, {}, { ...s.rig.connection(), ...(await s.inputs()), __provider });
    if (checked.failures.length > 0) throw new Error(`${s.kind}: ${JSON.stringify(checked.failures)}`);
    const created = await host.create(urn, checked.inputs);
    return { urn, inputs: checked.inputs, id: created.id, outputs: created.properties };
}

