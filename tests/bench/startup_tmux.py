"""Start-up as a user sees it: the installed command in tmux at 160x48, until it takes keys.

A bare Textual app (``bare_app.py`` kept open) counts as started when its text is on screen.
penguin-tui counts as started when a key typed into the terminal shows in its prompt: the
workbench is drawn, the prompt has the focus and the app reads keys. The key is typed again
every 50 ms while the screen is looked at every 5 ms (a key that arrives before the prompt
has the focus may be dropped; typing it at every look would queue a flood of keys, which
penalises the slower app), so the figure includes one key's round trip; the bare app's does
not, which only favours it. A second baseline, the bare app with a focused TextArea
(``--prompt``) typed into the same way, is reported beside it; the targets stay against the
plain bare app.

Each run gets a new tmux window in one server; the runs of the commands interleave, after
one discarded warm-up of each. HOME and PENGUIN_HOME are fresh for the benchmark.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.bench.results import Section, Target, ms
from tests.bench.stats import median, p90, ratio

BARE_APP = Path(__file__).with_name("bare_app.py")
SIZE = ("160", "48")
MARKER = "zq"  # typed into the prompt; appears nowhere else on the workbench
# The marker inside the prompt's frame: before the app takes the terminal, the terminal
# itself echoes typed keys at the start of a line, which must not count.
IN_PROMPT = re.compile(rf"^│ (?:{MARKER})+ ", re.MULTILINE)
BARE_TEXT = re.compile("A bare Textual app")
LOOK_EVERY_S = 0.005
TYPE_EVERY_S = 0.05
TIMEOUT_S = 60.0
BARE_PROMPT = "bare Textual app with a focused TextArea"
GOALS = {"penguin-tui (empty project, model configured)": 1.2, "penguin-tui --demo": 1.3}


@dataclass(frozen=True)
class Command:
    """One program to start, how to tell it is ready, and whether keys are typed at it."""

    name: str
    argv: list[str]
    ready: re.Pattern[str]  # a line of the screen that says it is ready
    types_keys: bool


class TmuxServer:
    """One private tmux server; each run is a new window running one command."""

    def __init__(self, environment: dict[str, str]) -> None:
        tmux = shutil.which("tmux")
        if tmux is None:
            raise RuntimeError("tmux is not installed")
        self.tmux = tmux
        self.socket = f"penguin-bench-{uuid.uuid4().hex[:8]}"
        self.environment = environment

    def call(self, *args: str) -> str:
        done = subprocess.run(
            [self.tmux, "-L", self.socket, *args],
            capture_output=True,
            text=True,
            timeout=30,
            env=self.environment,
        )
        return done.stdout

    def __enter__(self) -> TmuxServer:
        self.call("new-session", "-d", "-s", "bench", "-x", SIZE[0], "-y", SIZE[1], "sleep 3600")
        self.call("set-option", "-g", "remain-on-exit", "off")
        return self

    def __exit__(self, *_: object) -> None:
        self.call("kill-server")

    def time_to_ready(self, command: Command, cwd: Path) -> float:
        """Seconds from asking tmux to start ``command`` until it is ready on screen."""
        window = f"run{uuid.uuid4().hex[:6]}"
        shell_line = " ".join(_quote(part) for part in command.argv)
        started = time.perf_counter()
        self.call("new-window", "-d", "-n", window, "-c", str(cwd), shell_line)
        target = f"bench:{window}"
        deadline = started + TIMEOUT_S
        typed_at = -TYPE_EVERY_S
        try:
            while (now := time.perf_counter()) < deadline:
                if command.types_keys and now - typed_at >= TYPE_EVERY_S:
                    self.call("send-keys", "-t", target, "-l", MARKER)
                    typed_at = now
                screen = self.call("capture-pane", "-p", "-t", target)
                if command.ready.search(screen):
                    return time.perf_counter() - started
                time.sleep(LOOK_EVERY_S)
            raise RuntimeError(f"{command.name} was not ready after {TIMEOUT_S:.0f} s")
        finally:
            self.call("kill-window", "-t", target)


def _quote(part: str) -> str:
    import shlex

    return shlex.quote(part)


def _commands(project: Path) -> list[Command]:
    penguin = str(Path(sys.executable).with_name("penguin-tui"))
    return [
        Command("bare Textual app", [sys.executable, str(BARE_APP), "--stay"], BARE_TEXT, False),
        Command(
            BARE_PROMPT,
            [sys.executable, str(BARE_APP), "--stay", "--prompt"],
            IN_PROMPT,
            True,
        ),
        Command(
            "penguin-tui (empty project, model configured)",
            [penguin, str(project)],
            IN_PROMPT,
            True,
        ),
        Command("penguin-tui --demo", [penguin, "--demo"], IN_PROMPT, True),
    ]


def measure(repetitions: int, progress: Callable[[str], None]) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory(prefix="penguin-bench-startup-") as tmp:
        root = Path(tmp)
        home, project = root / "home", root / "project"
        home.mkdir()
        project.mkdir()
        environment = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(home),
            "PENGUIN_HOME": str(home / "penguin"),
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
            "PENGUIN_MODEL": "openai/m1",
            "PENGUIN_API_BASE": "http://127.0.0.1:9/v1",
        }
        commands = _commands(project)
        times: dict[str, list[float]] = {command.name: [] for command in commands}
        with TmuxServer(environment) as server:
            for index in range(repetitions + 1):
                order = commands if index % 2 else list(reversed(commands))
                for command in order:
                    seconds = server.time_to_ready(command, project)
                    if index:
                        times[command.name].append(seconds)
                progress(f"  start-up in tmux {index}/{repetitions}")
    return times


def run(repetitions: int, progress: Callable[[str], None]) -> Section:
    times = measure(repetitions, progress)
    bare = median(times["bare Textual app"])
    bare_prompt = median(times[BARE_PROMPT])
    section = Section(
        title=f"Start-up in tmux at 160x48, until the prompt takes keys ({repetitions} runs each, "
        "interleaved)",
        headers=["command", "median", "p90", "ratio to the bare app", "to the bare app + TextArea"],
    )
    for name, values in times.items():
        section.rows.append(
            [
                name,
                ms(median(values)),
                ms(p90(values)),
                f"{ratio(median(values), bare):.2f}x",
                f"{ratio(median(values), bare_prompt):.2f}x",
            ]
        )
    for name, goal in GOALS.items():
        share = ratio(median(times[name]), bare)
        section.targets.append(
            Target(
                f"start-up in tmux: {name} vs bare Textual app",
                f"{share:.2f}x",
                f"≤ {goal}x",
                share <= goal,
                "" if share <= goal else f"{share / goal - 1:.0%} over the limit",
            )
        )
    section.notes.append(
        "penguin-tui (and the bare app with a TextArea) is ready when a key typed into the "
        "terminal every 50 ms shows in its prompt; the bare app when its text is on screen. "
        "The targets are against the plain bare app. Fresh HOME; the model is set by "
        "PENGUIN_MODEL (no call is made)."
    )
    return section


if __name__ == "__main__":
    result = run(int(sys.argv[1]) if len(sys.argv) > 1 else 5, print)
    for row in result.rows:
        print(row)
    for target in result.targets:
        print(target)
