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
        [{ projectRef: "my-project" }, "projectRef: must be the project's 20-character reference"],
        [{ secrets: {} }, "secrets: must hold at least one secret"],
    ])("rejects %j before any request", async (news, expected) => {
        const r = await subject.provider.check({}, { managementUrl, projectRef: REF, secrets: { A: "x" }, ...news });
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
