/**
 * Runs a checkout's compiled program (bin/index.js) under Pulumi mocks with a config of about N
 * resources and prints its CPU time per resource and peak memory as JSON. Run in a fresh process:
 * `node bin/bench/program-evaluation.js <checkout> <N>`. Works on the previous build's checkout
 * too: it loads that checkout's own @pulumi/pulumi and mocks.
 */
import { createRequire } from "node:module";
import * as path from "node:path";

async function main(): Promise<void> {
    const [checkout, countText] = process.argv.slice(2);
    const count = Number(countText);
    const load = createRequire(path.join(checkout, "package.json"));
    const pulumi = load("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    const { recordGraph, settled } = load("./bin/test/unit/mock-graph.js") as typeof import("../test/unit/mock-graph");

    const buckets = Math.round(count * 0.4);
    const products = Math.round(count * 0.1);
    const collections = Math.round(count * 0.01);
    const settings = {
        supabase: { url: "https://abcdefghijklmnopqrst.supabase.co", buckets: Object.fromEntries(Array.from({ length: buckets }, (_, i) => [`b${i}`, { public: i % 2 === 0 }])) },
        stripe: {
            products: Object.fromEntries(
                Array.from({ length: products }, (_, p) => [`p${p}`, { name: `Product ${p}`, prices: Object.fromEntries(Array.from({ length: 4 }, (_, k) => [`m${k}`, { currency: "eur", unitAmount: 100 * (k + 1), recurring: { interval: "month" } }])) }]),
            ),
        },
        appwrite: {
            endpoint: "https://cloud.appwrite.io/v1",
            projectId: "bench",
            databases: { main: { name: "Main", collections: Object.fromEntries(Array.from({ length: collections }, (_, c) => [`c${c}`, { name: `C${c}`, attributes: Object.fromEntries(Array.from({ length: 9 }, (_, a) => [`a${a}`, { type: "string", size: 64 }])) }])) } },
        },
    };
    const graph = recordGraph("stackwire", "dev");
    const config: Record<string, string> = Object.fromEntries(Object.entries(settings).map(([k, v]) => [`stackwire:${k}`, JSON.stringify(v)]));
    for (const secret of ["supabaseServiceRoleKey", "stripeSecretKey", "appwriteApiKey"]) config[`stackwire:${secret}`] = secret === "stripeSecretKey" ? "sk_test_benchKey0123456789" : "bench-credential-0123456789";
    pulumi.runtime.setAllConfig(config, ["supabaseServiceRoleKey", "stripeSecretKey", "appwriteApiKey"].map((s) => `stackwire:${s}`));

    const cpu = process.cpuUsage();
    const program = load("./bin/index.js") as Record<string, unknown>;
    await settled(...Object.values(program).map((o) => pulumi.output(o as never)));
    const used = process.cpuUsage(cpu);
    const resources = graph.resources.length;
    console.log(JSON.stringify({ resources, cpuMsPerResource: (used.user + used.system) / 1000 / resources, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
