"""An automatic checkpoint that failed, remembered until a checkpoint lands.

When the checkpoint at the end of a turn cannot be taken (a full disk, a file size limit),
the turn's files are in no checkpoint and the turn cannot be reverted to. The failure is kept
in a small file beside the shadow repository, so that every view can say so and the next
turn — in this process or in the next ``penguin-tui run`` — takes the checkpoint first, under
the failed one's label. Any checkpoint that lands holds the whole tree and clears it.
"""

from __future__ import annotations

import contextlib
import json
import os
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
    """The failure on disk, written with a temporary file and a rename. Writing is best
    effort: on a full disk the failure is still known to this process and still reported."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> FailedCheckpoint | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8", errors="surrogateescape"))
            trigger: Trigger = "before_turn" if data["trigger"] == "before_turn" else "turn"
            return FailedCheckpoint(
                str(data["session_id"]), trigger, str(data["label"]), str(data["reason"])
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None  # none, or unreadable: the next checkpoint clears it anyway

    def write(self, failed: FailedCheckpoint) -> None:
        temp = self.path.with_suffix(".tmp")
        try:
            temp.write_text(
                json.dumps(asdict(failed), ensure_ascii=False),
                encoding="utf-8",
                errors="surrogateescape",
            )
            os.replace(temp, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)

    def clear(self) -> None:
        with contextlib.suppress(OSError):
            self.path.unlink(missing_ok=True)
