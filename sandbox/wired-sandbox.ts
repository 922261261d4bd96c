/**
 * The sandbox grown into a working SaaS: every emulator, the functions the stack deploys running
 * for real (the relay under Deno, the Appwrite function under Node), the Supabase project's
 * database on a real PostgreSQL server, and the compiled program brought up and down through the
 * real dynamic-provider host. `npm run demo` and the engine tier's wire tests drive it.
 */
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import type * as pulumi from "@pulumi/pulumi";
import { withEnvironment } from "./engine/environment";
import { DynamicProviderHost } from "./engine/host";
import { MiniEngine, type PlannedStep } from "./engine/mini-engine";
import { AppwriteEmulator } from "./emulators/appwrite";
import type { Emulator } from "./emulators/frame";
import { GitlabEmulator } from "./emulators/gitlab";
import { AgoraEmulator } from "./emulators/agora";
import { ExpoEmulator } from "./emulators/expo";
import { MapboxEmulator } from "./emulators/mapbox";
import { OpenaiEmulator } from "./emulators/openai";
import { PosthogEmulator } from "./emulators/posthog";
import { ResendEmulator } from "./emulators/resend";
import { StripeEmulator } from "./emulators/stripe";
import { SupabaseManagementEmulator } from "./emulators/supabase-management";
import { SupabaseStorageEmulator } from "./emulators/supabase-storage";
import { TrelloEmulator } from "./emulators/trello";
import { serveDomainAt } from "./events/deliver";
import { DenoFunctionHost } from "./functions/deno-host";
import { NodeFunctionHost } from "./functions/node-host";
import { SANDBOX_APPWRITE, SANDBOX_ENV, SANDBOX_EXPO_PROJECT, SANDBOX_KEYS, SANDBOX_MAPBOX_USER, SANDBOX_POSTHOG_ORGANIZATION, SANDBOX_SUPABASE_REF } from "./local-stack";
import { DEMO_FUNCTION_DOMAIN, DEMO_FUNCTION_ID, wiredStackSettings } from "./wired-stack";

/** Where the demo finds a PostgreSQL server to make its throwaway database on. */
export interface ServerAddress {
    /** postgres://user@host:port/database of a role that may create databases (no password). */
    url: string;
    password: string;
}

