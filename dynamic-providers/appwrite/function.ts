/**
 * Appwrite function with its code and variables, as one resource: the function (POST /functions),
 * its variables (secret, one call each) and a deployment of the code (a tar.gz, activated once it
 * builds). One resource rather than a Function and a Deployment kind because Appwrite hands a
 * function its variables when a deployment starts: a variable change must redeploy, and only a
 * resource that owns both can see that in its own diff (a separate deployment would need the
 * variables' values as an input of its own). The function id, project and endpoint replace;
 * everything else changes in place, and a change of code, entrypoint, runtime or variables makes
 * a new deployment, waited for until it is `ready` (its build log is the error when it fails;
 * the previous deployment stays active).
 *
 * `url` is the function's domain (a proxy rule, made in the console or with the Proxy API, given
 * as `domain`): what Appwrite serves the function at with the request's own method, headers and
 * raw body, so a Stripe webhook can call it. POST /functions/{id}/executions cannot stand in: it
 * takes a JSON envelope and an Appwrite session or key, which Stripe cannot send.
 *
 * A create whose answer was lost adopts the function at our id made within the lost-create window
 * with our name and runtime (`createOwn`). A 404 leaves the state only when the project's list of
 * functions, read with the same key, answers without it (places.ts).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { Models, ProjectKeyScopes, Runtime } from "node-appwrite";
import type { OperationContext, ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { pollUntil } from "../core/wait";
import { appwrite, appwriteCall, createOwn, differences, fetchOrGone, isConflict, NOT_FOUND, readOrGone, removeIfPresent, removeOrGone, type About } from "./client";
import { codeHash, packCode } from "./code-archive";
import { variableIdFor } from "./function-variable";
import { functionsOf } from "./places";
import { appwriteFunctionInputSchema, type AppwriteFunctionInputs } from "./schema";

export interface AppwriteFunctionState extends AppwriteFunctionInputs {
    /** `https://<domain>/`, or "" without a domain. */
    url: string;
    /** The deployment this resource made and activated. */
    deploymentId: string;
    /** sha256 of the code's archive. */
    codeHash: string;
}

/**
 * The code as the File class node-appwrite's client sends as a multipart file: undici's, resolved
 * from node-appwrite itself (the SDK recognises a file by that class, whichever copy of the SDK
 * was loaded).
 */
function codeFile(bytes: Uint8Array, name: string): File {
    const undici = require.resolve("undici", { paths: [require.resolve("node-appwrite")] });
    const { File: UndiciFile } = require(undici) as { File: typeof File };
    return new UndiciFile([bytes], name);
}

/** How long a build may take (Appwrite's own build timeout is 15 minutes). */
export const BUILD_TIMEOUT_MS = 15 * 60_000;

const fn = (id: string): About<{ $id: string }> => ({ kind: "function", id, idOf: (f) => f.$id, notFound: NOT_FOUND.function });
const deploymentAbout = (id: string): About<{ $id: string }> => ({ kind: "deployment", id, idOf: (d) => d.$id, notFound: NOT_FOUND.deployment });

const urlOf = (i: AppwriteFunctionInputs) => (i.domain ? `https://${i.domain}/` : "");

/** The settings PUT /functions/{id} takes; what it is not sent goes back to its default. */
const settings = (id: string, i: AppwriteFunctionInputs) => ({
    functionId: id,
    name: i.name,
    runtime: i.runtime as Runtime,
    execute: i.execute,
    scopes: i.scopes as ProjectKeyScopes[],
    timeout: i.timeout,
    entrypoint: i.entrypoint,
    commands: i.commands,
    enabled: true,
    logging: true,
});

export class DeploymentFailed extends Error {
    constructor(functionId: string, deploymentId: string, status: string, logs: string) {
        const message = `deployment ${deploymentId} of function ${functionId} ${status === "canceled" ? "was canceled" : "failed to build"}: ${logs.trim() || "Appwrite gave no build log"}`;
        super(message);
        this.message = message; // serialized Error subclasses lose super's message
        this.name = "DeploymentFailed";
    }
}

/**
 * Sets the function's variables to `wanted`: creates, updates and deletes one at a time. `known`
 * holds the values this stack last sent (secret variables never show theirs): a key whose value
 * is known to be equal is left alone.
 */
