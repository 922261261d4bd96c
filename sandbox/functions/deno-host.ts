/**
 * Runs Supabase Edge Functions under the real Deno runtime (the `deno` npm package's binary):
 * each deployed function is a child `deno run` whose bootstrap replaces `Deno.serve`, so the
 * function's own `Deno.serve(handler)` (how Supabase documents an Edge Function's index.ts)
 * listens on 127.0.0.1 on a port the system picks, then imports the entrypoint.
 *
 * The code is written to a temporary directory whose `node_modules` links to this project's, and
 * Deno runs with `--node-modules-dir=manual --cached-only`: `npm:` imports resolve from the
 * installed packages and nothing is downloaded. The function's environment is its own (the
 * platform's variables and its secrets) plus what Deno needs to run (PATH, HOME, DENO_DIR).
 * A child exits when its stdin closes, so it dies with the process that started it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import type { DeployedCode, FunctionHost } from "./host";

/** Runs in Deno before the function: `Deno.args` are the entrypoint's URL. */
const BOOTSTRAP = String.raw`
const serve = Deno.serve.bind(Deno);
let served = false;
Deno.serve = (...args) => {
    if (served) throw new Error("the function called Deno.serve twice");
    served = true;
    const handler = typeof args[0] === "function" ? args[0] : typeof args[1] === "function" ? args[1] : args[0]?.handler;
    const options = typeof args[0] === "object" && args[0] !== null ? args[0] : {};
    return serve({
        ...options,
        hostname: "127.0.0.1",
        port: 0,
        onListen: ({ port }) => console.log("stackwire-function-listening " + port),
    }, handler);
};
// The host holds our stdin open for as long as it runs: end of input means it is gone.
(async () => {
    for await (const _ of Deno.stdin.readable) { /* nothing is sent */ }
    Deno.exit(0);
})();
await import(Deno.args[0]);
if (!served) throw new Error("the function's entrypoint did not call Deno.serve");
`;

/** The Deno binary the `deno` package installs (node_modules/.bin/deno). */
export function denoBinary(): string {
    const pkg = require.resolve("deno/package.json");
    return path.join(path.dirname(path.dirname(pkg)), ".bin", "deno");
}

/** This project's node_modules, where the functions' `npm:` imports resolve. */
function projectNodeModules(): string {
    return path.dirname(path.dirname(require.resolve("deno/package.json")));
}

interface Running {
    child: ChildProcess;
    port: number;
    dir: string;
    /** What the function printed (console.log and console.error lines, and any crash). */
    output: string[];
}

const HOP_BY_HOP = new Set(["host", "connection", "content-length", "transfer-encoding", "keep-alive"]);
/** What Deno itself needs from the parent's environment; nothing else of the parent's leaks in. */
const DENO_NEEDS = ["PATH", "HOME", "DENO_DIR", "TMPDIR"];

export class DenoFunctionHost implements FunctionHost {
    private readonly running = new Map<string, Running>();
    private readonly killAll = () => {
        for (const r of this.running.values()) r.child.kill("SIGKILL");
    };

    /** What a function printed so far. */
    output(name: string): string[] {
        return this.running.get(name)?.output ?? [];
    }

    async deploy(code: DeployedCode): Promise<void> {
        await this.remove(code.name);
        const dir = mkdtempSync(path.join(tmpdir(), `stackwire-edge-${code.name.replace(/[^\w.-]/g, "_")}-`));
        try {
            this.running.set(code.name, await this.start(code, dir));
        } catch (err) {
            rmSync(dir, { recursive: true, force: true });
            throw err;
        }
        if (this.running.size === 1) process.once("exit", this.killAll);
    }

    private async start(code: DeployedCode, dir: string): Promise<Running> {
        const root = path.join(dir, "code");
        for (const [file, bytes] of code.files) {
            const target = path.resolve(root, file);
            if (!target.startsWith(root + path.sep)) throw new Error(`file ${file} lies outside the function's code`);
            mkdirSync(path.dirname(target), { recursive: true });
            writeFileSync(target, bytes);
        }
        symlinkSync(projectNodeModules(), path.join(root, "node_modules"), "dir");
        const bootstrap = path.join(dir, "bootstrap.mjs");
        writeFileSync(bootstrap, BOOTSTRAP);
        const inherited = Object.fromEntries(DENO_NEEDS.flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])));
        const child = spawn(
            denoBinary(),
            ["run", "--allow-net", "--allow-env", "--allow-read", "--node-modules-dir=manual", "--cached-only", "--no-prompt", "--quiet", bootstrap, pathToFileURL(path.join(root, code.entrypoint)).href],
            { cwd: root, env: { ...inherited, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1", ...code.env }, stdio: ["pipe", "pipe", "pipe"] },
        );
        const output: string[] = [];
        const port = await new Promise<number>((resolve, reject) => {
            let buffered = "";
            child.stdout!.on("data", (chunk: Buffer) => {
                buffered += chunk.toString("utf8");
                const lines = buffered.split("\n");
                buffered = lines.pop() ?? "";
                for (const line of lines) {
                    const listening = /^stackwire-function-listening (\d+)$/.exec(line);
                    if (listening) resolve(Number(listening[1]));
                    else output.push(line);
                }
            });
            child.stderr!.on("data", (chunk: Buffer) => output.push(...chunk.toString("utf8").split("\n").filter(Boolean)));
            child.once("error", reject);
            child.once("exit", (status) => reject(new Error(`function ${code.name} exited (${status}) before it listened: ${output.join("\n")}`)));
        });
        return { child, port, dir, output };
    }

    async invoke(name: string, request: { method: string; path: string; headers: Record<string, string>; body: Uint8Array }) {
        const running = this.running.get(name);
        if (!running) return undefined;
        const headers = Object.fromEntries(Object.entries(request.headers).filter(([k]) => !HOP_BY_HOP.has(k.toLowerCase())));
        const hasBody = !["GET", "HEAD"].includes(request.method.toUpperCase());
        const url = `http://127.0.0.1:${running.port}${request.path.startsWith("/") ? request.path : `/${request.path}`}`;
        const answer = await fetch(url, { method: request.method, headers, body: hasBody ? Buffer.from(request.body) : undefined });
        const responseHeaders: Record<string, string> = {};
        answer.headers.forEach((value, key) => {
            if (!HOP_BY_HOP.has(key)) responseHeaders[key] = value;
        });
        return { status: answer.status, headers: responseHeaders, body: new Uint8Array(await answer.arrayBuffer()) };
    }

    async remove(name: string): Promise<void> {
        const running = this.running.get(name);
        if (!running) return;
        this.running.delete(name);
        if (running.child.exitCode === null && running.child.signalCode === null) {
            const exited = new Promise<void>((resolve) => running.child.once("exit", () => resolve()));
            running.child.kill("SIGTERM");
            await exited;
        }
        rmSync(running.dir, { recursive: true, force: true });
        if (this.running.size === 0) process.off("exit", this.killAll);
    }

    async stop(): Promise<void> {
        await Promise.all([...this.running.keys()].map((name) => this.remove(name)));
    }
}
