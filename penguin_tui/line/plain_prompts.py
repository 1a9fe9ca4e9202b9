"""The questions ``penguin-tui --plain`` asks on the terminal (prompt-toolkit): the prompt with
its history, a one-key answer, a line of text. None of them touches SIGINT: Ctrl+C at a
question is a key; between questions it is the session's own (it cancels the turn)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from prompt_toolkit import PromptSession
from prompt_toolkit.history import FileHistory
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent

# What a key question returns for Ctrl+C.
CANCELLED = ""


class RedactedHistory(FileHistory):
    """The prompt history kept in a file only the user can read, each prompt written with its
    secrets redacted (as the database stores it)."""

    def __init__(self, path: Path, redact: Callable[[str], str]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
        super().__init__(str(path))
        self._redact = redact

    def store_string(self, string: str) -> None:
        super().store_string(self._redact(string))


def _one_key_bindings(keys: str) -> KeyBindings:
    bindings = KeyBindings()

    def answer_with(key: str) -> None:
        @bindings.add(key)
        def _answer(event: KeyPressEvent) -> None:
            event.app.exit(result=key)

    for key in keys:
        answer_with(key)

    @bindings.add("c-c")
    def _cancel(event: KeyPressEvent) -> None:
        event.app.exit(result=CANCELLED)

    @bindings.add("<any>")
    @bindings.add("enter")
    def _ignore(event: KeyPressEvent) -> None:
        """Any other key: the question stays."""

    return bindings


class LinePrompts:
    """The prompt (with a history file) and the questions asked while a turn runs."""

    def __init__(self, history: RedactedHistory | None) -> None:
        self._prompt: PromptSession[str] = PromptSession(history=history)

    async def prompt(self, message: str = "> ") -> str:
        """The next line the user sends; KeyboardInterrupt on Ctrl+C, EOFError on Ctrl+D."""
        return await self._prompt.prompt_async(message, handle_sigint=False)

    async def key(self, question: str, keys: str) -> str:
        """One of ``keys``, answered with a single key press; ``CANCELLED`` for Ctrl+C."""
        session: PromptSession[str] = PromptSession(key_bindings=_one_key_bindings(keys))
        return await session.prompt_async(question, handle_sigint=False)

    async def line(self, question: str) -> str:
        """A line of text; empty for Ctrl+C or Ctrl+D."""
        session: PromptSession[str] = PromptSession()
        try:
            return await session.prompt_async(question, handle_sigint=False)
        except (KeyboardInterrupt, EOFError):
            return ""

    async def confirm(self, question: str) -> bool:
        """y for yes; n, Ctrl+C (or anything else answered) for no."""
        return await self.key(f"{question} [y/n] ", "yn") == "y"
