/**
 * Figures for the wires (issue 12): API calls each wire makes on create, no-op and destroy (the
 * stack with that one wire, less the same stack without it), and end-to-end latency per event
 * through the sandbox (median of `events` deliveries, from the source's send to the receiver's
 * answer, effect included). `node bin/bench/wires.js` after `npm run build`; needs PostgreSQL.
 */
import { performance } from "node:perf_hooks";
import { median } from "./figures";
import { deliverGithubEvent, pushPayload } from "../sandbox/events/github";
import { SANDBOX_KEYS } from "../sandbox/local-stack";
import { WiredSandbox } from "../sandbox/wired-sandbox";
import { WIRE_NAMES, type WireName } from "../stacks/wires/catalog";

type Phase = "create" | "no-op" | "destroy";

function totalCalls(sandbox: WiredSandbox): number {
    return sandbox.emulators.reduce((n, e) => n + e.totalRequests(), 0);
}

/** One stack's calls per phase, in a sandbox and provider host of its own (a run's one-time reads counted once). */
async function callsPerPhase(settingsOf: (sandbox: WiredSandbox) => Record<string, unknown>): Promise<Record<Phase, number>> {
    const sandbox = new WiredSandbox();
    await sandbox.start();
    try {
        const settings = settingsOf(sandbox);
        const counted = async (run: () => Promise<unknown>) => {
            sandbox.emulators.forEach((e) => e.resetCounts());
            await run();
            return totalCalls(sandbox);
        };
        return { create: await counted(() => sandbox.up(settings)), "no-op": await counted(() => sandbox.up(settings)), destroy: await counted(() => sandbox.destroy()) };
    } finally {
        await sandbox.stop();
    }
}

/** Each wire alone on top of the platforms it joins; the platforms' own calls subtracted. */
export async function benchWireCalls(): Promise<Record<WireName, Record<Phase, number>>> {
    const platformsOf = (sandbox: WiredSandbox) => {
        const { wires: _wires, ...platforms } = sandbox.settings;
        return platforms;
    };
    const base = await callsPerPhase(platformsOf);
    const result = {} as Record<WireName, Record<Phase, number>>;
    for (const wire of WIRE_NAMES) {
        const calls = await callsPerPhase((sandbox) => ({ ...platformsOf(sandbox), wires: { [wire]: sandbox.settings.wires[wire] } }));
        result[wire] = { create: calls.create - base.create, "no-op": calls["no-op"] - base["no-op"], destroy: calls.destroy - base.destroy };
    }
    return result;
}


/** Trello allows 100 requests per 10 s per token (the emulator too): each series starts in a fresh window. */
const TRELLO_WINDOW_MS = 10_500;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The median time of the events, and how many the receiver answered with 2xx (its effect done). */
async function timed(times: number, send: (i: number) => Promise<boolean>): Promise<{ medianMs: number; answered: number }> {
    await pause(TRELLO_WINDOW_MS);
    const samples: number[] = [];
    let answered = 0;
    for (let i = 0; i < times; i++) {
        const started = performance.now();
        if (await send(i)) answered += 1;
        samples.push(performance.now() - started);
    }
    return { medianMs: median(samples), answered };
}

const allOk = (deliveries: { status: number }[]) => deliveries.length > 0 && deliveries.every((d) => d.status >= 200 && d.status < 300);

/** Median milliseconds per event from the source's send to the receiver's answer (effect done). */
export async function benchWireLatency(events: number): Promise<Record<string, { medianMs: number; answered: number }>> {
    const sandbox = new WiredSandbox();
    await sandbox.start();
    try {
        await sandbox.up();
        const relay = String(sandbox.outputs.relayUrl);
        const githubSecret = String(sandbox.stateOf("relay-github-secret")?.result);
        const projectId = Number((sandbox.outputs.gitlabProjectIds as Record<string, unknown>).app);
        const issues = [...sandbox.trello.lists.values()].find((l) => l.name === "Issues")!;
        const result = {
            "Stripe payment → relay (row + receipt) and Appwrite function (document)": await timed(events, async () => allOk((await sandbox.stripe.trigger("checkout.session.completed", { customer_details: { email: "buyer@acme.test" } })).deliveries)),
            "GitHub push → relay (repository_events row)": await timed(events, async () => allOk([await deliverGithubEvent(`${relay}/github`, githubSecret, "push", pushPayload({ repository: "acme/app" }))])),
            "GitLab pipeline → relay (Trello card)": await timed(events, async () => allOk((await sandbox.gitlab.runPipeline(projectId, { ref: "main", status: "success" })).deliveries)),
            "Trello card → relay (Resend alert)": await timed(events, async (i) => {
                await fetch(`${sandbox.trello.url}/1/cards?key=${SANDBOX_KEYS.trelloApiKey}&token=${SANDBOX_KEYS.trelloToken}&idList=${issues.id}&name=card-${i}`, { method: "POST" });
                return allOk(await sandbox.trello.settled());
            }),
        };
        await pause(TRELLO_WINDOW_MS);
        await sandbox.destroy();
        return result;
    } finally {
        await sandbox.stop();
    }
}

export async function printWireFigures(events = Number(process.env.BENCH_EVENTS ?? 100)): Promise<void> {
    const calls = await benchWireCalls();
    console.log("Wires: API calls each wire makes (the stack with it, less the stack without it)\n");
    console.log(`${"wire".padEnd(18)} ${"create".padStart(7)} ${"no-op".padStart(7)} ${"destroy".padStart(8)}`);
    for (const [wire, c] of Object.entries(calls)) console.log(`${wire.padEnd(18)} ${String(c.create).padStart(7)} ${String(c["no-op"]).padStart(7)} ${String(c.destroy).padStart(8)}`);
    const latency = await benchWireLatency(events);
    console.log(`\nEnd-to-end latency through the sandbox, median of ${events} events (ms)\n`);
    for (const [event, { medianMs, answered }] of Object.entries(latency)) console.log(`${medianMs.toFixed(1).padStart(8)}  ${event} (${answered}/${events} answered 2xx)`);
}

if (require.main === module) {
    printWireFigures().catch((err) => {
        console.error(err);
        process.exit(1);
    });
}
