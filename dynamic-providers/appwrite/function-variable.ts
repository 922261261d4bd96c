/**
 * Appwrite function variable. The value is secret: it is marked secret in state, and when the
 * variable is secret (the default) Appwrite never returns it, so refresh can see drift in the
 * key and secrecy but not in the value. The function and the variable id replace.
 *
 * A create whose answer was lost adopts the variable at our id made within the lost-create window
 * with our key and secrecy; a secret one is then sent our value again, since Appwrite never shows
 * it and a write that landed is the only proof of what it holds.
 *
 * A 404 leaves the state only when the project's list of functions, read with the same key,
 * answers (places.ts): with its function (then the variable is gone) or without (then the
 * function went, and its variables with it).
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { appwrite, appwriteCall, createOwn, differences, fetchOrGone, NOT_FOUND, readOrGone, removeOrGone, type About } from "./client";
import { functionOf } from "./places";
import { APPWRITE_ID_PATTERN, functionVariableInputSchema } from "./schema";

const variable = (id: string): About<{ $id: string }> => ({ kind: "variable", id, idOf: (v) => v.$id, notFound: NOT_FOUND.variable });

/** A valid, stable variable id for a key: the key itself when Appwrite accepts it. */
export function variableIdFor(key: string): string {
    return APPWRITE_ID_PATTERN.test(key) ? key : `v-${createHash("sha256").update(key).digest("hex").slice(0, 32)}`;
}

export const functionVariableDefinition: ResourceDefinition<ReturnType<typeof functionVariableInputSchema>> = {
    module: "appwrite",
    type: "FunctionVariable",
    idFor: (i) => i.variableId,
    service: "appwrite",
    schema: functionVariableInputSchema,
    replaceOnChanges: ["endpoint", "projectId", "functionId", "variableId", "secret"],
    deleteBeforeReplace: true,
    secretInputs: ["value"],

    async create(ctx, i) {
        const operation = `create variable ${i.key} of function ${i.functionId}`;
        let answered = false;
        const created = await createOwn(ctx, operation, `variable ${i.variableId}`, {
            send: async (call) => {
                const variable = await appwrite(ctx, i, operation, call).functions.createVariable({ functionId: i.functionId, variableId: i.variableId, key: i.key, value: i.value, secret: i.secret });
                answered = true;
                return variable;
            },
            read: () => {
                const { call, functions } = appwrite(ctx, i, `look for variable ${i.variableId} of function ${i.functionId}`);
                return fetchOrGone(ctx, call, variable(i.variableId), () => functions.getVariable({ functionId: i.functionId, variableId: i.variableId }));
            },
            createdAt: (v) => v.$createdAt,
            differs: (v) => differences(v, { key: i.key, secret: i.secret, ...(v.secret ? {} : { value: i.value }) }),
            whenAbsent: `no variable has this id; function ${i.functionId} may hold another variable with key ${i.key}`,
        });
        // Adopted rather than answered, and secret: make sure it holds our value.
        if (!answered && created.secret) {
            const { call, functions } = appwrite(ctx, i, `set variable ${i.variableId} of function ${i.functionId}`);
            await appwriteCall(ctx, call, () => functions.updateVariable({ functionId: i.functionId, variableId: i.variableId, key: i.key, value: i.value, secret: i.secret }));
        }
        return { id: functionVariableDefinition.idFor!(i), outs: i };
    },
    async read(ctx, id, state) {
        const { call, functions } = appwrite(ctx, state, `read variable ${id} of function ${state.functionId}`);
        const found = await readOrGone(ctx, call, variable(id), functionOf(ctx, state, state.functionId), () => functions.getVariable({ functionId: state.functionId, variableId: id }));
        return found && { ...state, key: found.key, secret: found.secret, value: found.secret ? state.value : found.value };
    },
    async update(ctx, id, _olds, news) {
        const { call, functions } = appwrite(ctx, news, `update variable ${id} of function ${news.functionId}`);
        await appwriteCall(ctx, call, () => functions.updateVariable({ functionId: news.functionId, variableId: id, key: news.key, value: news.value, secret: news.secret }));
        return news;
    },
    async delete(ctx, id, state) {
        const { call, functions } = appwrite(ctx, state, `delete variable ${id} of function ${state.functionId}`);
        await removeOrGone(ctx, call, variable(id), functionOf(ctx, state, state.functionId), () => functions.deleteVariable({ functionId: state.functionId, variableId: id }));
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
