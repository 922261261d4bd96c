/**
 * A preview never lies, for whole stacks: random valid stack configs (Supabase buckets, Stripe
 * products and prices, Appwrite collections and attributes, Trello boards with lists and
 * labels) and random edits between them (add, remove, rename a key, change a property that
 * updates in place or one that replaces, reorder lists) run through the real program
 * (`index.ts`) and the real provider host. For every version: the preview calls no API and its
 * plan is the steps `up` then takes, resource for resource; a second preview plans nothing and
 * calls no API. After destroy nothing is live on any emulator. Fixed seed; a failure prints
 * the seed and the shrunk case (STACKWIRE_PROPERTY_SEED runs another).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import fc from "fast-check";
import { DynamicProviderHost } from "../../sandbox/engine/host";
import { withEnvironment } from "../../sandbox/engine/environment";
import { MiniEngine } from "../../sandbox/engine/mini-engine";
import { AppwriteEmulator } from "../../sandbox/emulators/appwrite";
import { SANDBOX_APPWRITE, SANDBOX_ENV, SANDBOX_KEYS, sandboxEmulators } from "../../sandbox/local-stack";
import { stackProgram } from "./processes";

const SEED = Number(process.env.STACKWIRE_PROPERTY_SEED ?? 20261126);
const RUNS = Number(process.env.STACKWIRE_PROPERTY_RUNS ?? 6);

const { supabase, stripe, trello } = sandboxEmulators();
// Attribute builds take a moment, as on a server; short here, since a run makes many.
const appwrite = new AppwriteEmulator({ ...SANDBOX_APPWRITE, apiKey: SANDBOX_KEYS.appwriteApiKey, buildMs: 10 });
const emulators = [supabase, stripe, appwrite, trello];
let host: DynamicProviderHost;

before(async () => {
    for (const e of emulators) await e.start();
    host = await DynamicProviderHost.start(SANDBOX_ENV);
    await host.configure({});
});
after(async () => {
    await host.stop();
    for (const e of emulators) await e.stop();
});

const pick = <T>(...values: T[]) => fc.constantFrom(...values);
/** A record over some of these keys: removing a key and adding another is a rename. */
const someOf = <T>(keys: string[], value: fc.Arbitrary<T>, minKeys = 0) => fc.subarray(keys, { minLength: minKeys }).chain((chosen) => fc.tuple(...chosen.map(() => value)).map((values) => Object.fromEntries(chosen.map((k, i) => [k, values[i]]))));

const bucket = fc.record({ public: fc.boolean(), fileSizeLimit: pick("1MB", "5MB"), allowedMimeTypes: fc.subarray(["image/png", "image/jpeg", "application/pdf"], { minLength: 1 }) });
// unitAmount and interval replace a price (Stripe cannot change them); nickname updates it.
const price = fc.record({ currency: pick("eur"), unitAmount: pick(900, 2000), recurring: fc.record({ interval: pick("month", "year") }), nickname: pick("Standard", "Launch") });
const product = fc.record({ name: pick("Basic", "Pro", "Team"), description: pick("For one", "For teams"), prices: someOf(["monthly", "yearly"], price) });
const attribute = fc.oneof(fc.record({ type: pick("email"), required: fc.boolean() }), fc.record({ type: pick("integer"), min: pick(0, 1), required: pick(false) }));
const collection = fc.record({ name: pick("Users", "Members"), attributes: someOf(["email", "age"], attribute) });
// Lists in order (a reorder moves them), labels by name with a colour (a change updates it).
const board = fc.record({ name: pick("DevOps", "Ops"), lists: fc.shuffledSubarray(["Issues", "Doing", "Done"], { minLength: 1 }), labels: someOf(["bug", "ci"], pick("red", "blue")) });

const settings = fc.record({
    buckets: someOf(["avatars", "invoices", "media"], bucket),
    products: someOf(["basic", "pro"], product),
    collections: someOf(["users", "orders"], collection),
    boards: someOf(["ops", "dev"], board),
});
type Settings = typeof settings extends fc.Arbitrary<infer T> ? T : never;

/** The stack config `pulumi up` would read for these settings, pointed at the emulators. */
function configOf(s: Settings): Record<string, string> {
    const sections: Record<string, unknown> = {};
    if (Object.keys(s.buckets).length > 0) sections.supabase = { url: supabase.url, buckets: s.buckets };
    if (Object.keys(s.products).length > 0) sections.stripe = { apiBase: stripe.url, products: s.products };
    if (Object.keys(s.collections).length > 0) sections.appwrite = { endpoint: `${appwrite.url}/v1`, projectId: SANDBOX_APPWRITE.projectId, databases: { app: { name: "App", collections: s.collections } } };
    if (Object.keys(s.boards).length > 0) sections.trello = { baseUrl: `${trello.url}/1`, boards: s.boards };
    return Object.fromEntries(Object.entries(sections).map(([k, v]) => [`stackwire:${k}`, JSON.stringify(v)]));
}


const requests = () => emulators.reduce((n, e) => n + e.totalRequests(), 0);
const stepsOf = (plan: Record<string, { step: string }>) => Object.fromEntries(Object.entries(plan).map(([name, p]) => [name, p.step]));

/** What is live on the emulators: Stripe keeps archived products and prices, which are not. */
function live(): string[] {
    return [
        ...[...supabase.buckets.keys()].map((b) => `bucket ${b}`),
        ...[...stripe.products.values()].filter((p) => p.active === true).map((p) => `product ${String(p.name)}`),
        ...[...stripe.prices.values()].filter((p) => p.active === true).map((p) => `price ${String(p.id)}`),
        ...[...appwrite.databases.keys()].map((d) => `database ${d}`),
        ...[...trello.boards.values()].filter((b) => b.closed !== true).map((b) => `board ${String(b.name)}`),
    ];
}

let cases = 0;
let versionsRun = 0;
let resourcesPlanned = 0;

test("a preview's plan is what up then does, for random stacks and edits through the real program", async () => {
    try {
        await withEnvironment(SANDBOX_ENV, async () => {
            await fc.assert(
                fc.asyncProperty(fc.array(settings, { minLength: 2, maxLength: 3 }), async (versions) => {
                    cases++;
                    for (const e of emulators) e.reset();
                    const engine = new MiniEngine(host, "stackwire", "pr-7");
                    try {
                        for (const version of versions) {
                            versionsRun++;
                            const config = configOf(version);
                            const before = requests();
                            const plan = await engine.preview(config, stackProgram);
                            assert.equal(requests(), before, "a preview calls no API");
                            resourcesPlanned += Object.keys(plan).length;
                            await engine.up(config, stackProgram);
                            assert.deepEqual(engine.steps, stepsOf(plan), "the plan is what up did");
                            const settled = requests();
                            const again = await engine.preview(config, stackProgram);
                            assert.deepEqual(Object.entries(again).filter(([, p]) => p.step !== "same"), [], "after up, a preview plans nothing");
                            assert.equal(requests(), settled, "and calls no API");
                        }
                    } finally {
                        await engine.destroy();
                    }
                    assert.deepEqual(live(), [], "after destroy nothing is live");
                }),
                { seed: SEED, numRuns: RUNS, endOnFailure: true, verbose: 1 },
            );
        });
    } finally {
        console.log(`stack property (seed ${SEED}): ${cases} cases, ${versionsRun} versions, ${resourcesPlanned} resource plans compared with up`);
    }
});
