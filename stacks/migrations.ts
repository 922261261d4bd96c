/** The SQL migrations stackwire ships: the tables the platform's interconnections write to. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

/** The folder of .sql files: next to this module in the sources, and found from bin/ when compiled. */
export const MIGRATIONS_DIR = [path.resolve(__dirname, "migrations"), path.resolve(__dirname, "..", "..", "stacks", "migrations")].find((dir) => existsSync(dir)) ?? path.resolve(__dirname, "migrations");

/** Every .sql file of a folder as a migration, in name order. */
export function loadMigrations(dir: string = MIGRATIONS_DIR): { name: string; sql: string }[] {
    return readdirSync(dir)
        .filter((f) => f.endsWith(".sql"))
        .sort()
        .map((f) => ({ name: f.replace(/\.sql$/, ""), sql: readFileSync(path.join(dir, f), "utf8") }));
}