async function syncVariables(ctx: OperationContext, i: AppwriteFunctionInputs, functionId: string, wanted: Record<string, string>, known: Record<string, string>): Promise<void> {
    const { call, functions } = appwrite(ctx, i, `list variables of function ${functionId}`);
    const present = (await appwriteCall(ctx, call, () => functions.listVariables({ functionId }))).variables;
    for (const variable of present) {
        if (variable.key in wanted) continue;
        const { call: removal, functions: api } = appwrite(ctx, i, `delete variable ${variable.key} of function ${functionId}`);
        await removeIfPresent(ctx, removal, { kind: "variable", id: variable.$id, notFound: NOT_FOUND.variable }, () => api.deleteVariable({ functionId, variableId: variable.$id }));
    }
    for (const [key, value] of Object.entries(wanted)) {
        const found = present.find((v) => v.key === key);
        if (found && key in known && known[key] === value) continue;
        const update = async (variableId: string) => {
            const { call: write, functions: api } = appwrite(ctx, i, `set variable ${key} of function ${functionId}`);
            await appwriteCall(ctx, write, () => api.updateVariable({ functionId, variableId, key, value, secret: true }));
        };
        if (found) {
            await update(found.$id);
            continue;
        }
        const variableId = variableIdFor(key);
        const { call: write, functions: api } = appwrite(ctx, i, `create variable ${key} of function ${functionId}`);
        try {
            await appwriteCall(ctx, write, () => api.createVariable({ functionId, variableId, key, value, secret: true }));
        } catch (err) {
            // Our own create whose answer was lost: the function is ours, so is what is in it.
            if (!isConflict(err)) throw err;
            await update(variableId);
        }
    }
}

/** Waits for a deployment's build: `ready`, or its build log as the error. */
async function awaitBuild(ctx: OperationContext, i: AppwriteFunctionInputs, functionId: string, deploymentId: string): Promise<void> {
    const { value } = await pollUntil(
        async () => {
            const { call, functions } = appwrite(ctx, i, `read deployment ${deploymentId} of function ${functionId}`);
            const found = await fetchOrGone(ctx, call, deploymentAbout(deploymentId), () => functions.getDeployment({ functionId, deploymentId }));
            if (found === undefined) throw ctx.error(call, { status: 404, apiMessage: `deployment ${deploymentId} of function ${functionId} disappeared while it was building` });
            return ["ready", "failed", "canceled"].includes(found.status) ? found : undefined;
        },
        { what: `deployment ${deploymentId} of function ${functionId} to build`, timeoutMs: BUILD_TIMEOUT_MS, clock: ctx.clock, firstDelayMs: 1_000, intervalMs: 1_000, maxIntervalMs: 5_000 },
    );
    if (value.status !== "ready") throw new DeploymentFailed(functionId, deploymentId, value.status, value.buildLogs);
}

/**
 * Uploads the code as a new deployment and waits for its build, after which it is the active one.
 * A retried upload (its answer lost) may leave a second, identical deployment: harmless, since
 * both hold the same code.
 */
async function deploy(ctx: OperationContext, i: AppwriteFunctionInputs, functionId: string): Promise<string> {
    const { call, functions } = appwrite(ctx, i, `deploy code to function ${functionId}`);
    const code = codeFile(packCode(i.code), "code.tar.gz");
    const deployment: Models.Deployment = await appwriteCall(ctx, call, () => functions.createDeployment({ functionId, code, activate: true, entrypoint: i.entrypoint, ...(i.commands ? { commands: i.commands } : {}) }));
    // Appwrite makes a deployment sent with `activate` the function's own once it is built.
    await awaitBuild(ctx, i, functionId, deployment.$id);
    return deployment.$id;
}

const redeployNeeded = (olds: AppwriteFunctionState, news: AppwriteFunctionInputs) =>
    !olds.deploymentId || olds.codeHash !== codeHash(news.code) || olds.entrypoint !== news.entrypoint || (olds.commands ?? "") !== news.commands || olds.runtime !== news.runtime || differences(olds.variables ?? {}, news.variables) !== undefined || Object.keys(olds.variables ?? {}).length !== Object.keys(news.variables).length;

