/**
 * The wires under Pulumi mocks: each wire's pieces are registered with one platform's output as
 * another's input, and every secret handed along a wire stays a secret in the graph. Imported
 * from bin/ (dynamic providers; see supabase.test.ts).
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type * as Graph from "./mock-graph";
import type * as WiredStack from "../../sandbox/wired-stack";
import { fakeCredential } from "../fake-credential";

const load = createRequire(join(process.cwd(), "package.json"));
const { recordGraph, settled, isSecretValue, plainStrings, officialOutputs } = load("./bin/test/unit/mock-graph") as typeof Graph;
const { wiredStackSettings, DEMO_FUNCTION_DOMAIN } = load("./bin/sandbox/wired-stack") as typeof WiredStack;
const pulumi = load("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
const { RELAY_SECRET_NAMES } = load("./bin/components/wires/relay") as typeof import("../../components/wires/relay");

const urls = { supabase: "https://abcd.supabase.test", management: "https://api.supabase.test", stripe: "https://stripe.test", appwrite: "https://appwrite.test", trello: "https://trello.test", gitlab: "https://gitlab.test", resend: "https://resend.test", database: "postgres://postgres@db.abcd.supabase.test:5432/postgres" };
const SECRETS: Record<string, string> = {
    supabaseServiceRoleKey: "service-role-key-0123456789",
    supabaseAccessToken: fakeCredential("sbp_", "0123456789abcdef0123"),
    supabaseDbPassword: "db-password-0123456789",
    stripeSecretKey: "sk_test_wiresProgram0123456789",
    appwriteApiKey: "appwrite-key-0123456789",
    githubToken: fakeCredential("ghp_", "wiresProgram0123456789"),
    gitlabToken: fakeCredential("glpat-", "wiresProgram0123456789"),
    trelloApiKey: "trello-key-0123456789",
    trelloToken: "trello-token-0123456789",
    trelloApiSecret: "trello-app-secret-0123456789",
    resendApiKey: "re_wiresProgram0123456789",
};

async function runProgram() {
    // What the providers would answer: an endpoint's signing secret, a key's token.
    const graph = recordGraph("stackwire", "dev", (type, name, inputs) => {
        if (type.endsWith("stripe:WebhookEndpoint")) return { secret: `whsec_${name}` };
        if (type.endsWith("resend:ApiKey")) return { token: `re_${name}` };
        return officialOutputs(type, name, inputs);
    });
    const config: Record<string, string> = Object.fromEntries(Object.entries(wiredStackSettings(urls)).map(([k, v]) => [`stackwire:${k}`, JSON.stringify(v)]));
    for (const [k, v] of Object.entries(SECRETS)) config[`stackwire:${k}`] = v;
    pulumi.runtime.setAllConfig(config, Object.keys(SECRETS).map((k) => `stackwire:${k}`));
    const entry = load.resolve("./bin/index.js");
    delete load.cache[entry];
    const program = load(entry) as Record<string, unknown>;
    await settled(...Object.values(program).filter((o) => o !== undefined).map((o) => pulumi.output(o as never)));
    return { graph, program };
}

describe("the ten wires under mocks", () => {
    it("points each source at the relay, and hands it the secrets it verifies them with", async () => {
        const { graph, program } = await runProgram();
        const relay = `${urls.supabase}/functions/v1/stackwire-relay`;
        expect(await new Promise((resolve) => pulumi.output(program.relayUrl as string).apply(resolve))).toBe(relay);

        const deployed = graph.named("relay-function").inputs;
        expect(deployed.verifyJwt).toBe(false);
        expect(Object.keys(deployed.files as object)).toEqual(expect.arrayContaining(["index.ts", "handler.ts", "routes/stripe.ts"]));
        expect(Object.keys(deployed.files as object).some((f) => f.startsWith("migrations/"))).toBe(false);

        expect(graph.named("relay-stripe").inputs.url).toBe(`${relay}/stripe`);
        expect(graph.named("relay-gitlab").inputs).toMatchObject({ url: `${relay}/gitlab`, events: ["pipeline"] });
        expect(graph.named("relay-trello").inputs.callbackUrl).toBe(`${relay}/trello`);
        // Trello checks the callback when the webhook is made: the relay is deployed first.
        expect(graph.named("relay-trello").dependencies.some((urn) => urn.endsWith("::relay-function"))).toBe(true);
        const hook = graph.named("relay-github-app").inputs as { events: string[]; configuration: { url: string } };
        expect(hook.configuration.url).toBe(`${relay}/github`);
        expect(hook.events.sort()).toEqual(["issues", "push"]);

        const secrets = graph.named("relay-secrets").inputs.secrets;
        expect(isSecretValue(secrets)).toBe(true);
        const names = Object.keys((secrets as { value: Record<string, string> }).value);
        expect(names.sort()).toEqual(
            [
                "ALERT_FROM", "ALERT_TO", "GITHUB_WEBHOOK_SECRET", "GITLAB_WEBHOOK_TOKEN", "RECEIPT_EVENTS", "RECEIPT_FROM", "RESEND_API_KEY", "RESEND_BASE_URL",
                "STRIPE_WEBHOOK_SECRET", "TRELLO_API_KEY", "TRELLO_API_SECRET", "TRELLO_BASE_URL", "TRELLO_CALLBACK_URL",
                "TRELLO_LIST_CLOSED", "TRELLO_LIST_FAILED", "TRELLO_LIST_OPENED", "TRELLO_LIST_RUNNING", "TRELLO_LIST_SUCCESS", "TRELLO_TOKEN",
            ].sort(),
        );
        expect(graph.named("relay-tables").inputs.connectionUrl).toBe(urls.database);
        // The names config keeps other secret sets away from: the list covers every secret the relay gets.
        expect(names.filter((n) => !RELAY_SECRET_NAMES.includes(n))).toEqual([]);
        // Verifying deliveries needs the signing secret only: the Stripe account key reaches neither receiver.
        expect(names).not.toContain("STRIPE_SECRET_KEY");
        // And the values are the right objects' own: the relay's endpoint's signing secret, the relay's sending key.
        const values = (secrets as { value: Record<string, string> }).value;
        expect(values.STRIPE_WEBHOOK_SECRET).toBe("whsec_relay-stripe");
        expect(values.RESEND_API_KEY).toBe("re_relay-sending-key");
    });

    it("makes a sending-only key restricted to the sender's domain for every wire that sends email", async () => {
        const { graph } = await runProgram();
        const keys = graph.resources.filter((r) => r.type.endsWith("resend:ApiKey"));
        expect(keys.map((k) => k.name).sort()).toEqual(["relay-sending-key", "wires-appwrite-sending-key", "wires-auth-email-sending-key"]);
        for (const key of keys) expect(key.inputs).toMatchObject({ permission: "sending_access", domainId: expect.any(String) });
        expect(graph.named("wires-auth-email-smtp").inputs).toMatchObject({ host: "smtp.resend.com", port: 465, user: "resend" });
        expect(isSecretValue(graph.named("wires-auth-email-smtp").inputs.password)).toBe(true);
    });

    it("gives the Appwrite function the endpoint's signing secret, and Stripe the function's domain", async () => {
        const { graph } = await runProgram();
        expect(graph.named("wires-appwrite-stripe").inputs.url).toBe(`https://${DEMO_FUNCTION_DOMAIN}/`);
        const fn = graph.named("wires-appwrite-function").inputs;
        expect(isSecretValue(fn.variables)).toBe(true);
        expect(Object.keys((fn.variables as { value: object }).value).sort()).toEqual(["APPWRITE_COLLECTION_ID", "APPWRITE_DATABASE_ID", "STRIPE_WEBHOOK_SECRET"]);
        expect((fn.variables as { value: Record<string, string> }).value.STRIPE_WEBHOOK_SECRET).toBe("whsec_wires-appwrite-stripe");
        expect(fn).toMatchObject({ entrypoint: "src/main.js", scopes: ["documents.write"], domain: DEMO_FUNCTION_DOMAIN });
    });

    it("never puts a credential in a plain input", async () => {
        const { graph } = await runProgram();
        const plain = graph.resources.flatMap((r) => plainStrings(r.inputs));
        for (const value of Object.values(SECRETS)) expect(plain.filter((s) => s.includes(value))).toEqual([]);
    });
});
