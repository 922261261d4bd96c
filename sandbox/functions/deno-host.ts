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
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import type { DeployedCode } from "./host";
import { ProcessFunctionHost } from "./process-host";

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

/** What Deno itself needs from the parent's environment; nothing else of the parent's leaks in. */
const DENO_NEEDS = ["PATH", "HOME", "DENO_DIR", "TMPDIR"];

export class DenoFunctionHost extends ProcessFunctionHost {
    protected readonly bootstrap = { file: "bootstrap.mjs", text: BOOTSTRAP };

    protected spawn(code: DeployedCode, root: string, bootstrap: string): ChildProcess {
        const inherited = Object.fromEntries(DENO_NEEDS.flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])));
        // stdin stays open: the bootstrap exits when it closes, so the function dies with the host.
        return spawn(
            denoBinary(),
            ["run", "--allow-net", "--allow-env", "--allow-read", "--node-modules-dir=manual", "--cached-only", "--no-prompt", "--quiet", bootstrap, pathToFileURL(path.join(root, code.entrypoint)).href],
            { cwd: root, env: { ...inherited, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1", ...code.env }, stdio: ["pipe", "pipe", "pipe"] },
        );
    }
}
