/**
 * A Trello board with its lists, labels and webhooks. Lists are keyed by a logical name, so
 * inserting or reordering lists moves them instead of renaming the others. Webhooks watch the
 * board; their callbacks must answer HEAD with 200.
 */
import * as pulumi from "@pulumi/pulumi";
import { TrelloBoardResource, TrelloLabel, TrelloList, type TrelloBoardResourceArgs, type TrelloLabelArgs, type TrelloListArgs } from "../../dynamic-providers/trello/board";
import { TrelloWebhook, type TrelloWebhookArgs } from "../../dynamic-providers/trello/webhook";
import { adoptable, transformed, UNPROTECTED, type Adoptable, type DataPolicy, type Transform } from "../component";

export const TRELLO_BOARD_TYPE = "stackwire:trello:Board";

/** Trello's gap between list positions, so lists can later be placed between others. */
export const POSITION_STEP = 16384;

export interface BoardList extends Adoptable {
    /** Stable key: the list's resource is named after it, so renaming the list keeps it. */
    key: string;
    /** The list's name on the board. */
    name: pulumi.Input<string>;
}

export interface BoardLabel extends Adoptable {
    /** The label's colour; null for none. */
    color: string | null;
}

export interface TrelloBoardArgs extends Adoptable {
    /** @default https://api.trello.com/1 */
    baseUrl?: pulumi.Input<string>;
    name: pulumi.Input<string>;
    description?: pulumi.Input<string>;
    /** @default "private" */
    permissionLevel?: pulumi.Input<"private" | "org" | "public">;
    /** Lists, left to right. Keys must be unique. */
    lists: BoardList[];
    /** Label name → colour (null for none), or the label with an adoption. */
    labels?: Record<string, string | null | BoardLabel>;
    /** Webhook name → where Trello posts board events (e.g. an app's endpoint output). */
    webhooks?: Record<string, { callbackUrl: pulumi.Input<string>; description?: pulumi.Input<string> }>;
    /** Protects the board. @default nothing protected */
    policy?: DataPolicy;
    transform?: {
        board?: Transform<TrelloBoardResourceArgs>;
        list?: Transform<TrelloListArgs>;
        label?: Transform<TrelloLabelArgs>;
        webhook?: Transform<TrelloWebhookArgs>;
    };
}

export class TrelloBoard extends pulumi.ComponentResource {
    public readonly boardId: pulumi.Output<string>;
    public readonly url: pulumi.Output<string>;
    /** List ids by list key. */
    public readonly listIds: pulumi.Output<Record<string, string>>;
    public readonly labelIds: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: TrelloBoardArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TRELLO_BOARD_TYPE, name, {}, opts);
        const connection = args.baseUrl ? { baseUrl: args.baseUrl } : {};
        const [{ adopt: boardAdopt }, boardAdoption] = adoptable({ adopt: args.adopt, deleteAdopted: args.deleteAdopted });
        const boardArgs: TrelloBoardResourceArgs = { ...connection, name: args.name, description: args.description, permissionLevel: args.permissionLevel, ...(boardAdopt ? { adopt: boardAdopt } : {}) };
        const board = new TrelloBoardResource(...transformed(args.transform?.board, `${name}-board`, boardArgs, { parent: this, protect: (args.policy ?? UNPROTECTED).protect, ...boardAdoption }));
        const lists = args.lists.map((spec, i) => {
            const [list, adoption] = adoptable(spec);
            // An adopted list stays where it is (Trello's position); the stack's own are placed left to right.
            const listArgs: TrelloListArgs = { ...connection, boardId: board.id, name: list.name, position: list.adopt ? null : (i + 1) * POSITION_STEP, ...(list.adopt ? { adopt: list.adopt } : {}) };
            // Earlier builds named lists by position; an alias keeps a board that has not changed since.
            const options = { parent: board, aliases: [{ name: `${name}-list-${i}` }], ...adoption };
            return [list.key, new TrelloList(...transformed(args.transform?.list, `${name}-list-${list.key}`, listArgs, options))] as const;
        });
        const labels = Object.entries(args.labels ?? {}).map(([label, spec]) => {
            const [{ color, adopt }, adoption] = adoptable(spec === null || typeof spec === "string" ? { color: spec } : spec);
            const labelArgs: TrelloLabelArgs = { ...connection, boardId: board.id, name: label, color, ...(adopt ? { adopt } : {}) };
            return [label, new TrelloLabel(...transformed(args.transform?.label, `${name}-label-${label}`, labelArgs, { parent: board, ...adoption }))] as const;
        });
        for (const [hook, spec] of Object.entries(args.webhooks ?? {})) {
            const hookArgs: TrelloWebhookArgs = { ...connection, modelId: board.id, callbackUrl: spec.callbackUrl, description: spec.description ?? hook };
            new TrelloWebhook(...transformed(args.transform?.webhook, `${name}-webhook-${hook}`, hookArgs, { parent: board }));
        }
        this.boardId = board.id;
        this.url = board.url;
        this.listIds = pulumi.output(Object.fromEntries(lists.map(([key, l]) => [key, l.id])));
        this.labelIds = pulumi.output(Object.fromEntries(labels.map(([n, l]) => [n, l.id])));
        this.registerOutputs({ boardId: this.boardId, url: this.url, listIds: this.listIds, labelIds: this.labelIds });
    }
}
