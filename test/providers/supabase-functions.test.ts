/**
 * Supabase Edge Function deploys and Auth's custom SMTP settings through the Management API
 * emulator, with a FunctionHost that records what it is asked to run; and the project URL's
 * functions gateway in front of that host.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { authSmtpDefinition } from "../../dynamic-providers/supabase/auth-smtp";
import { contentHashOf, edgeFunctionDefinition, functionMark } from "../../dynamic-providers/supabase/edge-function";
import type { DeployedCode, FunctionHost } from "../../sandbox/functions/host";
import { SupabaseManagementEmulator } from "../../sandbox/emulators/supabase-management";
import { SupabaseStorageEmulator } from "../../sandbox/emulators/supabase-storage";
import { configuredProvider, type ProviderUnderTest } from "./harness";
import { fakeCredential } from "../fake-credential";

const TOKEN = fakeCredential("sbp_", "functionsToken0123456789abcdef");
const OTHER_TOKEN = fakeCredential("sbp_", "otherOrganisation0123456789abcdef");
const REF = "abcdefghijklmnopqrst";
const URN = "urn:pulumi:dev::stackwire::supabase:EdgeFunction::relay";
const SERVICE_ROLE_KEY = "service-role-key-of-the-test-project";
const ANON_KEY = "anon-key-of-the-test-project";
const SMTP_PASSWORD = "re_sendingOnlyKey_0123456789abcdef";

/** A host that runs nothing and records every call. */
class RecordingHost implements FunctionHost {
    deploys: DeployedCode[] = [];
    removed: string[] = [];
    invoked: { name: string; method: string; path: string; headers: Record<string, string>; body: string }[] = [];
    async deploy(code: DeployedCode) {
        this.deploys.push(code);
    }
    async remove(name: string) {
        this.removed.push(name);
    }
    async invoke(name: string, request: { method: string; path: string; headers: Record<string, string>; body: Uint8Array }) {
        if (!this.deploys.some((d) => d.name === name) || this.removed.includes(name)) return undefined;
        this.invoked.push({ name, ...request, body: Buffer.from(request.body).toString("utf8") });
        return { status: 200, headers: { "content-type": "text/plain" }, body: new TextEncoder().encode(`${name} answered ${request.method} ${request.path}`) };
    }
    async stop() {}
    clear() {
        this.deploys = [];
        this.removed = [];
        this.invoked = [];
    }
}

const host = new RecordingHost();
const management = new SupabaseManagementEmulator({ token: TOKEN, projects: [REF], otherAccountTokens: [OTHER_TOKEN], functionHost: host, databaseUrl: "postgres://postgres:pw@127.0.0.1:5432/postgres", serviceRoleKey: SERVICE_ROLE_KEY, anonKey: ANON_KEY });
const project = new SupabaseStorageEmulator({ serviceRoleKey: SERVICE_ROLE_KEY, anonKey: ANON_KEY, functionHost: host, verifiesJwt: (slug) => management.functionOf(REF, slug)?.verify_jwt });
let managementUrl = "";
let projectUrl = "";
let fn: ProviderUnderTest;
let smtp: ProviderUnderTest;

beforeAll(async () => {
    managementUrl = await management.start();
    projectUrl = await project.start();
    management.setProjectUrl(REF, projectUrl);
});
afterAll(async () => {
    await management.stop();
    await project.stop();
});
beforeEach(async () => {
    management.reset();
    host.clear();
    fn = await configuredProvider(edgeFunctionDefinition, { supabaseAccessToken: TOKEN });
    smtp = await configuredProvider(authSmtpDefinition, { supabaseAccessToken: TOKEN });
});

const SOURCES = { "index.ts": 'import { reply } from "./reply.ts";\nDeno.serve(() => reply());\n', "reply.ts": 'export const reply = () => new Response("one");\n' };

async function checkedFunction(overrides: Record<string, unknown> = {}) {
    const result = await fn.provider.check({}, { managementUrl, projectRef: REF, projectUrl, slug: "relay", name: "stackwire relay", files: SOURCES, resourceUrn: URN, ...overrides });
    expect(result.failures ?? []).toEqual([]);
    return result.inputs;
}

