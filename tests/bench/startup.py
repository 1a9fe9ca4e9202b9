"""Start-up: process start to first painted frame, penguin-tui against a bare Textual app.

Both run as subprocesses in a pseudo-terminal (xterm-256color, 120x36), interleaved, and exit
right after their first frame. Also checks that litellm is not imported by then: with a
headless probe of the real app, and with ``python -X importtime`` on the real command.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.bench import importtime, snapshot
from tests.bench.importtime import Imported
from tests.bench.ptyrun import PtyRun, run_in_pty, terminal_env
from tests.bench.results import Section, Target, ms, over
from tests.bench.stats import median, p90, ratio

BARE_APP = Path(__file__).with_name("bare_app.py")
# Modules worth naming in the report when they are on the path to the first frame.
WATCHED = (
    "litellm",
    "aiosqlite",
    "penguin_tui.config.settings",
    "penguin_tui.app.widgets.chat",
    "penguin_tui.app.widgets.prompt",
    "textual.app",
)
STARTUP_GOAL = 1.5


@dataclass
class StartupRuns:
    bare: list[PtyRun]
    penguin: list[PtyRun]


def _penguin_command() -> list[str]:
    return [str(Path(sys.executable).with_name("penguin-tui"))]


def measure(repetitions: int, home: Path, project: Path) -> StartupRuns:
    """Interleaved runs of both apps, after one discarded warm-up run of each."""
    env = terminal_env({"PENGUIN_EXIT_AFTER_FIRST_FRAME": "1", "PENGUIN_HOME": str(home)})
    bare_argv = [sys.executable, str(BARE_APP)]
    penguin_argv = [*_penguin_command(), str(project)]
    runs = StartupRuns([], [])
    for index in range(repetitions + 1):
        # Alternate which one goes first so neither always follows the other.
        order = [("bare", bare_argv), ("penguin", penguin_argv)]
        if index % 2:
            order.reverse()
        for name, argv in order:
            run = run_in_pty(argv, env, cwd=str(project))
            if index > 0:
                (runs.bare if name == "bare" else runs.penguin).append(run)
    return runs


def probe_modules(home: Path, project: Path) -> dict[str, object]:
    """Run the headless first-frame probe in a fresh interpreter; its JSON answer."""
    env = terminal_env({"PENGUIN_HOME": str(home)})
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.first_frame_probe", str(project)],
        capture_output=True,
        text=True,
        env=env,
        cwd=snapshot.child_cwd(),
        timeout=180,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"first-frame probe failed: {done.stderr[-2000:]}")
    answer: dict[str, object] = json.loads(lines[-1])
    return answer


@dataclass
class ImportProfile:
    bare_total_s: float
    penguin_total_s: float
    penguin: dict[str, Imported]


def import_profile(home: Path, project: Path) -> ImportProfile:
    """``python -X importtime`` on both apps, in a terminal, up to their first frame."""
    env = terminal_env({"PENGUIN_EXIT_AFTER_FIRST_FRAME": "1", "PENGUIN_HOME": str(home)})
    penguin = _pty_output(
        [sys.executable, "-X", "importtime", "-m", "penguin_tui.cli", str(project)], env, project
    )
    bare = _pty_output([sys.executable, "-X", "importtime", str(BARE_APP)], env, project)
    return ImportProfile(
        importtime.total_s(bare), importtime.total_s(penguin), importtime.parse(penguin)
    )


def _pty_output(argv: list[str], env: dict[str, str], project: Path) -> str:
    # Re-run through `script` so that the whole transcript (stderr included) is kept.
    with tempfile.NamedTemporaryFile(suffix=".log") as log:
        command = " ".join(_quote(part) for part in argv)
        subprocess.run(
            ["script", "-qfec", command, log.name],
            env=env,
            cwd=project,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=120,
            check=True,
        )
        return Path(log.name).read_text(encoding="utf-8", errors="replace")


def _quote(part: str) -> str:
    import shlex

    return shlex.quote(part)


def run(repetitions: int) -> Section:
    with tempfile.TemporaryDirectory(prefix="penguin-bench-") as tmp:
        home, project = Path(tmp) / "home", Path(tmp) / "project"
        home.mkdir()
        project.mkdir()
        runs = measure(repetitions, home, project)
        probe = probe_modules(home, project)
        imports = import_profile(home, project)
    return _section(runs, probe, imports)


def _section(runs: StartupRuns, probe: dict[str, object], profile: ImportProfile) -> Section:
    imports = profile.penguin
    bare = [r.first_frame_s for r in runs.bare]
    penguin = [r.first_frame_s for r in runs.penguin]
    bare_exit = [r.exit_s for r in runs.bare]
    penguin_exit = [r.exit_s for r in runs.penguin]
    section = Section(
        title=f"Start-up: process start to first painted frame "
        f"({len(bare)} runs each, interleaved)",
        headers=["app", "first frame median", "p90", "process exit median", "p90"],
    )
    section.rows.append(
        [
            "bare Textual app",
            ms(median(bare)),
            ms(p90(bare)),
            ms(median(bare_exit)),
            ms(p90(bare_exit)),
        ]
    )
    section.rows.append(
        [
            "penguin-tui",
            ms(median(penguin)),
            ms(p90(penguin)),
            ms(median(penguin_exit)),
            ms(p90(penguin_exit)),
        ]
    )
    frame_ratio = ratio(median(penguin), median(bare))
    section.rows.append(
        [
            "ratio of medians",
            f"{frame_ratio:.2f}x",
            "",
            f"{ratio(median(penguin_exit), median(bare_exit)):.2f}x",
            "",
        ]
    )
    section.targets.append(
        Target(
            "start-up: first frame vs bare Textual app",
            f"{frame_ratio:.2f}x of bare",
            f"<= {STARTUP_GOAL}x",
            frame_ratio <= STARTUP_GOAL,
            over(frame_ratio, STARTUP_GOAL),
        )
    )
    modules = probe.get("modules_at_first_frame", {})
    assert isinstance(modules, dict)
    litellm_at_frame = bool(modules.get("litellm", True))
    imported_names = set(imports)
    section.targets.append(
        Target(
            "litellm not imported at the first frame",
            "imported" if litellm_at_frame or "litellm" in imported_names else "not imported",
            "not imported",
            not litellm_at_frame and "litellm" not in imported_names,
        )
    )
    loaded = probe.get("litellm_loaded_s")
    section.notes.append(
        "Headless probe of the real app (services and litellm preload running normally): "
        "loaded at the first frame: "
        + ", ".join(f"`{name}` {'yes' if seen else 'no'}" for name, seen in modules.items())
        + (
            f"; litellm finished loading in the background {float(loaded):.1f} s after start."
            if isinstance(loaded, int | float)
            else "; litellm never finished loading."
        )
    )
    gap = median(penguin) - median(bare)
    import_gap = profile.penguin_total_s - profile.bare_total_s
    section.notes.append(
        f"Import time up to the first frame (`-X importtime`, one run each, inflated by the "
        f"tracing): bare {ms(profile.bare_total_s)}, penguin-tui {ms(profile.penguin_total_s)}: "
        f"{ms(import_gap)} more, against a first-frame gap of {ms(gap)} (the rest is building, "
        f"styling and painting the bigger screen)."
    )
    watched = [importtime.describe(imports[name]) for name in WATCHED if name in imports]
    heaviest = importtime.heaviest_outside(imports, "penguin_tui", 5)
    section.notes.append(
        f"`python -X importtime` on the real command ({len(imports)} modules before the first "
        f"frame), cumulative times. Watched modules: "
        + ("; ".join(watched) or "none of them")
        + ". Heaviest imports made by penguin-tui's own modules: "
        + "; ".join(importtime.describe(module) for module in heaviest)
        + "."
    )
    return section
