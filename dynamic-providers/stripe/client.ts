/**
 * Stripe clients on the official SDK, built per operation on the shared HTTP layer (the SDK's
 * own retries are off: the toolkit retries, with the same Idempotency-Key on every attempt).
 */
import { createHash } from "node:crypto";
import Stripe from "stripe";
import type { CredentialSpec } from "../core/credentials";
import type { HttpCall } from "../core/http";
import { callApi, callOrGone, type ApiErrors } from "../core/api-calls";
import { answerIsAbout, confirmGone, type WhereItLives } from "../core/gone";
import { oncePerRun } from "../core/once";
import type { OperationContext } from "../core/provider";
import { STRIPE_API_VERSION } from "./api-lists";
import { keyModeOf, STRIPE_SECRET_KEY_SHAPE, type KeyMode } from "./schema";
import { canonicalJson, sameValue } from "../core/canonical";

export const stripeSecretKey: CredentialSpec = {
    configKey: "stripeSecretKey",
    envVars: ["STRIPE_SECRET_KEY"],
    label: "Stripe secret key",
};


/**
 * The key for this operation, refused before any request when its mode is not one the stack
 * allows (live keys only in prod; test keys in prod only when explicitly allowed).
 */
export function stripeKey(ctx: OperationContext, keyModes: readonly KeyMode[]): string {
    const key = ctx.credential(stripeSecretKey);
    const mode = keyModeOf(key);
    if (mode === undefined) throw new Error(`the Stripe secret key is malformed: expected ${STRIPE_SECRET_KEY_SHAPE}`);
    if (!keyModes.includes(mode)) {
        throw new Error(
            mode === "live"
                ? "a live Stripe key is refused outside the prod environment: use a test key (sk_test_…)"
                : "a test Stripe key is refused in prod: use a live key, or set stripe.allowTestKeyInProd: true",
        );
    }
    return key;
}

export function stripeClient(apiBase: string, key: string, call: HttpCall): Stripe {
    const url = new URL(apiBase);
    return new Stripe(key, {
        apiVersion: STRIPE_API_VERSION as Stripe.LatestApiVersion,
        host: url.hostname,
        port: url.port || (url.protocol === "https:" ? 443 : 80),
        protocol: url.protocol === "https:" ? "https" : "http",
        httpClient: Stripe.createFetchHttpClient(call.fetch),
        maxNetworkRetries: 0,
        telemetry: false,
    });
}

export interface StripeFailure {
    status?: number;
    code?: string;
    apiMessage: string;
}

export function stripeFailure(error: unknown): StripeFailure {
    const e = error as { statusCode?: number; code?: string; rawType?: string; message?: string; param?: string };
    const param = e.param ? ` (parameter ${e.param})` : "";
    return { status: e.statusCode, code: e.code ?? e.rawType, apiMessage: `${e.message ?? String(error)}${param}` };
}

export function isMissing(error: unknown): boolean {
    const e = error as { statusCode?: number; code?: string };
    return e.statusCode === 404 || e.code === "resource_missing";
}

const STRIPE_ERRORS: ApiErrors = { details: stripeFailure, isGone: isMissing };

/** Runs one SDK call; a failure becomes a typed error with the call's request id. */
export const stripeCall = <T>(ctx: OperationContext, call: HttpCall, run: () => Promise<T>) => callApi(ctx, call, STRIPE_ERRORS, run);

/** Idempotency-Key from the resource's URN and its inputs: a retried create replays, never duplicates. */
export function idempotencyKey(urn: string, inputs: unknown, salt = ""): string {
    return `stackwire-${createHash("sha256").update(`${urn}\n${canonicalJson(inputs)}\n${salt}`).digest("hex").slice(0, 40)}`;
}

/** Successor keys tried before giving up: one per change-and-change-back within 24 hours. */
const MAX_KEY_GENERATIONS = 20;

/**
 * Creates with an idempotency key. Stripe replays the stored first answer for the same key and
 * parameters for 24 hours; if that object has since been archived or deleted (a price changed
 * and changed back), it is not what we want, so a successor key derived from the replayed
 * object's id is tried, and so on. Deterministic, so a retried create still replays.
 */
export async function createIdempotently<T extends { id: string }>(
    call: HttpCall,
    key: string,
    create: (idempotencyKey: string) => Promise<T>,
    stillUsable: (id: string) => Promise<boolean>,
): Promise<T> {
    let current = key;
    for (let generation = 0; generation < MAX_KEY_GENERATIONS; generation++) {
        const created = await create(current);
        if (call.lastHeaders?.get("idempotent-replayed") !== "true") return created;
        if (await stillUsable(created.id)) return created;
        current = idempotencyKey(current, created.id, "successor");
    }
    throw new Error(`Stripe replayed ${MAX_KEY_GENERATIONS} archived objects for the same request; wait 24 hours for its idempotency keys to expire`);
}

