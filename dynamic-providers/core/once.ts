/**
 * Facts about a credential that do not change while a `pulumi up` runs (the account or team it
 * belongs to), read once per provider host and credential instead of once per resource. The
 * cache is keyed by a digest of the credential, never the credential itself; a failed read is
 * forgotten so the next operation asks again.
 */
import { createHash } from "node:crypto";

const facts = new Map<string, Promise<unknown>>();

export function oncePerRun<T>(what: string, credential: string, place: string, read: () => Promise<T>): Promise<T> {
    const key = [what, createHash("sha256").update(credential).digest("hex"), place].join("\n");
    let known = facts.get(key) as Promise<T> | undefined;
    if (!known) {
        known = read();
        facts.set(key, known);
        known.catch(() => facts.delete(key));
    }
    return known;
}

/** Forgets every fact: a new run. Each `pulumi up` starts a new provider host; tests that count one run's requests call this. */
export function startNewRun(): void {
    facts.clear();
}
