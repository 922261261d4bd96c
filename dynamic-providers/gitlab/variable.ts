/**
 * GitLab CI/CD variable. GitLab's masking rules are checked before any request instead of failing
 * at apply time. Key and environment scope identify the variable, so they replace.
 *
 * Ownership of a create whose answer was lost (core/ownership.ts): key and scope are unique in a
 * project, so the create is sent first and GitLab's "has already been taken" (or a lost answer)
 * leads to the variable there. It is ours when its description (GitLab 16.2, at most 255
 * characters) carries this resource's mark; without a URN, when it holds our value and flags.
 * An adopted variable is written again with our settings; any other is refused.
 */
import type * as pulumi from "@pulumi/pulumi";
import { createOnce } from "../core/ownership";
import type { OperationContext, ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { gitlab, gitlabMark, holdsMark, isTaken } from "./client";
import { variableInputSchema, type VariableInputs } from "./schema";

/** Ci::Variable validates a description of at most 255 characters. */
const DESCRIPTION_MAX = 255;

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

async function variableAt(ctx: OperationContext, i: VariableInputs): Promise<ApiVariable | undefined> {
    return gitlab(ctx, i.baseUrl, `read variable ${i.key}`).get<ApiVariable>(`/projects/${i.projectId}/variables/${i.key}`, scope(i));
}

export const variableDefinition: ResourceDefinition<ReturnType<typeof variableInputSchema>> = {
    module: "gitlab",
    type: "Variable",
    service: "gitlab",
    schema: variableInputSchema,
    secretInputs: ["value"],
    replaceOnChanges: ["baseUrl", "projectId", "key", "environmentScope"],
    deleteBeforeReplace: true,
    urnInput: true,

    async create(ctx, i) {
        const operation = `add variable ${i.key} to project ${i.projectId}`;
        const made = await createOnce<{ adopted: boolean }>(ctx, operation, {
            lookFirst: false,
            create: async (call) => {
                await gitlab(ctx, i.baseUrl, operation, call).post(`/projects/${i.projectId}/variables`, { key: i.key, ...body(i) });
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
        if (made.adopted) await gitlab(ctx, i.baseUrl, `update variable ${i.key}`).put(`/projects/${i.projectId}/variables/${i.key}`, body(i), scope(i));
        return { id: `${i.projectId}/${i.key}:${i.environmentScope}`, outs: i };
    },
    async read(ctx, _id, state) {
        const v = await variableAt(ctx, state);
        if (!v) return undefined;
        // Hidden variables come back without a value; the state keeps ours.
        return { ...state, value: v.value ?? state.value, masked: v.masked, protected: v.protected, raw: v.raw, variableType: v.variable_type };
    },
    async update(ctx, _id, olds, news) {
        const i = { ...news, resourceUrn: news.resourceUrn ?? olds.resourceUrn ?? null };
        await gitlab(ctx, news.baseUrl, `update variable ${news.key}`).put(`/projects/${news.projectId}/variables/${news.key}`, body(i), scope(news));
        return i;
    },
    async delete(ctx, _id, state) {
        await gitlab(ctx, state.baseUrl, `remove variable ${state.key}`).remove(`/projects/${state.projectId}/variables/${state.key}`, { query: scope(state) });
    },
};

/**
 * The value is secret whatever its origin; masked values follow GitLab's masking rules, checked
 * before any request. Key and environment scope identify the variable, so they replace it.
 */
export type GitlabVariableArgs = ResourceArgs<ReturnType<typeof variableInputSchema>>;

export class GitlabVariable extends DynamicResource<ReturnType<typeof variableInputSchema>> {
    declare readonly key: pulumi.Output<string>;
    constructor(name: string, args: GitlabVariableArgs, opts?: pulumi.CustomResourceOptions) {
        super(variableDefinition, name, args, opts);
    }
}
