/**
 * A preview never lies: for random programs and random edits (add, remove, rename in place, move
 * a list to another board, which replaces it, reorder), the preview's plan is what `up` then does,
 * resource for resource; after `up` a second preview plans nothing and calls no API; after destroy
 * nothing is live on the emulator. Fixed seed; a failure prints the seed and the shrunk case.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import * as pulumi from "@pulumi/pulumi";
import { TrelloBoardResource, TrelloList } from "../../dynamic-providers/trello/board";
import { MiniEngine } from "../../sandbox/engine/mini-engine";
import { trelloRig } from "./trello-rig";

const SEED = Number(process.env.STACKWIRE_PROPERTY_SEED ?? 20261125);
// Many runs in a row: Trello's rate limit is not what this test is about.
const { trello, host: rigHost } = trelloRig({ rate: { requests: 100_000, windowMs: 10_000 } });

/** Boards by key with a display name; lists by key with the board they sit on and a name. */
interface Shape {
    boards: Record<string, string>;
    lists: Record<string, { board: string; name: string }>;
}

const BOARD_KEYS = ["a", "b", "c"];
const LIST_KEYS = ["l1", "l2", "l3", "l4"];
const names = fc.constantFrom("Todo", "Doing", "Done", "Later");

const shape: fc.Arbitrary<Shape> = fc
    .record({ boards: fc.subarray(BOARD_KEYS, { minLength: 1 }), names: fc.array(names, { minLength: 3, maxLength: 3 }), lists: fc.subarray(LIST_KEYS), picks: fc.array(fc.nat(), { minLength: 4, maxLength: 4 }), listNames: fc.array(names, { minLength: 4, maxLength: 4 }) })
    .map(({ boards, names: boardNames, lists, picks, listNames }) => ({
        boards: Object.fromEntries(boards.map((b, i) => [b, boardNames[i]])),
        lists: Object.fromEntries(lists.map((l, i) => [l, { board: boards[picks[i] % boards.length], name: listNames[i] }])),
    }));

function program(s: Shape): () => pulumi.Output<unknown>[] {
    return () => {
        const boards = Object.fromEntries(Object.entries(s.boards).map(([key, name]) => [key, new TrelloBoardResource(`board-${key}`, { baseUrl: `${trello.url}/1`, name })]));
        const lists = Object.entries(s.lists).map(([key, l]) => new TrelloList(`list-${key}`, { baseUrl: `${trello.url}/1`, boardId: boards[l.board].id, name: l.name }));
        return [...Object.values(boards).map((b) => b.id), ...lists.map((l) => l.id)];
    };
}

const stepsOf = (plan: Record<string, { step: string }>) => Object.fromEntries(Object.entries(plan).map(([name, p]) => [name, p.step]));

test("a preview's plan is what up then does, for random programs and edits", async () => {
    await fc.assert(
        fc.asyncProperty(fc.array(shape, { minLength: 2, maxLength: 3 }), async (versions) => {
            trello.reset();
            const engine = new MiniEngine(rigHost(), "stackwire", "pr-7");
            try {
                for (const version of versions) {
                    trello.resetCounts();
                    const plan = await engine.preview({}, program(version));
                    assert.equal(trello.totalRequests(), 0, "a preview calls no API");
                    await engine.up({}, program(version));
                    assert.deepEqual(engine.steps, stepsOf(plan));
                    trello.resetCounts();
                    const again = await engine.preview({}, program(version));
                    assert.deepEqual(Object.values(again).filter((p) => p.step !== "same"), []);
                    assert.equal(trello.totalRequests(), 0);
                }
            } finally {
                await engine.destroy();
            }
            assert.deepEqual([...trello.boards.values()].filter((b) => b.closed !== true), []);
        }),
        { seed: SEED, numRuns: 8, endOnFailure: true, verbose: 1 },
    );
});
