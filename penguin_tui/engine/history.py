"""The conversation as the model receives it: stored messages → OpenAI chat messages.

Every tool call in the result is answered (a crash or cancel may have left one open), so the
next request is always one a provider accepts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from penguin_tui.bus.events import ToolCallStatus
from penguin_tui.engine.prompts import SYSTEM_PROMPT
from penguin_tui.store import AuditEntry, Message, MessageStatus, Role, ToolCallRequest

CHARS_PER_TOKEN = 4
# A call still open in the stored history: penguin-tui stopped (a crash, a kill) while it ran.
UNANSWERED = "no result: penguin-tui stopped before this call finished"


def estimate_tokens(text: str) -> int:
    """A cheap, tokenizer-free estimate, used only for size checks and cancelled calls."""
    return max(1, (len(text) + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN)


def belongs_in_context(message: Message) -> bool:
    """Failed replies with nothing in them are left out of what the model sees."""
    return not (
        message.status is MessageStatus.ERROR and not message.content and not message.tool_calls
    )


def assistant_message(text: str, calls: tuple[ToolCallRequest, ...]) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": text or None}
    if calls:
        message["tool_calls"] = [
            {
                "id": call.call_id,
                "type": "function",
                "function": {"name": call.tool, "arguments": call.arguments},
            }
            for call in calls
        ]
    elif not text:
        message["content"] = ""
    return message


def tool_message(call_id: str, output: str) -> dict[str, Any]:
    return {"role": "tool", "tool_call_id": call_id, "content": output}


SUMMARY_HEADER = "Summary of the conversation so far (older messages were compacted):\n\n"


def since_last_summary(messages: list[Message]) -> list[Message]:
    """The messages the model still sees: a compaction summary and what came after it."""
    for index in range(len(messages) - 1, -1, -1):
        if messages[index].role is Role.SYSTEM and messages[index].status is MessageStatus.COMPLETE:
            return messages[index:]
    return messages


def to_openai(messages: list[Message]) -> list[dict[str, Any]]:
    """The system prompt, then the branch's messages since the last compaction, with every
    tool call answered."""
    converted: list[dict[str, Any]] = [{"role": "system", "content": SYSTEM_PROMPT}]
    open_calls: list[str] = []
    messages = since_last_summary(messages)

    def close_open_calls() -> None:
        converted.extend(tool_message(call_id, UNANSWERED) for call_id in open_calls)
        open_calls.clear()

    for message in messages:
        if not belongs_in_context(message):
            continue
        if message.role is Role.TOOL:
            if message.tool_call_id in open_calls:
                open_calls.remove(message.tool_call_id)
                converted.append(tool_message(message.tool_call_id, message.content))
            continue
        close_open_calls()
        if message.role is Role.SYSTEM:
            converted.append({"role": "system", "content": SUMMARY_HEADER + message.content})
        elif message.role is Role.ASSISTANT:
            converted.append(assistant_message(message.content, message.tool_calls))
            open_calls.extend(call.call_id for call in message.tool_calls)
        else:
            converted.append({"role": message.role.value, "content": message.content})
    close_open_calls()
    return converted


def call_statuses(
    messages: Iterable[Message], audit: Iterable[AuditEntry]
) -> dict[str, ToolCallStatus]:
    """How the call each tool answer in ``messages`` answers ended, by the answer's message
    id, as the audit log recorded it (never read back from the text the model was given).

    A call is looked up with the reply that asked for it, so a call id that comes back in
    another reply reads its own row. An answer is never stored before its audit row; one
    without a row says only whether it was cut short (cancelled) or not (ok).
    """
    recorded = {(entry.message_id, entry.call_id): entry.status for entry in audit}
    asked_in: dict[str, str] = {}
    statuses: dict[str, ToolCallStatus] = {}
    for message in messages:
        for call in message.tool_calls:
            asked_in[call.call_id] = message.id
        if message.role is not Role.TOOL or message.tool_call_id is None:
            continue
        status = recorded.get((asked_in.get(message.tool_call_id), message.tool_call_id))
        if status is not None:
            statuses[message.id] = ToolCallStatus(status)
        elif message.status is MessageStatus.COMPLETE:
            statuses[message.id] = ToolCallStatus.OK
        else:
            statuses[message.id] = ToolCallStatus.CANCELLED
    return statuses
