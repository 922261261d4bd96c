import { z } from "zod";

/** One rule broken by one field. */
export interface Problem {
    /** Dotted path with array indexes, e.g. "supabase.buckets[2].name". */
    path: string;
    /** The rule, in words. */
    rule: string;
    /** What was received, shown only when the field is not secret. */
    received?: string;
}

export function formatPath(path: readonly PropertyKey[]): string {
    let out = "";
    for (const part of path) {
        if (typeof part === "number") out += `[${part}]`;
        else out += out === "" ? String(part) : `.${String(part)}`;
    }
    return out === "" ? "(root)" : out;
}

const MAX_SHOWN = 80;

function show(value: unknown): string {
    const text = value === undefined ? "nothing" : JSON.stringify(value) ?? String(value);
    return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}

/**
 * Turns zod issues into problems. `isSecretPath` decides which received values must not be
 * printed; a union's nested issues are flattened so the user sees the concrete rule.
 */
export function problemsFromZod(error: z.ZodError, isSecretPath: (path: string) => boolean = () => false, prefix: readonly PropertyKey[] = []): Problem[] {
    const problems: Problem[] = [];
    for (const issue of error.issues) {
        const path = formatPath([...prefix, ...issue.path]);
        const problem: Problem = { path, rule: issue.message };
        if (!isSecretPath(path) && "input" in issue) problem.received = show(issue.input);
        problems.push(problem);
    }
    return problems;
}

export function describeProblem(p: Problem): string {
    return p.received !== undefined ? `${p.path}: ${p.rule} (received ${p.received})` : `${p.path}: ${p.rule}`;
}
