/**
 * `npm run sandbox`: every emulator up, and a `local` stack config that points at them, so a
 * newcomer can run `pulumi up -s local` with no accounts. Data lives in memory until Ctrl-C.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import type { Emulator } from "./emulators/frame";
import { DEFAULT_PORTS, localStackSettings, MARKER, SANDBOX_APPWRITE, SANDBOX_ENV, SANDBOX_SUPABASE_REF, sandboxEmulators, type SandboxUrls } from "./local-stack";

function localStackYaml(urls: SandboxUrls): string {
    const config = Object.fromEntries(Object.entries(localStackSettings(urls)).map(([key, value]) => [`stackwire:${key}`, value]));
    return `${MARKER}: the local stack points at the emulators.\n${yaml.dump({ config }, { lineWidth: 120 })}`;
}

/** Starts an emulator on its fixed port, or on a free one when that is taken (another sandbox, say). */
export async function startOn(emulator: Emulator, port: number, warn: (line: string) => void = console.warn): Promise<string> {
    try {
        return await emulator.start(port);
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE" || port === 0) throw err;
        warn(`port ${port} is taken (another sandbox running?); ${emulator.name} uses a free one, and Pulumi.local.yaml points at this sandbox`);
        return emulator.start(0);
    }
}

async function main(): Promise<void> {
    const portArg = process.argv.indexOf("--port");
    const free = portArg >= 0 && process.argv[portArg + 1] === "0";
    const quiet = process.argv.includes("--quiet");
    // npm runs scripts from the project root, next to Pulumi.yaml.
    const projectDir = process.cwd();

    const { supabase, stripe, appwrite, trello, gitlab, resend, management } = sandboxEmulators();
    const emulators: Emulator[] = [supabase, stripe, appwrite, trello, gitlab, resend, management];
    const urls = {
        supabase: await startOn(supabase, free ? 0 : DEFAULT_PORTS.supabase),
        stripe: await startOn(stripe, free ? 0 : DEFAULT_PORTS.stripe),
        appwrite: await startOn(appwrite, free ? 0 : DEFAULT_PORTS.appwrite),
        trello: await startOn(trello, free ? 0 : DEFAULT_PORTS.trello),
    };
    const gitlabUrl = await startOn(gitlab, free ? 0 : DEFAULT_PORTS.gitlab);
    const resendUrl = await startOn(resend, free ? 0 : DEFAULT_PORTS.resend);
    const managementUrl = await startOn(management, free ? 0 : DEFAULT_PORTS.management);
    if (!quiet) for (const e of emulators) e.onRequest = (line) => console.log(`  ${line}`);

    const stackFile = path.join(projectDir, "Pulumi.local.yaml");
    const text = localStackYaml(urls);
    const writable = !existsSync(stackFile) || readFileSync(stackFile, "utf8").startsWith(MARKER);
    if (writable) writeFileSync(stackFile, text);

    console.log(`stackwire sandbox: emulators running
  supabase-storage  ${urls.supabase}/storage/v1
  stripe            ${urls.stripe}/v1
  appwrite          ${urls.appwrite}/v1 (project "${SANDBOX_APPWRITE.projectId}", function "notify")
  trello            ${urls.trello}/1
  gitlab            ${gitlabUrl}/api/v4 (for GitLab resources used directly; repositories need real GitHub)
  resend            ${resendUrl} (set resend.baseUrl to use it)
  supabase mgmt     ${managementUrl}/v1 (project "${SANDBOX_SUPABASE_REF}"; set supabase.managementUrl and projectRef)

${writable ? "Wrote Pulumi.local.yaml" : "Pulumi.local.yaml is your own, so it was left alone; the sandbox would write"}:
${text}
In another terminal:
${Object.entries(SANDBOX_ENV).map(([name, value]) => `  export ${name}=${value}`).join("\n")}
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
