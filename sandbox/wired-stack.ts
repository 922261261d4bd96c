/**
 * The demo's stack: the SaaS blueprint's platforms plus the code-hosting ones, with all ten of
 * the seed's wires, pointed at the sandbox. Its database is a throwaway one on a real PostgreSQL
 * server (the Supabase project's database, where the relay records events).
 */
import { SANDBOX_APPWRITE, SANDBOX_SUPABASE_REF } from "./local-stack";

export interface WiredUrls {
    supabase: string;
    management: string;
    stripe: string;
    appwrite: string;
    trello: string;
    gitlab: string;
    resend: string;
    /** postgres://user@host:port/database, without the password. */
    database: string;
}

/** The sending domain: the demo verifies it on the Resend emulator, as a user would after publishing DNS. */
export const DEMO_DOMAIN = "mail.sandbox.test";

/** The Appwrite function's domain (a proxy rule, made in the console in real life; the demo adds it to the emulator). */
export const DEMO_FUNCTION_DOMAIN = "stripe-events.functions.sandbox.test";

/** The Appwrite function's id (the wire's default). */
export const DEMO_FUNCTION_ID = "stripe-events";

export function wiredStackSettings(urls: WiredUrls) {
    return {
        supabase: { url: urls.supabase, projectRef: SANDBOX_SUPABASE_REF, managementUrl: `${urls.management}`, database: { url: urls.database } },
        stripe: { apiBase: urls.stripe, products: { pro: { name: "Pro", prices: { monthly: { currency: "eur", unitAmount: 2000, recurring: { interval: "month" } } } } } },
        appwrite: {
            endpoint: `${urls.appwrite}/v1`,
            projectId: SANDBOX_APPWRITE.projectId,
            databases: {
                app: {
                    name: "App",
                    collections: {
                        payments: {
                            name: "Payments",
                            attributes: {
                                eventId: { type: "string", size: 255, required: true },
                                type: { type: "string", size: 64, required: true },
                                payload: { type: "string", size: 100000, required: true },
                            },
                            // One document per event, whatever reaches the function twice.
                            indexes: { by_event: { type: "unique", attributes: ["eventId"] } },
                        },
                    },
                },
            },
        },
        github: { owner: "acme", repositories: { app: { gitlabMirror: { direction: "push" } } } },
        gitlab: { baseUrl: urls.gitlab },
        trello: {
            baseUrl: `${urls.trello}/1`,
            boards: { devops: { name: "DevOps", lists: ["Issues", "Done", "Pipelines running", "Pipelines passed", "Pipelines failed"] } },
        },
        resend: { baseUrl: urls.resend, domains: { [DEMO_DOMAIN]: {} } },
        wires: {
            stripeToSupabase: {},
            stripeToResend: { from: `billing@${DEMO_DOMAIN}` },
            supabaseToResend: { from: `auth@${DEMO_DOMAIN}`, fromName: "Acme" },
            appwriteToStripe: { database: "app", collection: "payments", domain: DEMO_FUNCTION_DOMAIN },
            appwriteToResend: { from: `hello@${DEMO_DOMAIN}`, fromName: "Acme" },
            githubToSupabase: { repository: "app" },
            githubToTrello: { repository: "app", board: "devops", lists: { opened: "issues", closed: "done" } },
            gitlabToTrello: { repository: "app", board: "devops", lists: { running: "pipelines-running", success: "pipelines-passed", failed: "pipelines-failed" } },
            githubToGitlab: { repository: "app" },
            trelloToResend: { board: "devops", from: `alerts@${DEMO_DOMAIN}`, to: ["team@acme.test"] },
        },
    };
}
