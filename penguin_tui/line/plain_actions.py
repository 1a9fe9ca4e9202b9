"""What the slash commands of ``penguin-tui --plain`` do to the open runtime, as lines of text:
the model, the session's usage, its checkpoints, a revert and its undo, the task plan."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from penguin_tui.errors import PenguinError
from penguin_tui.formatting import (
    COMMAND_LINE,
    age,
    checkpoint_label,
    line_counts,
    money,
    plain_lines,
    revert_preview_lines,
    tokens,
)
from penguin_tui.line.plain_commands import (
    HELP,
    Command,
    Help,
    ListCheckpoints,
    Quit,
    Revert,
    ShowModel,
    ShowTasks,
    ShowUsage,
    SwitchModel,
    Undo,
)
from penguin_tui.words import plural

if TYPE_CHECKING:
    from penguin_tui.checkpoints.model import Checkpoint
    from penguin_tui.checkpoints.results import OperationResult
    from penguin_tui.checkpoints.service import CheckpointService
    from penguin_tui.runtime import Runtime

Say = Callable[[str], None]
# Asks a yes-or-no question; True for yes.
Confirm = Callable[[str], Awaitable[bool]]


class QuitRequested(Exception):
    """``/quit``: the session ends."""


def checkpoint_row(checkpoint: Checkpoint, current: str | None, now: float) -> str:
    """One checkpoint as ``penguin-tui checkpoints list`` prints it."""
    mark = "*" if checkpoint.id == current else " "
    lines = (
        "initial"
        if checkpoint.parent_id is None
        else line_counts(checkpoint.lines_added, checkpoint.lines_removed)
    )
    spent = checkpoint.usage.input_tokens + checkpoint.usage.output_tokens
    return (
        f"{mark} {checkpoint.id[:8]}  {checkpoint.branch}  {checkpoint.kind.value}  "
        f"{age(now - checkpoint.created_at)} ago  {plural(checkpoint.files_changed, 'file')}  "
        f"{lines}  {tokens(spent, shorten_from=None)} tok  {money(checkpoint.usage.cost_usd)}  "
        f"{checkpoint.label}"
    ).rstrip()


def result_lines(headline: str, result: OperationResult) -> list[str]:
    """The headline, then each file written, deleted or kept as it was."""
    lines = [headline]
    restored = result.restored
    if restored is None:
        return lines
    if not (restored.written or restored.deleted or restored.kept):
        lines.append("  no file changed")
    lines += [f"  written  {path}" for path in restored.written]
    lines += [f"  deleted  {path}" for path in restored.deleted]
    lines += [f"  kept     {path} (not snapshotted, so left as it is)" for path in restored.kept]
    return lines


class PlainActions:
    """Runs one parsed slash command on the runtime; says what happened through ``say``."""

    def __init__(self, runtime: Runtime, say: Say, confirm: Confirm) -> None:
        self.runtime = runtime
        self.say = say
        self.confirm = confirm

    async def run(self, command: Command) -> None:
        """Do what ``command`` asks; a ``PenguinError`` is the caller's one line to print."""
        if isinstance(command, Quit):
            raise QuitRequested
        if isinstance(command, Help):
            self.say(HELP)
        elif isinstance(command, ShowModel):
            self.say(f"model: {self.runtime.engine.model_name or '(none set)'}")
        elif isinstance(command, SwitchModel):
            self._switch_model(command.name)
        elif isinstance(command, ShowUsage):
            await self._usage()
        elif isinstance(command, ListCheckpoints):
            await self._checkpoints()
        elif isinstance(command, Revert):
            await self._revert(command)
        elif isinstance(command, Undo):
            await self._undo()
        elif isinstance(command, ShowTasks):
            self._tasks()

    def _switch_model(self, name: str) -> None:
        if self.runtime.engine.busy:
            raise PenguinError("a reply is still streaming; Ctrl+C cancels it first")
        self.runtime.engine.switch_model(name)
        self.say(f"model: {name} from the next reply on (the config keeps its own)")

    def _session_id(self) -> str:
        session = self.runtime.engine.session
        if session is None:
            raise PenguinError("no session yet: send a prompt first")
        return session.id

    async def _usage(self) -> None:
        usage = await self.runtime.store.session_usage(self._session_id())
        self.say(
            f"{plural(usage.calls, 'call')} · {tokens(usage.input_tokens)} tokens in · "
            f"{tokens(usage.output_tokens)} out · {money(usage.cost_usd, usage.unpriced_calls)}"
        )

    def _service(self) -> CheckpointService:
        service = self.runtime.checkpoints
        if service is None:
            raise PenguinError(self.runtime.checkpoint_notice or "checkpoints are turned off")
        return service

    async def _checkpoints(self) -> None:
        service, session_id = self._service(), self._session_id()
        checkpoints = await service.checkpoints(session_id)
        if not checkpoints:
            self.say("no checkpoints yet: one is taken after a turn that changed files")
            return
        position = await service.position(session_id)
        current = position.id if position else None
        now = time.time()
        for checkpoint in reversed(checkpoints):
            self.say(checkpoint_row(checkpoint, current, now))

    async def _revert(self, command: Revert) -> None:
        service, session_id = self._service(), self._session_id()
        if self.runtime.engine.busy:
            raise PenguinError("a reply is still streaming; Ctrl+C cancels it first")
        preview = await service.preview_revert(session_id, command.checkpoint, command.mode)
        parts = " and ".join(f"the {part}" for part in command.mode.parts)
        self.say(f"Revert {parts} to {checkpoint_label(preview.target)}")
        for line in plain_lines(revert_preview_lines(preview, COMMAND_LINE)):
            self.say(line)
        if not await self.confirm("Revert?"):
            self.say("not reverted; nothing changed")
            return
        result = await service.revert(session_id, command.checkpoint, command.mode)
        headline = f"reverted {parts} to {checkpoint_label(result.checkpoint)} on {result.branch}"
        for line in [*result_lines(headline, result), "/undo takes it back"]:
            self.say(line)

    async def _undo(self) -> None:
        service, session_id = self._service(), self._session_id()
        if self.runtime.engine.busy:
            raise PenguinError("a reply is still streaming; Ctrl+C cancels it first")
        result = await service.undo(session_id)
        headline = f"undone: {result.branch} is back at {checkpoint_label(result.checkpoint)}"
        for line in result_lines(headline, result):
            self.say(line)

    def _tasks(self) -> None:
        from penguin_tui.engine.tools.task_tools import render_plan

        plan = self.runtime.tasks
        if plan is None:
            raise PenguinError("the task plan is not open")
        self.say(render_plan(plan.tasks))
