import { createHash } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { secretSetDefinition } from "../../dynamic-providers/supabase/secrets";
import { SupabaseManagementEmulator } from "../../sandbox/emulators/supabase-management";
import { configuredProvider, type ProviderUnderTest } from "./harness";

const TOKEN = "sbp_emulatorToken0123456789abcdef";
const REF = "abcdefghijklmnopqrst";
const emulator = new SupabaseManagementEmulator({ token: TOKEN, projects: [REF] });
let subject: ProviderUnderTest;
let managementUrl = "";

beforeAll(async () => {
    managementUrl = await emulator.start();
});
afterAll(() => emulator.stop());
beforeEach(async () => {
    emulator.reset();
    subject = await configuredProvider(secretSetDefinition, { supabaseAccessToken: TOKEN });
});

async function created(secrets: Record<string, string>) {
    const { inputs, failures } = await subject.provider.check({}, { managementUrl, projectRef: REF, secrets });
    expect(failures ?? []).toEqual([]);
    return { inputs, ...(await subject.provider.create(inputs)) };
}

describe("Supabase secret set", () => {
    it("sets every secret in one request, and shows no change on a second up", async () => {
        const { id, outs, inputs } = await created({ OPENAI_API_KEY: "sk-proj-abc", RESEND_API_KEY: "re_123" });
        expect(Object.fromEntries(emulator.secrets.get(REF)!)).toEqual({ OPENAI_API_KEY: "sk-proj-abc", RESEND_API_KEY: "re_123" });
        expect(emulator.requestCounts()).toEqual({ "POST /v1/projects/:ref/secrets": 1 });
        const read = await subject.provider.read!(id, outs);
        expect((await subject.provider.diff(id, read.props!, inputs)).changes).toBe(false);
    });

    it("sees a value changed out of band by its digest, without reading the value", async () => {
        const { id, outs, inputs } = await created({ OPENAI_API_KEY: "sk-proj-abc" });
        emulator.secrets.get(REF)!.set("OPENAI_API_KEY", "sk-proj-someone-else");
        const read = await subject.provider.read!(id, outs);
        expect(JSON.stringify(read.props)).not.toContain("sk-proj-someone-else");
        expect((await subject.provider.diff(id, read.props!, inputs)).changes).toBe(true);
    });

    it("update sends only changed values and removes dropped names", async () => {
        const { id, outs } = await created({ A_KEY: "one", B_KEY: "two" });
        emulator.resetCounts();
        const news = (await subject.provider.check({}, { managementUrl, projectRef: REF, secrets: { A_KEY: "one", C_KEY: "three" } })).inputs;
        await subject.provider.update(id, outs, news);
        expect(Object.fromEntries(emulator.secrets.get(REF)!)).toEqual({ A_KEY: "one", C_KEY: "three" });
        expect(emulator.requestCounts()).toEqual({ "POST /v1/projects/:ref/secrets": 1, "DELETE /v1/projects/:ref/secrets": 1 });
    });

    it("delete removes only its own names", async () => {
        emulator.secrets.get(REF)!.set("SOMEONE_ELSES", "x");
        const { id, outs } = await created({ A_KEY: "one" });
        await subject.provider.delete(id, outs);
        expect([...emulator.secrets.get(REF)!.keys()]).toEqual(["SOMEONE_ELSES"]);
    });

    it.each([
        [{ secrets: { SUPABASE_URL: "x" } }, "names starting with SUPABASE_ are reserved"],
        [{ secrets: { "1KEY": "x" } }, "secret names are letters, digits and _"],
        [{ projectRef: "my-project" }, "projectRef: must be the project's reference, 20 lower-case letters"],
        [{ projectRef: "abcdefghijklmnopqr12" }, "projectRef: must be the project's reference, 20 lower-case letters"],
        [{ secrets: {} }, "secrets: must hold at least one secret"],
    ])("rejects %j before any request", async (news, expected) => {
        const r = await subject.provider.check({}, { managementUrl, projectRef: REF, secrets: { A: "x" }, ...news });
        expect((r.failures ?? []).map((f) => `${f.property}: ${f.reason}`).join("\n")).toContain(expected);
        expect(emulator.totalRequests()).toBe(0);
    });

    it.each([
        ["a name over 256 characters", { ["K".repeat(257)]: "x" }, "secret names are at most 256 characters"],
        ["a value over 24576 characters", { BIG_KEY: "v".repeat(24577) }, "secrets.BIG_KEY: must be at most 24576 characters"],
    ])("rejects %s, the Management API's limit (CreateSecretBody), before any request", async (_what, secrets, expected) => {
        const r = await subject.provider.check({}, { managementUrl, projectRef: REF, secrets });
        expect((r.failures ?? []).map((f) => `${f.property}: ${f.reason}`).join("\n")).toContain(expected);
        expect(emulator.totalRequests()).toBe(0);
    });

    it("delete succeeds when the project itself was deleted out of band, but not on a refused token", async () => {
        const { id, outs } = await created({ A_KEY: "x" });
        emulator.secrets.delete(REF);
        await subject.provider.delete(id, outs);
        expect(emulator.requestCounts()["DELETE /v1/projects/:ref/secrets"]).toBe(1);

        subject = await configuredProvider(secretSetDefinition, { supabaseAccessToken: "sbp_wrongToken000000000000" });
        await expect(subject.provider.delete(id, outs)).rejects.toMatchObject({ status: 401 });
    });

    it("reports a wrong token without echoing it", async () => {
        subject = await configuredProvider(secretSetDefinition, { supabaseAccessToken: "sbp_wrongToken000000000000" });
        const error = await created({ A_KEY: "x" }).catch((e) => e);
        expect(error).toMatchObject({ status: 401, apiMessage: "Unauthorized" });
        expect(error.message).not.toContain("sbp_wrongToken");
    });
});

