"""The read tools never run a program the project's own ``.git/config`` names."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from penguin_tui.config.secrets import SecretFreeEnvironment
from penguin_tui.engine.tools.base import ToolContext
from penguin_tui.workspace import project_files
from penguin_tui.workspace.project_git import run_project_git

from .helpers import call
from .hostile_repo import make_hostile_repository

ENVIRONMENT = SecretFreeEnvironment.of()


@pytest.fixture
def ran_log(root: Path, tmp_path: Path) -> Path:
    """The log the hostile repository's programs would write to (absent: nothing ran)."""
    return make_hostile_repository(root, tmp_path / "outside")


def nothing_ran(ran_log: Path) -> bool:
    return not ran_log.exists()


def test_plain_git_would_run_the_repository_s_fsmonitor(root: Path, ran_log: Path) -> None:
    """The fixture is really hostile: the ls-files read tools used to run did run it."""
    subprocess.run(
        ["git", "-C", str(root), "ls-files", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=True,
    )
    assert "core.fsmonitor" in ran_log.read_text()


async def test_list_files_runs_nothing_the_repository_configures(
    root: Path, ctx: ToolContext, ran_log: Path
) -> None:
    result = await call("list_files", {"path": "."}, ctx)
    assert result.status == "ok", result.output
    assert result.output.splitlines()[1:] == [".gitattributes", "app.py", "new.py"]
    assert nothing_ran(ran_log)


async def test_search_runs_nothing_the_repository_configures(
    root: Path, ctx: ToolContext, ran_log: Path
) -> None:
    result = await call("search", {"pattern": "needle"}, ctx)
    assert result.status == "ok", result.output
    assert result.output.splitlines() == ["app.py:1: needle = 2", "new.py:1: needle = 3"]
    assert nothing_ran(ran_log)


@pytest.mark.parametrize(
    "command",
    [
        ["ls-files", "--cached", "--others", "--exclude-standard"],
        ["ls-files", "--modified"],
        ["status"],
        ["diff"],
        ["log", "-p"],
        ["show", "HEAD"],
        ["cat-file", "--textconv", "HEAD:app.py"],
        ["fetch", "origin"],
    ],
    ids=" ".join,
)
def test_git_on_the_project_runs_none_of_the_programs_its_config_names(
    root: Path, ran_log: Path, command: list[str]
) -> None:
    completed = run_project_git(root, command, ENVIRONMENT)
    assert completed is not None
    assert not ran_log.exists(), ran_log.read_text()


def test_a_hook_of_the_repository_never_runs(root: Path, ran_log: Path) -> None:
    """Even a command that writes (a commit) finds no hook: hooks are switched off too."""
    completed = run_project_git(
        root, ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "x"], ENVIRONMENT
    )
    assert completed is not None and completed.returncode == 0, completed
    assert not ran_log.exists(), ran_log.read_text()


def test_a_program_key_that_cannot_be_overridden_means_git_is_not_asked(
    root: Path, ran_log: Path
) -> None:
    """``-c name=value`` cannot name a key with ``=`` in it: git is then not run at all, and
    the project's files come from the walk (which applies .gitignore the same way)."""
    with (root / ".git" / "config").open("a", encoding="utf-8") as config:
        config.write(f'[filter "a=b"]\n\tclean = "{ran_log.parent / "evil.sh"} a=b"\n')
    assert run_project_git(root, ["ls-files"], ENVIRONMENT) is None
    assert project_files(root, ENVIRONMENT) == [".gitattributes", "app.py", "new.py"]
    assert nothing_ran(ran_log)
