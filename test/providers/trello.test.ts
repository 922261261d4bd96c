import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { boardDefinition, labelDefinition, listDefinition } from "../../dynamic-providers/trello/board";
import { throttle } from "../../dynamic-providers/trello/client";
import { trelloWebhookDefinition } from "../../dynamic-providers/trello/webhook";
import { VirtualClock } from "../../sandbox/clock";
import { TrelloEmulator } from "../../sandbox/emulators/trello";
import { configuredProvider, lifecycle, type ProviderUnderTest } from "./harness";

const KEY = "trelloKey0123456789abcdef01234567";
const TOKEN = "ATTAtrelloToken0123456789abcdef0123456789";
/** Another member's credentials: Trello accepts them; that member is on none of these boards. */
const OUTSIDER = { key: "trelloOutsiderKey0123456789abcdef", token: "ATTAtrelloOutsiderToken0123456789abcdef" };
// Trello's window is 10 seconds: provider and emulator share a clock that moves only when waited on.
const clock = new VirtualClock();
const emulator = new TrelloEmulator({ key: KEY, token: TOKEN, clock, outsiders: [OUTSIDER] });
const p = {} as Record<"board" | "list" | "label" | "webhook", ProviderUnderTest>;
let baseUrl = "";
let receiver: http.Server;
let receiverUrl = "";
const { checked, make, secondUp } = lifecycle(p, () => ({ baseUrl }));

beforeAll(async () => {
    baseUrl = `${await emulator.start()}/1`;
    // The app that receives Trello's calls: answers HEAD with 200 on /ok only.
    receiver = http.createServer((req, res) => res.writeHead(req.url === "/ok" ? 200 : 404).end());
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
    await emulator.stop();
    await new Promise<void>((r) => receiver.close(() => r()));
});
beforeEach(async () => {
    emulator.reset();
    const defs = { board: boardDefinition, list: listDefinition, label: labelDefinition, webhook: trelloWebhookDefinition };
    for (const [k, d] of Object.entries(defs)) p[k as keyof typeof p] = await configuredProvider(d as never, { trelloApiKey: KEY, trelloToken: TOKEN }, {}, clock);
});

describe("board, lists and labels", () => {
    it("a board starts without Trello's default lists, and shows no change on a second up", async () => {
        const board = await make("board", { name: "DevOps", description: "Issues and pipelines" });
        expect([...emulator.lists.values()].filter((l) => l.idBoard === board.id)).toEqual([]);
        expect((await secondUp("board", board.id, board.outs, board.inputs)).changes).toBe(false);
        const renamed = await checked("board", { ...board.inputs, name: "DevOps board", permissionLevel: "public" });
        await p.board.provider.update(board.id, board.outs, renamed);
        expect(emulator.boards.get(board.id)).toMatchObject({ name: "DevOps board", prefs: { permissionLevel: "public" } });
        await p.board.provider.delete(board.id, board.outs);
        expect((await p.board.provider.read!(board.id, board.outs)).id).toBe("");
    });

    it("starts with Trello's default lists only when asked", async () => {
        const board = await make("board", { name: "Defaults", defaultLists: true });
        expect([...emulator.lists.values()].filter((l) => l.idBoard === board.id).map((l) => l.name)).toEqual(["To Do", "Doing", "Done"]);
    });

    it("lists keep Trello's chosen position stable, and deleting one archives it", async () => {
        const board = await make("board", { name: "B" });
        const list = await make("list", { boardId: board.id, name: "To do" });
        expect((await secondUp("list", list.id, list.outs, list.inputs)).changes).toBe(false);
        await p.list.provider.delete(list.id, list.outs);
        expect(emulator.lists.get(list.id)).toMatchObject({ closed: true });
    });

    it("labels take Trello's colours and refuse others before any request", async () => {
        const board = await make("board", { name: "B" });
        const label = await make("label", { boardId: board.id, name: "bug", color: "red_dark" });
        expect(emulator.labels.get(label.id)).toMatchObject({ name: "bug", color: "red_dark" });
        expect((await secondUp("label", label.id, label.outs, label.inputs)).changes).toBe(false);
        emulator.resetCounts();
        const r = await p.label.provider.check({}, { baseUrl, boardId: board.id, name: "x", color: "magenta" });
        expect(r.failures?.[0]).toMatchObject({ property: "color", reason: expect.stringContaining("must be a Trello colour: green, yellow") });
        expect(emulator.totalRequests()).toBe(0);
        await p.label.provider.delete(label.id, label.outs);
        expect(emulator.labels.size).toBe(0);
    });

    it("refuses ids that are not Trello ids before any request", async () => {
        const r = await p.list.provider.check({}, { baseUrl, boardId: "board-1", name: "x" });
        expect(r.failures?.[0]).toMatchObject({ property: "boardId", reason: "boardId must be a Trello id (24 hexadecimal characters)" });
    });

    it("reports a wrong token without echoing key or token", async () => {
        p.board = await configuredProvider(boardDefinition as never, { trelloApiKey: KEY, trelloToken: "ATTAwrongToken000000000000" });
        const error = await make("board", { name: "B" }).catch((e) => e);
        expect(error).toMatchObject({ status: 401, apiMessage: "invalid token" });
        expect(error.message).not.toContain("ATTAwrongToken");
        expect(error.message).not.toContain(KEY);
    });

    it("250 objects created at once all succeed under Trello's 100 requests per 10 seconds", async () => {
        const board = await make("board", { name: "Load" });
        const started = clock.now();
        const inputs = await Promise.all(Array.from({ length: 250 }, (_, i) => checked(i % 2 ? "label" : "list", i % 2 ? { boardId: board.id, name: `label-${i}`, color: "green" } : { boardId: board.id, name: `list-${i}` })));
        const results = await Promise.allSettled(inputs.map((input, i) => p[i % 2 ? "label" : "list"].provider.create(input)));
        expect(results.filter((r) => r.status === "rejected")).toEqual([]);
        expect(emulator.labels.size + [...emulator.lists.values()].length).toBe(250);
        // The provider's window keeps it under the limit: on one clock, with requests in flight
        // holding it, no request is refused. Unthrottled, about 150 of the 250 would be.
        expect(emulator.rateLimited).toBe(0);
        // 251 requests (the board's too) need three windows: at least 20 s of Trello's time.
        expect(clock.now() - started).toBeGreaterThanOrEqual(20_000);
    });
});

