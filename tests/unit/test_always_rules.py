""" "Allow always" saves rules that match the call again, and only it."""

from __future__ import annotations

from pathlib import Path

from penguin_tui.engine.permissions import Action, PermissionPolicy, PermissionSettings
from penguin_tui.engine.tool_runner import always_rules


def policy(root: Path) -> PermissionPolicy:
    return PermissionPolicy(PermissionSettings(), None, root)


def test_always_on_a_compound_command_allows_that_line_next_time(tmp_path: Path) -> None:
    judge = policy(tmp_path)
    command = "cd src && python -m pytest -q"
    (tmp_path / "src").mkdir()
    assert judge.check("run_shell", {"command": command}).action is Action.ASK
    judge.session_rules.extend(always_rules("run_shell", {"command": command}))
    assert judge.check("run_shell", {"command": command}).action is Action.ALLOW
    assert judge.check("run_shell", {"command": "cd src && rm -rf ."}).action is not Action.ALLOW
    assert judge.check("run_shell", {"command": "python -m pytest -q *"}).action is not (
        Action.ALLOW
    )


def test_always_on_a_file_covers_that_path_only(tmp_path: Path) -> None:
    judge = policy(tmp_path)
    judge.session_rules.extend(always_rules("write_file", {"path": "notes[1].md"}))
    assert judge.check("write_file", {"path": "notes[1].md"}).action is Action.ALLOW
    assert judge.check("write_file", {"path": "notes1.md"}).action is Action.ASK
