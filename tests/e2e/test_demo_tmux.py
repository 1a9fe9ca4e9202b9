"""The installed `penguin-tui --demo` in a real terminal (tmux): type, see the reply, quit."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.terminal import Terminal, demo_in_tmux, installed_command

pytestmark = pytest.mark.e2e


@pytest.fixture
def terminal(tmp_path: Path, penguin_home: Path) -> Iterator[tuple[Terminal, Path]]:
    with demo_in_tmux(tmp_path, penguin_home) as running:
        yield running


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
        if "y Allow once" in screen:
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


def answer_questions(term: Terminal, done: Callable[[str], bool], timeout: float) -> str:
    """Answer every approval with y until ``done`` holds for the screen."""
    deadline = time.monotonic() + timeout
    screen = term.screen()
    while not done(screen):
        assert time.monotonic() < deadline, f"timed out; the screen was:\n{screen}"
        if "y Allow once" in screen:
            term.send("y")
            time.sleep(0.6)
        time.sleep(0.2)
        screen = term.screen()
    return screen


def side_by_side(screen: str, line: str) -> bool:
    """Whether some screen row shows ``line`` twice: old and new, side by side."""
    return any(row.count(line) == 2 for row in screen.splitlines())


def test_demo_checkpoints_branch_compare_revert_and_undo_from_the_keyboard(
    terminal: tuple[Terminal, Path], penguin_home: Path
) -> None:
    term, exit_file = terminal
    term.tmux("resize-window", "-t", "demo", "-x", "160", "-y", "48")
    term.wait_for(lambda s: "Demo model (scripted)" in s and "Prompt" in s, 30, "the workbench")
    term.send("Hello penguin")
    term.send("Enter")
    answer_questions(term, lambda s: "Done" in s and "Reply ⋯" not in s, 120)
    (project,) = (penguin_home / "demo").iterdir()
    stats = project / "stats.py"
    # The turn left a checkpoint, shown in the browser with its label.
    term.wait_for(lambda s: "Hello penguin" in s and "Checkpoints" in s, 20, "the checkpoint")
    # Mark it and branch from it: f6 to the browser (the cursor is on the current position),
    # m, b, enter.
    term.send("F6")
    time.sleep(0.5)
    term.send("m")
    time.sleep(0.3)
    term.send("b")
    term.wait_for(lambda s: "New branch from" in s, 10, "the branch question")
    term.send("Enter")
    # The question is gone and the new branch's row is the current one (the workbench shows
    # through the question, so "try-2" and "(current)" alone are on screen before it closes).
    term.wait_for(
        lambda s: "⎇ try-2  (current)" in s and "New branch from" not in s, 20, "the new branch"
    )
    # The scripted model changes something else on the new branch.
    term.send("F2")
    time.sleep(0.5)
    term.send("go on")
    term.send("Enter")
    answer_questions(term, lambda s: "Added" in s and "Reply ⋯" not in s, 90)
    assert "def median" in stats.read_text()
    # "go on" twice: the prompt in the chat and the new checkpoint's label in the browser.
    term.wait_for(lambda s: s.count("go on") >= 2, 20, "the new branch's checkpoint")
    # Compare the marked checkpoint with the new one (the cursor follows the position).
    term.send("F6")
    time.sleep(0.5)
    term.send("c")
    # Side by side at 160 columns: an unchanged line faces itself on one screen row (old text
    # on the left, new on the right), which one column never draws.
    screen = term.wait_for(
        lambda s: "Since their common ancestor" in s and side_by_side(s, "def mean(values):"),
        20,
        "the side-by-side comparison",
    )
    assert "stats.py" in screen
    # The added function is on the new side only: right of the middle, nothing facing it.
    (added,) = [row for row in screen.splitlines() if "def median(values):" in row]
    assert added.index("def median(values):") > 160 // 2, screen
    term.send("Escape")
    term.wait_for(lambda s: "Since their common ancestor" not in s, 10, "the diff pane to close")
    # Revert the new branch's code to the first checkpoint (' goes back to the mark).
    term.send("'")
    time.sleep(0.3)
    term.send("r")
    term.wait_for(lambda s: "Revert to" in s and "Hello penguin" in s, 10, "the revert question")
    term.send("c")
    time.sleep(1.0)  # the preview of the code-only revert replaces the first one
    term.wait_for(
        lambda s: "stats.py" in s and ("file changes" in s or "files change" in s),
        20,
        "the preview",
    )
    term.send("y")
    deadline = time.monotonic() + 20
    while "def median" in stats.read_text():
        assert time.monotonic() < deadline, term.screen()
        time.sleep(0.2)
    # Undo the revert: the median function is back.
    term.send("u")
    deadline = time.monotonic() + 20
    while "def median" not in stats.read_text():
        assert time.monotonic() < deadline, term.screen()
        time.sleep(0.2)
    assert "Traceback" not in term.screen()
    term.send("C-q")
    deadline = time.monotonic() + 20
    while not exit_file.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert exit_file.read_text().strip() == "0"