export const appwriteFunctionDefinition: ResourceDefinition<ReturnType<typeof appwriteFunctionInputSchema>, AppwriteFunctionState> = {
    module: "appwrite",
    type: "Function",
    unreadableInputs: ["code"],
    idFor: (i) => i.functionId,
    service: "appwrite",
    schema: appwriteFunctionInputSchema,
    replaceOnChanges: ["endpoint", "projectId", "functionId"],
    deleteBeforeReplace: true,
    secretInputs: ["variables"],
    outputs: ["url", "deploymentId", "codeHash"],

    async create(ctx, i) {
        const operation = `create function ${i.functionId}`;
        await createOwn(ctx, operation, `function ${i.functionId}`, {
            send: (call) => appwrite(ctx, i, operation, call).functions.create(settings(i.functionId, i)),
            read: () => {
                const { call, functions } = appwrite(ctx, i, `look for function ${i.functionId}`);
                return fetchOrGone(ctx, call, fn(i.functionId), () => functions.get({ functionId: i.functionId }));
            },
            createdAt: (f) => f.$createdAt,
            differs: (f) => differences(f, { name: i.name, runtime: i.runtime }),
        });
        let deploymentId: string;
        try {
            await syncVariables(ctx, i, i.functionId, i.variables, {});
            deploymentId = await deploy(ctx, i, i.functionId);
        } catch (err) {
            // Nothing half-made stays behind (variables or deployment): the next run creates the function again.
            const { call, functions } = appwrite(ctx, i, `delete function ${i.functionId} after its variables or first deployment failed`);
            await removeIfPresent(ctx, call, fn(i.functionId), () => functions.delete({ functionId: i.functionId })).catch(() => undefined);
            throw err;
        }
        return { id: appwriteFunctionDefinition.idFor!(i), outs: { ...i, url: urlOf(i), deploymentId, codeHash: codeHash(i.code) } };
    },
    async read(ctx, id, state) {
        const { call, functions } = appwrite(ctx, state, `read function ${id}`);
        const found = await readOrGone(ctx, call, fn(id), functionsOf(ctx, state, id, true), () => functions.get({ functionId: id }));
        if (!found) return undefined;
        // The function answers with its variables (`vars`): one call.
        const present = found.vars;
        // Secret values never show: a key still there keeps the value we sent; one added out of band shows as "".
        const variables = Object.fromEntries(present.map((v) => [v.key, v.key in (state.variables ?? {}) ? state.variables[v.key] : v.secret ? "" : v.value]));
        return {
            ...state,
            name: found.name,
            runtime: found.runtime,
            execute: found.execute,
            scopes: [...found.scopes].sort(),
            timeout: found.timeout,
            entrypoint: found.entrypoint,
            variables,
            // Another deployment active means the code running is not ours: shown as no code, so the next up deploys ours again.
            code: found.deploymentId === state.deploymentId ? state.code : {},
            // ... and no hash of ours, so that up's update sees code to deploy rather than ours already live.
            codeHash: found.deploymentId === state.deploymentId ? state.codeHash : "",
            deploymentId: found.deploymentId,
        };
    },
    async update(ctx, id, olds, news) {
        if (differences(olds as never, { name: news.name, runtime: news.runtime, execute: news.execute, scopes: news.scopes, timeout: news.timeout, entrypoint: news.entrypoint, commands: news.commands }) !== undefined) {
            const { call, functions } = appwrite(ctx, news, `update function ${id}`);
            await appwriteCall(ctx, call, () => functions.update(settings(id, news)));
        }
        await syncVariables(ctx, news, id, news.variables, olds.variables ?? {});
        const deploymentId = redeployNeeded(olds, news) ? await deploy(ctx, news, id) : olds.deploymentId;
        return { ...news, url: urlOf(news), deploymentId, codeHash: codeHash(news.code) };
    },
    async delete(ctx, id, state) {
        const { call, functions } = appwrite(ctx, state, `delete function ${id}`);
        await removeOrGone(ctx, call, fn(id), functionsOf(ctx, state, id, true), () => functions.delete({ functionId: id }));
    },
};

/** `code` maps paths to file text; `variables` are secret; `domain` gives the function its `url`. */
export type AppwriteFunctionArgs = ResourceArgs<ReturnType<typeof appwriteFunctionInputSchema>>;

export class AppwriteFunction extends DynamicResource<ReturnType<typeof appwriteFunctionInputSchema>, AppwriteFunctionState> {
    declare readonly functionId: pulumi.Output<string>;
    /** Where the function answers HTTP: a Stripe webhook endpoint points here. */
    declare readonly url: pulumi.Output<string>;
    declare readonly deploymentId: pulumi.Output<string>;
    declare readonly codeHash: pulumi.Output<string>;
    constructor(name: string, args: AppwriteFunctionArgs, opts?: pulumi.CustomResourceOptions) {
        super(appwriteFunctionDefinition, name, args, opts);
    }
}
