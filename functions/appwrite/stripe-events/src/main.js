/**
 * Stripe → Appwrite relay, an Appwrite function (Node runtime). Stripe posts each event to the
 * function's domain; the function checks its Stripe-Signature against STRIPE_WEBHOOK_SECRET and
 * stores the event as one document of APPWRITE_DATABASE_ID / APPWRITE_COLLECTION_ID, whose id is
 * derived from the event id: Stripe retries and replays the same event, and Appwrite refuses a
 * second document at the same id (409), so each event is stored once.
 *
 * Appwrite gives every execution a key in the `x-appwrite-key` header, limited to the function's
 * scopes (the function needs documents.write), and its endpoint and project in
 * APPWRITE_FUNCTION_API_ENDPOINT and APPWRITE_FUNCTION_PROJECT_ID.
 *
 * Answers: 200 stored (or already stored), 401 signature missing or wrong, 500 otherwise (Stripe
 * retries).
 */
import { createHash } from "node:crypto";
import { Client, Databases } from "node-appwrite";
import Stripe from "stripe";

/** Appwrite's id rule: at most 36 of a-z A-Z 0-9 . - _, not starting with a special character. */
const APPWRITE_ID = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,35}$/;

/** The document id for an event: its id without `evt_` when Appwrite takes that, else a hash of it. */
export function documentIdFor(eventId) {
    const bare = eventId.replace(/^evt_/, "");
    return APPWRITE_ID.test(bare) ? bare : createHash("sha256").update(eventId).digest("hex").slice(0, 36);
}

export default async ({ req, res, log, error }) => {
    const signature = req.headers["stripe-signature"];
    if (!signature) return res.json({ error: "missing Stripe-Signature header" }, 401);
    let event;
    try {
        // Verifying needs only the endpoint's signing secret, never the account's API key.
        event = await Stripe.webhooks.constructEventAsync(req.bodyRaw, signature, process.env.STRIPE_WEBHOOK_SECRET ?? "");
    } catch (err) {
        error(`refused an event: ${err.message}`);
        return res.json({ error: "signature does not match" }, 401);
    }

    const client = new Client().setEndpoint(process.env.APPWRITE_FUNCTION_API_ENDPOINT).setProject(process.env.APPWRITE_FUNCTION_PROJECT_ID).setKey(req.headers["x-appwrite-key"] ?? "");
    const documentId = documentIdFor(event.id);
    try {
        await new Databases(client).createDocument({
            databaseId: process.env.APPWRITE_DATABASE_ID,
            collectionId: process.env.APPWRITE_COLLECTION_ID,
            documentId,
            data: { eventId: event.id, type: event.type, payload: req.bodyRaw },
        });
    } catch (err) {
        if (err.code === 409) {
            log(`event ${event.id} already stored`);
            return res.json({ received: true, duplicate: true });
        }
        error(`could not store event ${event.id}: ${err.message}`);
        return res.json({ error: "could not store the event" }, 500);
    }
    log(`stored event ${event.id} (${event.type}) as ${documentId}`);
    return res.json({ received: true, duplicate: false });
};