describe("webhook", () => {
    it("is created when the callback answers HEAD with 200, and shows no change on a second up", async () => {
        const board = await make("board", { name: "B" });
        const hook = await make("webhook", { callbackUrl: `${receiverUrl}/ok`, modelId: board.id, description: "issues to cards" });
        expect(emulator.webhooks.get(hook.id)).toMatchObject({ callbackURL: `${receiverUrl}/ok`, active: true });
        expect((await secondUp("webhook", hook.id, hook.outs, hook.inputs)).changes).toBe(false);
        await p.webhook.provider.delete(hook.id, hook.outs);
        expect(emulator.webhooks.size).toBe(0);
    });

    it("an unreachable callback gives a clear error naming the HEAD check", async () => {
        const board = await make("board", { name: "B" });
        await expect(make("webhook", { callbackUrl: `${receiverUrl}/missing`, modelId: board.id })).rejects.toThrow(/did not return 200 status code, got 404.*Trello sends a HEAD request to .*\/missing when the webhook is created/);
        expect(emulator.webhooks.size).toBe(0);
    });

    it("a new callback URL is checked again on update", async () => {
        const board = await make("board", { name: "B" });
        const hook = await make("webhook", { callbackUrl: `${receiverUrl}/ok`, modelId: board.id });
        const moved = await checked("webhook", { ...hook.inputs, callbackUrl: `${receiverUrl}/gone` });
        await expect(p.webhook.provider.update(hook.id, hook.outs, moved)).rejects.toThrow(/did not return 200/);
    });
});

