/** GitLab's kinds against the GitLab emulator, which the rig's connection points every resource at. */
import { hookDefinition } from "../../dynamic-providers/gitlab/hook";
import { pullMirrorDefinition, pushMirrorDefinition } from "../../dynamic-providers/gitlab/mirrors";
import { projectDefinition } from "../../dynamic-providers/gitlab/project";
import { variableDefinition } from "../../dynamic-providers/gitlab/variable";
import { GitlabEmulator } from "../../sandbox/emulators/gitlab";
import { fakeCredential } from "../fake-credential";
import type { KindScenario, VendorRig } from "./scenario";

const TOKEN = fakeCredential("glpat-", "scenarioToken0123456789");
const urn = (type: string, name: string) => `urn:pulumi:dev::stackwire::stackwire:github:CodeRepository$pulumi-nodejs:dynamic/gitlab:${type}::${name}`;
/** A GitHub token inside a mirror URL: the secret the leak check replaces with its canary. */
const githubUrl = (token: string) => `https://x-access-token:${encodeURIComponent(token)}@github.com/acme/app.git`;

export function gitlabScenarios(): KindScenario[] {
    const emulator = new GitlabEmulator({ token: TOKEN, groups: [{ id: 77, path: "acme" }] });
    // Every GitLab resource takes the stack's base URL: here, the emulator's.
    const rig: VendorRig = { vendor: "gitlab", emulator, credentials: { gitlabToken: TOKEN }, connection: () => ({ baseUrl: emulator.url }) };
    /** The project mirrors, hooks and variables live in, made directly in the emulator. */
    const parent = () => String(emulator.addProject("app", 77).id);
    const projects = () => [...emulator.projects.values()].filter((p) => !p.pending_delete);
    const onlyProject = () => projects()[0];
    return [
        {
            kind: "gitlab:Project",
            rig,
            definition: projectDefinition,
            inputs: async () => ({ path: "app", name: "App", namespaceId: 77, description: "Mirror of acme/app", resourceUrn: urn("Project", "app-gitlab") }),
            change: { description: "Mirror of acme/app, described", visibility: "internal" },
            writes: { create: "POST /api/v4/projects", update: "PUT /api/v4/projects/:id", delete: "DELETE /api/v4/projects/:id" },
            held: () => projects().map((p) => String(p.id)),
        },
        {
            kind: "gitlab:PullMirror",
            rig,
            definition: pullMirrorDefinition,
            inputs: async () => ({ projectId: parent(), importUrl: githubUrl("ghs_pullMirrorToken0123456789") }),
            change: { triggerBuilds: true },
            writes: { create: "PUT /api/v4/projects/:id/mirror/pull", update: "PUT /api/v4/projects/:id/mirror/pull", delete: "PUT /api/v4/projects/:id/mirror/pull" },
            held: () => projects().filter((p) => p.mirror).map((p) => `${p.id}/pull-mirror`),
            secretInputs: (inputs, canary) => ({ ...inputs, importUrl: githubUrl(canary) }),
            verify: (_id, outs) => {
                const credentials = onlyProject().import_credentials;
                if (credentials.password !== new URL(String(outs.importUrl)).password) throw new Error("the pull mirror does not hold the credentials of the outputs");
            },
        },
        {
            kind: "gitlab:PushMirror",
            rig,
            definition: pushMirrorDefinition,
            inputs: async () => ({ projectId: parent(), url: githubUrl("ghs_pushMirrorToken0123456789"), onlyProtectedBranches: false }),
            change: { onlyProtectedBranches: true },
            writes: { create: "POST /api/v4/projects/:id/remote_mirrors", update: "PUT /api/v4/projects/:id/remote_mirrors/:mid", delete: "DELETE /api/v4/projects/:id/remote_mirrors/:mid" },
            held: () => projects().flatMap((p) => [...p.mirrors.keys()].map(String)),
            secretInputs: (inputs, canary) => ({ ...inputs, url: githubUrl(canary) }),
            verify: (id, outs) => {
                const mirror = onlyProject().mirrors.get(Number(id));
                if (mirror?.credentials.password !== new URL(String(outs.url)).password) throw new Error(`push mirror ${id} does not hold the credentials of the outputs`);
            },
        },
        {
            kind: "gitlab:ProjectHook",
            rig,
            definition: hookDefinition,
            inputs: async () => ({ projectId: parent(), url: "https://boards.example/gitlab", token: "hookToken0123456789", events: ["pipeline", "push"], resourceUrn: urn("ProjectHook", "app-gitlab-webhook-cards") }),
            change: { events: ["issues", "pipeline", "push"] },
            writes: { create: "POST /api/v4/projects/:id/hooks", update: "PUT /api/v4/projects/:id/hooks/:hid", delete: "DELETE /api/v4/projects/:id/hooks/:hid" },
            held: () => projects().flatMap((p) => [...p.hooks.keys()].map(String)),
            secretInputs: (inputs, canary) => ({ ...inputs, token: canary }),
            verify: (id, outs) => {
                if (onlyProject().hooks.get(Number(id))?.token !== outs.token) throw new Error(`hook ${id} does not hold the token of the outputs`);
            },
        },
        {
            kind: "gitlab:Variable",
            rig,
            definition: variableDefinition,
            inputs: async () => ({ projectId: parent(), key: "OPENAI_API_KEY", value: "sk-proj-abc123DEF456", protected: true, resourceUrn: urn("Variable", "app-gitlab-variable-OPENAI_API_KEY") }),
            change: { value: "sk-proj-rotated999999" },
            writes: { create: "POST /api/v4/projects/:id/variables", update: "PUT /api/v4/projects/:id/variables/:key", delete: "DELETE /api/v4/projects/:id/variables/:key" },
            held: () => projects().flatMap((p) => p.variables.map((v: { key: string; environment_scope: string }) => `${p.id}/${v.key}:${v.environment_scope}`)),
            // GitLab masks only values without whitespace, from a Base64-like alphabet unless raw.
            secretInputs: (inputs, canary) => ({ ...inputs, value: canary.replace(/\s/g, "_"), raw: true }),
            verify: (id, outs) => {
                const variable = onlyProject().variables.find((v: { key: string }) => `${onlyProject().id}/${v.key}:*` === id);
                if (variable?.value !== outs.value) throw new Error(`variable ${id} does not hold the value of the outputs`);
            },
        },
    ];
}
