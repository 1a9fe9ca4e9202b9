"""No git that penguin-tui starts gets the keys: a process of the same user (the agent's,
left running in the background) can read a child's ``/proc/<pid>/environ`` while it runs."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from penguin_tui.cli.main import main
from penguin_tui.testing import run_in_thread
from tests.conftest import script

OPENAI_KEY = "sk-test-openai-93b1e07c2d8a4f55"


LOOK_AND_WRITE = """
model = "m1"
rate = 0
[[turns]]
[[turns.tool_calls]]
name = "list_files"
arguments = '{"path": "."}'
[[turns.tool_calls]]
name = "search"
arguments = '{"pattern": "hello"}'
[[turns.tool_calls]]
name = "write_file"
arguments = '{"path": "notes.txt", "content": "checked"}'
[[turns]]
text = "Done."
"""


def spy_on_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Put a ``git`` first on PATH that writes down its environment (what a process of the same
    user could read in /proc/<pid>/environ while it runs), then runs the real git; the log."""
    real_git = shutil.which("git")
    assert real_git is not None
    spy = tmp_path / "spy"
    spy.mkdir()
    log = tmp_path / "git-environments.log"
    (spy / "git").write_text(
        f'#!/bin/sh\nenv >> "{log}"\necho ---- >> "{log}"\nexec {real_git} "$@"\n'
    )
    (spy / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{spy}{os.pathsep}{os.environ['PATH']}")
    return log


def look_around(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    """One turn: list_files and search ask the project's git, the checkpoint at its end the
    shadow repository's."""
    with run_in_thread(script(LOOK_AND_WRITE)) as server:
        code = main(
            ["run", "-C", str(project), "--model", "m1", "--api-base", server.base_url]
            + ["--approve", "all", "look around"]
        )
        assert code == 0, capsys.readouterr().err


def environments(log: Path) -> list[str]:
    found = log.read_text().split("----\n")
    assert len(found) > 3, "list_files, search and the checkpoint all ran git"
    assert any("PENGUIN_HOME=" in env for env in found)
    return found


def test_no_git_that_penguin_tui_starts_gets_the_keys(
    capsys: pytest.CaptureFixture[str],
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    subprocess.run(["git", "init", "-q", str(project)], check=True)  # not spied on
    log = spy_on_git(tmp_path, monkeypatch)
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    monkeypatch.setenv("MY_PASS", "pass-canary-7373")
    look_around(capsys, project)
    for env in environments(log):
        assert OPENAI_KEY not in env and "pass-canary-7373" not in env


def test_no_git_that_penguin_tui_starts_gets_a_variable_named_in_secret_env_vars(
    capsys: pytest.CaptureFixture[str],
    project: Path,
    penguin_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A name only the user's config calls secret: after the restart without secrets its
    value is back in penguin-tui's os.environ, and no child may inherit it."""
    config = penguin_home / "config.toml"
    config.write_text('secret_env_vars = ["CORP_VAULT"]\n' + config.read_text())
    subprocess.run(["git", "init", "-q", str(project)], check=True)  # not spied on
    log = spy_on_git(tmp_path, monkeypatch)
    monkeypatch.setenv("CORP_VAULT", "vault-canary-8484")
    look_around(capsys, project)
    for env in environments(log):
        assert "vault-canary-8484" not in env and "CORP_VAULT" not in env
