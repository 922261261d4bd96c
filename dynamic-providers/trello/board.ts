/**
 * Trello boards, lists and labels. A board starts without Trello's default lists and labels,
 * so the config alone decides what it holds. Lists cannot be deleted in Trello: deleting one
 * archives it.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { trello } from "./client";
import { boardInputSchema, labelInputSchema, listInputSchema, type BoardInputs } from "./schema";

export interface BoardState extends BoardInputs {
    url: string;
}

interface ApiBoard {
    id: string;
    name: string;
    desc: string;
    closed: boolean;
    url: string;
    idOrganization: string | null;
    prefs: { permissionLevel: BoardInputs["permissionLevel"] };
}

export const boardDefinition: ResourceDefinition<ReturnType<typeof boardInputSchema>, BoardState> = {
    module: "trello",
    type: "Board",
    service: "trello",
    outputs: ["url"],
    schema: boardInputSchema,
    // Default lists exist only at creation, so asking for them later means a new board.
    replaceOnChanges: ["baseUrl", "organizationId", "defaultLists"],
    deleteBeforeReplace: false,
    async create(ctx, i) {
        const board = await trello(ctx, i.baseUrl, `create board ${i.name}`).post<ApiBoard>("/boards/", {
            name: i.name,
            desc: i.description,
            defaultLists: i.defaultLists,
            defaultLabels: i.defaultLists,
            prefs_permissionLevel: i.permissionLevel,
            ...(i.organizationId ? { idOrganization: i.organizationId } : {}),
        });
        return { id: board.id, outs: { ...i, url: board.url } };
    },
    async read(ctx, id, state) {
        const b = await trello(ctx, state.baseUrl, `read board ${id}`).get<ApiBoard>(`/boards/${id}`);
        if (!b || b.closed) return undefined;
        return { ...state, name: b.name, description: b.desc, permissionLevel: b.prefs.permissionLevel, url: b.url };
    },
    async update(ctx, id, olds, news) {
        await trello(ctx, news.baseUrl, `update board ${id}`).put(`/boards/${id}`, { name: news.name, desc: news.description, "prefs/permissionLevel": news.permissionLevel });
        return { ...news, url: olds.url };
    },
    async delete(ctx, id, state) {
        await trello(ctx, state.baseUrl, `delete board ${id}`).remove(`/boards/${id}`);
    },
};

interface ApiList {
    id: string;
    name: string;
    pos: number;
    closed: boolean;
}

export const listDefinition: ResourceDefinition<ReturnType<typeof listInputSchema>> = {
    module: "trello",
    type: "List",
    service: "trello",
    schema: listInputSchema,
    replaceOnChanges: ["baseUrl", "boardId"],
    deleteBeforeReplace: false,
    async create(ctx, i) {
        const list = await trello(ctx, i.baseUrl, `create list ${i.name}`).post<ApiList>("/lists", { name: i.name, idBoard: i.boardId, pos: i.position ?? "bottom", closed: i.closed });
        return { id: list.id, outs: i };
    },
    async read(ctx, id, state) {
        const l = await trello(ctx, state.baseUrl, `read list ${id}`).get<ApiList>(`/lists/${id}`);
        // A position left to Trello is whatever Trello chose; only a chosen one can drift.
        return l && { ...state, name: l.name, closed: l.closed, position: state.position === null ? null : l.pos };
    },
    async update(ctx, id, _olds, news) {
        await trello(ctx, news.baseUrl, `update list ${id}`).put(`/lists/${id}`, { name: news.name, closed: news.closed, ...(news.position !== null ? { pos: news.position } : {}) });
        return news;
    },
    async delete(ctx, id, state) {
        // Lists cannot be deleted in Trello: archive, in one call (a list already gone is done).
        await trello(ctx, state.baseUrl, `archive list ${id}`).retire(`/lists/${id}/closed`, { value: true });
    },
};

export const labelDefinition: ResourceDefinition<ReturnType<typeof labelInputSchema>> = {
    module: "trello",
    type: "Label",
    service: "trello",
    schema: labelInputSchema,
    replaceOnChanges: ["baseUrl", "boardId"],
    deleteBeforeReplace: false,
    async create(ctx, i) {
        const label = await trello(ctx, i.baseUrl, `create label ${i.name}`).post<{ id: string }>("/labels", { name: i.name, color: i.color ?? "null", idBoard: i.boardId });
        return { id: label.id, outs: i };
    },
    async read(ctx, id, state) {
        const l = await trello(ctx, state.baseUrl, `read label ${id}`).get<{ name: string; color: string | null }>(`/labels/${id}`);
        return l && { ...state, name: l.name, color: l.color };
    },
    async update(ctx, id, _olds, news) {
        await trello(ctx, news.baseUrl, `update label ${id}`).put(`/labels/${id}`, { name: news.name, color: news.color ?? "null" });
        return news;
    },
    async delete(ctx, id, state) {
        await trello(ctx, state.baseUrl, `delete label ${id}`).remove(`/labels/${id}`);
    },
};

/** `defaultLists` starts the board with Trello's own lists and labels (default: none); it replaces the board. */
export type TrelloBoardResourceArgs = ResourceArgs<ReturnType<typeof boardInputSchema>>;
/** `position` is Trello's number: lower is further left. */
export type TrelloListArgs = ResourceArgs<ReturnType<typeof listInputSchema>>;
export type TrelloLabelArgs = ResourceArgs<ReturnType<typeof labelInputSchema>>;

export class TrelloBoardResource extends DynamicResource<ReturnType<typeof boardInputSchema>, BoardState> {
    declare readonly url: pulumi.Output<string>;
    constructor(name: string, args: TrelloBoardResourceArgs, opts?: pulumi.CustomResourceOptions) {
        super(boardDefinition, name, args, opts);
    }
}

export class TrelloList extends DynamicResource<ReturnType<typeof listInputSchema>> {
    constructor(name: string, args: TrelloListArgs, opts?: pulumi.CustomResourceOptions) {
        super(listDefinition, name, args, opts);
    }
}

export class TrelloLabel extends DynamicResource<ReturnType<typeof labelInputSchema>> {
    constructor(name: string, args: TrelloLabelArgs, opts?: pulumi.CustomResourceOptions) {
        super(labelDefinition, name, args, opts);
    }
}
