/** What the command-line tools share: flag parsing that names the bad flag, and one way to exit. */

/** Bad input on the command line: printed alone (with the usage), exit code 2. */
export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}

/** Pulumi's stack names: letters, digits, -, _ and . (an organisation/project prefix is not a file name). */
export const STACK_NAME = /^[A-Za-z0-9._-]{1,100}$/;

/** Where a command reads and writes: the tests pass their own. */
export interface CliIo {
    /** Relative paths are resolved from here. */
    cwd: string;
    /** The command's result (Mermaid text, the secrets to set). */
    out(text: string): void;
    /** Progress and problems. */
    err(text: string): void;
}

export const processIo = (): CliIo => ({ cwd: process.cwd(), out: (t) => process.stdout.write(`${t}\n`), err: (t) => process.stderr.write(`${t}\n`) });

/** Runs node:util's strict `parseArgs`: an unknown flag or a missing value becomes a UsageError naming it. */
export function flagsOrUsage<T>(parse: () => T): T {
    try {
        return parse();
    } catch (err) {
        throw new UsageError((err as Error).message);
    }
}

/** Runs a command as the process's main: usage errors and known input errors print their message alone. */
export function runMain(command: (argv: string[], io: CliIo) => Promise<unknown> | unknown, usage: string, quietErrors: (err: unknown) => boolean = () => false): void {
    const io = processIo();
    Promise.resolve()
        .then(() => command(process.argv.slice(2), io))
        .catch((err: unknown) => {
            if (err instanceof UsageError) {
                io.err(`${err.message}\n\n${usage}`);
                process.exitCode = 2;
            } else if (quietErrors(err)) {
                io.err((err as Error).message);
                process.exitCode = 1;
            } else throw err;
        });
}

/** Rows as aligned columns, the first row the heading. */
export function table(rows: string[][]): string {
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}
