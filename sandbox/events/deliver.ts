/**
 * How an emulated platform posts an event to a receiver: one attempt, the answer recorded as it
 * came. Platforms retry on their own schedules (Stripe for three days, GitHub never by itself);
 * the sandbox shows one delivery and lets a test replay it on purpose instead.
 */

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

export async function postEvent(url: string, headers: Record<string, string>, payload: string): Promise<Delivery> {
    try {
        const answer = await fetch(url, { method: "POST", headers, body: payload, signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
        return { url, headers, payload, status: answer.status, body: await answer.text() };
    } catch (err) {
        return { url, headers, payload, status: 0, body: "", error: err instanceof Error ? err.message : String(err) };
    }
}