/** Stripe unsets a field with an empty string; metadata keys are removed one by one the same way. */
export function metadataPatch(olds: Record<string, string>, news: Record<string, string>): Record<string, string> {
    const patch: Record<string, string> = { ...news };
    for (const key of Object.keys(olds)) if (!(key in news)) patch[key] = "";
    return patch;
}

/** Input shared by every Stripe resource: which server, which key modes, and the URN for idempotency. */
export interface StripeConnection {
    apiBase: string;
    keyModes: KeyMode[];
    resourceUrn: string;
}

/** The key checked against the stack's modes, and an SDK client recording into a fresh call. */
export function openStripe(ctx: OperationContext, connection: Pick<StripeConnection, "apiBase" | "keyModes">, operation: string): { call: HttpCall; stripe: Stripe } {
    const key = stripeKey(ctx, connection.keyModes);
    const call = ctx.http(operation);
    return { call, stripe: stripeClient(connection.apiBase, key, call) };
}

/**
 * Stripe treats an empty string as "unset", for the fields whose spec schema takes `enum: [""]`
 * (a product's description, unit label, URL and tax code, a webhook endpoint's description). Other
 * fields refuse it with parameter_invalid_empty: never pass them through this.
 */
export function orUnset<T>(value: T | null | undefined): T | "" {
    return value === null || value === undefined ? "" : value;
}

/** A field Stripe can set but not unset, named with the rule and what to do instead. */
export function cannotUnset(field: string, what: string, instead: string): Error {
    return new Error(`${field}: Stripe cannot remove ${what} once set (it refuses an empty value for it); ${instead}`);
}

/** Drops null and undefined so a create sends only what was set. */
export function compact<T extends Record<string, unknown>>(params: T): Partial<T> {
    return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>;
}

/**
 * Where a Stripe object lives: the account and mode of the key that made it. Stripe answers a
 * key of another account, and a key of the other mode, with the same 404 resource_missing as an
 * object deleted; these say which is which. Recorded at create; absent in state written before.
 */
export interface StripeHome {
    /** The account (acct_…) of the key that made it; null when that key could not tell. */
    account?: string | null;
    /** The object's own `livemode`. */
    livemode?: boolean;
}

/** The home fields of a state, only those it has (state written before them has none). */
export function homeOf(state: StripeHome): StripeHome {
    return {
        ...(state.account !== undefined ? { account: state.account } : {}),
        ...(state.livemode !== undefined ? { livemode: state.livemode } : {}),
    };
}

/** Stripe's 403 to a restricted key asking for its account names the account (dj-stripe/dj-stripe#1131). */
const ACCOUNT_IN_PERMISSION_ERROR = /on account '(acct_[0-9A-Za-z]+)'/;

/**
 * The account the stack's key belongs to (GET /v1/account): acct_…, or null when the key may not
 * read it and Stripe's refusal does not name it either.
 */
export async function accountOfKey(ctx: OperationContext, connection: Pick<StripeConnection, "apiBase" | "keyModes">, operation: string): Promise<string | null> {
    const { call, stripe } = openStripe(ctx, connection, operation);
    try {
        const account = await stripe.accounts.retrieveCurrent();
        if ((account as { object?: unknown }).object !== "account" || typeof account.id !== "string" || !account.id.startsWith("acct_")) {
            throw ctx.error(call, { apiMessage: `asked which account the key belongs to and was answered about ${JSON.stringify((account as { object?: unknown }).object ?? "something else")}: the request may have gone to the wrong URL` });
        }
        return account.id;
    } catch (err) {
        if ((err as { name?: string }).name === "ProviderError") throw err;
        const failure = stripeFailure(err);
        // A restricted key may never read its account: Stripe refuses it with a 403 that names it.
        if (failure.status === 403) return ACCOUNT_IN_PERMISSION_ERROR.exec(failure.apiMessage)?.[1] ?? null;
        throw ctx.error(call, failure);
    }
}

/** The key's account for a create: read once per run and key, not once per object. */
export function accountForCreate(ctx: OperationContext, connection: Pick<StripeConnection, "apiBase" | "keyModes">): Promise<string | null> {
    return oncePerRun("stripe account", ctx.credential(stripeSecretKey), connection.apiBase, () => accountOfKey(ctx, connection, "read the Stripe account of the key"));
}

