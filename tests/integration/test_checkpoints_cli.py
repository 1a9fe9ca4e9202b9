"""`penguin-tui checkpoints` and `branches` on a real project: real files, a real shadow git
repository, a real SQLite file, and a real agent turn against the scripted model."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from penguin_tui.checkpoints.locks import InstanceLock
from penguin_tui.cli.main import main
from penguin_tui.config import data_paths
from penguin_tui.testing import ServerThread, run_in_thread
from tests.conftest import script

Captured = pytest.CaptureFixture[str]

AGENT = (Path(__file__).parent / "scripts" / "agent.toml").read_text(encoding="utf-8")


def cli(capsys: Captured, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys: Captured, *args: str) -> str:
    """Run a command that must succeed; its stdout."""
    code, out, err = cli(capsys, *args)
    assert code == 0, err
    return out


def agent_turn(capsys: Captured, project: Path, prompt: str) -> None:
    """One headless agent turn of the scripted agent session, everything allowed."""
    with run_in_thread(script(AGENT)) as server:
        args = ["-C", str(project), "--model", "m1", "--api-base", server.base_url]
        code, _, err = cli(capsys, "run", *args, "--approve", "all", prompt)
    assert code == 0, err


def in_project(project: Path, *args: str) -> list[str]:
    """``GROUP ACTION ARGS -C project``."""
    return [*args, "-C", str(project)]


def as_json(capsys: Captured, project: Path, *args: str) -> Any:
    return json.loads(ok(capsys, *in_project(project, *args, "--json")))


def checkpoint(capsys: Captured, project: Path, label: str = "") -> str:
    """``checkpoints create``: the new checkpoint's id."""
    return ok(capsys, *in_project(project, "checkpoints", "create", "--label", label)).strip()


def listed(capsys: Captured, project: Path) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = as_json(capsys, project, "checkpoints", "list")
    return result


def write(project: Path, name: str, text: str) -> None:
    path = project / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def read(project: Path, name: str) -> str:
    return (project / name).read_text(encoding="utf-8")


class Terminal(io.StringIO):
    """Typed answers on a stdin that says it is a terminal."""

    def isatty(self) -> bool:
        return True


# -- create, list, diff --------------------------------------------------------------------------


def test_create_prints_the_id_and_list_json_has_the_documented_fields(
    capsys: Captured, project: Path
) -> None:
    first = checkpoint(capsys, project, "first")
    assert len(first) == 12
    rows = listed(capsys, project)
    assert [row["id"] for row in rows] == [first]
    row = rows[0]
    assert row["label"] == "first"
    assert row["kind"] == "manual"
    assert row["branch"] == "main"
    assert row["files_changed"] == 1
    assert isinstance(row["created_at"], float)
    assert row["current"] is True

    write(project, "main.py", "print('bye')\n")
    created = as_json(capsys, project, "checkpoints", "create", "--label", "second")
    assert created["kind"] == "manual" and created["label"] == "second"
    assert created["parent_id"] == first
    rows = listed(capsys, project)
    assert [row["id"] for row in rows] == [created["id"], first]  # newest first
    assert [row["current"] for row in rows] == [True, False]

    text = ok(capsys, *in_project(project, "checkpoints", "list")).splitlines()
    assert text[0].startswith(f"* {created['id'][:8]}  main  manual")
    assert "1 file" in text[0] and "+1 -1" in text[0] and "n/a" in text[0]
    assert text[0].endswith("second")
    assert text[1].startswith(f"  {first[:8]}")


def test_list_of_a_project_without_a_session_is_empty(capsys: Captured, project: Path) -> None:
    assert listed(capsys, project) == []
    assert "no checkpoints yet" in ok(capsys, *in_project(project, "checkpoints", "list"))
    assert as_json(capsys, project, "branches", "list") == []
    code, _, err = cli(capsys, *in_project(project, "checkpoints", "diff", "abc"))
    assert code == 1 and "no session yet" in err


