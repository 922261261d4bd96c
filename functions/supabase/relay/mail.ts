/**
 * Email through Resend's SDK: its base URL from RESEND_BASE_URL (the sandbox points it at an
 * emulator) and an Idempotency-Key per message (`emails.send(payload, { idempotencyKey })`), so a
 * retried delivery does not send twice even when the first attempt's commit was lost.
 */
import { Resend } from "npm:resend@6.38.0";

export interface Mail {
    from: string;
    to: string[];
    subject: string;
    text: string;
}

export type Mailer = (mail: Mail, idempotencyKey: string) => Promise<string>;

export function resendMailer(apiKey: string, baseUrl: string | undefined): Mailer {
    return async (mail, idempotencyKey) => {
        const resend = new Resend(apiKey, baseUrl ? { baseUrl: baseUrl.replace(/\/+$/, "") } : undefined);
        const { data, error } = await resend.emails.send(mail, { idempotencyKey });
        if (error) throw new Error(`resend answered ${error.statusCode ?? "no status"} ${error.name}: ${error.message}`);
        return data?.id ?? "";
    };
}
