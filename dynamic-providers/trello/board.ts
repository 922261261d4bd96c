/**
 * Trello boards, lists and labels. A board starts without Trello's default lists and labels,
 * so the config alone decides what it holds. Lists cannot be deleted in Trello: deleting one
 * archives it.
 *
 * Ownership of a create whose answer was lost (core/ownership.ts). Trello takes duplicates of all
 * three, so each create looks first:
 * - a board is ours when its description ends with this resource's mark (a last line
 *   `stackwire:urn:…`, stripped on read); without a URN, when it has our name, description and
 *   permission level and was created within the lost-create window;
 * - lists and labels have no free text field; they live on a board this stack owns, so one there
 *   with our name and settings (a list's chosen position, a label's colour) created within the
 *   lost-create window is ours (on a board made with `defaultLists`, Trello's own list or label
 *   of that name and settings counts too: the config asks for exactly that one). A Trello id is a
 *   MongoDB ObjectId: its first 8 hex digits are its creation time (`createdAtOf`).
 *
 * Gone only when gone (issue 16): Trello answers a token that may not see a board (or its lists
 * and labels) 401 "unauthorized permission requested", which fails the operation and names the
 * token. A 404 counts as "gone" only once confirmed with the same credentials: a board's by the
 * token's account (GET /1/members/me), a list's or label's by its board, and when the board is
 * gone too, by the account (client.ts `theAccount`, `theBoard`).
 */
