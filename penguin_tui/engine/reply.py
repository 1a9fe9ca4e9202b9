"""One assistant reply as it streams: its text, reasoning, tool calls and timings."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from penguin_tui.engine.history import estimate_tokens
from penguin_tui.llm.client import ChatRequest, ToolCallDelta
from penguin_tui.llm.pricing import TokenUsage
from penguin_tui.llm.target import ModelTarget
from penguin_tui.store import ToolCallRequest


@dataclass
class _PartialCall:
    call_id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


class ToolCallAssembler:
    """Puts streamed tool-call fragments back together, by index."""

    def __init__(self) -> None:
        self._calls: dict[int, _PartialCall] = {}

    def add(self, delta: ToolCallDelta) -> None:
        call = self._calls.setdefault(delta.index, _PartialCall())
        if delta.call_id:
            call.call_id = delta.call_id
        if delta.name:
            call.name = delta.name
        call.arguments.append(delta.arguments)

    def __bool__(self) -> bool:
        return bool(self._calls)

    def complete(self) -> tuple[ToolCallRequest, ...]:
        """The calls, once the stream finished; each has a name and JSON-object arguments."""
        requests = []
        for index in sorted(self._calls):
            call = self._calls[index]
            arguments = "".join(call.arguments) or "{}"
            requests.append(ToolCallRequest(call.call_id or f"call_{index}", call.name, arguments))
        return tuple(requests)


def arguments_are_complete(arguments: str) -> bool:
    """A half-streamed call has arguments that do not parse; it must never run."""
    try:
        return isinstance(json.loads(arguments), dict)
    except ValueError:
        return False


# Chat formats wrap each message in a few tokens of their own (role, separators).
MESSAGE_OVERHEAD_TOKENS = 3


def estimate_request_tokens(request: ChatRequest) -> int:
    """The input tokens a request will cost, about 4 characters a token: every message sent
    (the system prompt and the tool calls included) and the tool schemas."""
    total = sum(MESSAGE_OVERHEAD_TOKENS + estimate_tokens(_sent_text(m)) for m in request.messages)
    tools = request.extra.get("tools")
    if tools:
        total += estimate_tokens(json.dumps(tools))
    return total


def _sent_text(message: dict[str, Any]) -> str:
    content = message.get("content")
    text = content if isinstance(content, str) else json.dumps(content) if content else ""
    calls = message.get("tool_calls")
    return text + json.dumps(calls) if calls else text


@dataclass
class ReplyProgress:
    """What has streamed so far of one reply, and when."""

    target: ModelTarget
    input_estimate: int
    text: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    tool_calls: ToolCallAssembler = field(default_factory=ToolCallAssembler)
    usage: TokenUsage | None = None
    finished: bool = False  # the model sent its finish reason: message.streamed went out
    pieces: int = 0
    started: float = field(default_factory=time.perf_counter)
    first_token: float | None = None
    last_save: float = field(default_factory=time.perf_counter)

    @property
    def has_output(self) -> bool:
        return bool(self.text or self.reasoning or self.tool_calls)

    @property
    def full_text(self) -> str:
        return "".join(self.text)

    @property
    def full_reasoning(self) -> str:
        return "".join(self.reasoning)
