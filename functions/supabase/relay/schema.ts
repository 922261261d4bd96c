/**
 * The relay's tables as a string Node code can import (the stack applies it as a migration).
 * The same text as migrations/001_relay_tables.sql, which stacks/wires/code.ts reads; a test keeps
 * the two equal. Plain TypeScript: no Deno API here.
 */
export const RELAY_MIGRATION_NAME = "001_relay_tables";

export const RELAY_MIGRATION_SQL = `
-- The relay's tables (functions/supabase/relay): one row per delivery it acted on, and what it recorded.
-- A delivery is recorded in the same transaction as its effect; a second insert conflicts: a replay.
CREATE TABLE relay_deliveries (
    source      text        NOT NULL,            -- stripe, github, gitlab, trello
    delivery_id text        NOT NULL,            -- event id, X-GitHub-Delivery, GitLab's Idempotency-Key, action id
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, delivery_id)
);

-- Stripe payment events (checkout.session.completed, payment_intent.succeeded, charge.refunded, invoice.paid).
CREATE TABLE payments (
    event_id       text PRIMARY KEY,             -- evt_...
    type           text NOT NULL,
    object_id      text NOT NULL,                -- cs_..., pi_..., ch_..., in_...
    amount         bigint,                       -- smallest currency unit, as Stripe sends it
    currency       text,
    customer_email text,
    created_at     timestamptz NOT NULL DEFAULT now()
);

-- GitHub repository events (push, create, delete, release).
CREATE TABLE repository_events (
    delivery_id text PRIMARY KEY,                -- X-GitHub-Delivery
    event       text NOT NULL,
    repository  text,                            -- owner/name
    ref         text,
    after_sha   text,
    payload     jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
`.trimStart();
