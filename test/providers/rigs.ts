/** Vitest set-up shared by the tiers that drive every kind's scenario (the harness itself also serves plain Node). */
import { afterAll, beforeAll } from "vitest";
import type { VendorRig } from "../scenarios/scenario";

/** The emulators of these scenarios' rigs, started before a file's tests and stopped after them. */
export function runningRigs(scenarios: readonly { rig: VendorRig }[]): VendorRig[] {
    const rigs = [...new Set(scenarios.map((s) => s.rig))];
    beforeAll(async () => {
        for (const rig of rigs) await rig.emulator.start();
    });
    afterAll(async () => {
        for (const rig of rigs) await rig.emulator.stop();
    });
    return rigs;
}
