/**
 * Issue 15, OpenAI: through the real program and provider host, the stack makes its OpenAI project
 * and a service account, and hands the account's key to a consumer (a Supabase function secret)
 * with nothing copied by hand; a second up calls nothing; changing keyRotation makes a new key
 * that reaches the consumer before the old account goes; destroy archives the project.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { DynamicProviderHost } from "../../sandbox/engine/host";
import { withEnvironment } from "../../sandbox/engine/environment";
import { MiniEngine } from "../../sandbox/engine/mini-engine";
import { OpenaiEmulator } from "../../sandbox/emulators/openai";
import { SANDBOX_ENV, SANDBOX_SUPABASE_REF, sandboxEmulators } from "../../sandbox/local-stack";
import { fakeCredential } from "../fake-credential";
import { stackProgram } from "./processes";

const ADMIN_KEY = fakeCredential("sk-admin-", "sandboxOrganizationOwner0123");
const openai = new OpenaiEmulator({ adminKeys: [ADMIN_KEY] });
const { supabase, management } = sandboxEmulators();
const emulators = [openai, supabase, management];
const env = { ...SANDBOX_ENV, OPENAI_ADMIN_KEY: ADMIN_KEY };
let host: DynamicProviderHost;

before(async () => {
    for (const e of emulators) await e.start();
    host = await DynamicProviderHost.start(env);
    await host.configure({});
});
after(async () => {
    await host.stop();
    for (const e of emulators) await e.stop();
});

function config(keyRotation: number): Record<string, string> {
    return {
        "stackwire:openai": JSON.stringify({ baseUrl: `${openai.url}/v1`, keyRotation }),
        "stackwire:supabase": JSON.stringify({ url: supabase.url, projectRef: SANDBOX_SUPABASE_REF, managementUrl: management.url }),
        "stackwire:keyConsumers": JSON.stringify({ "openai.apiKey": [{ kind: "supabaseSecret" }] }),
    };
}

const accounts = () => [...openai.projects.values()].flatMap((p) => [...p.accounts.values()]);
const secret = () => management.secrets.get(SANDBOX_SUPABASE_REF)?.get("OPENAI_API_KEY");

test("the stack makes its OpenAI key, hands it on, rotates it and archives the project", async () => {
    const engine = new MiniEngine(host, "stackwire", "dev");
    await withEnvironment(env, async () => {
        await engine.up(config(0), stackProgram);
        const [project] = [...openai.projects.values()];
        assert.equal(project.name, "stackwire-dev-openai");
        assert.deepEqual(accounts().map((a) => a.name), ["stackwire-dev-openai-api"]);
        const [first] = [...openai.issuedKeys.keys()];
        assert.equal(secret(), first, "the consumer holds the service account's key");

        for (const e of emulators) e.resetCounts();
        await engine.up(config(0), stackProgram);
        assert.deepEqual(Object.values(engine.steps).filter((s) => s !== "same"), []);
        assert.equal(openai.totalRequests() + management.totalRequests(), 0, "a second up calls nothing");

        // Rotation: a new account and key, the consumer moved to it, then the old account deleted.
        const order: string[] = [];
        openai.onExchange = (e) => {
            if (/service_accounts/.test(e.route) && e.method !== "GET") order.push(e.method);
        };
        management.onExchange = (e) => {
            if (e.method !== "GET") order.push("secret");
        };
        await engine.up(config(1), stackProgram);
        openai.onExchange = undefined;
        management.onExchange = undefined;
        assert.deepEqual(order, ["POST", "secret", "DELETE"], "the new key exists and reaches the consumer before the old account goes");
        const keys = [...openai.issuedKeys.keys()];
        assert.equal(keys.length, 1);
        assert.notEqual(keys[0], first);
        assert.equal(secret(), keys[0], "the new key reached the consumer");
        assert.equal(accounts().length, 1, "the old account is gone");
        assert.equal(openai.projects.size, 1, "the project stays");

        await engine.destroy();
        assert.equal(project.status, "archived", "OpenAI never deletes a project: it is archived");
        assert.equal(openai.issuedKeys.size, 0);
        assert.equal(secret(), undefined);
    });
});
