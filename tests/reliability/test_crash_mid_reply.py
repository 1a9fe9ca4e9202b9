"""kill -9 in the middle of a streamed reply: the store stays intact and the text is kept."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from penguin_tui.testing import run_in_thread
from tests.conftest import script

SLOW = """
model = "m1"
rate = 50
[[turns]]
text = "{words}"
[[turns]]
text = "Back again."
"""


def penguin(*args: str) -> list[str]:
    return [sys.executable, "-m", "penguin_tui.cli", *args]


def partial_reply(database: Path) -> str:
    """The streaming reply's saved text, or "" while the store is still being created."""
    if not database.exists():
        return ""
    db = sqlite3.connect(database)
    try:
        row = db.execute(
            "SELECT content FROM messages WHERE role = 'assistant' AND status = 'streaming'"
        ).fetchone()
    except sqlite3.OperationalError as error:
        # The file exists a moment before its tables do: the program is still starting.
        if "no such table" in str(error):
            return ""
        raise
    finally:
        db.close()
    return str(row[0]) if row else ""


def test_kill_9_mid_reply_keeps_the_partial_text_marked_interrupted(
    project: Path, penguin_home: Path
) -> None:
    words = " ".join(f"w{i}" for i in range(2000))
    database = penguin_home / "penguin.db"
    with run_in_thread(script(SLOW.format(words=words))) as server:
        base = ["-C", str(project), "--model", "m1", "--api-base", server.base_url]
        process = subprocess.Popen(
            penguin("run", *base, "tell me a long story"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=os.environ.copy(),
        )
        deadline = time.monotonic() + 60
        while len(partial_reply(database)) < 40:
            assert time.monotonic() < deadline, "no partial reply was saved while streaming"
            assert process.poll() is None
            time.sleep(0.1)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        saved = partial_reply(database)

        with sqlite3.connect(database) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

        # The next start finishes the crashed reply as interrupted and carries on.
        done = subprocess.run(
            penguin("run", *base, "--continue", "--json", "are you there?"),
            capture_output=True,
            text=True,
            timeout=120,
            env=os.environ.copy(),
        )
        assert done.returncode == 0, done.stderr
        sent = server.requests[-1]["messages"]
        assert sent[2]["role"] == "assistant"
        assert sent[2]["content"].startswith(saved)

    session_id = json.loads(done.stdout.splitlines()[0])["session_id"]
    shown = subprocess.run(
        penguin("sessions", "show", session_id, "--json"),
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ.copy(),
    )
    messages = json.loads(shown.stdout)["messages"]
    assert [m["status"] for m in messages] == ["complete", "interrupted", "complete", "complete"]
    assert messages[1]["text"].startswith("w0 w1 w2")
    assert messages[3]["text"] == "Back again."
