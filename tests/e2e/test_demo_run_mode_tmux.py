"""The installed `penguin-tui --demo` in a real terminal (tmux): the task tree on screen, run
mode carrying out the demo's plan in dependency order (every write and check asked and
answered from the keyboard), each task on a branch the browser shows, T3's check failing so
its branch stays and T5 waits, the task rows' tokens and dollars changing as it runs, and a
clean quit."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.terminal import Terminal, demo_in_tmux

pytestmark = pytest.mark.e2e

# The row of the task at work (marked ▶) with what its work cost so far, e.g.
# "▶ T2 Add mean() with a test  high · 620 tok $0.0003".
COSTED_ROW = re.compile(r"▶.* T\d .*[\d.,]+k? tok \$0\.\d+")


@pytest.fixture
def terminal(tmp_path: Path, penguin_home: Path) -> Iterator[tuple[Terminal, Path]]:
    with demo_in_tmux(tmp_path, penguin_home) as running:
        yield running


def test_run_mode_carries_out_the_demo_plan_on_branches_and_a_failing_check_waits(
    terminal: tuple[Terminal, Path], penguin_home: Path
) -> None:
    term, exit_file = terminal
    term.tmux("resize-window", "-t", "demo", "-x", "160", "-y", "48")
    term.wait_for(
        lambda s: "Statistics helpers" in s and "Add median() with a test" in s,
        30,
        "the task tree",
    )
    term.send("F8")
    time.sleep(0.5)
    term.send("r")
    seen_at_work: list[str] = []
    answered = 0
    deadline = time.monotonic() + 180
    screen = term.screen()
    while "run mode stopped" not in screen:
        assert time.monotonic() < deadline, f"the run did not end:\n{screen}"
        if COSTED_ROW.search(screen):
            seen_at_work.append(screen)
        if "y Allow once" in screen:
            term.send("y")
            answered += 1
            time.sleep(0.6)  # let this question close before looking for the next one
        time.sleep(0.2)
        screen = term.screen()
    # Writes, the T2 test run and the three checks were asked (imported checks are not
    # trusted until the user confirms them).
    assert answered >= 6, answered
    assert seen_at_work, f"no task at work showed its tokens and dollars:\n{screen}"
    assert "T3 failed" in screen or "✗" in screen
    assert "Traceback" not in screen
    (project,) = (penguin_home / "demo").iterdir()
    assert "def mean" in (project / "stats.py").read_text()
    assert "def median" not in (project / "stats.py").read_text()  # T3 was not merged
    assert "greet_all" in (project / "hello.py").read_text()
    # Every task's branch is in the checkpoint browser; T5 still waits for T1.
    term.send("F6")
    screen = term.wait_for(
        lambda s: all(f"task/T{n}" in s for n in (2, 3, 4)), 20, "the task branches"
    )
    term.send("F8")
    screen = term.wait_for(lambda s: "after T1" in s, 10, "T5 waiting")
    assert re.search(r"✓ T2 .*[\d.,]+k? tok \$0\.\d+", screen), screen
    term.send("C-q")
    deadline = time.monotonic() + 20
    while not exit_file.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert exit_file.read_text().strip() == "0", term.screen()
