"""The restore journal: a restore's plan is on disk before its first file is touched.

If the process dies mid-restore, the next start finds the journal and carries the plan out
again (every step is idempotent: write this blob here, delete that file), then clears it. A plan
with a token belongs to an operation whose records are committed to the database after the
journal is written and before the first file is touched: if they never were, the next start
drops the journal instead, and the files are as they were.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from penguin_tui import disk_limits
from penguin_tui.errors import CheckpointError


@dataclass(frozen=True)
class TreeEntry:
    """A file in a snapshot: its git mode (100644, 100755, 120000) and blob id."""

    mode: str
    sha: str


@dataclass(frozen=True)
class RestorePlan:
    """Which files a restore writes (with their target content) and deletes."""

    target: str
    before: str
    writes: list[tuple[str, TreeEntry]]
    deletes: list[str]
    # Names the operation whose records must be committed before the plan may be carried
    # out (see CheckpointService); empty for a bare restore.
    token: str = ""

    @property
    def empty(self) -> bool:
        return not self.writes and not self.deletes


class Journal:
    """One pending restore per project, as a small JSON file fsynced before it counts."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def pending(self) -> bool:
        return self.path.exists()

    def write(self, plan: RestorePlan) -> None:
        data = {
            "target": plan.target,
            "before": plan.before,
            "writes": [[path, entry.mode, entry.sha] for path, entry in plan.writes],
            "deletes": plan.deletes,
            "token": plan.token,
        }
        temp = self.path.with_suffix(".tmp")
        try:
            with temp.open("w", encoding="utf-8", errors="surrogateescape") as handle:
                json.dump(data, handle, ensure_ascii=False)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, self.path)
            _fsync_folder(self.path.parent)
        except OSError as error:
            temp.unlink(missing_ok=True)
            limit = disk_limits.of_os_error(error)
            if limit is not None:
                raise CheckpointError(
                    f"{limit.value}: cannot write the restore journal, so nothing was restored "
                    f"and every file is as it was; {limit.advice}"
                ) from error
            raise CheckpointError(
                f"cannot write the restore journal ({error.strerror}): nothing was restored"
            ) from error

    def read(self) -> RestorePlan | None:
        try:
            text = self.path.read_text(encoding="utf-8", errors="surrogateescape")
        except FileNotFoundError:
            return None
        try:
            data = json.loads(text)
            return RestorePlan(
                target=data["target"],
                before=data["before"],
                writes=[(path, TreeEntry(mode, sha)) for path, mode, sha in data["writes"]],
                deletes=list(data["deletes"]),
                token=str(data.get("token", "")),
            )
        except (ValueError, KeyError, TypeError) as error:
            raise CheckpointError(
                f"the restore journal {self.path} is damaged; move it away to continue"
            ) from error

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)
        _fsync_folder(self.path.parent)


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
