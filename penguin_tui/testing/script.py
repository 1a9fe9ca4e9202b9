"""The script a scripted model replays: typed turns loaded from a TOML data file."""

from __future__ import annotations

import json
import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

FaultKind = Literal["rate_limit", "server_error", "drop", "stall", "malformed"]
FAULT_KINDS: tuple[FaultKind, ...] = ("rate_limit", "server_error", "drop", "stall", "malformed")


class ScriptError(ValueError):
    """A script file is missing or invalid; ``str()`` is a one-line message naming the problem."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Fault(_Frozen):
    """A failure the server serves instead of (or in the middle of) a turn."""

    kind: FaultKind
    count: int = Field(default=1, ge=0)
    retry_after: float = Field(default=1, ge=0)
    status: int = Field(default=500, ge=400, le=599)
    after_tokens: int = Field(default=0, ge=0)
    stall_seconds: float = Field(default=3600, ge=0)

    @property
    def advances_turn(self) -> bool:
        """True for faults that happen after the response started (the turn counts as served)."""
        if self.kind == "stall":
            return self.after_tokens > 0
        return self.kind in ("drop", "malformed")


class ToolCallSpec(_Frozen):
    """One tool call the scripted assistant makes; ``arguments`` is the JSON text streamed."""

    name: str = Field(min_length=1)
    arguments: str = "{}"
    id: str | None = None

    @field_validator("arguments", mode="before")
    @classmethod
    def _table_to_json(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return json.dumps(value)
        return value


class UsageOverride(_Frozen):
    """Token counts that replace the computed ones in a turn's usage chunk, and a cost the
    provider reports itself (``usage.cost``, as some providers do)."""

    prompt_tokens: int | None = Field(default=None, ge=0)
    completion_tokens: int | None = Field(default=None, ge=0)
    reasoning_tokens: int | None = Field(default=None, ge=0)
    cost: float | None = Field(default=None, ge=0)
    # Part of the prompt read from the provider's cache (``prompt_tokens_details.cached_tokens``)
    # and written to it (``cache_creation_input_tokens``, as Anthropic reports it).
    cached_tokens: int | None = Field(default=None, ge=0)
    cache_write_tokens: int | None = Field(default=None, ge=0)


class Turn(_Frozen):
    """One scripted assistant reply: optional reasoning, text, tool calls and a fault."""

    text: str = ""
    reasoning: str = ""
    repeat_text: int = Field(default=1, ge=1)
    match: str | None = None
    step: int | None = Field(default=None, ge=0)
    tool_calls: tuple[ToolCallSpec, ...] = ()
    fault: Fault | None = None
    usage: UsageOverride | None = None
    usage_chunk: bool = True
    usage_delay_seconds: float = Field(default=0, ge=0)
    chunk_tokens: int | None = Field(default=None, ge=1)

    @field_validator("match")
    @classmethod
    def _regex_compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"invalid regular expression {value!r}: {exc}") from None
        return value

    @model_validator(mode="after")
    def _step_needs_match(self) -> Turn:
        if self.step is not None and self.match is None:
            raise ValueError("a step needs a match pattern")
        return self

    @property
    def full_text(self) -> str:
        """The reply text: ``text`` repeated ``repeat_text`` times."""
        return self.text * self.repeat_text

    def matches(self, user_text: str, step: int = 0) -> bool:
        """True when this turn has a ``match`` pattern found in ``user_text`` and, if it has a
        ``step``, ``step`` (assistant messages since that user message) is that number."""
        if self.step is not None and self.step != step:
            return False
        return self.match is not None and re.search(self.match, user_text) is not None


class Script(_Frozen):
    """A whole script: the model name the server answers to, pacing, and the turns."""

    model: str = Field(default="penguin-demo", min_length=1)
    rate: float = Field(default=200, ge=0)
    loop: bool = True
    strict_model: bool = False
    strict_tool_history: bool = True
    chunk_tokens: int = Field(default=1, ge=1)
    turns: tuple[Turn, ...] = Field(min_length=1)

    @classmethod
    def from_toml_text(cls, text: str, source: str = "<script>") -> Script:
        """Parse a script from TOML text; raises :class:`ScriptError` with a one-line message."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ScriptError(f"{source}: not valid TOML: {_one_line(str(exc))}") from None
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise ScriptError(f"{source}: {_describe(exc)}") from None


def load_script(path: str | Path) -> Script:
    """Read and validate a script file; raises :class:`ScriptError` with a one-line message."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ScriptError(f"cannot read script {path}: {_one_line(reason)}") from None
    return Script.from_toml_text(text, source=str(path))


def load_demo_script() -> Script:
    """The bundled demo script used by ``penguin-tui --demo``."""
    ref = resources.files("penguin_tui.testing").joinpath("scripts/demo.toml")
    return Script.from_toml_text(ref.read_text(encoding="utf-8"), source="demo.toml")


def _describe(exc: ValidationError) -> str:
    errors = exc.errors()
    first = errors[0]
    where = ".".join(str(part) for part in first["loc"]) or "script"
    more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    message = str(first["msg"]).replace("valid tuple", "valid array").removeprefix("Value error, ")
    return _one_line(f"{where}: {message}{more}")


def _one_line(text: str) -> str:
    return " ".join(text.split())
