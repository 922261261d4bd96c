/** `npm run bench`: prints the figures quoted in issue notes. Not a test: it asserts nothing timed. */
import { printFigures } from "./figures";
import { benchStripeCatalog } from "./stripe-catalog";
import { benchSupabaseBuckets } from "./supabase-buckets";

async function main(): Promise<void> {
    const buckets = Number(process.env.BENCH_BUCKETS ?? 50);
    printFigures(`Supabase Storage: ${buckets} buckets against the emulator (requests from its counters)`, await benchSupabaseBuckets(buckets));
    printFigures("Stripe: 20 products with 3 prices each (60 prices) against the emulator", await benchStripeCatalog(20, 3));
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
