-- Repositories on GitHub and GitLab and their latest events (GitHub/GitLab -> Supabase/PostgreSQL).
CREATE TABLE repositories (
    id             bigserial PRIMARY KEY,
    host           text        NOT NULL CHECK (host IN ('github', 'gitlab')),
    full_name      text        NOT NULL,
    default_branch text        NOT NULL DEFAULT 'main',
    last_push_at   timestamptz,
    last_pipeline  text,
    UNIQUE (host, full_name)
);
