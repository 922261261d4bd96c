/** `npm run bench`: prints the figures quoted in issue notes. Not a test: it asserts nothing timed. */
import { benchSupabaseBuckets } from "./supabase-buckets";

async function main(): Promise<void> {
    const count = Number(process.env.BENCH_BUCKETS ?? 50);
    const figures = await benchSupabaseBuckets(count);
    console.log(`Supabase Storage buckets: ${count} buckets against the emulator (requests from its counters)\n`);
    console.log(`${"step".padEnd(26)}${"requests/bucket".padStart(16)}${"ms total".padStart(10)}   routes`);
    for (const f of figures) {
        const routes = Object.entries(f.byRoute).map(([route, n]) => `${route} x${n}`).join(", ") || "none";
        console.log(`${f.step.padEnd(26)}${f.requestsPerBucket.toFixed(2).padStart(16)}${f.ms.toFixed(0).padStart(10)}   ${routes}`);
    }
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
