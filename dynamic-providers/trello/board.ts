/**
 * Trello boards, lists and labels. A board starts without Trello's default lists and labels,
 * so the config alone decides what it holds. Lists cannot be deleted in Trello: deleting one
 * archives it.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { dynamicProvider, type ResourceDefinition } from "../core/provider";
import { TRELLO_COLORS, trello, trelloConnectionShape, trelloIdSchema } from "./client";

export function boardInputSchema() {
    return z.object({
        ...trelloConnectionShape(),
        name: z.string().min(1).max(16384),
        description: z.string().max(16384).default(""),
        permissionLevel: z.enum(["private", "org", "public"]).default("private"),
        organizationId: trelloIdSchema("organizationId").nullable().default(null),
        /** Trello's own To Do / Doing / Done lists and six coloured labels; off so the config decides. */
        defaultLists: z.boolean().default(false),
    });
}
export type BoardInputs = z.output<ReturnType<typeof boardInputSchema>>;
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

export const boardDefinition: ResourceDefinition<BoardInputs, BoardState> = {
    service: "trello",
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

export function listInputSchema() {
    return z.object({
        ...trelloConnectionShape(),
        boardId: trelloIdSchema("boardId"),
        name: z.string().min(1).max(16384),
        /** Trello's position number; lower is further left. */
        position: z.number().positive().nullable().default(null),
        closed: z.boolean().default(false),
    });
}
export type ListInputs = z.output<ReturnType<typeof listInputSchema>>;
interface ApiList {
    id: string;
    name: string;
    pos: number;
    closed: boolean;
}

export const listDefinition: ResourceDefinition<ListInputs, ListInputs> = {
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
        const api = trello(ctx, state.baseUrl, `archive list ${id}`);
        if ((await api.get(`/lists/${id}`)) !== undefined) await api.put(`/lists/${id}/closed`, { value: true });
    },
};

export function labelInputSchema() {
    return z.object({
        ...trelloConnectionShape(),
        boardId: trelloIdSchema("boardId"),
        name: z.string().max(16384).default(""),
        color: z
            .string()
            .refine((c) => TRELLO_COLORS.includes(c), `must be one of ${TRELLO_COLORS.filter((c) => !c.includes("_")).join(", ")} (or with _dark / _light)`)
            .nullable()
            .default(null),
    });
}
export type LabelInputs = z.output<ReturnType<typeof labelInputSchema>>;

export const labelDefinition: ResourceDefinition<LabelInputs, LabelInputs> = {
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

export const boardProvider = dynamicProvider(boardDefinition);
export const listProvider = dynamicProvider(listDefinition);
export const labelProvider = dynamicProvider(labelDefinition);

interface TrelloArgs {
    /** @default https://api.trello.com/1 */
    baseUrl?: pulumi.Input<string>;
}

export interface TrelloBoardResourceArgs extends TrelloArgs {
    name: pulumi.Input<string>;
    description?: pulumi.Input<string>;
    /** @default "private" */
    permissionLevel?: pulumi.Input<"private" | "org" | "public">;
    organizationId?: pulumi.Input<string>;
    /** Start with Trello's default lists and labels. @default false */
    defaultLists?: pulumi.Input<boolean>;
}

export interface TrelloListArgs extends TrelloArgs {
    boardId: pulumi.Input<string>;
    name: pulumi.Input<string>;
    position?: pulumi.Input<number>;
    closed?: pulumi.Input<boolean>;
}

export interface TrelloLabelArgs extends TrelloArgs {
    boardId: pulumi.Input<string>;
    name?: pulumi.Input<string>;
    color?: pulumi.Input<string | null>;
}

export class TrelloBoardResource extends pulumi.dynamic.Resource {
    declare readonly url: pulumi.Output<string>;
    constructor(name: string, args: TrelloBoardResourceArgs, opts?: pulumi.CustomResourceOptions) {
        super(boardProvider, name, { url: undefined, ...args }, opts, "trello", "Board");
    }
}

export class TrelloList extends pulumi.dynamic.Resource {
    constructor(name: string, args: TrelloListArgs, opts?: pulumi.CustomResourceOptions) {
        super(listProvider, name, { ...args }, opts, "trello", "List");
    }
}

export class TrelloLabel extends pulumi.dynamic.Resource {
    constructor(name: string, args: TrelloLabelArgs, opts?: pulumi.CustomResourceOptions) {
        super(labelProvider, name, { ...args }, opts, "trello", "Label");
    }
}
