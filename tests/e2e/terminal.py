"""A real terminal for the end-to-end tests: the installed command in a tmux session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

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


@contextmanager
def demo_in_tmux(
    tmp_path: Path, penguin_home: Path, environment: str = ""
) -> Iterator[tuple[Terminal, Path]]:
    """``penguin-tui --demo`` in a new 120x36 tmux session; yields it and the file its exit
    code is written to. ``environment`` holds extra ``NAME=value`` words for ``env``."""
    if TMUX is None:
        pytest.skip("tmux is not installed")
    socket = f"penguin-e2e-{uuid.uuid4().hex[:8]}"
    exit_file = tmp_path / "exit-code"
    command = (
        f"env PENGUIN_HOME={penguin_home} {environment} TERM=xterm-256color "
        f"{installed_command()} --demo; echo $? > {exit_file}; sleep 60"
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
