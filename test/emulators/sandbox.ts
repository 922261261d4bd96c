/**
 * `npm run sandbox`: every emulator up, and a `local` stack config that points at them, so a
 * newcomer can run `pulumi up -s local` with no accounts. Data lives in memory until Ctrl-C.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { AppwriteEmulator } from "./appwrite";
import type { Emulator } from "./frame";
import { GitlabEmulator } from "./gitlab";
import { ResendEmulator } from "./resend";
import { SupabaseManagementEmulator } from "./supabase-management";
import { TrelloEmulator } from "./trello";
import { StripeEmulator } from "./stripe";
import { SupabaseStorageEmulator } from "./supabase-storage";

/** Fake keys: the emulators accept them and nothing else does. */
export const SANDBOX_KEYS = {
    supabaseServiceRoleKey: "sandbox-supabase-service-role-key",
    supabaseAnonKey: "sandbox-supabase-anon-key",
    stripeSecretKey: "sk_test_sandboxStackwireKey000",
    appwriteApiKey: "sandbox-appwrite-api-key",
    gitlabToken: "glpat-sandbox-token",
    trelloApiKey: "sandbox-trello-key",
    trelloToken: "sandbox-trello-token",
    resendApiKey: "re_sandboxResendKey0123456789",
    supabaseAccessToken: "sbp_sandboxAccessToken0123",
};

/** The sandbox's Supabase project reference, for Edge Function secrets. */
export const SANDBOX_SUPABASE_REF = "sandboxprojectref000";

/** The sandbox's Appwrite project, with one function whose variables stacks may set. */
export const SANDBOX_APPWRITE = { projectId: "sandbox", functions: ["notify"] };

/** Fixed ports keep the stack's URLs, and so its state, valid across sandbox restarts. */
const DEFAULT_PORTS = { supabase: 54400, stripe: 54401, appwrite: 54402, trello: 54403, gitlab: 54404, resend: 54405, management: 54406 };

const MARKER = "# Written by `npm run sandbox`";

export interface SandboxUrls {
    supabase: string;
    stripe: string;
    appwrite: string;
    trello: string;
}

/** The local stack's settings: a little of every service, pointed at the emulators. */
export function localStackSettings(urls: SandboxUrls) {
    return {
        supabase: {
            url: urls.supabase,
            buckets: {
                avatars: { public: true, fileSizeLimit: "5MB", allowedMimeTypes: ["image/png", "image/jpeg"] },
                invoices: { allowedMimeTypes: ["application/pdf"] },
            },
        },
        stripe: {
            apiBase: urls.stripe,
            products: {
                pro: {
                    name: "Pro",
                    description: "Everything a team needs",
                    prices: {
                        monthly: { currency: "eur", unitAmount: 2000, recurring: { interval: "month" } },
                        yearly: { currency: "eur", unitAmount: 20000, recurring: { interval: "year" } },
                    },
                },
            },
            webhooks: {
                app: { url: "https://app.example.com/webhooks/stripe", enabledEvents: ["checkout.session.completed", "invoice.paid"] },
            },
        },
        appwrite: {
            endpoint: `${urls.appwrite}/v1`,
            projectId: SANDBOX_APPWRITE.projectId,
            databases: {
                app: {
                    name: "App",
                    collections: {
                        users: {
                            name: "Users",
                            permissions: ['read("users")'],
                            attributes: {
                                email: { type: "email", required: true },
                                plan: { type: "enum", elements: ["free", "pro"], default: "free" },
                            },
                            indexes: { by_email: { type: "unique", attributes: ["email"] } },
                        },
                        orders: {
                            name: "Orders",
                            attributes: {
                                total: { type: "integer", min: 0, required: true },
                                customer: { type: "relationship", relatedCollection: "users", relationType: "manyToOne", onDelete: "cascade" },
                            },
                        },
                    },
                },
            },
            buckets: { uploads: { name: "Uploads", allowedFileExtensions: ["png", "jpg", "pdf"], maximumFileSize: 10_000_000 } },
        },
        trello: {
            baseUrl: `${urls.trello}/1`,
            boards: { devops: { name: "DevOps", lists: ["Issues", "In progress", "Pipelines", "Done"], labels: { bug: "red", ci: "blue" } } },
        },
    };
}

function localStackYaml(urls: SandboxUrls): string {
    const config = Object.fromEntries(Object.entries(localStackSettings(urls)).map(([key, value]) => [`stackwire:${key}`, value]));
    return `${MARKER}: the local stack points at the emulators.\n${yaml.dump({ config }, { lineWidth: 120 })}`;
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
    const free = portArg >= 0 && process.argv[portArg + 1] === "0";
    const quiet = process.argv.includes("--quiet");
    // npm runs scripts from the project root, next to Pulumi.yaml.
    const projectDir = process.cwd();

    const supabase = new SupabaseStorageEmulator({ serviceRoleKey: SANDBOX_KEYS.supabaseServiceRoleKey, anonKey: SANDBOX_KEYS.supabaseAnonKey });
    const stripe = new StripeEmulator({ keys: [SANDBOX_KEYS.stripeSecretKey] });
    const appwrite = new AppwriteEmulator({ ...SANDBOX_APPWRITE, apiKey: SANDBOX_KEYS.appwriteApiKey });
    const trello = new TrelloEmulator({ key: SANDBOX_KEYS.trelloApiKey, token: SANDBOX_KEYS.trelloToken });
    const gitlab = new GitlabEmulator({ token: SANDBOX_KEYS.gitlabToken });
    const resend = new ResendEmulator({ apiKey: SANDBOX_KEYS.resendApiKey });
    const management = new SupabaseManagementEmulator({ token: SANDBOX_KEYS.supabaseAccessToken, projects: [SANDBOX_SUPABASE_REF] });
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
  export SUPABASE_SERVICE_ROLE_KEY=${SANDBOX_KEYS.supabaseServiceRoleKey}
  export STRIPE_SECRET_KEY=${SANDBOX_KEYS.stripeSecretKey}
  export APPWRITE_API_KEY=${SANDBOX_KEYS.appwriteApiKey}
  export TRELLO_API_KEY=${SANDBOX_KEYS.trelloApiKey} TRELLO_TOKEN=${SANDBOX_KEYS.trelloToken}
  export GITLAB_TOKEN=${SANDBOX_KEYS.gitlabToken}
  export RESEND_API_KEY=${SANDBOX_KEYS.resendApiKey} SUPABASE_ACCESS_TOKEN=${SANDBOX_KEYS.supabaseAccessToken}
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
