/** `npm run sandbox` as a person uses it: start, read the printed config, call it, Ctrl-C. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { createClient } from "@supabase/supabase-js";
import Stripe from "stripe";
import WebSocket from "ws";
import { SANDBOX_KEYS } from "../../sandbox/local-stack";

test("the sandbox serves the emulators, prints a local stack config, and stops cleanly on Ctrl-C", async () => {
    const script = path.resolve(__dirname, "../../sandbox/run.js");
    // Port 0: never collide with a sandbox a developer has running.
    const child = spawn(process.execPath, [script, "--port", "0", "--quiet"], { stdio: ["ignore", "pipe", "pipe"], cwd: mkdtempSync(path.join(tmpdir(), "sandbox-")) });
    let out = "";
    await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ready line: ${out}`)), 15_000);
        child.stdout.on("data", (d) => {
            out += String(d);
            if (out.includes("\nready")) {
                clearTimeout(timer);
                resolve();
            }
        });
        child.on("exit", (code) => reject(new Error(`sandbox exited early (${code}): ${out}`)));
    });
    const url = /url: (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    const stripeBase = /apiBase: (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    assert.ok(url && stripeBase, out);
    assert.match(out, /export SUPABASE_SERVICE_ROLE_KEY=sandbox-supabase-service-role-key/);
    assert.match(out, /export STRIPE_SECRET_KEY=sk_test_/);

    const storage = createClient(url!, SANDBOX_KEYS.supabaseServiceRoleKey, { realtime: { transport: WebSocket as never } }).storage;
    assert.equal((await storage.createBucket("hello")).error, null);
    assert.deepEqual((await storage.listBuckets()).data?.map((b) => b.id), ["hello"]);
    const port = new URL(stripeBase!).port;
    const stripe = new Stripe(SANDBOX_KEYS.stripeSecretKey, { host: "127.0.0.1", port: Number(port), protocol: "http", maxNetworkRetries: 0 });
    assert.match((await stripe.products.create({ name: "Hello" })).id, /^prod_/);

    const exit = new Promise<number | null>((resolve) => child.on("exit", resolve));
    child.kill("SIGINT");
    assert.equal(await exit, 0);
});
