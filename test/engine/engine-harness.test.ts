/**
 * The engine harness does what `pulumi up` does when a resource leaves the program: deletes it,
 * dependents first; refuses when it is protected; only forgets it when it is retainOnDelete. And
 * secret inputs reach the provider unwrapped. Through the real provider host, against the Trello
 * emulator.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { TrelloBoardResource, TrelloList } from "../../dynamic-providers/trello/board";
import { MiniEngine, ProtectedResourceError } from "../../sandbox/engine/mini-engine";
import { trelloRig } from "./trello-rig";

const { trello, host: rigHost } = trelloRig();

interface Shape {
    /** Boards by name, each with its lists (by name); options per board. */
    boards: Record<string, { lists: string[]; protect?: boolean; retainOnDelete?: boolean; secretDescription?: boolean }>;
}

/** A program of boards and their lists: each list depends on its board through its input. */
function program(shape: Shape): () => pulumi.Output<unknown>[] {
    return () =>
        Object.entries(shape.boards).flatMap(([name, b]) => {
            const description = b.secretDescription ? pulumi.secret(`about ${name}`) : `about ${name}`;
            const board = new TrelloBoardResource(`board-${name}`, { baseUrl: `${trello.url}/1`, name, description }, { protect: b.protect, retainOnDelete: b.retainOnDelete });
            const lists = b.lists.map((list) => new TrelloList(`list-${name}-${list}`, { baseUrl: `${trello.url}/1`, boardId: board.id, name: list }));
            return [board.id, ...lists.map((l) => l.id)];
        });
}

const liveBoards = () => [...trello.boards.values()].filter((b) => b.closed !== true).map((b) => String(b.name)).sort();
const openLists = () => [...trello.lists.values()].filter((l) => l.closed !== true).map((l) => String(l.name)).sort();

test("a resource that leaves the program is deleted, its dependents first", async () => {
    trello.reset();
    const engine = new MiniEngine(rigHost(), "stackwire", "local");
    await engine.up({}, program({ boards: { ops: { lists: ["todo", "done"] }, dev: { lists: ["backlog"] } } }));
    assert.deepEqual(liveBoards(), ["dev", "ops"]);

    const order: string[] = [];
    trello.onRequest = (line) => void (/ (DELETE|PUT) /.test(line) && order.push(line));
    await engine.up({}, program({ boards: { ops: { lists: ["todo", "done"] } } }));
    trello.onRequest = undefined;
    assert.deepEqual(engine.steps["board-dev"], "delete");
    assert.deepEqual(engine.steps["list-dev-backlog"], "delete");
    assert.deepEqual(liveBoards(), ["ops"]);
    assert.deepEqual(openLists(), ["done", "todo"]);
    // The list (archived with PUT) went before its board (DELETE).
    const listAt = order.findIndex((l) => l.includes(" PUT /1/lists/"));
    const boardAt = order.findIndex((l) => l.includes(" DELETE /1/boards/"));
    assert.ok(listAt >= 0 && boardAt > listAt, `list first, then board: ${order.join(" | ")}`);
    await engine.destroy();
    assert.deepEqual(liveBoards(), []);
});

test("a protected resource is not deleted: the up fails and the board stays", async () => {
    trello.reset();
    const engine = new MiniEngine(rigHost(), "stackwire", "local");
    await engine.up({}, program({ boards: { ops: { lists: [], protect: true } } }));
    await assert.rejects(engine.up({}, program({ boards: {} })), ProtectedResourceError);
    assert.deepEqual(liveBoards(), ["ops"]);
    await assert.rejects(engine.destroy(), /protected/);
    // Lifting protect (one up with protect: false) lets it go.
    await engine.up({}, program({ boards: { ops: { lists: [], protect: false } } }));
    await engine.destroy();
    assert.deepEqual(liveBoards(), []);
});

test("a retainOnDelete resource leaves the state but stays on the platform", async () => {
    trello.reset();
    const engine = new MiniEngine(rigHost(), "stackwire", "local");
    await engine.up({}, program({ boards: { archive: { lists: [], retainOnDelete: true } } }));
    await engine.up({}, program({ boards: {} }));
    assert.equal(engine.steps["board-archive"], "retain");
    assert.equal(engine.state.size, 0);
    assert.deepEqual(liveBoards(), ["archive"]);
});

test("secret inputs reach the provider unwrapped, as the engine hands them over", async () => {
    trello.reset();
    const engine = new MiniEngine(rigHost(), "stackwire", "local");
    await engine.up({}, program({ boards: { vault: { lists: [], secretDescription: true } } }));
    // The description as written (the provider adds its ownership mark below it), not a wrapped secret.
    assert.match(String([...trello.boards.values()][0].desc), /^about vault\n/);
    await engine.destroy();
});

const stepsOf = (plan: Record<string, { step: string }>) => Object.fromEntries(Object.entries(plan).map(([name, p]) => [name, p.step]));

test("preview says what up then does, resource for resource, and calls no API", async () => {
    trello.reset();
    const engine = new MiniEngine(rigHost(), "stackwire", "local");
    const first = program({ boards: { ops: { lists: ["todo", "done"] }, dev: { lists: ["backlog"] } } });

    trello.resetCounts();
    const fresh = await engine.preview({}, first);
    assert.equal(trello.totalRequests(), 0, "a preview makes no request");
    // The lists' boardId is unknown until their board is made: check and diff take it as the engine sends it.
    assert.deepEqual(stepsOf(fresh), { "board-ops": "create", "board-dev": "create", "list-ops-todo": "create", "list-ops-done": "create", "list-dev-backlog": "create" });
    await engine.up({}, first);
    assert.deepEqual(engine.steps, stepsOf(fresh));

    trello.resetCounts();
    const again = await engine.preview({}, first);
    assert.ok(Object.values(again).every((p) => p.step === "same"), JSON.stringify(again));
    assert.equal(trello.totalRequests(), 0);

    // A list added, a board and its list removed (in-place changes and replacements: the next test).
    const next = program({ boards: { ops: { lists: ["todo", "done", "later"] } } });
    const plan = await engine.preview({}, next);
    assert.deepEqual(stepsOf(plan), { "board-ops": "same", "list-ops-todo": "same", "list-ops-done": "same", "list-ops-later": "create", "board-dev": "delete", "list-dev-backlog": "delete" });
    await engine.up({}, next);
    assert.deepEqual(engine.steps, stepsOf(plan));
    await engine.destroy();
});

test("preview names the changed properties, and which of them replace", async () => {
    trello.reset();
    const engine = new MiniEngine(rigHost(), "stackwire", "local");
    const withName = (name: string, boardOf: string) => () => {
        const boards = ["a", "b"].map((b) => new TrelloBoardResource(`board-${b}`, { baseUrl: `${trello.url}/1`, name: b }));
        const list = new TrelloList("list", { baseUrl: `${trello.url}/1`, boardId: boards[boardOf === "a" ? 0 : 1].id, name });
        return [...boards.map((b) => b.id), list.id];
    };
    await engine.up({}, withName("todo", "a"));
    const rename = await engine.preview({}, withName("to do", "a"));
    assert.deepEqual(rename.list, { step: "update", changed: ["name"] });
    const move = await engine.preview({}, withName("todo", "b"));
    assert.deepEqual(move.list, { step: "replace", changed: ["boardId"], replaces: ["boardId"] });
    await engine.up({}, withName("todo", "b"));
    assert.equal(engine.steps.list, "replace");
    await engine.destroy();
});
