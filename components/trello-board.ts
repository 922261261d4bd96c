/**
 * A Trello board with its lists (in the declared order), labels and webhooks from the stack
 * config. Webhooks watch the board; their callbacks must answer HEAD with 200.
 */
import * as pulumi from "@pulumi/pulumi";
import { TrelloBoardResource, TrelloLabel, TrelloList } from "../dynamic-providers/trello/board";
import { TrelloWebhook } from "../dynamic-providers/trello/webhook";
import type { Environment } from "../stacks/environment";

export const TRELLO_BOARD_TYPE = "stackwire:trello:Board";

/** Trello's gap between list positions, so lists can later be placed between others. */
const POSITION_STEP = 16384;

export interface TrelloBoardArgs {
    baseUrl?: pulumi.Input<string>;
    name: pulumi.Input<string>;
    description?: pulumi.Input<string>;
    permissionLevel?: pulumi.Input<"private" | "org" | "public">;
    /** List names, left to right. */
    lists: string[];
    /** Label name → colour (null for none). */
    labels: Record<string, string | null>;
    /** Webhook name → where Trello posts board events (e.g. an app's endpoint output). */
    webhooks: Record<string, { callbackUrl: pulumi.Input<string>; description?: string }>;
    environment: Environment;
}

export class TrelloBoard extends pulumi.ComponentResource {
    public readonly boardId: pulumi.Output<string>;
    public readonly url: pulumi.Output<string>;
    public readonly listIds: pulumi.Output<Record<string, string>>;
    public readonly labelIds: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: TrelloBoardArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TRELLO_BOARD_TYPE, name, {}, opts);
        const connection = args.baseUrl ? { baseUrl: args.baseUrl } : {};
        const board = new TrelloBoardResource(`${name}-board`, { ...connection, name: args.name, description: args.description, permissionLevel: args.permissionLevel }, { parent: this, protect: args.environment.protectStateful });
        const lists = args.lists.map((list, i) => [list, new TrelloList(`${name}-list-${i}`, { ...connection, boardId: board.id, name: list, position: (i + 1) * POSITION_STEP }, { parent: board })] as const);
        const labels = Object.entries(args.labels).map(([label, color]) => [label, new TrelloLabel(`${name}-label-${label}`, { ...connection, boardId: board.id, name: label, color }, { parent: board })] as const);
        for (const [hook, spec] of Object.entries(args.webhooks)) {
            new TrelloWebhook(`${name}-webhook-${hook}`, { ...connection, modelId: board.id, callbackUrl: spec.callbackUrl, description: spec.description ?? hook }, { parent: board });
        }
        this.boardId = board.id;
        this.url = board.url;
        this.listIds = pulumi.output(Object.fromEntries(lists.map(([n, l]) => [n, l.id])));
        this.labelIds = pulumi.output(Object.fromEntries(labels.map(([n, l]) => [n, l.id])));
        this.registerOutputs({ boardId: this.boardId, url: this.url, listIds: this.listIds, labelIds: this.labelIds });
    }
}
