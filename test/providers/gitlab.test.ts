import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { hookDefinition } from "../../dynamic-providers/gitlab/hook";
import { pullMirrorDefinition, pushMirrorDefinition } from "../../dynamic-providers/gitlab/mirrors";
import { projectDefinition } from "../../dynamic-providers/gitlab/project";
import { variableDefinition } from "../../dynamic-providers/gitlab/variable";
import { GitlabEmulator } from "../../sandbox/emulators/gitlab";
import { configuredProvider, lifecycle, type ProviderUnderTest } from "./harness";
import { fakeCredential } from "../fake-credential";

const TOKEN = fakeCredential("glpat-", "emulatorToken0123456789");
const emulator = new GitlabEmulator({ token: TOKEN, groups: [{ id: 77, path: "acme" }] });
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

const project = () => make("project", { path: "app", name: "App", namespaceId: 77, description: "Mirror of acme/app" });

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

    it("reports a name already taken with GitLab's field messages", async () => {
        await project();
        await expect(project()).rejects.toThrow(/name has already been taken; path has already been taken.*status 400/);
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