describe("ownership of what a create leaves (issue 11)", () => {
    const BOARD_URN = "urn:pulumi:dev::stackwire::stackwire:trello:Board$pulumi-nodejs:dynamic/trello:Board::trello-devops-board";
    const HOOK_URN = "urn:pulumi:dev::stackwire::stackwire:trello:Board$pulumi-nodejs:dynamic/trello:Webhook::trello-devops-webhook-sync";

    it("ids carry their creation time, as Trello's ObjectIds do", async () => {
        const board = await make("board", { name: "B" });
        expect(Number.parseInt(board.id.slice(0, 8), 16) * 1000).toBe(Math.floor(clock.now() / 1000) * 1000);
    });

    it("a board's description ends with the resource's mark, which read strips", async () => {
        const board = await make("board", { name: "DevOps", description: "Issues and pipelines", resourceUrn: BOARD_URN });
        expect(emulator.boards.get(board.id)!.desc).toBe(`Issues and pipelines\n\nstackwire:${BOARD_URN}`);
        expect((await p.board.provider.read(board.id, board.outs)).props).toMatchObject({ description: "Issues and pipelines" });
        expect((await secondUp("board", board.id, board.outs, board.inputs)).changes).toBe(false);
    });

    it("a board create run again after its answer was lost adopts the board it made", async () => {
        emulator.inject({ kind: "drop-after-commit", route: "POST /1/boards", thenOutage: 20 });
        await expect(make("board", { name: "DevOps", resourceUrn: BOARD_URN })).rejects.toThrow();
        emulator.clearFaults();
        const board = await make("board", { name: "DevOps", resourceUrn: BOARD_URN });
        expect([...emulator.boards.keys()]).toEqual([board.id]);
    });

    it("a board that must be replaced is removed first: its successor, with the same mark, would adopt it", async () => {
        const board = await make("board", { name: "DevOps", resourceUrn: BOARD_URN });
        const withDefaults = await checked("board", { ...board.inputs, defaultLists: true });
        expect(await p.board.provider.diff(board.id, board.outs, withDefaults)).toMatchObject({ replaces: ["defaultLists"], deleteBeforeReplace: true });
    });

    it("another stack's board of the same name is never adopted", async () => {
        await make("board", { name: "DevOps", resourceUrn: BOARD_URN.replace("pulumi:dev::", "pulumi:staging::") });
        await make("board", { name: "DevOps", resourceUrn: BOARD_URN });
        expect(emulator.boards.size).toBe(2);
    });

    it("lists and labels whose create answer was lost are adopted, not duplicated", async () => {
        const board = await make("board", { name: "B" });
        emulator.inject({ kind: "drop-after-commit", route: "POST /1/lists" });
        emulator.inject({ kind: "drop-after-commit", route: "POST /1/labels" });
        const list = await make("list", { boardId: board.id, name: "To do", position: 16384 });
        const label = await make("label", { boardId: board.id, name: "bug", color: "red" });
        expect([...emulator.lists.keys()]).toEqual([list.id]);
        expect([...emulator.labels.keys()]).toEqual([label.id]);
    });

    it("a webhook that exists for our callback and board without our mark is refused, and says what to do", async () => {
        const board = await make("board", { name: "B" });
        await make("webhook", { callbackUrl: `${receiverUrl}/ok`, modelId: board.id, description: "made by hand" });
        await expect(make("webhook", { callbackUrl: `${receiverUrl}/ok`, modelId: board.id, resourceUrn: HOOK_URN })).rejects.toThrow(/already exists: this Trello token already has a webhook calling .*\/ok.*delete it/);
        expect(emulator.webhooks.size).toBe(1);
    });

    it("a webhook create whose answer was lost, run again by the engine, adopts it instead of failing on 'already exists'", async () => {
        const board = await make("board", { name: "B" });
        emulator.inject({ kind: "drop-after-commit", route: "POST /1/webhooks", thenOutage: 20 });
        const inputs = { callbackUrl: `${receiverUrl}/ok`, modelId: board.id, description: "sync", resourceUrn: HOOK_URN };
        await expect(make("webhook", inputs)).rejects.toThrow();
        emulator.clearFaults();
        const hook = await make("webhook", inputs);
        expect([...emulator.webhooks.keys()]).toEqual([hook.id]);
        expect((await secondUp("webhook", hook.id, hook.outs, hook.inputs)).changes).toBe(false);
    });

    it("the rate window never spins on a clock whose waits return at once", async () => {
        let now = 0;
        const sleeps: number[] = [];
        // Time moves a millisecond per look; a wait returns at once without moving it.
        const hasty = { now: () => now++, sleep: async (ms: number) => void sleeps.push(ms) };
        await throttle("hasty-token", hasty, { requests: 1, windowMs: 10_000 });
        await throttle("hasty-token", hasty, { requests: 1, windowMs: 10_000 });
        expect(sleeps).toHaveLength(1);
    });
});

