/**
 * The files `pulumi` reads for a stack, read by the commands that work on a stack without the
 * engine (`sweep`, `adopt`): the project's name from Pulumi.yaml and the stack's non-secret
 * settings from Pulumi.<stack>.yaml.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { stackFileConfig, StackFileError } from "../stacks/blueprints";
import { validateStackConfig, type StackConfig } from "../stacks/config";
import { environmentFor, type Environment } from "../stacks/environment";
import { STACK_NAME, UsageError } from "./args";

/** A command refused before any API call (a prod stack, no settings, a file that is no stack file): printed alone, exit 1. */
export { StackFileError };

export interface StackFiles {
    project: string;
    settings: Record<string, unknown>;
    secretness: Record<string, boolean>;
}

/** The project's name and the stack's settings, read from the files `pulumi` reads. */
function readStackFiles(dir: string, stack: string): StackFiles {
    const projectFile = path.join(dir, "Pulumi.yaml");
    if (!existsSync(projectFile)) throw new StackFileError(`no Pulumi.yaml in ${dir}: run it from the project folder, or pass --dir`);
    const project = (yaml.load(readFileSync(projectFile, "utf8")) as { name?: unknown }).name;
    if (typeof project !== "string") throw new StackFileError(`${projectFile} has no project name`);
    const stackFile = path.join(dir, `Pulumi.${stack}.yaml`);
    if (!existsSync(stackFile)) throw new StackFileError(`no ${path.basename(stackFile)} in ${dir}: the stack's settings (which platforms, which URLs) are read from it`);
    const { settings, secretness } = stackFileConfig(readFileSync(stackFile, "utf8"), path.basename(stackFile));
    return { project, settings, secretness };
}

/** A stack as the stack commands (sweep, adopt, keys) open it: named by --stack, in --dir. */
export interface OpenedStack {
    stack: string;
    dir: string;
    files: StackFiles;
    env: Environment;
    /** The settings validated as `pulumi up` would, secrets set in `secretness` counted as present. */
    validate(secretness?: Record<string, boolean>): StackConfig;
}

/** Reads `--stack` and `--dir`, the stack's files and its environment; validation is the caller's to run when it should. */
export function openStack(values: { stack?: string; dir?: string }, cwd: string): OpenedStack {
    const stack = values.stack;
    if (!stack) throw new UsageError("--stack is required");
    if (!STACK_NAME.test(stack)) throw new UsageError(`--stack: "${stack}" is not a stack name (letters, digits, -, _ and .)`);
    const dir = path.resolve(cwd, values.dir ?? ".");
    const files = readStackFiles(dir, stack);
    const env = environmentFor(files.project, stack, typeof files.settings.environment === "string" ? files.settings.environment : undefined);
    return { stack, dir, files, env, validate: (secretness = {}) => validateStackConfig({ settings: files.settings, secretness: { ...files.secretness, ...secretness }, env: process.env }, env) };
}
