/**
 * OpenAI project (openai/openai-openapi openapi.yaml @f85dbe22, "Projects"): the name changes in
 * place (modify-project); the residency is taken at creation only and replaces. OpenAI never
 * deletes a project: destroy archives it (archive-project), and an archived project "cannot be
 * used or updated", so a refresh that finds it archived drops it from state. A 404 leaves the
 * state only when the admin key's organization answers (core/gone.ts).
 *
 * Projects have no unique name and nowhere to put a mark: a create whose answer was lost looks
 * for a project of our name made within the lost-create window before sending again.
 */
import type * as pulumi from "@pulumi/pulumi";
import { answerIsAbout } from "../core/gone";
import { createOnce, createdRecently } from "../core/ownership";
import type { ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { goneOrFail, openaiAdmin, openaiCall } from "./client";
import { projectInputSchema, type ProjectInputs } from "./schema";

export type ProjectState = ProjectInputs & { status: string };

interface ApiProject {
    id: string;
    name?: string | null;
    created_at: number;
    status?: string | null;
    residency?: string | null;
}

/** Every project of ours' name, archived ones left out (list-projects pages, 100 at a time). */
async function projectsNamed(ctx: Parameters<typeof openaiAdmin>[0], i: ProjectInputs, name: string): Promise<ApiProject[]> {
    const { call, projects } = openaiAdmin(ctx, i.baseUrl, `look for project ${name}`);
    const found: ApiProject[] = [];
    await openaiCall(ctx, call, async () => {
        for await (const p of projects.list({ limit: 100 })) if (p.name === name) found.push(p as ApiProject);
    });
    return found;
}

export const openaiProjectDefinition: ResourceDefinition<ReturnType<typeof projectInputSchema>, ProjectState> = {
    module: "openai",
    type: "Project",
    service: "openai",
    schema: projectInputSchema,
    replaceOnChanges: ["baseUrl", "residency"],
    deleteBeforeReplace: false,
    outputs: ["status"],

    async create(ctx, i) {
        const operation = `create project ${i.name}`;
        const project = await createOnce<ApiProject>(ctx, operation, {
            // No unique name: a retried create would make a second project.
            lookFirst: true,
            create: (call) => openaiCall(ctx, call, () => openaiAdmin(ctx, i.baseUrl, operation, call).projects.create({ name: i.name, ...(i.residency ? { residency: i.residency } : {}) }) as Promise<ApiProject>),
            // Ours only with our settings too: a project this one replaces (another residency) shares its name.
            findLanded: async () => (await projectsNamed(ctx, i, i.name)).find((p) => createdRecently(ctx, p.created_at * 1000) && (p.residency ?? "GLOBAL") === (i.residency ?? "GLOBAL")),
        });
        return { id: project.id, outs: { ...i, status: project.status ?? "active" } };
    },

    async read(ctx, id, state) {
        const { call, projects } = openaiAdmin(ctx, state.baseUrl, `read project ${id}`);
        let found: ApiProject;
        try {
            found = (await projects.retrieve(id)) as ApiProject;
        } catch (err) {
            return goneOrFail(ctx, call, `project ${id}`, state.baseUrl, err);
        }
        answerIsAbout(ctx, call, "project", id, found.id);
        // Archived: it cannot be used or updated again; the next up makes a new one.
        if (found.status === "archived") return undefined;
        return { ...state, name: found.name ?? state.name, status: found.status ?? "active" };
    },

    async update(ctx, id, _olds, news) {
        const { call, projects } = openaiAdmin(ctx, news.baseUrl, `rename project ${id}`);
        const updated = (await openaiCall(ctx, call, () => projects.update(id, { name: news.name }))) as ApiProject;
        return { ...news, status: updated.status ?? "active" };
    },

    async delete(ctx, id, state) {
        const { call, projects } = openaiAdmin(ctx, state.baseUrl, `archive project ${id}`);
        try {
            await projects.archive(id);
        } catch (err) {
            await goneOrFail(ctx, call, `project ${id}`, state.baseUrl, err);
        }
    },
};

export type OpenaiProjectArgs = ResourceArgs<ReturnType<typeof projectInputSchema>>;

export class OpenaiProject extends DynamicResource<ReturnType<typeof projectInputSchema>, ProjectState> {
    declare readonly name: pulumi.Output<string>;
    declare readonly status: pulumi.Output<string>;
    constructor(name: string, args: OpenaiProjectArgs, opts?: pulumi.CustomResourceOptions) {
        super(openaiProjectDefinition, name, args, opts);
    }
}
