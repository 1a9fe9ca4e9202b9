"""Each ``penguin-tui config`` command against importing litellm (goal: ≤ 0.1× each).

The installed command on a fresh ``PENGUIN_HOME`` whose user file has comments and a few
tables, in a project with a file of its own; each command interleaved with the baseline
``python -c "import litellm"`` in the same run. ``edit`` runs ``true`` as the editor, so what
is timed is penguin-tui's part (start, the editor started, the file validated).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tests.bench.results import Section, Target, ms
from tests.bench.stats import median, p90, ratio

GOAL = 0.1  # each config command, as a ratio to importing litellm
BASELINE = 'python -c "import litellm"'

USER_FILE = """\
# My settings.
[model]
name = "openai/gpt-4o-mini"  # the everyday one
fallback_models = ["openai/gpt-4o"]

[model.prices."my-local-model"]
input_per_mtok = 0.0
output_per_mtok = 0.0

[agent]
max_steps = 40  # long tasks
shell_timeout_s = 300

[ui]
theme = "penguin-dark"
"""

PROJECT_FILE = "[budget]\nsession_usd = 2.0\n"

COMMANDS: dict[str, list[str]] = {
    "config get agent.max_steps": ["get", "agent.max_steps"],
    "config set agent.max_steps 41": ["set", "agent.max_steps", "41"],
    "config unset budget.daily_usd (set just before)": ["unset", "budget.daily_usd"],
    "config list": ["list"],
    "config list --json": ["list", "--json"],
    "config edit (EDITOR=true)": ["edit"],
    "config validate": ["validate"],
    "config path": ["path"],
}
# Run before the command it names and not timed: something for it to remove.
PREPARE = {"config unset budget.daily_usd (set just before)": ["set", "budget.daily_usd", "9"]}


def _penguin() -> str:
    return str(Path(sys.executable).with_name("penguin-tui"))


def _timed(argv: list[str], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    result = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=120)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[1:])}: exit {result.returncode}: {result.stderr}")
    return elapsed


def measure(repetitions: int, progress: Callable[[str], None]) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory(prefix="penguin-bench-config-") as tmp:
        root = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PENGUIN_")}
        env["PENGUIN_HOME"] = str(root / "home")
        env["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
        env["EDITOR"] = "true"
        env.pop("VISUAL", None)
        (root / "home").mkdir()
        (root / "home" / "config.toml").write_text(USER_FILE, encoding="utf-8")
        project = root / "project"
        (project / ".penguin").mkdir(parents=True)
        (project / ".penguin" / "config.toml").write_text(PROJECT_FILE, encoding="utf-8")
        runs: dict[str, list[str]] = {BASELINE: [sys.executable, "-c", "import litellm"]}
        runs |= {name: [_penguin(), "config", *args] for name, args in COMMANDS.items()}
        times: dict[str, list[float]] = {name: [] for name in runs}
        for index in range(repetitions + 1):
            for name, argv in runs.items():
                if name in PREPARE:
                    _timed([_penguin(), "config", *PREPARE[name]], env, project)
                seconds = _timed(argv, env, project)
                if index:
                    times[name].append(seconds)
            progress(f"  config commands {index}/{repetitions} done")
    return times


def run(repetitions: int, progress: Callable[[str], None]) -> Section:
    times = measure(repetitions, progress)
    base = median(times[BASELINE])
    section = Section(
        title=f"`penguin-tui config` commands against importing litellm ({repetitions} runs "
        "each, interleaved)",
        headers=["command", "median", "p90", "ratio to the import"],
    )
    for name, seconds in times.items():
        share = ratio(median(seconds), base)
        section.rows.append([name, ms(median(seconds)), ms(p90(seconds)), f"{share:.2f}x"])
        if name == BASELINE:
            continue
        section.targets.append(
            Target(
                f"{name} vs importing litellm",
                f"{share:.2f}x",
                f"≤ {GOAL:g}x",
                share <= GOAL,
                "" if share <= GOAL else f"{share / GOAL - 1:.0%} over the limit",
            )
        )
    section.notes.append(
        "The installed console script with a fresh PENGUIN_HOME (a user file of four tables "
        "with comments) in a project with a file of its own; litellm's import with its local "
        "cost map (no network)."
    )
    return section


def target_names() -> list[str]:
    return [f"{name} vs importing litellm" for name in COMMANDS]


if __name__ == "__main__":
    print(run(int(sys.argv[1]) if len(sys.argv) > 1 else 5, print))