def test_diff_between_two_checkpoints_as_json_stat_and_text(
    capsys: Captured, project: Path
) -> None:
    old = checkpoint(capsys, project, "before")
    write(project, "main.py", "print('bye')\n")
    write(project, "pkg/new.py", "x = 1\ny = 2\n")
    new = checkpoint(capsys, project, "after")

    document = as_json(capsys, project, "checkpoints", "diff", old[:6], new)
    assert document["old"]["id"] == old and document["new"]["id"] == new
    files = {f["path"]: f for f in document["files"]}
    assert files["main.py"]["status"] == "modified"
    assert files["pkg/new.py"]["status"] == "added"
    assert (files["main.py"]["added"], files["main.py"]["removed"]) == (1, 1)
    lines = [(line["kind"], line["text"]) for line in files["main.py"]["hunks"][0]["lines"]]
    assert lines == [("-", "print('hello')"), ("+", "print('bye')")]
    for side in ("left", "right"):
        assert set(document[side]) >= {
            "label",
            "messages",
            "input_tokens",
            "output_tokens",
            "cost_usd",
        }
        assert document[side]["messages"] == [] and document[side]["cost_usd"] is None
    assert "before" in document["left"]["label"]

    stat = ok(capsys, *in_project(project, "checkpoints", "diff", old, new, "--stat"))
    assert stat.splitlines() == [
        " main.py    | +1 -1",
        " pkg/new.py | +2 -0",
        " 2 files changed, 3 insertions(+), 1 deletion(-)",
    ]

    text = ok(capsys, *in_project(project, "checkpoints", "diff", old, new))
    assert "diff --git a/main.py b/main.py\n--- a/main.py\n+++ b/main.py\n" in text
    assert "-print('hello')\n+print('bye')\n" in text
    assert "new file mode 100644\n--- /dev/null\n+++ b/pkg/new.py\n" in text
    assert "left : " in text and "right: " in text and "0 messages" in text


def test_diff_with_one_checkpoint_compares_it_with_the_working_tree(
    capsys: Captured, project: Path
) -> None:
    old = checkpoint(capsys, project)
    write(project, "main.py", "print('edited, not checkpointed')\n")
    document = as_json(capsys, project, "checkpoints", "diff", old)
    assert document["new"] is None
    assert document["right"]["label"] == "working tree"
    assert [f["path"] for f in document["files"]] == ["main.py"]
    stat = ok(capsys, *in_project(project, "checkpoints", "diff", old, "--stat"))
    assert stat.splitlines()[-1] == " 1 file changed, 1 insertion(+), 1 deletion(-)"
    assert len(listed(capsys, project)) == 1  # comparing takes no checkpoint


def test_unknown_and_ambiguous_ids_are_one_line_errors(capsys: Captured, project: Path) -> None:
    ids: list[str] = []
    while len({i[0] for i in ids}) == len(ids):  # until two ids share a first character
        write(project, "main.py", f"print({len(ids)})\n")
        ids.append(checkpoint(capsys, project))
    code, _, err = cli(capsys, *in_project(project, "checkpoints", "diff", "zzzz"))
    assert code == 1
    assert err == "penguin-tui: no checkpoint 'zzzz'; `penguin-tui checkpoints list` shows them\n"
    shared = next(i[0] for i in ids if sum(j[0] == i[0] for j in ids) > 1)
    code, _, err = cli(capsys, *in_project(project, "checkpoints", "revert", shared, "--yes"))
    assert code == 1
    assert "ambiguous" in err and len(err.splitlines()) == 1


def test_stat_and_json_together_are_a_usage_error(capsys: Captured, project: Path) -> None:
    old = checkpoint(capsys, project)
    args = in_project(project, "checkpoints", "diff", old, "--stat", "--json")
    code, out, err = cli(capsys, *args)
    assert code == 2 and out == "" and "--stat and --json" in err


# -- revert, undo, redo --------------------------------------------------------------------------


