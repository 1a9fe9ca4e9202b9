"""The schema as an ordered list of migrations; ``PRAGMA user_version`` is the index reached."""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: projects, sessions, the message tree, branches, usage and durable events.
    """
    CREATE TABLE projects (
        id TEXT PRIMARY KEY,
        root TEXT NOT NULL UNIQUE,
        created_at REAL NOT NULL
    );
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        project_id TEXT NOT NULL REFERENCES projects(id),
        title TEXT NOT NULL DEFAULT '',
        model TEXT,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE INDEX sessions_by_project ON sessions(project_id, updated_at);
    CREATE TABLE messages (
        id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id),
        parent_id TEXT REFERENCES messages(id),
        role TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'system')),
        content TEXT NOT NULL DEFAULT '',
        reasoning TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL
            CHECK (status IN ('complete', 'streaming', 'interrupted', 'error')),
        model TEXT,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE INDEX messages_by_session ON messages(session_id, created_at);
    CREATE TABLE branches (
        session_id TEXT NOT NULL REFERENCES sessions(id),
        name TEXT NOT NULL,
        head_message_id TEXT REFERENCES messages(id),
        PRIMARY KEY (session_id, name)
    );
    CREATE TABLE usage (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id),
        message_id TEXT REFERENCES messages(id),
        model TEXT NOT NULL,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        cache_read_tokens INTEGER NOT NULL DEFAULT 0,
        cache_write_tokens INTEGER NOT NULL DEFAULT 0,
        reasoning_tokens INTEGER NOT NULL DEFAULT 0,
        cost_usd REAL,
        cost_source TEXT NOT NULL,
        ttft_ms REAL,
        duration_ms REAL NOT NULL,
        created_at REAL NOT NULL
    );
    CREATE INDEX usage_by_session ON usage(session_id);
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        payload TEXT NOT NULL,
        ts REAL NOT NULL
    );
    CREATE INDEX events_by_session ON events(session_id, seq);
    """,
]

LATEST_VERSION = len(MIGRATIONS)
