/**
 * `npm run sandbox`: every emulator up, and a `local` stack config that points at them, so a
 * newcomer can run `pulumi up -s local` with no accounts. Data lives in memory until Ctrl-C.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { Emulator } from "./frame";
import { SupabaseStorageEmulator } from "./supabase-storage";

/** Fake keys: the emulators accept them and nothing else does. */
export const SANDBOX_KEYS = {
    supabaseServiceRoleKey: "sandbox-supabase-service-role-key",
    supabaseAnonKey: "sandbox-supabase-anon-key",
};

/** Fixed ports keep the stack's URLs, and so its state, valid across sandbox restarts. */
const DEFAULT_PORTS = { supabase: 54400 };

const MARKER = "# Written by `npm run sandbox`";

function localStackYaml(urls: { supabase: string }): string {
    return `${MARKER}: the local stack points at the emulators.
config:
  stackwire:supabase:
    url: ${urls.supabase}
    buckets:
      avatars:
        public: true
        fileSizeLimit: 5MB
        allowedMimeTypes: [image/png, image/jpeg]
      invoices:
        allowedMimeTypes: [application/pdf]
`;
}

async function startOn(emulator: Emulator, port: number): Promise<string> {
    try {
        return await emulator.start(port);
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE" || port === 0) throw err;
        console.warn(`port ${port} is taken; using a free one (the local stack's URL changes with it)`);
        return emulator.start(0);
    }
}

async function main(): Promise<void> {
    const portArg = process.argv.indexOf("--port");
    const basePort = portArg >= 0 ? Number(process.argv[portArg + 1]) : DEFAULT_PORTS.supabase;
    const quiet = process.argv.includes("--quiet");
    // npm runs scripts from the project root, next to Pulumi.yaml.
    const projectDir = process.cwd();

    const supabase = new SupabaseStorageEmulator({ serviceRoleKey: SANDBOX_KEYS.supabaseServiceRoleKey, anonKey: SANDBOX_KEYS.supabaseAnonKey });
    const emulators: Emulator[] = [supabase];
    const urls = { supabase: await startOn(supabase, basePort) };
    if (!quiet) for (const e of emulators) e.onRequest = (line) => console.log(`  ${line}`);

    const stackFile = path.join(projectDir, "Pulumi.local.yaml");
    const yaml = localStackYaml(urls);
    const writable = !existsSync(stackFile) || readFileSync(stackFile, "utf8").startsWith(MARKER);
    if (writable) writeFileSync(stackFile, yaml);

    console.log(`stackwire sandbox: emulators running
  supabase-storage  ${urls.supabase}/storage/v1

${writable ? "Wrote Pulumi.local.yaml" : "Pulumi.local.yaml is your own, so it was left alone; the sandbox would write"}:
${yaml}
In another terminal:
  export SUPABASE_SERVICE_ROLE_KEY=${SANDBOX_KEYS.supabaseServiceRoleKey}
  export PULUMI_CONFIG_PASSPHRASE=sandbox
  pulumi login --local
  pulumi stack select --create local
  npm run build && pulumi up

Requests are logged below. Ctrl-C stops the emulators (their data is kept in memory only).
ready`);

    const shutdown = async (signal: string) => {
        console.log(`\n${signal}: stopping emulators`);
        await Promise.all(emulators.map((e) => e.stop()));
        process.exit(0);
    };
    process.once("SIGINT", () => void shutdown("SIGINT"));
    process.once("SIGTERM", () => void shutdown("SIGTERM"));
}

if (require.main === module) {
    main().catch((err) => {
        console.error(err);
        process.exit(1);
    });
}
