/**
 * Runs Appwrite functions written for the Node runtime (open-runtimes v5, what Appwrite's node-*
 * runtimes run): each deployed function is a child `node` process serving HTTP on a free port,
 * whose bootstrap imports the entrypoint and calls its default export with Appwrite's context:
 * `req` (bodyRaw, bodyText, bodyJson, bodyBinary, headers, method, path, query, url, …), `res`
 * (text, json, send, binary, empty, redirect, each with a status and headers), `log` and `error`.
 *
 * The code is written to a temporary directory whose `node_modules` links to this project's, so
 * the function's imports (stripe, node-appwrite) resolve with nothing downloaded.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { DeployedCode, FunctionHost } from "./host";

/** The runtime's side of the contract, in plain Node (open-runtimes/open-runtimes runtimes/node/versions/latest/src/server.js, v5). */
const BOOTSTRAP = String.raw`
import http from "node:http";
import { pathToFileURL } from "node:url";

const module = await import(pathToFileURL(process.env.STACKWIRE_ENTRYPOINT).href);
const handler = typeof module.default === "function" ? module.default : module;

function response(body, statusCode = 200, headers = {}) {
    return { body: Buffer.isBuffer(body) ? body : Buffer.from(body instanceof Uint8Array ? body : String(body)), statusCode, headers };
}

const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const bodyBinary = Buffer.concat(chunks);
    const url = new URL(req.url ?? "/", "http://" + (req.headers.host ?? "localhost"));
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(", ") : String(v)]));
    const logs = [];
    const errors = [];
    const text = bodyBinary.toString("utf8");
    const context = {
        req: {
            bodyBinary,
            bodyRaw: text,
            bodyText: text,
            get bodyJson() { return JSON.parse(text); },
            get body() { return (headers["content-type"] ?? "").includes("application/json") && text ? JSON.parse(text) : text; },
            headers,
            method: req.method,
            host: url.hostname,
            scheme: headers["x-forwarded-proto"] ?? "http",
            query: Object.fromEntries(url.searchParams),
            queryString: url.search.replace(/^\?/, ""),
            port: Number(url.port || 80),
            url: url.href,
            path: url.pathname,
        },
        res: {
            text: (body, statusCode, headers) => response(body, statusCode, headers),
            send: (body, statusCode, headers) => response(body, statusCode, headers),
            binary: (bytes, statusCode, headers) => response(bytes, statusCode, headers),
            json: (value, statusCode, headers = {}) => response(JSON.stringify(value), statusCode, { "content-type": "application/json", ...headers }),
            empty: () => response("", 204, {}),
            redirect: (location, statusCode = 301, headers = {}) => response("", statusCode, { ...headers, location }),
        },
        log: (...message) => logs.push(message.map((m) => (typeof m === "string" ? m : JSON.stringify(m))).join(" ")),
        error: (...message) => errors.push(message.map((m) => (m instanceof Error ? m.stack : typeof m === "string" ? m : JSON.stringify(m))).join(" ")),
    };
    let out;
    try {
        out = await handler(context);
        if (!out) {
            errors.push("Return statement missing. return context.res.empty() if no response is expected.");
            out = response("", 500);
        }
    } catch (err) {
        errors.push(err instanceof Error ? err.stack : String(err));
        out = response("", 500);
    }
    for (const line of logs) process.stdout.write(line + "\n");
    for (const line of errors) process.stderr.write(line + "\n");
    res.writeHead(out.statusCode, out.headers);
    res.end(out.body);
});
server.listen(0, "127.0.0.1", () => process.stdout.write("stackwire-function-listening " + server.address().port + "\n"));
`;

/** This project's node_modules, where the functions' imports resolve. */
function projectNodeModules(): string {
    const resolved = require.resolve("stripe");
    const marker = `${path.sep}node_modules${path.sep}`;
    return resolved.slice(0, resolved.lastIndexOf(marker) + marker.length - 1);
}

interface Running {
    child: ChildProcess;
    port: number;
    dir: string;
    /** What the function printed (its log and error calls, and any crash). */
    output: string[];
}

const HOP_BY_HOP = new Set(["host", "connection", "content-length", "transfer-encoding", "keep-alive"]);

export class NodeFunctionHost implements FunctionHost {
    private readonly running = new Map<string, Running>();

    /** What a function printed so far (its `log` and `error` lines). */
    output(name: string): string[] {
        return this.running.get(name)?.output ?? [];
    }

    async deploy(code: DeployedCode): Promise<void> {
        await this.remove(code.name);
        const dir = mkdtempSync(path.join(tmpdir(), `stackwire-fn-${code.name.replace(/[^\w.-]/g, "_")}-`));
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
        const child = spawn(process.execPath, [bootstrap], {
            cwd: root,
            env: { PATH: process.env.PATH ?? "", ...code.env, STACKWIRE_ENTRYPOINT: path.join(root, code.entrypoint) },
            stdio: ["ignore", "pipe", "pipe"],
        });
        const output: string[] = [];
        const port = await new Promise<number>((resolve, reject) => {
            let buffered = "";
            child.stdout!.on("data", (chunk: Buffer) => {
                buffered += chunk.toString("utf8");
                const lines = buffered.split("\n");
                buffered = lines.pop() ?? "";
                for (const line of lines) {
                    const started = /^stackwire-function-listening (\d+)$/.exec(line);
                    if (started) resolve(Number(started[1]));
                    else output.push(line);
                }
            });
            child.stderr!.on("data", (chunk: Buffer) => output.push(...chunk.toString("utf8").split("\n").filter(Boolean)));
            child.once("exit", (status) => reject(new Error(`function ${code.name} exited (${status}) before it listened: ${output.join("\n")}`)));
        });
        this.running.set(code.name, { child, port, dir, output });
    }

    async invoke(name: string, request: { method: string; path: string; headers: Record<string, string>; body: Uint8Array }) {
        const running = this.running.get(name);
        if (!running) return undefined;
        const headers = Object.fromEntries(Object.entries(request.headers).filter(([k]) => !HOP_BY_HOP.has(k.toLowerCase())));
        const hasBody = !["GET", "HEAD"].includes(request.method.toUpperCase());
        const answer = await fetch(`http://127.0.0.1:${running.port}${request.path.startsWith("/") ? request.path : `/${request.path}`}`, { method: request.method, headers, body: hasBody ? Buffer.from(request.body) : undefined });
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
        if (running.child.exitCode === null) {
            const exited = new Promise<void>((resolve) => running.child.once("exit", () => resolve()));
            running.child.kill("SIGTERM");
            await exited;
        }
        rmSync(running.dir, { recursive: true, force: true });
    }

    async stop(): Promise<void> {
        for (const name of [...this.running.keys()]) await this.remove(name);
    }
}
