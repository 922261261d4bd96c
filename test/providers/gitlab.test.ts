import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { hookDefinition } from "../../dynamic-providers/gitlab/hook";
import { pullMirrorDefinition, pushMirrorDefinition } from "../../dynamic-providers/gitlab/mirrors";
import { projectDefinition } from "../../dynamic-providers/gitlab/project";
import { variableDefinition } from "../../dynamic-providers/gitlab/variable";
import { GitlabEmulator } from "../../sandbox/emulators/gitlab";
import { configuredProvider, lifecycle, type ProviderUnderTest } from "./harness";
import { fakeCredential } from "../fake-credential";

const TOKEN = fakeCredential("glpat-", "emulatorToken0123456789");
/** Another user's token, a member of none of the namespaces. */
const OUTSIDER = fakeCredential("glpat-", "outsiderToken012345678");
const emulator = new GitlabEmulator({ token: TOKEN, groups: [{ id: 77, path: "acme" }], outsiders: [OUTSIDER] });
const p = {} as Record<"project" | "pull" | "push" | "hook" | "variable", ProviderUnderTest>;
let baseUrl = "";
const { checked, make, secondUp } = lifecycle(p, () => ({ baseUrl }));

beforeAll(async () => {
    baseUrl = await emulator.start();
});
afterAll(() => emulator.stop());
beforeEach(async () => {
    emulator.reset();
    const defs = { project: projectDefinition, pull: pullMirrorDefinition, push: pushMirrorDefinition, hook: hookDefinition, variable: variableDefinition };
    for (const [k, d] of Object.entries(defs)) p[k as keyof typeof p] = await configuredProvider(d as never, { gitlabToken: TOKEN });
});

const URN = "urn:pulumi:dev::stackwire::gitlab:Project::app";
const project = (resourceUrn?: string) => make("project", { path: "app", name: "App", namespaceId: 77, description: "Mirror of acme/app", ...(resourceUrn ? { resourceUrn } : {}) });

describe("project", () => {
    it("create, second up, in-place change, replace on a new path, delete", async () => {
        const { id, outs, inputs } = await project();
        expect(outs).toMatchObject({ pathWithNamespace: "acme/app", visibility: "private" });
        expect((await secondUp("project", id, outs, inputs)).changes).toBe(false);
        const pub = await checked("project", { ...inputs, visibility: "public", name: "App!" });
        expect((await p.project.provider.diff(id, outs, pub)).replaces).toEqual([]);
        await p.project.provider.update(id, outs, pub);
        expect(emulator.projects.get(Number(id))).toMatchObject({ visibility: "public", name: "App!" });
        expect((await p.project.provider.diff(id, outs, await checked("project", { ...inputs, path: "app2" }))).replaces).toEqual(["path"]);
        await p.project.provider.delete(id, outs);
        expect((await p.project.provider.read!(id, outs)).id).toBe("");
    });

    it("recovers a create whose answer was lost after the write", async () => {
        emulator.inject({ kind: "drop-after-commit", route: "POST /api/v4/projects" });
        const { id } = await project();
        expect([...emulator.projects.keys()]).toEqual([Number(id)]);
    });

    // Adapted (issue 11): a project at the path that another resource made is now refused by the
    // ownership check, which keeps GitLab's field messages and status and says what to do.
    it("reports a name already taken with GitLab's field messages", async () => {
        await project(URN);
        await expect(project("urn:pulumi:staging::stackwire::gitlab:Project::app")).rejects.toThrow(/name has already been taken; path has already been taken: .*not created by this resource.*status 400/);
    });

    it("reports a wrong token once, without echoing it", async () => {
        p.project = await configuredProvider(projectDefinition as never, { gitlabToken: fakeCredential("glpat-", "wrong000000000000000") });
        const error = await project().catch((e) => e);
        expect(error).toMatchObject({ status: 401, apiMessage: "401 Unauthorized" });
        expect(error.message).not.toContain("glpat-wrong");
        expect(emulator.totalRequests()).toBe(1);
    });
});

