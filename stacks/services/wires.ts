/**
 * Wires: the seed's interconnections, each an output of one platform feeding an input of another.
 * Planning checks that both ends of every wanted wire are configured (naming both) and resolves
 * the keys a wire names (repositories, boards, lists, domains); the platform builds them once
 * every service is built (stacks/platform.ts).
 */
import type { CredentialSpec } from "../../dynamic-providers/core/credentials";
import { supabaseAccessToken } from "../../dynamic-providers/supabase/client";
import { RELAY_SECRET_NAMES } from "../../components/wires/relay";
import { keyOf } from "../naming";
import { consumerVariableName } from "./keys";
import { defineService, type PlanContext } from "../service";
import { WIRES, wiresSection, type WireName, type WiresSection } from "../wires/catalog";

/** Trello signs webhook deliveries with the application's secret (its API key's OAuth secret). */
export const trelloApiSecret: CredentialSpec = { configKey: "trelloApiSecret", envVars: ["TRELLO_API_SECRET"], label: "Trello API secret" };

/** Wires whose events go to the stack's relay (the Supabase Edge Function). */
export const RELAYED: readonly WireName[] = ["stripeToSupabase", "stripeToResend", "githubToSupabase", "githubToTrello", "gitlabToTrello", "trelloToResend"];

/** The password of the Supabase project's database, for the relay's tables. */
export const supabaseDbPassword: CredentialSpec = { configKey: "supabaseDbPassword", envVars: ["SUPABASE_DB_PASSWORD"], label: "Supabase database password" };

export interface WiresPlan {
    wires: WiresSection;
    /** The wires this stack wants, in catalog order. */
    wanted: WireName[];
    /** Whether the relay function is deployed (some wanted wire sends it events). */
    relay: boolean;
    /** For each wire that sends email: the `resend.domains` key its sender is at. */
    senderDomains: Partial<Record<WireName, string>>;
}

type Settings = Readonly<Record<string, unknown>>;
type Sections = {
    supabase?: { projectRef?: string; database?: unknown };
    stripe?: unknown;
    appwrite?: { databases?: Record<string, { collections?: Record<string, unknown> }> };
    github?: { repositories?: Record<string, { gitlabMirror?: unknown }> };
    trello?: { boards?: Record<string, { lists?: (string | { key: string; name: string })[] }> };
    resend?: { domains?: Record<string, unknown> };

};

/** The other sections a wire reads, as written (planning runs on validated sections). */
const sections = (settings: Settings) => settings as Sections;

function wantedWires(w: WiresSection): WireName[] {
    return (Object.keys(WIRES) as WireName[]).filter((name) => w[name] !== undefined);
}

/** Checks one end: `problem` when the section (or the key inside it) is missing. */
function requireEnd(ctx: PlanContext, wire: WireName, path: string, present: boolean, what: string): boolean {
    if (!present) ctx.problem(`wires.${wire}${path}`, `needs ${what} (${WIRES[wire].from} → ${WIRES[wire].to}: both ends must be configured)`);
    return present;
}

function listKeys(board: { lists?: (string | { key: string; name: string })[] } | undefined): string[] {
    return (board?.lists ?? []).map((l) => (typeof l === "string" ? keyOf(l) : l.key));
}

