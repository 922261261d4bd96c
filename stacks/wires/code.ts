/**
 * The code the wires deploy, read from the project's `functions/` folder when the program runs,
 * so a changed function changes its content hash and redeploys.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { loadMigrations } from "../migrations";

/** `functions/` in the sources (the one with deno.json), found from bin/ when compiled: bin/ holds compiled copies of some of it. */
export const FUNCTIONS_DIR = [path.resolve(__dirname, "..", "..", "..", "functions"), path.resolve(__dirname, "..", "..", "functions")].find((dir) => existsSync(path.join(dir, "deno.json"))) ?? path.resolve(__dirname, "..", "..", "functions");

/** Every file of a function's folder (tests left out), by path relative to it. */
export function functionFiles(folder: string): Record<string, string> {
    const root = path.join(FUNCTIONS_DIR, folder);
    const files: Record<string, string> = {};
    const walk = (dir: string) => {
        for (const entry of readdirSync(dir).sort()) {
            const full = path.join(dir, entry);
            if (statSync(full).isDirectory()) walk(full);
            else if (!/\.test\.[jt]s$/.test(entry)) files[path.relative(root, full).split(path.sep).join("/")] = readFileSync(full, "utf8");
        }
    };
    walk(root);
    return files;
}

/** The relay (functions/supabase/relay) as deployed to Supabase. */
export function relayCode(): { files: Record<string, string>; entrypoint: string } {
    const files = Object.entries(functionFiles("supabase/relay")).filter(([file]) => !file.startsWith("migrations/"));
    return { files: Object.fromEntries(files), entrypoint: "index.ts" };
}

/** The tables the relay records events in (functions/supabase/relay/migrations/*.sql), in name order. */
export function relayMigrations(): { name: string; sql: string }[] {
    const dir = path.join(FUNCTIONS_DIR, "supabase", "relay", "migrations");
    return existsSync(dir) ? loadMigrations(dir) : [];
}
