/**
 * The Trello emulator and a provider host configured for it, started before a test file's tests
 * and stopped after them: the rig of the engine harness's own tests.
 */
import { after, before } from "node:test";
import { DynamicProviderHost } from "../../sandbox/engine/host";
import { TrelloEmulator, type TrelloEmulatorOptions } from "../../sandbox/emulators/trello";

export function trelloRig(options: Partial<TrelloEmulatorOptions> = {}): { trello: TrelloEmulator; host: () => DynamicProviderHost } {
    const key = "rig-trello-key";
    const token = "rig-trello-token";
    const trello = new TrelloEmulator({ key, token, ...options });
    let host: DynamicProviderHost;
    before(async () => {
        await trello.start();
        host = await DynamicProviderHost.start({ TRELLO_API_KEY: key, TRELLO_TOKEN: token });
        await host.configure({});
    });
    after(async () => {
        await host.stop();
        await trello.stop();
    });
    return { trello, host: () => host };
}
