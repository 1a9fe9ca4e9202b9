"""Measure a frozen copy of the committed code instead of a working tree others are editing.

``python -m tests.bench --snapshot`` extracts ``penguin_tui/`` and ``themes/`` at HEAD
(``git archive``, read-only) into a temporary directory, laid out as in the wheel, and puts
it first on every child process's ``PYTHONPATH``; children start in that directory, so
``python -m`` does not pick the working tree up either. The benchmark code itself still comes
from the working tree.
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
_child_cwd: Path = REPO_ROOT


def child_cwd() -> Path:
    """Where to start child processes that import penguin_tui (and ``tests`` via -m)."""
    return _child_cwd


@contextmanager
def frozen_head() -> Iterator[str]:
    """Extract HEAD's code and point children at it; yields the commit measured."""
    global _child_cwd
    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0")
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    archive = subprocess.run(
        ["git", "archive", "--format=tar", "HEAD", "penguin_tui", "themes"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        check=True,
    ).stdout
    saved_path, saved_cwd = os.environ.get("PYTHONPATH"), _child_cwd
    with tempfile.TemporaryDirectory(prefix="penguin-bench-code-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        # The wheel ships themes/ as penguin_tui.themes: lay it out the same way.
        (Path(tmp) / "themes").rename(Path(tmp) / "penguin_tui" / "themes")
        os.environ["PYTHONPATH"] = os.pathsep.join(
            [tmp, str(REPO_ROOT), *([saved_path] if saved_path else [])]
        )
        _child_cwd = Path(tmp)
        try:
            yield commit
        finally:
            _child_cwd = saved_cwd
            if saved_path is None:
                os.environ.pop("PYTHONPATH", None)
            else:
                os.environ["PYTHONPATH"] = saved_path