describe("the digest the Management API lists for a value", () => {
    const list = async () => {
        const r = await fetch(`${managementUrl}/v1/projects/${REF}/secrets`, { headers: { authorization: `Bearer ${TOKEN}` } });
        return (await r.json()) as { name: string; value: string; updated_at?: string }[];
    };

    it("is SHA-256 of the value's UTF-8 bytes in lower-case hex, as the spec's readers compute it", async () => {
        await created({ ABC_KEY: "abc", UNICODE_KEY: "clé-ünïcødé-🔑" });
        const listed = await list();
        // FIPS 180-2's test vector for "abc".
        expect(listed.find((s) => s.name === "ABC_KEY")!.value).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        expect(listed.find((s) => s.name === "UNICODE_KEY")!.value).toBe(createHash("sha256").update(Buffer.from("clé-ünïcødé-🔑", "utf8")).digest("hex"));
        for (const s of listed) expect(s.value).toMatch(/^[0-9a-f]{64}$/);
    });

    it("lets a refresh keep non-ASCII values it set, and see one changed out of band", async () => {
        const { id, outs, inputs } = await created({ UNICODE_KEY: "clé-ünïcødé-🔑" });
        const read = await subject.provider.read!(id, outs);
        expect(read.props).toMatchObject({ secrets: { UNICODE_KEY: "clé-ünïcødé-🔑" } });
        expect((await subject.provider.diff(id, read.props!, inputs)).changes).toBe(false);
        emulator.secrets.get(REF)!.set("UNICODE_KEY", "cle-unicode-key");
        const drifted = await subject.provider.read!(id, outs);
        expect((await subject.provider.diff(id, drifted.props!, inputs)).changes).toBe(true);
    });

    it("is listed for Supabase's default secrets too, which the set neither shows nor touches", async () => {
        const { id, outs } = await created({ A_KEY: "one" });
        const names = (await list()).map((s) => s.name);
        expect(names).toEqual(expect.arrayContaining(["SUPABASE_URL", "SUPABASE_ANON_KEY", "SUPABASE_SERVICE_ROLE_KEY", "SUPABASE_DB_URL", "A_KEY"]));
        const read = await subject.provider.read!(id, outs);
        expect(Object.keys(read.props!.secrets)).toEqual(["A_KEY"]);
        await subject.provider.delete(id, outs);
        expect((await list()).map((s) => s.name)).toEqual(["SUPABASE_URL", "SUPABASE_ANON_KEY", "SUPABASE_SERVICE_ROLE_KEY", "SUPABASE_DB_URL"]);
    });
});

describe("a secret set removed out of band", () => {
    it("leaves the state on refresh when none of its names remain", async () => {
        const { id, outs } = await created({ A_KEY: "one", B_KEY: "two" });
        emulator.secrets.get(REF)!.delete("A_KEY");
        expect((await subject.provider.read!(id, outs)).props).toMatchObject({ secrets: { B_KEY: "two" } });
        emulator.secrets.get(REF)!.delete("B_KEY");
        expect((await subject.provider.read!(id, outs)).id).toBe("");
    });
});

/** The emulator against api_v1_openapi.json: what the spec allows and refuses, on the wire. */
describe("the emulator's secrets routes follow the published spec", () => {
    const send = (method: string, body: unknown) =>
        fetch(`${managementUrl}/v1/projects/${REF}/secrets`, { method, headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: JSON.stringify(body) }).then(async (r) => ({
            status: r.status,
            text: await r.text(),
        }));

    it("answers a bulk create with 201 and a bulk delete with 200, neither with a body", async () => {
        expect(await send("POST", [{ name: "A_KEY", value: "one" }])).toEqual({ status: 201, text: "" });
        expect(await send("DELETE", ["A_KEY"])).toEqual({ status: 200, text: "" });
    });

    it("takes any name the spec allows, and refuses what it does not", async () => {
        expect((await send("POST", [{ name: "lower-case.name", value: "x" }])).status).toBe(201);
        expect((await send("POST", [])).status).toBe(201);
        expect((await send("POST", [{ name: "SUPABASE_URL", value: "x" }])).status).toBe(400);
        expect((await send("POST", [{ name: "N".repeat(257), value: "x" }])).status).toBe(400);
        expect((await send("POST", [{ name: "BIG", value: "v".repeat(24577) }])).status).toBe(400);
        expect((await send("POST", [{ name: "BIG", value: "v".repeat(24576) }])).status).toBe(201);
        expect([...emulator.secrets.get(REF)!.keys()]).toEqual(["lower-case.name", "BIG"]);
    });
});
