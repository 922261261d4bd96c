/**
 * Issue 14 through the real program and provider host: platforms set up by hand (names and
 * settings stackwire would never choose) → `npm run adopt` writes the stack file → the first
 * `up` adopts every object with no write; a second `up` does nothing; an edit updates the adopted
 * object in place; destroy leaves adopted objects where they were.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import * as yaml from "js-yaml";
import { DynamicProviderHost } from "../../sandbox/engine/host";
import { withEnvironment } from "../../sandbox/engine/environment";
import { MiniEngine } from "../../sandbox/engine/mini-engine";
import type { Emulator } from "../../sandbox/emulators/frame";
import { GithubEmulator } from "../../sandbox/emulators/github";
import { Client, Databases, Storage } from "node-appwrite";
import { SANDBOX_APPWRITE, SANDBOX_ENV, SANDBOX_KEYS, SANDBOX_SUPABASE_REF, sandboxEmulators } from "../../sandbox/local-stack";
import { runScript, stackProgram } from "./processes";

const ADOPT = path.resolve(__dirname, "../../cli/adopt.js");
/** The token the GitHub emulator accepts, built at run time so no credential-shaped literal sits in the source. */
const GITHUB_TOKEN = ["sandbox", "github", "token"].join("-");
const { supabase, stripe, trello, appwrite, resend, management } = sandboxEmulators();
const emulators: Emulator[] = [supabase, stripe, trello, appwrite, resend, management];
let host: DynamicProviderHost;
let dir: string;

before(async () => {
    for (const e of emulators) await e.start();
    host = await DynamicProviderHost.start(SANDBOX_ENV);
    await host.configure({});
    dir = mkdtempSync(path.join(tmpdir(), "stackwire-adopt-"));
});
after(async () => {
    await host.stop();
    for (const e of emulators) await e.stop();
    rmSync(dir, { recursive: true, force: true });
});

/** Reads a background build's status until it is available (or fails, or 5 s pass), as a client waits on Appwrite. */
async function untilAvailable(status: () => Promise<string>): Promise<void> {
    const deadline = Date.now() + 5_000;
    for (let seen = await status(); seen !== "available"; seen = await status()) {
        if (seen === "failed" || Date.now() > deadline) throw new Error(`an Appwrite build ended ${seen} instead of available`);
        await new Promise((resolve) => setTimeout(resolve, 20));
    }
}

async function api(url: string, init: RequestInit & { form?: Record<string, string> }): Promise<Record<string, unknown>> {
    const body = init.form ? new URLSearchParams(init.form).toString() : init.body;
    const headers = init.form ? { ...(init.headers as Record<string, string>), "content-type": "application/x-www-form-urlencoded" } : init.headers;
    const answer = await fetch(url, { ...init, headers, body });
    const json = (await answer.json()) as Record<string, unknown>;
    assert.ok(answer.ok, `${url}: ${JSON.stringify(json)}`);
    return json;
}

