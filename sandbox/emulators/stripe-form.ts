/**
 * Stripe's request encoding: application/x-www-form-urlencoded with bracketed nesting
 * (`recurring[interval]=month`, `metadata[plan]=pro`, `enabled_events[0]=...`), as the SDK sends.
 */
export type FormValue = string | FormValue[] | { [key: string]: FormValue };

function parsePath(key: string): string[] {
    const head = /^[^[]+/.exec(key)?.[0] ?? "";
    const rest = [...key.slice(head.length).matchAll(/\[([^\]]*)\]/g)].map((m) => m[1]);
    return [head, ...rest];
}

/** Objects whose keys are all consecutive indexes become arrays. */
function arrayify(value: FormValue): FormValue {
    if (typeof value === "string" || Array.isArray(value)) return value;
    const entries = Object.entries(value).map(([k, v]) => [k, arrayify(v)] as const);
    const keys = entries.map(([k]) => k);
    const indexed = keys.length > 0 && keys.every((k, i) => k === String(i));
    return indexed ? entries.map(([, v]) => v) : Object.fromEntries(entries);
}

export function parseStripeForm(body: string): Record<string, FormValue> {
    const root: Record<string, FormValue> = {};
    for (const [rawKey, value] of new URLSearchParams(body)) {
        const path = parsePath(rawKey);
        let node: Record<string, FormValue> = root;
        path.forEach((part, i) => {
            const key = part === "" ? String(Object.keys(node).length) : part;
            if (i === path.length - 1) {
                node[key] = value;
            } else {
                if (typeof node[key] !== "object" || Array.isArray(node[key])) node[key] = {};
                node = node[key] as Record<string, FormValue>;
            }
        });
    }
    return Object.fromEntries(Object.entries(root).map(([k, v]) => [k, arrayify(v)]));
}
