"""The shape every agent tool shares: arguments, context, limits, results and errors.

A tool never raises to the engine for a problem the model can fix: bad arguments, a
``ToolError`` or an ``OSError`` become a ``ToolResult`` with ``status="error"`` whose
``output`` tells the model what went wrong and what to do instead. ``ToolResult.printable``
makes every text of a result printable (a file name that is not UTF-8 shows its bad bytes as
``\\xNN``); the tool runner applies it to every call's result, whatever produced it.

A tool also says what a call will do before it runs (``Tool.preview``: the approval question
shows it). The file tools work out the change once, with the code that then writes it, so
the diff a user approves is the change made; ``Tool.run`` with ``approved=`` does nothing when
the call would no longer do what was shown.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from penguin_tui.config.secrets import SecretFreeEnvironment
from penguin_tui.engine.tools.environment import agent_environment
from penguin_tui.errors import ToolError
from penguin_tui.printable import printable

if TYPE_CHECKING:
    from penguin_tui.tasks.service import TaskService

__all__ = [
    "Tool",
    "ToolArguments",
    "ToolContext",
    "ToolError",
    "ToolLimits",
    "ToolPreview",
    "ToolResult",
    "clean_schema",
    "describe_os_error",
    "describe_validation_error",
    "expected_arguments",
    "one_line",
]

log = logging.getLogger("penguin_tui.engine.tools")

ToolStatus = Literal["ok", "error", "cancelled", "timeout"]

KIB = 1024
_SUMMARY_MAX = 160


@dataclass(frozen=True)
class ToolResult:
    """What one tool call produced: text for the model, one line for the UI and audit log."""

    status: ToolStatus
    output: str
    summary: str
    exit_code: int | None = None
    diff: str | None = None
    duration_ms: float = 0.0

    @classmethod
    def success(cls, output: str, summary: str, *, diff: str | None = None) -> ToolResult:
        return cls("ok", output, one_line(summary), diff=diff)

    @classmethod
    def failure(cls, message: str, summary: str | None = None) -> ToolResult:
        """An error result: the model reads ``Error: <message>``."""
        return cls("error", f"Error: {message}", one_line(summary or f"error: {message}"))

    def printable(self) -> ToolResult:
        """This result with every text made printable (see ``workspace.names``), so that
        nothing derived from a file name can fail to serialise."""
        return replace(
            self,
            output=printable(self.output),
            summary=printable(self.summary),
            diff=None if self.diff is None else printable(self.diff),
        )

    @classmethod
    def cancelled(cls) -> ToolResult:
        """The answer recorded for a call the user cancelled, so the history stays valid."""
        return cls("cancelled", "Cancelled by the user.", "cancelled by the user")


@dataclass(frozen=True)
class ToolPreview:
    """What a call will do, shown in the approval question before it runs: the unified diff
    of the change a file tool will make (``is_diff``), or text such as a command and where."""

    text: str
    is_diff: bool = False

    @classmethod
    def failing(cls, reason: str) -> ToolPreview:
        """The preview of a call that will fail: the error the model will get."""
        return cls(f"This call will fail: {reason}")


def one_line(text: str) -> str:
    """The first line of ``text``, shortened to fit a status line."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first if len(first) <= _SUMMARY_MAX else first[: _SUMMARY_MAX - 1] + "…"


class ToolLimits(BaseModel):
    """Caps that keep one tool result small enough for the model's context window."""

    model_config = ConfigDict(frozen=True)

    read_max_bytes: int = Field(default=256 * KIB, gt=0)
    read_max_lines: int = Field(default=2000, gt=0)
    search_max_matches: int = Field(default=200, gt=0)
    search_max_file_bytes: int = Field(default=10 * KIB * KIB, gt=0)
    list_max_entries: int = Field(default=500, gt=0)
    output_max_chars: int = Field(default=30_000, gt=100)
    shell_timeout_s: float = Field(default=120.0, gt=0)
    shell_max_timeout_s: float = Field(default=600.0, gt=0)


@dataclass(frozen=True)
class ToolContext:
    """Where and how tools run: the project root, the environment without secrets that every
    program a tool starts derives its own from, the limits, and the project's task plan (None
    where there is none: the task tools then say so)."""

    project_root: Path
    environment: SecretFreeEnvironment
    limits: ToolLimits = field(default_factory=ToolLimits)
    tasks: TaskService | None = None
    # The task run mode is carrying out: the agent's "done" for it is a claim (the task goes
    # to review) that run mode settles by running the task's check and merging its branch.
    running_task: str | None = None

    @property
    def env(self) -> dict[str, str]:
        """The agent shell's environment."""
        return agent_environment(self.environment)

    @classmethod
    def for_project(
        cls,
        project_root: Path,
        *,
        environ: Mapping[str, str] | None = None,
        extra_secret_names: tuple[str, ...] = (),
        limits: ToolLimits | None = None,
    ) -> ToolContext:
        """A context for ``project_root`` with ``environ`` (default: os.environ) scrubbed."""
        environment = SecretFreeEnvironment.of(environ, extra_secret_names)
        return cls(project_root.resolve(), environment, limits or ToolLimits())