/** What a team made by hand before stackwire: odd names, settings the stack would not choose. */
async function handMadePlatforms(): Promise<{ productId: string; priceIds: string[]; boardId: string }> {
    const stripeAuth = { authorization: `Bearer ${SANDBOX_KEYS.stripeSecretKey}` };
    const product = await api(`${stripe.url}/v1/products`, { method: "POST", headers: stripeAuth, form: { name: "Pro Plan (2021)", description: "Legacy tier", "metadata[team]": "growth", unit_label: "seat" } });
    const monthly = await api(`${stripe.url}/v1/prices`, { method: "POST", headers: stripeAuth, form: { product: String(product.id), currency: "usd", unit_amount: "1999", "recurring[interval]": "month", nickname: "Monthly", lookup_key: "pro_monthly_2021" } });
    const once = await api(`${stripe.url}/v1/prices`, { method: "POST", headers: stripeAuth, form: { product: String(product.id), currency: "usd", unit_amount: "9900" } });
    await api(`${stripe.url}/v1/products`, { method: "POST", headers: stripeAuth, form: { name: "Theirs", "metadata[stackwire_stack]": "stackwire/staging" } });
    const storage = { apikey: SANDBOX_KEYS.supabaseServiceRoleKey, authorization: `Bearer ${SANDBOX_KEYS.supabaseServiceRoleKey}`, "content-type": "application/json" };
    await api(`${supabase.url}/storage/v1/bucket`, { method: "POST", headers: storage, body: JSON.stringify({ id: "User_Avatars", name: "User_Avatars", public: true, file_size_limit: 2_000_000, allowed_mime_types: ["image/png"] }) });
    await api(`${supabase.url}/storage/v1/bucket`, { method: "POST", headers: storage, body: JSON.stringify({ id: "exports", name: "exports" }) });
    const trelloAuth = { key: SANDBOX_KEYS.trelloApiKey, token: SANDBOX_KEYS.trelloToken };
    const board = await api(`${trello.url}/1/boards?${new URLSearchParams({ ...trelloAuth, name: "Ops & On-call", desc: "Made by hand in 2020", defaultLists: "false", defaultLabels: "false" })}`, { method: "POST" });
    for (const [name, pos] of [["Inbox", "1"], ["Doing", "2.5"], ["2024 Archive", "9"]]) await api(`${trello.url}/1/lists?${new URLSearchParams({ ...trelloAuth, name, idBoard: String(board.id), pos })}`, { method: "POST" });
    await api(`${trello.url}/1/labels?${new URLSearchParams({ ...trelloAuth, name: "P1 🔥", color: "red", idBoard: String(board.id) })}`, { method: "POST" });
    const client = new Client().setEndpoint(`${appwrite.url}/v1`).setProject(SANDBOX_APPWRITE.projectId).setKey(SANDBOX_KEYS.appwriteApiKey);
    const databases = new Databases(client);
    await databases.create({ databaseId: "crm", name: "Legacy CRM" });
    await databases.createCollection({ databaseId: "crm", collectionId: "contacts", name: "Contacts", permissions: ['read("any")'], documentSecurity: true });
    await databases.createEmailAttribute({ databaseId: "crm", collectionId: "contacts", key: "email", required: true });
    await databases.createIntegerAttribute({ databaseId: "crm", collectionId: "contacts", key: "score", required: false, min: 0, max: 100 });
    await databases.createEnumAttribute({ databaseId: "crm", collectionId: "contacts", key: "stage", elements: ["lead", "customer"], required: false, xdefault: "lead" });
    // Attributes build in the background; an index waits for them, as on a server: read until Appwrite says they are ready.
    for (const key of ["email", "score", "stage"]) await untilAvailable(async () => ((await databases.getAttribute({ databaseId: "crm", collectionId: "contacts", key })) as { status: string }).status);
    await databases.createIndex({ databaseId: "crm", collectionId: "contacts", key: "by_email", type: "unique" as never, attributes: ["email"] });
    await new Storage(client).createBucket({ bucketId: "uploads_2020", name: "Uploads 2020", permissions: ['read("users")'], maximumFileSize: 5_000_000, allowedFileExtensions: ["pdf"] });
    await untilAvailable(async () => (await databases.getIndex({ databaseId: "crm", collectionId: "contacts", key: "by_email" })).status);
    const resendAuth = { authorization: `Bearer ${SANDBOX_KEYS.resendApiKey}`, "content-type": "application/json" };
    await api(`${resend.url}/domains`, { method: "POST", headers: resendAuth, body: JSON.stringify({ name: "news.acme.test", region: "eu-west-1" }) });
    await api(`${resend.url}/webhooks`, { method: "POST", headers: resendAuth, body: JSON.stringify({ endpoint: "https://hooks.acme.test/resend", events: ["email.sent", "email.bounced"] }) });
    await api(`${resend.url}/api-keys`, { method: "POST", headers: resendAuth, body: JSON.stringify({ name: "Production", permission: "sending_access" }) });
    const secrets = await fetch(`${management.url}/v1/projects/${SANDBOX_SUPABASE_REF}/secrets`, { method: "POST", headers: { authorization: `Bearer ${SANDBOX_KEYS.supabaseAccessToken}`, "content-type": "application/json" }, body: JSON.stringify([{ name: "OPENAI_API_KEY", value: "set-by-hand" }]) });
    assert.equal(secrets.status, 201, await secrets.text());
    return { productId: String(product.id), priceIds: [String(monthly.id), String(once.id)], boardId: String(board.id) };
}


