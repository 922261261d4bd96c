/**
 * Appwrite function variable. The value is secret: it is marked secret in state, and when the
 * variable is secret (the default) Appwrite never returns it, so refresh can see drift in the
 * key and secrecy but not in the value. The function and the variable id replace.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { dynamicProvider, type ResourceDefinition } from "../core/provider";
import { APPWRITE_ID_PATTERN, appwrite, appwriteCall, connectionShape, createOrRecover, fetchOrGone, idSchema, removeIfPresent, type AppwriteConnectionArgs } from "./client";
import { createHash } from "node:crypto";

export function functionVariableInputSchema() {
    return z.object({
        ...connectionShape(),
        functionId: idSchema("functionId"),
        variableId: idSchema("variableId"),
        key: z.string().min(1).max(255, "must be at most 255 characters").regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name: letters, digits and _, not starting with a digit"),
        value: z.string().max(8192, "must be at most 8192 characters"),
        /** Only the function can read a secret variable. */
        secret: z.boolean().default(true),
    });
}

export type FunctionVariableInputs = z.output<ReturnType<typeof functionVariableInputSchema>>;

/** A valid, stable variable id for a key: the key itself when Appwrite accepts it. */
export function variableIdFor(key: string): string {
    return APPWRITE_ID_PATTERN.test(key) ? key : `v-${createHash("sha256").update(key).digest("hex").slice(0, 32)}`;
}

export const functionVariableDefinition: ResourceDefinition<FunctionVariableInputs, FunctionVariableInputs> = {
    service: "appwrite",
    schema: functionVariableInputSchema,
    replaceOnChanges: ["endpoint", "projectId", "functionId", "variableId", "secret"],
    deleteBeforeReplace: true,

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

export const functionVariableProvider = dynamicProvider(functionVariableDefinition);

export interface AppwriteFunctionVariableArgs extends AppwriteConnectionArgs {
    functionId: pulumi.Input<string>;
    /** The environment variable's name inside the function. */
    key: pulumi.Input<string>;
    /** Kept secret in state whatever its origin. */
    value: pulumi.Input<string>;
    /** @default derived from the key */
    variableId?: pulumi.Input<string>;
    /** @default true */
    secret?: pulumi.Input<boolean>;
}

export class AppwriteFunctionVariable extends pulumi.dynamic.Resource {
    declare readonly key: pulumi.Output<string>;
    declare readonly value: pulumi.Output<string>;
    constructor(name: string, args: AppwriteFunctionVariableArgs, opts?: pulumi.CustomResourceOptions) {
        const variableId = args.variableId ?? pulumi.output(args.key).apply(variableIdFor);
        super(functionVariableProvider, name, { ...args, variableId, value: pulumi.secret(args.value) }, pulumi.mergeOptions(opts, { additionalSecretOutputs: ["value"] }), "appwrite", "FunctionVariable");
    }
}