async function deployedFunction(overrides: Record<string, unknown> = {}) {
    const inputs = await checkedFunction(overrides);
    return { inputs, ...(await fn.provider.create(inputs)) };
}

async function failuresOf(provider: ProviderUnderTest, news: Record<string, unknown>) {
    return ((await provider.provider.check({}, news)).failures ?? []).map((f) => `${f.property}: ${f.reason}`);
}

describe("Supabase Edge Function", () => {
    it("deploys the sources as the CLI does and runs them with the project's variables and secrets", async () => {
        management.secrets.get(REF)!.set("RESEND_API_KEY", "re_relay");
        const { id, outs } = await deployedFunction();
        expect(id).toBe(`${REF}/relay`);
        expect(outs).toMatchObject({ url: `${projectUrl}/functions/v1/relay`, version: 1, verifyJwt: false, entrypoint: "index.ts" });
        expect(outs.contentHash).toBe(contentHashOf({ files: SOURCES, entrypoint: "index.ts", importMap: null, verifyJwt: false }));
        const deployed = management.functionOf(REF, "relay")!;
        expect(deployed).toMatchObject({ name: `stackwire relay ${functionMark(URN)}`, verify_jwt: false, entrypoint_path: "index.ts", version: 1 });
        expect(host.deploys).toHaveLength(1);
        const code = host.deploys[0];
        expect(Object.fromEntries([...code.files].map(([path, data]) => [path, Buffer.from(data).toString("utf8")]))).toEqual(SOURCES);
        expect(code).toMatchObject({ name: "relay", entrypoint: "index.ts" });
        expect(code.env).toMatchObject({ SUPABASE_URL: projectUrl, SUPABASE_DB_URL: "postgres://postgres:pw@127.0.0.1:5432/postgres", SUPABASE_SERVICE_ROLE_KEY: SERVICE_ROLE_KEY, SUPABASE_ANON_KEY: ANON_KEY, RESEND_API_KEY: "re_relay" });
    });

    it("makes no call and no deploy when the sources are unchanged, whatever their order", async () => {
        const { id, outs } = await deployedFunction();
        const reordered = await checkedFunction({ files: { "reply.ts": SOURCES["reply.ts"], "index.ts": SOURCES["index.ts"] } });
        const before = management.totalRequests();
        expect((await fn.provider.diff(id, outs, reordered)).changes).toBe(false);
        // The engine calls update only for changes; even then nothing changed means nothing is sent.
        await fn.provider.update(id, outs, reordered);
        expect(management.totalRequests()).toBe(before);
        expect(host.deploys).toHaveLength(1);
    });

    it("redeploys changed sources as a new version, in place", async () => {
        const { id, outs } = await deployedFunction();
        const news = await checkedFunction({ files: { ...SOURCES, "reply.ts": 'export const reply = () => new Response("two");\n' } });
        const diff = await fn.provider.diff(id, outs, news);
        expect(diff).toMatchObject({ changes: true, replaces: [] });
        const updated = (await fn.provider.update(id, outs, news)).outs;
        expect(updated.version).toBe(2);
        expect(updated.contentHash).not.toBe(outs.contentHash);
        expect(host.deploys).toHaveLength(2);
        expect(Buffer.from(host.deploys[1].files.get("reply.ts")!).toString("utf8")).toContain('"two"');
    });

    it("replaces the function when its slug or project changes", async () => {
        const { id, outs } = await deployedFunction();
        expect((await fn.provider.diff(id, outs, await checkedFunction({ slug: "relay2" }))).replaces).toEqual(["slug"]);
        expect((await fn.provider.diff(id, outs, await checkedFunction({ projectRef: "bcdefghijklmnopqrstu" }))).replaces).toEqual(["projectRef"]);
    });

    it("shows verify_jwt, entrypoint and name changed out of band as drift", async () => {
        const { id, outs, inputs } = await deployedFunction();
        const deployed = management.functionOf(REF, "relay")!;
        Object.assign(deployed, { verify_jwt: true, entrypoint_path: "reply.ts", name: "renamed in the dashboard" });
        const read = (await fn.provider.read(id, outs)).props!;
        expect(read).toMatchObject({ verifyJwt: true, entrypoint: "reply.ts", name: "renamed in the dashboard" });
        expect((await fn.provider.diff(id, read, inputs)).changes).toBe(true);
    });

    it("reads an entrypoint the API resolved under the bundle's root as the one deployed", async () => {
        const { id, outs, inputs } = await deployedFunction();
        management.functionOf(REF, "relay")!.entrypoint_path = "file:///tmp/user_fn_abc/source/index.ts";
        const read = (await fn.provider.read(id, outs)).props!;
        expect((await fn.provider.diff(id, read, inputs)).changes).toBe(false);
    });

    it("refuses to take over a function of the same slug that this stack did not deploy", async () => {
        await deployedFunction({ resourceUrn: "urn:pulumi:prod::other::supabase:EdgeFunction::relay" });
        host.clear();
        const inputs = await checkedFunction();
        const error = await fn.provider.create(inputs).catch((e) => e);
        expect(error.message).toMatch(/already has an Edge Function "relay" that this stack did not deploy/);
        expect(host.deploys).toHaveLength(0);
        expect(management.functionOf(REF, "relay")!.version).toBe(1);
    });

    it("a create run again after its answer was lost deploys over its own function", async () => {
        const { inputs } = await deployedFunction();
        const again = await fn.provider.create(inputs);
        expect(again.outs.version).toBe(2);
        expect([...management.functions.get(REF)!.keys()]).toEqual(["relay"]);
    });

    it("restarts the project's functions when its secrets change, so they see the new values", async () => {
        await deployedFunction();
        const response = await fetch(`${managementUrl}/v1/projects/${REF}/secrets`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: JSON.stringify([{ name: "OPENAI_API_KEY", value: "sk-new" }]) });
        expect(response.status).toBe(201);
        expect(host.deploys).toHaveLength(2);
        expect(host.deploys[1].env.OPENAI_API_KEY).toBe("sk-new");
    });

    it("delete removes the function from the project and from the host; a refresh then drops it", async () => {
        const { id, outs } = await deployedFunction();
        await fn.provider.delete(id, outs);
        expect(management.functionOf(REF, "relay")).toBeUndefined();
        expect(host.removed).toEqual(["relay"]);
        expect((await fn.provider.read(id, outs)).id).toBe("");
        await expect(fn.provider.delete(id, outs)).resolves.toBeUndefined();
    });

    it("with another organisation's token, refresh and delete fail naming the setting, and the function stays", async () => {
        const { id, outs } = await deployedFunction();
        const blind = await configuredProvider(edgeFunctionDefinition, { supabaseAccessToken: OTHER_TOKEN });
        await expect(blind.provider.read(id, outs)).rejects.toThrow(/supabaseAccessToken \(or SUPABASE_ACCESS_TOKEN\) may not reach project abcdefghijklmnopqrst/);
        await expect(blind.provider.delete(id, outs)).rejects.toThrow(/supabaseAccessToken/);
        expect(management.functionOf(REF, "relay")).toBeDefined();
    });

    it.each([
        [{ slug: "1relay" }, "slug: must start with a letter"],
        [{ slug: "re/lay" }, "slug: must start with a letter"],
        [{ slug: ".." }, "slug: must start with a letter"],
        [{ files: {} }, "files: must hold at least one file"],
        [{ files: { "../index.ts": "x" }, entrypoint: "../index.ts" }, "must not hold empty, . or .. segments"],
        [{ entrypoint: "main.ts" }, "entrypoint: must be one of the files"],
        [{ importMap: "deno.json" }, "importMap: must be one of the files"],
        [{ projectRef: "ABC" }, "projectRef: must be the project's reference"],
    ])("check refuses %j before any request", async (bad, rule) => {
        const before = management.totalRequests();
        const failures = await failuresOf(fn, { managementUrl, projectRef: REF, projectUrl, slug: "relay", files: SOURCES, resourceUrn: URN, ...bad });
        expect(failures.join("\n")).toContain(rule);
        expect(management.totalRequests()).toBe(before);
    });
});