def test_revert_code_with_yes_restores_the_files_and_keeps_ignored_ones(
    capsys: Captured, project: Path
) -> None:
    write(project, ".gitignore", "*.log\n")
    write(project, "notes.txt", "keep me\n")
    target = checkpoint(capsys, project, "good")
    write(project, "main.py", "broken(\n")
    write(project, "extra.py", "junk = True\n")
    (project / "notes.txt").unlink()
    write(project, "build.log", "ignored output\n")

    out = ok(capsys, *in_project(project, "checkpoints", "revert", target, "--code", "--yes"))
    assert read(project, "main.py") == "print('hello')\n"
    assert read(project, "notes.txt") == "keep me\n"
    assert not (project / "extra.py").exists()
    assert read(project, "build.log") == "ignored output\n"
    assert f"reverted the code to {target[:8]}" in out
    assert "  written  main.py" in out and "  written  notes.txt" in out
    assert "  deleted  extra.py" in out
    assert "checkpoints undo" in out
    kinds = [row["kind"] for row in listed(capsys, project)]
    assert kinds == ["safety", "manual"]  # the state before the revert was saved


def test_revert_without_yes_on_a_pipe_previews_exits_2_and_changes_nothing(
    capsys: Captured, project: Path
) -> None:
    target = checkpoint(capsys, project, "good")
    write(project, "main.py", "print('changed')\n")
    write(project, "extra.py", "junk = True\n")
    before = listed(capsys, project)

    code, out, err = cli(capsys, *in_project(project, "checkpoints", "revert", target))
    assert code == 2
    assert "--yes" in err and len(err.splitlines()) == 1
    assert f"Revert the code and the conversation to {target[:8]}" in out
    kept = "since the last checkpoint; kept in the safety checkpoint; undo brings it back"
    assert (
        "2 files change:\n"
        f"  extra.py  +0 -1  deleted — created {kept}\n"
        f"  main.py   +1 -1  changed {kept}\n"
    ) in out
    assert read(project, "main.py") == "print('changed')\n"
    assert (project / "extra.py").exists()
    assert listed(capsys, project) == before

    code, out, err = cli(capsys, *in_project(project, "checkpoints", "revert", target, "--json"))
    assert code == 2
    preview = json.loads(out)["preview"]
    assert preview["target"]["id"] == target and preview["mode"] == "both"
    assert {f["path"] for f in preview["files"]} == {"main.py", "extra.py"}
    assert preview["messages_leaving"] == []


