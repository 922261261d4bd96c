/**
 * The relay: the stack's own Supabase Edge Function (functions/supabase/relay) that receives the
 * wires' events, and everything that points at it. Each source gets an endpoint on the relay
 * (`/stripe`, `/github`, `/gitlab`, `/trello`) and a secret generated here or handed over by the
 * source (Stripe's signing secret); the relay's environment is its function secrets, so nothing is
 * copied by hand.
 */
import * as github from "@pulumi/github";
import { OWNER_METADATA_KEY } from "../../dynamic-providers/core/ownership";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { GitlabProjectHook, type GitlabProjectHookArgs } from "../../dynamic-providers/gitlab/hook";
import { SqlMigrations, type SqlMigrationsArgs } from "../../dynamic-providers/postgres/migrations";
import { ResendApiKey, type ResendApiKeyArgs } from "../../dynamic-providers/resend/api-key";
import type { KeyMode } from "../../dynamic-providers/stripe/schema";
import { StripeWebhookEndpoint, type StripeWebhookEndpointArgs } from "../../dynamic-providers/stripe/webhook-endpoint";
import { SupabaseEdgeFunction, type SupabaseEdgeFunctionArgs } from "../../dynamic-providers/supabase/edge-function";
import { SupabaseSecretSet, type SupabaseSecretSetArgs } from "../../dynamic-providers/supabase/secrets";
import { TrelloWebhook, type TrelloWebhookArgs } from "../../dynamic-providers/trello/webhook";
import { transformed, type Transform } from "../component";

export const RELAY_TYPE = "stackwire:wires:Relay";

/** Every function secret the relay may be given: the project's other secret sets must not take these names. */
export const RELAY_SECRET_NAMES: readonly string[] = [
    "STRIPE_WEBHOOK_SECRET", "RESEND_API_KEY", "RESEND_BASE_URL", "RECEIPT_FROM", "RECEIPT_EVENTS", "ALERT_FROM", "ALERT_TO",
    "GITHUB_WEBHOOK_SECRET", "GITLAB_WEBHOOK_TOKEN", "TRELLO_API_KEY", "TRELLO_TOKEN", "TRELLO_BASE_URL", "TRELLO_API_SECRET", "TRELLO_CALLBACK_URL",
    "TRELLO_LIST_OPENED", "TRELLO_LIST_CLOSED", "TRELLO_LIST_RUNNING", "TRELLO_LIST_SUCCESS", "TRELLO_LIST_FAILED",
];

export interface RelaySupabase {
    projectRef: string;
    /** The project URL; the relay answers at `<url>/functions/v1/<slug>`. */
    projectUrl: string;
    managementUrl?: string;
    slug: string;
    /** The function's files (path → content) and entrypoint, as deployed. */
    files: Record<string, string>;
    entrypoint: string;
    /**
     * The project's database, where the relay records events: its tables are migrated here. The
     * relay itself connects with SUPABASE_DB_URL, which Supabase gives every Edge Function.
     */
    database: { connectionUrl: string; password: pulumi.Input<string>; migrations: { name: string; sql: string }[] };
}

