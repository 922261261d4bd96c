import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { apiKeyDefinition } from "../../dynamic-providers/resend/api-key";
import { domainDefinition } from "../../dynamic-providers/resend/domain";
import { resendWebhookDefinition } from "../../dynamic-providers/resend/webhook";
import { ResendEmulator } from "../../sandbox/emulators/resend";
import { configuredProvider, lifecycle, type ProviderUnderTest } from "./harness";

const KEY = "re_emulatorFullAccessKey0123456789";
const emulator = new ResendEmulator({ apiKey: KEY });
const p = {} as Record<"domain" | "key" | "webhook", ProviderUnderTest>;
let baseUrl = "";
const { make } = lifecycle(p, () => ({ baseUrl }));

beforeAll(async () => {
    baseUrl = await emulator.start();
});
afterAll(() => emulator.stop());
beforeEach(async () => {
    emulator.reset();
    p.domain = await configuredProvider(domainDefinition, { resendApiKey: KEY });
    p.key = await configuredProvider(apiKeyDefinition as never, { resendApiKey: KEY });
    p.webhook = await configuredProvider(resendWebhookDefinition, { resendApiKey: KEY });
});

describe("Resend", () => {
    it("a domain outputs its DNS records, and a verification done out of band shows on refresh", async () => {
        const { id, outs, inputs } = await make("domain", { name: "Mail.Example.com", region: "eu-west-1" });
        expect(outs.status).toBe("not_started");
        expect((outs.records as { record: string; type: string }[]).map((r) => `${r.record}/${r.type}`)).toEqual(["SPF/MX", "SPF/TXT", "DKIM/TXT"]);
        emulator.verify(id);
        const read = await p.domain.provider.read!(id, outs);
        expect(read.props!.status).toBe("verified");
        expect((await p.domain.provider.diff(id, read.props!, inputs)).changes).toBe(false);
        expect((await p.domain.provider.diff(id, outs, { ...inputs, region: "us-east-1" })).replaces).toEqual(["region"]);
        await p.domain.provider.delete(id, outs);
        expect((await p.domain.provider.read!(id, outs)).id).toBe("");
    });

    it("an API key's token exists only at creation and survives refresh", async () => {
        const domain = await make("domain", { name: "mail.example.com" });
        const { id, outs, inputs } = await make("key", { name: "stripe-receipts", domainId: domain.id });
        expect(outs.token).toMatch(/^re_/);
        expect(outs.token).toBe(emulator.apiKeys.get(id)!.token);
        const read = await p.key.provider.read!(id, outs);
        expect(read.props!.token).toBe(outs.token);
        expect((await p.key.provider.diff(id, read.props!, inputs)).changes).toBe(false);
        expect((await p.key.provider.diff(id, outs, { ...inputs, permission: "full_access", domainId: null })).replaces).toEqual(["permission", "domainId"]);
        await p.key.provider.delete(id, outs);
        expect((await p.key.provider.read!(id, outs)).id).toBe("");
    });

    it("a webhook's signing secret is kept through refresh and update", async () => {
        const { id, outs, inputs } = await make("webhook", { endpoint: "https://app.example/resend", events: ["email.bounced", "email.delivered", "email.bounced"] });
        expect(outs.signingSecret).toMatch(/^whsec_/);
        const read = await p.webhook.provider.read!(id, outs);
        expect(read.props!.signingSecret).toBe(outs.signingSecret);
        expect((await p.webhook.provider.diff(id, read.props!, inputs)).changes).toBe(false);
        const { inputs: news } = await p.webhook.provider.check({}, { baseUrl, endpoint: "https://app.example/v2/resend", events: ["email.sent"], enabled: false });
        const updated = await p.webhook.provider.update(id, read.props!, news);
        expect(updated.outs.signingSecret).toBe(outs.signingSecret);
        expect(emulator.webhooks.get(id)).toMatchObject({ endpoint: "https://app.example/v2/resend", events: ["email.sent"], status: "disabled" });
    });

    it.each([
        ["domain", { name: "not a domain" }, "name: must be a domain name"],
        ["domain", { name: "mail.example.com", region: "mars-1" }, "region"],
        ["key", { name: "x", permission: "full_access", domainId: "d1" }, "domainId: applies only to sending_access keys"],
        ["webhook", { endpoint: "https://a.example", events: ["email.read"] }, "events[0]: must be one of email.sent"],
    ] as const)("%s rejects %j before any request", async (kind, news, expected) => {
        const r = await p[kind].provider.check({}, { baseUrl, ...news });
        expect((r.failures ?? []).map((f) => `${f.property}: ${f.reason}`).join("\n")).toContain(expected);
        expect(emulator.totalRequests()).toBe(0);
    });

    it("reports an invalid key with Resend's status, without echoing it", async () => {
        p.domain = await configuredProvider(domainDefinition, { resendApiKey: "re_invalidKey00000000000" });
        const error = await make("domain", { name: "mail.example.com" }).catch((e) => e);
        expect(error).toMatchObject({ status: 403, apiMessage: "API key is invalid" });
        expect(error.message).not.toContain("re_invalidKey");
    });

    it("waits out Resend's 429", async () => {
        emulator.inject({ kind: "rate-limit", times: 2, retryAfterSeconds: 1 });
        await make("domain", { name: "mail.example.com" });
        expect(emulator.domains.size).toBe(1);
    });

    it("a lost key is removed before a retry, but never another stack's key or the key being replaced", async () => {
        const urn = (project: string) => `urn:pulumi:dev::${project}::resend:ApiKey::receipts`;
        const first = await make("key", { name: "stackwire-dev-receipts", permission: "full_access", resourceUrn: urn("shop") });
        // Another project's dev stack, same name, same account: its create must leave the first key alone.
        const other = await make("key", { name: "stackwire-dev-receipts", permission: "full_access", resourceUrn: urn("blog") });
        expect([...emulator.apiKeys.keys()].sort()).toEqual([first.id, other.id].sort());
        // A replacement (new permission) is created while the old key still serves: both exist.
        const replacement = await make("key", { name: "stackwire-dev-receipts", permission: "sending_access", resourceUrn: urn("shop") });
        expect(emulator.apiKeys.has(first.id)).toBe(true);
        expect(emulator.apiKeys.has(replacement.id)).toBe(true);
        // The name in state is the configured one; Resend's carries the mark.
        expect((await p.key.provider.read!(first.id, first.outs)).props!.name).toBe("stackwire-dev-receipts");
        expect(emulator.apiKeys.get(first.id)!.name).toMatch(/^stackwire-dev-receipts #[0-9a-f]{8}$/);
    });

    it("a webhook's lost create adopts only the webhook with its endpoint and events", async () => {
        const others = await make("webhook", { endpoint: "https://app.example/resend", events: ["email.sent"] });
        emulator.inject({ kind: "drop-after-commit", route: "POST /webhooks" });
        const ours = await make("webhook", { endpoint: "https://app.example/resend", events: ["email.bounced"] });
        expect(ours.id).not.toBe(others.id);
        expect(emulator.webhooks.size).toBe(2);
        expect(emulator.webhooks.get(others.id)!.events).toEqual(["email.sent"]);
    });
});

