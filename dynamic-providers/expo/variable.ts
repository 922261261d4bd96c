/**
 * An EAS environment variable of an Expo project (eas-cli's CreateEnvironmentVariableForApp,
 * UpdateEnvironmentVariable, DeleteEnvironmentVariable, EnvironmentVariablesByAppId): the value
 * a key consumer hands to the project's builds, per environment, with eas-cli's visibilities
 * (PUBLIC: readable anywhere; SENSITIVE: hidden in listings; SECRET: readable only on EAS
 * servers, never answered again). Value, visibility and environments change in place; the name
 * replaces.
 *
 * One name may have several variables, each for other environments. A create looks first: a
 * variable of our name for exactly our environments made within the lost-create window is ours
 * (its value is written again); one for environments that overlap ours, made by someone else, is
 * refused naming adopt, before anything is sent.
 */
import type * as pulumi from "@pulumi/pulumi";
import { createdRecently, createOnce, takenBy } from "../core/ownership";
import type { OperationContext, ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { expoGraphql, variablesNamed, VARIABLE_FIELDS, type ApiVariable } from "./client";
import { environmentName, expoVariableInputSchema, type ExpoVariableInputs } from "./schema";

const sameEnvironments = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((e) => b.includes(e));
const lower = (v: ApiVariable) => (v.environments ?? []).map(environmentName);

const UPDATE = `mutation UpdateEnvironmentVariable($input: UpdateEnvironmentVariableInput!) { environmentVariable { updateEnvironmentVariable(environmentVariableData: $input) { ${VARIABLE_FIELDS} } } }`;

async function writeValue(ctx: OperationContext, id: string, i: ExpoVariableInputs): Promise<void> {
    await expoGraphql(ctx, i.baseUrl, `update Expo variable ${i.name}`, UPDATE, "UpdateEnvironmentVariable", { input: { id, value: i.value, visibility: i.visibility, environments: i.environments } });
}

/** Variables of our name whose environments overlap ours: our own lost create (exactly ours, recent), or someone else's. */
async function look(ctx: OperationContext, i: ExpoVariableInputs): Promise<{ mine?: ApiVariable; other?: ApiVariable }> {
    const overlapping = (await variablesNamed(ctx, i.baseUrl, i.projectId, i.name, `look for Expo variable ${i.name}`)).filter((v) => lower(v).some((e) => i.environments.includes(e)));
    const mine = overlapping.find((v) => sameEnvironments(lower(v), i.environments) && createdRecently(ctx, v.createdAt));
    return mine ? { mine } : { other: overlapping[0] };
}

export const expoVariableDefinition: ResourceDefinition<ReturnType<typeof expoVariableInputSchema>, ExpoVariableInputs> = {
    module: "expo",
    type: "EnvironmentVariable",
    service: "expo",
    schema: expoVariableInputSchema,
    replaceOnChanges: ["baseUrl", "projectId", "name"],
    deleteBeforeReplace: true,
    secretInputs: ["value"],

    async create(ctx, i) {
        const operation = `create Expo variable ${i.name} (${i.environments.join(", ")})`;
        let other: ApiVariable | undefined;
        // Expo's answer to a name taken for an environment is not published: another's variable found by the look is refused here.
        const holder = () => other && { what: `Expo variable ${i.name} for ${(other.environments ?? []).join(", ")}`, id: other.id, where: `EAS project ${i.projectId}`, instead: "delete it (EAS dashboard, or eas env:delete) or choose another name", adoptable: false };
        const made = await createOnce<ApiVariable>(ctx, operation, {
            lookFirst: true,
            create: async (call) => {
                if (other) throw takenBy(undefined, holder());
                const data = await expoGraphql<{ environmentVariable: { createEnvironmentVariableForApp: ApiVariable } }>(
                    ctx,
                    i.baseUrl,
                    operation,
                    `mutation CreateEnvironmentVariableForApp($input: CreateEnvironmentVariableInput!, $appId: ID!) { environmentVariable { createEnvironmentVariableForApp(environmentVariableData: $input, appId: $appId) { ${VARIABLE_FIELDS} } } }`,
                    "CreateEnvironmentVariableForApp",
                    { appId: i.projectId, input: { name: i.name, value: i.value, visibility: i.visibility, environments: i.environments, type: "STRING" } },
                    call,
                );
                return data.environmentVariable.createEnvironmentVariableForApp;
            },
            // Expo's words for a taken name are not published: any refusal of the request itself (an answered error that is not
            // about the token) is checked against what the project holds; a 5xx or a lost answer takes the usual retry.
            isConflict: (err) => {
                const e = err as { status?: number; code?: string };
                return e.status !== undefined && e.status < 500 && e.code !== "UNAUTHORIZED_ERROR";
            },
            findLanded: async () => {
                const found = await look(ctx, i);
                other = found.other;
                if (!found.mine) return undefined;
                // Ours, from an attempt whose answer was lost: its value is written again, a secret one being unreadable.
                await writeValue(ctx, found.mine.id, i);
                return found.mine;
            },
            notOurs: (err) => takenBy(err, holder()),
        });
        return { id: made.id, outs: i };
    },

    async read(ctx, id, state) {
        // The listing answers only when the token sees the project (UNAUTHORIZED_ERROR otherwise): absent from it is gone.
        const found = (await variablesNamed(ctx, state.baseUrl, state.projectId, state.name, `read Expo variable ${state.name}`)).find((v) => v.id === id);
        if (!found) return undefined;
        // A sensitive or secret value is never answered here: the state's stands.
        return { ...state, value: found.value ?? state.value, visibility: found.visibility ?? state.visibility, environments: lower(found).sort() };
    },

    async update(ctx, id, _olds, news) {
        await writeValue(ctx, id, news);
        return news;
    },

    async delete(ctx, id, state) {
        try {
            await expoGraphql(ctx, state.baseUrl, `delete Expo variable ${state.name}`, `mutation DeleteEnvironmentVariable($id: ID!) { environmentVariable { deleteEnvironmentVariable(id: $id) { id } } }`, "DeleteEnvironmentVariable", { id });
        } catch (err) {
            // Gone already (a delete whose answer was lost) when the project, which the token still sees, no longer holds it.
            const still = (await variablesNamed(ctx, state.baseUrl, state.projectId, state.name, `look for Expo variable ${state.name}`)).some((v) => v.id === id);
            if (still) throw err;
        }
    },
};

export type ExpoVariableArgs = ResourceArgs<ReturnType<typeof expoVariableInputSchema>>;

export class ExpoVariable extends DynamicResource<ReturnType<typeof expoVariableInputSchema>, ExpoVariableInputs> {
    constructor(name: string, args: ExpoVariableArgs, opts?: pulumi.CustomResourceOptions) {
        super(expoVariableDefinition, name, args, opts);
    }
}
