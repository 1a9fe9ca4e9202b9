"""`penguin-tui tasks` on a real project and a real SQLite file: what a script sees (ids, JSON,
exit codes, one-line errors) and what a person reads (the tree, a task with its history)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from penguin_tui.cli.main import main
from penguin_tui.tasks.transfer import JSON_KEYS

Captured = pytest.CaptureFixture[str]


def cli(capsys: Captured, project: Path, *args: str) -> tuple[int, str, str]:
    code = main(["tasks", *args, "-C", str(project)])
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys: Captured, project: Path, *args: str) -> str:
    code, out, err = cli(capsys, project, *args)
    assert code == 0, err
    return out


def as_json(capsys: Captured, project: Path, *args: str) -> Any:
    return json.loads(ok(capsys, project, *args, "--json"))


def test_add_prints_the_new_id_and_list_shows_the_tree_with_what_waits(
    capsys: Captured, project: Path
) -> None:
    assert ok(capsys, project, "add", "Write the parser", "--priority", "high") == "T1\n"
    assert ok(capsys, project, "add", "Test it", "--after", "T1") == "T2\n"
    assert ok(capsys, project, "add", "Release") == "T3\n"
    assert ok(capsys, project, "add", "Build", "--parent", "T3") == "T4\n"
    listing = ok(capsys, project, "list")
    assert listing.splitlines() == [
        "○ T1   Write the parser  (high; ready)",
        "○ T2   Test it  (after T1 (todo))",
        "○ T3   Release  (done when its subtasks are; 0/1 done)",
        "  ○ T4   Build  (ready)",
        "0/3 done; done and cancelled tasks hidden (--all shows them)",
    ]


def test_list_json_has_the_documented_fields_and_hides_finished_tasks_without_all(
    capsys: Captured, project: Path
) -> None:
    ok(capsys, project, "add", "one", "--check", "pytest -q", "--criterion", "green")
    ok(capsys, project, "add", "two", "--after", "T1")
    ok(capsys, project, "done", "T1")
    (two,) = as_json(capsys, project, "list")
    assert tuple(two) == JSON_KEYS
    assert (two["id"], two["after"], two["ready"], two["cost_usd"]) == ("T2", ["T1"], True, 0.0)
    one, _ = as_json(capsys, project, "list", "--all")
    assert one["status"] == "done"
    assert one["criteria"] == [{"text": "green", "done": False}]
    assert one["created_by"] == "user"


def test_a_cycle_or_an_unknown_id_is_one_line_and_exit_1(capsys: Captured, project: Path) -> None:
    ok(capsys, project, "add", "one")
    ok(capsys, project, "add", "two", "--after", "T1")
    code, out, err = cli(capsys, project, "edit", "T1", "--after", "T2")
    assert (code, out) == (1, "")
    assert err == "penguin-tui: that would make a cycle: T1 → T2 → T1\n"
    code, _, err = cli(capsys, project, "show", "T7")
    assert (code, err) == (1, "penguin-tui: there is no task T7 in this project\n")
    with pytest.raises(SystemExit) as refused:
        cli(capsys, project, "edit", "T1", "--status", "started")
    assert refused.value.code == 2
    assert "invalid choice: 'started'" in capsys.readouterr().err


def test_show_tells_the_task_its_check_and_its_history(capsys: Captured, project: Path) -> None:
    ok(capsys, project, "add", "one")
    ok(capsys, project, "add", "two", "--after", "T1", "--check", "make test")
    ok(capsys, project, "edit", "T2", "--priority", "high", "--title", "two, sooner")
    ok(capsys, project, "cancel", "T1")
    shown = ok(capsys, project, "show", "T2")
    assert "T2  two, sooner" in shown
    assert "status:   todo (ready)" in shown
    assert "T1 was cancelled: it no longer holds this task" in shown
    assert "check:    make test\n" in shown  # written by the user: trusted
    history = shown.split("history:\n")[1]
    assert [line.split("user")[1].strip() for line in history.splitlines()] == [
        "created",
        "title two → two, sooner",
        "priority medium → high",
    ]
    document = as_json(capsys, project, "show", "T2")
    assert [entry["what"] for entry in document["history"]][0] == "created"


def test_import_a_markdown_checklist_gives_new_ids_and_prints_the_mapping(
    capsys: Captured, project: Path, tmp_path: Path
) -> None:
    ok(capsys, project, "add", "already here")
    plan = tmp_path / "plan.md"
    plan.write_text(
        "# Plan\n\n- [ ] Ship it\n  - [x] Write it\n  - [ ] Test it\n- [ ] Tell people\n",
        encoding="utf-8",
    )
    out = ok(capsys, project, "import", str(plan))
    assert out.splitlines() == ["line 3 → T2", "line 4 → T3", "line 5 → T4", "line 6 → T5"]
    listed = {t["id"]: t for t in as_json(capsys, project, "list", "--all")}
    assert listed["T3"]["parent"] == "T2" and listed["T3"]["status"] == "done"
    # An export read back in is the same plan, under new ids.
    exported = ok(capsys, project, "export", "--format", "json")
    again = tmp_path / "again.json"
    again.write_text(exported, encoding="utf-8")
    mapping = json.loads(ok(capsys, project, "import", str(again), "--json"))["imported"]
    assert mapping == {"T1": "T6", "T2": "T7", "T3": "T8", "T4": "T9", "T5": "T10"}
    titles = [t["title"] for t in as_json(capsys, project, "list", "--all")]
    assert titles[5:] == titles[:5]


def test_an_unreadable_or_bad_import_file_is_one_line(
    capsys: Captured, project: Path, tmp_path: Path
) -> None:
    code, _, err = cli(capsys, project, "import", str(tmp_path / "missing.md"))
    assert code == 1 and err.startswith("penguin-tui: cannot read") and err.count("\n") == 1
    bad = tmp_path / "bad.json"
    bad.write_text("[{]", encoding="utf-8")
    code, _, err = cli(capsys, project, "import", str(bad))
    assert code == 1 and "not valid JSON" in err and err.count("\n") == 1
    assert as_json(capsys, project, "list", "--all") == []


def test_the_tasks_commands_do_not_import_litellm(project: Path) -> None:
    probe = (
        "import sys\n"
        "from penguin_tui.cli.main import main\n"
        f"main(['tasks', 'add', 'x', '-C', {str(project)!r}])\n"
        f"main(['tasks', 'list', '--json', '-C', {str(project)!r}])\n"
        "print('litellm' in sys.modules, 'penguin_tui.engine.chat' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "False False"