describe("the emulator answers as Trello does (issue 11)", () => {
    it("a board made with Trello's defaults gets its six coloured labels too; the board's lists answer open ones by default", async () => {
        const board = await make("board", { name: "Defaults", defaultLists: true });
        expect([...emulator.labels.values()].filter((l) => l.idBoard === board.id).map((l) => l.color)).toEqual(["green", "yellow", "orange", "red", "purple", "blue"]);
        const list = [...emulator.lists.values()].find((l) => l.idBoard === board.id)!;
        list.closed = true;
        const res = await fetch(`${baseUrl}/boards/${board.id}/lists?key=${KEY}&token=${TOKEN}`);
        expect(((await res.json()) as { name: string }[]).map((l) => l.name)).toEqual(["Doing", "Done"]);
    });
});

/** A server that answers every request with `answer` (a proxy, a wrong path, another service behind the base URL). */
async function answering(answer: (req: http.IncomingMessage) => { status: number; body: unknown }) {
    const server = http.createServer((req, res) => {
        const { status, body } = answer(req);
        res.writeHead(status, { "content-type": typeof body === "string" ? "text/plain" : "application/json" }).end(typeof body === "string" ? body : JSON.stringify(body));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/1`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe("not found means gone only when it is gone (issue 16)", () => {
    const get = async (path: string, as: { key: string; token: string }) => {
        const res = await fetch(`${baseUrl}${path}?key=${as.key}&token=${as.token}`);
        return [res.status, await res.text()];
    };

    it("the emulator answers another member as Trello does: 401 'unauthorized permission requested' for a board it is not on and what is on it, 404 for a board that does not exist", async () => {
        const board = await make("board", { name: "B" });
        const list = await make("list", { boardId: board.id, name: "L" });
        const label = await make("label", { boardId: board.id, name: "bug", color: "red" });
        for (const path of [`/boards/${board.id}`, `/lists/${list.id}`, `/labels/${label.id}`, `/boards/${board.id}/lists`]) expect(await get(path, OUTSIDER)).toEqual([401, "unauthorized permission requested"]);
        expect(await get("/boards/5abbe4b7ddc1b351ef961414", OUTSIDER)).toEqual([404, "The requested resource was not found."]);
        expect(await get("/boards/not-an-id", OUTSIDER)).toEqual([400, "invalid id"]);
        const me = JSON.parse((await get("/members/me", { key: KEY, token: TOKEN }))[1] as string);
        expect(me.id).toMatch(/^[0-9a-f]{24}$/);
    });

    it("the emulator shows a webhook to the token that made it only: 'webhook does not belong to token' (Get a Webhook)", async () => {
        const board = await make("board", { name: "B" });
        const hook = await make("webhook", { callbackUrl: `${receiverUrl}/ok`, modelId: board.id });
        expect(await get(`/webhooks/${hook.id}`, OUTSIDER)).toEqual([401, "webhook does not belong to token"]);
        expect((await get(`/webhooks/${hook.id}`, { key: KEY, token: TOKEN }))[0]).toBe(200);
    });

    it("a board deleted out of band takes its lists and labels with it: their refresh drops them and their delete succeeds, after asking the board and the token's account", async () => {
        const board = await make("board", { name: "B" });
        const list = await make("list", { boardId: board.id, name: "L" });
        const label = await make("label", { boardId: board.id, name: "bug", color: "red" });
        emulator.removeBoard(board.id);
        for (const [kind, made] of [["list", list], ["label", label]] as const) {
            emulator.resetCounts();
            expect((await p[kind].provider.read(made.id, made.outs)).id, kind).toBe("");
            await p[kind].provider.delete(made.id, made.outs);
            expect([kind, emulator.count("GET /1/boards/:id"), emulator.count("GET /1/members/:member")]).toEqual([kind, 2, 2]);
        }
        emulator.resetCounts();
        expect((await p.board.provider.read(board.id, board.outs)).id).toBe("");
        await p.board.provider.delete(board.id, board.outs);
        expect(emulator.count("GET /1/members/:member")).toBe(2);
    });

    it("a webhook deleted out of band leaves the state once the token's own webhooks answer without it", async () => {
        const board = await make("board", { name: "B" });
        const hook = await make("webhook", { callbackUrl: `${receiverUrl}/ok`, modelId: board.id });
        emulator.webhooks.delete(hook.id);
        emulator.resetCounts();
        expect((await p.webhook.provider.read(hook.id, hook.outs)).id).toBe("");
        await p.webhook.provider.delete(hook.id, hook.outs);
        expect(emulator.count("GET /1/tokens/:token/webhooks")).toBe(2);
    });

    it("refreshing a live object costs one request", async () => {
        const board = await make("board", { name: "B" });
        const label = await make("label", { boardId: board.id, name: "bug", color: "red" });
        emulator.resetCounts();
        expect((await secondUp("label", label.id, label.outs, label.inputs)).changes).toBe(false);
        expect(emulator.totalRequests()).toBe(1);
    });

    it("another member's credentials fail naming the token, and the objects stay", async () => {
        const board = await make("board", { name: "B" });
        const label = await make("label", { boardId: board.id, name: "bug", color: "red" });
        const hook = await make("webhook", { callbackUrl: `${receiverUrl}/ok`, modelId: board.id });
        const config = { trelloApiKey: OUTSIDER.key, trelloToken: OUTSIDER.token };
        const outsider = { label: await configuredProvider(labelDefinition as never, config, {}, clock), webhook: await configuredProvider(trelloWebhookDefinition as never, config, {}, clock) };
        await expect(outsider.label.provider.read(label.id, label.outs)).rejects.toThrow(/unauthorized permission requested \(status 401\)\. trelloToken \(or TRELLO_TOKEN\) may not reach this object/);
        await expect(outsider.label.provider.delete(label.id, label.outs)).rejects.toThrow(/trelloToken/);
        await expect(outsider.webhook.provider.read(hook.id, hook.outs)).rejects.toThrow(/webhook does not belong to token \(status 401\)\. The webhook was made with another token than trelloToken/);
        await expect(outsider.webhook.provider.delete(hook.id, hook.outs)).rejects.toThrow(/trelloToken/);
        expect([emulator.labels.has(label.id), emulator.webhooks.has(hook.id)]).toEqual([true, true]);
    });

    it("a base URL that answers 404 to everything (a proxy, a wrong path) never drops an object", async () => {
        const board = await make("board", { name: "B" });
        const label = await make("label", { boardId: board.id, name: "bug", color: "red" });
        const hook = await make("webhook", { callbackUrl: `${receiverUrl}/ok`, modelId: board.id });
        const nowhere = await answering(() => ({ status: 404, body: "The requested resource was not found." }));
        try {
            await expect(p.board.provider.read(board.id, { ...board.outs, baseUrl: nowhere.url })).rejects.toThrow(/board \w+ was not found, and the Trello account of the token is not visible with trelloToken either: trelloToken gets 404 for its own member/);
            await expect(p.label.provider.delete(label.id, { ...label.outs, baseUrl: nowhere.url })).rejects.toThrow(/label \w+ was not found, and board \w+ is not visible with trelloToken either/);
            await expect(p.webhook.provider.read(hook.id, { ...hook.outs, baseUrl: nowhere.url })).rejects.toThrow(/webhook \w+ was not found, and the token's list of webhooks is not visible with trelloToken either/);
        } finally {
            await nowhere.close();
        }
    });

    it("a webhook answered 404 while the token still lists it is kept: the 404 came from elsewhere", async () => {
        const hookId = "5abbe4b7ddc1b351ef961414";
        const split = await answering((req) => (req.url!.startsWith("/1/tokens/") ? { status: 200, body: [{ id: hookId }] } : { status: 404, body: "The requested resource was not found." }));
        try {
            const outs = { baseUrl: split.url, callbackUrl: `${receiverUrl}/ok`, modelId: hookId, description: "", active: true, resourceUrn: null };
            await expect(p.webhook.provider.read(hookId, outs)).rejects.toThrow(/trelloToken still lists webhook 5abbe4b7ddc1b351ef961414/);
        } finally {
            await split.close();
        }
    });

    it("an answer about another object never becomes state", async () => {
        const board = await make("board", { name: "B" });
        const other = await answering(() => ({ status: 200, body: { id: "ffffffffffffffffffffffff", name: "Other", desc: "", closed: false, url: "x", prefs: { permissionLevel: "private" } } }));
        try {
            await expect(p.board.provider.read(board.id, { ...board.outs, baseUrl: other.url })).rejects.toThrow(/asked for board "\w+" and was answered about "ffffffffffffffffffffffff"/);
        } finally {
            await other.close();
        }
    });
});
