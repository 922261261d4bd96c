/** A provider test file's emulator: started once, emptied and the providers configured again before each test (vitest only). */
import { afterAll, beforeAll, beforeEach } from "vitest";
import { startNewRun } from "../../dynamic-providers/core/once";
import type { Emulator } from "../../sandbox/emulators/frame";

/** Registers the hooks for one emulator or several; `url()` is the (first) emulator's base URL once started. */
export function useEmulator(emulators: Emulator | Emulator[], configure: () => Promise<void> = async () => undefined): { url(): string } {
    const all = Array.isArray(emulators) ? emulators : [emulators];
    let url = "";
    beforeAll(async () => {
        for (const e of all) await e.start();
        url = all[0].url;
    });
    afterAll(async () => {
        for (const e of all) await e.stop();
    });
    beforeEach(async () => {
        startNewRun();
        for (const e of all) e.reset();
        await configure();
    });
    return { url: () => url };
}
