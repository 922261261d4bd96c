/**
 * Supabase Auth's custom SMTP settings (host, port, user, password, sender, email rate limit)
 * through the Management API: `GET` and `PATCH /v1/projects/{ref}/config/auth`
 * (api_v1_openapi.json, v1-get-auth-service-config / v1-update-auth-service-config).
 *
 * The settings belong to the project, not to this resource: create reads them first and keeps
 * what was there (`previous`: every smtp_* field but the password, and rate_limit_email_sent), and
 * delete writes that back. A password cannot be restored: the API answers smtp_pass with an opaque
 * representation, never the password (supabase/terraform-provider-supabase#151 and #157 ignore
 * the masked value; supabase/agent-skills#270). So delete always clears smtp_host and smtp_pass,
 * which turns custom SMTP off and Auth falls back to Supabase's built-in mailer, with the other
 * settings as they were. A create run again after its first answer was lost finds our own settings
 * in place; it then records "no custom SMTP" as what was there, which delete restores the same way.
 *
 * Refresh shows drift on every field but the password; custom SMTP turned off (no smtp_host)
 * counts as the settings having been deleted. A 404 (the project) counts as gone only once the
 * account's project list, read with the same token, no longer holds the project.
 */
import type * as pulumi from "@pulumi/pulumi";
import { confirmGone, segment } from "../core/gone";
import type { OperationContext, ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { managementApi, theAccount, type ManagementProject } from "./client";
import { authSmtpInputSchema, type AuthSmtpInputs } from "./schema";

/** The fields of AuthConfigResponse this resource writes, and restores on delete (smtp_pass aside). */
export interface SmtpSettings {
    smtp_host: string | null;
    smtp_port: string | null;
    smtp_user: string | null;
    smtp_admin_email: string | null;
    smtp_sender_name: string | null;
    smtp_max_frequency: number | null;
    rate_limit_email_sent: number | null;
}

export interface AuthSmtpState extends AuthSmtpInputs {
    /** The project's SMTP settings before this resource wrote its own (no password). */
    previous: SmtpSettings;
}

const PERMISSION = "Auth settings";

/** Custom SMTP off: what a project has before anyone sets it (supabase/cli's recorded GET config/auth). */
const BUILT_IN_MAILER: SmtpSettings = { smtp_host: null, smtp_port: null, smtp_user: null, smtp_admin_email: null, smtp_sender_name: null, smtp_max_frequency: null, rate_limit_email_sent: null };

const configPath = (p: ManagementProject) => `/v1/projects/${segment(p.projectRef)}/config/auth`;

function settingsOf(config: Record<string, unknown>): SmtpSettings {
    const pick = <T>(key: string, type: "string" | "number"): T | null => (typeof config[key] === type ? (config[key] as T) : null);
    return {
        smtp_host: pick("smtp_host", "string"),
        smtp_port: typeof config.smtp_port === "number" ? String(config.smtp_port) : pick("smtp_port", "string"),
        smtp_user: pick("smtp_user", "string"),
        smtp_admin_email: pick("smtp_admin_email", "string"),
        smtp_sender_name: pick("smtp_sender_name", "string"),
        smtp_max_frequency: pick("smtp_max_frequency", "number"),
        rate_limit_email_sent: pick("rate_limit_email_sent", "number"),
    };
}

/** What this resource writes (UpdateAuthConfigBody: smtp_port is a string there). */
function ours(i: AuthSmtpInputs) {
    return {
        smtp_host: i.host,
        smtp_port: String(i.port),
        smtp_user: i.user,
        smtp_pass: i.password,
        smtp_admin_email: i.adminEmail,
        smtp_sender_name: i.senderName,
        rate_limit_email_sent: i.emailsPerHour,
    };
}

/** Our settings are already in place (a create whose answer was lost): all but the password, which cannot be read. */
function isOurs(s: SmtpSettings, i: AuthSmtpInputs): boolean {
    const o = ours(i);
    return s.smtp_host === o.smtp_host && s.smtp_port === o.smtp_port && s.smtp_user === o.smtp_user && s.smtp_admin_email === o.smtp_admin_email && s.smtp_sender_name === o.smtp_sender_name && s.rate_limit_email_sent === o.rate_limit_email_sent;
}

/** The auth config as an object, or a failure that says the answer was not one. */
function configOf(ctx: OperationContext, calls: ReturnType<typeof managementApi>, ref: string, body: unknown): Record<string, unknown> {
    if (body && typeof body === "object" && !Array.isArray(body) && "smtp_host" in body) return body as Record<string, unknown>;
    throw ctx.error(calls.call, { apiMessage: `asked for the Auth config of project ${ref} and was answered with something that is not one: managementUrl may not be the Management API; nothing was changed in state` });
}

async function patch(ctx: OperationContext, p: ManagementProject, operation: string, body: Record<string, unknown>) {
    const calls = managementApi(ctx, p, operation, PERMISSION);
    await calls.send("PATCH", configPath(p), body, "must exist");
}

export const authSmtpDefinition: ResourceDefinition<ReturnType<typeof authSmtpInputSchema>, AuthSmtpState> = {
    module: "supabase",
    type: "AuthSmtp",
    idFor: (i) => `${i.projectRef}/config/auth/smtp`,
    service: "supabase-management",
    schema: authSmtpInputSchema,
    replaceOnChanges: ["managementUrl", "projectRef"],
    // One set of SMTP settings per project: the old project's are restored before the new one's are written.
    deleteBeforeReplace: true,
    secretInputs: ["password"],
    outputs: ["previous"],

    async create(ctx, i) {
        const calls = managementApi(ctx, i, `read Auth config of project ${i.projectRef}`, PERMISSION);
        const current = settingsOf(configOf(ctx, calls, i.projectRef, (await calls.send<unknown>("GET", configPath(i), undefined, "must exist"))!.body));
        const previous = isOurs(current, i) ? BUILT_IN_MAILER : current;
        await patch(ctx, i, `set Auth SMTP of project ${i.projectRef}`, ours(i));
        return { id: authSmtpDefinition.idFor!(i), outs: { ...i, previous } };
    },
    async read(ctx, _id, state) {
        const calls = managementApi(ctx, state, `read Auth config of project ${state.projectRef}`, PERMISSION);
        const answer = await calls.send<unknown>("GET", configPath(state), undefined, "may be gone");
        if (answer === undefined) {
            await confirmGone(ctx, calls.call, `the Auth config of project ${state.projectRef}`, theAccount(ctx, calls, state, "its Auth config"));
            return undefined;
        }
        const s = settingsOf(configOf(ctx, calls, state.projectRef, answer.body));
        // Custom SMTP turned off out of band: these settings are gone (the project answered, no further check).
        if (!s.smtp_host) return undefined;
        const port = Number(s.smtp_port);
        return {
            ...state,
            host: s.smtp_host,
            port: Number.isInteger(port) ? port : state.port,
            user: s.smtp_user ?? "",
            adminEmail: s.smtp_admin_email ?? "",
            senderName: s.smtp_sender_name ?? "",
            emailsPerHour: s.rate_limit_email_sent ?? state.emailsPerHour,
        };
    },
    async update(ctx, _id, olds, news) {
        await patch(ctx, news, `update Auth SMTP of project ${news.projectRef}`, ours(news));
        return { ...news, previous: olds.previous ?? BUILT_IN_MAILER };
    },
    async delete(ctx, _id, state) {
        const calls = managementApi(ctx, state, `turn off the Auth SMTP of project ${state.projectRef}`, PERMISSION);
        // The previous password cannot be written back, so custom SMTP is turned off (no host, no
        // password) and Auth falls back to Supabase's mailer. Only those two fields are sent: Supabase
        // refuses the SMTP-gated ones (sender name, rate limit, frequency) once custom SMTP is off.
        if ((await calls.send("PATCH", configPath(state), { smtp_host: null, smtp_pass: null }, "may be gone")) === undefined) {
            await confirmGone(ctx, calls.call, `the Auth config of project ${state.projectRef}`, theAccount(ctx, calls, state, "its Auth config"));
        }
    },
};

/**
 * `host` defaults to smtp.resend.com, `port` to 465, `user` to "resend" (Resend's SMTP settings),
 * `emailsPerHour` to 30; `password` is secret.
 */
export type SupabaseAuthSmtpArgs = ResourceArgs<ReturnType<typeof authSmtpInputSchema>>;

export class SupabaseAuthSmtp extends DynamicResource<ReturnType<typeof authSmtpInputSchema>, AuthSmtpState> {
    /** The project's SMTP settings before this resource, restored on delete (custom SMTP off). */
    declare readonly previous: pulumi.Output<SmtpSettings>;
    constructor(name: string, args: SupabaseAuthSmtpArgs, opts?: pulumi.CustomResourceOptions) {
        super(authSmtpDefinition, name, args, opts);
    }
}
