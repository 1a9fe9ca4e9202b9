"""`penguin-tui permissions check` and `penguin-tui config path`: the exact output formats."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from penguin_tui.cli.main import main

Captured = pytest.CaptureFixture[str]


def check(capsys: Captured, project: Path, *args: str) -> list[str]:
    assert main(["permissions", "check", "-C", str(project), *args]) == 0
    return capsys.readouterr().out.splitlines()


def test_check_prints_the_decision_then_what_decided_it(capsys: Captured, project: Path) -> None:
    lines = check(capsys, project, "run_shell", "ls -la && rm -rf .")
    assert lines[0] in ("ask", "deny")
    assert lines[1]
    assert check(capsys, project, "read_file", "main.py")[0] == "allow"
    assert check(capsys, project, "write_file", "main.py")[0] == "ask"
    assert check(capsys, project, "read_file", "/etc/passwd")[0] != "allow"


def test_user_rules_decide_and_project_grants_are_ignored(
    capsys: Captured, project: Path, penguin_home: Path
) -> None:
    config = penguin_home / "config.toml"
    config.write_text(
        config.read_text()
        + '\n[permissions]\nmode = "ask"\n[[permissions.rules]]\ntool = "run_shell"\n'
        'pattern = "git status*"\naction = "allow"\n'
    )
    (project / ".penguin").mkdir()
    (project / ".penguin" / "config.toml").write_text(
        '[[permissions.rules]]\ntool = "run_shell"\npattern = "*"\naction = "allow"\n'
    )
    lines = check(capsys, project, "run_shell", "git", "status")
    assert lines[0] == "allow"
    assert "git status*" in lines[1]
    lines = check(capsys, project, "run_shell", "make")
    assert lines[0] == "ask"
    assert any("ignored" in line and "project" in line for line in lines[2:])


def test_config_path_is_inside_penguin_home(capsys: Captured, penguin_home: Path) -> None:
    assert main(["config", "path"]) == 0
    assert capsys.readouterr().out.strip() == str(penguin_home / "config.toml")


def test_a_task_call_is_judged_against_the_plan(capsys: Captured, project: Path) -> None:
    assert main(["tasks", "add", "-C", str(project), "Write the parser"]) == 0
    capsys.readouterr()
    # The user's task: cancelling or renaming it is asked; marking it done is the agent's.
    assert check(capsys, project, "task_update", "T1", "status=cancelled") == [
        "ask",
        "cancelling T1, a task the user created: asked in every mode",
    ]
    assert check(capsys, project, "task_update", "T1", "title=Write the lexer")[0] == "ask"
    assert check(capsys, project, "task_update", "T1", "status=done")[0] == "allow"
    assert check(capsys, project, "task_create", "Write the lexer")[0] == "allow"
    assert check(capsys, project, "task_list", "-")[0] == "allow"


def test_the_answers_saved_for_the_project_count_and_say_so(
    capsys: Captured, project: Path
) -> None:
    asyncio.run(save_rule(project, "run_shell", "make test"))  # an "always in this project"
    assert check(capsys, project, "run_shell", "make", "test") == [
        "allow",
        'rule run_shell "make test" → allow (saved for this project)',
    ]
    assert check(capsys, project, "run_shell", "make", "clean")[0] == "ask"


async def save_rule(project: Path, tool: str, pattern: str) -> None:
    from penguin_tui.cli.edge import open_data_store

    store = await open_data_store(project)
    try:
        found = await store.ensure_project(project)
        await store.add_permission_rule(found.id, tool, pattern, "allow")
    finally:
        await store.close()
