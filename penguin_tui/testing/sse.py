"""OpenAI chat-completion shapes for the scripted model: stream chunks, SSE framing, errors."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from penguin_tui.testing.tokens import Piece, Usage

DONE = b"data: [DONE]\n\n"
MALFORMED = b"data: {not valid json\n\n"


def sse_event(payload: dict[str, Any]) -> bytes:
    """One server-sent event carrying ``payload`` as compact JSON."""
    return b"data: " + json.dumps(payload, separators=(",", ":")).encode() + b"\n\n"


def piece_delta(piece: Piece) -> dict[str, Any]:
    """The ``delta`` object for one planned piece."""
    if piece.kind == "reasoning":
        return {"reasoning_content": piece.text}
    if piece.kind == "content":
        return {"content": piece.text}
    if piece.kind == "tool_start":
        function = {"name": piece.text, "arguments": ""}
        call = {"index": piece.tool_index, "id": piece.tool_id, "type": "function"}
        return {"tool_calls": [{**call, "function": function}]}
    return {"tool_calls": [{"index": piece.tool_index, "function": {"arguments": piece.text}}]}


class ChunkFactory:
    """Builds the ``chat.completion.chunk`` objects of one streamed response."""

    def __init__(self, completion_id: str, model: str, created: int) -> None:
        self.completion_id = completion_id
        self.model = model
        self.created = created

    def chunk(self, delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        """A chunk with a single choice."""
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        return {**self._head(), "choices": [choice]}

    def usage_chunk(self, usage: Usage) -> dict[str, Any]:
        """The final chunk: no choices, only usage."""
        return {**self._head(), "choices": [], "usage": usage.as_dict()}

    def _head(self) -> dict[str, Any]:
        return {
            "id": self.completion_id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "system_fingerprint": "fp_scripted",
        }


def finish_reason(pieces: Sequence[Piece], cut: bool = False) -> str:
    """``length`` when ``max_tokens`` cut the reply, ``tool_calls`` when the turn calls
    tools, else ``stop``."""
    if cut:
        return "length"
    return "tool_calls" if any(p.kind == "tool_start" for p in pieces) else "stop"


def completion_body(
    completion_id: str, model: str, created: int, pieces: Sequence[Piece], usage: Usage
) -> dict[str, Any]:
    """The non-streaming ``chat.completion`` object for a fully served turn."""
    content = "".join(p.text for p in pieces if p.kind == "content")
    reasoning = "".join(p.text for p in pieces if p.kind == "reasoning")
    calls: list[dict[str, Any]] = []
    for piece in pieces:
        if piece.kind == "tool_start":
            function = {"name": piece.text, "arguments": ""}
            calls.append({"id": piece.tool_id, "type": "function", "function": function})
        elif piece.kind == "tool_args":
            calls[piece.tool_index]["function"]["arguments"] += piece.text
    message: dict[str, Any] = {"role": "assistant", "content": content or (None if calls else "")}
    if reasoning:
        message["reasoning_content"] = reasoning
    if calls:
        message["tool_calls"] = calls
    reason = finish_reason(pieces)
    choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": reason}
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "system_fingerprint": "fp_scripted",
        "choices": [choice],
        "usage": usage.as_dict(),
    }


def error_body(message: str, type_: str, code: str | None = None) -> dict[str, Any]:
    """An OpenAI-style error object."""
    return {"error": {"message": message, "type": type_, "param": None, "code": code}}