describe("mirrors", () => {
    const github = "https://x-access-token:ghs_secretToken123456@github.com/acme/app.git";

    it("a pull mirror's hidden credentials cause no diff on a second up", async () => {
        const proj = await project();
        const pull = await make("pull", { projectId: proj.id, importUrl: github, triggerBuilds: true });
        expect(emulator.projects.get(Number(proj.id))).toMatchObject({ mirror: true, import_url: "https://github.com/acme/app.git" });
        const diff = await secondUp("pull", pull.id, pull.outs, pull.inputs);
        expect(diff.changes).toBe(false);
        const read = await p.pull.provider.read!(pull.id, pull.outs);
        expect(read.props!.importUrl).toBe(github);
    });

    it("a pull mirror pointed elsewhere out of band shows drift", async () => {
        const proj = await project();
        const pull = await make("pull", { projectId: proj.id, importUrl: github });
        emulator.projects.get(Number(proj.id))!.import_url = "https://github.com/evil/app.git";
        const read = await p.pull.provider.read!(pull.id, pull.outs);
        expect((await p.pull.provider.diff(pull.id, read.props!, pull.inputs)).changes).toBe(true);
    });

    it("a push mirror's masked URL causes no diff; a new URL replaces it", async () => {
        const proj = await project();
        const push = await make("push", { projectId: proj.id, url: github, onlyProtectedBranches: true });
        expect([...emulator.projects.get(Number(proj.id))!.mirrors.values()][0].url).toBe("https://*****:*****@github.com/acme/app.git");
        expect((await secondUp("push", push.id, push.outs, push.inputs)).changes).toBe(false);
        const moved = await checked("push", { ...push.inputs, url: "https://u:t@github.com/acme/app2.git" });
        expect((await p.push.provider.diff(push.id, push.outs, moved)).replaces).toEqual(["url"]);
        await p.push.provider.delete(push.id, push.outs);
        expect(emulator.projects.get(Number(proj.id))!.mirrors.size).toBe(0);
    });

    it("refuses a mirror URL that is not https", async () => {
        const r = await p.pull.provider.check({}, { baseUrl, projectId: "1", importUrl: "git@github.com:acme/app.git" });
        expect(r.failures?.[0]?.property).toBe("importUrl");
    });
});

describe("hook and variable", () => {
    it("a hook's token never comes back, and causes no diff", async () => {
        const proj = await project();
        const hook = await make("hook", { projectId: proj.id, url: "https://boards.example/gitlab", token: "hook-secret-123", events: ["pipeline", "push", "mergeRequests"] });
        expect((await secondUp("hook", hook.id, hook.outs, hook.inputs)).changes).toBe(false);
        const stored = emulator.projects.get(Number(proj.id))!.hooks.get(Number(hook.id));
        expect(stored).toMatchObject({ pipeline_events: true, push_events: true, merge_requests_events: true, issues_events: false, token: "hook-secret-123" });
    });

    it.each([
        ["shorter than 8 characters", { value: "abc" }, "value: cannot be masked: a masked value must have at least 8 characters"],
        ["with a space", { value: "abc def ghi" }, "must not contain spaces"],
        ["with a character GitLab cannot mask", { value: "pa$$word-1234" }, 'may hold only letters, digits and + / = @ : . ~ - _ (found "$")'],
        ["with a bad key", { key: "MY-KEY", value: "abcdefgh" }, "key: must be letters, digits and _ only"],
    ])("refuses a masked variable %s, before any request", async (_what, news, expected) => {
        const r = await p.variable.provider.check({}, { baseUrl, projectId: "1", key: "API_KEY", ...news });
        expect((r.failures ?? []).map((f) => `${f.property}: ${f.reason}`).join("\n")).toContain(expected);
        expect(emulator.totalRequests()).toBe(0);
    });

    it("allows other characters in a raw masked variable", async () => {
        await checked("variable", { projectId: "1", key: "API_KEY", value: "pa$$word-1234", raw: true });
    });

    it("create, second up, rotate in place, scope change replaces, delete", async () => {
        const proj = await project();
        const v = await make("variable", { projectId: proj.id, key: "OPENAI_API_KEY", value: "sk-proj-abc123DEF456", protected: true });
        expect(emulator.projects.get(Number(proj.id))!.variables[0]).toMatchObject({ key: "OPENAI_API_KEY", masked: true, protected: true });
        expect((await secondUp("variable", v.id, v.outs, v.inputs)).changes).toBe(false);
        const rotated = await checked("variable", { ...v.inputs, value: "sk-proj-rotated999999" });
        expect((await p.variable.provider.diff(v.id, v.outs, rotated)).replaces).toEqual([]);
        await p.variable.provider.update(v.id, v.outs, rotated);
        expect(emulator.projects.get(Number(proj.id))!.variables[0].value).toBe("sk-proj-rotated999999");
        expect((await p.variable.provider.diff(v.id, v.outs, await checked("variable", { ...v.inputs, environmentScope: "production" }))).replaces).toEqual(["environmentScope"]);
        await p.variable.provider.delete(v.id, v.outs);
        expect(emulator.projects.get(Number(proj.id))!.variables).toEqual([]);
    });
});

