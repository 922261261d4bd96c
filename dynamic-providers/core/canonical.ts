/**
 * One rendering of a value for comparing and hashing: object keys sorted, so `{a, b}` and
 * `{b, a}` are the same value; `undefined` inside objects is dropped, as JSON drops it.
 */

type Props = Record<string, unknown>;

export function canonicalJson(value: unknown): string {
    return (
        JSON.stringify(value, (_key, v) =>
            v && typeof v === "object" && !Array.isArray(v)
                ? Object.fromEntries(
                      Object.keys(v)
                          .sort()
                          .map((k) => [k, (v as Props)[k]]),
                  )
                : v,
        ) ?? "undefined"
    );
}

/** Stable structural equality: key order does not matter, undefined equals absent. */
export function sameValue(a: unknown, b: unknown): boolean {
    return canonicalJson(a) === canonicalJson(b);
}
