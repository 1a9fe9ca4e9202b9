"""The installed `penguin-tui --demo` in a real terminal (tmux): type, see the reply, quit."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

TMUX = shutil.which("tmux")


def installed_command() -> str:
    """The console script next to this interpreter (the one the README's command installs)."""
    candidate = Path(sys.executable).parent / "penguin-tui"
    found = str(candidate) if candidate.exists() else shutil.which("penguin-tui")
    if not found:
        pytest.fail("penguin-tui is not installed; run ./test.sh")
    return found


class Terminal:
    """A tmux session running one command, read with capture-pane."""

    def __init__(self, name: str, socket: str) -> None:
        self.name = name
        self.socket = socket

    def tmux(self, *args: str) -> str:
        assert TMUX is not None
        result = subprocess.run(
            [TMUX, "-L", self.socket, *args], capture_output=True, text=True, timeout=30
        )
        return result.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.name)

    def send(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.name, *keys)

    def wait_for(self, check: Callable[[str], bool], timeout: float, what: str) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if check(screen):
                return screen
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}; the screen was:\n{screen}")


@pytest.fixture
def terminal(tmp_path: Path, penguin_home: Path) -> Iterator[tuple[Terminal, Path]]:
    if TMUX is None:
        pytest.skip("tmux is not installed")
    socket = f"penguin-e2e-{uuid.uuid4().hex[:8]}"
    exit_file = tmp_path / "exit-code"
    command = (
        f"env PENGUIN_HOME={penguin_home} TERM=xterm-256color {installed_command()} --demo; "
        f"echo $? > {exit_file}; sleep 60"
    )
    subprocess.run(
        [TMUX, "-L", socket, "new-session", "-d", "-s", "demo", "-x", "120", "-y", "36", command],
        check=True,
        timeout=30,
        env={**os.environ, "TERM": "xterm-256color"},
    )
    term = Terminal("demo", socket)
    try:
        yield term, exit_file
    finally:
        subprocess.run([TMUX, "-L", socket, "kill-server"], capture_output=True, timeout=30)


def test_demo_agent_session_with_approvals_usage_and_a_clean_quit(
    terminal: tuple[Terminal, Path], penguin_home: Path
) -> None:
    term, exit_file = terminal
    term.wait_for(lambda s: "Demo model (scripted)" in s and "Prompt" in s, 30, "the workbench")
    term.send("Hello penguin")
    term.send("Enter")
    term.wait_for(lambda s: "Hello from the demo model" in s, 40, "the streamed reply")
    # Five questions: two writes, two test runs and one edit. Answer each with y.
    answered = 0
    deadline = time.monotonic() + 90
    screen = ""
    while "Done" not in screen:
        assert time.monotonic() < deadline, f"the demo session did not finish:\n{screen}"
        screen = term.screen()
        if "y allow once" in screen:
            term.send("y")
            answered += 1
            time.sleep(0.6)  # let this question close before looking for the next one
        time.sleep(0.2)
    assert answered >= 5
    screen = term.wait_for(lambda s: "Reply ⋯" not in s and "Calls" in s, 40, "the end")
    assert "tok/s" in screen and "$0.0" in screen  # made-up demo prices give dollars
    assert "Traceback" not in screen
    (project,) = (penguin_home / "demo").iterdir()
    assert (project / "stats.py").read_text().endswith("sum(values) / len(values)\n")
    term.send("C-q")
    deadline = time.monotonic() + 20
    while not exit_file.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert exit_file.read_text().strip() == "0"
    audit = subprocess.run(
        [installed_command(), "audit", "-C", str(project), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PENGUIN_HOME": str(penguin_home)},
    )
    calls = json.loads(audit.stdout)
    assert [c["tool"] for c in calls] == [
        "list_files",
        "write_file",
        "write_file",
        "run_shell",
        "edit_file",
        "run_shell",
    ]
    assert [c["decided_by"] for c in calls] == ["policy"] + ["user"] * 5
    assert all(c["decision"] == "allow" for c in calls)