describe("default branch, as GitLab sets it (issue 11)", () => {
    it("without a README, GitLab shows its own default until a branch lands: a project asking for develop shows no diff", async () => {
        const { id, outs, inputs } = await make("project", { path: "empty", name: "Empty", defaultBranch: "develop" });
        // GitLab's answer for an empty repository is the instance's default branch name, not the one asked for.
        expect(emulator.projects.get(Number(id))).toMatchObject({ head: "develop", branches: [] });
        expect((await secondUp("project", id, outs, inputs)).changes).toBe(false);
        // Once the branch lands (a push, the mirror's first pull), GitLab shows it.
        emulator.pushBranch(Number(id), "develop");
        expect((await p.project.provider.read(id, outs)).props).toMatchObject({ defaultBranch: "develop" });
    });

    it("an empty project's description changes without sending its default branch", async () => {
        const { id, outs, inputs } = await make("project", { path: "empty", name: "Empty", defaultBranch: "develop" });
        const changed = await checked("project", { ...inputs, description: "Now described" });
        await p.project.provider.update(id, outs, changed);
        expect(emulator.projects.get(Number(id))!.description).toBe("Now described");
    });

    it("initializeWithReadme creates the default branch, and GitLab reports it", async () => {
        const { id, outs } = await make("project", { path: "readme", name: "Readme", defaultBranch: "trunk", initializeWithReadme: true });
        expect(emulator.projects.get(Number(id))).toMatchObject({ branches: ["trunk"] });
        const read = await p.project.provider.read(id, outs);
        expect(read.props).toMatchObject({ defaultBranch: "trunk" });
    });

    it("moving the default branch to a branch the repository lacks fails with GitLab's reason, explained", async () => {
        const { id, outs, inputs } = await make("project", { path: "readme", name: "Readme", initializeWithReadme: true });
        const moved = await checked("project", { ...inputs, defaultBranch: "release" });
        await expect(p.project.provider.update(id, outs, moved)).rejects.toThrow(/Could not change HEAD: branch 'release' does not exist.*only once the repository has it/);
        emulator.pushBranch(Number(id), "release");
        await p.project.provider.update(id, outs, moved);
        expect(emulator.projects.get(Number(id))!.head).toBe("release");
    });
});

