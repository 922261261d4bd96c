/** Shapes and rules of Trello objects, used by the stack config and by the providers' check. */
import { z } from "zod";
import { baseUrlSchema } from "../core/rest";
import { httpUrl } from "../core/validation";

export const TRELLO_BASE_URL = "https://api.trello.com/1";

export function trelloConnectionShape() {
    return { baseUrl: baseUrlSchema(TRELLO_BASE_URL) };
}

/**
 * The resource's own URN (the resource class passes it, `urnInput`): the mark that tells this
 * stack's boards and webhooks from others. Absent when a provider is driven directly; creates then
 * fall back to identity and recency (core/ownership.ts).
 */
export function resourceUrnShape() {
    return { resourceUrn: z.string().min(1).nullable().default(null) };
}

export const TRELLO_ID = /^[0-9a-f]{24}$/;
export function trelloIdSchema(what: string) {
    return z.string().regex(TRELLO_ID, `${what} must be a Trello id (24 hexadecimal characters)`);
}

/** Label colours Trello accepts; null is a colourless label. */
export const TRELLO_COLORS = ["green", "yellow", "orange", "red", "purple", "blue", "sky", "lime", "pink", "black"].flatMap((c) => [c, `${c}_dark`, `${c}_light`]);

export function labelColorSchema() {
    return z.string().refine((c) => TRELLO_COLORS.includes(c), `must be a Trello colour: ${TRELLO_COLORS.filter((c) => !c.includes("_")).join(", ")} (or with _dark / _light)`);
}

export function boardInputSchema() {
    return z.object({
        ...trelloConnectionShape(),
        name: z.string().min(1).max(16384),
        description: z.string().max(16384).default(""),
        permissionLevel: z.enum(["private", "org", "public"]).default("private"),
        organizationId: trelloIdSchema("organizationId").nullable().default(null),
        /** Trello's own To Do / Doing / Done lists and six coloured labels; off so the config decides. */
        defaultLists: z.boolean().default(false),
        ...resourceUrnShape(),
    });
}
export type BoardInputs = z.output<ReturnType<typeof boardInputSchema>>;
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
export function labelInputSchema() {
    return z.object({
        ...trelloConnectionShape(),
        boardId: trelloIdSchema("boardId"),
        name: z.string().max(16384).default(""),
        color: labelColorSchema().nullable().default(null),
    });
}
export type LabelInputs = z.output<ReturnType<typeof labelInputSchema>>;

export function webhookInputSchema() {
    return z.object({
        ...trelloConnectionShape(),
        callbackUrl: httpUrl("must be the http(s) URL Trello will call"),
        modelId: trelloIdSchema("modelId"),
        description: z.string().max(16384).default(""),
        active: z.boolean().default(true),
        ...resourceUrnShape(),
    });
}
export type TrelloWebhookInputs = z.output<ReturnType<typeof webhookInputSchema>>;
