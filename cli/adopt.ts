/**
 * `npm run adopt -- --stack dev [--services stripe,trello] [--match <regex>] [--dry-run] [--dir <folder>]`:
 * reads what each configured platform already holds, with the stack's credentials, shows it as a
 * table, and writes it into `Pulumi.<stack>.yaml` with `adopt` markers, comments kept, so the
 * first `pulumi up` takes every object over and changes nothing.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import * as yaml from "js-yaml";
import { Document, isMap, isScalar, parseDocument } from "yaml";
import { adoptedIds } from "../stacks/config";
import { DISCOVERERS, discover, type Discovery } from "../stacks/adopt";
import { flagsOrUsage, runMain, table, UsageError, type CliIo } from "./args";
import { openStack, StackFileError } from "./stack-files";

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

/**
 * Adds each found object under its section in the stack file. Only the `stackwire:<service>`
 * sections that receive objects are rewritten (their comments kept); every other byte of the file
 * stays as it was, since a YAML library would respell values it never touched (`0777`, `1e3`).
 * Checked before writing: every setting the file had reads the same after. Written atomically.
 */
function writeInto(file: string, sections: Discovery["sections"]): void {
    const text = readFileSync(file, "utf8");
    const doc = parseDocument(text);
    const config = doc.get("config", true);
    if (!isMap(config) || config.flow || !config.range) throw new StackFileError(`${path.basename(file)}: its config is not a block mapping; add the objects by hand (--dry-run prints them)`);
    const indentAt = (offset: number) => offset - text.lastIndexOf("\n", offset - 1) - 1;
    const childIndent = config.items.length > 0 && isScalar(config.items[0].key) && config.items[0].key.range ? indentAt(config.items[0].key.range[0]) : 2;
    const render = (node: unknown, indent: number) =>
        new Document(node)
            .toString({ lineWidth: 0 })
            .replace(/\n$/, "")
            .split("\n")
            .map((line, i) => (i === 0 || line === "" ? line : " ".repeat(indent) + line))
            .join("\n");
    const edits: { start: number; end: number; text: string }[] = [];
    const appended: string[] = [];
    for (const [service, section] of Object.entries(sections)) {
        const key = `stackwire:${service}`;
        const additions = Object.entries(section).flatMap(([collection, objects]) => Object.entries(objects as Record<string, unknown>).map(([logical, value]) => [collection, logical, value] as const));
        if (additions.length === 0) continue;
        for (const [collection, logical, value] of additions) doc.setIn(["config", key, collection, logical], doc.createNode(value));
        const pair = config.items.find((p) => isScalar(p.key) && p.key.value === key);
        const node = doc.getIn(["config", key], true);
        if (pair && isMap(pair.value) && !pair.value.flow && pair.value.range && pair.value.items.length > 0) {
            const [start, , end] = pair.value.range;
            edits.push({ start, end, text: `${render(node, indentAt(start))}\n` });
        } else if (pair) {
            throw new StackFileError(`${path.basename(file)}: ${key} is not a block mapping; add the objects by hand (--dry-run prints them)`);
        } else {
            appended.push(`${" ".repeat(childIndent)}${key}:\n${" ".repeat(childIndent + 2)}${render(node, childIndent + 2)}\n`);
        }
    }
    const end = config.range[2];
    let next = text;
    for (const e of [...edits, { start: end, end, text: `${end > 0 && text[end - 1] !== "\n" ? "\n" : ""}${appended.join("")}` }].sort((a, b) => b.start - a.start)) next = next.slice(0, e.start) + e.text + next.slice(e.end);

    // Nothing the file said may read differently now: every earlier setting, inside and outside stackwire's sections.
    const before = (yaml.load(text) as { config?: Record<string, unknown> }).config ?? {};
    const after = (yaml.load(next) as { config?: Record<string, unknown> }).config ?? {};
    const kept = (was: unknown, now: unknown): boolean =>
        was !== null && typeof was === "object" && !Array.isArray(was) && now !== null && typeof now === "object" ? Object.entries(was).every(([k, v]) => kept(v, (now as Record<string, unknown>)[k])) : JSON.stringify(was) === JSON.stringify(now);
    if (!kept(before, after)) throw new StackFileError(`${path.basename(file)} could not take the objects without changing what it already says; nothing was written (--dry-run prints them to add by hand)`);
    const temporary = `${file}.adopt-${process.pid}`;
    writeFileSync(temporary, next);
    renameSync(temporary, file);
}

export async function adoptCommand(argv: string[], io: CliIo): Promise<AdoptResult> {
    const { values } = flagsOrUsage(() =>
        parseArgs({ args: argv, options: { stack: { type: "string" }, services: { type: "string" }, match: { type: "string" }, "dry-run": { type: "boolean" }, dir: { type: "string" } }, strict: true, allowPositionals: false }),
    );
    const { stack, dir, env, validate } = openStack(values, io.cwd);
    let match: RegExp | undefined;
    try {
        match = values.match ? new RegExp(values.match) : undefined;
    } catch (err) {
        throw new UsageError(`--match: ${(err as Error).message}`);
    }
    const config = validate();
    const services = values.services?.split(",").map((s) => s.trim()).filter(Boolean);
    if (!services && !Object.keys(DISCOVERERS).some((s) => (config.settings as Record<string, unknown>)[s] !== undefined)) {
        throw new StackFileError(`Pulumi.${stack}.yaml configures none of the services adopt reads (${Object.keys(DISCOVERERS).join(", ")}): add a section with its URL first`);
    }

    const discovery = await discover({
        env,
        settings: config.settings,
        alreadyAdopted: new Set(adoptedIds(config.settings).map((a) => a.id)),
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
