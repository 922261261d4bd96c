/**
 * `npm run sweep -- --stack pr-12 [--yes | --dry-run] [--state <export.json>] [--dir <folder>]`:
 * finds objects on the platforms marked as owned by the stack that its state does not track (a
 * cancelled run, a failed destroy, a stack removed by force), lists them, and deletes them after
 * confirmation (`--yes` for CI). The stack's settings come from `Pulumi.<stack>.yaml`, its
 * credentials from the environment as `pulumi up` reads them, its state from
 * `pulumi stack export` (none when the stack was removed). A prod stack is never swept.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { adoptedIds } from "../stacks/config";
import { findOwned, trackedIds, UNMARKED, type Found } from "../stacks/sweep";
import { flagsOrUsage, runMain, table, UsageError, type CliIo } from "./args";
import { openStack, StackFileError } from "./stack-files";

export const SWEEP_USAGE = `Usage: npm run sweep -- --stack <name> [--yes | --dry-run] [--state <file>] [--dir <folder>]

  --stack <name>   the stack whose leftovers to find (never a prod stack)
  --yes            delete without asking (CI)
  --dry-run        list only
  --state <file>   the stack's state as \`pulumi stack export\` writes it (default: run it)
  --dir <folder>   the project folder with Pulumi.yaml and Pulumi.<stack>.yaml (default: here)`;


export interface SweepResult {
    /** Left over: marked as the stack's, not tracked by its state. */
    leftovers: Found[];
    /** Marked as the stack's and tracked: left alone. */
    tracked: number;
    deleted: string[];
    failed: { id: string; reason: string }[];
    unreachable: { platform: string; reason: string }[];
}

/**
 * The stack's state: the file given, else `pulumi stack export`; undefined only when Pulumi says
 * exactly that the stack does not exist (a wrong backend or a refused token is an error, never
 * "no state", which would make everything the stack marked look left over).
 */
function readState(env: { project: string; stack: string }, dir: string, stateFile: string | undefined): unknown {
    let exported: unknown;
    if (stateFile) exported = JSON.parse(readFileSync(path.resolve(dir, stateFile), "utf8"));
    else {
        try {
            exported = JSON.parse(execFileSync("pulumi", ["stack", "export", "--stack", env.stack], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
        } catch (err) {
            const e = err as NodeJS.ErrnoException & { stderr?: string };
            if (e.code === "ENOENT") throw new StackFileError("reading the stack's state needs the Pulumi CLI (`pulumi stack export`): install it, or pass --state <file> with its output");
            if (new RegExp(`no stack named '${env.stack.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}' found`, "i").test(e.stderr ?? "")) return undefined;
            throw new StackFileError(`pulumi stack export --stack ${env.stack} failed: ${(e.stderr ?? e.message).trim()}`);
        }
    }
    // An export of this stack, or nothing: a checkpoint of another shape, or another stack's, would hide what it tracks.
    const resources = (exported as { deployment?: { resources?: unknown } } | undefined)?.deployment?.resources;
    if (!Array.isArray(resources)) throw new StackFileError("the state has no deployment.resources list: give the output of `pulumi stack export`");
    const prefix = `urn:pulumi:${env.stack}::${env.project}::`;
    const foreign = resources.find((r) => typeof (r as { urn?: unknown }).urn !== "string" || !(r as { urn: string }).urn.startsWith(prefix)) as { urn?: unknown } | undefined;
    if (foreign) throw new StackFileError(`the state is not stack ${env.stack}'s of project ${env.project}: it holds ${String(foreign.urn)}`);
    return exported;
}

/** The other stacks of the project (`pulumi stack ls`), when the CLI is there: their names decide whose a name prefix is. */
function otherStacks(dir: string, stack: string): string[] {
    try {
        const listed = JSON.parse(execFileSync("pulumi", ["stack", "ls", "--json"], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })) as { name: string }[];
        return listed.map((s) => s.name.split("/").pop()!).filter((name) => name !== stack);
    } catch {
        return [];
    }
}

async function askOnTerminal(question: string): Promise<boolean> {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
        return /^y(es)?$/i.test((await rl.question(question)).trim());
    } finally {
        rl.close();
    }
}

