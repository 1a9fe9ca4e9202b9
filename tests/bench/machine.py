"""Describe the machine a run happened on: CPU, cores, memory, Python and library versions."""

from __future__ import annotations

import os
import platform
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path


@dataclass(frozen=True)
class Machine:
    cpu: str
    cores: int
    memory_gib: float
    python: str
    textual: str
    litellm: str
    system: str
    code: str
    load: str

    def lines(self) -> list[str]:
        return [
            f"CPU: {self.cpu}, {self.cores} cores",
            f"Memory: {self.memory_gib:.1f} GiB",
            f"OS: {self.system}",
            f"Python {self.python}, textual {self.textual}, litellm {self.litellm}",
            f"penguin-tui code: {self.code}",
            f"Load average when the run started (1, 5, 15 min): {self.load}",
        ]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / (1024 * 1024)
    except OSError:
        pass
    return float("nan")


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _load() -> str:
    try:
        return ", ".join(Path("/proc/loadavg").read_text(encoding="utf-8").split()[:3])
    except OSError:
        return "unknown"


def _revision() -> str:
    """The commit measured, and whether penguin_tui/ had uncommitted changes (read-only git)."""
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0")

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", *args], cwd=root, env=env, capture_output=True, text=True, check=False
        )

    head = git("rev-parse", "--short", "HEAD")
    if head.returncode != 0:
        return "unknown (not a git checkout)"
    # New files count too (a module not yet committed is measured as well).
    status = git("status", "--porcelain", "--untracked-files=all", "--", "penguin_tui")
    changed = len([line for line in status.stdout.splitlines() if line.strip()])
    return f"commit {head.stdout.strip()}" + (
        f" with uncommitted changes in penguin_tui/ ({changed} files changed or new)"
        if changed
        else ""
    )


def describe(code: str | None = None) -> Machine:
    return Machine(
        cpu=_cpu_model(),
        cores=os.cpu_count() or 0,
        memory_gib=_memory_gib(),
        python=platform.python_version(),
        textual=_version("textual"),
        litellm=_version("litellm"),
        system=f"{platform.system()} {platform.release()}",
        code=code or _revision(),
        load=_load(),
    )
