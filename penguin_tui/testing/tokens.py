"""Deterministic token accounting for the scripted model: splitting, counting, usage."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from penguin_tui.testing.script import Turn

TOKEN_RE = re.compile(r"\S+\s*|\s+")
ARGUMENT_FRAGMENT_CHARS = 8


def split_tokens(text: str) -> list[str]:
    """Split text into tokens: a word plus its trailing whitespace, or a run of whitespace."""
    return TOKEN_RE.findall(text)


def split_arguments(arguments: str) -> list[str]:
    """Split tool-call arguments into fragments of 8 characters (each counts as one token)."""
    step = ARGUMENT_FRAGMENT_CHARS
    return [arguments[i : i + step] for i in range(0, len(arguments), step)]


def content_text(content: Any) -> str:
    """The text of a message ``content``: a string, ``None`` or a list of content parts."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts: list[str] = []
        for part in content:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict) and isinstance(part.get("text"), str):
                parts.append(part["text"])
        return "".join(parts)
    return str(content)


def count_prompt_tokens(messages: Sequence[Any]) -> int:
    """Sum over messages of ``ceil(len(text) / 4) + 3``."""
    total = 0
    for message in messages:
        content = message.get("content") if isinstance(message, dict) else None
        total += math.ceil(len(content_text(content)) / 4) + 3
    return total


def last_user_text(messages: Sequence[Any]) -> str:
    """The text of the last message with role ``user`` ("" when there is none)."""
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            return content_text(message.get("content"))
    return ""


@dataclass(frozen=True, slots=True)
class Piece:
    """One streamed delta: ``tokens`` is how many tokens it carries (0 for a tool-call header)."""

    kind: str  # "reasoning" | "content" | "tool_start" | "tool_args"
    text: str
    tokens: int
    tool_index: int = 0
    tool_id: str = ""


@dataclass(frozen=True, slots=True)
class Usage:
    """The usage numbers reported for one served turn."""

    prompt_tokens: int
    completion_tokens: int
    reasoning_tokens: int
    cost: float | None = None
    # Of the prompt: tokens read from the provider's cache, and tokens written to it.
    cached_tokens: int = 0
    cache_write_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        """prompt + completion."""
        return self.prompt_tokens + self.completion_tokens

    def as_dict(self) -> dict[str, Any]:
        """The OpenAI ``usage`` object."""
        usage: dict[str, Any] = {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
            "completion_tokens_details": {"reasoning_tokens": self.reasoning_tokens},
        }
        if self.cost is not None:
            usage["cost"] = self.cost
        if self.cached_tokens:
            usage["prompt_tokens_details"] = {"cached_tokens": self.cached_tokens}
        if self.cache_write_tokens:
            usage["cache_creation_input_tokens"] = self.cache_write_tokens
        return usage


def tool_call_id(turn_number: int, index: int) -> str:
    """A deterministic tool-call id for a turn's ``index``-th call."""
    return f"call_scripted_{turn_number}_{index}"


def plan_pieces(turn: Turn, turn_number: int, chunk_tokens: int) -> list[Piece]:
    """The deltas a turn streams, in order: reasoning, then text, then tool calls."""
    group = turn.chunk_tokens or chunk_tokens
    pieces: list[Piece] = []
    for kind, text in (("reasoning", turn.reasoning), ("content", turn.full_text)):
        tokens = split_tokens(text)
        for i in range(0, len(tokens), group):
            chunk = tokens[i : i + group]
            pieces.append(Piece(kind, "".join(chunk), len(chunk)))
    for index, call in enumerate(turn.tool_calls):
        call_id = call.id or tool_call_id(turn_number, index)
        pieces.append(Piece("tool_start", call.name, 0, index, call_id))
        fragments = split_arguments(call.arguments)
        for i in range(0, len(fragments), group):
            chunk = fragments[i : i + group]
            pieces.append(Piece("tool_args", "".join(chunk), len(chunk), index, call_id))
    return pieces


def cap_pieces(pieces: Sequence[Piece], max_tokens: int | None) -> tuple[list[Piece], bool]:
    """The pieces a request's ``max_tokens`` lets through (as a provider cuts a reply at its
    limit), and whether any were cut."""
    if max_tokens is None:
        return list(pieces), False
    kept: list[Piece] = []
    sent = 0
    for piece in pieces:
        if sent + piece.tokens > max_tokens:
            return kept, True
        kept.append(piece)
        sent += piece.tokens
    return kept, False


def compute_usage(
    turn: Turn, pieces: Sequence[Piece], messages: Sequence[Any], max_tokens: int | None = None
) -> Usage:
    """Usage for a served turn, with the turn's ``usage`` overrides applied; its completion
    is never more than the request's ``max_tokens``."""
    completion = sum(piece.tokens for piece in pieces)
    reasoning = sum(piece.tokens for piece in pieces if piece.kind == "reasoning")
    prompt = count_prompt_tokens(messages)
    cost = None
    if turn.usage is not None:
        cost = turn.usage.cost
        if turn.usage.prompt_tokens is not None:
            prompt = turn.usage.prompt_tokens
        if turn.usage.completion_tokens is not None:
            completion = turn.usage.completion_tokens
        if turn.usage.reasoning_tokens is not None:
            reasoning = turn.usage.reasoning_tokens
    if max_tokens is not None:
        completion = min(completion, max_tokens)
        reasoning = min(reasoning, completion)
    cached = turn.usage.cached_tokens if turn.usage is not None else None
    written = turn.usage.cache_write_tokens if turn.usage is not None else None
    return Usage(prompt, completion, reasoning, cost, cached or 0, written or 0)
