/** What a route gets: the verified request's body, the relay's settings and its services. */
import { Refusal } from "./http.ts";
import type { Mailer } from "./mail.ts";
import type { Store } from "./store.ts";
import type { trelloClient } from "./trello.ts";

/** The function's environment (its secrets): read as given, never echoed. */
export type Env = Readonly<Record<string, string | undefined>>;

export interface RouteContext {
    request: Request;
    /** The raw body, as signed. */
    body: Uint8Array<ArrayBuffer>;
    text: string;
    /** A setting, or undefined when unset or blank. */
    setting(name: string): string | undefined;
    /** Settings the route cannot act without: 500 naming the missing ones (names only). */
    require<const K extends string>(...names: K[]): Record<K, string>;
    store(): Store;
    trello(): ReturnType<typeof trelloClient>;
    /** The mailer, or undefined when RESEND_API_KEY is unset. */
    mailer(): Mailer | undefined;
}

export function readSetting(env: Env, name: string): string | undefined {
    const value = env[name]?.trim();
    return value ? value : undefined;
}

export function requireSettings<K extends string>(env: Env, route: string, names: K[]): Record<K, string> {
    const missing = names.filter((n) => readSetting(env, n) === undefined);
    if (missing.length > 0) throw new Refusal(500, `the relay's /${route} route needs ${missing.join(", ")} among its function secrets`);
    return Object.fromEntries(names.map((n) => [n, readSetting(env, n)!])) as Record<K, string>;
}
