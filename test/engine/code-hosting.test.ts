/** GitLab and Trello resources through the real dynamic-provider host over gRPC. */
import assert from "node:assert/strict";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { GitlabProjectHook } from "../../dynamic-providers/gitlab/hook";
import { GitlabPullMirror } from "../../dynamic-providers/gitlab/mirrors";
import { GitlabProject } from "../../dynamic-providers/gitlab/project";
import { GitlabVariable } from "../../dynamic-providers/gitlab/variable";
import { TrelloBoardResource, TrelloList } from "../../dynamic-providers/trello/board";
import { TrelloWebhook } from "../../dynamic-providers/trello/webhook";
import { GitlabEmulator } from "../../sandbox/emulators/gitlab";
import { TrelloEmulator } from "../../sandbox/emulators/trello";
import { DynamicProviderHost, serializedProviderOf, wireSecret } from "../../sandbox/engine/host";
import { fakeCredential } from "../fake-credential";

const GITLAB_TOKEN = fakeCredential("glpat-", "engineCanary0123456789");
const TRELLO = { key: "trelloEngineKey0123456789abcdef", token: "ATTAtrelloEngineCanary0123456789abcdef" };
const gitlab = new GitlabEmulator({ token: GITLAB_TOKEN });
const trello = new TrelloEmulator({ ...TRELLO });
let host: DynamicProviderHost;
let receiver: http.Server;
let receiverUrl = "";
const s = {} as Record<"project" | "pull" | "variable" | "hook" | "board" | "list" | "webhook", Awaited<ReturnType<typeof serializedProviderOf>>>;

