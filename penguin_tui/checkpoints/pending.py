"""Automatic checkpoints that failed, remembered per session until that session takes one.

When the checkpoint at the end of a turn cannot be taken (a full disk, a file size limit),
the turn's files are in no checkpoint and the turn cannot be reverted to. The failure is kept
in a small file beside the shadow repository, so that every view can say so and the next
turn of that session — in this process or in the next ``penguin-tui run`` — takes the
checkpoint first, under the failed one's label. A checkpoint that lands in the session holds
the whole tree and clears its failure; one in another session does not (the failed turn is
in this session's conversation, not in that one's).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

Trigger = Literal["turn", "before_turn"]

RETRY = "will retry at the next turn"


@dataclass(frozen=True)
class FailedCheckpoint:
    """An automatic checkpoint that was not taken, and why; ``label`` is the one it would
    have had (the turn's prompt, or what the checkpoint before a turn is for)."""

    session_id: str
    trigger: Trigger
    label: str
    reason: str

    @property
    def notice(self) -> str:
        """The line the user reads: what failed, what it means, what happens next."""
        what = (
            f"the files of “{self.label}” are in no checkpoint yet"
            if self.trigger == "turn"
            else "the files changed before this turn are in no checkpoint yet"
        )
        return f"checkpoint failed: {self.reason}; {what}; {RETRY}"

    @property
    def short(self) -> str:
        """For a title: the failure and the retry, without the label."""
        return f"checkpoint failed: {self.reason}; {RETRY}"


class FailedCheckpointFile:
    """The failures on disk, one per session, written with a temporary file and a rename; no
    file when none is pending. Writing is best effort: on a full disk the failure is still
    known to this process and still reported."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> dict[str, FailedCheckpoint]:
        """The pending failures by session; none when the file is missing or unreadable (the
        next checkpoint of each session would clear its own anyway)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8", errors="surrogateescape"))
        except (OSError, ValueError):
            return {}
        records = data if isinstance(data, list) else [data]
        failures = (_from_record(record) for record in records)
        return {failed.session_id: failed for failed in failures if failed is not None}

    def write(self, failures: Mapping[str, FailedCheckpoint]) -> None:
        if not failures:
            with contextlib.suppress(OSError):
                self.path.unlink(missing_ok=True)
            return
        temp = self.path.with_suffix(".tmp")
        try:
            temp.write_text(
                json.dumps([asdict(failed) for failed in failures.values()], ensure_ascii=False),
                encoding="utf-8",
                errors="surrogateescape",
            )
            os.replace(temp, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)


def _from_record(record: object) -> FailedCheckpoint | None:
    if not isinstance(record, dict):
        return None
    try:
        trigger: Trigger = "before_turn" if record["trigger"] == "before_turn" else "turn"
        return FailedCheckpoint(
            str(record["session_id"]), trigger, str(record["label"]), str(record["reason"])
        )
    except KeyError:
        return None


class PendingFailures:
    """The failed automatic checkpoints of a project's sessions, in memory and on disk."""

    def __init__(self, path: Path) -> None:
        self._file = FailedCheckpointFile(path)
        self._by_session: dict[str, FailedCheckpoint] = {}

    def load(self) -> None:
        """Read what an earlier run left pending."""
        self._by_session = self._file.read()

    def get(self, session_id: str) -> FailedCheckpoint | None:
        return self._by_session.get(session_id)

    def record(self, failed: FailedCheckpoint) -> None:
        """Remember ``failed`` for its session (replacing that session's earlier one only)."""
        self._by_session[failed.session_id] = failed
        self._file.write(self._by_session)

    def clear(self, session_id: str) -> None:
        """Forget the session's failure: a checkpoint of the session holds its files now."""
        if self._by_session.pop(session_id, None) is not None:
            self._file.write(self._by_session)
