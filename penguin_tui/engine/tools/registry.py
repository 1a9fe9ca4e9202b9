"""The tools the model may call, their OpenAI schemas, and the one entry point to run a call."""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from penguin_tui.engine.tools.base import Tool, ToolContext, ToolPreview, ToolResult
from penguin_tui.engine.tools.edit_file import EditFileTool
from penguin_tui.engine.tools.list_files import ListFilesTool
from penguin_tui.engine.tools.read_file import ReadFileTool
from penguin_tui.engine.tools.run_shell import RunShellTool
from penguin_tui.engine.tools.search import SearchTool
from penguin_tui.engine.tools.task_tools import TaskCreateTool, TaskListTool, TaskUpdateTool
from penguin_tui.engine.tools.write_file import WriteFileTool

_TOOLS: tuple[Tool[Any], ...] = (
    ReadFileTool(),
    ListFilesTool(),
    SearchTool(),
    WriteFileTool(),
    EditFileTool(),
    RunShellTool(),
    TaskListTool(),
    TaskCreateTool(),
    TaskUpdateTool(),
)

ALL_TOOLS: Mapping[str, Tool[Any]] = MappingProxyType({tool.name: tool for tool in _TOOLS})


def tool_schemas() -> list[dict[str, Any]]:
    """Every tool in OpenAI's ``{"type": "function", "function": {...}}`` format."""
    return [tool.json_schema() for tool in ALL_TOOLS.values()]


async def run_tool(
    name: str,
    raw_arguments: str | Mapping[str, Any],
    ctx: ToolContext,
    approved: ToolPreview | None = None,
) -> ToolResult:
    """Run one tool call as the model sent it; every problem comes back as an error result.

    ``raw_arguments`` is the model's JSON text (an empty string means no arguments) or an
    already-decoded mapping; ``approved`` is the preview the user said yes to, if asked.
    Cancellation (``CancelledError``) is the only thing raised.
    """
    tool = ALL_TOOLS.get(name)
    if tool is None:
        return _unknown(name)
    arguments = parse_arguments(raw_arguments)
    if isinstance(arguments, ToolResult):
        return arguments
    return await tool.run(arguments, ctx, approved)


async def preview_call(
    name: str, raw_arguments: str | Mapping[str, Any], ctx: ToolContext
) -> ToolPreview:
    """What a call as the model sent it will do, made by the tool's own code (the approval
    question shows it); a call that will fail says why."""
    tool = ALL_TOOLS.get(name)
    if tool is None:
        return _will_fail(_unknown(name))
    arguments = parse_arguments(raw_arguments)
    if isinstance(arguments, ToolResult):
        return _will_fail(arguments)
    return await tool.describe(arguments, ctx)


def _will_fail(failure: ToolResult) -> ToolPreview:
    return ToolPreview.failing(failure.output.removeprefix("Error: "))


def _unknown(name: str) -> ToolResult:
    known = ", ".join(ALL_TOOLS)
    return ToolResult.failure(
        f"unknown tool {name!r}; the available tools are: {known}",
        f"error: unknown tool {name!r}",
    )


def parse_arguments(raw: str | Mapping[str, Any]) -> Mapping[str, Any] | ToolResult:
    """The arguments as a mapping, or an error result quoting what was wrong with the JSON."""
    if not isinstance(raw, str):
        return raw
    if not raw.strip():
        return {}
    try:
        decoded = json.loads(raw)
    except json.JSONDecodeError as exc:
        excerpt = raw if len(raw) <= 200 else raw[:200] + "…"
        return ToolResult.failure(
            f"the arguments are not valid JSON ({exc}): {excerpt}",
            "error: arguments are not valid JSON",
        )
    if not isinstance(decoded, dict):
        return ToolResult.failure(
            f"the arguments must be a JSON object, got {type(decoded).__name__}: {raw[:200]}",
            "error: arguments are not a JSON object",
        )
    return decoded
