/**
 * Supabase → Resend: Supabase Auth sends its emails (sign-up confirmations, magic links, password
 * resets) through Resend's SMTP server, with a sending-only key restricted to the sender's domain
 * as the password. Destroying it puts back the SMTP settings that were there before.
 */
import * as pulumi from "@pulumi/pulumi";
import { ResendApiKey, type ResendApiKeyArgs } from "../../dynamic-providers/resend/api-key";
import { SupabaseAuthSmtp, type SupabaseAuthSmtpArgs } from "../../dynamic-providers/supabase/auth-smtp";
import { transformed, type Transform } from "../component";

export const AUTH_EMAIL_TYPE = "stackwire:wires:AuthEmail";

export interface AuthEmailArgs {
    projectRef: string;
    managementUrl?: string;
    from: string;
    senderName: string;
    emailsPerHour: number;
    resend: { baseUrl?: string; keyName: string; domainId: pulumi.Input<string> };
    transform?: { sendingKey?: Transform<ResendApiKeyArgs>; smtp?: Transform<SupabaseAuthSmtpArgs> };
}

export class AuthEmail extends pulumi.ComponentResource {
    constructor(name: string, args: AuthEmailArgs, opts?: pulumi.ComponentResourceOptions) {
        super(AUTH_EMAIL_TYPE, name, {}, opts);
        const t = args.transform ?? {};
        const child = { parent: this };
        const keyArgs: ResendApiKeyArgs = { ...(args.resend.baseUrl ? { baseUrl: args.resend.baseUrl } : {}), name: args.resend.keyName, permission: "sending_access", domainId: args.resend.domainId };
        const key = new ResendApiKey(...transformed(t.sendingKey, `${name}-sending-key`, keyArgs, child));
        const smtpArgs: SupabaseAuthSmtpArgs = {
            ...(args.managementUrl ? { managementUrl: args.managementUrl } : {}),
            projectRef: args.projectRef,
            // Resend's SMTP relay: user "resend", an API key as the password (resend.com/docs/send-with-smtp).
            host: "smtp.resend.com",
            port: 465,
            user: "resend",
            password: key.token,
            adminEmail: args.from,
            senderName: args.senderName,
            emailsPerHour: args.emailsPerHour,
        };
        new SupabaseAuthSmtp(...transformed(t.smtp, `${name}-smtp`, smtpArgs, child));
        this.registerOutputs({});
    }
}
