"""What the ``checkpoints`` and ``branches`` commands print of an operation and of a message:
the JSON documents of docs/cli.md, and the text lines of what changed on disk."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from penguin_tui.printable import printable_json
from penguin_tui.store import Message

if TYPE_CHECKING:
    from penguin_tui.checkpoints.service import OperationResult


def dump(document: object) -> None:
    """Print a JSON document on one line; a name that is not UTF-8 is printed escaped."""
    print(printable_json(json.dumps(document, ensure_ascii=False)))


def message_json(message: Message) -> dict[str, object]:
    """A message in a comparison's side or a revert's preview (docs/cli.md)."""
    return {
        "id": message.id,
        "role": message.role.value,
        "text": message.content,
        "tool_calls": [call.tool for call in message.tool_calls],
        "status": message.status.value,
        "created_at": message.created_at,
    }


def result_json(result: OperationResult, **extra: object) -> dict[str, object]:
    """The result object of docs/cli.md, with a command's ``extra`` fields."""
    restored = result.restored
    return {
        "action": result.action,
        "branch": result.branch,
        "checkpoint": result.checkpoint.to_json(),
        "safety_id": result.safety.id if result.safety else None,
        **extra,
        "written": list(restored.written) if restored else [],
        "deleted": list(restored.deleted) if restored else [],
        "kept": list(restored.kept) if restored else [],
        "conflicts": list(result.conflicts),
    }


def print_result(headline: str, result: OperationResult) -> None:
    """The headline, then each file written, deleted or kept as it was."""
    print(headline)
    restored = result.restored
    if restored is None:
        return
    if not (restored.written or restored.deleted or restored.kept):
        print("  no file changed")
    for path in restored.written:
        print(f"  written  {path}")
    for path in restored.deleted:
        print(f"  deleted  {path}")
    for path in restored.kept:
        print(f"  kept     {path} (not snapshotted, so left as it is)")
