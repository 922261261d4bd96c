/** The configs we ship as examples must stay valid as the schema grows. */
import { readFileSync } from "node:fs";
import * as yaml from "js-yaml";
import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { STRIPE_API_VERSION, STRIPE_API_VERSIONS, STRIPE_EVENT_TYPES } from "../../dynamic-providers/stripe/api-lists";
import { validateStackConfig } from "../../stacks/config";
import { environmentFor } from "../../stacks/environment";
import { localStackSettings } from "../../sandbox/local-stack";

function settingsOf(file: string): Record<string, unknown> {
    const { config } = yaml.load(readFileSync(file, "utf8")) as { config: Record<string, unknown> };
    return Object.fromEntries(Object.entries(config).map(([key, value]) => [key.replace(/^stackwire:/, ""), value]));
}

const credentials = { secretness: { supabaseServiceRoleKey: true, stripeSecretKey: true, appwriteApiKey: true, trelloApiKey: true, trelloToken: true }, env: {}, secretKinds: { stripeSecretKey: "test" } };

describe("shipped configs", () => {
    it("Pulumi.dev.yaml is a valid dev stack", () => {
        const settings = settingsOf("Pulumi.dev.yaml");
        const config = validateStackConfig({ settings, ...credentials, secretness: { ...credentials.secretness, supabase: false, stripe: false } }, environmentFor("stackwire", "dev"));
        expect(Object.values(config.supabase?.storage.buckets ?? {}).map((b) => b.bucketId)).toContain("stackwire-dev-avatars");
        expect(Object.keys(config.stripe?.lookupKeys ?? {})).toEqual(["pro-monthly", "pro-yearly", "credits-pack", "credits-volume"]);
    });

    it("the sandbox's local stack is valid", () => {
        const settings = localStackSettings({ supabase: "http://127.0.0.1:1", stripe: "http://127.0.0.1:2", appwrite: "http://127.0.0.1:3", trello: "http://127.0.0.1:4" });
        expect(() => validateStackConfig({ settings, ...credentials }, environmentFor("stackwire", "local"))).not.toThrow();
    });
});

describe("Stripe lists follow the installed SDK", () => {
    const typings = readFileSync("node_modules/stripe/cjs/resources/WebhookEndpoints.d.ts", "utf8");
    const union = (name: string) => [...(new RegExp(`type ${name} = ([^;]+);`).exec(typings)?.[1] ?? "").matchAll(/'([^']+)'/g)].map((m) => m[1]);

    it("event types", () => expect(STRIPE_EVENT_TYPES).toEqual(union("EnabledEvent")));
    it("API versions, and the pinned one is the SDK's", () => {
        expect(STRIPE_API_VERSIONS).toEqual(union("ApiVersion"));
        expect((Stripe as unknown as { API_VERSION: string }).API_VERSION).toBe(STRIPE_API_VERSION);
    });
});