describe("the project's functions gateway", () => {
    it("forwards a request to the function with the path that follows its base", async () => {
        await deployedFunction();
        const response = await fetch(`${projectUrl}/functions/v1/relay/stripe?x=1`, { method: "POST", body: "payload" });
        expect(response.status).toBe(200);
        expect(await response.text()).toBe("relay answered POST /stripe?x=1");
        expect(host.invoked[0]).toMatchObject({ name: "relay", body: "payload" });
    });

    it("answers 404 NOT_FOUND for a slug not deployed", async () => {
        const response = await fetch(`${projectUrl}/functions/v1/nothing-here`);
        expect(response.status).toBe(404);
        expect(await response.json()).toEqual({ code: "NOT_FOUND", message: "Requested function was not found" });
    });

    it("demands a project JWT from a function deployed with verify_jwt, as the platform does", async () => {
        await deployedFunction({ verifyJwt: true });
        const bare = await fetch(`${projectUrl}/functions/v1/relay`);
        expect(bare.status).toBe(401);
        expect(await bare.json()).toEqual({ code: "UNAUTHORIZED_NO_AUTH_HEADER", message: "Missing authorization header" });
        const forged = await fetch(`${projectUrl}/functions/v1/relay`, { headers: { authorization: "Bearer not-a-project-key" } });
        expect(forged.status).toBe(401);
        expect(await forged.json()).toEqual({ code: 401, message: "Invalid JWT" });
        const signed = await fetch(`${projectUrl}/functions/v1/relay`, { headers: { authorization: `Bearer ${ANON_KEY}` } });
        expect(signed.status).toBe(200);
        expect(host.invoked).toHaveLength(1);
    });
});

