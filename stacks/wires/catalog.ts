/**
 * The seed's interconnection matrix: ten wires, each an output of one platform feeding an input
 * of another. `section` is the `wires` config section (which wires a stack wants, and their few
 * settings); `WIRES` says what each provisions and what flows along it (the graph's labels).
 */
import { z } from "zod";
import { STRIPE_EVENT_TYPES } from "../../dynamic-providers/stripe/api-lists";
import { logicalName } from "../service";

export type Platform = "github" | "gitlab" | "stripe" | "supabase" | "appwrite" | "trello" | "resend";

export interface WireSpec {
    from: Platform;
    to: Platform;
    /** What the seed uses it for. */
    use: string;
    /** What travels along it, for the graph's edge labels. */
    flows: readonly string[];
}

export const WIRES = {
    stripeToSupabase: { from: "stripe", to: "supabase", use: "save payments", flows: ["payment events", "signing secret"] },
    stripeToResend: { from: "stripe", to: "resend", use: "confirmation email", flows: ["receipts", "sending key"] },
    supabaseToResend: { from: "supabase", to: "resend", use: "auth verification emails", flows: ["SMTP", "sending key"] },
    appwriteToStripe: { from: "stripe", to: "appwrite", use: "auth + payments", flows: ["payment events", "Stripe key", "signing secret"] },
    appwriteToResend: { from: "appwrite", to: "resend", use: "user emails", flows: ["messaging provider", "sending key"] },
    githubToSupabase: { from: "github", to: "supabase", use: "repository backup / sync", flows: ["push events", "webhook secret"] },
    githubToTrello: { from: "github", to: "trello", use: "issues to cards", flows: ["issue events", "webhook secret"] },
    gitlabToTrello: { from: "gitlab", to: "trello", use: "pipelines to cards", flows: ["pipeline events", "hook token"] },
    githubToGitlab: { from: "github", to: "gitlab", use: "mirror", flows: ["mirror"] },
    trelloToResend: { from: "trello", to: "resend", use: "task alerts", flows: ["card events", "sending key"] },
} as const satisfies Record<string, WireSpec>;

export type WireName = keyof typeof WIRES;
export const WIRE_NAMES = Object.keys(WIRES) as WireName[];

const email = z.email("must be an email address such as billing@mail.example.com");
const stripeEvents = z.array(z.string().refine((e) => e !== "*" && STRIPE_EVENT_TYPES.includes(e), "must be a Stripe event type such as payment_intent.succeeded")).min(1);
/** A GitHub repository of `github.repositories`, by its logical key. */
const repository = logicalName;
/** A board of `trello.boards`, by its logical key, and lists of it by their keys. */
const board = logicalName;
const list = logicalName;
/** A domain of `resend.domains` the sender's address is at: the sending key is restricted to it. */
const sender = z.object({ from: email, fromName: z.string().min(1).max(100).optional() }).strict();

export const wiresSection = z
    .object({
        /** The Supabase Edge Function that receives every wire's events (one per stack). */
        receiver: z.object({ slug: logicalName.default("stackwire-relay") }).strict().default({ slug: "stackwire-relay" }),
        stripeToSupabase: z.object({ events: stripeEvents.default(["checkout.session.completed", "payment_intent.succeeded", "charge.refunded"]) }).strict().optional(),
        stripeToResend: sender.extend({ events: stripeEvents.default(["checkout.session.completed"]) }).strict().optional(),
        supabaseToResend: sender
            .extend({
                /** Supabase's `smtp_admin_email`: the address auth emails come from. @default from */
                adminEmail: email.optional(),
                /** Supabase's `rate_limit_email_sent`: auth emails per hour. */
                emailsPerHour: z.number().int().min(1).max(10_000).default(30),
            })
            .strict()
            .optional(),
        appwriteToStripe: z
            .object({
                /** The Appwrite function's id. */
                functionId: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,35}$/, "must be an Appwrite id: up to 36 letters, digits, . - _, not starting with a special character").default("stripe-events"),
                /**
                 * The function's domain: a proxy rule made in the Appwrite console or with its Proxy
                 * API (Cloud: <subdomain>.<region>.appwrite.run). Stripe posts events there.
                 */
                domain: z.string().regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "must be a domain name such as stripe-events.fra.appwrite.run"),
                /** The database and collection (keys of appwrite.databases) payment events are stored in (attributes eventId, type, payload). */
                database: logicalName,
                collection: logicalName,
                events: stripeEvents.default(["checkout.session.completed", "payment_intent.succeeded"]),
            })
            .strict()
            .optional(),
        appwriteToResend: sender.extend({ providerId: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,35}$/, "must be an Appwrite id").default("resend") }).strict().optional(),
        githubToSupabase: z.object({ repository, events: z.array(z.enum(["push", "create", "delete", "release"])).min(1).default(["push"]) }).strict().optional(),
        githubToTrello: z
            .object({
                repository,
                board,
                /** Where an opened (or reopened) issue's card goes, and where a closed one moves. */
                lists: z.object({ opened: list, closed: list }).strict(),
            })
            .strict()
            .optional(),
        gitlabToTrello: z
            .object({
                /** A repository of `github.repositories` whose `gitlabMirror` is the GitLab project. */
                repository,
                board,
                /** The list a pipeline's card sits in for each status. */
                lists: z.object({ running: list, success: list, failed: list }).strict(),
            })
            .strict()
            .optional(),
        githubToGitlab: z.object({ repository }).strict().optional(),
        trelloToResend: sender.extend({ board, to: z.array(email).min(1).max(50) }).strict().optional(),
    })
    .strict();

export type WiresSection = z.output<typeof wiresSection>;
