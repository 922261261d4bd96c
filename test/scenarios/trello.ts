/** Trello's kinds against the Trello emulator. */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { boardDefinition, labelDefinition, listDefinition } from "../../dynamic-providers/trello/board";
import { trelloWebhookDefinition } from "../../dynamic-providers/trello/webhook";
import { TrelloEmulator } from "../../sandbox/emulators/trello";
import type { KindScenario, VendorRig } from "./scenario";

const KEY = "trelloScenarioKey0123456789abcdef";
const TOKEN = "ATTAtrelloScenarioToken0123456789abcdef";
/** Another member's credentials, accepted by Trello, on none of this stack's boards. */
const OUTSIDER = { key: "trelloOutsiderKey0123456789abcdef", token: "ATTAtrelloOutsiderToken0123456789abcdef" };
/** What Trello answers them (the emulator's routes cite the reference): the operation fails, naming the token. */
const blind = (answers: string) => ({ credentials: { trelloApiKey: OUTSIDER.key, trelloToken: OUTSIDER.token }, answers });
const BOARD_REFUSED = '401 "unauthorized permission requested" (a board its member is not on, and what is on it)';
/** Ids that are not Trello ids (24 hexadecimal characters), which no request may carry. */
const reserved = (field: string) => [".", "..", "5abbe4b7ddc1b351ef961414/..", "5abbe4b7ddc1b351ef96141?", "5abbe4b7ddc1b351ef96141#", "me"].map((v) => ({ [field]: v }));
const urn = (type: string, name: string) => `urn:pulumi:dev::stackwire::stackwire:trello:Board$pulumi-nodejs:dynamic/trello:${type}::${name}`;

/** The app that receives Trello's calls: Trello checks it with HEAD when a webhook is made. Never holds the process open. */
let receiver: Promise<string> | undefined;
function receiverUrl(): Promise<string> {
    receiver ??= new Promise((resolve) => {
        const server = http.createServer((_req, res) => res.writeHead(200).end());
        server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/trello`));
        server.unref();
    });
    return receiver;
}

export function trelloScenarios(): KindScenario[] {
    // The matrix runs on real time with waits that return at once: the emulator's own window is
    // opened wide, so only injected faults refuse a request (the provider's window still runs).
    const emulator = new TrelloEmulator({ key: KEY, token: TOKEN, rate: { requests: 1_000_000, windowMs: 10_000 }, outsiders: [OUTSIDER] });
    const rig: VendorRig = { vendor: "trello", emulator, credentials: { trelloApiKey: KEY, trelloToken: TOKEN }, connection: () => ({ baseUrl: `${emulator.url}/1` }) };
    /** The board lists, labels and webhooks live on, made directly in the emulator as this stack's. */
    const board = () => {
        const id = `${Math.floor(Date.now() / 1000).toString(16)}${"0".repeat(15)}1`;
        emulator.boards.set(id, { id, name: "DevOps", desc: "", closed: false, idOrganization: null, url: `https://trello.example/b/${id}`, prefs: { permissionLevel: "private" } });
        return id;
    };
    return [
        {
            kind: "trello:Board",
            rig,
            definition: boardDefinition,
            inputs: async () => ({ name: "DevOps", description: "Issues and pipelines", resourceUrn: urn("Board", "trello-devops-board") }),
            change: { name: "DevOps board", permissionLevel: "org" },
            writes: { create: "POST /1/boards", update: "PUT /1/boards/:id", delete: "DELETE /1/boards/:id" },
            held: () => [...emulator.boards.keys()],
            blind: blind(BOARD_REFUSED),
            removeOutOfBand: (id) => emulator.removeBoard(id),
        },
        {
            kind: "trello:List",
            rig,
            definition: listDefinition,
            inputs: async () => ({ boardId: board(), name: "Pipelines", position: 16384 }),
            change: { name: "Pipelines (CI)" },
            writes: { create: "POST /1/lists", update: "PUT /1/lists/:id", delete: "PUT /1/lists/:id/closed" },
            // Lists are archived, never deleted: the open ones on a board that exists are what it holds.
            held: () => [...emulator.lists.values()].filter((l) => !l.closed && emulator.boards.has(l.idBoard)).map((l) => l.id),
            archivedOnDelete: true,
            blind: blind(BOARD_REFUSED),
            // Trello deletes no list: one goes only with its board (then the list and the board answer 404).
            removeOutOfBand: (id) => emulator.removeBoard(emulator.lists.get(id)!.idBoard),
            reservedIds: reserved("boardId"),
        },
        {
            kind: "trello:Label",
            rig,
            definition: labelDefinition,
            inputs: async () => ({ boardId: board(), name: "bug", color: "red" }),
            change: { color: "red_dark" },
            writes: { create: "POST /1/labels", update: "PUT /1/labels/:id", delete: "DELETE /1/labels/:id" },
            held: () => [...emulator.labels.values()].filter((l) => emulator.boards.has(l.idBoard)).map((l) => l.id),
            blind: blind(BOARD_REFUSED),
            removeOutOfBand: (id) => void emulator.labels.delete(id),
            // The board deleted: its labels go with it.
            removeParentOutOfBand: (id) => emulator.removeBoard(emulator.labels.get(id)!.idBoard),
            reservedIds: reserved("boardId"),
        },
        {
            kind: "trello:Webhook",
            rig,
            definition: trelloWebhookDefinition,
            inputs: async () => ({ modelId: board(), callbackUrl: await receiverUrl(), description: "issues to cards", resourceUrn: urn("Webhook", "trello-devops-webhook-github") }),
            change: { description: "issues and pipelines to cards" },
            writes: { create: "POST /1/webhooks", update: "PUT /1/webhooks/:id", delete: "DELETE /1/webhooks/:id" },
            held: () => [...emulator.webhooks.keys()],
            blind: blind('"webhook does not belong to token" (Get a Webhook), as 401'),
            removeOutOfBand: (id) => void emulator.webhooks.delete(id),
            reservedIds: reserved("modelId"),
        },
    ];
}
