/**
 * Builds the wires a stack wants from the services already built: every value a wire needs is
 * an output of one platform (a repository's name, a board's list ids, a domain's id, the
 * database's connection URL) or a secret the stack already has.
 */
import * as pulumi from "@pulumi/pulumi";
import { AppwriteWires, type AppwriteWiresArgs } from "../../components/wires/appwrite";
import { AuthEmail } from "../../components/wires/auth-email";
import { Relay, type RelayArgs } from "../../components/wires/relay";
import { trelloApiKey, trelloToken } from "../../dynamic-providers/trello/client";
import type { StackConfig } from "../config";
import { NAME_RULES, stackScopedName } from "../naming";
import type { BuildContext } from "../service";
import type { BuiltServices } from "../services";
import { supabaseDbPassword, trelloApiSecret, type WiresPlan } from "../services/wires";
import { functionFiles, relayCode, relayMigrations } from "./code";

export interface BuiltWires {
    relay?: Relay;
    appwrite?: AppwriteWires;
    authEmail?: AuthEmail;
}

/** A secret the wires need: the stack's setting, or a clear error when it is missing. */
function required(ctx: BuildContext, spec: Parameters<BuildContext["secret"]>[0]): pulumi.Output<string> {
    const value = ctx.secret(spec);
    if (!value) throw new Error(`${spec.configKey} is not set: the wires need it (pulumi config set --secret ${spec.configKey} …)`);
    return value;
}

export function buildWires(plan: WiresPlan, config: StackConfig, built: BuiltServices, ctx: BuildContext): BuiltWires {
    const { wires } = plan;
    const result: BuiltWires = {};
    if (wires.appwriteToStripe || wires.appwriteToResend) result.appwrite = buildAppwriteWires(plan, config, built, ctx);
    const authEmail = wires.supabaseToResend;
    if (authEmail && built.resend) {
        const { projectRef, managementUrl } = config.supabase!.functions!;
        result.authEmail = new AuthEmail("wires-auth-email", {
            projectRef,
            ...(managementUrl ? { managementUrl } : {}),
            from: authEmail.adminEmail ?? authEmail.from,
            senderName: authEmail.fromName ?? authEmail.from,
            emailsPerHour: authEmail.emailsPerHour,
            resend: sendingKey(ctx, config, built, plan.senderDomains.supabaseToResend!, "supabase-auth-smtp"),
        });
    }
    if (!plan.relay) return result;
    const supabase = config.supabase!;
    const refOf = supabase.functions!;
    const relay: RelayArgs = {
        supabase: {
            projectRef: refOf.projectRef,
            ...(refOf.managementUrl ? { managementUrl: refOf.managementUrl } : {}),
            projectUrl: supabase.storage.projectUrl as string,
            slug: wires.receiver.slug,
            ...relayCode(),
            database: { connectionUrl: supabase.databaseUrl!, password: required(ctx, supabaseDbPassword), migrations: relayMigrations() },
        },
    };

    const stripeEvents = [...new Set([...(wires.stripeToSupabase?.events ?? []), ...(wires.stripeToResend?.events ?? [])])].sort();
    if (stripeEvents.length > 0) relay.stripe = { ...stripeConnection(config), events: stripeEvents };

    const senderDomain = plan.senderDomains.stripeToResend ?? plan.senderDomains.trelloToResend;
    if (senderDomain !== undefined && built.resend) {
        relay.resend = {
            ...sendingKey(ctx, config, built, senderDomain, `${wires.receiver.slug}-sending`),
            ...(wires.stripeToResend ? { receipts: { from: wires.stripeToResend.from, events: wires.stripeToResend.events } } : {}),
            ...(wires.trelloToResend ? { alert: { from: wires.trelloToResend.from, to: wires.trelloToResend.to } } : {}),
        };
    }

    const githubEvents: Record<string, Set<string>> = {};
    const addEvents = (repository: string, events: readonly string[]) => events.forEach((e) => (githubEvents[repository] ??= new Set()).add(e));
    if (wires.githubToSupabase) addEvents(wires.githubToSupabase.repository, wires.githubToSupabase.events);
    if (wires.githubToTrello) addEvents(wires.githubToTrello.repository, ["issues"]);
    if (Object.keys(githubEvents).length > 0 && built.github) {
        const repositories = built.github.repositories;
        relay.github = {
            provider: built.github.provider,
            repositories: Object.fromEntries(Object.entries(githubEvents).map(([key, events]) => [key, { name: repositories[key].repository.name, events: [...events].sort() }])),
        };
        if (wires.githubToTrello && built.trello) {
            const lists = built.trello[wires.githubToTrello.board].listIds;
            relay.github.trelloLists = { opened: lists.apply((l) => l[wires.githubToTrello!.lists.opened]), closed: lists.apply((l) => l[wires.githubToTrello!.lists.closed]) };
        }
    }

    if (wires.gitlabToTrello && built.github && built.trello) {
        const project = built.github.repositories[wires.gitlabToTrello.repository].gitlabProject!;
        const lists = built.trello[wires.gitlabToTrello.board].listIds;
        const list = (role: "running" | "success" | "failed") => lists.apply((l) => l[wires.gitlabToTrello!.lists[role]]);
        relay.gitlab = {
            ...(config.gitlab?.baseUrl ? { baseUrl: config.gitlab.baseUrl } : {}),
            projectId: project.id,
            trelloLists: { running: list("running"), success: list("success"), failed: list("failed") },
        };
    }

    if ((wires.githubToTrello || wires.gitlabToTrello || wires.trelloToResend) && built.trello) {
        const trello = config.trello!;
        const baseUrl = Object.values(trello)[0]?.baseUrl as string | undefined;
        relay.trello = {
            ...(baseUrl ? { baseUrl } : {}),
            apiKey: required(ctx, trelloApiKey),
            token: required(ctx, trelloToken),
            ...(wires.trelloToResend ? { apiSecret: required(ctx, trelloApiSecret), watchedBoardId: built.trello[wires.trelloToResend.board].boardId } : {}),
        };
    }

    result.relay = new Relay("relay", relay);
    return result;
}

