/** Trello: boards with their lists, labels and webhooks. */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { TrelloBoard, type TrelloBoardArgs } from "../../components/trello/board";
import { httpUrl } from "../../dynamic-providers/core/validation";
import { trelloApiKey, trelloToken } from "../../dynamic-providers/trello/client";
import { labelColorSchema } from "../../dynamic-providers/trello/schema";
import { dataPolicyOf } from "../environment";
import { keyOf, LOGICAL_NAME_PATTERN } from "../naming";
import { adoptionOf, adoptSetting, defineService, logicalName } from "../service";

/** A list's key: a logical name that starts with a letter. */
const LIST_KEY = new RegExp(`^(?=[a-z])${LOGICAL_NAME_PATTERN.source.slice(1)}`);

/** A list by its name, or with a key that stays when the name changes. */
const list = z.union([z.string().min(1), z.object({ key: logicalName.regex(/^[a-z]/, "must start with a letter"), name: z.string().min(1), adopt: adoptSetting }).strict()], {
    error: "must be a list name, or { key, name } to keep a list's identity when renaming it (with adopt: <list id> to take over an existing list)",
});

/** A label's colour (null for none), or { color, adopt } to take over an existing label. */
const label = z.union([labelColorSchema().nullable(), z.object({ color: labelColorSchema().nullable(), adopt: adoptSetting }).strict()]);

const board = z
    .object({
        name: z.string().min(1),
        description: z.string().default(""),
        permissionLevel: z.enum(["private", "org", "public"]).default("private"),
        /** Left to right. A list is known by its key (its name in lower case with hyphens, unless given). */
        lists: z.array(list).default([]),
        labels: z.record(z.string().min(1), label).default({}),
        webhooks: z.record(logicalName, z.object({ callbackUrl: httpUrl(), description: z.string().optional() }).strict()).default({}),
        /** Take over an existing board by its id (docs/adoption.md). */
        adopt: adoptSetting,
    })
    .strict();

const section = z
    .object({
        baseUrl: httpUrl().optional(),
        boards: z.record(logicalName, board).default({}),
    })
    .strict();

export const trelloService = defineService({
    key: "trello",
    section,
    secrets: [{ credential: trelloApiKey }, { credential: trelloToken }],

    plan(s, ctx): Record<string, TrelloBoardArgs> {
        return Object.fromEntries(
            Object.entries(s.boards).map(([name, b]): [string, TrelloBoardArgs] => {
                const seen = new Map<string, number>();
                const lists = b.lists.map((l, i) => {
                    const listName = typeof l === "string" ? l : l.name;
                    const key = typeof l === "string" ? keyOf(l) : l.key;
                    const at = `trello.boards.${name}.lists[${i}]`;
                    // A key starts with a letter: "list-0" style names belonged to earlier builds' positions.
                    if (!LIST_KEY.test(key)) ctx.problem(at, `"${listName}" gives no usable key (one starting with a letter): write it as { key: <lower-case-key>, name: "${listName}" }`);
                    else if (seen.has(key)) ctx.problem(at, `has the key "${key}", like lists[${seen.get(key)}]: give one of them another key ({ key, name })`);
                    seen.set(key, i);
                    return { key, name: listName, ...(typeof l === "string" ? {} : adoptionOf(l.adopt)) };
                });
                const labels = Object.fromEntries(Object.entries(b.labels).map(([label, l]) => [label, l === null || typeof l === "string" ? { color: l } : { color: l.color, ...adoptionOf(l.adopt) }]));
                return [name, { ...(s.baseUrl ? { baseUrl: s.baseUrl } : {}), name: b.name, description: b.description, permissionLevel: b.permissionLevel, lists, labels, webhooks: b.webhooks, policy: dataPolicyOf(ctx.env), ...adoptionOf(b.adopt) }];
            }),
        );
    },

    build: (plan) => Object.fromEntries(Object.entries(plan).map(([name, args]) => [name, new TrelloBoard(`trello-${name}`, args)])),
    outputs: (boards) => ({ trelloBoardUrls: pulumi.output(Object.fromEntries(Object.entries(boards).map(([name, b]) => [name, b.url]))) }),
});
