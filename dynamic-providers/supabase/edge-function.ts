/**
 * A Supabase Edge Function, deployed through the Management API from sources the stack holds
 * (`POST /v1/projects/{ref}/functions/deploy?slug=…`, multipart/form-data: a `metadata` part of
 * JSON and one `file` part per source, named by its path, as the Supabase CLI sends it:
 * supabase/cli apps/cli-go/pkg/function/deploy.go `writeForm`, 1d1e7191).
 *
 * A deploy is an upsert by slug, so a deploy whose answer was lost is simply sent again. What it
 * must never do is take over a function of the same slug that this stack did not make: the
 * function's `name` (kept and shown by the API, FunctionSlugResponse.name) carries a digest of
 * the resource's URN, and create looks first (the project's function list); a function of that
 * slug without the mark is refused.
 *
 * The content hash (SHA-256 of the files, entrypoint, import map and verify_jwt) is an output:
 * unchanged sources make no update and so no redeploy. Refresh reads the function's settings
 * (verify_jwt, entrypoint, name, version) and shows drift; the sources cannot be read back.
 *
 * "Not found": a 404 on the function counts as gone only once the project's function routes, or
 * the account's project list, answer with the same token (`theAccount` in client.ts); 401 and
 * 403 fail naming supabaseAccessToken.
 */
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { canonicalJson } from "../core/canonical";
import { answerIsAbout, confirmGone, segment } from "../core/gone";
import type { OperationContext, ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { managementApi, theAccount, type ManagementProject } from "./client";
import { edgeFunctionInputSchema, type EdgeFunctionInputs } from "./schema";

export interface EdgeFunctionState extends EdgeFunctionInputs {
    /** `${projectUrl}/functions/v1/${slug}`: where the function answers. */
    url: string;
    /** The deploy's version, as Supabase counts them. */
    version: number;
    /** SHA-256 of the canonical sources and settings: equal hashes make no redeploy. */
    contentHash: string;
}

/** FunctionSlugResponse / DeployFunctionResponse (api_v1_openapi.json), the fields read. */
interface ApiFunction {
    id: string;
    slug: string;
    name: string;
    status: string;
    version: number;
    verify_jwt?: boolean;
    entrypoint_path?: string;
    import_map_path?: string;
}

const PERMISSION = "Edge Functions";

/** What the deploy sends, hashed: the same sources and settings give the same hash, whatever the key order. */
export function contentHashOf(i: Pick<EdgeFunctionInputs, "files" | "entrypoint" | "importMap" | "verifyJwt">): string {
    return createHash("sha256").update(canonicalJson({ files: i.files, entrypoint: i.entrypoint, importMap: i.importMap, verifyJwt: i.verifyJwt })).digest("hex");
}

/** The mark in a function's name that says this resource made it: a digest of its URN (names stay short). */
export function functionMark(resourceUrn: string): string {
    return `[stackwire ${createHash("sha256").update(resourceUrn).digest("hex").slice(0, 16)}]`;
}

/** The name as deployed: the user's, then the mark. */
const markedName = (i: Pick<EdgeFunctionInputs, "name" | "slug" | "resourceUrn">) => `${i.name ?? i.slug} ${functionMark(i.resourceUrn)}`;

/** The user's name from a deployed one, or undefined when the mark is not this resource's. */
function unmarkedName(name: string, resourceUrn: string): string | undefined {
    const suffix = ` ${functionMark(resourceUrn)}`;
    return name.endsWith(suffix) ? name.slice(0, -suffix.length) : undefined;
}

const functionPath = (p: ManagementProject, slug: string) => `/v1/projects/${segment(p.projectRef)}/functions/${segment(slug)}`;
const urlOf = (i: Pick<EdgeFunctionInputs, "projectUrl" | "slug">) => `${i.projectUrl.replace(/\/+$/, "")}/functions/v1/${i.slug}`;

/**
 * Whether a deployed entrypoint is ours. The API may answer with the path as sent or resolved
 * under the bundle's root (`file:///…/index.ts`), so a path that ends with ours counts.
 */
const sameEntrypoint = (deployed: string | undefined, ours: string) => deployed === undefined || deployed === ours || deployed.endsWith(`/${ours}`);

/** The deploy request: metadata (FunctionDeployBody.metadata) and one `file` part per source, named by its path. */
function deployForm(i: EdgeFunctionInputs): FormData {
    const form = new FormData();
    const metadata = { entrypoint_path: i.entrypoint, ...(i.importMap !== null ? { import_map_path: i.importMap } : {}), verify_jwt: i.verifyJwt, name: markedName(i) };
    form.append("metadata", JSON.stringify(metadata));
    for (const [path, text] of Object.entries(i.files).sort(([a], [b]) => a.localeCompare(b))) form.append("file", new Blob([text], { type: "application/octet-stream" }), path);
    return form;
}

/** Deploys the sources; refuses a function of the same slug that this resource did not make. */
async function deploy(ctx: OperationContext, i: EdgeFunctionInputs, operation: string, lookFirst: boolean): Promise<EdgeFunctionState> {
    const calls = managementApi(ctx, i, operation, PERMISSION);
    if (lookFirst) {
        // The project's functions (v1-list-all-functions), which answers 200 whether or not ours is there.
        const listed = (await calls.send<unknown>("GET", `/v1/projects/${segment(i.projectRef)}/functions`, undefined, "must exist"))!.body;
        if (!Array.isArray(listed)) throw ctx.error(calls.call, { apiMessage: `asked for the Edge Functions of project ${i.projectRef} and was answered with something that is not a list: managementUrl may not be the Management API` });
        const found = (listed as ApiFunction[]).find((f) => f?.slug === i.slug);
        if (found !== undefined && unmarkedName(String(found.name), i.resourceUrn) === undefined) {
            throw ctx.error(calls.call, {
                status: 409,
                apiMessage: `project ${i.projectRef} already has an Edge Function "${i.slug}" that this stack did not deploy (its name "${String(found.name)}" lacks ${functionMark(i.resourceUrn)}): a deploy would replace its code. Choose another slug, or delete that function first`,
            });
        }
    }
    const deployed = await calls.sendForm<ApiFunction>(`/v1/projects/${segment(i.projectRef)}/functions/deploy`, { slug: i.slug }, deployForm(i));
    answerIsAbout(ctx, calls.call, "Edge Function", i.slug, deployed?.slug);
    return { ...i, url: urlOf(i), version: deployed.version, contentHash: contentHashOf(i) };
}

export const edgeFunctionDefinition: ResourceDefinition<ReturnType<typeof edgeFunctionInputSchema>, EdgeFunctionState> = {
    module: "supabase",
    type: "EdgeFunction",
    unreadableInputs: ["files"],
    idFor: (i) => `${i.projectRef}/${i.slug}`,
    service: "supabase-management",
    schema: edgeFunctionInputSchema,
    // Another slug or project is another function; the old one is deleted first so a slug moving
    // between resources is never deleted after its new owner deployed it.
    replaceOnChanges: ["managementUrl", "projectRef", "slug"],
    deleteBeforeReplace: true,
    urnInput: "required",
    outputs: ["url", "version", "contentHash"],

    async create(ctx, i) {
        const state = await deploy(ctx, i, `deploy Edge Function ${i.slug} to project ${i.projectRef}`, true);
        return { id: edgeFunctionDefinition.idFor!(i), outs: state };
    },
    async read(ctx, _id, state) {
        const calls = managementApi(ctx, state, `read Edge Function ${state.slug} of project ${state.projectRef}`, PERMISSION);
        const answer = await calls.send<ApiFunction>("GET", functionPath(state, state.slug), undefined, "may be gone");
        if (answer === undefined) {
            // A function deleted out of band answers 404 in a project that is still listed: gone.
            await confirmGone(ctx, calls.call, `Edge Function ${state.slug}`, theAccount(ctx, calls, state, `Edge Function ${state.slug}`, true));
            return undefined;
        }
        const f = answer.body;
        answerIsAbout(ctx, calls.call, "Edge Function", state.slug, f?.slug);
        return {
            ...state,
            name: unmarkedName(f.name, state.resourceUrn) ?? f.name,
            verifyJwt: f.verify_jwt ?? state.verifyJwt,
            entrypoint: sameEntrypoint(f.entrypoint_path, state.entrypoint) ? state.entrypoint : String(f.entrypoint_path),
            version: f.version,
        };
    },
    async update(ctx, _id, _olds, news) {
        return deploy(ctx, news, `redeploy Edge Function ${news.slug} to project ${news.projectRef}`, false);
    },
    async delete(ctx, _id, state) {
        const calls = managementApi(ctx, state, `delete Edge Function ${state.slug} of project ${state.projectRef}`, PERMISSION);
        if ((await calls.send("DELETE", functionPath(state, state.slug), undefined, "may be gone")) === undefined) {
            await confirmGone(ctx, calls.call, `Edge Function ${state.slug}`, theAccount(ctx, calls, state, `Edge Function ${state.slug}`, true));
        }
    },
};

/** `managementUrl` defaults to https://api.supabase.com, `entrypoint` to index.ts, `verifyJwt` to false. */
export type SupabaseEdgeFunctionArgs = ResourceArgs<ReturnType<typeof edgeFunctionInputSchema>>;

export class SupabaseEdgeFunction extends DynamicResource<ReturnType<typeof edgeFunctionInputSchema>, EdgeFunctionState> {
    /** Where the function answers: `${projectUrl}/functions/v1/${slug}`. */
    declare readonly url: pulumi.Output<string>;
    declare readonly version: pulumi.Output<number>;
    /** SHA-256 of the sources and settings deployed. */
    declare readonly contentHash: pulumi.Output<string>;
    constructor(name: string, args: SupabaseEdgeFunctionArgs, opts?: pulumi.CustomResourceOptions) {
        super(edgeFunctionDefinition, name, args, opts);
    }
}