class ToolArguments(BaseModel):
    """Base of every tool's argument model: unknown arguments are refused, not ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


ArgsT = TypeVar("ArgsT", bound=ToolArguments)


class Tool(ABC, Generic[ArgsT]):
    """One function the model can call; subclasses set the class attributes and ``execute``."""

    name: ClassVar[str]
    description: ClassVar[str]
    parameters: type[ArgsT]

    def parameters_schema(self) -> dict[str, Any]:
        """The JSON schema of the arguments, trimmed of pydantic's titles."""
        return clean_schema(self.parameters.model_json_schema())

    def json_schema(self) -> dict[str, Any]:
        """The OpenAI function-calling entry for this tool."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters_schema(),
            },
        }

    async def run(
        self,
        args: Mapping[str, Any] | ArgsT,
        ctx: ToolContext,
        approved: ToolPreview | None = None,
    ) -> ToolResult:
        """Validate ``args``, run the tool and time it; problems become error results.

        With ``approved`` (the preview the user said yes to), a call that would now do
        something else (a file it changes was edited meanwhile) does nothing and says so.
        """
        started = time.perf_counter()
        result = await self._run_checked(args, ctx, approved)
        return replace(result, duration_ms=(time.perf_counter() - started) * 1000)

    async def _run_checked(
        self, args: Mapping[str, Any] | ArgsT, ctx: ToolContext, approved: ToolPreview | None
    ) -> ToolResult:
        try:
            parsed = self._parse(args)
        except ValidationError as exc:
            return ToolResult.failure(
                describe_validation_error(self, exc), f"error: bad arguments for {self.name}"
            )
        try:
            if approved is not None and await self._preview_of(parsed, ctx) != approved:
                return ToolResult.failure(
                    "what this call would do changed after the user approved it (the file "
                    "was edited meanwhile), so nothing was done: read the file again and retry",
                    "error: changed after it was approved; not run",
                )
            return await self.execute(parsed, ctx)
        except ToolError as exc:
            return ToolResult.failure(exc.message)
        except OSError as exc:
            return ToolResult.failure(describe_os_error(exc, ctx.project_root))
        except Exception as exc:  # a bug in a tool must not end the agent's turn
            log.exception("tool %s failed", self.name)
            return ToolResult.failure(f"internal error in {self.name}: {type(exc).__name__}: {exc}")

    def _parse(self, args: Mapping[str, Any] | ArgsT) -> ArgsT:
        return args if isinstance(args, self.parameters) else self.parameters.model_validate(args)

    async def describe(self, args: Mapping[str, Any], ctx: ToolContext) -> ToolPreview:
        """The preview of a call as the model sent it; a call that will fail says why."""
        try:
            return await self._preview_of(self._parse(args), ctx)
        except ValidationError as exc:
            return ToolPreview.failing(describe_validation_error(self, exc))

    async def _preview_of(self, args: ArgsT, ctx: ToolContext) -> ToolPreview:
        try:
            return await asyncio.to_thread(self.preview, args, ctx)
        except ToolError as exc:
            return ToolPreview.failing(exc.message)
        except OSError as exc:
            return ToolPreview.failing(describe_os_error(exc, ctx.project_root))

    def preview(self, args: ArgsT, ctx: ToolContext) -> ToolPreview:
        """What the call will do, for the approval question (by default its arguments);
        raise ToolError for a call that will fail. Runs in a worker thread."""
        shown = args.model_dump(mode="json", exclude_unset=True)
        return ToolPreview(json.dumps(shown, indent=2, ensure_ascii=False))

    @abstractmethod
    async def execute(self, args: ArgsT, ctx: ToolContext) -> ToolResult:
        """Do the work with validated arguments; raise ToolError for a problem to report."""


def clean_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Drop titles and collapse ``anyOf [X, null]`` (optional arguments) to ``X``."""
    cleaned = _clean_node(schema)
    assert isinstance(cleaned, dict)
    cleaned.pop("description", None)  # the model docstring; the tool's description says it
    cleaned.setdefault("additionalProperties", False)
    return cleaned


def _clean_node(node: Any) -> Any:
    if isinstance(node, list):
        return [_clean_node(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "title" and isinstance(value, str):
            continue
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: _clean_node(prop) for name, prop in value.items()}
        else:
            out[key] = _clean_node(value)
    options = out.get("anyOf")
    if isinstance(options, list):
        non_null = [o for o in options if not (isinstance(o, dict) and o.get("type") == "null")]
        if len(non_null) == 1 and len(options) == 2 and isinstance(non_null[0], dict):
            del out["anyOf"]
            out.pop("default", None)
            out = {**non_null[0], **out}
    return out


def describe_validation_error(tool: Tool[Any], exc: ValidationError) -> str:
    """Name every wrong field and what it should be, then list the expected arguments."""
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "arguments"
        kind = error["type"]
        if kind == "missing":
            problems.append(f"{where}: missing (it is required)")
        elif kind == "extra_forbidden":
            problems.append(f"{where}: unknown argument")
        else:
            shown = repr(error.get("input"))
            if len(shown) > 60:
                shown = shown[:57] + "..."
            problems.append(f"{where}: {error['msg']} (got {shown})")
    return (
        f"invalid arguments for {tool.name}: "
        + "; ".join(problems)
        + f". Expected arguments: {expected_arguments(tool)}."
    )


def expected_arguments(tool: Tool[Any]) -> str:
    """``path (string, required), start_line (integer, optional)`` for a tool's schema."""
    schema = tool.parameters_schema()
    required = set(schema.get("required", []))
    parts = []
    for name, prop in schema.get("properties", {}).items():
        kind = prop.get("type") or "/".join(
            str(option.get("type", "any")) for option in prop.get("anyOf", [])
        )
        parts.append(f"{name} ({kind or 'any'}, {'required' if name in required else 'optional'})")
    return ", ".join(parts) or "none"


def describe_os_error(exc: OSError, project_root: Path) -> str:
    """One line such as ``src/app.py: Permission denied``, paths shown relative to the project."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    if exc.filename is None:
        return reason
    return f"{_display_path(str(exc.filename), project_root)}: {reason}"


def _display_path(path: str, project_root: Path) -> str:
    try:
        relative = Path(path).relative_to(project_root)
    except ValueError:
        return path
    return relative.as_posix() or "."
