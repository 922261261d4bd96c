/** Mapbox: the stack's access tokens, scoped per app, made and rotated by the stack. */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { MapboxTokens, type MapboxTokensArgs } from "../../components/mapbox/tokens";
import { mapboxAccessToken } from "../../dynamic-providers/mapbox/client";
import { isPublicScope, tokenInputSchema } from "../../dynamic-providers/mapbox/schema";
import { httpUrl } from "../../dynamic-providers/core/validation";
import { NAME_RULES, physicalName } from "../naming";
import { defineService, logicalName } from "../service";

const fields = tokenInputSchema().shape;
const token = z
    .object({
        scopes: fields.scopes,
        allowedUrls: fields.allowedUrls,
        rotation: fields.rotation,
    })
    .strict()
    .superRefine((t, ctx) => {
        // URL restrictions are for public tokens, which apps ship; a secret token stays on servers.
        if (t.allowedUrls.length > 0 && !t.scopes.every(isPublicScope)) ctx.addIssue({ code: "custom", path: ["allowedUrls"], message: "only a public token (public scopes only) takes allowedUrls; a secret token stays on servers" });
    });

const section = z
    .object({
        /** Another API (the sandbox's emulator). @default https://api.mapbox.com */
        baseUrl: httpUrl().optional(),
        username: fields.username,
        /** Tokens by name: each is keyConsumers' `mapbox.<name>`. */
        tokens: z.record(logicalName, token).default({}),
    })
    .strict();

export const mapboxService = defineService({
    key: "mapbox",
    section,
    secrets: [{ credential: mapboxAccessToken }],

    plan: (s, ctx): MapboxTokensArgs => ({
        ...(s.baseUrl ? { baseUrl: s.baseUrl } : {}),
        username: s.username,
        tokens: Object.fromEntries(
            Object.entries(s.tokens).map(([name, t]) => [name, { ...t, note: ctx.name(`mapbox.tokens.${name}`, () => physicalName(ctx.env, `mapbox-${name}`, NAME_RULES.mapboxNote)) }]),
        ),
    }),

    build: (plan) => new MapboxTokens("mapbox", plan),
    outputs: (tokens) => ({ mapboxTokens: pulumi.secret(pulumi.output(tokens.tokens)) }),
    keysMade: (s) => Object.keys((s as { tokens?: Record<string, unknown> } | undefined)?.tokens ?? {}).map((name) => `mapbox.${name}`),
    keyValues: (tokens) => Object.fromEntries(Object.entries(tokens.tokens).map(([name, value]) => [`mapbox.${name}`, value])),
});
