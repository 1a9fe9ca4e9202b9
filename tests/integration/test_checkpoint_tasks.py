"""The tasks in every checkpoint, through the command line on a real project: a comparison shows
how the plan changed, `revert --tasks` puts a checkpoint's plan back (alone or with the code
and the conversation), and undo and redo move it like the other parts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from penguin_tui.cli.main import main

Captured = pytest.CaptureFixture[str]


def ok(capsys: Captured, *args: str) -> str:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def in_project(project: Path, *args: str) -> list[str]:
    return [*args, "-C", str(project)]


def as_json(capsys: Captured, project: Path, *args: str) -> Any:
    return json.loads(ok(capsys, *in_project(project, *args, "--json")))


def checkpoint(capsys: Captured, project: Path, label: str) -> str:
    result = as_json(capsys, project, "checkpoints", "create", "--label", label)
    return str(result["id"])


def plan(capsys: Captured, project: Path) -> dict[str, tuple[str, str]]:
    tasks = as_json(capsys, project, "tasks", "list", "--all")
    return {t["id"]: (t["title"], t["status"]) for t in tasks}


def test_revert_tasks_puts_the_plan_back_and_undo_redo_move_it(
    capsys: Captured, project: Path
) -> None:
    ok(capsys, *in_project(project, "tasks", "add", "Write the parser"))
    ok(capsys, *in_project(project, "tasks", "add", "Test it", "--after", "T1"))
    first = checkpoint(capsys, project, "two tasks")
    ok(capsys, *in_project(project, "tasks", "done", "T1"))
    ok(capsys, *in_project(project, "tasks", "add", "Ship it"))
    (project / "code.py").write_text("x = 1\n", encoding="utf-8")
    later = plan(capsys, project)

    result = as_json(capsys, project, "checkpoints", "revert", first, "--tasks", "--yes")
    assert (result["mode"], result["parts"]) == ("tasks", ["tasks"])
    assert plan(capsys, project) == {
        "T1": ("Write the parser", "todo"),
        "T2": ("Test it", "todo"),
    }
    assert (project / "code.py").exists()  # the code was not part of it
    # A number given since is not given again.
    assert ok(capsys, *in_project(project, "tasks", "add", "Another")) == "T4\n"
    ok(capsys, *in_project(project, "tasks", "cancel", "T4"))

    ok(capsys, *in_project(project, "checkpoints", "undo"))
    assert plan(capsys, project) == later
    ok(capsys, *in_project(project, "checkpoints", "redo"))
    assert plan(capsys, project) == {
        "T1": ("Write the parser", "todo"),
        "T2": ("Test it", "todo"),
    }
    history = as_json(capsys, project, "tasks", "show", "T1")["history"]
    assert history[-1]["what"].startswith("redone to ")


def test_revert_all_moves_code_conversation_and_tasks_and_both_leaves_the_tasks(
    capsys: Captured, project: Path
) -> None:
    (project / "code.py").write_text("x = 1\n", encoding="utf-8")
    ok(capsys, *in_project(project, "tasks", "add", "one"))
    first = checkpoint(capsys, project, "start")
    (project / "code.py").write_text("x = 2\n", encoding="utf-8")
    ok(capsys, *in_project(project, "tasks", "add", "two"))
    checkpoint(capsys, project, "later")

    both = as_json(capsys, project, "checkpoints", "revert", first, "--yes")
    assert (both["mode"], both["parts"]) == ("both", ["code", "conversation"])
    assert (project / "code.py").read_text(encoding="utf-8") == "x = 1\n"
    assert set(plan(capsys, project)) == {"T1", "T2"}  # the tasks stayed

    combined = as_json(
        capsys, project, "checkpoints", "revert", first, "--code", "--tasks", "--yes"
    )
    assert (combined["mode"], combined["parts"]) == ("code+tasks", ["code", "tasks"])
    assert set(plan(capsys, project)) == {"T1"}

    ok(capsys, *in_project(project, "checkpoints", "undo"))
    every = as_json(capsys, project, "checkpoints", "revert", first, "--all", "--yes")
    assert every["parts"] == ["code", "conversation", "tasks"]
    assert set(plan(capsys, project)) == {"T1"}


def test_a_comparison_shows_how_the_tasks_differ(capsys: Captured, project: Path) -> None:
    ok(capsys, *in_project(project, "tasks", "add", "one"))
    ok(capsys, *in_project(project, "tasks", "add", "two"))
    first = checkpoint(capsys, project, "before")
    ok(capsys, *in_project(project, "tasks", "done", "T1"))
    ok(capsys, *in_project(project, "tasks", "cancel", "T2"))
    ok(capsys, *in_project(project, "tasks", "add", "three"))
    second = checkpoint(capsys, project, "after")
    comparison = as_json(capsys, project, "checkpoints", "diff", first, second)
    assert comparison["tasks"] == [
        {"id": "T1", "title": "one", "kind": "changed", "changes": ["status todo → done"]},
        {"id": "T2", "title": "two", "kind": "changed", "changes": ["status todo → cancelled"]},
        {"id": "T3", "title": "three", "kind": "added", "changes": []},
    ]
    text = ok(capsys, *in_project(project, "checkpoints", "diff", first, second))
    assert "tasks: 3 tasks differ" in text
    assert "changed  T1 one: status todo → done" in text
    # Against the working tree: the plan as it is now.
    ok(capsys, *in_project(project, "tasks", "edit", "T3", "--priority", "high"))
    now = as_json(capsys, project, "checkpoints", "diff", second)
    assert now["tasks"] == [
        {"id": "T3", "title": "three", "kind": "changed", "changes": ["priority medium → high"]}
    ]


def test_the_preview_lists_the_tasks_that_change(capsys: Captured, project: Path) -> None:
    ok(capsys, *in_project(project, "tasks", "add", "one"))
    first = checkpoint(capsys, project, "before")
    ok(capsys, *in_project(project, "tasks", "add", "two"))
    code = main(in_project(project, "checkpoints", "revert", first, "--tasks", "--json"))
    out, _ = capsys.readouterr()
    assert code == 2  # stdin is not a terminal: shown, not done
    preview = json.loads(out.splitlines()[0])["preview"]
    assert preview["parts"] == ["tasks"]
    assert preview["tasks"] == [{"id": "T2", "title": "two", "kind": "removed", "changes": []}]
    assert set(plan(capsys, project)) == {"T1", "T2"}


def test_a_checkpoint_taken_before_tasks_were_kept_refuses_to_revert_them(
    capsys: Captured, project: Path
) -> None:
    import sqlite3

    from penguin_tui.config import data_paths

    ok(capsys, *in_project(project, "tasks", "add", "one"))
    old = checkpoint(capsys, project, "old")
    with sqlite3.connect(data_paths().database) as db:  # as an older penguin-tui wrote it
        db.execute("UPDATE checkpoints SET tasks = '[]' WHERE id = ?", (old,))
    code = main(in_project(project, "checkpoints", "revert", old, "--tasks", "--yes"))
    _, err = capsys.readouterr()
    assert code == 1
    assert "was taken before tasks were recorded" in err
    assert set(plan(capsys, project)) == {"T1"}
