-- Agora video and audio calls (Agora -> Supabase/PostgreSQL).
CREATE TABLE call_logs (
    id            bigserial PRIMARY KEY,
    channel_name  text        NOT NULL,
    caller_id     text        NOT NULL,
    callee_id     text,
    started_at    timestamptz NOT NULL,
    ended_at      timestamptz,
    recording_url text,
    CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE INDEX call_logs_channel ON call_logs (channel_name, started_at);
