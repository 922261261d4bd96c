/** A second sandbox finds its fixed ports taken: it must move to free ones, not crash. */
import { afterEach, describe, expect, it } from "vitest";
import { ResendEmulator } from "../../sandbox/emulators/resend";
import { startOn } from "../../sandbox/run";

const running: ResendEmulator[] = [];
afterEach(async () => {
    for (const e of running.splice(0)) await e.stop();
});

describe("emulator ports", () => {
    it("a taken port rejects with EADDRINUSE instead of crashing the process", async () => {
        const first = new ResendEmulator({ apiKey: "re_first0000000000000000" });
        running.push(first);
        const port = Number(new URL(await first.start(0)).port);
        const second = new ResendEmulator({ apiKey: "re_second000000000000000" });
        await expect(second.start(port)).rejects.toMatchObject({ code: "EADDRINUSE" });
    });

    it("the sandbox moves an emulator whose port is taken to a free one and says so", async () => {
        const first = new ResendEmulator({ apiKey: "re_first0000000000000000" });
        running.push(first);
        const port = Number(new URL(await first.start(0)).port);
        const second = new ResendEmulator({ apiKey: "re_second000000000000000" });
        running.push(second);
        const warnings: string[] = [];
        const url = await startOn(second, port, (line) => warnings.push(line));
        expect(Number(new URL(url).port)).not.toBe(port);
        expect(warnings).toEqual([expect.stringContaining(`port ${port} is taken`)]);
        expect((await fetch(`${url}/domains`, { headers: { authorization: "Bearer re_second000000000000000" } })).status).toBe(200);
    });
});