describe("mirror URLs as GitLab masks them (issue 11)", () => {
    const tokenUser = fakeCredential("ghp_", "tokenAsUser0123456789");
    const gitPassword = fakeCredential("ghp_", "secretPassword987654");
    const tokenAsUser = `https://${tokenUser}@github.com/acme/app.git`;
    const gitUser = `https://git:${gitPassword}@github.com/acme/app.git`;

    it("a push mirror with a token as its user shows as https://*****@…, causes no diff and is never replaced", async () => {
        const proj = await project();
        const push = await make("push", { projectId: proj.id, url: tokenAsUser });
        expect([...emulator.projects.get(Number(proj.id))!.mirrors.values()][0].url).toBe("https://*****@github.com/acme/app.git");
        const diff = await secondUp("push", push.id, push.outs, push.inputs);
        expect(diff).toMatchObject({ changes: false, replaces: [] });
        expect((await p.push.provider.read(push.id, push.outs)).props!.url).toBe(tokenAsUser);
    });

    it("a push mirror keeps the user git visible (https://git:*****@…) and causes no diff", async () => {
        const proj = await project();
        const push = await make("push", { projectId: proj.id, url: gitUser });
        expect([...emulator.projects.get(Number(proj.id))!.mirrors.values()][0].url).toBe("https://git:*****@github.com/acme/app.git");
        expect((await secondUp("push", push.id, push.outs, push.inputs)).changes).toBe(false);
    });

    it("a push mirror whose credentials were changed out of band shows drift", async () => {
        const proj = await project();
        const push = await make("push", { projectId: proj.id, url: gitUser });
        const mirror = [...emulator.projects.get(Number(proj.id))!.mirrors.values()][0];
        mirror.url = "https://*****:*****@github.com/acme/app.git";
        expect((await secondUp("push", push.id, push.outs, push.inputs)).replaces).toEqual(["url"]);
    });

    it("a new push mirror URL removes the old mirror before the new one is made, so it is never taken for it", async () => {
        const proj = await project();
        const push = await make("push", { projectId: proj.id, url: tokenAsUser });
        const rotated = await checked("push", { ...push.inputs, url: `https://${fakeCredential("ghp_", "rotatedToken0000000000")}@github.com/acme/app.git` });
        expect(await p.push.provider.diff(push.id, push.outs, rotated)).toMatchObject({ replaces: ["url"], deleteBeforeReplace: true });
    });

    it("a pull mirror is set up with PUT /projects/:id/mirror/pull, the credentials apart; read and removed there", async () => {
        const proj = await project();
        const pull = await make("pull", { projectId: proj.id, importUrl: tokenAsUser });
        expect(emulator.count("PUT /api/v4/projects/:id/mirror/pull")).toBe(1);
        expect(emulator.count("PUT /api/v4/projects/:id")).toBe(0);
        expect(emulator.projects.get(Number(proj.id))).toMatchObject({ mirror: true, import_url: "https://github.com/acme/app.git", import_credentials: { user: tokenUser } });
        expect((await secondUp("pull", pull.id, pull.outs, pull.inputs)).changes).toBe(false);
        expect(emulator.count("GET /api/v4/projects/:id/mirror/pull")).toBeGreaterThan(0);
        await p.pull.provider.delete(pull.id, pull.outs);
        expect(emulator.projects.get(Number(proj.id))).toMatchObject({ mirror: false, import_credentials: {} });
        expect((await p.pull.provider.read(pull.id, pull.outs)).id).toBe("");
    });

    it("a pull mirror needs GitLab Premium: on Free the error says so", async () => {
        const free = new GitlabEmulator({ token: TOKEN, premium: false });
        const url = await free.start();
        try {
            const proj = free.addProject("app");
            const inputs = (await p.pull.provider.check({}, { baseUrl: url, projectId: String(proj.id), importUrl: tokenAsUser })).inputs;
            await expect(p.pull.provider.create(inputs)).rejects.toThrow(/404 Not Found.*needs GitLab Premium or Ultimate/);
        } finally {
            await free.stop();
        }
    });

    it("a pull mirror on a project that already pulls from another repository is refused", async () => {
        const proj = await project();
        await make("pull", { projectId: proj.id, importUrl: "https://x:y@github.com/someone/else.git" });
        await expect(make("pull", { projectId: proj.id, importUrl: tokenAsUser })).rejects.toThrow(/already pulls from https:\/\/github.com\/someone\/else.git/);
    });

    it("a GitHub token inside a mirror URL never appears in an error, even one that echoes the request", async () => {
        const proj = await project();
        emulator.inject({ kind: "echo-reject", route: "PUT /api/v4/projects/:id/mirror/pull" });
        const error = await make("pull", { projectId: proj.id, importUrl: gitUser }).catch((e) => e);
        expect(error.message).toContain("Invalid request");
        expect(JSON.stringify({ message: error.message, stack: error.stack })).not.toContain(gitPassword);
    });
});

