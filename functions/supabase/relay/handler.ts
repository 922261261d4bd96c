/**
 * The relay's request handler, built from the function's environment. Routes are the last path
 * segment (Supabase passes `/<slug>/stripe`; the sandbox passes `/stripe`). A route whose secret
 * is not set answers 404, a wrong method 405; a request that fails verification 401 with nothing
 * done; a delivery already acted on 200 `{ "duplicate": true }`. No answer or log line carries a
 * setting's value.
 */
import { type Env, readSetting, requireSettings, type RouteContext } from "./context.ts";
import { json, Refusal } from "./http.ts";
import { type Mailer, resendMailer } from "./mail.ts";
import { githubRoute } from "./routes/github.ts";
import { gitlabRoute } from "./routes/gitlab.ts";
import { stripeRoute } from "./routes/stripe.ts";
import { trelloRoute } from "./routes/trello.ts";
import { postgresStore, type Store } from "./store.ts";
import { trelloClient } from "./trello.ts";

interface Route {
    /** The setting without which the route does not exist (404). */
    secret: string;
    methods: string[];
    run: (ctx: RouteContext) => Promise<Response>;
}

const ROUTES: Record<string, Route> = {
    stripe: { secret: "STRIPE_WEBHOOK_SECRET", methods: ["POST"], run: stripeRoute },
    github: { secret: "GITHUB_WEBHOOK_SECRET", methods: ["POST"], run: githubRoute },
    gitlab: { secret: "GITLAB_WEBHOOK_TOKEN", methods: ["POST"], run: gitlabRoute },
    trello: { secret: "TRELLO_API_SECRET", methods: ["GET", "HEAD", "POST"], run: trelloRoute },
};

export const TRELLO_DEFAULT_BASE_URL = "https://api.trello.com/1";

export interface Relay {
    handle(request: Request): Promise<Response>;
    /** Closes the database pool (tests; the Edge runtime just stops). */
    close(): Promise<void>;
}

export interface RelayOptions {
    /** Where deliveries are recorded; by default PostgreSQL at SUPABASE_DB_URL. */
    store?: Store;
}

/** The values no answer or log may show: every setting long enough to be a credential, and the database password. */
function secretValues(env: Env): string[] {
    const values = Object.values(env).filter((v): v is string => typeof v === "string" && v.length >= 8);
    try {
        const password = decodeURIComponent(new URL(env.SUPABASE_DB_URL ?? "").password);
        if (password) values.push(password);
    } catch {
        // not a URL: nothing more to hide
    }
    return values.sort((a, b) => b.length - a.length);
}

export function createRelay(env: Env, options: RelayOptions = {}): Relay {
    const secrets = secretValues(env);
    const redact = (text: string) => secrets.reduce((t, s) => t.split(s).join("[redacted]"), text);
    let store = options.store;
    let mailer: Mailer | undefined;

    async function handle(request: Request): Promise<Response> {
        const segment = new URL(request.url).pathname.split("/").filter(Boolean).pop() ?? "";
        const route = Object.hasOwn(ROUTES, segment) ? ROUTES[segment] : undefined;
        if (!route || readSetting(env, route.secret) === undefined) return json(404, { error: `no route /${segment} on this relay` });
        if (!route.methods.includes(request.method)) return json(405, { error: `/${segment} takes ${route.methods.join(", ")}` }, { allow: route.methods.join(", ") });
        const body = new Uint8Array(await request.arrayBuffer());
        const ctx: RouteContext = {
            request,
            body,
            text: new TextDecoder().decode(body),
            setting: (name) => readSetting(env, name),
            require: (...names) => requireSettings(env, segment, names),
            store() {
                if (!store) store = postgresStore(requireSettings(env, segment, ["SUPABASE_DB_URL"]).SUPABASE_DB_URL);
                return store;
            },
            trello: () => {
                const { TRELLO_API_KEY: key, TRELLO_TOKEN: token } = requireSettings(env, segment, ["TRELLO_API_KEY", "TRELLO_TOKEN"]);
                return trelloClient({ baseUrl: readSetting(env, "TRELLO_BASE_URL") ?? TRELLO_DEFAULT_BASE_URL, key, token });
            },
            mailer() {
                const key = readSetting(env, "RESEND_API_KEY");
                if (key && !mailer) mailer = resendMailer(key, readSetting(env, "RESEND_BASE_URL"));
                return mailer;
            },
        };
        try {
            return await route.run(ctx);
        } catch (err) {
            if (err instanceof Refusal) return json(err.status, { error: redact(err.message) });
            const message = redact(err instanceof Error ? err.message : String(err));
            console.error(`relay /${segment}: ${message}`);
            return json(500, { error: `/${segment} failed: ${message}` });
        }
    }

    return { handle, close: async () => await store?.close() };
}

let fromEnvironment: Relay | undefined;

/** The handler Deno.serve runs: the relay built once from the function's environment. */
export function handle(request: Request): Promise<Response> {
    fromEnvironment ??= createRelay(Deno.env.toObject());
    return fromEnvironment.handle(request);
}