/** Where the object was made, and a cheap look at the stack's key: costs one call (GET /v1/account) only when the mode does not already tell. */
function theAccount(ctx: OperationContext, state: Pick<StripeConnection, "apiBase" | "keyModes"> & StripeHome, failure: StripeFailure, what: string): WhereItLives {
    const keyMode = keyModeOf(ctx.credential(stripeSecretKey)) ?? "test";
    const made = state.livemode === undefined ? "" : ` in ${state.livemode ? "live" : "test"} mode`;
    return {
        name: state.account ? `Stripe account ${state.account}${made}` : `the Stripe account that made it${made}`,
        credential: stripeSecretKey,
        visible: async () => {
            // Stripe names the other mode when the object lives there: no call needed.
            const otherMode = /a similar object exists in (live|test) mode/.exec(failure.apiMessage)?.[1];
            if (otherMode) return `is a ${keyMode}-mode key, and Stripe says ${what} exists in ${otherMode} mode`;
            if (state.livemode !== undefined && state.livemode !== (keyMode === "live")) return `is a ${keyMode}-mode key, and ${what} was made in ${state.livemode ? "live" : "test"} mode`;
            const account = await accountOfKey(ctx, state, `check which Stripe account the key belongs to`);
            if (state.account && account === null) return "cannot read which account it belongs to (Stripe refuses GET /v1/account to it), so it cannot show it is the account that made it";
            if (state.account && account !== state.account) return `is a key of Stripe account ${account}`;
            // State written before the account was recorded: the key works and its mode matches; nothing more can be told.
            return true;
        },
    };
}

/**
 * A 404 means gone only when the key belongs to the account and mode that made the object;
 * otherwise the operation fails naming stripeSecretKey and the state keeps the object.
 */
async function goneOrBlind(ctx: OperationContext, call: HttpCall, what: string, state: Pick<StripeConnection, "apiBase" | "keyModes"> & StripeHome, err: unknown): Promise<void> {
    await confirmGone(ctx, call, what, theAccount(ctx, state, stripeFailure(err), what));
}

/** "product prod_1" → "product": what the answer should have been about, without its id. */
const kindOf = (what: string, id: string) => (what.endsWith(` ${id}`) ? what.slice(0, -id.length - 1) : what);

/** The object, or undefined when Stripe says it is missing (no confirmation: for the key's own fresh objects). */
export async function retrieveOrMissing<T extends { id: string }>(ctx: OperationContext, connection: Pick<StripeConnection, "apiBase" | "keyModes">, what: string, fetch: (stripe: Stripe) => Promise<T>): Promise<T | undefined> {
    const { call, stripe } = openStripe(ctx, connection, `read ${what}`);
    const found = await callOrGone(ctx, call, STRIPE_ERRORS, () => fetch(stripe));
    return (found as { deleted?: boolean } | undefined)?.deleted ? undefined : found;
}

/**
 * Fetches an object for refresh. Undefined when Stripe answers it deleted, or missing and the key
 * is of the account and mode that made it (see `goneOrBlind`); an answer about another object fails.
 */
export async function retrieveOrGone<T extends { id: string }>(ctx: OperationContext, state: Pick<StripeConnection, "apiBase" | "keyModes"> & StripeHome, what: string, id: string, fetch: (stripe: Stripe) => Promise<T>): Promise<T | undefined> {
    const { call, stripe } = openStripe(ctx, state, `read ${what}`);
    let found: T;
    try {
        found = await fetch(stripe);
    } catch (err) {
        if (!isMissing(err)) throw ctx.error(call, stripeFailure(err));
        await goneOrBlind(ctx, call, what, state, err);
        return undefined;
    }
    answerIsAbout(ctx, call, kindOf(what, id), id, (found as { id?: unknown } | null)?.id);
    return (found as { deleted?: boolean }).deleted ? undefined : found;
}

/**
 * Runs a removal (delete or archive). An object already missing counts as removed only when the
 * key is of the account and mode that made it; the answer must be about this object.
 */
export async function removeOrGone(ctx: OperationContext, call: HttpCall, what: string, id: string, state: Pick<StripeConnection, "apiBase" | "keyModes"> & StripeHome, run: () => Promise<{ id?: unknown } | null | undefined>): Promise<void> {
    let answer: { id?: unknown } | null | undefined;
    try {
        answer = await run();
    } catch (err) {
        if ((err as { name?: string }).name === "ProviderError") throw err;
        if (!isMissing(err)) throw ctx.error(call, stripeFailure(err));
        return goneOrBlind(ctx, call, what, state, err);
    }
    answerIsAbout(ctx, call, kindOf(what, id), id, answer?.id);
}

/** For each input that changed, the API parameters that carry it; nothing for unchanged inputs. */
export function changedParams<I extends object>(olds: I, news: I, fields: { [K in keyof I]?: (news: I, olds: I) => Record<string, unknown> }): Record<string, unknown> {
    const params: Record<string, unknown> = {};
    for (const key of Object.keys(fields) as (keyof I)[]) {
        if (!sameValue(olds[key], news[key])) Object.assign(params, fields[key]!(news, olds));
    }
    return params;
}