def test_revert_asks_on_a_terminal_and_only_yes_reverts(
    capsys: Captured, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = checkpoint(capsys, project)
    write(project, "main.py", "print('changed')\n")

    monkeypatch.setattr("sys.stdin", Terminal("n\n"))
    code, out, err = cli(capsys, *in_project(project, "checkpoints", "revert", target))
    assert code == 1 and "Revert? [y/N]" in err and "not reverted" in err
    assert read(project, "main.py") == "print('changed')\n"

    monkeypatch.setattr("sys.stdin", Terminal("y\n"))
    code, out, err = cli(capsys, *in_project(project, "checkpoints", "revert", target))
    assert code == 0, err
    assert "main.py  +1 -1" in out and "written  main.py" in out
    assert read(project, "main.py") == "print('hello')\n"


def test_undo_restores_and_redo_applies_the_revert_again(capsys: Captured, project: Path) -> None:
    target = checkpoint(capsys, project)
    write(project, "main.py", "print('v2')\n")
    write(project, "new.py", "new = 1\n")
    ok(capsys, *in_project(project, "checkpoints", "revert", target, "--yes"))
    assert read(project, "main.py") == "print('hello')\n" and not (project / "new.py").exists()

    undone = as_json(capsys, project, "checkpoints", "undo")
    assert undone["action"] == "undo" and undone["branch"] == "main"
    assert sorted(undone["written"]) == ["main.py", "new.py"]
    assert read(project, "main.py") == "print('v2')\n" and read(project, "new.py") == "new = 1\n"

    out = ok(capsys, *in_project(project, "checkpoints", "redo"))
    assert out.startswith("redone: main is at") and "deleted  new.py" in out
    assert read(project, "main.py") == "print('hello')\n" and not (project / "new.py").exists()

    code, _, err = cli(capsys, *in_project(project, "checkpoints", "redo"))
    assert code == 1 and err == "penguin-tui: nothing to redo\n"


# -- branches ------------------------------------------------------------------------------------


def test_branch_from_a_checkpoint_restores_its_files_and_becomes_current(
    capsys: Captured, project: Path
) -> None:
    first = checkpoint(capsys, project, "v1")
    write(project, "main.py", "print('v2')\n")
    write(project, "later.py", "later = True\n")
    checkpoint(capsys, project, "v2")

    out = ok(capsys, *in_project(project, "branches", "create", "idea", "--from", first[:8]))
    assert out.startswith(f"switched to the new branch idea at {first[:8]}")
    assert read(project, "main.py") == "print('hello')\n"
    assert not (project / "later.py").exists()

    branches = {b["name"]: b for b in as_json(capsys, project, "branches", "list")}
    assert set(branches) == {"main", "idea"}
    assert branches["idea"]["current"] is True and branches["main"]["current"] is False
    assert branches["idea"]["head"] == first
    assert branches["idea"]["checkpoints"] == 0
    assert branches["main"]["checkpoints"] == 3  # v1, v2 and the safety one before branching
    assert set(branches["main"]) >= {"name", "head", "current", "head_message_id", "checkpoints"}

    text = ok(capsys, *in_project(project, "branches", "list")).splitlines()
    assert text[0].startswith("  main  ") and text[0].endswith("3 checkpoints")
    assert text[1] == f"* idea  {first[:8]}  0 checkpoints"


def test_switching_back_and_forth_restores_each_branchs_files(
    capsys: Captured, project: Path
) -> None:
    first = checkpoint(capsys, project)
    write(project, "main.py", "print('main')\n")
    checkpoint(capsys, project)
    ok(capsys, *in_project(project, "branches", "create", "idea", "--from", first))
    write(project, "main.py", "print('idea')\n")  # not checkpointed: the switch saves it

    ok(capsys, *in_project(project, "branches", "switch", "main"))
    assert read(project, "main.py") == "print('main')\n"
    out = ok(capsys, *in_project(project, "branches", "switch", "idea"))
    assert out.startswith("switched to idea at") and "written  main.py" in out
    assert read(project, "main.py") == "print('idea')\n"
    ok(capsys, *in_project(project, "branches", "switch", "main"))
    assert read(project, "main.py") == "print('main')\n"

    code, _, err = cli(capsys, *in_project(project, "branches", "switch", "main"))
    assert code == 1 and "already on branch 'main'" in err
    code, _, err = cli(capsys, *in_project(project, "branches", "switch", "nope"))
    assert code == 1 and "no branch 'nope'" in err


def two_branches(capsys: Captured, project: Path, ours: str, theirs: str) -> None:
    """From one checkpoint: branch ``idea`` changes main.py to ``theirs`` and adds util.py;
    back on ``main``, main.py becomes ``ours``."""
    base = checkpoint(capsys, project, "base")
    ok(capsys, *in_project(project, "branches", "create", "idea", "--from", base))
    write(project, "main.py", theirs)
    write(project, "util.py", "def helper():\n    return 1\n")
    checkpoint(capsys, project, "idea's work")
    ok(capsys, *in_project(project, "branches", "switch", "main"))
    write(project, "main.py", ours)


def test_merge_without_conflicts_brings_the_other_branchs_change(
    capsys: Captured, project: Path
) -> None:
    write(project, "main.py", "a = 1\nb = 2\nc = 3\nd = 4\ne = 5\n")
    two_branches(
        capsys,
        project,
        ours="a = 'ours'\nb = 2\nc = 3\nd = 4\ne = 5\n",
        theirs="a = 1\nb = 2\nc = 3\nd = 4\ne = 'theirs'\n",
    )
    out = ok(capsys, *in_project(project, "branches", "merge", "idea"))
    assert out.startswith("merged idea into main")
    assert read(project, "main.py") == "a = 'ours'\nb = 2\nc = 3\nd = 4\ne = 'theirs'\n"
    assert read(project, "util.py") == "def helper():\n    return 1\n"
    assert listed(capsys, project)[0]["label"] == "merged idea"


def test_merge_conflict_exits_1_leaves_markers_and_undo_takes_it_back(
    capsys: Captured, project: Path
) -> None:
    two_branches(capsys, project, ours="print('ours')\n", theirs="print('theirs')\n")
    code, out, err = cli(capsys, *in_project(project, "branches", "merge", "idea"))
    assert code == 1
    assert "1 file with conflicts:\n  main.py\n" in out
    assert len(err.splitlines()) == 1
    assert "main.py" in err and "conflict markers" in err and "checkpoints undo" in err
    merged = read(project, "main.py")
    assert "<<<<<<<" in merged and "=======" in merged and ">>>>>>>" in merged
    assert "print('ours')" in merged and "print('theirs')" in merged
    assert (project / "util.py").exists()

    ok(capsys, *in_project(project, "checkpoints", "undo"))
    assert read(project, "main.py") == "print('ours')\n"
    assert not (project / "util.py").exists()


def test_merge_json_reports_the_conflicts(capsys: Captured, project: Path) -> None:
    two_branches(capsys, project, ours="print('ours')\n", theirs="print('theirs')\n")
    code, out, err = cli(capsys, *in_project(project, "branches", "merge", "idea", "--json"))
    assert code == 1 and "conflict markers" in err
    result = json.loads(out)
    assert result["action"] == "merge" and result["source"] == "idea"
    assert result["conflicts"] == ["main.py"]


def test_merge_with_files_cherry_picks_only_those(capsys: Captured, project: Path) -> None:
    two_branches(capsys, project, ours="print('ours')\n", theirs="print('theirs')\n")
    out = ok(capsys, *in_project(project, "branches", "merge", "idea", "--files", "util.py"))
    assert out.startswith("merged util.py from idea into main")
    assert read(project, "util.py") == "def helper():\n    return 1\n"
    assert read(project, "main.py") == "print('ours')\n"

    code, _, err = cli(
        capsys, *in_project(project, "branches", "merge", "idea", "--files", "nothere.py")
    )
    assert code == 1 and "nothere.py does not differ" in err


# -- sessions, locks, refusals, retention --------------------------------------------------------


def test_session_flag_chooses_another_session(
    capsys: Captured, project: Path, server: ServerThread
) -> None:
    first = checkpoint(capsys, project, "in the first session")
    ok(capsys, "run", "-C", str(project), "--model", "m1", "--api-base", server.base_url, "hi")
    sessions = json.loads(ok(capsys, "sessions", "list", "-C", str(project), "--json"))
    assert len(sessions) == 2
    older = sessions[1]["id"]
    assert first not in [row["id"] for row in listed(capsys, project)]
    rows = as_json(capsys, project, "checkpoints", "list", "--session", older)
    assert [row["id"] for row in rows] == [first]


@pytest.fixture
def other_instance(capsys: Captured, project: Path) -> Iterator[tuple[str, str]]:
    """Two checkpoints, then the project's instance lock held as a running TUI would hold it."""
    first = checkpoint(capsys, project)
    write(project, "main.py", "print('two')\n")
    second = checkpoint(capsys, project)
    (path,) = data_paths().shadow_repos.glob("*.instance.lock")
    lock = InstanceLock(path)
    lock.acquire()
    try:
        yield first, second
    finally:
        lock.release()


def test_a_running_instance_blocks_changes_but_not_reading(
    capsys: Captured, project: Path, other_instance: tuple[str, str]
) -> None:
    first, second = other_instance
    for args in (
        ("checkpoints", "create"),
        ("checkpoints", "revert", first, "--yes"),
        ("checkpoints", "undo"),
        ("branches", "create", "idea", "--from", first),
        ("branches", "switch", "main"),
    ):
        code, out, err = cli(capsys, *in_project(project, *args))
        assert code == 1, args
        assert out == ""
        assert err.startswith("penguin-tui: another penguin-tui is running on this project")
        assert len(err.splitlines()) == 1
    assert read(project, "main.py") == "print('two')\n"

    assert [row["id"] for row in listed(capsys, project)] == [second, first]
    assert [b["name"] for b in as_json(capsys, project, "branches", "list")] == ["main"]
    document = as_json(capsys, project, "checkpoints", "diff", first, second)
    assert [f["path"] for f in document["files"]] == ["main.py"]
    write(project, "main.py", "print('three')\n")
    document = as_json(capsys, project, "checkpoints", "diff", second)
    assert document["new"] is None and [f["path"] for f in document["files"]] == ["main.py"]


def test_home_directory_is_refused_with_the_notice(
    capsys: Captured, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(project))
    for args in (("checkpoints", "create"), ("checkpoints", "list")):
        code, out, err = cli(capsys, *in_project(project, *args))
        assert code == 1 and out == ""
        assert "is a home directory" in err and "allow_home_or_root" in err
        assert len(err.splitlines()) == 1


def test_over_quota_store_warns_after_a_change(
    capsys: Captured, project: Path, penguin_home: Path
) -> None:
    config = penguin_home / "config.toml"
    config.write_text(config.read_text() + "\n[checkpoints]\nquota_mb = 0.001\n")
    code, out, err = cli(capsys, *in_project(project, "checkpoints", "create"))
    assert code == 0 and len(out.strip()) == 12
    assert "warning: the checkpoint store is" in err and "over its quota of 1.0 KiB" in err
    code, _, err = cli(capsys, *in_project(project, "checkpoints", "list"))
    assert code == 0 and err == ""  # reading never warns


def test_create_names_the_files_left_out_of_the_snapshot(
    capsys: Captured, project: Path, penguin_home: Path
) -> None:
    config = penguin_home / "config.toml"
    config.write_text(config.read_text() + "\n[checkpoints]\nmax_file_mb = 0.001\n")
    write(project, "big.bin", "x" * 5000)
    code, out, err = cli(capsys, *in_project(project, "checkpoints", "create"))
    assert code == 0 and len(out.strip()) == 12
    assert err.startswith("penguin-tui: left out of the snapshot: big.bin (")
    (row,) = listed(capsys, project)
    assert [item["path"] for item in row["skipped"]] == ["big.bin"]


def test_a_change_thins_automatic_checkpoints_the_retention_no_longer_keeps(
    capsys: Captured, project: Path, penguin_home: Path
) -> None:
    config = penguin_home / "config.toml"
    config.write_text(
        config.read_text() + "\n[checkpoints]\nkeep_all_auto_hours = 0\nkeep_daily_auto_days = 0\n"
    )
    agent_turn(capsys, project, "write add()")
    assert [row["kind"] for row in listed(capsys, project)] == ["auto", "auto"]  # reads keep all
    kept = checkpoint(capsys, project, "mine")
    rows = listed(capsys, project)
    assert [row["id"] for row in rows] == [kept]  # manual ones stay; old automatic ones go
    assert read(project, "calc.py") == "def add(a, b):\n    return a + b\n"


def test_one_projects_retention_never_thins_another_projects_checkpoints(
    capsys: Captured, project: Path, tmp_path: Path
) -> None:
    agent_turn(capsys, project, "write add()")
    ours = [row["id"] for row in listed(capsys, project)]
    assert len(ours) == 2
    other = tmp_path / "other"
    write(other, "notes.txt", "another project\n")
    write(
        other,
        ".penguin/config.toml",
        "[checkpoints]\nkeep_all_auto_hours = 0\nkeep_daily_auto_days = 0\n",
    )
    checkpoint(capsys, other, "theirs")  # a change there applies that project's retention
    assert [row["id"] for row in listed(capsys, project)] == ours


def test_projects_own_git_is_byte_identical_after_everything(
    capsys: Captured, project: Path
) -> None:
    git = ["git", "-C", str(project), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    write(project, ".gitignore", "*.log\n")
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "initial"], check=True)
    before = tree_hashes(project / ".git")

    base = checkpoint(capsys, project, "base")
    write(project, "main.py", "print('ours')\n")
    write(project, "run.log", "ignored\n")
    second = checkpoint(capsys, project)
    ok(capsys, *in_project(project, "checkpoints", "diff", base, second))
    ok(capsys, *in_project(project, "checkpoints", "diff", base, "--stat"))
    ok(capsys, *in_project(project, "checkpoints", "revert", base, "--yes"))
    ok(capsys, *in_project(project, "checkpoints", "undo"))
    ok(capsys, *in_project(project, "checkpoints", "redo"))
    ok(capsys, *in_project(project, "branches", "create", "idea", "--from", second))
    write(project, "main.py", "print('theirs')\n")
    ok(capsys, *in_project(project, "branches", "switch", "main"))
    write(project, "main.py", "print('main side')\n")
    assert cli(capsys, *in_project(project, "branches", "merge", "idea"))[0] == 1
    ok(capsys, *in_project(project, "checkpoints", "undo"))
    merge_one = in_project(project, "branches", "merge", "idea", "--files", "main.py")
    assert cli(capsys, *merge_one)[0] == 1
    ok(capsys, *in_project(project, "checkpoints", "undo"))

    assert tree_hashes(project / ".git") == before
    assert read(project, "run.log") == "ignored\n"


