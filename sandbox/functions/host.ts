/**
 * Where the sandbox runs the code a stack deploys as functions (Supabase Edge Functions under the
 * real Deno runtime; Appwrite functions under Node). The emulators take deploys through the
 * vendor's API and hand the code here; the function's public URL forwards requests here.
 */
export interface DeployedCode {
    /** The function's name in its platform (Supabase slug, Appwrite function id). */
    name: string;
    /** Files by path relative to the function's root, as deployed. */
    files: ReadonlyMap<string, Uint8Array>;
    /** The file that starts it, relative to the root (`index.ts`, `src/main.js`). */
    entrypoint: string;
    /** Its environment: the platform's own variables and the secrets set for it. */
    env: Readonly<Record<string, string>>;
}

export interface FunctionHost {
    /** Starts (or restarts, with new code or environment) the function; resolves when it answers. */
    deploy(code: DeployedCode): Promise<void>;
    /** Stops it; its URL answers 404 afterwards. */
    remove(name: string): Promise<void>;
    /**
     * One request to the function, as its public URL receives it; `path` is what follows the
     * function's base (`/stripe` for `/functions/v1/relay/stripe`). Undefined when not deployed.
     */
    invoke(name: string, request: { method: string; path: string; headers: Record<string, string>; body: Uint8Array }): Promise<{ status: number; headers: Record<string, string>; body: Uint8Array } | undefined>;
    stop(): Promise<void>;
}
