/**
 * Appwrite functions (function, code deployment, variables) and Messaging's Resend provider
 * through node-appwrite against the Appwrite emulator; and the Stripe relay function deployed
 * through the emulator onto a real Node process, called at its domain with Stripe-signed events.
 */
import { Client, Functions } from "node-appwrite";
import Stripe from "stripe";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { appwriteFunctionDefinition } from "../../dynamic-providers/appwrite/function";
import { resendProviderDefinition } from "../../dynamic-providers/appwrite/messaging";
import { AppwriteEmulator } from "../../sandbox/emulators/appwrite";
import { postEvent, serveDomainAt } from "../../sandbox/events/deliver";
import { functionFiles } from "../../stacks/wires/code";
import type { Exchange } from "../../sandbox/emulators/frame";
import { parseMultipart } from "../../sandbox/emulators/multipart";
import { NodeFunctionHost } from "../../sandbox/functions/node-host";
import { ContractChecker, loadContract } from "../fidelity/contract";
import { configuredProvider, lifecycle, type ProviderUnderTest } from "./harness";

const KEY = "appwrite-functions-key-for-tests-0123456789";
const STRIPE_KEY = "sk_test_functions_secret_0123456789";
const WEBHOOK_SECRET = "whsec_functions_secret_0123456789";
const RESEND_KEY = "re_sending_only_secret_0123456789";
const host = new NodeFunctionHost();
const emulator = new AppwriteEmulator({ projectId: "stackwire-test", apiKey: KEY, functionHost: host });
let conn: { endpoint: string; projectId: string };
const p = {} as Record<"fn" | "resend", ProviderUnderTest>;
const { checked, failures, make, secondUp } = lifecycle(p, () => conn);

const HELLO = { "src/main.js": 'export default async ({ res }) => res.text("hello");\n', "package.json": '{ "type": "module" }\n' };
const fnInputs = (extra: Record<string, unknown> = {}) => ({ functionId: "stripe-events", name: "Stripe events", runtime: "node-22", entrypoint: "src/main.js", code: HELLO, variables: { STRIPE_SECRET_KEY: STRIPE_KEY, STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET }, ...extra });
const record = (id = "stripe-events") => emulator.functionRecords.get(id)!;
const variablesOf = (id = "stripe-events") => Object.fromEntries([...(emulator.functions.get(id)?.values() ?? [])].map((v) => [v.key, v.value]));

beforeAll(async () => {
    await emulator.start();
    conn = { endpoint: `${emulator.url}/v1`, projectId: "stackwire-test" };
});
afterAll(async () => {
    await host.stop();
    await emulator.stop();
});
beforeEach(async () => {
    emulator.reset();
    p.fn = await configuredProvider(appwriteFunctionDefinition, { appwriteApiKey: KEY });
    p.resend = await configuredProvider(resendProviderDefinition, { appwriteApiKey: KEY });
});