def tree_hashes(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


# -- an agent turn -------------------------------------------------------------------------------


def test_a_headless_agent_turn_leaves_an_auto_checkpoint_of_what_it_changed(
    capsys: Captured, project: Path
) -> None:
    agent_turn(capsys, project, "write add() with a test and make it pass")
    rows = listed(capsys, project)
    turn = rows[0]
    assert turn["kind"] == "auto" and turn["current"] is True
    assert turn["label"] == "write add() with a test and make it pass"
    assert turn["files_changed"] == 2
    assert turn["input_tokens"] > 0 and turn["message_id"] is not None
    stat = ok(capsys, *in_project(project, "checkpoints", "diff", turn["parent_id"], turn["id"]))
    assert "+++ b/calc.py" in stat and "+++ b/test_calc.py" in stat
    document = as_json(capsys, project, "checkpoints", "diff", turn["parent_id"], turn["id"])
    roles = [m["role"] for m in document["right"]["messages"]]
    assert roles[0] == "user" and "assistant" in roles and "tool" in roles
    assert document["right"]["output_tokens"] > 0


WRITE_THEN_TALK = """
model = "m1"
rate = 0
[[turns]]
text = "Writing it."
[[turns.tool_calls]]
name = "write_file"
arguments = '{"path": "a.txt", "content": "from the agent\\n"}'
[[turns]]
text = "Written."
[[turns]]
text = "Nothing to change."
"""


def test_an_edit_made_by_hand_between_turns_is_checkpointed_before_the_next_turn(
    capsys: Captured, project: Path
) -> None:
    """A user's own edit since the last checkpoint becomes a checkpoint of its own before
    the agent's next turn, so no revert can silently eat it."""
    with run_in_thread(script(WRITE_THEN_TALK)) as server:
        base = ["run", "-C", str(project), "--model", "m1", "--api-base", server.base_url]
        code, _, err = cli(capsys, *base, "--approve", "all", "write a.txt")
        assert code == 0, err
        write(project, "main.py", "print('edited by hand')\n")
        code, _, err = cli(capsys, *base, "--continue", "anything else?")
        assert code == 0, err
    newest = listed(capsys, project)[0]
    assert newest["label"] == "changes made outside penguin-tui" and newest["kind"] == "auto"
    assert newest["files_changed"] == 1
    document = as_json(capsys, project, "checkpoints", "diff", newest["parent_id"], newest["id"])
    assert [f["path"] for f in document["files"]] == ["main.py"]


def test_reverting_the_conversation_takes_the_turn_out_of_the_branch_and_keeps_the_files(
    capsys: Captured, project: Path
) -> None:
    with run_in_thread(script(AGENT)) as server:
        args = ["-C", str(project), "--model", "m1", "--api-base", server.base_url]
        assert cli(capsys, "run", *args, "--approve", "all", "write add()")[0] == 0
    before_turn = listed(capsys, project)[-1]
    assert before_turn["label"] == "before the first turn"
    revert = ["checkpoints", "revert", before_turn["id"], "--conversation"]

    code, out, _ = cli(capsys, *in_project(project, *revert, "--json"))
    assert code == 2
    leaving = json.loads(out)["preview"]["messages_leaving"]
    assert leaving[0]["role"] == "user" and leaving[0]["text"] == "write add()"
    assert leaving[-1]["text"] == "Done: `add` is fixed and its test passes."
    assert json.loads(out)["preview"]["files"] == []

    ok(capsys, *in_project(project, *revert, "--yes"))
    (session,) = json.loads(ok(capsys, "sessions", "list", "-C", str(project), "--json"))
    shown = json.loads(ok(capsys, "sessions", "show", session["id"], "--json"))
    assert shown["messages"] == []
    assert (project / "calc.py").exists()  # the code stays as the turn left it

    ok(capsys, *in_project(project, "checkpoints", "undo"))
    shown = json.loads(ok(capsys, "sessions", "show", session["id"], "--json"))
    assert len(shown["messages"]) == len(leaving)


def test_the_revert_preview_lists_the_messages_leaving_as_the_workbench_does(
    capsys: Captured, project: Path
) -> None:
    """The command line's preview is made by the workbench's code: the same heading (undo
    brings them back), and a message that only calls tools is named by its tools."""
    agent_turn(capsys, project, "write add()")
    before_turn = listed(capsys, project)[-1]
    revert = ["checkpoints", "revert", before_turn["id"], "--conversation"]

    code, out, _ = cli(capsys, *in_project(project, *revert))
    assert code == 2
    lines = out.splitlines()
    assert lines[1].endswith(
        " messages leave the branch (kept in the store; undo brings them back):"
    )
    assert lines[2:4] == ["  user       write add()", "  assistant  Let me look around."]
    assert "  assistant  [write_file, write_file]" in lines


# -- bugs found in other modules -----------------------------------------------------------------


def test_reading_beside_a_running_instance_leaves_its_streaming_reply_alone(
    capsys: Captured, project: Path, other_instance: tuple[str, str]
) -> None:
    from penguin_tui.runtime import open_store
    from penguin_tui.store import MessageStatus, Role

    root = project.resolve()

    async def streaming_reply() -> str:
        from penguin_tui.config import load_settings

        paths = data_paths()
        store = await open_store(paths, load_settings(paths.user_config, None))
        try:
            project_id = (await store.ensure_project(root)).id
            session = await store.latest_session(project_id)
            assert session is not None
            user = await store.add_message(
                session.id, None, Role.USER, "hi", MessageStatus.COMPLETE
            )
            await store.add_message(
                session.id, user.id, Role.ASSISTANT, "Hel", MessageStatus.STREAMING
            )
            return session.id
        finally:
            await store.close()

    session_id = asyncio.run(streaming_reply())
    ok(capsys, *in_project(project, "checkpoints", "list"))
    document = json.loads(ok(capsys, "sessions", "show", session_id, "--json"))
    assert document["messages"][-1]["status"] == "streaming"


def test_a_listing_into_a_closed_pipe_is_not_an_unexpected_error(
    capsys: Captured, project: Path
) -> None:
    checkpoint(capsys, project)
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `| head` that has already gone
    try:
        result = subprocess.run(
            [sys.executable, "-m", "penguin_tui.cli", "checkpoints", "list", "-C", str(project)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert result.returncode != 0
    assert "unexpected error" not in result.stderr
