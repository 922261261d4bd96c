/**
 * Issue 12 through the real provider host: `npm run demo` itself (compiled, in its own process,
 * as CI runs it) brings the demo stack with all ten wires up against the wired sandbox; each
 * wire's event lands where it should, forged deliveries are refused, replays change nothing, a
 * second up changes nothing and calls no API, and destroy leaves nothing on any platform.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as path from "node:path";
import { before, test } from "node:test";
import type { DemoReport } from "../../sandbox/demo";
import { WIRE_NAMES } from "../../stacks/wires/catalog";

const servers = process.env.STACKWIRE_TEST_POSTGRES_URL !== undefined;
const skip = servers ? false : "needs PostgreSQL (STACKWIRE_TEST_POSTGRES_URL): the relay records events in the project's database";
if (!servers && process.env.STACKWIRE_REQUIRE_SERVERS === "1") throw new Error("STACKWIRE_REQUIRE_SERVERS=1 but STACKWIRE_TEST_POSTGRES_URL is not set");

let report: DemoReport;
let output = "";
let exitCode = 0;

before(async () => {
    if (skip) return;
    const demo = path.resolve(__dirname, "../../sandbox/demo.js");
    await new Promise<void>((resolve) => {
        execFile(process.execPath, [demo, "--json"], { timeout: 180_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
            output = `${stdout}${stderr}`;
            exitCode = err ? ((err as { code?: number }).code ?? 1) : 0;
            resolve();
        });
    });
    const last = output.trim().split("\n").pop() ?? "";
    report = JSON.parse(last.startsWith("{") ? last : "{}") as DemoReport;
});

test("npm run demo exits 0 and prints the table", { skip }, () => {
    assert.equal(exitCode, 0, output);
    assert.match(output, /wire +event +effect +ok/);
});

for (const wire of WIRE_NAMES) {
    test(`${wire}: its event lands, forged deliveries are refused, replays change nothing`, { skip }, () => {
        const result = report.wires?.find((r) => r.wire === wire);
        assert.ok(result, `${wire} was not fired:\n${output}`);
        assert.equal(result.ok, true, `${wire}: ${result.event} → ${result.effect}`);
        if (result.forgedRefused !== undefined) assert.equal(result.forgedRefused, true, `${wire}: a forged delivery had an effect`);
        if (result.replayIgnored !== undefined) assert.equal(result.replayIgnored, true, `${wire}: a replay had a second effect`);
    });
}

test("every relayed wire was sent a forged delivery and a replay", { skip }, () => {
    const relayed = report.wires.filter((r) => ["stripeToSupabase", "githubToSupabase", "gitlabToTrello"].includes(r.wire));
    assert.ok(relayed.every((r) => r.forgedRefused === true && r.replayIgnored === true));
});

test("a second up changes nothing and calls no API", { skip }, () => {
    assert.deepEqual(report.secondUp, { changed: [], calls: [] });
});

test("destroy removes every piece: functions, secrets, SMTP, hooks, endpoints, providers", { skip }, () => {
    assert.deepEqual(report.leftovers, []);
});

test("the demo's mobile stack hands every made key to its consumers, rotates them everywhere, and leaves nothing", { skip }, () => {
    const { checks, rotated, changed, leftovers } = report.madeKeys;
    // The rotation made new values, and only those two: every consumer holding them is the rotation reaching it.
    assert.deepEqual([...changed].sort(), ["mapbox.app", "openai.apiKey"]);
    assert.deepEqual(
        checks.map((c) => [c.key, c.consumer.split(" ")[0], c.visibility, c.holds]),
        [
            ["agora.appId", "expo", "public", true],
            ["mapbox.app", "expo", "public", true],
            ["posthog.projectKey", "expo", "public", true],
            ["agora.appCertificate", "appwrite", "secret", true],
            ["openai.apiKey", "appwrite", "secret", true],
            ["openai.apiKey", "expo", "secret", true],
        ],
    );
    assert.ok(rotated.length === checks.length && rotated.every((c) => c.holds), JSON.stringify(rotated));
    assert.deepEqual(leftovers, []);
});
