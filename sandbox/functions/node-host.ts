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
import * as path from "node:path";
import type { DeployedCode } from "./host";
import { ProcessFunctionHost } from "./process-host";

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
export class NodeFunctionHost extends ProcessFunctionHost {
    protected readonly bootstrap = { file: "bootstrap.mjs", text: BOOTSTRAP };

    protected spawn(code: DeployedCode, root: string, bootstrap: string): ChildProcess {
        return spawn(process.execPath, [bootstrap], {
            cwd: root,
            env: { PATH: process.env.PATH ?? "", ...code.env, STACKWIRE_ENTRYPOINT: path.join(root, code.entrypoint) },
            stdio: ["ignore", "pipe", "pipe"],
        });
    }
}
