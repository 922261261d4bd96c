/**
 * A credential-shaped test value, joined at run time so the source never holds a
 * string that secret scanners (push protection, pre-commit hooks) take for a leaked key.
 */
export function fakeCredential(prefix: "sk_live_" | "glpat-" | "ghp_" | "sbp_" | "sk-admin-" | "sk-proj-", body: string): string {
    return prefix + body;
}
