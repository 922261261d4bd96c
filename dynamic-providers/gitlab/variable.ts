/**
 * GitLab CI/CD variable. GitLab's masking rules are checked before any request instead of failing
 * at apply time. Key and environment scope identify the variable, so they replace.
 *
 * Ownership of a create whose answer was lost (core/ownership.ts): key and scope are unique in a
 * project, so the create is sent first and GitLab's "has already been taken" (or a lost answer)
 * leads to the variable there. It is ours when its description (GitLab 16.2, at most 255
 * characters) carries this resource's mark; without a URN, when it holds our value and flags.
 * An adopted variable is written again with our settings; any other is refused.
 *
 * Gone only when gone (issue 16): a 404 on read or delete counts as "gone" only when the project
 * answers with the same token, or is gone itself while its namespace (recorded at creation)
 * answers (client.ts `theProject`). Key and scope reach GitLab encoded (path segment, query).
 */
import type * as pulumi from "@pulumi/pulumi";
import { createOnce } from "../core/ownership";
import { answerIsAbout, confirmGone, segment } from "../core/gone";
import type { OperationContext, ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { gitlab, gitlabMark, holdsMark, isTaken, namespaceOfProject, theProject } from "./client";
import { variableInputSchema, type VariableInputs } from "./schema";

/** Ci::Variable validates a description of at most 255 characters. */
const DESCRIPTION_MAX = 255;

/** The project's namespace, recorded at creation: what tells a project that is gone from one hidden (client.ts). */
export interface VariableState extends VariableInputs {
    projectNamespaceId?: number;
}

interface ApiVariable {
    key: string;
    value: string | null;
    masked: boolean;
    protected: boolean;
    raw: boolean;
    variable_type: VariableInputs["variableType"];
    environment_scope: string;
    description?: string | null;
}

function body(i: VariableInputs) {
    return {
        value: i.value,
        masked: i.masked,
        protected: i.protected,
        raw: i.raw,
        variable_type: i.variableType,
        environment_scope: i.environmentScope,
        ...(i.resourceUrn ? { description: gitlabMark(i.resourceUrn, DESCRIPTION_MAX) } : {}),
    };
}

const scope = (i: VariableInputs) => ({ "filter[environment_scope]": i.environmentScope });

function isOurs(i: VariableInputs, v: ApiVariable): boolean {
    if (i.resourceUrn) return holdsMark(v.description, i.resourceUrn);
    return v.value === i.value && v.masked === i.masked && v.protected === i.protected && v.raw === i.raw && v.variable_type === i.variableType;
}

const variablePath = (i: VariableInputs) => `/projects/${segment(i.projectId)}/variables/${segment(i.key)}`;

/**
 * The variable at this key and scope; undefined on 404, which counts as gone only when `where`
 * confirms it (a create looking for what landed passes none: a 404 there means nothing landed).
 */
async function variableAt(ctx: OperationContext, i: VariableInputs, where?: VariableState): Promise<ApiVariable | undefined> {
    const api = gitlab(ctx, i.baseUrl, `read variable ${i.key}`);
    const v = await api.get<ApiVariable>(variablePath(i), scope(i));
    if (v === undefined) {
        if (where) await confirmGone(ctx, api.call, `variable ${i.key} (environment scope ${i.environmentScope})`, theProject(ctx, i.baseUrl, i.projectId, where.projectNamespaceId));
        return undefined;
    }
    const answered = (v as Partial<ApiVariable> | null)?.key;
    answerIsAbout(ctx, api.call, "variable", `${i.key}:${i.environmentScope}`, answered === undefined ? undefined : `${answered}:${v.environment_scope}`);
    return v;
}

export const variableDefinition: ResourceDefinition<ReturnType<typeof variableInputSchema>, VariableState> = {
    module: "gitlab",
    type: "Variable",
    idFor: (i) => `${i.projectId}/${i.key}:${i.environmentScope}`,
    service: "gitlab",
    outputs: ["projectNamespaceId"],
    schema: variableInputSchema,
    secretInputs: ["value"],
    replaceOnChanges: ["baseUrl", "projectId", "key", "environmentScope"],
    deleteBeforeReplace: true,
    urnInput: true,

    async create(ctx, i) {
        const operation = `add variable ${i.key} to project ${i.projectId}`;
        const where = await namespaceOfProject(ctx, i.baseUrl, i.projectId);
        const made = await createOnce<{ adopted: boolean }>(ctx, operation, {
            lookFirst: false,
            create: async (call) => {
                await gitlab(ctx, i.baseUrl, operation, call).post(`/projects/${segment(i.projectId)}/variables`, { key: i.key, ...body(i) });
                return { adopted: false };
            },
            isConflict: isTaken,
            findLanded: async () => {
                const v = await variableAt(ctx, i);
                return v && isOurs(i, v) ? { adopted: true } : undefined;
            },
            notOurs: (err, call) =>
                ctx.error(call, {
                    status: (err as { status?: number }).status,
                    apiMessage: `${(err as { apiMessage?: string }).apiMessage}: variable ${i.key} (environment scope ${i.environmentScope}) already exists in project ${i.projectId} and was not created by this resource (its description has no stackwire mark for it): remove it in GitLab (Settings > CI/CD > Variables), or give this one another key or scope`,
                }),
        });
        // An earlier attempt of ours may have sent another value (the config changed since): write ours.
        if (made.adopted) await gitlab(ctx, i.baseUrl, `update variable ${i.key}`).put(variablePath(i), body(i), scope(i));
        return { id: variableDefinition.idFor!(i), outs: { ...i, ...where } };
    },
    async read(ctx, _id, state) {
        const v = await variableAt(ctx, state, state);
        if (!v) return undefined;
        // Hidden variables come back without a value; the state keeps ours.
        return { ...state, value: v.value ?? state.value, masked: v.masked, protected: v.protected, raw: v.raw, variableType: v.variable_type };
    },
    async update(ctx, _id, olds, news) {
        const i = { ...news, resourceUrn: news.resourceUrn ?? olds.resourceUrn ?? null };
        await gitlab(ctx, news.baseUrl, `update variable ${news.key}`).put(variablePath(news), body(i), scope(news));
        return { ...i, ...(olds.projectNamespaceId !== undefined ? { projectNamespaceId: olds.projectNamespaceId } : {}) };
    },
    async delete(ctx, _id, state) {
        const api = gitlab(ctx, state.baseUrl, `remove variable ${state.key}`);
        await api.remove(variablePath(state), { query: scope(state) });
        if (api.call.lastStatus === 404) {
            await confirmGone(ctx, api.call, `variable ${state.key} (environment scope ${state.environmentScope})`, theProject(ctx, state.baseUrl, state.projectId, state.projectNamespaceId));
        }
    },
};

/**
 * The value is secret whatever its origin; masked values follow GitLab's masking rules, checked
 * before any request. Key and environment scope identify the variable, so they replace it.
 */
export type GitlabVariableArgs = ResourceArgs<ReturnType<typeof variableInputSchema>>;

export class GitlabVariable extends DynamicResource<ReturnType<typeof variableInputSchema>, VariableState> {
    declare readonly key: pulumi.Output<string>;
    /** The namespace of the variable's project when the variable was made (how a deleted project is told from a hidden one). */
    declare readonly projectNamespaceId: pulumi.Output<number | undefined>;
    constructor(name: string, args: GitlabVariableArgs, opts?: pulumi.CustomResourceOptions) {
        super(variableDefinition, name, args, opts);
    }
}
