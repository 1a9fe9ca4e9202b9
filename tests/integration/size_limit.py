"""The installed command under a real file size limit (``ulimit -f``), and the CLI in-process."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from penguin_tui.cli.main import main

Captured = pytest.CaptureFixture[str]

LIMIT = 300 * 1024
PENGUIN = Path(sys.executable).parent / "penguin-tui"


def under_the_limit() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, resource.RLIM_INFINITY))


def limited(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed ``penguin-tui ARGS`` under a 300 KiB file size limit."""
    return subprocess.run(
        [str(PENGUIN), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ.copy(),
        preexec_fn=under_the_limit,
        check=False,
    )


def cli(capsys: Captured, *args: str) -> tuple[int, str, str]:
    """``penguin-tui ARGS`` in this process, without a limit: exit code, stdout, stderr."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err
