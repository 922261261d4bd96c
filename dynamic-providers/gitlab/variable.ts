/**
 * GitLab CI/CD variable. GitLab's masking rules are checked before any request instead of failing
 * at apply time. Key and environment scope identify the variable, so they replace.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { gitlab } from "./client";
import { variableInputSchema, type VariableInputs } from "./schema";

interface ApiVariable {
    key: string;
    value: string | null;
    masked: boolean;
    protected: boolean;
    raw: boolean;
    variable_type: VariableInputs["variableType"];
    environment_scope: string;
}

function body(i: VariableInputs) {
    return { value: i.value, masked: i.masked, protected: i.protected, raw: i.raw, variable_type: i.variableType, environment_scope: i.environmentScope };
}

const scope = (i: VariableInputs) => ({ "filter[environment_scope]": i.environmentScope });

export const variableDefinition: ResourceDefinition<ReturnType<typeof variableInputSchema>> = {
    module: "gitlab",
    type: "Variable",
    service: "gitlab",
    schema: variableInputSchema,
    secretInputs: ["value"],
    replaceOnChanges: ["baseUrl", "projectId", "key", "environmentScope"],
    deleteBeforeReplace: true,

    async create(ctx, i) {
        await gitlab(ctx, i.baseUrl, `add variable ${i.key} to project ${i.projectId}`).post(`/projects/${i.projectId}/variables`, { key: i.key, ...body(i) });
        return { id: `${i.projectId}/${i.key}:${i.environmentScope}`, outs: i };
    },
    async read(ctx, _id, state) {
        const v = await gitlab(ctx, state.baseUrl, `read variable ${state.key}`).get<ApiVariable>(`/projects/${state.projectId}/variables/${state.key}`, scope(state));
        if (!v) return undefined;
        // Hidden variables come back without a value; the state keeps ours.
        return { ...state, value: v.value ?? state.value, masked: v.masked, protected: v.protected, raw: v.raw, variableType: v.variable_type };
    },
    async update(ctx, _id, _olds, news) {
        await gitlab(ctx, news.baseUrl, `update variable ${news.key}`).put(`/projects/${news.projectId}/variables/${news.key}`, body(news), scope(news));
        return news;
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
