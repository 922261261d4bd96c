/** `npm run bench`: prints the figures quoted in issue notes. Not a test: it asserts nothing timed. */
import { benchAdoptStripe, printAdoptFigures } from "./adopt";
import { benchAppwriteSchema } from "./appwrite-schema";
import { benchCodeHosting } from "./code-hosting";
import { benchAppwriteWaits, benchHost, benchProgram, benchProviderSizes } from "./engine-path";
import { printFigures } from "./figures";
import { benchKeysAndData } from "./keys-and-data";
import { benchNotFound, printNotFound } from "./not-found";
import { benchStripeCatalog } from "./stripe-catalog";
import { benchSupabaseBuckets } from "./supabase-buckets";
import { printWireFigures } from "./wires";

/** `--before <checkout>`: the previous build's compiled checkout, for the program's before figures. */
function option(name: string): string | undefined {
    const at = process.argv.indexOf(name);
    return at >= 0 ? process.argv[at + 1] : undefined;
}

async function main(): Promise<void> {
    const buckets = Number(process.env.BENCH_BUCKETS ?? 50);
    await benchProviderSizes();
    await benchHost(200);
    await benchAppwriteWaits(40);
    await benchProgram(5_000, option("--before"));
    printFigures(`Supabase Storage: ${buckets} buckets against the emulator (requests from its counters)`, await benchSupabaseBuckets(buckets));
    printFigures("Stripe: 20 products with 3 prices each (60 prices) against the emulator", await benchStripeCatalog(20, 3));
    const appwrite = await benchAppwriteSchema(10, 8, 2);
    printFigures("Appwrite: 1 database, 10 collections, 80 attributes, 20 indexes against the emulator", appwrite.figures);
    const hosting = await benchCodeHosting();
    printFigures("GitLab: one object of each kind against the emulator", hosting.gitlab);
    printFigures("Trello: one object of each kind against the emulator", hosting.trello);
    const b = hosting.burst;
    console.log(`\nTrello burst: ${b.objects} labels created at once (${b.requests} requests: a look and a create each) in ${b.seconds.toFixed(1)} s of Trello's time (${b.refused} requests refused with 429 and retried); Trello's 100 requests per 10 s allow it in ${b.floorSeconds} s at best.`);
    const keys = await benchKeysAndData();
    printFigures("Resend: one object of each kind against the emulator", keys.resend);
    printFigures("Supabase Edge Function secrets against the Management API emulator", keys.supabase);
    const m = keys.migrations;
    console.log(typeof m === "string" ? `\nMigrations: ${m}` : `\nMigrations: ${m.count} applied to a real PostgreSQL server in ${m.seconds.toFixed(2)} s (each in its own transaction under the advisory lock); a second up with nothing pending took ${m.secondUpSeconds.toFixed(3)} s.`);
    console.log("Key rotation: one platform key handed to 4 consumers in the test platform (GitHub Actions secret, GitLab CI variable, Appwrite function variable, Supabase secret); rotating it changes all 4 (test/unit/platform-keys.test.ts).");
    printNotFound(await benchNotFound());
    printAdoptFigures(await benchAdoptStripe());
    // The wires need the PostgreSQL server the relay records events in.
    if (process.env.STACKWIRE_TEST_POSTGRES_URL) await printWireFigures();
    else console.log("\nWires: skipped (set STACKWIRE_TEST_POSTGRES_URL and STACKWIRE_TEST_POSTGRES_PASSWORD to a PostgreSQL server)");
    console.log(`\nAppwrite create: ${appwrite.polls} status reads found the work in progress; the creates took ${(appwrite.waitedMs / 1000).toFixed(1)} s of the server's time, one after another, with 2 s builds.`);
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
