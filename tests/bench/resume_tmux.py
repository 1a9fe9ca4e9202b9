"""Resuming a long session as a user sees it: `penguin-tui DIR` in tmux at 160x48 until the last
message is on screen, then PageUp to the very top.

Sessions of 1 turn (the "empty" baseline: one short exchange), 250 and 1,000 turns (500 and
2,000 Markdown messages; a third of the replies hold a code block, a list and a table) are
written through the store, each under its own PENGUIN_HOME. The installed command is timed,
interleaved, from asking tmux to start it until the marker written in the last reply shows on
the screen. Scrolling is measured from outside the app: after the start-up work settles, PageUp
is sent until the first question is on screen, each key timed until the screen changes (a key's
round trip through tmux, the event loop and a frame: an upper bound of the loop's lag).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tests.bench.results import Section, Target, ms
from tests.bench.startup_tmux import TmuxServer, _quote
from tests.bench.stats import median, ratio

TURNS = (1, 250, 1000)
END_MARKER = "zz-last-reply-{turns}"
FIRST_QUESTION = "Question 0:"
LOOK_EVERY_S = 0.005
TIMEOUT_S = 120.0
SETTLE_S = 6.0  # the start-up work after the first frame (litellm's preload) ends first
GOAL_EMPTY, GOAL_LONG, GOAL_LAG_S = 3.0, 1.1, 0.050
MAX_PAGE_UPS = 1500
PAGE_DOWNS = 40


def user_text(i: int) -> str:
    return f"Question {i}: how should the `parse_{i}` function handle an empty input?"


def reply_text(i: int, turns: int) -> str:
    if i == turns - 1:
        return f"That is all for now. {END_MARKER.format(turns=turns)}"
    if i % 3 == 0:
        return (
            f"Here is how `parse_{i}` could look:\n\n```python\n"
            f"def parse_{i}(text: str) -> list[str]:\n"
            '    """Split the text into words; an empty text gives no words."""\n'
            "    if not text:\n        return []\n"
            "    return [word for word in text.split() if word]\n```\n\n"
            "What changes:\n\n"
            "- an empty input returns `[]` instead of raising\n"
            "- whitespace-only input behaves the same way\n"
            "- the result never holds empty strings\n\n"
            "| input | before | after |\n|---|---|---|\n"
            '| `""` | `IndexError` | `[]` |\n'
            '| `"  "` | `[""]` | `[]` |\n'
            '| `"a b"` | `["a", "b"]` | `["a", "b"]` |\n'
        )
    return (
        f"For `parse_{i}`, an empty input should simply give an empty result. **Raising** is "
        "surprising for callers that read optional fields, and checking the length first is "
        "cheap. I would also add a test for the whitespace-only case, since `split()` already "
        "treats it as empty; the docstring should say so in one sentence."
    )


async def build_session(project: Path, turns: int) -> None:
    """A session of ``turns`` question/answer pairs for ``project`` (PENGUIN_HOME is set)."""
    from penguin_tui.config.paths import data_paths
    from penguin_tui.store import MessageStatus, Role, Store

    paths = data_paths()
    paths.root.mkdir(parents=True, exist_ok=True)
    store = await Store.open(paths.database)
    try:
        found = await store.ensure_project(project)
        session = await store.create_session(found.id, "openai/m1")
        parent = None
        for i in range(turns):
            user = await store.add_message(
                session.id, parent, Role.USER, user_text(i), MessageStatus.COMPLETE
            )
            reply = await store.add_message(
                session.id,
                user.id,
                Role.ASSISTANT,
                reply_text(i, turns),
                MessageStatus.COMPLETE,
                model="openai/m1",
            )
            parent = reply.id
    finally:
        await store.close()


class ResumeRun:
    """One start of the command in a new tmux window, kept open to scroll it."""

    def __init__(self, server: TmuxServer, argv: list[str], cwd: Path) -> None:
        self.server = server
        self.window = f"r{time.perf_counter_ns() % 10**9}"
        self.target = f"bench:{self.window}"
        self.started = time.perf_counter()
        shell_line = " ".join(_quote(part) for part in argv)
        server.call("new-window", "-d", "-n", self.window, "-c", str(cwd), shell_line)

    def screen(self) -> str:
        return self.server.call("capture-pane", "-p", "-t", self.target)

    def wait_for(self, text: str) -> float:
        """Seconds from the start until ``text`` is on screen."""
        while time.perf_counter() < self.started + TIMEOUT_S:
            if text in self.screen():
                return time.perf_counter() - self.started
            time.sleep(LOOK_EVERY_S)
        raise RuntimeError(f"{text!r} not on screen after {TIMEOUT_S:.0f} s")

    def round_trip(self, key: str, screen: str) -> tuple[float, str]:
        """Send ``key``; seconds until the screen is no longer ``screen``, and the new one."""
        sent = time.perf_counter()
        self.server.call("send-keys", "-t", self.target, key)
        now = screen
        while time.perf_counter() < sent + 5.0:
            now = self.screen()
            if now != screen:
                break
            time.sleep(LOOK_EVERY_S / 5)
        return time.perf_counter() - sent, now

    def page_up_to_the_top(self) -> list[float]:
        """PageUp until the first question shows; each key's time until the screen changed."""
        round_trips: list[float] = []
        screen = self.screen()
        for _ in range(MAX_PAGE_UPS):
            if FIRST_QUESTION in screen:
                return round_trips
            seconds, screen = self.round_trip("PageUp", screen)
            round_trips.append(seconds)
        raise RuntimeError(f"the first question not on screen after {MAX_PAGE_UPS} PageUps")

    def page_down(self, keys: int) -> list[float]:
        """The same round trip where nothing is left to load: the measure's own floor."""
        round_trips: list[float] = []
        screen = self.screen()
        for _ in range(keys):
            seconds, screen = self.round_trip("PageDown", screen)
            round_trips.append(seconds)
        return round_trips

    def close(self) -> None:
        self.server.call("kill-window", "-t", self.target)


