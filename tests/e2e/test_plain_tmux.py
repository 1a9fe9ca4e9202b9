"""The installed `penguin-tui --plain` in a real terminal (tmux) against the scripted model: a
streamed reply, a write approved with one key, a revert and its /undo, Ctrl+C during a long
reply, and /quit — all without the Textual app ever loading."""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from penguin_tui.testing import Script, ServerThread, run_in_thread
from tests.e2e.terminal import TMUX, Terminal, installed_command

pytestmark = pytest.mark.e2e

SCRIPT = """
rate = 60
[[turns]]
match = "(?i)hello"
text = "Hello from the plain line mode."

[[turns]]
match = "(?i)write"
step = 0
text = "Writing the notes."
[[turns.tool_calls]]
name = "write_file"
arguments = '{"path": "notes.txt", "content": "penguins swim\\n"}'

[[turns]]
match = "(?i)write"
step = 1
text = "Wrote notes.txt."

[[turns]]
match = "(?i)long"
text = "word "
repeat_text = 5000

[[turns]]
text = "Fine."
"""

# Prints whether Textual was loaded by the session, then its exit code.
PROBE = """
import sys
from penguin_tui.cli.main import main
code = main(sys.argv[1:])
print("textual loaded:", "textual" in sys.modules)
sys.exit(code)
"""


@pytest.fixture
def served() -> Iterator[ServerThread]:
    with run_in_thread(Script.from_toml_text(SCRIPT)) as server:
        yield server


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "project"
    path.mkdir()
    (path / "README.md").write_text("# a project\n", encoding="utf-8")
    return path


def plain_in_tmux(
    tmp_path: Path, penguin_home: Path, project: Path, api_base: str, command: str
) -> tuple[Terminal, Path]:
    if TMUX is None:
        pytest.skip("tmux is not installed")
    socket = f"penguin-e2e-{uuid.uuid4().hex[:8]}"
    exit_file = tmp_path / "exit-code"
    line = (
        f"cd {project} && env PENGUIN_HOME={penguin_home} TERM=xterm-256color "
        f"{command} --plain --model m1 --api-base {api_base} {project}; "
        f"echo $? > {exit_file}; sleep 60"
    )
    subprocess.run(
        [TMUX, "-L", socket, "new-session", "-d", "-s", "plain", "-x", "120", "-y", "40", line],
        check=True,
        timeout=30,
        env={**os.environ, "TERM": "xterm-256color"},
    )
    return Terminal("plain", socket), exit_file


def exit_code(exit_file: Path, term: Terminal) -> str:
    deadline = time.monotonic() + 30
    while not exit_file.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert exit_file.exists(), term.screen()
    return exit_file.read_text().strip()


def send_line(term: Terminal, text: str) -> None:
    term.send("-l", text)
    term.send("Enter")


def first_checkpoint(term: Terminal) -> str:
    """The id of the oldest checkpoint /checkpoints lists (its last row)."""
    screen = term.wait_for(lambda s: " ago " in s, 20, "the checkpoint list")
    rows = [row for row in screen.splitlines() if " ago " in row]
    return rows[-1].lstrip("* ").split()[0]


def test_plain_mode_streams_asks_with_one_key_reverts_undoes_cancels_and_quits(
    tmp_path: Path, penguin_home: Path, project: Path, served: ServerThread
) -> None:
    term, exit_file = plain_in_tmux(
        tmp_path, penguin_home, project, served.base_url, installed_command()
    )
    try:
        term.wait_for(lambda s: "/help lists the commands" in s, 30, "the greeting")
        send_line(term, "hello there")
        term.wait_for(lambda s: "Hello from the plain line mode." in s, 30, "the streamed reply")

        send_line(term, "write the notes")
        term.wait_for(lambda s: "Allow write_file?" in s and "y allow once" in s, 30, "a question")
        assert not (project / "notes.txt").exists()
        term.send("y")
        term.wait_for(lambda s: "Wrote notes.txt." in s, 30, "the end of the turn")
        assert (project / "notes.txt").read_text() == "penguins swim\n"
        assert "→ allowed once" in term.screen()

        # Back to the first checkpoint's code (the file goes), then /undo (it comes back).
        send_line(term, "/checkpoints")
        checkpoint = first_checkpoint(term)
        send_line(term, f"/revert {checkpoint} --code")
        term.wait_for(lambda s: "Revert? [y/n]" in s, 20, "the revert's preview")
        assert "notes.txt" in term.screen()
        term.send("y")
        term.wait_for(lambda s: "/undo takes it back" in s, 20, "the revert")
        assert not (project / "notes.txt").exists()
        term.send("C-l")
        send_line(term, "/undo")
        term.wait_for(lambda s: "undone:" in s, 20, "the undo")
        assert (project / "notes.txt").read_text() == "penguins swim\n"

        # Ctrl+C during a long reply stops it; the prompt comes back.
        send_line(term, "a long one please")
        term.wait_for(lambda s: "word word word" in s, 30, "the long reply")
        term.send("C-c")
        term.wait_for(lambda s: "cancelled:" in s, 20, "the cancel")
        assert "Traceback" not in term.screen()

        send_line(term, "/quit")
        assert exit_code(exit_file, term) == "0"
    finally:
        term.tmux("kill-server")


def test_plain_mode_never_loads_textual(
    tmp_path: Path, penguin_home: Path, project: Path, served: ServerThread
) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE, encoding="utf-8")
    python = Path(installed_command()).parent / "python"
    term, exit_file = plain_in_tmux(
        tmp_path, penguin_home, project, served.base_url, f"{python} {probe}"
    )
    try:
        term.wait_for(lambda s: "/help lists the commands" in s, 30, "the greeting")
        send_line(term, "hello")
        term.wait_for(lambda s: "Hello from the plain line mode." in s, 30, "the reply")
        term.send("C-d")
        screen = term.wait_for(lambda s: "textual loaded:" in s, 30, "the probe's line")
        assert "textual loaded: False" in screen
        assert exit_code(exit_file, term) == "0"
    finally:
        term.tmux("kill-server")
