/**
 * Agora project (Agora Console REST API: Create a project, Get all projects, Enable or disable
 * a project, Enable or disable the primary App Certificate, Reset it). Its App ID and primary
 * certificate are outputs, the certificate secret; the stack hands both to its consumers.
 *
 * Agora's documented API deletes nothing: destroy disables the project (status 0), and a refresh
 * that finds it disabled drops it from state. Disabled projects count toward the account's
 * projects, so a stack that is made again looks for its own disabled project under its name and
 * enables it again with a new certificate (the old one, which consumers of the destroyed stack
 * held, stops working). A project of that name that is enabled and was not made within the lost-create
 * window is another's, and is refused.
 */
import type * as pulumi from "@pulumi/pulumi";
import { createdRecently, createOnce, takenBy } from "../core/ownership";
import type { OperationContext, ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { accountDigest, agora, allProjects, createdMs, goneFromAccount, type ApiAgoraProject } from "./client";
import { agoraProjectInputSchema, type AgoraProjectInputs } from "./schema";

/** `madeBy`: the digest of the Customer ID that made it (client.ts `accountDigest`). */
export type AgoraProjectState = AgoraProjectInputs & { appId: string; appCertificate: string; madeBy: string };

const stateOf = (i: AgoraProjectInputs, p: ApiAgoraProject, madeBy: string): AgoraProjectState => ({ ...i, name: p.name, certificate: Boolean(p.sign_key), appId: p.vendor_key, appCertificate: p.sign_key ?? "", madeBy });

/** Turns the primary certificate on or off (`POST /dev/v1/signkey`), answering the project. */
async function setCertificate(ctx: OperationContext, baseUrl: string, id: string, enable: boolean): Promise<ApiAgoraProject> {
    const api = agora(ctx, baseUrl, `${enable ? "enable" : "disable"} the certificate of Agora project ${id}`);
    return (await api.post<{ project: ApiAgoraProject }>("/dev/v1/signkey", { id, enable })).project;
}

/** A disabled project of the stack's name, which its last destroy left: enabled again, with a certificate no one had. */
async function revive(ctx: OperationContext, i: AgoraProjectInputs, found: ApiAgoraProject): Promise<ApiAgoraProject> {
    const api = agora(ctx, i.baseUrl, `enable Agora project ${found.id} again`);
    let project = (await api.post<{ project: ApiAgoraProject }>("/dev/v1/project_status", { id: found.id, status: 1 })).project;
    if (i.certificate) {
        // Resetting also enables a certificate that was off (Reset the primary App Certificate).
        const reset = agora(ctx, i.baseUrl, `reset the certificate of Agora project ${found.id}`);
        project = (await reset.post<{ project: ApiAgoraProject }>("/dev/v1/reset_signkey", { id: found.id })).project;
    } else if (project.sign_key) {
        project = await setCertificate(ctx, i.baseUrl, found.id, false);
    }
    return project;
}

export const agoraProjectDefinition: ResourceDefinition<ReturnType<typeof agoraProjectInputSchema>, AgoraProjectState> = {
    module: "agora",
    type: "Project",
    service: "agora",
    schema: agoraProjectInputSchema,
    // No rename route: another name is another project.
    replaceOnChanges: ["baseUrl", "name"],
    deleteBeforeReplace: false,
    outputs: ["appId"],
    secretOutputs: ["appCertificate"],

    async create(ctx, i) {
        const operation = `create Agora project ${i.name}`;
        let sameName: ApiAgoraProject | undefined;
        let project = await createOnce<ApiAgoraProject>(ctx, operation, {
            // Look first: a disabled project of our name (what the last destroy left) is enabled again rather than a new one
            // made beside it, whether or not Agora keeps a disabled project's name taken (its docs do not say), and the quota kept.
            lookFirst: true,
            create: async (call) => (await agora(ctx, i.baseUrl, operation, call).post<{ project: ApiAgoraProject }>("/dev/v1/project", { name: i.name, enable_sign_key: i.certificate })).project,
            // Agora's 400 covers a taken name, a blocked account and the project quota: the look tells them apart.
            isConflict: (err) => (err as { status?: number }).status === 400,
            findLanded: async () => {
                sameName = (await allProjects(ctx, i.baseUrl, `look for Agora project ${i.name}`)).find((p) => p.name === i.name);
                if (!sameName) return undefined;
                if (sameName.status === 0) return revive(ctx, i, sameName);
                return createdRecently(ctx, createdMs(sameName)) ? sameName : undefined;
            },
            notOurs: (err) => takenBy(err, sameName && { what: `Agora project "${i.name}"`, id: sameName.id, where: "the account", instead: "give the project another name" }),
        });
        // The create's enable_sign_key is documented as optional, defaulting to off: make sure of it.
        if (i.certificate && !project.sign_key) project = await setCertificate(ctx, i.baseUrl, project.id, true);
        if (project.sign_key) ctx.keepSecret(project.sign_key);
        return { id: project.id, outs: stateOf(i, project, accountDigest(ctx)) };
    },

    async read(ctx, id, state) {
        const call = ctx.http(`read Agora project ${id}`);
        const found = (await allProjects(ctx, state.baseUrl, call.operation, call)).find((p) => p.id === id);
        if (!found) {
            await goneFromAccount(ctx, call, `Agora project ${id}`, state.madeBy);
            return undefined;
        }
        // Disabled: what destroy leaves; the next up enables it again.
        if (found.status === 0) return undefined;
        if (found.sign_key) ctx.keepSecret(found.sign_key);
        // State without the digest (an adopted project, state from before it): the account that sees it now made it, as far as the API can tell.
        return stateOf(state, found, state.madeBy ?? accountDigest(ctx));
    },

    async update(ctx, id, olds, news) {
        if (olds.certificate === news.certificate) return { ...olds, ...news };
        const project = await setCertificate(ctx, news.baseUrl, id, news.certificate);
        if (project.sign_key) ctx.keepSecret(project.sign_key);
        return stateOf(news, project, olds.madeBy);
    },

    async delete(ctx, id, state) {
        // Disabled, not deleted: Agora's documented API has no delete. A project already gone (404) is done, when the account is the one that made it.
        const api = agora(ctx, state.baseUrl, `disable Agora project ${id}`);
        try {
            await api.post("/dev/v1/project_status", { id, status: 0 });
        } catch (err) {
            if ((err as { status?: number }).status !== 404) throw err;
            // Gone only when the account's list, which answers (a wrong URL does not), no longer holds it.
            const listed = (await allProjects(ctx, state.baseUrl, `look for Agora project ${id}`)).some((p) => p.id === id);
            if (listed) throw err;
            await goneFromAccount(ctx, api.call, `Agora project ${id}`, state.madeBy);
        }
    },
};

export type AgoraProjectArgs = ResourceArgs<ReturnType<typeof agoraProjectInputSchema>>;

export class AgoraProject extends DynamicResource<ReturnType<typeof agoraProjectInputSchema>, AgoraProjectState> {
    declare readonly appId: pulumi.Output<string>;
    declare readonly appCertificate: pulumi.Output<string>;
    constructor(name: string, args: AgoraProjectArgs, opts?: pulumi.CustomResourceOptions) {
        super(agoraProjectDefinition, name, args, opts);
    }
}
