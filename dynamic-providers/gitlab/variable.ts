/**
 * GitLab CI/CD variable. GitLab's masking rules are checked before any request instead of failing
 * at apply time. Key and environment scope identify the variable, so they replace.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { dynamicProvider, type ResourceDefinition } from "../core/provider";
import { gitlab, gitlabConnectionShape, maskingProblem, VARIABLE_KEY_PATTERN } from "./client";

export function variableInputSchema() {
    return z
        .object({
            ...gitlabConnectionShape(),
            projectId: z.string().regex(/^\d+$/, "must be a numeric project id"),
            key: z.string().regex(VARIABLE_KEY_PATTERN, "must be letters, digits and _ only, at most 255 characters"),
            value: z.string().max(10_000, "must be at most 10,000 characters"),
            masked: z.boolean().default(true),
            protected: z.boolean().default(false),
            environmentScope: z.string().min(1).default("*"),
            raw: z.boolean().default(false),
            variableType: z.enum(["env_var", "file"]).default("env_var"),
        })
        .superRefine((v, ctx) => {
            const problem = v.masked ? maskingProblem(v.value, v.raw) : undefined;
            if (problem) ctx.addIssue({ code: "custom", path: ["value"], message: `cannot be masked: ${problem}` });
        });
}

export type VariableInputs = z.output<ReturnType<typeof variableInputSchema>>;

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

export const variableDefinition: ResourceDefinition<VariableInputs, VariableInputs> = {
    service: "gitlab",
    schema: variableInputSchema as unknown as () => z.ZodObject,
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

export const variableProvider = dynamicProvider(variableDefinition);

export interface GitlabVariableArgs {
    baseUrl?: pulumi.Input<string>;
    projectId: pulumi.Input<string>;
    key: pulumi.Input<string>;
    /** Secret in state whatever its origin. */
    value: pulumi.Input<string>;
    /** @default true */
    masked?: pulumi.Input<boolean>;
    /** Only on protected branches and tags. @default false */
    protected?: pulumi.Input<boolean>;
    /** @default "*" */
    environmentScope?: pulumi.Input<string>;
    /** Not expanded; lifts the masking character rule. @default false */
    raw?: pulumi.Input<boolean>;
}

export class GitlabVariable extends pulumi.dynamic.Resource {
    declare readonly key: pulumi.Output<string>;
    constructor(name: string, args: GitlabVariableArgs, opts?: pulumi.CustomResourceOptions) {
        super(variableProvider, name, { ...args, value: pulumi.secret(args.value) }, pulumi.mergeOptions(opts, { additionalSecretOutputs: ["value"] }), "gitlab", "Variable");
    }
}
