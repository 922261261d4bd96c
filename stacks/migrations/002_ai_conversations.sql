-- Conversations with OpenAI models and their messages (OpenAI -> Supabase/PostgreSQL).
CREATE TABLE ai_conversations (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    text        NOT NULL,
    model      text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE ai_messages (
    id              bigserial PRIMARY KEY,
    conversation_id uuid        NOT NULL REFERENCES ai_conversations (id) ON DELETE CASCADE,
    role            text        NOT NULL CHECK (role IN ('system', 'user', 'assistant', 'tool')),
    content         text        NOT NULL,
    tokens          integer,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ai_messages_conversation ON ai_messages (conversation_id, id);
