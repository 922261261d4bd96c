/** Agora's project against the Console REST API emulator. */
import { agoraProjectDefinition } from "../../dynamic-providers/agora/project";
import { AgoraEmulator } from "../../sandbox/emulators/agora";
import type { KindScenario, VendorRig } from "./scenario";

export function agoraScenarios(): KindScenario[] {
    const ours = { customerId: "0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f", customerSecret: "5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c" };
    /** Another account's pair: Agora takes it, and shows it only that account's projects. */
    const other = { customerId: "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf", customerSecret: "b0b1b2b3b4b5b6b7b8b9babbbcbdbebf" };
    const emulator = new AgoraEmulator({ accounts: { ours, other } });
    const rig: VendorRig = { vendor: "agora", emulator, credentials: { agoraCustomerId: ours.customerId, agoraCustomerSecret: ours.customerSecret }, connection: () => ({ baseUrl: emulator.url }) };
    return [
        {
            kind: "agora:Project",
            rig,
            definition: agoraProjectDefinition,
            inputs: async () => ({ name: "stackwire-dev-agora" }),
            change: { certificate: false },
            writes: { create: "POST /dev/v1/project", update: "POST /dev/v1/signkey", delete: "POST /dev/v1/project_status" },
            // Disabled projects are not live: the documented API deletes none.
            held: () => [...emulator.projects.values()].filter((p) => p.status === 1).map((p) => p.id),
            archivedOnDelete: true,
            blind: { credentials: { agoraCustomerId: other.customerId, agoraCustomerSecret: other.customerSecret }, answers: "200 with the other account's project list, which does not hold it; 404 to a write naming it" },
            removeOutOfBand: (id) => void emulator.projects.delete(id),
            verify: (id, outs) => {
                const p = emulator.projects.get(id);
                if (p?.vendor_key !== outs.appId || p?.sign_key !== outs.appCertificate) throw new Error(`the App ID or certificate in the outputs is not project ${id}'s`);
            },
        },
    ];
}