/** The server the tests use (STACKWIRE_TEST_POSTGRES_URL), else a local one as `npm ci` on a laptop has it. */
export function postgresServer(env: NodeJS.ProcessEnv = process.env): ServerAddress {
    return { url: env.STACKWIRE_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres", password: env.STACKWIRE_TEST_POSTGRES_PASSWORD ?? env.PGPASSWORD ?? "" };
}

const withPassword = (url: string, password: string) => {
    const u = new URL(url);
    u.password = password;
    return u.toString();
};

/** The GitHub token the demo's program is given: GitHub itself is not in the sandbox, so it is never sent anywhere. */
const SANDBOX_GITHUB_TOKEN = "sandbox-github-token";

export class WiredSandbox {
    readonly deno = new DenoFunctionHost();
    readonly node = new NodeFunctionHost();
    readonly supabase: SupabaseStorageEmulator;
    readonly management: SupabaseManagementEmulator;
    readonly stripe = new StripeEmulator({ keys: [SANDBOX_KEYS.stripeSecretKey] });
    readonly appwrite: AppwriteEmulator;
    readonly trello = new TrelloEmulator({ key: SANDBOX_KEYS.trelloApiKey, token: SANDBOX_KEYS.trelloToken, appSecret: SANDBOX_KEYS.trelloAppSecret });
    readonly gitlab = new GitlabEmulator({ token: SANDBOX_KEYS.gitlabToken });
    readonly resend = new ResendEmulator({ apiKey: SANDBOX_KEYS.resendApiKey });
    readonly openai = new OpenaiEmulator({ adminKeys: [SANDBOX_KEYS.openaiAdminKey] });
    readonly agora = new AgoraEmulator({ accounts: { sandbox: { customerId: SANDBOX_KEYS.agoraCustomerId, customerSecret: SANDBOX_KEYS.agoraCustomerSecret } } });
    readonly mapbox = new MapboxEmulator({ accounts: [{ user: SANDBOX_MAPBOX_USER, scopes: ["tokens:read", "tokens:write", "styles:read", "styles:tiles", "fonts:read", "uploads:write"], token: SANDBOX_KEYS.mapboxAccessToken }] });
    readonly posthog = new PosthogEmulator({ keys: [{ value: SANDBOX_KEYS.posthogPersonalKey, scopes: ["project:write", "feature_flag:write"], organizations: [SANDBOX_POSTHOG_ORGANIZATION] }] });
    readonly expo = new ExpoEmulator({ accounts: [{ name: "sandbox", token: SANDBOX_KEYS.expoToken, apps: { [SANDBOX_EXPO_PROJECT]: "@sandbox/mobile" } }] });
    /** The Supabase project's database: a throwaway one, dropped by `stop`. */
    readonly database: { name: string; url: string; password: string };
    settings!: ReturnType<typeof wiredStackSettings>;
    private host?: DynamicProviderHost;
    private engine?: MiniEngine;
    outputs: Record<string, unknown> = {};

    /**
     * @param stack the stack's name, which decides its environment: "local" (the demo), or
     * "pr-<n>" for a review stack (fully destroyable, buckets emptied on delete).
     */
    constructor(
        private readonly server: ServerAddress = postgresServer(),
        private readonly stack = "local",
    ) {
        const name = `stackwire_demo_${randomBytes(4).toString("hex")}`;
        const url = new URL(server.url);
        url.pathname = `/${name}`;
        this.database = { name, url: url.toString(), password: server.password };
        this.supabase = new SupabaseStorageEmulator({
            serviceRoleKey: SANDBOX_KEYS.supabaseServiceRoleKey,
            anonKey: SANDBOX_KEYS.supabaseAnonKey,
            functionHost: this.deno,
            verifiesJwt: (slug) => this.management.functionOf(SANDBOX_SUPABASE_REF, slug)?.verify_jwt,
        });
        this.management = new SupabaseManagementEmulator({
            token: SANDBOX_KEYS.supabaseAccessToken,
            projects: [SANDBOX_SUPABASE_REF],
            functionHost: this.deno,
            databaseUrl: withPassword(this.database.url, server.password),
            serviceRoleKey: SANDBOX_KEYS.supabaseServiceRoleKey,
            anonKey: SANDBOX_KEYS.supabaseAnonKey,
        });
        this.appwrite = new AppwriteEmulator({ ...SANDBOX_APPWRITE, apiKey: SANDBOX_KEYS.appwriteApiKey, buildMs: 50, functionHost: this.node });
    }

    get emulators(): Emulator[] {
        return [this.supabase, this.management, this.stripe, this.appwrite, this.trello, this.gitlab, this.resend, this.openai, this.agora, this.mapbox, this.posthog, this.expo];
    }

    /** Creates the database and starts every emulator and the provider host. */
    async start(): Promise<void> {
        await this.admin((c) => c.query(`CREATE DATABASE ${this.database.name}`)).catch((err: Error) => {
            throw new Error(`cannot make the demo's database on ${this.server.url}: ${err.message}. The relay records events in PostgreSQL: start a server, or point STACKWIRE_TEST_POSTGRES_URL (postgres://user@host:port/db) and STACKWIRE_TEST_POSTGRES_PASSWORD at one`);
        });
        for (const e of this.emulators) await e.start();
        this.management.setProjectUrl(SANDBOX_SUPABASE_REF, this.supabase.url);
        this.settings = wiredStackSettings(this.urls());
        this.host = await DynamicProviderHost.start({ ...this.credentials(), NODE_OPTIONS: `--require ${require.resolve("./engine/network-guard")}` });
        await this.host.configure({});
        this.engine = new MiniEngine(this.host, "stackwire", this.stack);
    }

    /** The stack's credentials, as `pulumi up` would read them from the environment. */
    credentials(): Record<string, string> {
        return { ...SANDBOX_ENV, GITHUB_TOKEN: SANDBOX_GITHUB_TOKEN, TRELLO_API_SECRET: SANDBOX_KEYS.trelloAppSecret, SUPABASE_DB_PASSWORD: this.server.password };
    }

    /** The URLs a blueprint is filled in with (`fillForSandbox`). */
    urls(redis?: string) {
        return { supabase: this.supabase.url, management: this.management.url, stripe: this.stripe.url, appwrite: this.appwrite.url, trello: this.trello.url, gitlab: this.gitlab.url, resend: this.resend.url, openai: this.openai.url, agora: this.agora.url, mapbox: this.mapbox.url, posthog: this.posthog.url, expo: this.expo.url, database: this.database.url, ...(redis ? { redis } : {}) };
    }

    /**
     * `pulumi up` of a stack through the real provider host: the demo stack unless other settings
     * are given (a blueprint's), with secret settings such as platformKeys set as secrets.
     */
    async up(settings: Record<string, unknown> = this.settings, secrets: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
        const config = Object.fromEntries(Object.entries({ ...settings, ...secrets }).map(([key, value]) => [`stackwire:${key}`, JSON.stringify(value)]));
        const outputs: Record<string, unknown> = {};
        await this.withCredentials(() => this.engine!.up(config, () => this.program(outputs), Object.keys(secrets).map((k) => `stackwire:${k}`)));
        this.outputs = outputs;
        // What a user does by hand once: publish the domain's DNS records, and add the function's domain.
        for (const domain of this.resend.domains.values()) this.resend.verifyDomain(String(domain.name));
        serveDomainAt(DEMO_FUNCTION_DOMAIN, this.appwrite.functionsUrl);
        this.appwrite.addFunctionDomain(DEMO_FUNCTION_DOMAIN, DEMO_FUNCTION_ID);
        return this.outputs;
    }

    /** `pulumi preview` of a stack: what up would do to each resource (no API call is made). */
    async preview(settings: Record<string, unknown> = this.settings): Promise<Record<string, PlannedStep>> {
        const config = Object.fromEntries(Object.entries(settings).map(([key, value]) => [`stackwire:${key}`, JSON.stringify(value)]));
        return this.withCredentials(() => this.engine!.preview(config, () => this.program({})));
    }

    /** Runs with the stack's credentials in the environment, as `pulumi` reads them, then puts it back. */
    private withCredentials<T>(run: () => Promise<T>): Promise<T> {
        return withEnvironment(this.credentials(), run);
    }

    /** Another `pulumi up` with nothing changed: what it did to each resource. */
    async upAgain(): Promise<Record<string, string>> {
        await this.up();
        return { ...this.engine!.steps };
    }

    private program(into: Record<string, unknown>): pulumi.Output<unknown>[] {
        const entry = require.resolve("../index");
        delete require.cache[entry];
        const exported = require(entry) as Record<string, pulumi.Output<unknown> | undefined>;
        // Outputs settle with the up; plain values (the relay's URL is known from the config) are read as they are.
        const outputs: pulumi.Output<unknown>[] = [];
        for (const [name, value] of Object.entries(exported)) {
            if (value !== undefined && typeof (value as pulumi.Output<unknown>).apply === "function") outputs.push((value as pulumi.Output<unknown>).apply((v) => (into[name] = v)));
            else if (value !== undefined) into[name] = value;
        }
        return outputs;
    }

    /** State the engine holds for a resource, by its name (a generated secret, say). */
    stateOf(name: string): Record<string, unknown> | undefined {
        return this.engine?.state.get(name)?.outputs ?? this.engine?.officialState(name);
    }

    async destroy(options: { stopAfter?: number } = {}): Promise<void> {
        await this.engine!.destroy(options);
    }

    /** The engine behind the stack: its state, to export or forget. */
    get stackEngine(): MiniEngine {
        return this.engine!;
    }

    /**
     * What the stack left on the platforms: live objects of any kind it makes. Empty after a
     * destroy that cleaned up. Stripe keeps archived products (they cannot be deleted once they
     * have prices), so only active ones count.
     */
    leftovers(): string[] {
        const live = <T>(what: string, items: Iterable<T>, alive: (item: T) => boolean = () => true) => [...items].filter(alive).map(() => what);
        const management = this.management as unknown as { functions?: Map<string, Map<string, unknown>>; secrets: Map<string, Map<string, string>> };
        return [
            ...live("Stripe product", this.stripe.products.values(), (p) => p.active === true),
            ...live("Stripe price", this.stripe.prices.values(), (p) => p.active === true),
            ...live("Stripe webhook endpoint", this.stripe.webhookEndpoints.values()),
            ...live("Supabase bucket", this.supabase.buckets.values()),
            ...live("Supabase secret", [...management.secrets.values()].flatMap((m) => [...m.keys()])),
            ...live("Supabase function", [...(management.functions?.values() ?? [])].flatMap((m) => [...m.keys()])),
            ...live("Appwrite database", this.appwrite.databases.values()),
            ...live("Appwrite function", this.appwrite.functionRecords.values()),
            ...live("Appwrite messaging provider", this.appwrite.providers.values()),
            ...live("Trello board", this.trello.boards.values(), (b) => b.closed !== true),
            ...live("Trello webhook", this.trello.webhooks.values()),
            ...live("GitLab project", this.gitlab.projects.values(), (p) => p.pending_delete !== true),
            ...live("Resend domain", this.resend.domains.values()),
            ...live("Resend API key", this.resend.apiKeys.values(), (k) => k.token !== SANDBOX_KEYS.resendApiKey),
            ...live("OpenAI project", this.openai.projects.values(), (p) => p.status === "active"),
            ...live("OpenAI service account", [...this.openai.projects.values()].flatMap((p) => [...p.accounts.values()])),
            ...live("Agora project", this.agora.projects.values(), (p) => p.status === 1),
            ...live("Mapbox token", this.mapbox.tokens.values(), (t) => t.token !== SANDBOX_KEYS.mapboxAccessToken),
            ...live("PostHog project", this.posthog.projects.values(), (p) => !p.is_pending_deletion),
            // A flag of a project being deleted goes with it (PostHog's deletion workflow).
            ...live("PostHog feature flag", this.posthog.flags.values(), (f) => !f.deleted && this.posthog.projects.get(f.project)?.is_pending_deletion !== true),
            ...live("Expo variable", this.expo.variables.values()),
            ...live("Supabase Auth SMTP through Resend", [this.management.authConfig(SANDBOX_SUPABASE_REF) as Record<string, unknown>], (auth) => auth.smtp_host === "smtp.resend.com"),
        ];
    }

    /** Queries the Supabase project's database. */
    async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
        const client = new Client({ connectionString: withPassword(this.database.url, this.database.password) });
        await client.connect();
        try {
            return (await client.query(sql, params)).rows as T[];
        } finally {
            await client.end();
        }
    }

    private async admin<T>(run: (c: Client) => Promise<T>): Promise<T> {
        const client = new Client({ connectionString: withPassword(this.server.url, this.server.password) });
        await client.connect();
        try {
            return await run(client);
        } finally {
            await client.end();
        }
    }

    async stop(): Promise<void> {
        await this.host?.stop();
        await this.deno.stop();
        await this.node.stop();
        for (const e of this.emulators) await e.stop();
        await this.admin((c) => c.query(`DROP DATABASE IF EXISTS ${this.database.name} WITH (FORCE)`)).catch(() => undefined);
    }
}
