"""The installed `penguin-tui --demo` in a real terminal (tmux): type, see the reply, quit."""

from __future__ import annotations

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


def test_demo_streams_a_reply_with_usage_and_quits_cleanly(
    terminal: tuple[Terminal, Path],
) -> None:
    term, exit_file = terminal
    term.wait_for(lambda s: "Demo model (scripted)" in s and "Prompt" in s, 30, "the workbench")
    term.send("Hello penguin")
    term.send("Enter")
    screen = term.wait_for(
        lambda s: "Hello from the demo model" in s and "tok/s" in s, 40, "the streamed reply"
    )
    assert "Hello penguin" in screen
    screen = term.wait_for(lambda s: "Reply ⋯" not in s and "Calls" in s, 40, "the reply to end")
    assert "$0.0" in screen  # the demo's made-up prices give a dollar figure
    assert "Traceback" not in screen
    term.send("C-q")
    deadline = time.monotonic() + 20
    while not exit_file.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert exit_file.read_text().strip() == "0"