export interface RelayArgs {
    supabase: RelaySupabase;
    /** Stripe events to the relay (`/stripe`): payments saved, receipts sent. */
    stripe?: { apiBase?: string; keyModes?: KeyMode[]; events: string[]; owner?: string };
    /** Sending through Resend (receipts, alerts): a sending-only key restricted to the sender's domain. */
    resend?: { baseUrl?: string; keyName: string; domainId: pulumi.Input<string>; receipts?: { from: string; events: string[] }; alert?: { from: string; to: string[] } };
    /** GitHub repositories whose events go to `/github`, with the events each sends. */
    github?: { provider: github.Provider; repositories: Record<string, { name: pulumi.Input<string>; events: string[] }>; trelloLists?: { opened: pulumi.Input<string>; closed: pulumi.Input<string> } };
    /** The GitLab project whose pipelines go to `/gitlab`, and the Trello lists per status. */
    gitlab?: { baseUrl?: string; projectId: pulumi.Input<string>; trelloLists: { running: pulumi.Input<string>; success: pulumi.Input<string>; failed: pulumi.Input<string> } };
    /** Trello: the credentials the relay uses to make cards, and the board whose events go to `/trello`. */
    trello?: { baseUrl?: string; apiKey: pulumi.Input<string>; token: pulumi.Input<string>; apiSecret?: pulumi.Input<string>; watchedBoardId?: pulumi.Input<string> };
    transform?: {
        function?: Transform<SupabaseEdgeFunctionArgs>;
        secrets?: Transform<SupabaseSecretSetArgs>;
        stripeEndpoint?: Transform<StripeWebhookEndpointArgs>;
        sendingKey?: Transform<ResendApiKeyArgs>;
        githubWebhook?: Transform<github.RepositoryWebhookArgs>;
        gitlabHook?: Transform<GitlabProjectHookArgs>;
        trelloWebhook?: Transform<TrelloWebhookArgs>;
        generatedSecret?: Transform<random.RandomPasswordArgs>;
        migrations?: Transform<SqlMigrationsArgs>;
    };
}

export class Relay extends pulumi.ComponentResource {
    /** The relay's base URL; each source posts to `<url>/<source>`. */
    public readonly url: string;
    /** The deployed function's content hash: a changed relay redeploys. */
    public readonly contentHash: pulumi.Output<string>;
    /** The names of the relay's function secrets (the values stay in Supabase and in state, secret). */
    public readonly secretNames: string[];