import type * as pulumi from "@pulumi/pulumi";
import { createdRecently, createOnce } from "../core/ownership";
import { answerIsAbout, confirmGone, segment } from "../core/gone";
import type { OperationContext, ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { createdAtOf, endsWithMark, theAccount, theBoard, trello, trelloHttp, withMark, withoutMark } from "./client";
import { boardInputSchema, labelInputSchema, listInputSchema, type BoardInputs, type LabelInputs, type ListInputs } from "./schema";

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

/** The newest of the objects an earlier attempt of ours may have left: a create adopts one, never two. */
function newest<T extends { id: string }>(found: T[]): T | undefined {
    return [...found].sort((a, b) => createdAtOf(b.id) - createdAtOf(a.id))[0];
}

function isOurBoard(ctx: OperationContext, i: BoardInputs, b: ApiBoard): boolean {
    if (i.resourceUrn) return endsWithMark(b.desc, i.resourceUrn);
    return b.name === i.name && b.desc === i.description && b.prefs?.permissionLevel === i.permissionLevel && createdRecently(ctx, createdAtOf(b.id));
}

function boardChanges(i: BoardInputs) {
    return { name: i.name, desc: withMark(i.description, i.resourceUrn), "prefs/permissionLevel": i.permissionLevel };
}

export const boardDefinition: ResourceDefinition<ReturnType<typeof boardInputSchema>, BoardState> = {
    module: "trello",
    type: "Board",
    service: "trello",
    outputs: ["url"],
    schema: boardInputSchema,
    // Default lists exist only at creation, so asking for them later means a new board.
    // Trello is one service: a new baseUrl (a proxy, the emulator) reaches the same objects.
    replaceOnChanges: ["organizationId", "defaultLists"],
    // The new board carries the old one's mark: made while the old one is there, its create would
    // adopt the board about to be deleted. A replaced board loses its cards either way.
    deleteBeforeReplace: true,
    urnInput: true,
    async create(ctx, i) {
        const operation = `create board ${i.name}`;
        const made = await createOnce<{ board: ApiBoard; adopted: boolean }>(ctx, operation, {
            http: trelloHttp(ctx),
            lookFirst: true,
            create: async (call) => ({
                board: await trello(ctx, i.baseUrl, operation, { call }).post<ApiBoard>("/boards/", {
                    name: i.name,
                    desc: withMark(i.description, i.resourceUrn),
                    defaultLists: i.defaultLists,
                    defaultLabels: i.defaultLists,
                    prefs_permissionLevel: i.permissionLevel,
                    ...(i.organizationId ? { idOrganization: i.organizationId } : {}),
                }),
                adopted: false,
            }),
            findLanded: async () => {
                const boards = await trello(ctx, i.baseUrl, `look for board ${i.name}`).get<ApiBoard[]>("/members/me/boards", { filter: "open", fields: "id,name,desc,closed,url,idOrganization,prefs" });
                const board = newest((boards ?? []).filter((b) => !b.closed && isOurBoard(ctx, i, b)));
                return board && { board, adopted: true };
            },
        });
        const { board } = made;
        // An earlier attempt of ours may have sent other settings (the config changed since).
        if (made.adopted && (board.name !== i.name || withoutMark(board.desc, i.resourceUrn) !== i.description || board.prefs?.permissionLevel !== i.permissionLevel)) {
            await trello(ctx, i.baseUrl, `update board ${board.id}`).put(`/boards/${segment(board.id)}`, boardChanges(i));
        }
        return { id: board.id, outs: { ...i, url: board.url } };
    },
    async read(ctx, id, state) {
        const api = trello(ctx, state.baseUrl, `read board ${id}`);
        const b = await api.get<ApiBoard>(`/boards/${segment(id)}`);
        if (!b) {
            await confirmGone(ctx, api.call, `board ${id}`, theAccount(ctx, state.baseUrl));
            return undefined;
        }
        answerIsAbout(ctx, api.call, "board", id, b.id);
        // A closed board is one Trello says was closed: this stack's board is no more.
        if (b.closed) return undefined;
        return { ...state, name: b.name, description: withoutMark(b.desc, state.resourceUrn), permissionLevel: b.prefs.permissionLevel, url: b.url };
    },
    async update(ctx, id, olds, news) {
        const i = { ...news, resourceUrn: news.resourceUrn ?? olds.resourceUrn ?? null };
        await trello(ctx, news.baseUrl, `update board ${id}`).put(`/boards/${segment(id)}`, boardChanges(i));
        return { ...i, url: olds.url };
    },
    async delete(ctx, id, state) {
        const api = trello(ctx, state.baseUrl, `delete board ${id}`);
        await api.remove(`/boards/${segment(id)}`);
        if (api.call.lastStatus === 404) await confirmGone(ctx, api.call, `board ${id}`, theAccount(ctx, state.baseUrl));
    },
};

interface ApiList {
    id: string;
    name: string;
    pos: number;
    closed: boolean;
}

function isOurList(ctx: OperationContext, i: ListInputs, l: ApiList): boolean {
    return l.name === i.name && l.closed === i.closed && (i.position === null || l.pos === i.position) && createdRecently(ctx, createdAtOf(l.id));
}

export const listDefinition: ResourceDefinition<ReturnType<typeof listInputSchema>> = {
    module: "trello",
    type: "List",
    service: "trello",
    schema: listInputSchema,
    replaceOnChanges: ["boardId"],
    deleteBeforeReplace: false,
    async create(ctx, i) {
        const operation = `create list ${i.name}`;
        const list = await createOnce<ApiList>(ctx, operation, {
            http: trelloHttp(ctx),
            lookFirst: true,
            create: (call) => trello(ctx, i.baseUrl, operation, { call }).post<ApiList>("/lists", { name: i.name, idBoard: i.boardId, pos: i.position ?? "bottom", closed: i.closed }),
            findLanded: async () => {
                const lists = await trello(ctx, i.baseUrl, `look for list ${i.name}`).get<ApiList[]>(`/boards/${segment(i.boardId)}/lists`, { filter: "all", fields: "id,name,pos,closed" });
                return newest((lists ?? []).filter((l) => isOurList(ctx, i, l)));
            },
        });
        return { id: list.id, outs: i };
    },
    async read(ctx, id, state) {
        // Trello deletes no list but with its board: confirmed by the board, or the account when the board is gone.
        const l = await readOnBoard<ApiList>(ctx, state, "list", id);
        if (!l) return undefined;
        // A position left to Trello is whatever Trello chose; only a chosen one can drift.
        return { ...state, name: l.name, closed: l.closed, position: state.position === null ? null : l.pos };
    },
    async update(ctx, id, _olds, news) {
        await trello(ctx, news.baseUrl, `update list ${id}`).put(`/lists/${segment(id)}`, { name: news.name, closed: news.closed, ...(news.position !== null ? { pos: news.position } : {}) });
        return news;
    },
    async delete(ctx, id, state) {
        // Lists cannot be deleted in Trello: archive, in one call (a list gone with its board is done, once confirmed).
        const api = trello(ctx, state.baseUrl, `archive list ${id}`);
        await api.retire(`/lists/${segment(id)}/closed`, { value: true });
        if (api.call.lastStatus === 404) await confirmGone(ctx, api.call, `list ${id}`, theBoard(ctx, state.baseUrl, state.boardId));
    },
};

/** A list or label of a board, or undefined when it is gone (the 404 confirmed by its board); an answer about another one fails. */
async function readOnBoard<T extends { id: string }>(ctx: OperationContext, state: { baseUrl: string; boardId: string }, kind: "list" | "label", id: string): Promise<T | undefined> {
    const api = trello(ctx, state.baseUrl, `read ${kind} ${id}`);
    const found = await api.get<T>(`/${kind}s/${segment(id)}`);
    if (!found) {
        await confirmGone(ctx, api.call, `${kind} ${id}`, theBoard(ctx, state.baseUrl, state.boardId));
        return undefined;
    }
    answerIsAbout(ctx, api.call, kind, id, found.id);
    return found;
}

interface ApiLabel {
    id: string;
    name: string;
    color: string | null;
}

function isOurLabel(ctx: OperationContext, i: LabelInputs, l: ApiLabel): boolean {
    return l.name === i.name && (l.color ?? null) === i.color && createdRecently(ctx, createdAtOf(l.id));
}

export const labelDefinition: ResourceDefinition<ReturnType<typeof labelInputSchema>> = {
    module: "trello",
    type: "Label",
    service: "trello",
    schema: labelInputSchema,
    replaceOnChanges: ["boardId"],
    deleteBeforeReplace: false,
    async create(ctx, i) {
        const operation = `create label ${i.name}`;
        const label = await createOnce<ApiLabel>(ctx, operation, {
            http: trelloHttp(ctx),
            lookFirst: true,
            create: (call) => trello(ctx, i.baseUrl, operation, { call }).post<ApiLabel>("/labels", { name: i.name, color: i.color ?? "null", idBoard: i.boardId }),
            findLanded: async () => {
                // Trello answers 50 labels unless asked for more (at most 1000).
                const labels = await trello(ctx, i.baseUrl, `look for label ${i.name}`).get<ApiLabel[]>(`/boards/${segment(i.boardId)}/labels`, { limit: 1000, fields: "id,name,color" });
                return newest((labels ?? []).filter((l) => isOurLabel(ctx, i, l)));
            },
        });
        return { id: label.id, outs: i };
    },
    async read(ctx, id, state) {
        const l = await readOnBoard<ApiLabel>(ctx, state, "label", id);
        if (!l) return undefined;
        return { ...state, name: l.name, color: l.color };
    },
    async update(ctx, id, _olds, news) {
        await trello(ctx, news.baseUrl, `update label ${id}`).put(`/labels/${segment(id)}`, { name: news.name, color: news.color ?? "null" });
        return news;
    },
    async delete(ctx, id, state) {
        const api = trello(ctx, state.baseUrl, `delete label ${id}`);
        await api.remove(`/labels/${segment(id)}`);
        if (api.call.lastStatus === 404) await confirmGone(ctx, api.call, `label ${id}`, theBoard(ctx, state.baseUrl, state.boardId));
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