function stripeConnection(config: StackConfig) {
    const catalog = config.stripe!.catalog;
    return {
        ...(catalog.apiBase ? { apiBase: catalog.apiBase as string } : {}),
        keyModes: catalog.keyModes,
        ...(catalog.owner ? { owner: catalog.owner } : {}),
    };
}

/**
 * A sending-only Resend key restricted to the domain a wire's sender is at. Named within the
 * stack, as every key of the Resend section is: stacks share a team, and a sweep finds a stack's
 * keys by the name.
 */
function sendingKey(ctx: BuildContext, config: StackConfig, built: BuiltServices, domain: string, keyName: string) {
    const baseUrl = config.resend!.baseUrl as string | undefined;
    return { ...(baseUrl ? { baseUrl } : {}), keyName: stackScopedName(ctx.env, keyName, NAME_RULES.resendApiKey), domainId: built.resend!.domainIds[domain] };
}

function buildAppwriteWires(plan: WiresPlan, config: StackConfig, built: BuiltServices, ctx: BuildContext): AppwriteWires {
    const { wires } = plan;
    const appwrite = config.appwrite!;
    const args: AppwriteWiresArgs = { endpoint: appwrite.endpoint, projectId: appwrite.projectId };
    const events = wires.appwriteToStripe;
    if (events && built.appwrite) {
        const database = built.appwrite.databases[events.database];
        args.stripeEvents = {
            functionId: events.functionId,
            domain: events.domain,
            code: functionFiles("appwrite/stripe-events"),
            entrypoint: "src/main.js",
            events: events.events,
            databaseId: database.databaseId,
            collectionId: database.collectionIds.apply((ids) => ids[events.collection]),
            stripe: stripeConnection(config),
        };
    }
    const messaging = wires.appwriteToResend;
    if (messaging && built.resend) {
        args.messaging = { providerId: messaging.providerId, from: messaging.from, ...(messaging.fromName ? { fromName: messaging.fromName } : {}), resend: sendingKey(ctx, config, built, plan.senderDomains.appwriteToResend!, "appwrite-messaging") };
    }
    return new AppwriteWires("wires-appwrite", args);
}
