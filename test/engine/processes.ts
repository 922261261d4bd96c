/**
 * What engine tests run besides the provider host: a compiled command in its own process (as CI
 * and users run it) and the compiled program as `pulumi up` loads it.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import type * as pulumi from "@pulumi/pulumi";

/** Runs a compiled script asynchronously: the emulators it calls answer from this process. */
export async function runScript(script: string, args: string[], options: { cwd: string; env: Record<string, string> }): Promise<{ status: number | null; out: string; err: string }> {
    const child = spawn(process.execPath, [script, ...args], { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const [status] = (await once(child, "close")) as [number | null];
    return { status, out, err };
}

/** The compiled program (index.ts), loaded afresh as each `pulumi up` runs it: its exported outputs. */
export function stackProgram(): pulumi.Output<unknown>[] {
    const entry = require.resolve("../../index");
    delete require.cache[entry];
    const exported = require(entry) as Record<string, unknown>;
    return Object.values(exported).filter((v): v is pulumi.Output<unknown> => v !== undefined && typeof (v as pulumi.Output<unknown>).apply === "function");
}