def measure(
    repetitions: int, progress: Callable[[str], None]
) -> tuple[dict[int, list[float]], dict[int, list[float]]]:
    """Seconds to the last message by session size, and PageUp round trips (last run only)."""
    penguin = str(Path(sys.executable).with_name("penguin-tui"))
    times: dict[int, list[float]] = {turns: [] for turns in TURNS}
    trips: dict[int, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="penguin-bench-resume-") as tmp:
        root = Path(tmp)
        for turns in TURNS:
            (root / f"home{turns}").mkdir()
            (root / f"project{turns}").mkdir()
            subprocess.run(
                [sys.executable, "-m", "tests.bench.resume_tmux", "--build", str(root), str(turns)],
                check=True,
                env={**os.environ, "PENGUIN_HOME": str(root / f"home{turns}")},
            )
        environment = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(root),
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
            "PENGUIN_MODEL": "openai/m1",
            "PENGUIN_API_BASE": "http://127.0.0.1:9/v1",
        }
        with TmuxServer(environment) as server:
            for index in range(repetitions + 1):
                for turns in TURNS if index % 2 else TURNS[::-1]:
                    home, project = root / f"home{turns}", root / f"project{turns}"
                    argv = ["env", f"PENGUIN_HOME={home}", penguin, str(project)]
                    run = ResumeRun(server, argv, project)
                    try:
                        seconds = run.wait_for(END_MARKER.format(turns=turns))
                        if index == repetitions and turns > 1:
                            time.sleep(SETTLE_S)
                            trips[turns] = run.page_up_to_the_top()
                            trips[-turns] = run.page_down(PAGE_DOWNS)
                    finally:
                        run.close()
                    if index:
                        times[turns].append(seconds)
                progress(f"  resume in tmux {index}/{repetitions}")
    return times, trips


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] if ordered else float("nan")


def _trips(values: list[float] | None) -> str:
    if not values:
        return "—"
    return f"{ms(p95(values))} ({ms(median(values))}, {len(values)} keys)"


def run(repetitions: int, progress: Callable[[str], None]) -> Section:
    times, trips = measure(repetitions, progress)
    empty = median(times[TURNS[0]])
    section = Section(
        title=f"Resuming a long session in tmux at 160x48, until the last message is on screen "
        f"({repetitions} runs each, interleaved)",
        headers=[
            "session",
            "median",
            "ratio to the empty session",
            "PageUp to the top: p95 (median)",
            "PageDown, all loaded: p95 (median)",
        ],
    )
    for turns in TURNS:
        seconds = median(times[turns])
        section.rows.append(
            [
                f"{2 * turns:,} messages",
                ms(seconds),
                f"{ratio(seconds, empty):.2f}x",
                _trips(trips.get(turns)),
                _trips(trips.get(-turns)),
            ]
        )
    longest, mid = median(times[TURNS[-1]]), median(times[TURNS[1]])
    for name, value, goal in (
        ("resume: 2,000 messages vs the empty session", ratio(longest, empty), GOAL_EMPTY),
        ("resume: 2,000 messages vs 500", ratio(longest, mid), GOAL_LONG),
    ):
        section.targets.append(
            Target(
                name,
                f"{value:.2f}x",
                f"≤ {goal}x",
                value <= goal,
                "" if value <= goal else f"{value / goal - 1:.0%} over",
            )
        )
    lag = p95(trips.get(TURNS[-1], []))
    section.targets.append(
        Target(
            "resume: PageUp to the top of 2,000 messages, p95 key round trip",
            ms(lag),
            f"≤ {ms(GOAL_LAG_S)}",
            lag <= GOAL_LAG_S,
            "" if lag <= GOAL_LAG_S else f"{lag / GOAL_LAG_S - 1:.0%} over",
        )
    )
    section.notes.append(
        "The empty session is one short exchange. The scroll is timed from outside the app: "
        "each PageUp from sending the key until the screen shows a change, on the last run, "
        "after the start-up work settled; tmux's own capture time is included, so the figure "
        "is an upper bound of the event loop's lag. PageDown back from the top, with nothing "
        "left to load, shows what the same round trip costs without the loading."
    )
    return section


if __name__ == "__main__":
    if sys.argv[1] == "--build":
        turns = int(sys.argv[3])
        asyncio.run(build_session((Path(sys.argv[2]) / f"project{turns}").resolve(), turns))
    else:
        result = run(int(sys.argv[1]), print)
        for row in result.rows:
            print(row)
        for target in result.targets:
            print(target)
