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
    # 3: checkpoints (code tree + conversation point + usage), the current branch of a
    # session, each branch's position, and the undoable operations (revert, merge).
    """
    ALTER TABLE sessions ADD COLUMN current_branch TEXT NOT NULL DEFAULT 'main';
    ALTER TABLE branches ADD COLUMN position_id TEXT;
    ALTER TABLE branches ADD COLUMN created_at REAL NOT NULL DEFAULT 0;
    CREATE TABLE checkpoints (
        id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id),
        branch TEXT NOT NULL,
        parent_id TEXT,
        message_id TEXT,
        kind TEXT NOT NULL CHECK (kind IN ('auto', 'manual', 'safety')),
        label TEXT NOT NULL DEFAULT '',
        tree TEXT NOT NULL,
        tasks TEXT NOT NULL DEFAULT '[]',
        calls INTEGER NOT NULL,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        cost_usd REAL,
        unpriced_calls INTEGER NOT NULL,
        files_changed INTEGER NOT NULL,
        lines_added INTEGER NOT NULL,
        lines_removed INTEGER NOT NULL,
        skipped TEXT NOT NULL DEFAULT '[]',
        snapshot_ms REAL NOT NULL,
        created_at REAL NOT NULL
    );
    CREATE INDEX checkpoints_by_session ON checkpoints(session_id, created_at);
    CREATE TABLE checkpoint_ops (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id),
        kind TEXT NOT NULL CHECK (kind IN ('revert', 'merge')),
        mode TEXT NOT NULL CHECK (mode IN ('code', 'conversation', 'both')),
        branch TEXT NOT NULL,
        target_id TEXT NOT NULL,
        before_id TEXT NOT NULL,
        before_head TEXT,
        after_head TEXT,
        after_tree TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('done', 'undone')),
        detail TEXT NOT NULL DEFAULT '{}',
        created_at REAL NOT NULL
    );
    CREATE INDEX checkpoint_ops_by_session ON checkpoint_ops(session_id, id);
    """,
    # 4: the restores whose records are committed. A restore's journal names a token; the
    # operation's rows and the token land in one transaction before the first file is
    # touched, so the next start knows whether to finish the files or drop the journal.
    """
    CREATE TABLE restore_commits (
        token TEXT PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id),
        operation_id INTEGER,
        created_at REAL NOT NULL
    );
    """,
    # 5: whether a call's tokens were reported by the provider or estimated (a reply cut
    # short, or a stream that ended without usage). Older estimates were billed 'estimate'.
    """
    ALTER TABLE usage ADD COLUMN tokens_source TEXT NOT NULL DEFAULT 'provider'
        CHECK (tokens_source IN ('provider', 'estimate'));
    UPDATE usage SET tokens_source = 'estimate' WHERE cost_source = 'estimate';
    """,
    # 6: the project's task plan. A task is known by its number in its project (shown as T1,
    # T2, ...); task_numbers keeps the last one given, so a number is never given twice, even
    # after a revert took the task away. Dependencies are rows of task_deps; every change is a
    # row of task_history.
    """
    CREATE TABLE task_numbers (
        project_id TEXT PRIMARY KEY REFERENCES projects(id),
        last INTEGER NOT NULL
    );
    CREATE TABLE tasks (
        project_id TEXT NOT NULL REFERENCES projects(id),
        number INTEGER NOT NULL CHECK (number > 0),
        title TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL CHECK (status IN
            ('todo', 'doing', 'blocked', 'review', 'done', 'failed', 'cancelled')),
        priority TEXT NOT NULL CHECK (priority IN ('high', 'medium', 'low')),
        parent INTEGER,
        criteria TEXT NOT NULL DEFAULT '[]',
        check_command TEXT,
        check_trusted INTEGER NOT NULL DEFAULT 0,
        created_by TEXT NOT NULL CHECK (created_by IN ('user', 'agent')),
        notes TEXT NOT NULL DEFAULT '',
        summary TEXT NOT NULL DEFAULT '',
        branch TEXT,
        checkpoints TEXT NOT NULL DEFAULT '[]',
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        cost_usd REAL DEFAULT 0,
        time_s REAL NOT NULL DEFAULT 0,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        PRIMARY KEY (project_id, number)
    );
    CREATE TABLE task_deps (
        project_id TEXT NOT NULL,
        number INTEGER NOT NULL,
        after INTEGER NOT NULL,
        PRIMARY KEY (project_id, number, after)
    );
    CREATE TABLE task_history (
        id INTEGER PRIMARY KEY,
        project_id TEXT NOT NULL,
        number INTEGER NOT NULL,
        actor TEXT NOT NULL CHECK (actor IN ('user', 'agent')),
        what TEXT NOT NULL,
        at REAL NOT NULL
    );
    CREATE INDEX task_history_by_task ON task_history(project_id, number, id);
    """,
    # 7: a revert or merge can move the tasks too: the operations' modes gain the task parts
    # (SQLite cannot change a CHECK, so the table is copied into a new one).
    """
    CREATE TABLE checkpoint_ops_new (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id),
        kind TEXT NOT NULL CHECK (kind IN ('revert', 'merge')),
        mode TEXT NOT NULL CHECK (mode IN ('code', 'conversation', 'both', 'tasks',
            'code+tasks', 'conversation+tasks', 'all')),
        branch TEXT NOT NULL,
        target_id TEXT NOT NULL,
        before_id TEXT NOT NULL,
        before_head TEXT,
        after_head TEXT,
        after_tree TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('done', 'undone')),
        detail TEXT NOT NULL DEFAULT '{}',
        created_at REAL NOT NULL
    );
    INSERT INTO checkpoint_ops_new SELECT * FROM checkpoint_ops;
    DROP TABLE checkpoint_ops;
    ALTER TABLE checkpoint_ops_new RENAME TO checkpoint_ops;
    CREATE INDEX checkpoint_ops_by_session ON checkpoint_ops(session_id, id);
    """,
    # 8: run mode: a run (one session) and each attempt at a task in it (its branch, where
    # it stands, what it spent), so a run killed half-way resumes without doing a step twice.
    """
    CREATE TABLE task_runs (
        id INTEGER PRIMARY KEY,
        project_id TEXT NOT NULL REFERENCES projects(id),
        session_id TEXT NOT NULL REFERENCES sessions(id),
        started_at REAL NOT NULL,
        finished_at REAL,
        stop_reason TEXT
    );
    CREATE INDEX task_runs_by_project ON task_runs(project_id, id);
    CREATE TABLE task_attempts (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES task_runs(id),
        project_id TEXT NOT NULL,
        number INTEGER NOT NULL,
        branch TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('working', 'merging', 'done', 'failed',
            'blocked', 'cancelled')),
        reason TEXT NOT NULL DEFAULT '',
        check_rounds INTEGER NOT NULL DEFAULT 0,
        check_exit_code INTEGER,
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        cost_usd REAL DEFAULT 0,
        steps INTEGER NOT NULL DEFAULT 0,
        time_s REAL NOT NULL DEFAULT 0,
        started_at REAL NOT NULL,
        finished_at REAL
    );
    CREATE INDEX task_attempts_by_task ON task_attempts(project_id, number, id);
    """,
    # 9: each call's performance record: the provider that answered, how the call ended, the
    # session's branch it was made on and run mode's task (if any). Older rows were answered
    # calls; their provider is read from the model's prefix (litellm's own rule for a bare
    # name) and their branch is taken as main.
    """
    ALTER TABLE usage ADD COLUMN provider TEXT NOT NULL DEFAULT '';
    ALTER TABLE usage ADD COLUMN outcome TEXT NOT NULL DEFAULT 'ok'
        CHECK (outcome IN ('ok', 'retried', 'failed', 'interrupted', 'fell back'));
    ALTER TABLE usage ADD COLUMN branch TEXT NOT NULL DEFAULT 'main';
    ALTER TABLE usage ADD COLUMN task_id TEXT;
    UPDATE usage SET provider = CASE
        WHEN instr(model, '/') > 0 THEN substr(model, 1, instr(model, '/') - 1)
        WHEN model LIKE 'claude%' THEN 'anthropic'
        WHEN model LIKE 'gemini%' THEN 'gemini'
        ELSE 'openai' END;
    UPDATE usage SET outcome = 'interrupted' WHERE EXISTS (
        SELECT 1 FROM messages WHERE messages.id = usage.message_id
            AND messages.status = 'interrupted');
    CREATE INDEX usage_by_created ON usage(created_at);
    """,
    # 10: the moment a project's dollar budget counts from (when it was set or changed, or
    # reset by the user), and the limit it was set to then.
    """
    CREATE TABLE budget_marks (
        project_id TEXT PRIMARY KEY REFERENCES projects(id),
        since REAL NOT NULL,
        limit_usd REAL
    );
    """,
]

LATEST_VERSION = len(MIGRATIONS)
