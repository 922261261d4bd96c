/**
 * What both function hosts share: each deployed function is a child process started from a
 * bootstrap, with its code written to a temporary directory whose `node_modules` links to this
 * project's (so nothing is downloaded). The bootstrap prints `stackwire-function-listening
 * <port>` once the function answers; requests are forwarded there. Children die with the host.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { DeployedCode, FunctionHost } from "./host";

interface Running {
    child: ChildProcess;
    port: number;
    dir: string;
    /** What the function printed (its log and error lines, and any crash). */
    output: string[];
}

/** Hop-by-hop headers a proxy never forwards. */
const HOP_BY_HOP = new Set(["host", "connection", "content-length", "transfer-encoding", "keep-alive"]);

/** This project's node_modules, where the functions' imports resolve. */
export function projectNodeModules(): string {
    return path.dirname(path.dirname(require.resolve("deno/package.json")));
}

export abstract class ProcessFunctionHost implements FunctionHost {
    private readonly running = new Map<string, Running>();
    private readonly killAll = () => {
        for (const r of this.running.values()) r.child.kill("SIGKILL");
    };

    /** The bootstrap's file name and text. */
    protected abstract readonly bootstrap: { file: string; text: string };

    /** Starts the child: `root` holds the code, `bootstrap` the bootstrap file. */
    protected abstract spawn(code: DeployedCode, root: string, bootstrap: string): ChildProcess;

    /** What a function printed so far. */
    output(name: string): string[] {
        return this.running.get(name)?.output ?? [];
    }

    async deploy(code: DeployedCode): Promise<void> {
        await this.remove(code.name);
        const dir = mkdtempSync(path.join(tmpdir(), `stackwire-fn-${code.name.replace(/[^\w.-]/g, "_")}-`));
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
        const bootstrap = path.join(dir, this.bootstrap.file);
        writeFileSync(bootstrap, this.bootstrap.text);
        const child = this.spawn(code, root, bootstrap);
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
