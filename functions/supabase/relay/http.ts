/** Answers and the failure type the routes throw; every body is JSON. */

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
    return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

/** A refusal with its status, raised anywhere in a route and answered as `{ "error": message }`. */
export class Refusal extends Error {
    constructor(readonly status: number, message: string) {
        super(message);
    }
}

/** The request's sender is not who it claims to be: 401, nothing done. */
export const forged = (message: string) => new Refusal(401, message);

/** A request that cannot be acted on as sent. */
export const badRequest = (message: string) => new Refusal(400, message);

/** The answer to a delivery already acted on. */
export const duplicate = () => json(200, { duplicate: true });

/** The answer to a verified delivery the relay has nothing to do for. */
export const ignored = (why: string) => json(200, { ignored: why });

/** The parsed JSON body, or 400 naming the source. */
export function parseJson(text: string, source: string): Record<string, any> {
    try {
        const value = JSON.parse(text);
        if (value && typeof value === "object" && !Array.isArray(value)) return value;
    } catch {
        // answered below
    }
    throw badRequest(`${source} body is not a JSON object`);
}
