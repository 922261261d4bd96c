/**
 * `npm run adopt -- --stack dev [--services stripe,trello] [--match <regex>] [--dry-run] [--dir <folder>]`:
 * reads what each configured platform already holds, with the stack's credentials, shows it as a
 * table, and writes it into `Pulumi.<stack>.yaml` with `adopt` markers, comments kept, so the
 * first `pulumi up` takes every object over and changes nothing.
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { parseDocument } from "yaml";
import { validateStackConfig } from "../stacks/config";
import { DISCOVERERS, discover, type Discovery } from "../stacks/adopt";
import { environmentFor } from "../stacks/environment";
import { flagsOrUsage, runMain, STACK_NAME, UsageError, type CliIo } from "./args";
import { readStackFiles, StackFileError } from "./stack-files";

export const ADOPT_USAGE = `Usage: npm run adopt -- --stack <name> [--services <a,b>] [--match <regex>] [--dry-run] [--dir <folder>]

  --stack <name>       the stack whose Pulumi.<name>.yaml receives what is found
  --services <a,b>     only these (${Object.keys(DISCOVERERS).join(", ")}); default: every configured one
  --match <regex>      only objects whose name matches
  --dry-run            show what was found, write nothing
  --dir <folder>       the project folder (default: here)`;

export interface AdoptResult extends Discovery {
    /** The stack file written, unless --dry-run. */
    file?: string;
    adopted: number;
}

function table(rows: string[][]): string {
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}

/** Adds each found object under its section in the stack file, keeping the file's comments and everything else in it. */
function writeInto(file: string, sections: Discovery["sections"]): void {
    const doc = parseDocument(readFileSync(file, "utf8"));
    for (const [service, section] of Object.entries(sections)) {
        for (const [collection, objects] of Object.entries(section)) {
            for (const [logical, value] of Object.entries(objects as Record<string, unknown>)) doc.setIn(["config", `stackwire:${service}`, collection, logical], doc.createNode(value));
        }
    }
    writeFileSync(file, doc.toString({ lineWidth: 0 }));
}

export async function adoptCommand(argv: string[], io: CliIo): Promise<AdoptResult> {
    const { values } = flagsOrUsage(() =>
        parseArgs({ args: argv, options: { stack: { type: "string" }, services: { type: "string" }, match: { type: "string" }, "dry-run": { type: "boolean" }, dir: { type: "string" } }, strict: true, allowPositionals: false }),
    );
    const stack = values.stack;
    if (!stack) throw new UsageError("--stack is required");
    if (!STACK_NAME.test(stack)) throw new UsageError(`--stack: "${stack}" is not a stack name (letters, digits, -, _ and .)`);
    let match: RegExp | undefined;
    try {
        match = values.match ? new RegExp(values.match) : undefined;
    } catch (err) {
        throw new UsageError(`--match: ${(err as Error).message}`);
    }
    const dir = path.resolve(io.cwd, values.dir ?? ".");
    const files = readStackFiles(dir, stack);
    const env = environmentFor(files.project, stack, typeof files.settings.environment === "string" ? files.settings.environment : undefined);
    const config = validateStackConfig({ settings: files.settings, secretness: files.secretness, env: process.env }, env);
    const services = values.services?.split(",").map((s) => s.trim()).filter(Boolean);
    if (!services && !Object.keys(DISCOVERERS).some((s) => (config.settings as Record<string, unknown>)[s] !== undefined)) {
        throw new StackFileError(`Pulumi.${stack}.yaml configures none of the services adopt reads (${Object.keys(DISCOVERERS).join(", ")}): add a section with its URL first`);
    }

    const discovery = await discover({
        env,
        settings: config.settings,
        ...(services ? { services } : {}),
        ...(match ? { match } : {}),
        progress: (service, what, count) => io.err(`  ${service}: ${count} ${what} read`),
    }).catch((err: Error) => {
        throw new StackFileError(err.message);
    });
    const adopted = discovery.found.filter((f) => !f.skipped).length;
    if (discovery.found.length > 0) io.out(table([["SERVICE", "KIND", "ID", "NAME", "CONFIG"], ...discovery.found.map((f) => [f.service, f.kind, f.id, f.name, f.placed])]));
    io.out(`\n${adopted} object${adopted === 1 ? "" : "s"} to adopt, ${discovery.found.length - adopted} skipped.`);
    for (const setting of discovery.toProvide) io.out(`To provide or rotate (cannot be read back): ${setting}`);
    const result: AdoptResult = { ...discovery, adopted };
    if (values["dry-run"] || adopted === 0) return result;
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    writeInto(file, discovery.sections);
    io.out(`Wrote them into ${path.relative(io.cwd, file) || file} with adopt markers. \`pulumi preview\` shows them as creates: the first \`pulumi up\` reads each one and changes only what the config says differently (nothing, as written). Adopted objects are kept when the stack is destroyed; set adopt: { id, deleteWithStack: true } to change that.`);
    return { ...result, file };
}

if (require.main === module) runMain(adoptCommand, ADOPT_USAGE, (err) => err instanceof StackFileError || (err as Error).name === "StackConfigError" || (err as Error).name === "EnvironmentError");
