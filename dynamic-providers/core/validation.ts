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

/** Strings shaped like credentials are never echoed, whatever field they were typed into. */
const CREDENTIAL_SHAPES = [/^(sk|rk|pk)_(live|test)_/, /^eyJ[\w-]+\./, /^(ghp|gho|ghs|github_pat|glpat|re|phc|phx)_/, /^(pk|sk)\.eyJ/];

/** A random-looking token: one unbroken run of 32 to 256 letters, digits and symbols, mixing letters and digits. */
function looksRandom(value: string): boolean {
    return /^[A-Za-z0-9+/_=-]{32,256}$/.test(value) && /[0-9]/.test(value) && /[A-Za-z]/.test(value);
}

/** A URL's user and password are credentials: shown masked, the rest of the URL as typed. */
function withoutUserinfo(value: string): string {
    return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/i, "$1****@");
}

/** A short, safe rendering of a received value; objects are summarised, never dumped. */
function show(value: unknown): string | undefined {
    if (value === undefined) return "nothing";
    if (typeof value === "string") {
        if (CREDENTIAL_SHAPES.some((shape) => shape.test(value)) || looksRandom(value)) return "a value shaped like a credential (not shown)";
        const safe = withoutUserinfo(value);
        // Cut inside the quotes, so a long value still reads as one quoted string.
        return JSON.stringify(safe.length > MAX_SHOWN ? `${safe.slice(0, MAX_SHOWN)}…` : safe);
    }
    if (value === null || typeof value === "number" || typeof value === "boolean") return String(value);
    if (Array.isArray(value)) return `a list of ${value.length}`;
    return typeof value === "object" ? "an object" : typeof value;
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
        if (issue.code === "invalid_type" && issue.expected === "string" && (typeof issue.input === "number" || typeof issue.input === "boolean")) {
            // `pulumi config set --path` reads 2024 or true as a number or a boolean.
            problem.rule = `${issue.message}: to keep ${String(issue.input)} as text, set it with \`pulumi config set --type string --path '${path}' ${String(issue.input)}\``;
        }
        if (issue.code === "invalid_key") {
            // A record key broke its rule: say which rule, and show the key (a name, not a value).
            problem.rule = issue.issues[0]?.message ?? issue.message;
            problem.received = JSON.stringify(String(issue.input)).slice(0, MAX_SHOWN);
        } else if (issue.code !== "unrecognized_keys" && !isSecretPath(path) && "input" in issue && !(issue.code === "custom" && typeof issue.input === "object" && issue.input !== null)) {
            // A rule between fields (a custom issue) receives the whole object: nothing to show.
            problem.received = show(issue.input);
        }
        problems.push(problem);
    }
    return problems;
}

export function describeProblem(p: Problem): string {
    return p.received !== undefined ? `${p.path}: ${p.rule} (received ${p.received})` : `${p.path}: ${p.rule}`;
}

/** An http(s) URL; `rule` says what it must be when that is more helpful than "an http(s) URL". */
export function httpUrl(rule = "must be an http(s) URL") {
    return z.url({ protocol: /^https?$/, error: rule });
}
