/**
 * Typed errors for every dynamic provider. A ProviderError says which service and operation
 * failed, the HTTP status, the API's own code and message, and the request id to quote to the
 * vendor's support. It never carries a credential: every text is passed through `redact`.
 */

export interface ProviderErrorDetails {
    /** Service name as the user knows it, e.g. "supabase-storage". */
    service: string;
    /** What we were doing, e.g. "create bucket". */
    operation: string;
    /** HTTP status as the API means it (Supabase Storage puts the real one in the body). */
    status?: number;
    /** The API's own error code, e.g. "NoSuchBucket". */
    code?: string;
    /** The vendor's request id, when the response carried one. */
    requestId?: string;
    /** The API's own message. */
    apiMessage: string;
    /** How many HTTP attempts were made before giving up. */
    attempts?: number;
    /** What the failure means for the user (the setting at fault), after the API's own words. */
    advice?: string;
}

export class ProviderError extends Error {
    readonly service: string;
    readonly operation: string;
    readonly status?: number;
    readonly code?: string;
    readonly requestId?: string;
    readonly apiMessage: string;
    readonly attempts?: number;

    /** `secrets`: credentials and the like; `declared`: secret inputs and outputs, redacted whatever their length. */
    constructor(details: ProviderErrorDetails, secrets: readonly string[] = [], declared: readonly string[] = []) {
        const apiMessage = redact(details.apiMessage, secrets, declared);
        const message = redact(formatMessage({ ...details, apiMessage }), secrets, declared);
        super(message);
        // Set again: the closure serializer rebuilds subclasses of Error and loses super's message.
        this.message = message;
        this.name = "ProviderError";
        this.service = details.service;
        this.operation = details.operation;
        this.status = details.status;
        this.code = details.code;
        this.requestId = details.requestId;
        this.apiMessage = apiMessage;
        this.attempts = details.attempts;
    }
}

function formatMessage(d: ProviderErrorDetails): string {
    const facts = [
        d.status !== undefined ? `status ${d.status}` : undefined,
        d.code ? `code ${d.code}` : undefined,
        d.requestId ? `request id ${d.requestId}` : undefined,
        d.attempts && d.attempts > 1 ? `after ${d.attempts} attempts` : undefined,
    ].filter((f): f is string => f !== undefined);
    const suffix = facts.length > 0 ? ` (${facts.join(", ")})` : "";
    return `${d.service}: ${d.operation} failed: ${d.apiMessage}${suffix}${d.advice ? `. ${d.advice}` : ""}`;
}

/** Secrets shorter than this are not searched for: they would blank out ordinary words. */
const MIN_REDACTED_LENGTH = 6;

/**
 * Replaces every occurrence of each secret with "[redacted]", as sent and as echoed: raw, in a
 * URL, in a form body, inside a JSON string. Credentials shorter than 6 characters are skipped
 * (they would blank out ordinary words); a declared secret (an input or output the resource
 * marks secret) is redacted whatever its length, longest first.
 */
export function redact(text: string, secrets: readonly string[], declared: readonly string[] = []): string {
    const wanted = [...secrets.filter((s) => s && s.length >= MIN_REDACTED_LENGTH), ...declared.filter((s) => s)].sort((a, b) => b.length - a.length);
    let out = text;
    for (const secret of wanted) {
        const forms = [secret, encodeURIComponent(secret), new URLSearchParams({ v: secret }).toString().slice(2), JSON.stringify(secret).slice(1, -1)];
        for (const form of new Set(forms)) out = out.split(form).join("[redacted]");
    }
    return out;
}

/** An input the provider refuses before calling any API. */
export class InputError extends Error {
    constructor(
        readonly property: string,
        readonly reason: string,
    ) {
        super(`${property}: ${reason}`);
        this.message = `${property}: ${reason}`;
        this.name = "InputError";
    }
}