describe("creates whose answer was lost, and objects that are not ours (issue 11)", () => {
    const URNS = { hook: "urn:pulumi:dev::stackwire::gitlab:ProjectHook::cards", variable: "urn:pulumi:dev::stackwire::gitlab:Variable::key" };

    it("a project's description carries the resource's mark, hidden from GitLab's rendering and from the diff", async () => {
        const { id, outs, inputs } = await project(URN);
        expect(emulator.projects.get(Number(id))!.description).toBe(`Mirror of acme/app\n\n<!-- stackwire:${URN} -->`);
        expect(outs.description).toBe("Mirror of acme/app");
        expect((await secondUp("project", id, outs, inputs)).changes).toBe(false);
    });

    it("a project create run again after its answer was lost adopts the project it made", async () => {
        emulator.inject({ kind: "drop-after-commit", route: "POST /api/v4/projects", thenOutage: 20 });
        await expect(project(URN)).rejects.toThrow();
        emulator.clearFaults();
        const { id } = await project(URN);
        expect([...emulator.projects.keys()]).toEqual([Number(id)]);
    });

    it("a hook create whose answer was lost adopts the hook, and writes our token to it", async () => {
        const proj = await project();
        emulator.inject({ kind: "drop-after-commit", route: "POST /api/v4/projects/:id/hooks" });
        const hook = await make("hook", { projectId: proj.id, url: "https://boards.example/gitlab", token: "hook-secret-123", events: ["push"], resourceUrn: URNS.hook });
        const hooks = emulator.projects.get(Number(proj.id))!.hooks;
        expect([...hooks.keys()]).toEqual([Number(hook.id)]);
        expect(hooks.get(Number(hook.id))).toMatchObject({ description: `stackwire:${URNS.hook}`, token: "hook-secret-123" });
    });

    it("a variable that exists without our mark is refused with GitLab's message and what to do", async () => {
        const proj = await project();
        emulator.projects.get(Number(proj.id))!.variables.push({ key: "API_KEY", value: "someone-elses-value", masked: false, protected: false, raw: false, variable_type: "env_var", environment_scope: "*", description: null });
        await expect(make("variable", { projectId: proj.id, key: "API_KEY", value: "abcdefgh1234", resourceUrn: URNS.variable })).rejects.toThrow(/has already been taken: variable API_KEY .*not created by this resource/);
        expect(emulator.projects.get(Number(proj.id))!.variables[0].value).toBe("someone-elses-value");
    });

    it("a variable whose create answer was lost, run again by the engine, adopts it and writes our value", async () => {
        const proj = await project();
        emulator.inject({ kind: "drop-after-commit", route: "POST /api/v4/projects/:id/variables", thenOutage: 20 });
        const inputs = { projectId: proj.id, key: "API_KEY", value: "abcdefgh1234", resourceUrn: URNS.variable };
        await expect(make("variable", inputs)).rejects.toThrow();
        emulator.clearFaults();
        await make("variable", { ...inputs, value: "abcdefgh5678" });
        expect(emulator.projects.get(Number(proj.id))!.variables).toEqual([expect.objectContaining({ key: "API_KEY", value: "abcdefgh5678", description: `stackwire:${URNS.variable}` })]);
    });

    it("a push mirror to a repository the project already pushes to, not ours, is refused", async () => {
        const proj = await project();
        const first = await make("push", { projectId: proj.id, url: "https://x-access-token:ghs_one000000000@github.com/acme/app.git" });
        emulator.projects.get(Number(proj.id))!.mirrors.get(Number(first.id))!.update_status = "finished";
        await expect(make("push", { projectId: proj.id, url: "https://x-access-token:ghs_two000000000@github.com/acme/app.git" })).rejects.toThrow(/already pushes to https:\/\/github.com\/acme\/app.git.*cannot tell it is its own/);
        expect(emulator.projects.get(Number(proj.id))!.mirrors.size).toBe(1);
    });

    it("a long URN is marked by its digest where the field is short (a variable's description takes 255 characters)", async () => {
        const proj = await project();
        const urn = `urn:pulumi:dev::stackwire::stackwire:github:CodeRepository$pulumi-nodejs:dynamic/gitlab:Project$pulumi-nodejs:dynamic/gitlab:Variable::app-gitlab-variable-${"K".repeat(120)}`;
        await make("variable", { projectId: proj.id, key: "LONG", value: "abcdefgh1234", resourceUrn: urn });
        expect(emulator.projects.get(Number(proj.id))!.variables[0].description).toMatch(/^stackwire:sha256:[0-9a-f]{64}$/);
    });
});

