"""The project watcher reports the user's edits, never git's or penguin-tui's own files."""

from __future__ import annotations

import asyncio
from pathlib import Path

from penguin_tui.workspace.watch import is_restore_temp, watch_project


def test_a_restores_temporary_files_are_recognised_by_name() -> None:
    assert is_restore_temp(".penguin-restore-bb88d7506cfd")
    assert is_restore_temp("src/deep/.penguin-restore-0123456789ab")
    assert is_restore_temp(".penguin-restore")
    assert not is_restore_temp("notes.penguin-restore-draft.md")
    assert not is_restore_temp("src/penguin-restore-plan.txt")
    assert not is_restore_temp("a.py")


async def test_watcher_reports_edits_but_not_git_data_or_restore_temp_files(
    tmp_path: Path,
) -> None:
    project = tmp_path / "project"
    data = project / ".penguin-data"
    (project / ".git").mkdir(parents=True)
    data.mkdir()
    (project / "src").mkdir()
    batches: list[set[str]] = []
    stop = asyncio.Event()

    async def changed(paths: set[str]) -> None:
        batches.append(paths)

    watcher = asyncio.create_task(
        watch_project(project, changed, skip=[data], debounce_ms=100, stop=stop)
    )
    try:
        await asyncio.sleep(0.5)  # let the watcher start before the edits
        # What a restore does for each file: a temporary sibling renamed into place.
        temp = project / "src" / ".penguin-restore-bb88d7506cfd"
        temp.write_text("restored\n")
        temp.replace(project / "src" / "a.py")
        (project / ".penguin-restore-0123456789ab").write_text("left over\n")
        (project / ".git" / "index").write_text("git's own\n")
        (data / "penguin.db").write_text("penguin-tui's own\n")
        (project / "notes.md").write_text("an edit\n")
        for _ in range(100):
            seen = set().union(*batches)
            if {"src/a.py", "notes.md"} <= seen:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # anything else would have arrived by now
    finally:
        stop.set()
        await asyncio.wait_for(watcher, 5)
    seen = set().union(*batches)
    assert {"src/a.py", "notes.md"} <= seen
    assert not {path for path in seen if "penguin-restore" in path}
    assert not {path for path in seen if path.startswith((".git", ".penguin-data"))}
