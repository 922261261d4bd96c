/**
 * Every blueprint, filled in for the sandbox as a user fills in its placeholders, goes up through
 * the real provider host against the wired sandbox and comes down leaving nothing behind.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fillForSandbox, SANDBOX_PLATFORM_KEYS } from "../../sandbox/blueprints";
import { WiredSandbox } from "../../sandbox/wired-sandbox";
import { BLUEPRINT_NAMES } from "../../stacks/blueprints";

const redis = process.env.STACKWIRE_TEST_REDIS_URL;
const servers = process.env.STACKWIRE_TEST_POSTGRES_URL !== undefined && redis !== undefined;
const skip = servers ? false : "needs PostgreSQL and Redis (STACKWIRE_TEST_POSTGRES_URL, STACKWIRE_TEST_REDIS_URL): the blueprints use both";
if (!servers && process.env.STACKWIRE_REQUIRE_SERVERS === "1") throw new Error("STACKWIRE_REQUIRE_SERVERS=1 but the PostgreSQL or Redis URL is not set");

let sandbox: WiredSandbox;
before(async () => {
    if (skip) return;
    sandbox = new WiredSandbox();
    await sandbox.start();
});
after(async () => {
    await sandbox?.stop();
});

for (const blueprint of BLUEPRINT_NAMES) {
    test(`the ${blueprint} blueprint goes up against the sandbox and down to nothing`, { skip }, async () => {
        const settings = fillForSandbox(blueprint, sandbox.urls(redis));
        await sandbox.up(settings, { platformKeys: SANDBOX_PLATFORM_KEYS });
        assert.ok(sandbox.leftovers().length > 0, "the blueprint made something");
        if ((settings.wires as Record<string, unknown> | undefined) !== undefined && Object.keys(settings.wires as object).some((w) => w !== "githubToGitlab")) assert.match(String(sandbox.outputs.relayUrl), /\/functions\/v1\//);
        await sandbox.destroy();
        assert.deepEqual(sandbox.leftovers(), []);
    });
}
