/**
 * The few Trello REST calls the relay makes (developer.atlassian.com/cloud/trello/rest/):
 * GET /1/lists/{id} (its idBoard), GET /1/boards/{id}/cards, POST /1/cards, PUT /1/cards/{id}.
 * Trello authenticates with `key` and `token` query parameters, so a failure never repeats the
 * URL: it names the method and path only.
 */

export interface TrelloSettings {
    baseUrl: string;
    key: string;
    token: string;
}

export interface Card {
    id: string;
    name: string;
    desc: string;
    idList: string;
}

export type CardChange = { card: string; change: "created" | "moved" | "unchanged" };

/** How long to wait after each 429 before asking again: 7 s in all. */
const RATE_LIMIT_WAITS_MS = [1_000, 2_000, 4_000];

export function trelloClient(settings: TrelloSettings) {
    const base = settings.baseUrl.replace(/\/+$/, "");

    async function call<T>(method: string, path: string, params: Record<string, string> = {}): Promise<T> {
        const url = new URL(`${base}${path}`);
        for (const [k, v] of Object.entries({ ...params, key: settings.key, token: settings.token })) url.searchParams.set(k, v);
        let answer: Response;
        for (let attempt = 0; ; attempt++) {
            try {
                answer = await fetch(url, { method, headers: { accept: "application/json" } });
            } catch {
                throw new Error(`trello ${method} ${path}: no answer`);
            }
            // Trello allows 100 requests per 10 s per token. Waits stay within the 10 s a sender
            // such as GitLab gives a webhook; past them the sender sees the failure and may redeliver.
            if (answer.status !== 429 || attempt >= RATE_LIMIT_WAITS_MS.length) break;
            await answer.body?.cancel();
            const retryAfter = Number(answer.headers.get("retry-after"));
            await new Promise((resolve) => setTimeout(resolve, Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, RATE_LIMIT_WAITS_MS[attempt]) : RATE_LIMIT_WAITS_MS[attempt]));
        }
        const text = await answer.text();
        if (!answer.ok) throw new Error(`trello ${method} ${path} answered ${answer.status}: ${text.slice(0, 200)}`);
        return JSON.parse(text) as T;
    }

    return {
        /** The open cards on the board a list belongs to. */
        async cardsBesideList(listId: string): Promise<Card[]> {
            const list = await call<{ idBoard: string }>("GET", `/lists/${encodeURIComponent(listId)}`, { fields: "idBoard" });
            return call<Card[]>("GET", `/boards/${encodeURIComponent(list.idBoard)}/cards`, { fields: "id,name,desc,idList" });
        },

        /**
         * Puts the card `matches` finds (among the cards of the board `listId` is on) in `listId`,
         * or creates it there: running it twice leaves one card in the right list.
         */
        async placeCard(listId: string, card: { name: string; desc: string }, matches: (c: Card) => boolean): Promise<CardChange> {
            const found = (await this.cardsBesideList(listId)).find(matches);
            if (!found) {
                const made = await call<Card>("POST", "/cards", { idList: listId, name: card.name, desc: card.desc });
                return { card: made.id, change: "created" };
            }
            if (found.idList === listId) return { card: found.id, change: "unchanged" };
            await call<Card>("PUT", `/cards/${encodeURIComponent(found.id)}`, { idList: listId });
            return { card: found.id, change: "moved" };
        },
    };
}