before(async () => {
    await Promise.all([gitlab.start(), trello.start()]);
    receiver = http.createServer((_req, res) => res.writeHead(200).end());
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/trello`;
    Object.assign(process.env, { GITLAB_TOKEN, TRELLO_API_KEY: TRELLO.key, TRELLO_TOKEN: TRELLO.token });
    s.project = await serializedProviderOf(() => new GitlabProject("p", { path: "x", name: "x" }));
    s.pull = await serializedProviderOf(() => new GitlabPullMirror("m", { projectId: "1", importUrl: "https://u:t@github.com/a/b.git" }));
    s.variable = await serializedProviderOf(() => new GitlabVariable("v", { projectId: "1", key: "K", value: "abcdefgh" }));
    s.hook = await serializedProviderOf(() => new GitlabProjectHook("h", { projectId: "1", url: "https://x.test", events: ["pipeline"], token: "t" }));
    s.board = await serializedProviderOf(() => new TrelloBoardResource("b", { name: "B" }));
    s.list = await serializedProviderOf(() => new TrelloList("l", { boardId: "0".repeat(24), name: "L" }));
    s.webhook = await serializedProviderOf(() => new TrelloWebhook("w", { callbackUrl: "https://x.test", modelId: "0".repeat(24) }));
    for (const name of ["GITLAB_TOKEN", "TRELLO_API_KEY", "TRELLO_TOKEN"]) delete process.env[name];
    host = await DynamicProviderHost.start();
    await host.configure({ "stackwire:gitlabToken": wireSecret(GITLAB_TOKEN), "stackwire:trelloApiKey": wireSecret(TRELLO.key), "stackwire:trelloToken": wireSecret(TRELLO.token) });
});
after(async () => {
    await host?.stop();
    await Promise.all([gitlab.stop(), trello.stop()]);
    await new Promise<void>((r) => receiver.close(() => r()));
});

async function up(kind: keyof typeof s, inputs: Record<string, unknown>) {
    const { provider, urn } = s[kind];
    const checked = await host.check(urn, {}, { ...inputs, __provider: provider });
    assert.deepEqual(checked.failures, []);
    return { ...(await host.create(urn, checked.inputs)), urn, inputs: checked.inputs };
}

async function noChange(kind: keyof typeof s, r: { id: string; urn: string; properties: Record<string, unknown>; inputs: Record<string, unknown> }) {
    const refreshed = await host.read(r.id, r.urn, r.properties);
    const diff = await host.diff(r.id, r.urn, refreshed.properties, (await host.check(r.urn, refreshed.properties, { ...r.inputs, __provider: s[kind].provider })).inputs);
    assert.equal(diff.changes, "none", `${kind} changed on a second up`);
    return refreshed;
}

test("no serialized provider carries a credential", () => {
    for (const { provider } of Object.values(s)) for (const secret of [GITLAB_TOKEN, TRELLO.key, TRELLO.token]) assert.ok(!provider.includes(secret));
    assert.deepEqual(s.pull.registered.additionalSecretOutputs, ["importUrl"]);
    assert.deepEqual(s.variable.registered.additionalSecretOutputs, ["value"]);
    assert.deepEqual(s.hook.registered.additionalSecretOutputs, ["token"]);
});

test("a GitLab project with a pull mirror and a masked variable: create, no diff from hidden credentials, rotate, delete", async () => {
    const baseUrl = gitlab.url;
    const project = await up("project", { baseUrl, path: "app", name: "App" });
    const importUrl = "https://x-access-token:ghs_mirrorCanary999999@github.com/acme/app.git";
    const pull = await up("pull", { baseUrl, projectId: project.id, importUrl });
    assert.equal(gitlab.projects.get(Number(project.id))!.import_url, "https://github.com/acme/app.git");
    const refreshed = await noChange("pull", pull);
    assert.equal(refreshed.properties.importUrl, importUrl);

    const variable = await up("variable", { baseUrl, projectId: project.id, key: "OPENAI_API_KEY", value: "sk-proj-abcdef123456", protected: true });
    await noChange("variable", variable);
    const rotated = (await host.check(variable.urn, variable.properties, { ...variable.inputs, value: "sk-proj-rotated98765", __provider: s.variable.provider })).inputs;
    assert.deepEqual((await host.diff(variable.id, variable.urn, variable.properties, rotated)).replaces, []);
    await host.update(variable.id, variable.urn, variable.properties, rotated);
    assert.equal(gitlab.projects.get(Number(project.id))!.variables[0].value, "sk-proj-rotated98765");

    // GitLab never shows a hook's token back: state keeps it, and a second up sees no change.
    // (The host declares acceptSecrets false, so the engine sends secrets unwrapped.)
    const hook = await up("hook", { baseUrl, projectId: project.id, url: "https://sync.example/gitlab", events: ["pipeline", "issues"], token: "hookTokenCanary0123456789" });
    assert.equal(gitlab.projects.get(Number(project.id))!.hooks.get(Number(hook.id))!.pipeline_events, true);
    await noChange("hook", hook);
    await host.delete(hook.id, hook.urn, hook.properties);
    assert.equal(gitlab.projects.get(Number(project.id))!.hooks.size, 0);

    const unmaskable = await host.check(variable.urn, {}, { ...variable.inputs, value: "short", __provider: s.variable.provider });
    assert.deepEqual(unmaskable.failures.map((f) => f.property), ["value"]);

    await host.delete(variable.id, variable.urn, variable.properties);
    await host.delete(pull.id, pull.urn, refreshed.properties);
    await host.delete(project.id, project.urn, project.properties);
    assert.equal((await host.read(project.id, project.urn, project.properties)).id, "");
    assert.ok(!host.output.includes(GITLAB_TOKEN) && !host.output.includes("ghs_mirrorCanary999999") && !host.output.includes("hookTokenCanary0123456789"));
});

test("a Trello board with lists and a webhook: create, no-op, delete; an unreachable callback is explained", async () => {
    const baseUrl = `${trello.url}/1`;
    const board = await up("board", { baseUrl, name: "DevOps" });
    const list = await up("list", { baseUrl, boardId: board.id, name: "Pipelines", position: 16384 });
    const hook = await up("webhook", { baseUrl, callbackUrl: receiverUrl, modelId: board.id });
    for (const [kind, r] of [["board", board], ["list", list], ["webhook", hook]] as const) await noChange(kind, r);

    await assert.rejects(up("webhook", { baseUrl, callbackUrl: "http://127.0.0.1:9/none", modelId: board.id }), /did not return 200 status code.*Trello sends a HEAD request/);

    await host.delete(hook.id, hook.urn, hook.properties);
    await host.delete(list.id, list.urn, list.properties);
    await host.delete(board.id, board.urn, board.properties);
    assert.equal(trello.webhooks.size, 0);
    assert.equal(trello.lists.get(list.id)?.closed, true);
    assert.equal(trello.boards.size, 0);
    assert.ok(!host.output.includes(TRELLO.token));
});