export async function sweepCommand(argv: string[], io: CliIo, confirm: ((question: string) => Promise<boolean>) | undefined = process.stdin.isTTY ? askOnTerminal : undefined): Promise<SweepResult> {
    const { values } = flagsOrUsage(() =>
        parseArgs({ args: argv, options: { stack: { type: "string" }, yes: { type: "boolean" }, "dry-run": { type: "boolean" }, state: { type: "string" }, dir: { type: "string" } }, strict: true, allowPositionals: false }),
    );
    if (values.yes && values["dry-run"]) throw new UsageError("--yes and --dry-run: choose one");
    const { stack, dir, env, validate } = openStack(values, io.cwd);
    if (env.kind === "prod") throw new StackFileError(`stack "${stack}" is a prod stack: a sweep deletes what the state does not track, and prod is never swept`);
    const config = validate();

    // The platforms first, the state after: an object a running up makes in between is then tracked, never swept.
    const { found, unreachable } = await findOwned({ env, settings: config.settings, otherStacks: otherStacks(dir, stack) }, (platform, step, count) => {
        if (step === "looking") io.err(`  looking at ${platform}…`);
        else if (step === "done") io.err(`  ${platform}: ${count} marked as ${stack}'s`);
        else io.err(`  ${platform}: could not look`);
    });
    const state = readState(env, dir, values.state);
    // Adopted objects predate the stack and outlive it: never swept, whatever their name now.
    const tracked = new Set([...trackedIds(state), ...adoptedIds(config.settings).map((a) => a.id)]);
    io.err(state === undefined ? `Stack ${stack} has no state (removed): everything marked as its own is left over.` : `Stack ${stack}'s state tracks ${tracked.size} resources.`);
    const leftovers = found.filter((o) => !tracked.has(o.id));
    const result: SweepResult = { leftovers, tracked: found.length - leftovers.length, deleted: [], failed: [], unreachable };
    for (const u of unreachable) io.err(`${u.platform} could not be read: ${u.reason}`);

    if (leftovers.length === 0) {
        io.out(`Nothing left over by stack ${stack}${result.tracked ? ` (${result.tracked} marked objects are tracked by its state and left alone)` : ""}.`);
    } else {
        io.out(table([["PLATFORM", "KIND", "ID", "NAME", "MARKED BY"], ...leftovers.map((o) => [o.platform, o.kind, o.id, o.label, o.mark])]));
        io.out(`\n${leftovers.length} object${leftovers.length === 1 ? "" : "s"} marked as stack ${stack}'s that its state does not track${result.tracked ? `; ${result.tracked} tracked, left alone` : ""}.`);
    }
    io.out(`Never swept (nowhere to carry a mark): ${UNMARKED.join("; ")}.`);
    if (leftovers.length === 0 || values["dry-run"]) return finish(result);

    if (!values.yes) {
        if (!confirm) throw new UsageError("deleting needs a confirmation: run in a terminal, or pass --yes (CI) or --dry-run");
        if (!(await confirm(`Delete these ${leftovers.length} objects? [y/N] `))) {
            io.out("Nothing deleted.");
            return finish(result);
        }
    }
    for (const [i, o] of leftovers.entries()) {
        try {
            await o.remove();
            result.deleted.push(o.id);
            io.err(`  [${i + 1}/${leftovers.length}] deleted ${o.platform} ${o.kind} ${o.id}`);
        } catch (err) {
            result.failed.push({ id: o.id, reason: (err as Error).message });
            io.err(`  [${i + 1}/${leftovers.length}] ${o.platform} ${o.kind} ${o.id} was not deleted: ${(err as Error).message}`);
        }
    }
    io.out(`Deleted ${result.deleted.length} of ${leftovers.length}.`);
    return finish(result);
}

/** A sweep that could not see or delete everything exits non-zero, so CI shows it. */
function finish(result: SweepResult): SweepResult {
    if (result.failed.length > 0 || result.unreachable.length > 0) process.exitCode = 1;
    return result;
}

if (require.main === module) runMain(sweepCommand, SWEEP_USAGE, (err) => err instanceof StackFileError || (err as Error).name === "StackConfigError" || (err as Error).name === "EnvironmentError");
