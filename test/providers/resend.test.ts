import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startNewRun } from "../../dynamic-providers/core/once";
import { apiKeyDefinition } from "../../dynamic-providers/resend/api-key";
import { domainDefinition } from "../../dynamic-providers/resend/domain";
import { resendWebhookDefinition } from "../../dynamic-providers/resend/webhook";
import { ResendEmulator } from "../../sandbox/emulators/resend";
import type { ResourceDefinition } from "../../dynamic-providers/core/provider";
import { configuredProvider, lifecycle, type ProviderUnderTest } from "./harness";

const KEY = "re_emulatorFullAccessKey0123456789";
const SENDING_KEY = "re_emulatorSendingOnlyKey0123456789";
const OTHER_TEAM_KEY = "re_otherTeamFullAccessKey0123456789";
const emulator = new ResendEmulator({ apiKey: KEY, sendingKeys: [SENDING_KEY], otherTeams: [OTHER_TEAM_KEY] });
const p = {} as Record<"domain" | "key" | "webhook", ProviderUnderTest>;
let baseUrl = "";
const { make } = lifecycle(p, () => ({ baseUrl }));

beforeAll(async () => {
    baseUrl = await emulator.start();
});
afterAll(() => emulator.stop());
beforeEach(async () => {
    startNewRun();
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


describe("not found means gone only when it is gone (issue 16)", () => {
    type Kind = "domain" | "key" | "webhook";
    const definitions: Record<Kind, ResourceDefinition<never, never>> = { domain: domainDefinition as never, key: apiKeyDefinition as never, webhook: resendWebhookDefinition as never };
    const inputs: Record<Kind, Record<string, unknown>> = {
        domain: { name: "mail.example.com" },
        key: { name: "stackwire-dev-receipts", permission: "full_access", resourceUrn: "urn:pulumi:dev::stackwire::resend:ApiKey::receipts" },
        webhook: { endpoint: "https://app.example/resend", events: ["email.bounced"] },
    };
    const maps = { domain: emulator.domains, key: emulator.apiKeys, webhook: emulator.webhooks };
    const kinds: Kind[] = ["domain", "key", "webhook"];
    const withKey = (kind: Kind, key: string) => configuredProvider(definitions[kind], { resendApiKey: key });

    it.each(kinds)("%s: another team's key fails refresh and destroy naming resendApiKey, at one extra call each, and it stays", async (kind) => {
        const { id, outs } = await make(kind, inputs[kind]);
        const blind = await withKey(kind, OTHER_TEAM_KEY);
        emulator.resetCounts();
        const read = await blind.provider.read(id, outs).catch((e) => e);
        expect(read.message).toMatch(/resendApiKey/);
        expect(read.message).toMatch(kind === "key" ? /still answers to its own token/ : /sees none of the 2 API key\(s\) its team had/);
        expect(emulator.totalRequests()).toBe(2);
        emulator.resetCounts();
        await expect(blind.provider.delete(id, outs)).rejects.toThrow(/resendApiKey/);
        expect(emulator.totalRequests()).toBe(2);
        expect(maps[kind].has(id)).toBe(true);
    });

    it("a sending API key of this team, refreshed with another team's key, still answers to its own token (401 restricted_api_key): kept", async () => {
        const { id, outs } = await make("key", { ...inputs.key, permission: "sending_access" });
        const blind = await withKey("key", OTHER_TEAM_KEY);
        await expect(blind.provider.read(id, outs)).rejects.toThrow(/resendApiKey is a key of another team: API key .* still answers to its own token \(as a sending key\)/);
        await expect(blind.provider.delete(id, outs)).rejects.toThrow(/resendApiKey/);
        expect(emulator.apiKeys.has(id)).toBe(true);
    });

    it.each(kinds)("%s: a sending-only key of the same team is refused by Resend (401 restricted_api_key): refresh and destroy fail, and it stays", async (kind) => {
        const { id, outs } = await make(kind, inputs[kind]);
        const sending = await withKey(kind, SENDING_KEY);
        emulator.resetCounts();
        const read = await sending.provider.read(id, outs).catch((e) => e);
        expect(read).toMatchObject({ status: 401, apiMessage: "This API key is restricted to only send emails." });
        await expect(sending.provider.delete(id, outs)).rejects.toMatchObject({ status: 401 });
        expect(emulator.totalRequests()).toBe(2);
        expect(maps[kind].has(id)).toBe(true);
    });

    it.each(kinds)("%s: deleted out of band, refresh drops it and destroy succeeds, each at one extra call", async (kind) => {
        const { id, outs } = await make(kind, inputs[kind]);
        maps[kind].delete(id);
        emulator.resetCounts();
        expect((await p[kind].provider.read(id, outs)).id).toBe("");
        expect(emulator.totalRequests()).toBe(2);
        emulator.resetCounts();
        await expect(p[kind].provider.delete(id, outs)).resolves.toBeUndefined();
        expect(emulator.totalRequests()).toBe(2);
    });

    it.each(kinds)("%s: a refresh that finds it costs no extra call", async (kind) => {
        const { id, outs } = await make(kind, inputs[kind]);
        emulator.resetCounts();
        expect((await p[kind].provider.read(id, outs)).id).toBe(id);
        expect(emulator.totalRequests()).toBe(1);
    });

    it("a domain and a webhook record their team's key ids, read once before the write; an API key needs none", async () => {
        emulator.resetCounts();
        const domain = await make("domain", inputs.domain);
        expect(emulator.requestCounts()).toEqual({ "GET /api-keys": 1, "POST /domains": 1 });
        const own = emulator.teamKeys.find((k) => k.token === KEY)!.id;
        expect(domain.outs.teamKeyIds).toEqual([own, emulator.teamKeys.find((k) => k.token === SENDING_KEY)!.id].reverse());
        const key = await make("key", inputs.key);
        expect(key.outs).not.toHaveProperty("teamKeyIds");
    });

    it("the team survives a key rotation as long as one key it had is left", async () => {
        const { id, outs } = await make("domain", inputs.domain);
        const rotated = await make("key", { name: "rotated", permission: "full_access" });
        const newKey = (await withKey("domain", emulator.apiKeys.get(rotated.id)!.token)).provider;
        emulator.domains.delete(id);
        expect((await newKey.read(id, outs)).id).toBe("");
    });

    it("when every key the team had is gone, a 404 cannot be told from another team's: it fails and says how to drop it by hand", async () => {
        const { id, outs } = await make("domain", inputs.domain);
        // The team made a new key and removed all it had before (here only the one the domain saw).
        const rotated = await make("key", { name: "rotated", permission: "full_access" });
        const newToken = emulator.apiKeys.get(rotated.id)!.token;
        const teamBefore = outs.teamKeyIds as string[];
        for (const old of emulator.teamKeys.filter((k) => teamBefore.includes(k.id)).map((k) => k.id)) {
            const i = emulator.teamKeys.findIndex((k) => k.id === old);
            emulator.teamKeys.splice(i, 1);
        }
        emulator.domains.delete(id);
        const error = await (await withKey("domain", newToken)).provider.read(id, outs).catch((e) => e);
        expect(error.message).toMatch(/resendApiKey sees none of the 2 API key\(s\).*pulumi state delete/);
        // Put the team's keys back for the other tests (the emulator keeps them across resets).
        emulator.teamKeys.length = 0;
        emulator.teamKeys.push(...freshTeamKeys);
    });

    it("state written before the team was recorded still leaves when the object is gone, at no extra call", async () => {
        const { id, outs } = await make("webhook", inputs.webhook);
        const { teamKeyIds: _team, ...older } = outs as Record<string, unknown>;
        emulator.webhooks.delete(id);
        emulator.resetCounts();
        expect((await p.webhook.provider.read(id, older)).id).toBe("");
        expect(emulator.totalRequests()).toBe(1);
    });

    it("an update keeps the team in the state", async () => {
        const { id, outs } = await make("webhook", inputs.webhook);
        const { inputs: news } = await p.webhook.provider.check({}, { baseUrl, ...inputs.webhook, events: ["email.sent"] });
        expect((await p.webhook.provider.update(id, outs, news)).outs.teamKeyIds).toEqual(outs.teamKeyIds);
        const domain = await make("domain", inputs.domain);
        expect((await p.domain.provider.update(domain.id, domain.outs, domain.inputs)).outs.teamKeyIds).toEqual(domain.outs.teamKeyIds);
    });

    it("an answer about another object fails the refresh: nothing of it enters the state", async () => {
        const { id, outs } = await make("domain", inputs.domain);
        emulator.domains.set("alias", emulator.domains.get(id)!);
        await expect(p.domain.provider.read("alias", outs)).rejects.toThrow(new RegExp(`asked for domain "alias" and was answered about "${id}"`));
        await expect(p.domain.provider.delete("", outs)).rejects.toThrow(/an empty id cannot address a Resend object/);
    });

    it("ids from the state reach their own object: reserved characters are encoded", async () => {
        const { outs } = await make("webhook", inputs.webhook);
        emulator.resetCounts();
        // "a?b" unencoded would ask for the list (GET /webhooks/a) and "x/y" another route.
        for (const odd of ["a?b", "x/y", "%2F"]) {
            await expect(p.webhook.provider.delete(odd, outs)).resolves.toBeUndefined();
        }
        expect(emulator.count("DELETE /webhooks/:id")).toBe(3);
    });

    it("the emulator answers as Resend does: another team's id is unknown, a sending key is restricted, the key list holds the asking key", async () => {
        const { id } = await make("domain", inputs.domain);
        const get = (key: string, path: string) => fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${key}` } });
        expect(await (await get(OTHER_TEAM_KEY, `/domains/${id}`)).json()).toEqual({ statusCode: 404, name: "not_found", message: "Domain not found" });
        const restricted = await get(SENDING_KEY, `/domains/${id}`);
        expect(restricted.status).toBe(401);
        expect(await restricted.json()).toEqual({ statusCode: 401, name: "restricted_api_key", message: "This API key is restricted to only send emails." });
        const list = (await (await get(OTHER_TEAM_KEY, "/api-keys")).json()) as { data: { id: string }[] };
        expect(list.data.map((k) => k.id)).toEqual([emulator.teamKeys.find((k) => k.token === OTHER_TEAM_KEY)!.id]);
    });
});

const freshTeamKeys = [...emulator.teamKeys];
