-- Payments received from Stripe webhooks (Stripe -> Supabase/PostgreSQL in the seed's matrix).
CREATE TABLE stripe_payments (
    id              bigserial PRIMARY KEY,
    stripe_event_id text        NOT NULL UNIQUE,          -- evt_...: a redelivered event is stored once
    object_id       text        NOT NULL,                 -- pi_..., in_..., cs_...
    customer_id     text,
    amount          bigint      NOT NULL CHECK (amount >= 0), -- smallest currency unit, as Stripe sends it
    currency        char(3)     NOT NULL,
    status          text        NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stripe_payments_customer ON stripe_payments (customer_id);