describe("function", () => {
    it("creates the function, its secret variables and a deployment that is ready and active; a second up changes nothing", async () => {
        const made = await make("fn", fnInputs({ domain: "events.fra.appwrite.run" }));
        const f = record();
        expect(f).toMatchObject({ name: "Stripe events", runtime: "node-22", execute: ["any"], entrypoint: "src/main.js" });
        expect(f.deployments.get(made.outs.deploymentId)).toMatchObject({ status: "ready", activate: true });
        expect(f.deploymentId).toBe(made.outs.deploymentId);
        expect([...f.deployments.get(made.outs.deploymentId).files.keys()].sort()).toEqual(["package.json", "src/main.js"]);
        expect(variablesOf()).toEqual({ STRIPE_SECRET_KEY: STRIPE_KEY, STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET });
        expect([...emulator.functions.get("stripe-events")!.values()].every((v) => v.secret)).toBe(true);
        expect(made.outs).toMatchObject({ url: "https://events.fra.appwrite.run/", codeHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
        expect(appwriteFunctionDefinition.secretInputs).toEqual(["variables"]);

        emulator.resetCounts();
        expect((await secondUp("fn", made.id, made.outs, made.inputs)).changes).toBe(false);
        expect(Object.keys(emulator.requestCounts()).filter((route) => !route.startsWith("GET"))).toEqual([]);
    });

    it("a code change uploads a new deployment and activates it once built; the variables stay", async () => {
        const made = await make("fn", fnInputs());
        const news = await checked("fn", { ...made.inputs, code: { ...HELLO, "src/main.js": 'export default async ({ res }) => res.text("hello again");\n' } });
        expect(await p.fn.provider.diff(made.id, made.outs, news)).toMatchObject({ changes: true, replaces: [] });
        emulator.resetCounts();
        const { outs } = await p.fn.provider.update(made.id, made.outs, news);
        expect(outs.deploymentId).not.toBe(made.outs.deploymentId);
        expect(outs.codeHash).not.toBe(made.outs.codeHash);
        expect(record().deploymentId).toBe(outs.deploymentId);
        expect(emulator.count("POST /v1/functions/:fn/deployments")).toBe(1);
        expect(emulator.count("PUT /v1/functions/:fn/variables/:id") + emulator.count("POST /v1/functions/:fn/variables")).toBe(0);
    });

    it("a variable change sets that variable, removes a dropped one and redeploys", async () => {
        const made = await make("fn", fnInputs({ variables: { STRIPE_SECRET_KEY: STRIPE_KEY, OLD_SETTING: "x" } }));
        const news = await checked("fn", { ...made.inputs, variables: { STRIPE_SECRET_KEY: "sk_test_rotated_0123456789", STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET } });
        emulator.resetCounts();
        const { outs } = await p.fn.provider.update(made.id, made.outs, news);
        expect(variablesOf()).toEqual({ STRIPE_SECRET_KEY: "sk_test_rotated_0123456789", STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET });
        expect(emulator.count("POST /v1/functions/:fn/deployments")).toBe(1);
        expect(outs.deploymentId).not.toBe(made.outs.deploymentId);
        expect(outs.codeHash).toBe(made.outs.codeHash);
    });

    it("a settings change updates in place without a new deployment; a new function id replaces it", async () => {
        const made = await make("fn", fnInputs());
        const news = await checked("fn", { ...made.inputs, name: "Stripe relay", timeout: 30, scopes: ["documents.write"] });
        emulator.resetCounts();
        await p.fn.provider.update(made.id, made.outs, news);
        expect(record()).toMatchObject({ name: "Stripe relay", timeout: 30, scopes: ["documents.write"] });
        expect(emulator.count("POST /v1/functions/:fn/deployments")).toBe(0);
        const moved = await checked("fn", { ...made.inputs, functionId: "stripe-relay" });
        expect(await p.fn.provider.diff(made.id, made.outs, moved)).toMatchObject({ replaces: ["functionId"], deleteBeforeReplace: true });
    });

    it("a build that fails surfaces Appwrite's build log, removes the new function, and leaves an existing one on its deployment", async () => {
        emulator.failNextDeployment("stripe-events", "npm ERR! missing script: build");
        await expect(make("fn", fnInputs())).rejects.toThrow(/failed to build: npm ERR! missing script: build/);
        expect(emulator.functions.has("stripe-events")).toBe(false);

        const made = await make("fn", fnInputs());
        emulator.failNextDeployment("stripe-events", "SyntaxError: Unexpected token");
        const news = await checked("fn", { ...made.inputs, code: { ...HELLO, "src/main.js": "export default async (" } });
        await expect(p.fn.provider.update(made.id, made.outs, news)).rejects.toThrow(/SyntaxError: Unexpected token/);
        expect(record().deploymentId).toBe(made.outs.deploymentId);
    });

    it("refresh shows drift: settings, a variable added out of band, another deployment active; gone out of band leaves state", async () => {
        const made = await make("fn", fnInputs());
        Object.assign(record(), { name: "renamed", timeout: 60 });
        emulator.functions.get("stripe-events")!.set("extra", { $id: "extra", key: "EXTRA", value: "", secret: true });
        record().deploymentId = "someone-elses";
        const read = await p.fn.provider.read(made.id, made.outs);
        expect(read.props).toMatchObject({ name: "renamed", timeout: 60, code: {}, deploymentId: "someone-elses", variables: { STRIPE_SECRET_KEY: STRIPE_KEY, STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, EXTRA: "" } });
        const diff = await p.fn.provider.diff(made.id, read.props!, made.inputs);
        expect(diff).toMatchObject({ changes: true, replaces: [] });
        // The next up puts our code back live, as a new deployment of its own.
        const updated = (await p.fn.provider.update(made.id, read.props!, made.inputs)).outs!;
        expect(updated.deploymentId).toEqual(expect.any(String));
        expect(updated.deploymentId).not.toBe("someone-elses");
        expect((await p.fn.provider.read(made.id, updated)).props).toMatchObject({ deploymentId: updated.deploymentId, codeHash: made.outs.codeHash });

        emulator.functions.delete("stripe-events");
        expect((await p.fn.provider.read(made.id, made.outs)).id).toBe("");
        await expect(p.fn.provider.delete(made.id, made.outs)).resolves.toBeUndefined();
    });

    it("the code upload is the multipart request the spec describes, and its answer conforms", async () => {
        const exchanges: Exchange[] = [];
        emulator.onExchange = (exchange) => exchanges.push(exchange);
        await make("fn", fnInputs());
        emulator.onExchange = undefined;
        const upload = exchanges.find((e) => e.route === "POST /v1/functions/:fn/deployments")!;
        const form = parseMultipart(String(upload.requestHeaders["content-type"]), upload.requestBody)!;
        expect(form.files.code.filename).toBe("code.tar.gz");
        expect(form.fields).toEqual({ entrypoint: "src/main.js", activate: "true" });
        // Multipart fields are text; Appwrite reads "true" as a boolean (Boolean(true), loose). The spec's schema is checked on the decoded form.
        const decoded = { ...upload, requestHeaders: { ...upload.requestHeaders, "content-type": "application/json" }, requestBody: Buffer.from(JSON.stringify({ ...form.fields, activate: true, code: "(binary)" })) };
        const checker = new ContractChecker(loadContract("appwrite"));
        expect(exchanges.filter((e) => e !== upload).flatMap((e) => checker.check(e))).toEqual([]);
        expect(checker.check(decoded)).toEqual([]);
    });

    it("delete removes the function with its deployments and variables", async () => {
        const made = await make("fn", fnInputs());
        await p.fn.provider.delete(made.id, made.outs);
        expect(emulator.functions.has("stripe-events")).toBe(false);
        expect(emulator.functionRecords.has("stripe-events")).toBe(false);
    });

    it("a create whose answer was lost adopts the function it made", async () => {
        emulator.inject({ kind: "drop-after-commit", route: "POST /v1/functions" });
        const made = await make("fn", fnInputs());
        expect(emulator.count("POST /v1/functions")).toBe(1);
        expect(record().deploymentId).toBe(made.outs.deploymentId);
    });

    it.each([
        [{ runtime: "node-99" }, "runtime: must be one of Appwrite's runtimes: node-14.5"],
        [{ entrypoint: "src/index.js" }, "entrypoint: must name a file of code"],
        [{ entrypoint: "../main.js", code: { "../main.js": "" } }, "entrypoint: must be a relative path inside the code"],
        [{ variables: { "1BAD": "x" } }, "must be an environment variable name"],
        [{ execute: ["everyone"] }, "execute[0]: must be a role such as any"],
        [{ scopes: ["documents.admin"] }, "scopes[0]: must be an API key scope"],
        [{ timeout: 901 }, "timeout: must be at most 900 seconds"],
        [{ functionId: "_stripe" }, "functionId: functionId must not start with a special character"],
        [{ code: {} }, "code: must hold at least one file"],
        [{ domain: "https://events.example.com" }, "domain: must be a domain name"],
    ])("refuses %j before any request", async (change, expected) => {
        expect(await failures("fn", fnInputs(change))).toContain(expected);
        expect(emulator.totalRequests()).toBe(0);
    });

    it("no error carries a variable's value or the API key", async () => {
        emulator.inject({ kind: "echo-reject", route: "POST /v1/functions/:fn/variables" });
        const error = await make("fn", fnInputs()).then(
            () => undefined,
            (err: Error) => err,
        );
        expect(error?.message).toMatch(/Invalid request/);
        for (const secret of [STRIPE_KEY, WEBHOOK_SECRET, KEY]) expect(JSON.stringify({ message: error?.message, stack: error?.stack })).not.toContain(secret);
    });
});

describe("Messaging's Resend provider", () => {
    const providerInputs = (extra: Record<string, unknown> = {}) => ({ providerId: "resend", name: "Resend", apiKey: RESEND_KEY, fromName: "Stackwire", fromEmail: "hello@mail.example.com", ...extra });

    it("create, no change on a second up, update in place, drift, delete", async () => {
        const made = await make("resend", providerInputs());
        expect(emulator.providers.get("resend")).toMatchObject({ provider: "resend", type: "email", enabled: true, credentials: { apiKey: RESEND_KEY }, options: { fromName: "Stackwire", fromEmail: "hello@mail.example.com" } });
        expect((await secondUp("resend", made.id, made.outs, made.inputs)).changes).toBe(false);

        const news = await checked("resend", { ...made.inputs, apiKey: "re_rotated_secret_0123456789", replyToName: "Support", replyToEmail: "support@example.com", enabled: false });
        expect((await p.resend.provider.diff(made.id, made.outs, news)).replaces).toEqual([]);
        await p.resend.provider.update(made.id, made.outs, news);
        expect(emulator.providers.get("resend")).toMatchObject({ enabled: false, credentials: { apiKey: "re_rotated_secret_0123456789" }, options: { replyToEmail: "support@example.com" } });

        // Appwrite's update skips empty values: clearing the reply-to replaces the provider.
        const cleared = await checked("resend", { ...news, replyToName: "", replyToEmail: "" });
        expect([...(await p.resend.provider.diff(made.id, news, cleared)).replaces!].sort()).toEqual(["replyToEmail", "replyToName"]);

        emulator.providers.get("resend")!.credentials.apiKey = "re_changed_elsewhere";
        expect((await p.resend.provider.read(made.id, news)).props).toMatchObject({ apiKey: "re_changed_elsewhere" });

        await p.resend.provider.delete(made.id, news);
        expect(emulator.providers.size).toBe(0);
        expect((await p.resend.provider.read(made.id, news)).id).toBe("");
    });

    it.each([
        [{ fromEmail: "not-an-email" }, "fromEmail: must be an email address"],
        [{ apiKey: "" }, "apiKey: must be a Resend API key"],
        [{ replyToName: "Support" }, "replyToEmail: is required with replyToName"],
        [{ providerId: "a/b" }, "providerId: providerId may hold only letters"],
    ])("refuses %j before any request", async (change, expected) => {
        expect(await failures("resend", providerInputs(change))).toContain(expected);
        expect(emulator.totalRequests()).toBe(0);
    });

    it("an error never carries the Resend key", async () => {
        emulator.inject({ kind: "echo-reject", route: "POST /v1/messaging/providers/resend" });
        const error = await make("resend", providerInputs()).catch((err: Error) => err);
        expect(String((error as Error).message)).toMatch(/Invalid request/);
        expect(String((error as Error).message)).not.toContain(RESEND_KEY);
    });
});

describe("the Stripe relay function, deployed through the emulator and run by Node", () => {
    it("stores a signed event once, refuses a forged one, and a replay adds nothing", async () => {
        emulator.ensureStringAttribute("relay", "stripe_events", "type", 128);
        emulator.ensureStringAttribute("relay", "stripe_events", "eventId", 255);
        emulator.ensureStringAttribute("relay", "stripe_events", "payload", 100_000);
        const made = await make("fn", {
            functionId: "stripe-events",
            name: "Stripe events",
            runtime: "node-22",
            entrypoint: "src/main.js",
            code: functionFiles("appwrite/stripe-events"),
            variables: { STRIPE_SECRET_KEY: STRIPE_KEY, STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, APPWRITE_DATABASE_ID: "relay", APPWRITE_COLLECTION_ID: "stripe_events" },
            scopes: ["documents.write"],
            domain: "stripe-events.functions.localhost",
        });
        const domain = new URL(made.outs.url as string).hostname;
        emulator.addFunctionDomain(domain, made.id);
        serveDomainAt(domain, emulator.functionsUrl);

        const payload = JSON.stringify({ id: "evt_1QabcdEFGHijklMNOPqrstuv", object: "event", type: "checkout.session.completed", data: { object: { id: "cs_test_1" } } });
        const signature = new Stripe(STRIPE_KEY).webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
        const documents = () => emulator.databases.get("relay")!.collections.get("stripe_events")!.documents as Map<string, Record<string, unknown>> | undefined;

        const first = await postEvent(`https://${domain}/`, { "stripe-signature": signature, "content-type": "application/json" }, payload);
        expect(first).toMatchObject({ status: 200 });
        expect([...(documents()?.values() ?? [])]).toEqual([expect.objectContaining({ $id: "1QabcdEFGHijklMNOPqrstuv", eventId: "evt_1QabcdEFGHijklMNOPqrstuv", type: "checkout.session.completed" })]);

        const forged = await postEvent(`https://${domain}/`, { "stripe-signature": signature, "content-type": "application/json" }, payload.replace("cs_test_1", "cs_test_2"));
        expect(forged.status).toBe(401);

        const replay = await postEvent(`https://${domain}/`, { "stripe-signature": signature, "content-type": "application/json" }, payload);
        expect(replay).toMatchObject({ status: 200 });
        expect(JSON.parse(replay.body)).toMatchObject({ duplicate: true });
        expect(documents()!.size).toBe(1);

        // The same code through Appwrite's executions API (the route the console's "Execute" uses).
        const exchanges: Exchange[] = [];
        emulator.onExchange = (exchange) => exchanges.push(exchange);
        const second = JSON.stringify({ id: "evt_1QsecondEventForExecution00", object: "event", type: "invoice.paid", data: { object: {} } });
        const functions = new Functions(new Client().setEndpoint(conn.endpoint).setProject(conn.projectId).setKey(KEY));
        const execution = await functions.createExecution({ functionId: made.id, body: second, xpath: "/", headers: { "stripe-signature": new Stripe(STRIPE_KEY).webhooks.generateTestHeaderString({ payload: second, secret: WEBHOOK_SECRET }) } });
        emulator.onExchange = undefined;
        expect(execution).toMatchObject({ status: "completed", responseStatusCode: 200, trigger: "http" });
        expect(documents()!.size).toBe(2);
        // The routes only functions use, held to the spec here: the execution, and the document the function wrote with its execution key.
        const checker = new ContractChecker(loadContract("appwrite"));
        expect(exchanges.map((e) => e.route).sort()).toEqual(["POST /v1/databases/:db/collections/:coll/documents", "POST /v1/functions/:fn/executions"]);
        expect(exchanges.flatMap((e) => checker.check(e))).toEqual([]);
    }, 20_000);
});
