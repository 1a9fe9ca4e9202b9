"""``python -m tests.bench [--quick] [--no-write]``: run every benchmark, print the results and
rewrite docs/benchmarks.md with them (``--only checkpoints``: only the page's checkpoint part)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.bench import (
    archive,
    checkpoint_cli,
    checkpoints,
    config_cli,
    headless,
    long_reply,
    machine,
    noise,
    report,
    resume_tmux,
    snapshot,
    startup,
    startup_tmux,
    streaming,
    task_pane,
    tasks_cli,
    version,
)
from tests.bench.results import CHECKPOINTS, Section, failed_section

DOC = Path(__file__).resolve().parents[2] / "docs" / "benchmarks.md"


@dataclass(frozen=True)
class Plan:
    startup_runs: int
    version_runs: int
    stream_tokens: int
    stream_runs: int
    long_tokens: int
    short_tokens: int
    long_runs: int
    checkpoint_first_runs: int
    checkpoint_runs: int
    diff_runs: int


FULL = Plan(
    startup_runs=15,
    version_runs=30,
    stream_tokens=3000,
    stream_runs=3,
    long_tokens=20000,
    short_tokens=1000,
    long_runs=3,
    checkpoint_first_runs=5,
    checkpoint_runs=15,
    diff_runs=9,
)
QUICK = Plan(
    startup_runs=3,
    version_runs=5,
    stream_tokens=600,
    stream_runs=1,
    long_tokens=4000,
    short_tokens=1000,
    long_runs=1,
    checkpoint_first_runs=1,
    checkpoint_runs=3,
    diff_runs=2,
)
BENCHMARKS = (
    "startup",
    "startup-tmux",
    "version",
    "headless",
    "streaming",
    "long",
    "resume",
    "checkpoints",
    "checkpoint-cli",
    "tasks",
    "task-pane",
    "config",
)
# Run by "checkpoints" too: on its own it measures only `penguin-tui checkpoints create`.
ONLY_ON_REQUEST = ("checkpoint-cli",)


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _guarded(
    title: str, targets: list[str], job: Callable[[], list[Section]], group: str = "main"
) -> list[Section]:
    """Run one benchmark; if it breaks (the app is being worked on), report that and go on."""
    try:
        sections = job()
    except Exception as error:  # noqa: BLE001 - any failure is reported, the others still run
        message = f"{type(error).__name__}: {error}".strip().splitlines()
        progress(f"  failed: {message[-1] if message else error!r}")
        detail = message[-1] if message else repr(error)
        sections = [failed_section(title, targets, detail, group)]
    for section in sections:
        print(report.console_section(section), flush=True)
    return sections


def run(plan: Plan, only: list[str]) -> list[Section]:
    sections: list[Section] = []
    if "startup" in only:
        progress(f"start-up: {plan.startup_runs} runs of each app in a pseudo-terminal")
        sections += _guarded(
            "Start-up",
            [
                "start-up: first frame vs bare Textual app",
                "litellm not imported at the first frame",
            ],
            lambda: [startup.run(plan.startup_runs)],
        )
    if "startup-tmux" in only:
        runs = max(3, plan.startup_runs // 2)
        progress(f"start-up in tmux: {runs} runs of each command")
        sections += _guarded(
            "Start-up in tmux",
            [f"start-up in tmux: {name} vs bare Textual app" for name in startup_tmux.GOALS],
            lambda: [startup_tmux.run(runs, progress)],
        )
    if "headless" in only:
        runs = max(2, plan.version_runs // 6)
        progress(f"headless run: {runs} runs of each case")
        sections += _guarded(
            "Headless run",
            [f"headless run, {name}, vs importing litellm" for name in headless.CASE_NAMES],
            lambda: [headless.run(runs, progress)],
        )
    if "tasks" in only:
        runs = max(3, plan.version_runs // 4)
        progress(f"tasks list: {runs} runs of each command")
        sections += _guarded(
            "Tasks list",
            ["tasks list --json on 2,000 tasks vs importing litellm"],
            lambda: [tasks_cli.run(runs, progress)],
        )
    if "config" in only:
        runs = max(3, plan.version_runs // 4)
        progress(f"config commands: {runs} runs of each")
        sections += _guarded(
            "Config commands", config_cli.target_names(), lambda: [config_cli.run(runs, progress)]
        )
    if "task-pane" in only:
        runs = max(3, plan.version_runs // 4)
        progress(f"task pane: {runs} builds of each plan")
        sections += _guarded(
            "Task pane",
            [f"task pane {what}: 2,000 tasks vs 20" for what in ("build", "change")],
            lambda: [task_pane.run(runs, progress)],
        )
    if "version" in only:
        progress(f"--version: {plan.version_runs} runs")
        sections += _guarded(
            "--version",
            ["`penguin-tui --version` median wall time"],
            lambda: [version.run(plan.version_runs)],
        )
    if "streaming" in only:
        progress(f"streaming: {plan.stream_tokens} tokens, {plan.stream_runs} runs per mode")
        sections += _guarded(
            "Streaming",
            [streaming.RATE_TARGET, streaming.LAG_TARGET],
            lambda: streaming.run(plan.stream_tokens, plan.stream_runs, progress),
        )
    if "long" in only:
        progress(f"long reply: {plan.long_tokens} vs {plan.short_tokens} tokens")
        sections += _guarded(
            "Long reply",
            [f"long reply: CPU/token of {plan.long_tokens:,} tokens vs {plan.short_tokens:,}"],
            lambda: [long_reply.run(plan.short_tokens, plan.long_tokens, plan.long_runs, progress)],
        )
    if "resume" in only:
        runs = max(1, plan.startup_runs // 3)
        progress(f"resume: sessions of 2, 500 and 2,000 messages in tmux, {runs} runs each")
        sections += _guarded(
            "Resuming a long session",
            [
                "resume: 2,000 messages vs the empty session",
                "resume: 2,000 messages vs 500",
                "resume: PageUp to the top of 2,000 messages, p95 key round trip",
            ],
            lambda: [resume_tmux.run(runs, progress)],
        )
    if "checkpoints" in only:
        progress("checkpoints: a generated tree and a copy of site-packages, against raw git")
        sections += _guarded(
            "Checkpoints",
            checkpoints.TARGET_NAMES,
            lambda: checkpoints.run(
                plan.checkpoint_first_runs, plan.checkpoint_runs, plan.diff_runs, progress
            ),
            group=CHECKPOINTS,
        )
    elif "checkpoint-cli" in only:
        progress("checkpoint-cli: `penguin-tui checkpoints create` on a copy of site-packages")
        sections += _guarded(
            "Checkpoints, the command line",
            checkpoint_cli.TARGET_NAMES,
            lambda: [
                checkpoints.run_command_line(
                    plan.checkpoint_first_runs, plan.checkpoint_runs, progress
                )
            ],
            group=CHECKPOINTS,
        )
    return sections


def measure(quick: bool, only: list[str], frozen: bool) -> archive.Run:
    started = time.perf_counter()
    before = noise.take()
    when = time.strftime("%Y-%m-%d %H:%M %Z")
    plan = QUICK if quick else FULL
    if frozen:
        with snapshot.frozen_head() as commit:
            progress(f"measuring a snapshot of HEAD ({commit})")
            host = machine.describe(f"commit {commit} (a snapshot of HEAD, via --snapshot)")
            sections = run(plan, only)
    else:
        host = machine.describe()
        sections = run(plan, only)
    busy = noise.describe(before, noise.take())
    progress(f"during the run, {busy}")
    return archive.Run(sections, host, when, quick, time.perf_counter() - started, busy)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="fewer repetitions and shorter replies: a smoke run"
    )
    parser.add_argument("--no-write", action="store_true", help=f"do not rewrite {DOC.name}")
    parser.add_argument(
        "--only",
        action="append",
        choices=BENCHMARKS,
        help="run only this benchmark (repeatable; implies --no-write, except that "
        "`--only checkpoints` alone rewrites the checkpoint part of the page)",
    )
    parser.add_argument(
        "--snapshot",
        action="store_true",
        help="measure the code committed at HEAD (a frozen copy), not the working tree",
    )
    parser.add_argument("--save-json", metavar="FILE", help="also save the results as JSON")
    parser.add_argument(
        "--from-json",
        metavar="FILE",
        help="measure nothing: print and write the results saved in FILE (e.g. after editing "
        "tests/bench/analysis.md)",
    )
    args = parser.parse_args(argv)
    if args.from_json:
        run_ = archive.load(Path(args.from_json))
        for section in run_.sections:
            print(report.console_section(section))
    else:
        everything = [name for name in BENCHMARKS if name not in ONLY_ON_REQUEST]
        run_ = measure(args.quick, args.only or everything, args.snapshot)
    print(report.summary(run_.sections, run_.machine, run_.when, run_.quick))
    if args.save_json:
        archive.save(run_, Path(args.save_json))
    if args.no_write:
        return 0
    groups = {section.group for section in run_.sections}
    if groups == {CHECKPOINTS} and args.only in (None, ["checkpoints"]) and DOC.exists():
        page = report.with_checkpoints(DOC.read_text(encoding="utf-8"), run_)
        DOC.write_text(page, encoding="utf-8")
        print(f"\nwrote the checkpoint part of {DOC}")
    elif not args.only:
        DOC.write_text(report.markdown(run_), encoding="utf-8")
        print(f"\nwrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
