"""The workbench started with a key in its environment, in a real terminal (tmux): it starts
again without it (same process, same terminal), works, and quits cleanly."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.terminal import Terminal, demo_in_tmux

pytestmark = pytest.mark.e2e

KEY = "sk-test-tui-4c9e1b7a20d64f3e8a51"


@pytest.fixture
def terminal_with_key(tmp_path: Path, penguin_home: Path) -> Iterator[tuple[Terminal, Path]]:
    with demo_in_tmux(tmp_path, penguin_home, f"OPENAI_API_KEY={KEY}") as running:
        yield running


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()]


def test_the_workbench_holds_no_key_in_its_startup_environment(
    terminal_with_key: tuple[Terminal, Path],
) -> None:
    term, exit_file = terminal_with_key
    term.wait_for(lambda s: "Demo model (scripted)" in s and "Prompt" in s, 30, "the workbench")
    shell = int(term.tmux("display-message", "-p", "-t", "demo", "#{pane_pid}"))
    (workbench,) = children(shell)  # the one started by the shell, started again in place
    startup = Path(f"/proc/{workbench}/environ").read_bytes()
    assert b"PENGUIN_HOME=" in startup
    assert KEY.encode() not in startup
    assert "Traceback" not in term.screen()
    term.send("C-q")
    deadline = time.monotonic() + 20
    while not exit_file.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert exit_file.read_text().strip() == "0"
