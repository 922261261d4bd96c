/**
 * POST /stripe: Stripe's webhook deliveries, verified with stripe's constructEventAsync (the
 * Stripe-Signature header, 300 s tolerance, so an old signature replayed is refused). Payment
 * events become a row in `payments` and, when RECEIPT_FROM is set, a receipt to the customer
 * through Resend with the idempotency key `receipt/<event id>`. Once per event id.
 */
import Stripe from "npm:stripe@23.1.0";
import type { RouteContext } from "../context.ts";
import { duplicate, forged, json } from "../http.ts";

/** Stripe's default tolerance (stripe-node Webhooks.DEFAULT_TOLERANCE), stated so it cannot drift. */
export const STRIPE_TOLERANCE_SECONDS = 300;

interface Payment {
    objectId: string;
    amount: number | null;
    currency: string | null;
    email: string | null;
}

type Obj = Record<string, any>;
const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : null);
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** What each payment event says was paid (or refunded), by the fields of its object in Stripe's API reference. */
const PAYMENT_EVENTS: Record<string, (o: Obj) => Payment> = {
    "checkout.session.completed": (o) => ({ objectId: o.id, amount: num(o.amount_total), currency: str(o.currency), email: str(o.customer_details?.email) ?? str(o.customer_email) }),
    "payment_intent.succeeded": (o) => ({ objectId: o.id, amount: num(o.amount_received) ?? num(o.amount), currency: str(o.currency), email: str(o.receipt_email) }),
    "charge.refunded": (o) => ({ objectId: o.id, amount: num(o.amount_refunded), currency: str(o.currency), email: str(o.billing_details?.email) ?? str(o.receipt_email) }),
    "invoice.paid": (o) => ({ objectId: o.id, amount: num(o.amount_paid), currency: str(o.currency), email: str(o.customer_email) }),
};

/** Currencies Stripe counts in whole units (docs.stripe.com/currencies#zero-decimal). */
const ZERO_DECIMAL = new Set(["bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"]);

export function formatAmount(amount: number, currency: string): string {
    const c = currency.toLowerCase();
    return `${ZERO_DECIMAL.has(c) ? String(amount) : (amount / 100).toFixed(2)} ${c.toUpperCase()}`;
}

function receipt(type: string, eventId: string, p: Payment): { subject: string; text: string } {
    const what = p.amount !== null && p.currency ? formatAmount(p.amount, p.currency) : "your payment";
    const refund = type === "charge.refunded";
    return {
        subject: refund ? `Refund of ${what}` : `Receipt for ${what}`,
        text: `${refund ? "We refunded" : "We received"} ${what}.\n\nReference: ${p.objectId} (${eventId})\n`,
    };
}

export async function stripeRoute(ctx: RouteContext): Promise<Response> {
    const secret = ctx.setting("STRIPE_WEBHOOK_SECRET")!;
    const signature = ctx.request.headers.get("stripe-signature");
    if (!signature) throw forged("Stripe-Signature header missing");
    let event: Stripe.Event;
    try {
        event = await Stripe.webhooks.constructEventAsync(ctx.text, signature, secret, STRIPE_TOLERANCE_SECONDS, Stripe.createSubtleCryptoProvider());
    } catch {
        // stripe's message may quote the header; say only what failed.
        throw forged("Stripe-Signature does not verify (wrong secret, altered body, or older than 300 s)");
    }
    const describe = PAYMENT_EVENTS[event.type];
    const payment = describe ? describe(event.data.object as Obj) : undefined;
    // Receipts go out only for the events the Stripe → Resend wire names (RECEIPT_EVENTS, comma-separated; all payment events when unset).
    const receiptEvents = ctx.setting("RECEIPT_EVENTS")?.split(",").map((e) => e.trim()).filter(Boolean);
    const from = receiptEvents === undefined || receiptEvents.includes(event.type) ? ctx.setting("RECEIPT_FROM") : undefined;
    const mailer = from ? ctx.mailer() : undefined;
    const done = await ctx.store().once("stripe", event.id, async (tx) => {
        if (!payment) return { recorded: false, receipt: null };
        await tx.query("INSERT INTO payments (event_id, type, object_id, amount, currency, customer_email) VALUES ($1, $2, $3, $4, $5, $6)", [event.id, event.type, payment.objectId, payment.amount, payment.currency, payment.email]);
        if (!from || !payment.email) return { recorded: true, receipt: null };
        if (!mailer) ctx.require("RESEND_API_KEY");
        const { subject, text } = receipt(event.type, event.id, payment);
        const id = await mailer!({ from, to: [payment.email], subject, text }, `receipt/${event.id}`);
        return { recorded: true, receipt: id };
    });
    if (done.duplicate) return duplicate();
    return json(200, { received: event.id, type: event.type, ...done.value });
}
