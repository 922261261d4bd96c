/**
 * The engine path, before and after: the provider text every resource stores, the state it
 * makes, the provider host's CPU per resource and its speed-up when the engine sends creates ten
 * at a time, Appwrite's build waits, and the program's evaluation at 5,000 resources. "Before" is
 * the previous build: its providers as test/engine/fixtures/previous-build.json.gz recorded them,
 * and, with `--before <checkout>`, its program.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { gunzipSync } from "node:zlib";
import { dynamicProvider, OperationContext } from "../dynamic-providers/core/provider";
import { storedProviderText } from "../dynamic-providers/core/resource";
import { pollUntil } from "../dynamic-providers/core/wait";
import { attributeDefinition } from "../dynamic-providers/appwrite/attribute";
import { collectionDefinition } from "../dynamic-providers/appwrite/collection";
import { databaseDefinition } from "../dynamic-providers/appwrite/database";
import { appwrite } from "../dynamic-providers/appwrite/client";
import { schemaApi } from "../dynamic-providers/appwrite/schema-api";
import { DEFINITIONS, kindOf } from "../dynamic-providers/engine";
import { VirtualClock } from "../sandbox/clock";
import { AppwriteEmulator } from "../sandbox/emulators/appwrite";
import { SANDBOX_ENV, sandboxEmulators } from "../sandbox/local-stack";
import { DynamicProviderHost } from "../sandbox/engine/host";

const root = path.resolve(__dirname, "../..");
const fixture = JSON.parse(gunzipSync(readFileSync(path.join(root, "test/engine/fixtures/previous-build.json.gz"))).toString("utf8")) as { commit: string; cases: { kind: string; type: string; inputs: Record<string, unknown> }[] };

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

async function currentText(kind: string): Promise<string> {
    return storedProviderText(kind);
}

/** Serialized provider per kind: the previous build's (by value) against the current one's. */
export async function benchProviderSizes(): Promise<void> {
    console.log(`\nStored provider per resource kind (previous build ${fixture.commit.slice(0, 7)} against this one)\n`);
    console.log(`${"kind".padEnd(28)}${"before".padStart(10)}${"after".padStart(10)}`);
    const previous = new Map(fixture.cases.map((c) => [c.type.replace(/^pulumi-nodejs:dynamic\//, ""), (c.inputs.__provider as string).length]));
    let largest = 0;
    for (const definition of DEFINITIONS) {
        const after = (await currentText(kindOf(definition))).length;
        largest = Math.max(largest, after);
        const before = previous.get(kindOf(definition));
        console.log(`${kindOf(definition).padEnd(28)}${(before ? kb(before) : "-").padStart(10)}${`${after} B`.padStart(10)}`);
    }
    console.log(`largest now: ${largest} bytes (target 2,048)`);
}

/** CPU time (ms) the process has used, from /proc. */
function cpuMs(pid: number): number {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / Number(execFileSync("getconf", ["CLK_TCK"]).toString());
}

interface HostFigures {
    providerBytes: number;
    stateBytes: number;
    createCpuMs: number;
    noopCpuMs: number;
    sequentialPerSecond: number;
    parallelPerSecond: number;
}

/** Supabase buckets through the real host with the given provider text. */
async function hostFigures(provider: string, count: number): Promise<HostFigures> {
    const emulators = sandboxEmulators();
    await emulators.supabase.start();
    const host = await DynamicProviderHost.start(SANDBOX_ENV);
    await host.configure({});
    const urn = (i: number) => `urn:pulumi:bench::stackwire::pulumi-nodejs:dynamic/supabase:StorageBucket::b${i}`;
    const news = (i: number) => ({ projectUrl: emulators.supabase.url, bucketId: `bench-${i}`, public: i % 2 === 0, __provider: provider });
    const createOne = async (i: number) => {
        const checked = await host.check(urn(i), {}, news(i));
        const created = await host.create(urn(i), checked.inputs);
        return { i, checked: checked.inputs, created };
    };
    for (let i = 0; i < 5; i++) await createOne(1_000_000 + i); // warm-up: the provider text is loaded once

    const pid = host.pid!;
    let cpu = cpuMs(pid);
    let started = performance.now();
    const live = [];
    for (let i = 0; i < count; i++) live.push(await createOne(i));
    const createCpuMs = (cpuMs(pid) - cpu) / count;
    const sequentialPerSecond = count / ((performance.now() - started) / 1000);

    started = performance.now();
    for (let batch = 0; batch < count; batch += 10) await Promise.all(Array.from({ length: 10 }, (_, j) => createOne(count + batch + j)));
    const parallelPerSecond = count / ((performance.now() - started) / 1000);

    // A no-op up: the engine checks and diffs every resource; no API is called.
    emulators.supabase.resetCounts();
    cpu = cpuMs(pid);
    for (const r of live) {
        const checked = await host.check(urn(r.i), r.created.properties, news(r.i));
        if ((await host.diff(r.created.id, urn(r.i), r.created.properties, checked.inputs)).changes !== "none") throw new Error("bench: a no-op up changed a bucket");
    }
    const noopCpuMs = (cpuMs(pid) - cpu) / count;
    if (emulators.supabase.totalRequests() !== 0) throw new Error("bench: a no-op up called the API");
    const stateBytes = JSON.stringify({ inputs: live[0].checked, outputs: live[0].created.properties }).length;
    await host.stop();
    await emulators.supabase.stop();
    return { providerBytes: provider.length, stateBytes, createCpuMs, noopCpuMs, sequentialPerSecond, parallelPerSecond };
}

export async function benchHost(count = 200): Promise<void> {
    const previous = fixture.cases.find((c) => c.kind === "supabaseBucket")!.inputs.__provider as string;
    const before = await hostFigures(previous, count);
    const after = await hostFigures(await currentText("supabase:StorageBucket"), count);
    console.log(`\nThe provider host, ${count} Supabase buckets against the emulator (before: the previous build's provider)\n`);
    const row = (label: string, b: string, a: string) => console.log(`${label.padEnd(46)}${b.padStart(14)}${a.padStart(14)}`);
    row("", "before", "after");
    row("stored provider", kb(before.providerBytes), `${after.providerBytes} B`);
    row("state of one resource (inputs + outputs)", kb(before.stateBytes), kb(after.stateBytes));
    row("host CPU per create", `${before.createCpuMs.toFixed(2)} ms`, `${after.createCpuMs.toFixed(2)} ms`);
    row("host CPU per resource, no-op up", `${before.noopCpuMs.toFixed(2)} ms`, `${after.noopCpuMs.toFixed(2)} ms`);
    row("creates per second, one at a time", before.sequentialPerSecond.toFixed(0), after.sequentialPerSecond.toFixed(0));
    row("creates per second, ten at a time", before.parallelPerSecond.toFixed(0), after.parallelPerSecond.toFixed(0));
    row("speed-up from 1 to 10 at a time", `${(before.parallelPerSecond / before.sequentialPerSecond).toFixed(2)}x`, `${(after.parallelPerSecond / after.sequentialPerSecond).toFixed(2)}x`);
    const own = after.stateBytes - 2 * after.providerBytes;
    console.log(`\nState, resource for resource like this one (own properties ${kb(own)} each):`);
    for (const n of [100, 1_000, 5_000]) console.log(`  ${String(n).padStart(5)} resources: before ${kb(n * before.stateBytes).padStart(10)}   after ${kb(n * after.stateBytes).padStart(9)}`);
}

/** The schedule of the previous build: a read at once, then 200 ms growing by half to 5 s. */
async function previousSchedule(read: () => Promise<string | undefined>, clock: VirtualClock): Promise<void> {
    await pollUntil(async () => ((await read()) === "available" ? true : undefined), { what: "build", timeoutMs: 600_000, intervalMs: 200, maxIntervalMs: 5_000, clock });
}

/** Attributes built in `buildMs` each, on a virtual clock: reads per attribute and detection delay. */
async function appwriteWaits(buildMs: number, attributes: number, schedule: "before" | "after"): Promise<{ reads: number; delayMs: number }> {
    const clock = new VirtualClock();
    const emulator = new AppwriteEmulator({ projectId: "bench", apiKey: "bench-key", buildMs, clock });
    await emulator.start();
    const source = { get: (k: string) => (k === "stackwire:appwriteApiKey" ? "bench-key" : undefined) };
    const config = { config: source } as never;
    const make = async (definition: typeof databaseDefinition | typeof collectionDefinition | typeof attributeDefinition, news: Record<string, unknown>) => {
        const p = dynamicProvider(definition as never, { clock });
        await p.configure!(config);
        return p.create((await p.check!({}, news)).inputs);
    };
    const conn = { endpoint: `${emulator.url}/v1`, projectId: "bench", databaseId: "main" };
    await make(databaseDefinition, { ...conn, name: "Main" });
    await make(collectionDefinition, { ...conn, collectionId: "items", name: "Items" });
    emulator.resetCounts();
    for (let a = 0; a < attributes; a++) {
        const news = { ...conn, collectionId: "items", key: `field_${a}`, type: "boolean" };
        if (schedule === "after") await make(attributeDefinition, news);
        else {
            // The previous build: POST, then its schedule, reading the attribute through the SDK.
            const ctx = new OperationContext("appwrite", source, { clock });
            const { databases } = appwrite(ctx, conn, "bench");
            await schemaApi.createAttribute(databases, "main", "items", { type: "boolean", key: `field_${a}`, required: false, array: false, default: null });
            await previousSchedule(async () => (await schemaApi.getAttribute(appwrite(ctx, conn, "read").databases, "main", "items", `field_${a}`)).status, clock);
        }
    }
    const reads = emulator.count("GET /v1/databases/:db/collections/:coll/attributes/:key") / attributes;
    const delayMs = emulator.detectionDelays.reduce((a, b) => a + b, 0) / emulator.detectionDelays.length;
    await emulator.stop();
    return { reads, delayMs };
}

export async function benchAppwriteWaits(attributes = 40): Promise<void> {
    console.log(`\nAppwrite build waits: ${attributes} attributes created one after another, builds of a fixed length (virtual clock)\n`);
    console.log(`${"build".padEnd(8)}${"reads before".padStart(14)}${"reads after".padStart(13)}${"seen late before".padStart(18)}${"seen late after".padStart(17)}`);
    for (const buildMs of [1_000, 2_000, 3_000]) {
        const before = await appwriteWaits(buildMs, attributes, "before");
        const after = await appwriteWaits(buildMs, attributes, "after");
        console.log(`${`${buildMs / 1000} s`.padEnd(8)}${before.reads.toFixed(2).padStart(14)}${after.reads.toFixed(2).padStart(13)}${`${before.delayMs.toFixed(0)} ms`.padStart(18)}${`${after.delayMs.toFixed(0)} ms`.padStart(17)}`);
    }
    console.log("reads: status reads per attribute; seen late: how long after a build finished a read first showed it (average).");
}

/** Evaluates a checkout's compiled program under mocks with about `count` resources, in a fresh process. */
function programFigures(checkout: string, count: number): { resources: number; cpuMsPerResource: number; maxRssMb: number } {
    const script = path.join(__dirname, "program-evaluation.js");
    const result = spawnSync(process.execPath, [script, checkout, String(count)], { cwd: checkout, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`program evaluation in ${checkout} failed: ${result.stderr}`);
    return JSON.parse(result.stdout.trim().split("\n").pop()!);
}

export async function benchProgram(count: number, before?: string): Promise<void> {
    console.log(`\nProgram evaluation under mocks, about ${count} resources (buckets, Stripe products and prices, Appwrite collections and attributes)\n`);
    const rows: [string, ReturnType<typeof programFigures>][] = [];
    if (before) rows.push([`before (${path.basename(before)})`, programFigures(before, count)]);
    rows.push(["after", programFigures(root, count)]);
    for (const [label, f] of rows) console.log(`${label.padEnd(24)}${String(f.resources).padStart(7)} resources   ${f.cpuMsPerResource.toFixed(2)} ms CPU each   ${f.maxRssMb.toFixed(0)} MB peak RSS`);
}
