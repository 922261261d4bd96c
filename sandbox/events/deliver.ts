/**
 * How an emulated platform posts an event to a receiver: one attempt, the answer recorded as it
 * came. Platforms retry on their own schedules (Stripe for three days, GitHub never by itself);
 * the sandbox shows one delivery and lets a test replay it on purpose instead.
 */

import * as http from "node:http";

/** One POST of an event and what the receiver answered. */
export interface Delivery {
    url: string;
    /** The headers sent, by their canonical names. */
    headers: Record<string, string>;
    /** The exact bytes signed and sent. */
    payload: string;
    /** The receiver's status; 0 when it never answered. */
    status: number;
    /** The receiver's body as text ("" when it never answered). */
    body: string;
    /** Why no answer came (connection refused, timeout); absent when one did. */
    error?: string;
}

/** Long enough for a function cold start, short enough that a dead receiver does not hang a test. */
const ANSWER_WITHIN_MS = 10_000;

/**
 * The sandbox's own name resolution: a receiver's domain (an Appwrite function's, say) served by a
 * local gateway that routes by Host. A delivery to that domain goes to the gateway, Host kept.
 */
const sandboxDomains = new Map<string, string>();

export function serveDomainAt(domain: string, gatewayOrigin: string): void {
    sandboxDomains.set(domain.toLowerCase(), gatewayOrigin);
}

function postThroughGateway(url: URL, gateway: string, headers: Record<string, string>, payload: string): Promise<{ status: number; body: string }> {
    const at = new URL(gateway);
    return new Promise((resolve, reject) => {
        const req = http.request({ host: at.hostname, port: at.port, method: "POST", path: `${url.pathname}${url.search}`, headers: { ...headers, host: url.host }, timeout: ANSWER_WITHIN_MS }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        });
        req.on("timeout", () => req.destroy(new Error("no answer in time")));
        req.on("error", reject);
        req.end(payload);
    });
}

export async function postEvent(url: string, headers: Record<string, string>, payload: string): Promise<Delivery> {
    try {
        const target = new URL(url);
        const gateway = sandboxDomains.get(target.hostname.toLowerCase());
        if (gateway) return { url, headers, payload, ...(await postThroughGateway(target, gateway, headers, payload)) };
        const answer = await fetch(url, { method: "POST", headers, body: payload, signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
        return { url, headers, payload, status: answer.status, body: await answer.text() };
    } catch (err) {
        return { url, headers, payload, status: 0, body: "", error: err instanceof Error ? err.message : String(err) };
    }
}