describe("the emulator answers as GitLab does (issue 11)", () => {
    const api = (path: string, init: RequestInit = {}) => fetch(`${baseUrl}/api/v4${path}`, { ...init, headers: { "PRIVATE-TOKEN": TOKEN, "content-type": "application/json", ...init.headers } });

    it("a hook with a URL GitLab cannot call: 422 {error: 'Invalid url given'} (web_hooks_helpers.rb)", async () => {
        const proj = emulator.addProject("app");
        const res = await api(`/projects/${proj.id}/hooks`, { method: "POST", body: JSON.stringify({ url: "ftp://boards.example" }) });
        expect(res.status).toBe(422);
        expect(await res.json()).toEqual({ error: "Invalid url given" });
    });

    it("a hook's new URL without its token clears the token (web_hooks/hook.rb reset_token); the provider sends it again", async () => {
        const proj = await project();
        const hook = await make("hook", { projectId: proj.id, url: "https://boards.example/gitlab", token: "hook-secret-123", events: ["push"] });
        const moved = await checked("hook", { ...hook.inputs, url: "https://boards.example/gitlab2" });
        await p.hook.provider.update(hook.id, hook.outs, moved);
        expect(emulator.projects.get(Number(proj.id))!.hooks.get(Number(hook.id))).toMatchObject({ url: "https://boards.example/gitlab2", token: "hook-secret-123" });
        await api(`/projects/${proj.id}/hooks/${hook.id}`, { method: "PUT", body: JSON.stringify({ url: "https://boards.example/gitlab3" }) });
        expect(emulator.projects.get(Number(proj.id))!.hooks.get(Number(hook.id))!.token).toBeUndefined();
    });

    it("a pull mirror read on a project that does not mirror: 400 'The project is not mirrored' (ee/lib/api/project_mirror.rb)", async () => {
        const proj = emulator.addProject("app");
        const res = await api(`/projects/${proj.id}/mirror/pull`);
        expect(res.status).toBe(400);
        expect(await res.json()).toEqual({ message: "The project is not mirrored" });
    });

    it("a project made with default_branch but no README has an empty repository and shows the instance's default", async () => {
        const res = await api("/projects", { method: "POST", body: JSON.stringify({ path: "x", name: "x", default_branch: "develop" }) });
        expect(await res.json()).toMatchObject({ default_branch: "main", empty_repo: true });
    });
});

