"""``penguin-tui --plain [DIR]``: the workbench's engine in a line-by-line REPL, for screen
readers, SSH and terminals where a full screen is unwelcome. Replies stream as text, a tool
call is one line, a question about one takes one key, and slash commands do the rest."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from dataclasses import dataclass
from typing import TYPE_CHECKING

from penguin_tui.bus import ApprovalRequested, Event, Subscription
from penguin_tui.engine.approvals import ApprovalAnswer, Scope
from penguin_tui.errors import PenguinError
from penguin_tui.line.plain_actions import PlainActions, QuitRequested
from penguin_tui.line.plain_commands import is_command, parse_command
from penguin_tui.line.plain_output import TurnPrinter
from penguin_tui.line.plain_prompts import CANCELLED, LinePrompts, RedactedHistory

if TYPE_CHECKING:
    from penguin_tui.runtime import Runtime

# The workbench's approval keys and what each answers.
APPROVAL_KEYS = "yspnr"
APPROVAL_QUESTION = (
    "y allow once · s always in this session · p always in this project · n deny · "
    "r deny with a reason: "
)
ANSWERS = {
    "y": (ApprovalAnswer(True, Scope.ONCE), "allowed once"),
    "s": (ApprovalAnswer(True, Scope.SESSION), "allowed for this session"),
    "p": (ApprovalAnswer(True, Scope.PROJECT), "allowed for this project"),
    "n": (ApprovalAnswer(False, Scope.ONCE, "denied by the user"), "denied"),
}
DETAIL_LINES = 40


@dataclass(frozen=True)
class PlainOptions:
    """What ``penguin-tui --plain`` was started with."""

    directory: str | None
    model: str | None = None
    api_base: str | None = None
    session_id: str | None = None
    continue_latest: bool = False


class PlainSession:
    """One REPL on an open runtime: reads prompts and commands until /quit, Ctrl+D or a second
    Ctrl+C at the prompt."""

    def __init__(self, runtime: Runtime, prompts: LinePrompts, printer: TurnPrinter) -> None:
        self.runtime = runtime
        self.prompts = prompts
        self.printer = printer
        self.actions = PlainActions(runtime, self.printer.line, prompts.confirm)
        self.events: Subscription = runtime.bus.subscribe()

    def _greet(self) -> None:
        engine = self.runtime.engine
        model = engine.model_name or "none set (/model NAME picks one)"
        self.printer.line(
            f"penguin-tui --plain · {self.runtime.project_dir} · model {model}", muted=True
        )
        self.printer.line("/help lists the commands; Ctrl+D quits", muted=True)
        for notice in (self.runtime.checkpoint_notice, engine.read_only):
            if notice:
                self.printer.line(notice)

    async def run(self, options: PlainOptions) -> int:
        engine = self.runtime.engine
        if options.session_id:
            await engine.resume(options.session_id)
        elif options.continue_latest:
            await engine.continue_latest()
        self._greet()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGINT, self._interrupt)
        try:
            await self._read_until_quit()
        finally:
            loop.remove_signal_handler(signal.SIGINT)
            self.events.close()
        return 0

    async def _read_until_quit(self) -> None:
        interrupted = False
        while True:
            self._drain()
            try:
                text = await self.prompts.prompt()
            except KeyboardInterrupt:
                if interrupted:
                    return
                interrupted = True
                self.printer.line("(Ctrl+C again, Ctrl+D or /quit ends the session)", muted=True)
                continue
            except EOFError:
                return
            interrupted = False
            if not text.strip():
                continue
            try:
                if is_command(text):
                    await self.actions.run(parse_command(text))
                else:
                    await self._turn(text)
            except QuitRequested:
                return
            except PenguinError as error:
                self.printer.line(f"error: {error.message}")

    def _interrupt(self) -> None:
        """Ctrl+C while a turn runs (outside any question): cancel it."""
        if self.runtime.engine.cancel():
            self.printer.line("cancelling…", muted=True)

    def _drain(self) -> None:
        """Print what arrived between turns (a revert's conflicts, a checkpoint that failed)."""
        while (event := self.events.get_nowait()) is not None:
            self.printer.show(event)

    async def _turn(self, text: str) -> None:
        """Send a prompt and print its events until the turn ends; questions asked on the way
        are answered here, one key each."""
        send = asyncio.ensure_future(self.runtime.engine.send(text))
        while not send.done():
            getter = asyncio.ensure_future(self.events.get())
            await asyncio.wait({send, getter}, return_when=asyncio.FIRST_COMPLETED)
            if getter.done():
                await self._show(getter.result())
            else:
                getter.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await getter
        while (event := self.events.get_nowait()) is not None:
            await self._show(event)
        self.printer.end_line()
        send.result()  # a PenguinError (a reply already streaming, read-only) is one line

    async def _show(self, event: Event) -> None:
        if isinstance(event, ApprovalRequested):
            await self._ask(event)
        else:
            self.printer.show(event)

    async def _ask(self, event: ApprovalRequested) -> None:
        engine = self.runtime.engine
        self.printer.line(f"Allow {event.tool}? {event.reason}")
        detail = event.detail.splitlines()
        for line in detail[:DETAIL_LINES]:
            self.printer.line(f"  {line}")
        if len(detail) > DETAIL_LINES:
            self.printer.line(f"  … {len(detail) - DETAIL_LINES} more lines", muted=True)
        key = await self.prompts.key(APPROVAL_QUESTION, APPROVAL_KEYS)
        if key == CANCELLED:
            self._interrupt()
            return
        if key == "r":
            reason = (await self.prompts.line("why not? (sent to the model) ")).strip()
            text = f"denied by the user: {reason}" if reason else "denied by the user"
            answer, said = ApprovalAnswer(False, Scope.ONCE, text), "denied"
        else:
            answer, said = ANSWERS[key]
        if engine.answer_approval(event.request_id, answer):
            self.printer.line(f"→ {said}", muted=True)


async def plain_session(options: PlainOptions) -> int:
    """Open the project's runtime, run the REPL on it, close it; the exit code."""
    from penguin_tui.runtime import open_runtime

    runtime = await open_runtime(
        options.directory, model=options.model, api_base=options.api_base, read_only_ok=True
    )
    try:
        from penguin_tui.config.secrets import Redactor

        redact = Redactor.from_environment(extra_names=runtime.settings.secret_variables)
        prompts = LinePrompts(RedactedHistory(runtime.paths.prompt_history, redact))
        return await PlainSession(runtime, prompts, TurnPrinter()).run(options)
    finally:
        await runtime.close()
