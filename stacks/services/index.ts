/**
 * The service registry: every service the stack config knows, in the order the platform builds
 * them. Adding a service is one file in this folder and one line here (docs/adding-a-service.md).
 */
import { madeKeysOf, type Service } from "../service";
import { agoraService } from "./agora";
import { appwriteService } from "./appwrite";
import { expoService } from "./expo";
import { githubService } from "./github";
import { gitlabService } from "./gitlab";
import { keysService } from "./keys";
import { mapboxService } from "./mapbox";
import { openaiService } from "./openai";
import { postgresService } from "./postgres";
import { posthogService } from "./posthog";
import { redisService } from "./redis";
import { resendService } from "./resend";
import { stripeService } from "./stripe";
import { supabaseService } from "./supabase";
import { trelloService } from "./trello";
import { wiresService } from "./wires";

export const SERVICES = [supabaseService, stripeService, appwriteService, githubService, gitlabService, trelloService, postgresService, redisService, resendService, openaiService, agoraService, mapboxService, posthogService, expoService, keysService, wiresService] as const;

/** Every platform key the settings as written make, with the service that makes it. */
export const madeKeysIn = (settings: Record<string, unknown>): Map<string, string> => madeKeysOf(SERVICES as readonly Service[], settings);

type Services = (typeof SERVICES)[number];
type ByKey<K extends string> = Extract<Services, { key: K }>;
type PlanOf<S> = S extends { plan(...args: never[]): infer P } ? P : never;
type BuiltOf<S> = S extends { build?(...args: never[]): infer B } ? B : never;
type SectionOf<S> = S extends { section: infer Z } ? Z : never;

export type ServiceKey = Services["key"];
/** Each service's plan (its components' args), for the services the stack config sets. */
export type PlannedServices = { [K in ServiceKey]?: PlanOf<ByKey<K>> };
/** Each service's components, for the services the stack config sets. */
export type BuiltServices = { [K in ServiceKey]?: BuiltOf<ByKey<K>> };
export type SectionSchemas = { [K in ServiceKey]: SectionOf<ByKey<K>> };