/** A server that answers every request with `answer` (a proxy, a wrong path, another service behind the base URL). */
async function answering(answer: (req: http.IncomingMessage) => { status: number; body: unknown }) {
    const server = http.createServer((req, res) => {
        const { status, body } = answer(req);
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe("not found means gone only when it is gone (issue 16)", () => {
    const github = "https://x-access-token:ghs_secretToken123456@github.com/acme/app.git";
    const api = (path: string, token = OUTSIDER) => fetch(`${baseUrl}/api/v4${path}`, { headers: { "PRIVATE-TOKEN": token } });

    it("the emulator hides a private project from a token without membership as GitLab does: 404 Project Not Found, and 404 Namespace Not Found for its group (helpers.rb)", async () => {
        const proj = emulator.addProject("app", 77);
        for (const path of [`/projects/${proj.id}`, `/projects/${proj.id}/hooks`, `/projects/${proj.id}/remote_mirrors`, `/projects/${proj.id}/variables/KEY`, `/projects/${proj.id}/mirror/pull`, "/projects/999999"]) {
            const res = await api(path);
            expect([path, res.status, await res.json()]).toEqual([path, 404, { message: "404 Project Not Found" }]);
        }
        const ns = await api("/namespaces/77");
        expect([ns.status, await ns.json()]).toEqual([404, { message: "404 Namespace Not Found" }]);
        expect(await (await api("/namespaces/77", TOKEN)).json()).toMatchObject({ id: 77, kind: "group", full_path: "acme" });
        expect(await (await api("/namespaces/acme", TOKEN)).json()).toMatchObject({ id: 77 });
    });

    it("the emulator lets such a token read a public project but not administer it: 403, and 401 on remote mirrors (remote_mirrors.rb)", async () => {
        const proj = emulator.addProject("open", 77);
        proj.visibility = "public";
        expect((await api(`/projects/${proj.id}`)).status).toBe(200);
        const hooks = await api(`/projects/${proj.id}/hooks`);
        expect([hooks.status, await hooks.json()]).toEqual([403, { message: "403 Forbidden" }]);
        const mirrors = await api(`/projects/${proj.id}/remote_mirrors`);
        expect([mirrors.status, await mirrors.json()]).toEqual([401, { message: "401 Unauthorized" }]);
    });

    it("a project deleted out of band takes its hook, variable and mirrors with it: each refresh drops them and each delete succeeds, after asking the project and its namespace", async () => {
        const proj = await project();
        const made = {
            hook: await make("hook", { projectId: proj.id, url: "https://boards.example/gitlab", events: ["push"] }),
            variable: await make("variable", { projectId: proj.id, key: "API_KEY", value: "abcdefgh1234" }),
            push: await make("push", { projectId: proj.id, url: github }),
            pull: await make("pull", { projectId: proj.id, importUrl: github }),
        };
        for (const m of Object.values(made)) expect(m.outs.projectNamespaceId).toBe(77);
        emulator.projects.delete(Number(proj.id));
        for (const [kind, m] of Object.entries(made) as [keyof typeof made, (typeof made)[keyof typeof made]][]) {
            emulator.resetCounts();
            expect((await p[kind].provider.read(m.id, m.outs)).id, kind).toBe("");
            await p[kind].provider.delete(m.id, m.outs);
            // Each of read and delete: the object's own request, then the project, then its namespace.
            expect([kind, emulator.count("GET /api/v4/projects/:id"), emulator.count("GET /api/v4/namespaces/:id")]).toEqual([kind, 2, 2]);
        }
    });

    it("refreshing a live object costs one request, and a second up with no change none beyond it", async () => {
        const proj = await project();
        const hook = await make("hook", { projectId: proj.id, url: "https://boards.example/gitlab", events: ["push"] });
        emulator.resetCounts();
        const diff = await secondUp("hook", hook.id, hook.outs, hook.inputs);
        expect(diff.changes).toBe(false);
        expect(emulator.totalRequests()).toBe(1);
    });

    it("a project in its user's namespace, deleted out of band, leaves the state: the namespace is read by its path", async () => {
        const { id, outs } = await make("project", { path: "mine", name: "Mine" });
        expect(outs).toMatchObject({ namespaceId: null, pathWithNamespace: "stackwire-bot/mine" });
        emulator.projects.delete(Number(id));
        expect((await p.project.provider.read(id, outs)).id).toBe("");
        await p.project.provider.delete(id, outs);
    });

    it("state written before the namespace was recorded keeps an object whose project answers 404, and says why", async () => {
        const proj = await project();
        const hook = await make("hook", { projectId: proj.id, url: "https://boards.example/gitlab", events: ["push"] });
        const { projectNamespaceId: _recorded, ...older } = hook.outs;
        emulator.projects.delete(Number(proj.id));
        await expect(p.hook.provider.read(hook.id, older)).rejects.toThrow(/hook \d+ was not found, and project \d+ is not visible with gitlabToken either: .*written before the project's namespace was recorded.*kept in state/);
        await expect(p.hook.provider.delete(hook.id, older)).rejects.toThrow(/gitlabToken/);
    });

    it("a change keeps the recorded namespace in the state", async () => {
        const proj = await project();
        const hook = await make("hook", { projectId: proj.id, url: "https://boards.example/gitlab", events: ["push"] });
        const updated = await p.hook.provider.update(hook.id, hook.outs, await checked("hook", { ...hook.inputs, events: ["push", "issues"] }));
        expect(updated.outs).toMatchObject({ projectNamespaceId: 77, events: ["issues", "push"] });
    });

    it("a token that may read a public project but not administer it fails with GitLab's refusal and names gitlabToken; the objects stay", async () => {
        const proj = await project();
        emulator.projects.get(Number(proj.id))!.visibility = "public";
        const hook = await make("hook", { projectId: proj.id, url: "https://boards.example/gitlab", events: ["push"] });
        const push = await make("push", { projectId: proj.id, url: github });
        const outsider = { hook: await configuredProvider(hookDefinition as never, { gitlabToken: OUTSIDER }), push: await configuredProvider(pushMirrorDefinition as never, { gitlabToken: OUTSIDER }) };
        await expect(outsider.hook.provider.read(hook.id, hook.outs)).rejects.toThrow(/403 Forbidden.*gitlabToken \(or GITLAB_TOKEN\) may not do this/);
        await expect(outsider.hook.provider.delete(hook.id, hook.outs)).rejects.toThrow(/403 Forbidden.*gitlabToken/);
        await expect(outsider.push.provider.read(push.id, push.outs)).rejects.toThrow(/401 Unauthorized.*gitlabToken \(or GITLAB_TOKEN\)/);
        await expect(outsider.push.provider.delete(push.id, push.outs)).rejects.toThrow(/401 Unauthorized.*gitlabToken/);
        const stored = emulator.projects.get(Number(proj.id))!;
        expect([stored.hooks.size, stored.mirrors.size]).toEqual([1, 1]);
    });

    it("a base URL that answers 404 to everything (a proxy, a wrong path) never drops an object", async () => {
        const proj = await project();
        const hook = await make("hook", { projectId: proj.id, url: "https://boards.example/gitlab", events: ["push"] });
        const nowhere = await answering(() => ({ status: 404, body: { message: "404 Not Found" } }));
        try {
            await expect(p.project.provider.read(proj.id, { ...proj.outs, baseUrl: nowhere.url })).rejects.toThrow(/project \d+ was not found, and its namespace 77 is not visible with gitlabToken either/);
            await expect(p.project.provider.delete(proj.id, { ...proj.outs, baseUrl: nowhere.url })).rejects.toThrow(/kept in state/);
            await expect(p.hook.provider.read(hook.id, { ...hook.outs, baseUrl: nowhere.url })).rejects.toThrow(/hook \d+ was not found, and project \d+ is not visible/);
        } finally {
            await nowhere.close();
        }
    });

    it("an answer about another object (a list, another id) never becomes state", async () => {
        const proj = await project();
        const hook = await make("hook", { projectId: proj.id, url: "https://boards.example/gitlab", events: ["push"] });
        const lists = await answering(() => ({ status: 200, body: [{ id: 1, url: "https://elsewhere.example" }] }));
        const other = await answering(() => ({ status: 200, body: { id: 424242, url: "https://elsewhere.example", key: "OTHER", environment_scope: "*" } }));
        try {
            await expect(p.project.provider.read(proj.id, { ...proj.outs, baseUrl: lists.url })).rejects.toThrow(/asked for project "\d+" and was answered about something without an id/);
            await expect(p.hook.provider.read(hook.id, { ...hook.outs, baseUrl: other.url })).rejects.toThrow(/asked for hook "\d+" and was answered about "424242"/);
        } finally {
            await lists.close();
            await other.close();
        }
    });
});
