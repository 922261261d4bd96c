/** GitLab's kinds against the GitLab emulator, which the rig's connection points every resource at. */
import { hookDefinition } from "../../dynamic-providers/gitlab/hook";
import { pullMirrorDefinition, pushMirrorDefinition } from "../../dynamic-providers/gitlab/mirrors";
import { projectDefinition } from "../../dynamic-providers/gitlab/project";
import { variableDefinition } from "../../dynamic-providers/gitlab/variable";
import { GitlabEmulator } from "../../sandbox/emulators/gitlab";
import { fakeCredential } from "../fake-credential";
import type { KindScenario, VendorRig } from "./scenario";

const TOKEN = fakeCredential("glpat-", "scenarioToken0123456789");
/** Another user's token, a member of none of the namespaces: GitLab accepts it and hides every private project from it. */
const OUTSIDER = fakeCredential("glpat-", "outsiderToken012345678");
/**
 * What GitLab answers that token (the emulator's routes cite the source): 404 {"message":"404
 * Project Not Found"} on every route of a private project (lib/api/helpers.rb find_project!), as
 * for a project that does not exist, and 404 "404 Namespace Not Found" for the project's
 * namespace (find_namespace!, read_namespace_via_membership).
 */
const BLIND = { credentials: { gitlabToken: OUTSIDER }, answers: "404 Project Not Found on the object's routes and on the project; 404 Namespace Not Found on its namespace" };
/** Ids GitLab's naming rules refuse, which no request may carry: path segments, queries, fragments, encoded slashes. */
const RESERVED_PROJECT_IDS = [{ projectId: ".." }, { projectId: "." }, { projectId: "12/hooks" }, { projectId: "12?x=1" }, { projectId: "12#x" }, { projectId: "acme%2Fapp" }];
const urn = (type: string, name: string) => `urn:pulumi:dev::stackwire::stackwire:github:CodeRepository$pulumi-nodejs:dynamic/gitlab:${type}::${name}`;
/** A GitHub token inside a mirror URL: the secret the leak check replaces with its canary. */
const githubUrl = (token: string) => `https://x-access-token:${encodeURIComponent(token)}@github.com/acme/app.git`;

export function gitlabScenarios(): KindScenario[] {
    const emulator = new GitlabEmulator({ token: TOKEN, groups: [{ id: 77, path: "acme" }], outsiders: [OUTSIDER] });
    // Every GitLab resource takes the stack's base URL: here, the emulator's.
    const rig: VendorRig = { vendor: "gitlab", emulator, credentials: { gitlabToken: TOKEN }, connection: () => ({ baseUrl: emulator.url }) };
    /** The project mirrors, hooks and variables live in, made directly in the emulator. */
    const parent = () => String(emulator.addProject("app", 77).id);
    const projects = () => [...emulator.projects.values()].filter((p) => !p.pending_delete);
    const onlyProject = () => projects()[0];
    /** The project an object's id names (`<project>/…`), or the only one. */
    const projectOf = (id: string) => emulator.projects.get(Number(id.split("/")[0])) ?? onlyProject();
    return [
        {
            kind: "gitlab:Project",
            rig,
            definition: projectDefinition,
            inputs: async () => ({ path: "app", name: "App", namespaceId: 77, description: "Mirror of acme/app", resourceUrn: urn("Project", "app-gitlab") }),
            change: { description: "Mirror of acme/app, described", visibility: "internal" },
            writes: { create: "POST /api/v4/projects", update: "PUT /api/v4/projects/:id", delete: "DELETE /api/v4/projects/:id" },
            held: () => projects().map((p) => String(p.id)),
            blind: BLIND,
            removeOutOfBand: (id) => void emulator.projects.delete(Number(id)),
            // Projects::CreateService: a path starts with a letter, digit or _, and holds letters, digits, _ . - only.
            reservedIds: [{ path: "." }, { path: ".." }, { path: "a/b" }, { path: "a?b" }, { path: "a#b" }, { path: "a%2Fb" }],
            awkwardIds: [{ path: "app.v1.2" }, { path: "_app-1.0" }],
        },
        {
            kind: "gitlab:PullMirror",
            rig,
            definition: pullMirrorDefinition,
            inputs: async () => ({ projectId: parent(), importUrl: githubUrl("ghs_pullMirrorToken0123456789") }),
            change: { triggerBuilds: true },
            writes: { create: "PUT /api/v4/projects/:id/mirror/pull", update: "PUT /api/v4/projects/:id/mirror/pull", delete: "PUT /api/v4/projects/:id/mirror/pull" },
            held: () => projects().filter((p) => p.mirror).map((p) => `${p.id}/pull-mirror`),
            blind: BLIND,
            // Turned off in GitLab's settings: the project answers 400 "The project is not mirrored".
            removeOutOfBand: (id) => void Object.assign(projectOf(id), { mirror: false, import_credentials: {} }),
            // The project deleted: everything in it goes, and its routes answer 404 Project Not Found.
            removeParentOutOfBand: (id) => void emulator.projects.delete(projectOf(id).id),
            reservedIds: RESERVED_PROJECT_IDS,
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
            blind: BLIND,
            removeOutOfBand: (id) => void onlyProject().mirrors.delete(Number(id)),
            // The project deleted: everything in it goes, and its routes answer 404 Project Not Found.
            removeParentOutOfBand: (id) => void emulator.projects.delete(projectOf(id).id),
            reservedIds: RESERVED_PROJECT_IDS,
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
            blind: BLIND,
            removeOutOfBand: (id) => void onlyProject().hooks.delete(Number(id)),
            // The project deleted: everything in it goes, and its routes answer 404 Project Not Found.
            removeParentOutOfBand: (id) => void emulator.projects.delete(projectOf(id).id),
            reservedIds: RESERVED_PROJECT_IDS,
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
            blind: BLIND,
            removeOutOfBand: (id) => {
                const p = projectOf(id);
                p.variables = p.variables.filter((v: { key: string; environment_scope: string }) => `${p.id}/${v.key}:${v.environment_scope}` !== id);
            },
            // The project deleted: everything in it goes, and its routes answer 404 Project Not Found.
            removeParentOutOfBand: (id) => void emulator.projects.delete(projectOf(id).id),
            // Keys are letters, digits and _ (Ci::Variable); the key is a path segment, the scope a query value.
            reservedIds: [...RESERVED_PROJECT_IDS, { key: ".." }, { key: "A/B" }, { key: "A?B" }, { key: "A#B" }, { key: "A.B" }],
            // Environment scopes hold / * $ { } . and spaces (environment names, wildcards): they travel in the query.
            awkwardIds: [{ environmentScope: "review/*" }, { environmentScope: "review/{app} $x.1" }],
            // GitLab masks only values without whitespace, from a Base64-like alphabet unless raw.
            secretInputs: (inputs, canary) => ({ ...inputs, value: canary.replace(/\s/g, "_"), raw: true }),
            verify: (id, outs) => {
                const variable = onlyProject().variables.find((v: { key: string }) => `${onlyProject().id}/${v.key}:*` === id);
                if (variable?.value !== outs.value) throw new Error(`variable ${id} does not hold the value of the outputs`);
            },
        },
    ];
}
