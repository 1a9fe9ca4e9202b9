"""run_shell: a bash command in the project root, with a timeout and a bounded output."""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import signal
import time

from pydantic import Field

from penguin_tui.engine.tools.base import (
    Tool,
    ToolArguments,
    ToolContext,
    ToolError,
    ToolPreview,
    ToolResult,
    one_line,
)
from penguin_tui.engine.tools.output import HeadTailBuffer
from penguin_tui.engine.tools.process_group import signal_group, stop_group
from penguin_tui.words import plural

_READ_CHUNK = 64 * 1024
_DRAIN_S = 0.5


class RunShellArgs(ToolArguments):
    """Arguments of run_shell."""

    command: str = Field(description="The command line, run with `bash -c` in the project root.")
    timeout_s: float | None = Field(
        default=None, gt=0, description="Seconds before the command is stopped. Default: 120."
    )


class RunShellTool(Tool[RunShellArgs]):
    """Runs ``bash -c`` in its own process group; timeout and cancel stop the whole group."""

    name = "run_shell"
    parameters = RunShellArgs
    description = (
        "Run a shell command with `bash -c` in the project root and return its output "
        "(stdout and stderr interleaved) and exit code. There is no terminal and no input "
        "(stdin is empty), so use non-interactive flags. Default timeout 120 s, at most 600 s "
        "(timeout_s); on timeout the command and every process it started are stopped. Long "
        "output keeps its beginning and end with the middle omitted: filter it (grep, head, "
        "tail) when you need a specific part. Background processes are stopped when the "
        "command finishes. API keys and tokens are not in the environment."
    )

    def preview(self, args: RunShellArgs, ctx: ToolContext) -> ToolPreview:
        """The command line and where it runs."""
        return ToolPreview(f"$ {args.command}\n(in {ctx.project_root})")

    async def execute(self, args: RunShellArgs, ctx: ToolContext) -> ToolResult:
        if "\0" in args.command:
            raise ToolError(
                "the command contains a NUL byte, which no shell command can hold; "
                "write the command without it"
            )
        limits = ctx.limits
        requested = args.timeout_s if args.timeout_s is not None else limits.shell_timeout_s
        timeout = min(requested, limits.shell_max_timeout_s)
        started = time.monotonic()
        process = await asyncio.create_subprocess_exec(
            "bash",
            "-c",
            args.command,
            cwd=ctx.project_root,
            env=dict(ctx.env),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
        output = HeadTailBuffer(limits.output_max_chars)
        reader = asyncio.create_task(_pump(process, output))
        try:
            try:
                await asyncio.wait_for(process.wait(), timeout)
                timed_out = False
            except TimeoutError:
                timed_out = True
            await stop_group(process)  # leftovers: background jobs, or everything on timeout
            await _drain(reader)
        except asyncio.CancelledError:
            signal_group(process.pid, signal.SIGTERM)
            reader.cancel()
            # Shielded: a second cancel must not leave the group half stopped.
            await asyncio.shield(stop_group(process))
            raise
        elapsed = time.monotonic() - started
        text = output.text().removesuffix("\n") or "(no output)"
        lines = plural(output.line_count, "line")
        if timed_out:
            note = (
                f"Timed out after {timeout:g} s: the command and every process it started "
                "were stopped."
            )
            if requested > timeout:
                note += f" (timeout_s is at most {limits.shell_max_timeout_s:g}.)"
            return ToolResult(
                status="timeout",
                output=f"{text}\n\n[{note}]",
                summary=f"timed out after {timeout:g} s · {lines}",
            )
        code = process.returncode
        summary = f"exit {code} · {lines} · {elapsed:.1f} s"
        return ToolResult(
            status="ok",
            output=f"{text}\n\n[exit code {code}]",
            summary=one_line(summary),
            exit_code=code,
        )


async def _pump(process: asyncio.subprocess.Process, output: HeadTailBuffer) -> None:
    """Decode the combined stdout/stderr stream into ``output`` until it closes."""
    assert process.stdout is not None
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    while chunk := await process.stdout.read(_READ_CHUNK):
        output.feed(decoder.decode(chunk))
    output.feed(decoder.decode(b"", final=True))


async def _drain(reader: asyncio.Task[None]) -> None:
    """Let the reader finish what is left in the pipe; give up after a moment."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(reader, _DRAIN_S)
