/**
 * Supabase Auth's custom SMTP settings (host, port, user, password, sender, email rate limit)
 * through the Management API: `GET` and `PATCH /v1/projects/{ref}/config/auth`
 * (api_v1_openapi.json, v1-get-auth-service-config / v1-update-auth-service-config).
 *
 * The settings belong to the project. A password cannot be read back or restored: the API answers
 * smtp_pass with an opaque representation, never the password (supabase/terraform-provider-supabase#151
 * and #157 ignore the masked value; supabase/agent-skills#270). So create refuses a project that
 * already sends through a custom SMTP server of its own (this resource would replace it, and its
 * delete would turn it off with no way back): such settings are taken over with `adopt`, which keeps
 * them on destroy. Delete clears smtp_host and smtp_pass, which turns custom SMTP off and Auth falls
 * back to Supabase's built-in mailer. A create run again after its first answer was lost finds our
 * own settings in place and goes on.
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

/** The fields of AuthConfigResponse this resource writes (smtp_pass aside, which is never answered). */
export interface SmtpSettings {
    smtp_host: string | null;
    smtp_port: string | null;
    smtp_user: string | null;
    smtp_admin_email: string | null;
    smtp_sender_name: string | null;
    smtp_max_frequency: number | null;
    rate_limit_email_sent: number | null;
}

/** State written before this release also holds `previous` (what the project had): read and ignored. */
export type AuthSmtpState = AuthSmtpInputs;

const PERMISSION = "Auth settings";

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

    async create(ctx, i) {
        const calls = managementApi(ctx, i, `read Auth config of project ${i.projectRef}`, PERMISSION);
        const current = settingsOf(configOf(ctx, calls, i.projectRef, (await calls.send<unknown>("GET", configPath(i), undefined, "must exist"))!.body));
        if (current.smtp_host && !isOurs(current, i)) {
            throw ctx.error(calls.call, {
                status: 409,
                apiMessage: `project ${i.projectRef} already sends Auth email through its own SMTP server (${current.smtp_host}): this stack would replace it, and turning it off on destroy could not bring its password back. Take it over with adopt: ${authSmtpDefinition.idFor!(i)} (docs/adoption.md), or turn custom SMTP off first`,
            });
        }
        await patch(ctx, i, `set Auth SMTP of project ${i.projectRef}`, ours(i));
        return { id: authSmtpDefinition.idFor!(i), outs: i };
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
    async update(ctx, _id, _olds, news) {
        await patch(ctx, news, `update Auth SMTP of project ${news.projectRef}`, ours(news));
        return news;
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
