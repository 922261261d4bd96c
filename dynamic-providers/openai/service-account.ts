/**
 * OpenAI project service account (openapi.yaml @f85dbe22, "Project service accounts") with its
 * API key: the key's value is answered once, by the create, and becomes a secret output the stack
 * hands to its consumers. Rotating it is changing `rotation`: a new account with a new key is made,
 * the consumers move to it, then the old one is deleted. The name changes in place
 * (update-project-service-account).
 *
 * A create whose answer was lost may have made an account whose key nobody saw: one of our name
 * made within the lost-create window is deleted before the create is sent again. An archived
 * project has no service accounts (delete-project-service-account), so its accounts are gone.
 */
import type * as pulumi from "@pulumi/pulumi";
import { answerIsAbout } from "../core/gone";
import { createOnce, createdRecently } from "../core/ownership";
import type { OperationContext, ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { insideProject, openaiAdmin, openaiCall } from "./client";
import { serviceAccountInputSchema, type ServiceAccountInputs } from "./schema";

export type ServiceAccountState = ServiceAccountInputs & { role: string; apiKey: string; apiKeyId: string };

/**
 * The name OpenAI holds: each rotation's account has its own (`<name>-r<n>`), so the look for a
 * lost create of the new one never takes the old one, which still serves until it is deleted.
 */
const sentName = (i: Pick<ServiceAccountInputs, "name" | "rotation">) => (i.rotation > 0 ? `${i.name}-r${i.rotation}` : i.name);
const givenName = (held: string, rotation: number) => (rotation > 0 && held.endsWith(`-r${rotation}`) ? held.slice(0, -`-r${rotation}`.length) : held);

/** Accounts of our name made within the lost-create window: an earlier attempt of ours whose key was never seen. */
async function deleteLostAttempts(ctx: OperationContext, i: ServiceAccountInputs): Promise<void> {
    const { call, projects } = openaiAdmin(ctx, i.baseUrl, `look for service account ${i.name}`);
    const lost: string[] = [];
    await openaiCall(ctx, call, async () => {
        for await (const a of projects.serviceAccounts.list(i.projectId, { limit: 100 })) if (a.name === sentName(i) && createdRecently(ctx, a.created_at * 1000)) lost.push(a.id);
    });
    for (const id of lost) {
        const removal = openaiAdmin(ctx, i.baseUrl, `delete lost service account ${id}`);
        await openaiCall(ctx, removal.call, () => removal.projects.serviceAccounts.delete(id, { project_id: i.projectId }));
    }
}

export const serviceAccountDefinition: ResourceDefinition<ReturnType<typeof serviceAccountInputSchema>, ServiceAccountState> = {
    module: "openai",
    type: "ServiceAccount",
    service: "openai",
    schema: serviceAccountInputSchema,
    replaceOnChanges: ["baseUrl", "projectId", "rotation"],
    // The new key first: consumers move to it before the old account (and its key) goes.
    deleteBeforeReplace: false,
    outputs: ["role", "apiKeyId"],
    notAdoptable: "its API key is shown only when the account is made, so the stack could not hand it on; let the stack make its own (and delete the old one once its users have moved)",
    secretOutputs: ["apiKey"],

    async create(ctx, i) {
        const operation = `create service account ${i.name} in project ${i.projectId}`;
        const made = await createOnce(ctx, operation, {
            // Look first: a create the engine runs again after the provider gave up finds the account that landed without its key.
            lookFirst: true,
            create: (call) => openaiCall(ctx, call, () => openaiAdmin(ctx, i.baseUrl, operation, call).projects.serviceAccounts.create(i.projectId, { name: sentName(i) })),
            findLanded: async () => {
                await deleteLostAttempts(ctx, i);
                return undefined;
            },
        });
        if (!made.api_key) throw new Error(`OpenAI made service account ${made.id} without an API key; the stack needs its key: delete it in the dashboard and run again`);
        ctx.keepSecret(made.api_key.value);
        return { id: made.id, outs: { ...i, role: made.role, apiKey: made.api_key.value, apiKeyId: made.api_key.id } };
    },

    async read(ctx, id, state) {
        const { call, projects } = openaiAdmin(ctx, state.baseUrl, `read service account ${id}`);
        const found = await insideProject(ctx, call, `service account ${id}`, state.baseUrl, state.projectId, () => projects.serviceAccounts.retrieve(id, { project_id: state.projectId }));
        if (!found) return undefined;
        answerIsAbout(ctx, call, "service account", id, found.id);
        return { ...state, name: givenName(found.name, state.rotation), role: found.role };
    },

    async update(ctx, id, olds, news) {
        const { call, projects } = openaiAdmin(ctx, news.baseUrl, `rename service account ${id}`);
        const updated = await openaiCall(ctx, call, () => projects.serviceAccounts.update(id, { project_id: news.projectId, name: sentName(news) }));
        return { ...news, role: updated.role, apiKey: olds.apiKey, apiKeyId: olds.apiKeyId };
    },

    async delete(ctx, id, state) {
        const { call, projects } = openaiAdmin(ctx, state.baseUrl, `delete service account ${id}`);
        await insideProject(ctx, call, `service account ${id}`, state.baseUrl, state.projectId, () => projects.serviceAccounts.delete(id, { project_id: state.projectId }));
    },
};

export type OpenaiServiceAccountArgs = ResourceArgs<ReturnType<typeof serviceAccountInputSchema>>;

export class OpenaiServiceAccount extends DynamicResource<ReturnType<typeof serviceAccountInputSchema>, ServiceAccountState> {
    declare readonly apiKey: pulumi.Output<string>;
    declare readonly apiKeyId: pulumi.Output<string>;
    declare readonly role: pulumi.Output<string>;
    constructor(name: string, args: OpenaiServiceAccountArgs, opts?: pulumi.CustomResourceOptions) {
        super(serviceAccountDefinition, name, args, opts);
    }
}
