/**
 * `npm run demo`: the whole interconnected stack with no accounts. Starts the sandbox, brings the
 * demo stack up through the real provider host, fires one real event per wire, shows where each
 * landed, destroys the stack and shows nothing is left. Then the mobile blueprint: the keys the
 * stack makes (Agora, OpenAI, Mapbox, PostHog) and where each went, rotated once, and destroyed.
 * Exits non-zero when any wire or key fails.
 */
import { fillForSandbox, SANDBOX_PLATFORM_KEYS } from "./blueprints";
import { checkMadeKeys, keysLiveTwice, madeValues, type MadeKeyCheck } from "./made-keys";
import { checkWires, type WireCheck } from "./wire-checks";
import { WiredSandbox } from "./wired-sandbox";

const tty = process.stdout.isTTY === true;
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

/** One line per step; on a terminal the current step is redrawn in place. */
function step(line: string): void {
    if (tty) process.stdout.write(`\r\x1b[2K  … ${line}`);
    else console.log(`  … ${line}`);
}
function done(line: string): void {
    if (tty) process.stdout.write("\r\x1b[2K");
    console.log(`  ✓ ${line} (${elapsed()})`);
}

function table(rows: WireCheck[]): string {
    const mark = (v: boolean | undefined) => (v === undefined ? "–" : v ? "yes" : "NO");
    const cells = [["wire", "event", "effect", "ok", "forged refused", "replay ignored"], ...rows.map((r) => [r.wire, r.event, r.effect, r.ok ? "ok" : "FAIL", mark(r.forgedRefused), mark(r.replayIgnored)])];
    const widths = cells[0].map((_, i) => Math.min(60, Math.max(...cells.map((c) => c[i].length))));
    const line = (c: string[]) => c.map((v, i) => (v.length > widths[i] ? `${v.slice(0, widths[i] - 1)}…` : v.padEnd(widths[i]))).join("  ");
    return [line(cells[0]), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

function keysTable(rows: MadeKeyCheck[]): string {
    const cells = [["key", "consumer", "visibility", "holds the made value"], ...rows.map((r) => [r.key, r.consumer, r.visibility, r.holds ? "yes" : "NO"])];
    const widths = cells[0].map((_, i) => Math.max(...cells.map((c) => c[i].length)));
    const line = (c: string[]) => c.map((v, i) => v.padEnd(widths[i])).join("  ");
    return [line(cells[0]), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

/** The mobile blueprint up, its made keys checked where they went, rotated once, and destroyed. */
async function madeKeysPhase(sandbox: WiredSandbox): Promise<DemoReport["madeKeys"]> {
    const settings = fillForSandbox("mobile", sandbox.urls());
    step("pulumi up: the mobile blueprint, every key made by the stack");
    await sandbox.up(settings, { platformKeys: SANDBOX_PLATFORM_KEYS });
    const checks = checkMadeKeys(sandbox);
    done(`mobile stack up: ${checks.length} copies of ${new Set(checks.map((c) => c.key)).size} made keys handed on`);
    console.log(`\n${keysTable(checks)}\n`);
    const before = madeValues(sandbox);
    step("rotating the OpenAI key and the Mapbox token: one line each");
    const rotated = structuredClone(settings) as { openai: { keyRotation: number }; mapbox: { tokens: Record<string, { rotation?: number }> } };
    rotated.openai.keyRotation = 1;
    for (const token of Object.values(rotated.mapbox.tokens)) token.rotation = 1;
    await sandbox.up(rotated, { platformKeys: SANDBOX_PLATFORM_KEYS });
    const after = checkMadeKeys(sandbox);
    const now = madeValues(sandbox);
    const changed = Object.keys(now).filter((key) => now[key] !== undefined && now[key] !== before[key]);
    const twice = keysLiveTwice(sandbox);
    if (twice.length > 0) after.push(...twice.map((key): MadeKeyCheck => ({ key, consumer: "its platform: the old one is still live", holds: false, visibility: "" })));
    done(after.every((c) => c.holds) ? "rotated: every consumer holds the new key, the old ones are deleted" : `rotated, but ${after.filter((c) => !c.holds).map((c) => `${c.key} at ${c.consumer}`).join(", ")}`);
    step("pulumi destroy");
    await sandbox.destroy();
    const leftovers = sandbox.leftovers();
    done(leftovers.length === 0 ? "destroyed: nothing left on any platform" : `destroyed, but left behind: ${leftovers.join(", ")}`);
    return { checks, rotated: after, changed, leftovers };
}

/** What the demo saw; `--json` prints it as the last line, for the engine tier. */
export interface DemoReport {
    wires: WireCheck[];
    /** The mobile blueprint's made keys where they went, after up and after a rotation. */
    madeKeys: { checks: MadeKeyCheck[]; rotated: MadeKeyCheck[]; changed: string[]; leftovers: string[] };
    /** Resources a second up changed, and the API calls it made (both should be none). */
    secondUp: { changed: string[]; calls: string[] };
    leftovers: string[];
    seconds: number;
}

async function main(): Promise<number> {
    const json = process.argv.includes("--json");
    console.log("stackwire demo: ten wires between seven platforms, all on this machine\n");
    const sandbox = new WiredSandbox();
    try {
        step("starting the emulators, the function runtimes and a throwaway database");
        await sandbox.start();
        done("sandbox running");
        step("pulumi up: the demo stack through the real provider host");
        await sandbox.up();
        done(`stack up: relay at ${String(sandbox.outputs.relayUrl)}`);
        const results = await checkWires(sandbox, step);
        done("one event fired per wire");
        console.log(`\n${table(results)}\n`);
        step("pulumi up again, nothing changed");
        sandbox.emulators.forEach((e) => e.resetCounts());
        const steps = await sandbox.upAgain();
        const secondUp = {
            changed: Object.entries(steps).filter(([, s]) => s !== "same").map(([name, s]) => `${name} (${s})`),
            calls: sandbox.emulators.flatMap((e) => Object.keys(e.requestCounts()).map((route) => `${e.name} ${route}`)),
        };
        done(secondUp.changed.length + secondUp.calls.length === 0 ? "second up: no change, no API call" : `second up changed ${secondUp.changed.join(", ") || "nothing"} and called ${secondUp.calls.join(", ") || "nothing"}`);
        step("pulumi destroy");
        await sandbox.destroy();
        const left = sandbox.leftovers();
        done(left.length === 0 ? "destroyed: nothing left on any platform" : `destroyed, but left behind: ${left.join(", ")}`);
        const failed = results.filter((r) => !r.ok || r.forgedRefused === false || r.replayIgnored === false);
        console.log(`\n${results.length - failed.length}/${results.length} wires carried their event end to end in ${elapsed()}.\n`);
        const madeKeys = await madeKeysPhase(sandbox);
        const keysOk = madeKeys.checks.length > 0 && [...madeKeys.checks, ...madeKeys.rotated].every((c) => c.holds) && madeKeys.leftovers.length === 0;
        console.log(`\n${madeKeys.rotated.filter((c) => c.holds).length}/${madeKeys.rotated.length} consumers hold the keys the stack made, after a rotation.`);
        const report: DemoReport = { wires: results, madeKeys, secondUp, leftovers: left, seconds: (Date.now() - started) / 1000 };
        if (json) console.log(JSON.stringify(report));
        return failed.length === 0 && left.length === 0 && keysOk && secondUp.changed.length + secondUp.calls.length === 0 ? 0 : 1;
    } finally {
        await sandbox.stop();
    }
}

if (require.main === module) {
    main().then(
        (code) => process.exit(code),
        (err) => {
            console.error(`\ndemo failed: ${err instanceof Error ? err.message : String(err)}`);
            process.exit(1);
        },
    );
}
