"""Headless ``penguin-tui run``: its errors and a whole one-word reply, against importing litellm.

Every case runs the installed command as a subprocess with a fresh ``PENGUIN_HOME``, interleaved
with the baseline ``python -c "import litellm"`` (offline price map, as penguin-tui loads it).
The errors that need no model knowledge (a bad flag, an invalid config file, no model set) must
be answered before litellm could load; the ones that need litellm's own tables (an unknown
model, a missing key) may cost no more than the import; a real reply from the scripted model
over loopback pays the import, the store, the turn and its checkpoint.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.bench.results import Section, Target, ms
from tests.bench.scripted import ScriptedProcess
from tests.bench.stats import median, p90, ratio

ONE_WORD_SCRIPT = """\
model = "m1"
rate = 0
loop = true

[[turns]]
text = "Hello."
"""
BAD_CONFIG = "[model\nname = 'x'\n"  # a TOML syntax error on line 1


@dataclass(frozen=True)
class Case:
    """One way to call ``penguin-tui run``, the exit code it must end with, and its goal."""

    name: str
    argv: list[str]
    exit_code: int
    goal: float  # the most it may take, as a ratio to importing litellm
    project: str = "plain"  # which project folder it runs in


CASE_NAMES = (
    "a bad flag",
    "an invalid config file",
    "no model set",
    "an unknown model",
    "a missing key",
    "a one-word reply from a local server",
)


def _penguin() -> str:
    return str(Path(sys.executable).with_name("penguin-tui"))


def _cases(api_base: str) -> list[Case]:
    run = [_penguin(), "run"]
    return [
        Case(CASE_NAMES[0], [*run, "--no-such-flag", "hi"], 2, 0.1),
        Case(CASE_NAMES[1], [*run, "hi"], 2, 0.1, project="bad-config"),
        Case(CASE_NAMES[2], [*run, "hi"], 2, 0.1),
        Case(CASE_NAMES[3], [*run, "--model", "no-such-model-xyz", "hi"], 1, 1.05),
        Case(CASE_NAMES[4], [*run, "--model", "openai/gpt-4o-mini", "hi"], 1, 1.05),
        Case(CASE_NAMES[5], [*run, "--model", "m1", "--api-base", api_base, "hi"], 0, 1.25),
    ]


def _environment(home: Path) -> dict[str, str]:
    """No keys, no model from the caller's environment: each case sets what it needs."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PENGUIN_", "OPENAI_", "ANTHROPIC_", "OPENROUTER_", "LITELLM_"))
    }
    env["PENGUIN_HOME"] = str(home)
    env["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    return env


def _timed(argv: list[str], env: dict[str, str], cwd: Path, exit_code: int) -> float:
    started = time.perf_counter()
    result = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=120)
    elapsed = time.perf_counter() - started
    if result.returncode != exit_code:
        raise RuntimeError(
            f"{' '.join(argv[1:])}: exit {result.returncode}, expected {exit_code}: "
            f"{result.stderr.strip()[-200:]}"
        )
    return elapsed


def _projects(root: Path) -> dict[str, Path]:
    plain = root / "plain"
    plain.mkdir()
    (plain / "hello.py").write_text("print('hello')\n", encoding="utf-8")
    bad = root / "bad-config"
    (bad / ".penguin").mkdir(parents=True)
    (bad / ".penguin" / "config.toml").write_text(BAD_CONFIG, encoding="utf-8")
    return {"plain": plain, "bad-config": bad}


def measure(
    repetitions: int, progress: Callable[[str], None]
) -> tuple[list[float], dict[str, list[float]], list[Case]]:
    """Interleaved runs: the baseline, then every case, ``repetitions`` times after a warm-up."""
    with tempfile.TemporaryDirectory(prefix="penguin-bench-headless-") as tmp:
        root = Path(tmp)
        script = root / "one-word.toml"
        script.write_text(ONE_WORD_SCRIPT, encoding="utf-8")
        projects = _projects(root)
        baseline_argv = [sys.executable, "-c", "import litellm"]
        with ScriptedProcess(script, rate=0) as server:
            cases = _cases(server.base_url)
            baseline: list[float] = []
            times: dict[str, list[float]] = {case.name: [] for case in cases}
            for index in range(repetitions + 1):
                home = root / f"home-{index}"
                home.mkdir()
                env = _environment(home)
                seconds = _timed(baseline_argv, env, projects["plain"], 0)
                if index:
                    baseline.append(seconds)
                for case in cases:
                    seconds = _timed(case.argv, env, projects[case.project], case.exit_code)
                    if index:
                        times[case.name].append(seconds)
                progress(f"  headless run {index}/{repetitions} done")
    return baseline, times, cases


def run(repetitions: int, progress: Callable[[str], None]) -> Section:
    baseline, times, cases = measure(repetitions, progress)
    base = median(baseline)
    section = Section(
        title=f"Headless `penguin-tui run` against importing litellm ({repetitions} runs each, "
        "interleaved)",
        headers=["command", "median", "p90", "ratio to the import"],
    )
    section.rows.append(['python -c "import litellm"', ms(base), ms(p90(baseline)), "1.00x"])
    for case in cases:
        measured = median(times[case.name])
        share = ratio(measured, base)
        section.rows.append(
            [f"run: {case.name}", ms(measured), ms(p90(times[case.name])), f"{share:.2f}x"]
        )
        section.targets.append(
            Target(
                f"headless run, {case.name}, vs importing litellm",
                f"{share:.2f}x",
                f"≤ {case.goal:g}x",
                share <= case.goal,
                "" if share <= case.goal else f"{share / case.goal - 1:.0%} over the limit",
            )
        )
    section.notes.append(
        "Each case is the installed console script with a fresh PENGUIN_HOME and no API keys "
        "in its environment; the reply comes from the scripted model over loopback (rate 0)."
    )
    return section


if __name__ == "__main__":
    print(run(int(sys.argv[1]) if len(sys.argv) > 1 else 5, print))