async function checkedSmtp(overrides: Record<string, unknown> = {}) {
    const result = await smtp.provider.check({}, { managementUrl, projectRef: REF, password: SMTP_PASSWORD, adminEmail: "no-reply@example.com", senderName: "Acme", ...overrides });
    expect(result.failures ?? []).toEqual([]);
    return result.inputs;
}

describe("Supabase Auth SMTP", () => {
    it("writes Resend's SMTP settings into a project without custom SMTP", async () => {
        const inputs = await checkedSmtp();
        expect(inputs).toMatchObject({ host: "smtp.resend.com", port: 465, user: "resend", emailsPerHour: 30 });
        const { outs } = await smtp.provider.create(inputs);
        expect(outs).not.toHaveProperty("previous");
        expect(management.authConfig(REF)).toMatchObject({ smtp_host: "smtp.resend.com", smtp_port: "465", smtp_user: "resend", smtp_pass: SMTP_PASSWORD, smtp_admin_email: "no-reply@example.com", smtp_sender_name: "Acme", rate_limit_email_sent: 30 });
        expect(management.requestCounts()).toEqual({ "GET /v1/projects/:ref/config/auth": 1, "PATCH /v1/projects/:ref/config/auth": 1 });
    });

    it("never reads the password back: the API answers it masked, and the state keeps it only as the secret input", async () => {
        const { id, outs } = await smtp.provider.create(await checkedSmtp());
        const answer = (await (await fetch(`${managementUrl}/v1/projects/${REF}/config/auth`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as Record<string, unknown>;
        expect(answer.smtp_pass).not.toBe(SMTP_PASSWORD);
        const read = (await smtp.provider.read(id, outs)).props!;
        expect(read.password).toBe(SMTP_PASSWORD);
        expect(Object.entries(read).filter(([k, v]) => k !== "password" && JSON.stringify(v).includes(SMTP_PASSWORD))).toEqual([]);
        expect(authSmtpDefinition.secretInputs).toEqual(["password"]);
    });

    it("shows every setting changed out of band as drift, and a second up with none as no change", async () => {
        const inputs = await checkedSmtp();
        const { id, outs } = await smtp.provider.create(inputs);
        expect((await smtp.provider.diff(id, (await smtp.provider.read(id, outs)).props!, inputs)).changes).toBe(false);
        management.editAuthConfig(REF, { smtp_sender_name: "Someone else", smtp_port: "587", rate_limit_email_sent: 5 });
        const read = (await smtp.provider.read(id, outs)).props!;
        expect(read).toMatchObject({ senderName: "Someone else", port: 587, emailsPerHour: 5 });
        expect((await smtp.provider.diff(id, read, inputs)).changes).toBe(true);
        const updated = (await smtp.provider.update(id, read, inputs)).outs;
        expect(management.authConfig(REF)).toMatchObject({ smtp_sender_name: "Acme", smtp_port: "465", rate_limit_email_sent: 30 });
        expect(updated).toEqual({ ...inputs });
    });

    it("custom SMTP turned off out of band leaves the state on refresh", async () => {
        const { id, outs } = await smtp.provider.create(await checkedSmtp());
        management.editAuthConfig(REF, { smtp_host: null });
        expect((await smtp.provider.read(id, outs)).id).toBe("");
    });

    it("refuses a project's own custom SMTP (its password could never be restored), naming adopt, and writes nothing", async () => {
        management.editAuthConfig(REF, { smtp_host: "smtp.example.com", smtp_port: "587", smtp_user: "mailer", smtp_pass: "their-password", smtp_sender_name: "Before", smtp_admin_email: "before@example.com", rate_limit_email_sent: 10 });
        management.resetCounts();
        await expect(smtp.provider.create(await checkedSmtp())).rejects.toThrow(/already sends Auth email through its own SMTP server \(smtp\.example\.com\).*Take it over with adopt: /);
        expect(management.requestCounts()).toEqual({ "GET /v1/projects/:ref/config/auth": 1 });
        expect(management.authConfig(REF)).toMatchObject({ smtp_host: "smtp.example.com", smtp_sender_name: "Before" });
    });

    it("delete turns custom SMTP off (a password cannot be restored), sending only the two fields Supabase takes then", async () => {
        const { id, outs } = await smtp.provider.create(await checkedSmtp());
        const sent: string[] = [];
        management.onExchange = (e) => void (e.method === "PATCH" && sent.push(e.requestBody.toString("utf8")));
        try {
            await smtp.provider.delete(id, outs);
        } finally {
            management.onExchange = undefined;
        }
        expect(management.authConfig(REF)).toMatchObject({ smtp_host: null, smtp_pass: null });
        // The SMTP-gated fields (sender name, rate limit, frequency) are refused once custom SMTP is off.
        expect(sent.map((body) => JSON.parse(body))).toEqual([{ smtp_host: null, smtp_pass: null }]);
    });

    it("a create run again after its answer was lost finds its own settings and goes on", async () => {
        const inputs = await checkedSmtp();
        await smtp.provider.create(inputs);
        const again = await smtp.provider.create(inputs);
        expect(again.outs).not.toHaveProperty("previous");
        expect(management.authConfig(REF)).toMatchObject({ smtp_host: "smtp.resend.com", smtp_sender_name: "Acme" });
    });

    it("no error carries the password or the token, whatever the API echoes", async () => {
        const inputs = await checkedSmtp();
        management.inject({ kind: "echo-reject", route: "PATCH /v1/projects/:ref/config/auth", times: 10 });
        const error = await smtp.provider.create(inputs).catch((e) => e);
        expect(error.message).toContain("Invalid request");
        expect(`${error.message}\n${error.stack}`).not.toContain(SMTP_PASSWORD);
        expect(`${error.message}\n${error.stack}`).not.toContain(TOKEN);
    });

    it.each([
        [{ port: 70000 }, "port: must be a TCP port"],
        [{ port: 46.5 }, "port: must be a whole number"],
        [{ adminEmail: "not an address" }, "adminEmail: must be an email address"],
        [{ host: "smtp resend com" }, "host: must be a host name"],
        [{ emailsPerHour: 0 }, "emailsPerHour: must be at least 1"],
        [{ password: "" }, "password: must not be empty"],
    ])("check refuses %j before any request, naming the field", async (bad, rule) => {
        const before = management.totalRequests();
        const failures = await failuresOf(smtp, { managementUrl, projectRef: REF, password: SMTP_PASSWORD, adminEmail: "no-reply@example.com", senderName: "Acme", ...bad });
        expect(failures.join("\n")).toContain(rule);
        expect(failures.join("\n")).not.toContain(SMTP_PASSWORD);
        expect(management.totalRequests()).toBe(before);
    });
});
