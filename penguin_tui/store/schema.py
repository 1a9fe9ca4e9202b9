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
    # 2: tool calls in the conversation (assistant tool_calls, 'tool' role answers) and the
    # audit log of every tool call. SQLite cannot change a CHECK, so messages is rebuilt.
    """
    CREATE TABLE messages_v2 (
        id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id),
        parent_id TEXT REFERENCES messages(id),
        role TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'system', 'tool')),
        content TEXT NOT NULL DEFAULT '',
        reasoning TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL
            CHECK (status IN ('complete', 'streaming', 'interrupted', 'error')),
        model TEXT,
        tool_calls TEXT,
        tool_call_id TEXT,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    INSERT INTO messages_v2 (id, session_id, parent_id, role, content, reasoning, status, model,
                             created_at, updated_at)
        SELECT id, session_id, parent_id, role, content, reasoning, status, model,
               created_at, updated_at FROM messages;
    DROP TABLE messages;
    ALTER TABLE messages_v2 RENAME TO messages;
    CREATE INDEX messages_by_session ON messages(session_id, created_at);
    CREATE TABLE tool_calls (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id),
        message_id TEXT REFERENCES messages(id),
        call_id TEXT NOT NULL,
        tool TEXT NOT NULL,
        args TEXT NOT NULL,
        decision TEXT NOT NULL CHECK (decision IN ('allow', 'deny')),
        decided_by TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL,
        summary TEXT NOT NULL DEFAULT '',
        exit_code INTEGER,
        started_at REAL NOT NULL,
        ended_at REAL NOT NULL
    );
    CREATE INDEX tool_calls_by_session ON tool_calls(session_id, started_at);
    CREATE TABLE permission_rules (
        id INTEGER PRIMARY KEY,
        project_id TEXT NOT NULL REFERENCES projects(id),
        tool TEXT NOT NULL,
        pattern TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('allow', 'ask', 'deny')),
        created_at REAL NOT NULL
    );
    """,
]

LATEST_VERSION = len(MIGRATIONS)
