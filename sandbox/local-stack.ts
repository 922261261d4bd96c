/**
 * The sandbox's fixtures, shared by `npm run sandbox` and the tests: the fake credentials the
 * emulators accept, the emulators themselves, and a `local` stack config that points at them.
 */
import { AppwriteEmulator } from "./emulators/appwrite";
import { GitlabEmulator } from "./emulators/gitlab";
import { ResendEmulator } from "./emulators/resend";
import { StripeEmulator } from "./emulators/stripe";
import { SupabaseManagementEmulator } from "./emulators/supabase-management";
import { SupabaseStorageEmulator } from "./emulators/supabase-storage";
import { TrelloEmulator } from "./emulators/trello";

/** Fake keys: the emulators accept them and nothing else does. */
export const SANDBOX_KEYS = {
    supabaseServiceRoleKey: "sandbox-supabase-service-role-key",
    supabaseAnonKey: "sandbox-supabase-anon-key",
    stripeSecretKey: "sk_test_sandboxStackwireKey000",
    appwriteApiKey: "sandbox-appwrite-api-key",
    gitlabToken: "glpat-sandbox-token",
    trelloApiKey: "sandbox-trello-key",
    trelloToken: "sandbox-trello-token",
    /** The Trello app's secret, which signs webhook deliveries. */
    trelloAppSecret: "sandbox-trello-app-secret",
    resendApiKey: "re_sandboxResendKey0123456789",
    supabaseAccessToken: "sbp_sandboxAccessToken0123",
    /** The OpenAI organization owner's admin key (the emulator's). */
    openaiAdminKey: "sandbox-openai-admin-key",
    agoraCustomerId: "5a9d0c1b2e3f4a5b6c7d8e9f0a1b2c3d",
    agoraCustomerSecret: "d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8",
    /** A secret Mapbox token of the sandbox's account: its payload names the user, as Mapbox's do. */
    mapboxAccessToken: `sk.${Buffer.from(JSON.stringify({ u: "sandbox", a: "csandboxaccounttoken000000" })).toString("base64").replace(/=+$/, "")}.sandboxsignature`,
    posthogPersonalKey: "phx_sandboxPersonalKeyOfTheOrganizationOwner01",
    expoToken: "sandbox-expo-robot-token",
};

/** The sandbox's Mapbox account, PostHog organization and EAS project. */
export const SANDBOX_MAPBOX_USER = "sandbox";
export const SANDBOX_POSTHOG_ORGANIZATION = "0190a1b2-c3d4-7e5f-8a9b-5a4db0c5e001";
export const SANDBOX_EXPO_PROJECT = "6b1f2c3d-4e5f-4a6b-8c7d-5a4db0c5e002";

/** The sandbox's Supabase project reference, for Edge Function secrets. */
export const SANDBOX_SUPABASE_REF = "sandboxprojectrefabc";

/** The sandbox's Appwrite project, with one function whose variables stacks may set. */
export const SANDBOX_APPWRITE = { projectId: "sandbox", functions: ["notify"] };

/** Fixed ports keep the stack's URLs, and so its state, valid across sandbox restarts. */
export const DEFAULT_PORTS = { supabase: 54400, stripe: 54401, appwrite: 54402, trello: 54403, gitlab: 54404, resend: 54405, management: 54406 };

export const MARKER = "# Written by `npm run sandbox`";

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

/** The credentials as a stack's providers read them from the environment. */
export const SANDBOX_ENV: Record<string, string> = {
    SUPABASE_SERVICE_ROLE_KEY: SANDBOX_KEYS.supabaseServiceRoleKey,
    STRIPE_SECRET_KEY: SANDBOX_KEYS.stripeSecretKey,
    APPWRITE_API_KEY: SANDBOX_KEYS.appwriteApiKey,
    TRELLO_API_KEY: SANDBOX_KEYS.trelloApiKey,
    TRELLO_TOKEN: SANDBOX_KEYS.trelloToken,
    TRELLO_API_SECRET: SANDBOX_KEYS.trelloAppSecret,
    GITLAB_TOKEN: SANDBOX_KEYS.gitlabToken,
    RESEND_API_KEY: SANDBOX_KEYS.resendApiKey,
    SUPABASE_ACCESS_TOKEN: SANDBOX_KEYS.supabaseAccessToken,
    OPENAI_ADMIN_KEY: SANDBOX_KEYS.openaiAdminKey,
    AGORA_CUSTOMER_ID: SANDBOX_KEYS.agoraCustomerId,
    AGORA_CUSTOMER_SECRET: SANDBOX_KEYS.agoraCustomerSecret,
    MAPBOX_ACCESS_TOKEN: SANDBOX_KEYS.mapboxAccessToken,
    POSTHOG_PERSONAL_API_KEY: SANDBOX_KEYS.posthogPersonalKey,
    EXPO_TOKEN: SANDBOX_KEYS.expoToken,
};

/** Every emulator, accepting the sandbox's credentials. */
export function sandboxEmulators() {
    return {
        supabase: new SupabaseStorageEmulator({ serviceRoleKey: SANDBOX_KEYS.supabaseServiceRoleKey, anonKey: SANDBOX_KEYS.supabaseAnonKey }),
        stripe: new StripeEmulator({ keys: [SANDBOX_KEYS.stripeSecretKey] }),
        // Builds take time, as on a server (a real one takes seconds; the sandbox, a moment).
        appwrite: new AppwriteEmulator({ ...SANDBOX_APPWRITE, apiKey: SANDBOX_KEYS.appwriteApiKey, buildMs: 200 }),
        trello: new TrelloEmulator({ key: SANDBOX_KEYS.trelloApiKey, token: SANDBOX_KEYS.trelloToken, appSecret: SANDBOX_KEYS.trelloAppSecret }),
        gitlab: new GitlabEmulator({ token: SANDBOX_KEYS.gitlabToken }),
        resend: new ResendEmulator({ apiKey: SANDBOX_KEYS.resendApiKey }),
        management: new SupabaseManagementEmulator({ token: SANDBOX_KEYS.supabaseAccessToken, projects: [SANDBOX_SUPABASE_REF] }),
    };
}
