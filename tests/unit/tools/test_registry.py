"""The registry: schemas for the model, and every bad call turned into a helpful error result."""

from __future__ import annotations

from pathlib import Path

from penguin_tui.engine.tools.base import ToolContext
from penguin_tui.engine.tools.registry import ALL_TOOLS, tool_schemas

from .helpers import call, write


def test_schemas_are_openai_functions() -> None:
    schemas = tool_schemas()
    names = [schema["function"]["name"] for schema in schemas]
    assert names == [
        "read_file",
        "list_files",
        "search",
        "write_file",
        "edit_file",
        "run_shell",
        "task_list",
        "task_create",
        "task_update",
    ]
    assert set(names) == set(ALL_TOOLS)
    for schema in schemas:
        assert schema["type"] == "function"
        function = schema["function"]
        assert len(function["description"]) > 80
        parameters = function["parameters"]
        assert parameters["type"] == "object"
        assert parameters["additionalProperties"] is False
        assert "title" not in parameters
        for prop in parameters["properties"].values():
            assert "description" in prop
            assert "type" in prop, prop
    edit = next(s for s in schemas if s["function"]["name"] == "edit_file")
    assert edit["function"]["parameters"]["required"] == ["path", "old", "new"]


async def test_json_string_arguments_are_decoded(root: Path, ctx: ToolContext) -> None:
    write(root, "a.txt", "hello\n")
    result = await call("read_file", '{"path": "a.txt"}', ctx)
    assert result.output == "     1\thello"


async def test_invalid_json_quotes_the_json_error(ctx: ToolContext) -> None:
    result = await call("read_file", '{"path": "a.txt",}', ctx)
    assert result.status == "error"
    assert result.output.startswith("Error: the arguments are not valid JSON (Expecting")
    assert '{"path": "a.txt",}' in result.output
    assert result.summary == "error: arguments are not valid JSON"


async def test_json_that_is_not_an_object_is_refused(ctx: ToolContext) -> None:
    result = await call("read_file", '["a.txt"]', ctx)
    assert result.output.startswith("Error: the arguments must be a JSON object, got list")


async def test_unknown_tool_lists_the_known_ones(ctx: ToolContext) -> None:
    result = await call("delete_everything", "{}", ctx)
    assert result.status == "error"
    assert result.output == (
        "Error: unknown tool 'delete_everything'; the available tools are: read_file, "
        "list_files, search, write_file, edit_file, run_shell, task_list, task_create, "
        "task_update"
    )


async def test_bad_arguments_name_the_field_and_what_is_expected(ctx: ToolContext) -> None:
    result = await call("read_file", {"start_line": "ten", "file": "a.txt"}, ctx)
    assert result.status == "error"
    assert result.output.startswith("Error: invalid arguments for read_file: ")
    assert "path: missing (it is required)" in result.output
    assert "start_line: Input should be a valid integer" in result.output
    assert "(got 'ten')" in result.output
    assert "file: unknown argument" in result.output
    assert "Expected arguments: path (string, required), start_line (integer, optional)" in (
        result.output
    )
    wrong_type = await call("run_shell", {"command": ["ls"]}, ctx)
    assert "command: Input should be a valid string" in wrong_type.output


async def test_empty_arguments_mean_defaults(root: Path, ctx: ToolContext) -> None:
    write(root, "a.txt")
    result = await call("list_files", "", ctx)
    assert result.status == "ok"
    assert result.output.endswith("a.txt")
