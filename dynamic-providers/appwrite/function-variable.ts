/**
 * Appwrite function variable. The value is secret: it is marked secret in state, and when the
 * variable is secret (the default) Appwrite never returns it, so refresh can see drift in the
 * key and secrecy but not in the value. The function and the variable id replace.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { appwrite, appwriteCall, createOrRecover, fetchOrGone, removeIfPresent } from "./client";
import { APPWRITE_ID_PATTERN, functionVariableInputSchema } from "./schema";

/** A valid, stable variable id for a key: the key itself when Appwrite accepts it. */
export function variableIdFor(key: string): string {
    return APPWRITE_ID_PATTERN.test(key) ? key : `v-${createHash("sha256").update(key).digest("hex").slice(0, 32)}`;
}

export const functionVariableDefinition: ResourceDefinition<ReturnType<typeof functionVariableInputSchema>> = {
    module: "appwrite",
    type: "FunctionVariable",
    service: "appwrite",
    schema: functionVariableInputSchema,
    replaceOnChanges: ["endpoint", "projectId", "functionId", "variableId", "secret"],
    deleteBeforeReplace: true,
    secretInputs: ["value"],

    async create(ctx, i) {
        const { call, functions } = appwrite(ctx, i, `create variable ${i.key} of function ${i.functionId}`);
        await createOrRecover(ctx, call, `variable ${i.variableId}`, () => functions.createVariable({ functionId: i.functionId, variableId: i.variableId, key: i.key, value: i.value, secret: i.secret }), () =>
            fetchOrGone(ctx, call, () => functions.getVariable({ functionId: i.functionId, variableId: i.variableId })),
        );
        return { id: i.variableId, outs: i };
    },
    async read(ctx, id, state) {
        const { call, functions } = appwrite(ctx, state, `read variable ${id} of function ${state.functionId}`);
        const found = await fetchOrGone(ctx, call, () => functions.getVariable({ functionId: state.functionId, variableId: id }));
        return found && { ...state, key: found.key, secret: found.secret, value: found.secret ? state.value : found.value };
    },
    async update(ctx, id, _olds, news) {
        const { call, functions } = appwrite(ctx, news, `update variable ${id} of function ${news.functionId}`);
        await appwriteCall(ctx, call, () => functions.updateVariable({ functionId: news.functionId, variableId: id, key: news.key, value: news.value, secret: news.secret }));
        return news;
    },
    async delete(ctx, id, state) {
        const { call, functions } = appwrite(ctx, state, `delete variable ${id} of function ${state.functionId}`);
        await removeIfPresent(ctx, call, () => functions.deleteVariable({ functionId: state.functionId, variableId: id }));
    },
};

/** `variableId` defaults to one derived from the key; the value is kept secret whatever its origin. */
export type AppwriteFunctionVariableArgs = Omit<ResourceArgs<ReturnType<typeof functionVariableInputSchema>>, "variableId"> & { variableId?: pulumi.Input<string> };

export class AppwriteFunctionVariable extends DynamicResource<ReturnType<typeof functionVariableInputSchema>> {
    declare readonly key: pulumi.Output<string>;
    declare readonly value: pulumi.Output<string>;
    constructor(name: string, args: AppwriteFunctionVariableArgs, opts?: pulumi.CustomResourceOptions) {
        super(functionVariableDefinition, name, { ...args, variableId: args.variableId ?? pulumi.output(args.key).apply(variableIdFor) }, opts);
    }
}