/** The stack file's settings as `pulumi up` hands them to the program. */
function configOf(file: string): Record<string, string> {
    const config = (yaml.load(readFileSync(file, "utf8")) as { config: Record<string, unknown> }).config;
    return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, JSON.stringify(v)]));
}


const writes = () => emulators.reduce((n, e) => n + e.writeCount(), 0);
const requests = () => emulators.reduce((n, e) => n + e.totalRequests(), 0);

test("hand-made platforms are adopted with zero writes, kept in step, and kept on destroy", async () => {
    const made = await handMadePlatforms();
    writeFileSync(path.join(dir, "Pulumi.yaml"), "name: stackwire\nruntime: nodejs\n");
    const file = path.join(dir, "Pulumi.dev.yaml");
    writeFileSync(
        file,
        `# The team's dev stack.\nconfig:\n  aws:accountId: 012345678901 # kept as written\n  stackwire:stripe:\n    apiBase: ${stripe.url}\n  stackwire:supabase:\n    url: ${supabase.url} # the project\n    projectRef: ${SANDBOX_SUPABASE_REF}\n    managementUrl: ${management.url}\n  stackwire:trello:\n    baseUrl: ${trello.url}/1\n  stackwire:appwrite:\n    endpoint: ${appwrite.url}/v1\n    projectId: ${SANDBOX_APPWRITE.projectId}\n  stackwire:resend:\n    baseUrl: ${resend.url}\n`,
    );

    for (const e of emulators) e.resetCounts();
    const adopted = await runScript(ADOPT, ["--stack", "dev"], { cwd: dir, env: SANDBOX_ENV });
    assert.equal(adopted.status, 0, adopted.err);
    assert.equal(writes(), 0, "adopt only reads");
    assert.match(adopted.err, /Stripe: 2 prices read/, "a progress line per listing");
    const adoptCalls = requests();
    // Skipped: another stack's product, two API keys (the hand-made one and the key adopt itself reads with), a function secret.
    assert.match(adopted.out, /(\d+) objects to adopt, 4 skipped\./);
    assert.match(adopted.out, /To provide or rotate \(cannot be read back\): Supabase function secret OPENAI_API_KEY: its value cannot be read back/);
    // What cannot be read back is listed for the user: the webhook's signing secret, the key's token.
    assert.match(adopted.out, /To provide or rotate \(cannot be read back\): resend\.webhooks\.hooks-acme-test: its signing secret cannot be read back/);
    assert.match(adopted.out, /To provide or rotate \(cannot be read back\): Resend API key "Production" \([^)]+\): its token cannot be read back/);
    const text = readFileSync(file, "utf8");
    assert.match(text, /# The team's dev stack\./, "the file's comments are kept");
    assert.match(text, /# the project/);
    assert.ok(text.includes("  aws:accountId: 012345678901 # kept as written\n"), "settings outside stackwire's sections keep every byte");
    // A second run adopts nothing twice: the file already names every object.
    const again = await runScript(ADOPT, ["--stack", "dev"], { cwd: dir, env: SANDBOX_ENV });
    assert.equal(again.status, 0, again.err);
    assert.match(again.out, /\n0 objects to adopt, \d+ skipped\./);
    assert.equal(readFileSync(file, "utf8"), text);
    const count = Number(/(\d+) objects to adopt/.exec(adopted.out)![1]);
    assert.equal(count, 1 + 2 + 2 + 1 + 3 + 1 + 1 + 1 + 3 + 1 + 1 + 2, "a product with 2 prices, 2 buckets, a board with 3 lists and a label, a database with a collection, 3 attributes and an index, an Appwrite bucket, a Resend domain and webhook");
    assert.match(adopted.out, /skipped: managed by stack stackwire\/staging/);

    const engine = new MiniEngine(host, "stackwire", "dev");
    await withEnvironment(SANDBOX_ENV, async () => {
        // The preview: every resource a create that adopts, with nothing to change.
        for (const e of emulators) e.resetCounts();
        const plan = await engine.preview(configOf(file), stackProgram);
        assert.equal(Object.keys(plan).length, count);
        assert.deepEqual(Object.entries(plan).filter(([, p]) => p.step !== "create" || p.adopts === undefined || p.adopts.changes.length > 0), []);
        assert.equal(writes(), 0);

        for (const e of emulators) e.resetCounts();
        await engine.up(configOf(file), stackProgram);
        assert.deepEqual(Object.values(engine.steps).filter((s) => s !== "create"), []);
        assert.equal(writes(), 0, "the first up adopts everything with no write");
        const firstUpCalls = requests();
        assert.equal(engine.state.size, count);
        assert.ok([...engine.state.values()].some((m) => m.id === made.productId) && made.priceIds.every((id) => [...engine.state.values()].some((m) => m.id === id)));

        for (const e of emulators) e.resetCounts();
        await engine.up(configOf(file), stackProgram);
        assert.deepEqual(Object.values(engine.steps).filter((s) => s !== "same"), [], "a second up changes nothing");
        assert.equal(requests(), 0);

        // An edit: the product's description, the board's name. Updated in place, same objects.
        writeFileSync(file, readFileSync(file, "utf8").replace("description: Legacy tier", "description: Legacy tier, kept for 2021 customers").replace("name: Ops & On-call", "name: Ops and On-call"));
        await engine.up(configOf(file), stackProgram);
        assert.deepEqual(Object.entries(engine.steps).filter(([, s]) => s !== "same").map(([, s]) => s), ["update", "update"]);
        assert.equal(stripe.products.get(made.productId)?.description, "Legacy tier, kept for 2021 customers");
        assert.equal(trello.boards.get(made.boardId)?.name, "Ops and On-call");

        await engine.destroy();
        assert.ok(Object.values(engine.steps).every((s) => s === "retain"), "every adopted object is retained");
        assert.equal(stripe.products.get(made.productId)?.active, true);
        assert.ok(made.priceIds.every((id) => stripe.prices.get(id)?.active === true));
        assert.ok(supabase.buckets.has("User_Avatars") && supabase.buckets.has("exports"));
        assert.equal(appwrite.databases.get("crm")?.collections.get("contacts")?.attributes.size, 3);
        assert.ok(appwrite.buckets.has("uploads_2020"));
        assert.equal(resend.domains.size, 1);
        assert.equal(resend.webhooks.size, 1);
        assert.equal(trello.boards.get(made.boardId)?.closed, false);
        assert.equal([...trello.lists.values()].filter((l) => l.idBoard === made.boardId && l.closed !== true).length, 3);
        console.log(`adopt: ${count} objects found and adopted; API calls: adopt ${adoptCalls}, first up ${firstUpCalls} (0 writes; each object read by check, then by create), second up 0`);
    });
});

test("config that differs from what exists: the preview lists exactly the differences, and up applies them as updates", async () => {
    const stripeAuth = { authorization: `Bearer ${SANDBOX_KEYS.stripeSecretKey}` };
    const product = await api(`${stripe.url}/v1/products`, { method: "POST", headers: stripeAuth, form: { name: "Team", description: "Old words" } });
    const board = await api(`${trello.url}/1/boards?${new URLSearchParams({ key: SANDBOX_KEYS.trelloApiKey, token: SANDBOX_KEYS.trelloToken, name: "Support", defaultLists: "false", defaultLabels: "false" })}`, { method: "POST" });
    const config = {
        "stackwire:stripe": JSON.stringify({ apiBase: stripe.url, products: { team: { name: "Team", description: "New words", metadata: { tier: "b" }, adopt: product.id } } }),
        // This one goes with the stack when it is destroyed.
        "stackwire:trello": JSON.stringify({ baseUrl: `${trello.url}/1`, boards: { support: { name: "Support desk", permissionLevel: "private", adopt: { id: board.id, deleteWithStack: true } } } }),
    };
    const engine = new MiniEngine(host, "stackwire", "staging");
    await withEnvironment(SANDBOX_ENV, async () => {
        const plan = await engine.preview(config, stackProgram);
        const adopted = Object.values(plan).filter((p) => p.adopts);
        assert.deepEqual(adopted.map((p) => p.adopts!.changes).sort(), [['name: found "Support", configured "Support desk"'], ['description: found "Old words", configured "New words"', 'metadata: found {}, configured {"tier":"b"}']].sort());
        for (const e of emulators) e.resetCounts();
        await engine.up(config, stackProgram);
        assert.deepEqual(Object.entries(stripe.requestCounts()).filter(([r]) => !r.startsWith("GET ")), [["POST /v1/products/:id", 1]], "one update of the product, nothing created");
        assert.equal(stripe.products.get(String(product.id))?.description, "New words");
        assert.deepEqual(stripe.products.get(String(product.id))?.metadata, { tier: "b" });
        assert.equal(trello.boards.get(String(board.id))?.name, "Support desk");
        await engine.up(config, stackProgram);
        assert.deepEqual(Object.values(engine.steps).filter((s) => s !== "same"), []);
        await engine.destroy();
        assert.equal(stripe.products.get(String(product.id))?.active, true, "retained");
        assert.equal(trello.boards.has(String(board.id)), false, "deleteWithStack: destroyed with the stack");

        // Refused in the preview, before any write: another stack's product.
        const theirs = [...stripe.products.values()].find((p) => p.name === "Theirs")!;
        const price = await api(`${stripe.url}/v1/prices`, { method: "POST", headers: stripeAuth, form: { product: String(product.id), currency: "eur", unit_amount: "500" } });
        for (const e of emulators) e.resetCounts();
        const refusals = { "stackwire:stripe": JSON.stringify({ apiBase: stripe.url, products: { theirs: { name: "Theirs", adopt: theirs.id } } }) };
        await assert.rejects(new MiniEngine(host, "stackwire", "staging").preview(refusals, stackProgram), (err: Error) => {
            assert.match(err.message, new RegExp(`adopt: stripe:Product "${String(theirs.id)}" belongs to stack stackwire/staging`));
            return true;
        });
        assert.equal(writes(), 0);
        // A price under an adopted product: its product's id is unknown until up, so up refuses it, before writing it.
        const priceConfig = { "stackwire:stripe": JSON.stringify({ apiBase: stripe.url, products: { team: { name: "Team", description: "New words", metadata: { tier: "b" }, adopt: product.id, prices: { base: { currency: "eur", unitAmount: 700, adopt: price.id } } } } }) };
        await assert.rejects(new MiniEngine(host, "stackwire", "staging").up(priceConfig, stackProgram), /stripe:Price "[^"]+" cannot be made to match the config without replacing it \(unitAmount: found 500, configured 700\)/);
        assert.equal(writes(), 0, "the product matched; nothing was written");
    });
});

test("GitHub repositories come in through Pulumi's import, their GitLab mirror projects, push mirrors and hooks by adopt", async () => {
    const github = new GithubEmulator({ token: GITHUB_TOKEN, login: "octo", organizations: ["acme"] });
    const { gitlab } = sandboxEmulators();
    await github.start();
    await gitlab.start();
    const stackDir = mkdtempSync(path.join(tmpdir(), "stackwire-adopt-code-"));
    try {
        github.addRepository({ owner: "acme", name: "web-app", description: "The shop front", visibility: "public", topics: ["shop"], defaultBranch: "trunk" });
        github.addRepository({ owner: "acme", name: "old-site", archived: true });
        github.addRepository({ owner: "someone-else", name: "fork" });
        const glAuth = { "private-token": SANDBOX_KEYS.gitlabToken, "content-type": "application/json" };
        const project = await api(`${gitlab.url}/api/v4/projects`, { method: "POST", headers: glAuth, body: JSON.stringify({ name: "web-app", path: "web-app", description: "GitLab copy of the shop", visibility: "internal", default_branch: "trunk" }) });
        const mirror = await api(`${gitlab.url}/api/v4/projects/${project.id}/remote_mirrors`, { method: "POST", headers: glAuth, body: JSON.stringify({ url: `https://x-access-token:${GITHUB_TOKEN}@github.com/acme/web-app.git`, enabled: true }) });
        // A mirror that has been running for a while (a fresh one that never ran could be the stack's own lost create).
        Object.assign(gitlab.projects.get(Number(project.id))!.mirrors.get(Number(mirror.id))!, { last_update_started_at: "2024-05-01T10:00:00Z", last_update_at: "2024-05-01T10:00:05Z", update_status: "finished" });
        const hook = await api(`${gitlab.url}/api/v4/projects/${project.id}/hooks`, { method: "POST", headers: glAuth, body: JSON.stringify({ url: "https://ci.acme.test/gitlab", push_events: true, pipeline_events: true, token: "hand-made-token" }) });
        await api(`${gitlab.url}/api/v4/projects/${project.id}/variables`, { method: "POST", headers: glAuth, body: JSON.stringify({ key: "DEPLOY_KEY", value: "hand-made-value-123", masked: true }) });

        writeFileSync(path.join(stackDir, "Pulumi.yaml"), "name: stackwire\nruntime: nodejs\n");
        const file = path.join(stackDir, "Pulumi.dev.yaml");
        writeFileSync(file, `config:\n  stackwire:github:\n    owner: acme\n    baseUrl: ${github.url}\n  stackwire:gitlab:\n    baseUrl: ${gitlab.url}\n`);
        const env = { ...SANDBOX_ENV, GITHUB_TOKEN };
        github.resetCounts();
        gitlab.resetCounts();
        const adopted = await runScript(ADOPT, ["--stack", "dev"], { cwd: stackDir, env });
        const adoptCalls = { github: github.totalRequests(), gitlab: gitlab.totalRequests() };
        assert.equal(adopted.status, 0, adopted.err);
        assert.match(adopted.out, /github\s+repository\s+web-app\s+acme\/web-app\s+github\.repositories\.web-app/);
        assert.match(adopted.out, /skipped: archived/);
        assert.match(adopted.out, /gitlab\s+push mirror\s+\d+\s+github\.com\/acme\/web-app\s+not adopted: GitLab never changes a push mirror's URL/);
        assert.match(adopted.out, /GitLab push mirror \d+ of [^:]+: delete it before the first up/);
        assert.match(adopted.out, /GitLab CI variable DEPLOY_KEY of [^:]+: declare it under github\.repositories\.web-app\.gitlabMirror\.variables/);
        assert.match(adopted.out, /webhooks\.ci-acme-test: its secret token cannot be read back/);

        // What adopt told the user to do by hand: the old push mirror goes (GitLab keeps one per URL).
        const removed = await fetch(`${gitlab.url}/api/v4/projects/${project.id}/remote_mirrors/${mirror.id}`, { method: "DELETE", headers: glAuth });
        assert.equal(removed.status, 204);
        const engine = new MiniEngine(host, "stackwire", "dev");
        await withEnvironment(env, async () => {
            gitlab.resetCounts();
            await engine.up(configOf(file), stackProgram);
            // The repository: Pulumi's import of the existing one, kept on destroy, the settings the config does not say left alone.
            const repo = engine.optionsOf("github-web-app-repo");
            assert.equal(repo?.importId, "web-app");
            assert.equal(repo?.retainOnDelete, true);
            assert.ok(repo?.ignoreChanges?.includes("allowMergeCommit"));
            const ids = [...engine.state.values()].map((m) => m.id);
            assert.ok(ids.includes(String(project.id)) && ids.includes(String(hook.id)));
            // The project and hook adopted (the hook's token, which GitLab never shows, written once); the push mirror,
            // whose URL GitLab never lets change, made anew by the stack.
            const gitlabWrites = Object.entries(gitlab.requestCounts()).filter(([r]) => !r.startsWith("GET "));
            assert.deepEqual(gitlabWrites.sort(), [["POST /api/v4/projects/:id/remote_mirrors", 1], ["PUT /api/v4/projects/:id/hooks/:hid", 1]]);
            assert.ok(!ids.includes(String(mirror.id)));
            console.log(`adopt (code hosting): 1 repository, its GitLab project and hook adopted; API calls: adopt ${adoptCalls.github} GitHub + ${adoptCalls.gitlab} GitLab, first up ${gitlab.totalRequests()} GitLab (writes: the hook's token, and the stack's own push mirror)`);
            const stored = gitlab.projects.get(Number(project.id));
            assert.equal(stored?.description, "GitLab copy of the shop");
            assert.equal(stored?.visibility, "internal");
            gitlab.resetCounts();
            await engine.up(configOf(file), stackProgram);
            assert.deepEqual(Object.values(engine.steps).filter((s) => s !== "same"), []);
            assert.equal(gitlab.writeCount(), 0);
            await engine.destroy();
            assert.equal(gitlab.projects.get(Number(project.id))?.pending_delete ?? false, false, "the adopted project is kept");
            assert.equal(gitlab.projects.get(Number(project.id))?.hooks.size, 1);
        });
    } finally {
        await github.stop();
        await gitlab.stop();
        rmSync(stackDir, { recursive: true, force: true });
    }
});
