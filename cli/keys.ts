/**
 * `npm run keys -- check --stack <name> [--dir <folder>]`: one read-only call per declared platform
 * key, all platforms at once, with a progress line per platform and a table of platform, key,
 * valid or why not, mode and scopes. Never prints a value. The keys are the stack's
 * `platformKeys` secret (read with `pulumi config get`), or STACKWIRE_PLATFORM_KEYS (JSON) where
 * the Pulumi CLI is not at hand. Exits 1 when a key is invalid.
 */
import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";
import type { KeyValues } from "../components/keys/platform-keys";
import { checkKeys, CHECKED_PLATFORMS, type KeyCheck } from "../stacks/keys-check";
import { platformKeysSchema } from "../stacks/services/keys";
import { flagsOrUsage, runMain, table, UsageError, type CliIo } from "./args";
import { openStack, StackFileError } from "./stack-files";

export const KEYS_USAGE = `Usage: npm run keys -- check --stack <name> [--dir <folder>]

  check            one read-only call per key in the stack's platformKeys (${CHECKED_PLATFORMS.join(", ")});
                   the other platforms' keys are checked for their format
  --stack <name>   the stack whose keys to check
  --dir <folder>   the project folder (default: here)`;

/** The stack's platformKeys: the environment's JSON, else the Pulumi CLI's decrypted config. */
function readKeys(stack: string, dir: string): KeyValues {
    const text =
        process.env.STACKWIRE_PLATFORM_KEYS ??
        (() => {
            try {
                return execFileSync("pulumi", ["config", "get", "platformKeys", "--stack", stack], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
            } catch (err) {
                const e = err as NodeJS.ErrnoException & { stderr?: string };
                if (e.code === "ENOENT") throw new StackFileError("reading platformKeys needs the Pulumi CLI (`pulumi config get`), or STACKWIRE_PLATFORM_KEYS set to their JSON");
                // A stack whose every consumed key it makes itself has no platformKeys.
                if (/not found/i.test(e.stderr ?? "") && /platformKeys/.test(e.stderr ?? "")) return "{}";
                throw new StackFileError(`pulumi config get platformKeys --stack ${stack} failed: ${(e.stderr ?? e.message).trim()}`);
            }
        })();
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        throw new StackFileError("platformKeys is not JSON ({platform: {field: value}})");
    }
    const checked = platformKeysSchema().safeParse(parsed);
    // The format's problems name the field and the rule, never the value.
    if (!checked.success) throw new StackFileError(`platformKeys: ${checked.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    return checked.data as KeyValues;
}

const elapsed = (ms: number) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);

export async function keysCommand(argv: string[], io: CliIo): Promise<KeyCheck[]> {
    const { values, positionals } = flagsOrUsage(() => parseArgs({ args: argv, options: { stack: { type: "string" }, dir: { type: "string" } }, strict: true, allowPositionals: true }));
    if (positionals[0] !== "check" || positionals.length > 1) throw new UsageError(`the command is "check" (received ${positionals.length > 0 ? `"${positionals.join(" ")}"` : "none"})`);
    const { stack, dir, env, validate } = openStack(values, io.cwd);
    // The keys are handed over as if platformKeys were set, so the config's own checks do not ask for them.
    const config = validate({ platformKeys: true });
    const keys = readKeys(stack, dir);
    const started = Date.now();
    const results = await checkKeys(keys, config.settings, env, (platform) => io.err(`  ${platform} checked`));
    io.out(table([["PLATFORM", "KEY", "RESULT", "MODE", "SCOPES", "WHY"], ...results.map((r) => [r.platform, r.key, r.result, r.mode ?? "", (r.scopes ?? []).join(" "), r.why ?? ""])]));
    const invalid = results.filter((r) => r.result === "invalid").length;
    io.out(`\n${results.length} keys: ${results.filter((r) => r.result === "valid").length} valid, ${invalid} invalid, ${results.filter((r) => r.result === "not checked").length} not checked, in ${elapsed(Date.now() - started)}.`);
    if (invalid > 0) process.exitCode = 1;
    return results;
}

if (require.main === module) runMain(keysCommand, KEYS_USAGE, (err) => err instanceof StackFileError || (err as Error).name === "StackConfigError" || (err as Error).name === "EnvironmentError");
