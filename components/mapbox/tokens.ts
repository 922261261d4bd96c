/**
 * The stack's Mapbox access tokens, one per app: public ones scoped to public scopes and the
 * app's URLs, secret ones only where a secret scope is asked for. Each is a made key,
 * `mapbox.<name>`, for keyConsumers; rotating one is changing its `rotation`.
 */
import * as pulumi from "@pulumi/pulumi";
import { usageOf } from "../../dynamic-providers/mapbox/schema";
import { MapboxToken, type MapboxTokenArgs } from "../../dynamic-providers/mapbox/token";
import { transformed, type Transform } from "../component";

export const MAPBOX_TOKENS_TYPE = "stackwire:mapbox:Tokens";

export interface MapboxTokenSpec {
    /** The token's note in the account page. */
    note: string;
    scopes: string[];
    /** Where a public token works; empty: anywhere. */
    allowedUrls?: string[];
    /** Change it (1, 2, …) to rotate the token. @default 0 */
    rotation?: number;
}

export interface MapboxTokensArgs {
    /** Another API (the sandbox's emulator). @default https://api.mapbox.com */
    baseUrl?: string;
    /** The account the tokens belong to. */
    username: string;
    tokens: Record<string, MapboxTokenSpec>;
    transform?: { token?: Transform<MapboxTokenArgs> };
}

export class MapboxTokens extends pulumi.ComponentResource {
    /** Each token's value by name; secret. */
    public readonly tokens: Record<string, pulumi.Output<string>>;

    constructor(name: string, args: MapboxTokensArgs, opts?: pulumi.ComponentResourceOptions) {
        super(MAPBOX_TOKENS_TYPE, name, {}, opts);
        this.tokens = {};
        for (const [key, spec] of Object.entries(args.tokens)) {
            const tokenArgs: MapboxTokenArgs = {
                ...(args.baseUrl ? { baseUrl: args.baseUrl } : {}),
                username: args.username,
                note: spec.note,
                scopes: spec.scopes,
                usage: usageOf(spec.scopes),
                allowedUrls: spec.allowedUrls ?? [],
                rotation: spec.rotation ?? 0,
            };
            const token = new MapboxToken(...transformed(args.transform?.token, `${name}-${key}`, tokenArgs, { parent: this }));
            this.tokens[key] = pulumi.secret(token.token);
        }
        this.registerOutputs({ tokens: this.tokens });
    }
}
