/**
 * `npm run new -- --blueprint saas --stack dev [--dir .] [--force] [--environment <kind>]`:
 * writes `Pulumi.<stack>.yaml` from a blueprint and prints what is left to do: the placeholders
 * to fill in and the `pulumi config set --secret` line of every secret its sections need.
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { BLUEPRINTS, BLUEPRINT_NAMES, blueprintSettings, blueprintText, isBlueprint, PLACEHOLDERS, placeholdersOf, secretsToSet, type BlueprintName, type SecretToSet } from "../stacks/blueprints";
import { EnvironmentError, environmentFor } from "../stacks/environment";
import { flagsOrUsage, runMain, STACK_NAME, UsageError, type CliIo } from "./args";

export const NEW_USAGE = `Usage: npm run new -- --blueprint <name> --stack <name> [--dir <folder>] [--force] [--environment <kind>]

  --blueprint <name>    ${BLUEPRINT_NAMES.map((b) => `${b} (${BLUEPRINTS[b]})`).join("\n                        ")}
  --stack <name>        the stack: writes Pulumi.<name>.yaml
  --dir <folder>        where to write it (default: the project folder)
  --force               overwrite an existing stack file
  --environment <kind>  dev, staging, prod, preview or local, for a stack not named after one`;

const ENVIRONMENTS = ["dev", "staging", "prod", "preview", "local"];

export interface NewResult {
    file: string;
    blueprint: BlueprintName;
    placeholders: string[];
    secrets: SecretToSet[];
}

/** The blueprint as the stack's file: a line saying where it came from, and the environment when given. */
function stackFileText(blueprint: BlueprintName, stack: string, environment: string | undefined): string {
    const origin = `# Written by \`npm run new -- --blueprint ${blueprint} --stack ${stack}\`.\n`;
    const text = blueprintText(blueprint);
    return origin + (environment ? text.replace(/^config:\n/m, `config:\n  stackwire:environment: ${environment}\n`) : text);
}

function instructions(result: NewResult, stack: string, cwd: string): string {
    const lines = [`Wrote ${path.relative(cwd, result.file) || result.file} from the ${result.blueprint} blueprint (${BLUEPRINTS[result.blueprint]}).`, ""];
    const width = Math.max(...result.placeholders.map((p) => p.length));
    lines.push("1. Replace the placeholders in it:");
    for (const p of result.placeholders) lines.push(`     ${p.padEnd(width)}  ${PLACEHOLDERS[p] ?? "see the comment beside it"}`);
    lines.push("", `2. Set the secrets (pulumi stack init ${stack} first, if the stack is new):`);
    const command = (s: SecretToSet) => `pulumi config set --stack ${stack} --secret ${s.args}`;
    const commandWidth = Math.max(...result.secrets.map((s) => command(s).length));
    const line = (s: SecretToSet) => `     ${command(s).padEnd(commandWidth)}  # ${s.label}${s.envVars.length > 0 ? `, or set ${s.envVars.join(" / ")}` : ""}`;
    lines.push(...result.secrets.filter((s) => !s.optional).map(line));
    const optional = result.secrets.filter((s) => s.optional);
    if (optional.length > 0) lines.push("   Only if your server needs them:", ...optional.map(line));
    lines.push("", `3. Look at it: npm run graph -- --stack ${stack}; then: pulumi preview --stack ${stack}`);
    return lines.join("\n");
}

export function newCommand(argv: string[], io: CliIo): NewResult {
    const { values: flags } = flagsOrUsage(() =>
        parseArgs({
            args: argv,
            strict: true,
            options: {
                blueprint: { type: "string" },
                stack: { type: "string" },
                dir: { type: "string", default: "." },
                force: { type: "boolean", default: false },
                environment: { type: "string" },
            },
        }),
    );
    const { blueprint, stack, environment } = flags;
    if (blueprint === undefined) throw new UsageError(`--blueprint: required, one of ${BLUEPRINT_NAMES.join(", ")}`);
    if (!isBlueprint(blueprint)) throw new UsageError(`--blueprint: there is no blueprint "${blueprint}" (known: ${BLUEPRINT_NAMES.join(", ")})`);
    if (stack === undefined) throw new UsageError("--stack: required, the stack's name (dev, staging, prod, pr-<n>, …)");
    if (!STACK_NAME.test(stack)) throw new UsageError(`--stack: "${stack}" is not a stack name (letters, digits, - _ . only)`);
    if (environment !== undefined && !ENVIRONMENTS.includes(environment)) throw new UsageError(`--environment: must be one of ${ENVIRONMENTS.join(", ")} (received "${environment}")`);
    try {
        environmentFor("stackwire", stack, environment);
    } catch (err) {
        if (!(err instanceof EnvironmentError)) throw err;
        throw new UsageError(`--stack: ${err.message.replace(/ \(or set stackwire:environment .*\)$/, "")}, or pass --environment <kind>`);
    }

    const file = path.resolve(io.cwd, flags.dir, `Pulumi.${stack}.yaml`);
    try {
        // "wx" refuses an existing file in the same call that writes: no window between check and write.
        writeFileSync(file, stackFileText(blueprint, stack, environment), { flag: flags.force ? "w" : "wx" });
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "EEXIST") throw new UsageError(`${path.relative(io.cwd, file) || file} exists: pass --force to overwrite it`);
        if (code === "ENOENT") throw new UsageError(`--dir: there is no folder ${flags.dir}`);
        throw err;
    }
    const settings = blueprintSettings(blueprint);
    const result: NewResult = { file, blueprint, placeholders: placeholdersOf(settings), secrets: secretsToSet(settings) };
    io.out(instructions(result, stack, io.cwd));
    return result;
}

if (require.main === module) runMain(newCommand, NEW_USAGE);