    constructor(name: string, args: RelayArgs, opts?: pulumi.ComponentResourceOptions) {
        super(RELAY_TYPE, name, {}, opts);
        const t = args.transform ?? {};
        const child = { parent: this };
        const { supabase } = args;
        this.url = `${supabase.projectUrl.replace(/\/+$/, "")}/functions/v1/${supabase.slug}`;
        const generated = (purpose: string) => pulumi.secret(new random.RandomPassword(...transformed(t.generatedSecret, `${name}-${purpose}`, { length: 40, special: false }, child)).result);

        const env: Record<string, pulumi.Input<string>> = {};
        const ready: pulumi.Resource[] = [];
        const { connectionUrl, password, migrations } = supabase.database;
        const migrationArgs: SqlMigrationsArgs = { connectionUrl, password: pulumi.secret(password), migrations, table: "stackwire_relay_migrations" };
        ready.push(new SqlMigrations(...transformed(t.migrations, `${name}-tables`, migrationArgs, child)));

        if (args.stripe) {
            const s = args.stripe;
            const endpointArgs: StripeWebhookEndpointArgs = {
                ...(s.apiBase ? { apiBase: s.apiBase } : {}),
                ...(s.keyModes ? { keyModes: s.keyModes } : {}),
                url: `${this.url}/stripe`,
                enabledEvents: s.events,
                description: "stackwire relay",
                ...(s.owner ? { metadata: { [OWNER_METADATA_KEY]: s.owner } } : {}),
            };
            const endpoint = new StripeWebhookEndpoint(...transformed(t.stripeEndpoint, `${name}-stripe`, endpointArgs, child));
            // Verifying a delivery needs its endpoint's signing secret only: the account's API key stays out of the relay.
            env.STRIPE_WEBHOOK_SECRET = endpoint.secret;
        }

        if (args.resend) {
            const r = args.resend;
            const keyArgs: ResendApiKeyArgs = { ...(r.baseUrl ? { baseUrl: r.baseUrl } : {}), name: r.keyName, permission: "sending_access", domainId: r.domainId };
            env.RESEND_API_KEY = new ResendApiKey(...transformed(t.sendingKey, `${name}-sending-key`, keyArgs, child)).token;
            if (r.baseUrl) env.RESEND_BASE_URL = r.baseUrl;
            if (r.receipts) {
                env.RECEIPT_FROM = r.receipts.from;
                env.RECEIPT_EVENTS = r.receipts.events.join(",");
            }
            if (r.alert) {
                env.ALERT_FROM = r.alert.from;
                env.ALERT_TO = r.alert.to.join(",");
            }
        }

        if (args.github) {
            const secret = generated("github-secret");
            env.GITHUB_WEBHOOK_SECRET = secret;
            for (const [key, repo] of Object.entries(args.github.repositories)) {
                const hookArgs: github.RepositoryWebhookArgs = { repository: repo.name, events: repo.events, active: true, configuration: { url: `${this.url}/github`, contentType: "json", insecureSsl: false, secret } };
                new github.RepositoryWebhook(...transformed(t.githubWebhook, `${name}-github-${key}`, hookArgs, { ...child, provider: args.github.provider }));
            }
            if (args.github.trelloLists) {
                env.TRELLO_LIST_OPENED = args.github.trelloLists.opened;
                env.TRELLO_LIST_CLOSED = args.github.trelloLists.closed;
            }
        }

        if (args.gitlab) {
            const g = args.gitlab;
            const token = generated("gitlab-token");
            const hookArgs: GitlabProjectHookArgs = { ...(g.baseUrl ? { baseUrl: g.baseUrl } : {}), projectId: g.projectId, url: `${this.url}/gitlab`, token, events: ["pipeline"] };
            new GitlabProjectHook(...transformed(t.gitlabHook, `${name}-gitlab`, hookArgs, child));
            env.GITLAB_WEBHOOK_TOKEN = token;
            env.TRELLO_LIST_RUNNING = g.trelloLists.running;
            env.TRELLO_LIST_SUCCESS = g.trelloLists.success;
            env.TRELLO_LIST_FAILED = g.trelloLists.failed;
        }

        if (args.trello) {
            const tr = args.trello;
            env.TRELLO_API_KEY = tr.apiKey;
            env.TRELLO_TOKEN = tr.token;
            if (tr.baseUrl) env.TRELLO_BASE_URL = tr.baseUrl;
            if (tr.watchedBoardId !== undefined && tr.apiSecret !== undefined) {
                env.TRELLO_API_SECRET = tr.apiSecret;
                env.TRELLO_CALLBACK_URL = `${this.url}/trello`;
            }
        }

        const connection = { projectRef: supabase.projectRef, ...(supabase.managementUrl ? { managementUrl: supabase.managementUrl } : {}) };
        const secrets = new SupabaseSecretSet(...transformed(t.secrets, `${name}-secrets`, { ...connection, secrets: pulumi.secret(pulumi.output(env)) } as SupabaseSecretSetArgs, child));
        this.secretNames = Object.keys(env).sort();
        const functionArgs: SupabaseEdgeFunctionArgs = {
            ...connection,
            projectUrl: supabase.projectUrl,
            slug: supabase.slug,
            name: "stackwire relay",
            files: supabase.files,
            entrypoint: supabase.entrypoint,
            verifyJwt: false,
        };
        const fn = new SupabaseEdgeFunction(...transformed(t.function, `${name}-function`, functionArgs, { ...child, dependsOn: [secrets, ...ready] }));
        this.contentHash = fn.contentHash;

        // Trello checks the callback with HEAD when the webhook is made: the relay must answer first.
        if (args.trello?.watchedBoardId !== undefined && args.trello.apiSecret !== undefined) {
            const hookArgs: TrelloWebhookArgs = { ...(args.trello.baseUrl ? { baseUrl: args.trello.baseUrl } : {}), callbackUrl: `${this.url}/trello`, modelId: args.trello.watchedBoardId, description: "stackwire relay" };
            new TrelloWebhook(...transformed(t.trelloWebhook, `${name}-trello`, hookArgs, { ...child, dependsOn: [fn] }));
        }
        this.registerOutputs({ url: this.url, contentHash: this.contentHash, secretNames: this.secretNames });
    }
}
