/**
 * Mapbox access token (Tokens API: create, list, update, delete). Public tokens (pk) carry only
 * public scopes and may be restricted to URLs; any secret scope makes a secret token (sk), whose
 * value Mapbox shows once, at creation. Either way the value is a secret output the stack hands
 * to its consumers. Note, scopes and URLs change in place; a change between public and secret, or
 * of `rotation`, makes a new token first and deletes the old one after its consumers moved.
 *
 * There is no route to read one token: a read lists the account's tokens. A token is gone when
 * the list, read with the account's own token, does not hold it. Tokens have no unique name: a
 * create whose answer was lost looks for a token of its note made within the lost-create window;
 * a public one is taken (its value is listed), a secret one deleted and made again.
 */
import type * as pulumi from "@pulumi/pulumi";
import { createdRecently, createOnce } from "../core/ownership";
import type { OperationContext, ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { allTokens, checkAccount, mapbox, mapboxAccessToken, type ApiToken } from "./client";
import { tokenInputSchema, type TokenInputs } from "./schema";

export type TokenState = TokenInputs & { token: string };

/** The note Mapbox holds: each rotation's token has its own, so the look for a lost create never takes the token it replaces. */
const sentNote = (i: Pick<TokenInputs, "note" | "rotation">) => (i.rotation > 0 ? `${i.note} (rotation ${i.rotation})` : i.note);
const givenNote = (held: string | undefined, i: Pick<TokenInputs, "note" | "rotation">) => (held === sentNote(i) ? i.note : (held ?? i.note));

const path = (i: Pick<TokenInputs, "username">, id?: string) => `/tokens/v2/${encodeURIComponent(i.username)}${id ? `/${encodeURIComponent(id)}` : ""}`;

/** Tokens of our note made within the lost-create window: a public one is ours to take; secret ones, whose value no one saw, are deleted. */
async function lostAttempt(ctx: OperationContext, i: TokenInputs): Promise<ApiToken | undefined> {
    const ours = (await allTokens(ctx, i.baseUrl, i.username, `look for token ${sentNote(i)}`)).filter((t) => t.note === sentNote(i) && t.usage === i.usage && createdRecently(ctx, t.created));
    // A public one is taken only with the settings this create sends: a token of our note made otherwise is not this attempt's.
    const sameList = (a: readonly string[] | undefined, b: readonly string[]) => [...(a ?? [])].sort().join() === [...b].sort().join();
    const usable = ours.find((t) => t.token !== undefined && sameList(t.scopes, i.scopes) && sameList(t.allowedUrls, i.allowedUrls));
    for (const t of ours) {
        if (t === usable) continue;
        await mapbox(ctx, i.baseUrl, `delete lost token ${t.id}`).remove(path(i, t.id));
    }
    return usable;
}

export const tokenDefinition: ResourceDefinition<ReturnType<typeof tokenInputSchema>, TokenState> = {
    module: "mapbox",
    type: "Token",
    service: "mapbox",
    schema: tokenInputSchema,
    replaceOnChanges: ["baseUrl", "username", "usage", "rotation"],
    // The new token first: consumers move to it before the old one goes.
    deleteBeforeReplace: false,
    secretOutputs: ["token"],
    notAdoptable: "a secret token's value is shown only when it is made; the stack makes its own tokens, public and secret alike, so that rotation works the same for both (delete the old one once its users have moved)",

    async create(ctx, i) {
        checkAccount(ctx, i.username);
        const operation = `create Mapbox token ${sentNote(i)}`;
        const made = await createOnce<ApiToken>(ctx, operation, {
            lookFirst: true,
            create: (call) => mapbox(ctx, i.baseUrl, operation, call).post<ApiToken>(path(i), { note: sentNote(i), scopes: i.scopes, ...(i.allowedUrls.length > 0 ? { allowedUrls: i.allowedUrls } : {}) }),
            findLanded: () => lostAttempt(ctx, i),
        });
        if (!made.token) throw new Error(`Mapbox made token ${made.id} without answering its value; the stack needs it: delete the token in the account page and run again`);
        ctx.keepSecret(made.token);
        return { id: made.id, outs: { ...i, token: made.token } };
    },

    async read(ctx, id, state) {
        checkAccount(ctx, state.username);
        // Read with the account's own token (checked above): a list without it means gone.
        const found = (await allTokens(ctx, state.baseUrl, state.username, `read Mapbox token ${id}`)).find((t) => t.id === id);
        if (!found) return undefined;
        return { ...state, note: givenNote(found.note, state), scopes: found.scopes, usage: found.usage === "sk" ? "sk" : "pk", allowedUrls: found.allowedUrls ?? [], token: found.token ?? state.token };
    },

    async update(ctx, id, olds, news) {
        checkAccount(ctx, news.username);
        // Only what changed: Mapbox's help says a secret token's scopes cannot be changed from the account page, so scopes are never sent unasked.
        const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, n) => x === b[n]);
        const body = {
            ...(sentNote(news) !== sentNote(olds) ? { note: sentNote(news) } : {}),
            ...(!same(news.scopes, olds.scopes) ? { scopes: news.scopes } : {}),
            // allowedUrls null removes the restriction (the SDK's updateToken sends it so).
            ...(!same(news.allowedUrls, olds.allowedUrls) ? { allowedUrls: news.allowedUrls.length > 0 ? news.allowedUrls : null } : {}),
        };
        if (Object.keys(body).length > 0) await mapbox(ctx, news.baseUrl, `update Mapbox token ${id}`).patch<ApiToken>(path(news, id), body);
        return { ...news, token: olds.token };
    },

    async delete(ctx, id, state) {
        checkAccount(ctx, state.username);
        const api = mapbox(ctx, state.baseUrl, `delete Mapbox token ${id}`);
        try {
            await api.send("DELETE", path(state, id));
        } catch (err) {
            if ((err as { status?: number }).status !== 404) throw err;
            // Mapbox's 404 also answers a token without tokens:write: gone only when the list no longer holds it.
            const still = (await allTokens(ctx, state.baseUrl, state.username, `look for Mapbox token ${id}`)).some((t) => t.id === id);
            if (still) throw ctx.error(api.call, { status: 404, apiMessage: `Mapbox answered 404 to deleting token ${id}, which it still lists: ${mapboxAccessToken.configKey} needs the tokens:write scope` });
        }
    },
};

export type MapboxTokenArgs = ResourceArgs<ReturnType<typeof tokenInputSchema>>;

export class MapboxToken extends DynamicResource<ReturnType<typeof tokenInputSchema>, TokenState> {
    declare readonly token: pulumi.Output<string>;
    constructor(name: string, args: MapboxTokenArgs, opts?: pulumi.CustomResourceOptions) {
        super(tokenDefinition, name, args, opts);
    }
}