export const wiresService = defineService({
    key: "wires",
    section: wiresSection,
    secrets: [
        { credential: supabaseDbPassword, neededBy: (s) => RELAYED.some((w) => (s.wires as Partial<WiresSection> | undefined)?.[w] !== undefined), neededWhen: "a wire sends its events to the relay" },
        { credential: trelloApiSecret, neededBy: (s) => (s.wires as Partial<WiresSection> | undefined)?.trelloToResend !== undefined, neededWhen: "wires.trelloToResend is set" },
        {
            credential: supabaseAccessToken,
            neededBy: (s) => RELAYED.some((w) => (s.wires as Partial<WiresSection> | undefined)?.[w] !== undefined) || (s.wires as Partial<WiresSection> | undefined)?.supabaseToResend !== undefined,
            neededWhen: "a wire deploys the relay function or sets Supabase Auth SMTP",
        },
    ],

    plan(w, ctx): WiresPlan {
        const s = sections(ctx.settings);
        const wanted = wantedWires(w);
        const relay = wanted.some((name) => RELAYED.includes(name));
        const senderDomains: Partial<Record<WireName, string>> = {};

        for (const wire of wanted) {
            const settings = w[wire] as Record<string, unknown>;
            const { from, to } = WIRES[wire];
            for (const end of [from, to]) requireEnd(ctx, wire, "", (s as Record<string, unknown>)[end] !== undefined || end === "gitlab", `the ${end} section (stackwire:${end})`);
            if (RELAYED.includes(wire) || wire === "supabaseToResend") requireEnd(ctx, wire, "", s.supabase?.projectRef !== undefined, "supabase.projectRef (the relay and Auth settings live in that project)");
            // The relay records every delivery it acts on (so a redelivery acts once), and payments and pushes beside them.
            if (RELAYED.includes(wire)) requireEnd(ctx, wire, "", s.supabase?.database !== undefined, "supabase.database (the project's database, where the relay records deliveries and events)");

            if (typeof settings.from === "string") {
                const domain = settings.from.split("@")[1]?.toLowerCase() ?? "";
                const declared = Object.keys(s.resend?.domains ?? {}).find((d) => d.toLowerCase() === domain);
                if (requireEnd(ctx, wire, ".from", declared !== undefined, `a sender at a domain of resend.domains ("${domain}" is not declared): its sending key is restricted to that domain`)) senderDomains[wire] = declared!;
            }
            if (typeof settings.repository === "string") {
                const repository = s.github?.repositories?.[settings.repository];
                if (requireEnd(ctx, wire, ".repository", repository !== undefined, `a repository of github.repositories ("${settings.repository}" is not one)`) && (wire === "gitlabToTrello" || wire === "githubToGitlab")) {
                    requireEnd(ctx, wire, ".repository", repository!.gitlabMirror !== undefined, `github.repositories.${settings.repository}.gitlabMirror: the GitLab project is that repository's mirror`);
                }
            }
            if (typeof settings.board === "string") {
                const board = s.trello?.boards?.[settings.board];
                if (requireEnd(ctx, wire, ".board", board !== undefined, `a board of trello.boards ("${settings.board}" is not one)`)) {
                    const keys = listKeys(board);
                    for (const [role, list] of Object.entries((settings.lists as Record<string, string> | undefined) ?? {})) {
                        requireEnd(ctx, wire, `.lists.${role}`, keys.includes(list), `a list of trello.boards.${settings.board}.lists ("${list}" is not one of ${keys.join(", ") || "none"})`);
                    }
                }
            }
            if (wire === "appwriteToStripe") {
                const { database, collection } = w.appwriteToStripe!;
                const db = s.appwrite?.databases?.[database];
                if (requireEnd(ctx, wire, ".database", db !== undefined, `a database of appwrite.databases ("${database}" is not one)`)) {
                    requireEnd(ctx, wire, ".collection", db!.collections?.[collection] !== undefined, `a collection of appwrite.databases.${database}.collections ("${collection}" is not one)`);
                }
            }
        }
        // The relay's secrets and the platform keys handed to Supabase share the project's secrets: one owner per name.
        if (relay) {
            const consumers = (ctx.settings.keyConsumers as Record<string, { kind: string; name?: string }[]> | undefined) ?? {};
            for (const [reference, list] of Object.entries(consumers)) {
                list.forEach((c, i) => {
                    const name = consumerVariableName(reference, c);
                    if (c.kind === "supabaseSecret" && RELAY_SECRET_NAMES.includes(name)) ctx.problem(`keyConsumers.${reference}[${i}].name`, `"${name}" is a function secret of the wires' relay: give this key another name`);
                });
            }
        }
        // One sending key serves the relay, restricted to one domain.
        const { stripeToResend: receipts, trelloToResend: alerts } = senderDomains;
        if (receipts && alerts && receipts !== alerts) ctx.problem("wires.trelloToResend.from", `must be at ${receipts}, like wires.stripeToResend.from: the relay sends both with one key restricted to one domain`);
        return { wires: w, wanted, relay, senderDomains };
    },
});
