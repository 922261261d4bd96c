/** A provider test file's emulator: started once, emptied and the providers configured again before each test (vitest only). */
import { afterAll, beforeAll, beforeEach } from "vitest";
import { startNewRun } from "../../dynamic-providers/core/once";
import type { Emulator } from "../../sandbox/emulators/frame";

/** Registers the hooks; `url()` is the emulator's base URL once started. */
export function useEmulator(emulator: Emulator, configure: () => Promise<void>): { url(): string } {
    let url = "";
    beforeAll(async () => {
        url = await emulator.start();
    });
    afterAll(() => emulator.stop());
    beforeEach(async () => {
        startNewRun();
        emulator.reset();
        await configure();
    });
    return { url: () => url };
}
