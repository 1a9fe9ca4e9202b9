"""The slash commands of ``penguin-tui --plain``: what a typed line asks for, parsed into a typed
command (or a one-line error), before anything runs."""

from __future__ import annotations

from dataclasses import dataclass

from penguin_tui.checkpoints.model import RevertMode
from penguin_tui.errors import PenguinError


class CommandError(PenguinError):
    """A slash command that cannot be run as typed; the message says how to type it."""


@dataclass(frozen=True)
class ShowModel:
    """``/model``: say which model answers."""


@dataclass(frozen=True)
class SwitchModel:
    """``/model NAME``: answer with NAME from the next call on (this session only)."""

    name: str


@dataclass(frozen=True)
class ShowUsage:
    """``/usage``: the session's tokens and cost."""


@dataclass(frozen=True)
class ListCheckpoints:
    """``/checkpoints``: the session's checkpoints, newest first."""


@dataclass(frozen=True)
class Revert:
    """``/revert ID [--code|--conversation|--tasks|--all]``: go back to a checkpoint, after a
    yes to its preview."""

    checkpoint: str
    mode: RevertMode


@dataclass(frozen=True)
class Undo:
    """``/undo``: undo the last revert."""


@dataclass(frozen=True)
class ShowTasks:
    """``/tasks``: the project's task plan."""


@dataclass(frozen=True)
class Help:
    """``/help``: the commands and keys."""


@dataclass(frozen=True)
class Quit:
    """``/quit``: end the session."""


Command = (
    ShowModel | SwitchModel | ShowUsage | ListCheckpoints | Revert | Undo | ShowTasks | Help | Quit
)

HELP = """\
/model [NAME]     show the model, or answer with NAME from the next reply on
/usage            this session's tokens and cost
/checkpoints      this session's checkpoints, newest first
/revert ID [--code|--conversation|--tasks|--all]
                  go back to checkpoint ID (the code and the conversation unless a flag
                  says otherwise); a preview is shown and y confirms
/undo             undo the last revert
/tasks            the project's task plan
/help             this list
/quit             end the session (also Ctrl+D, or Ctrl+C twice at the prompt)
Ctrl+C while a reply streams or a tool runs cancels the turn; what was made is kept.
A question about a tool call takes one key: y allow once, s always in this session,
p always in this project, n deny, r deny with a reason."""

_REVERT_FLAGS = {
    "--code": "code",
    "--conversation": "conversation",
    "--tasks": "tasks",
    "--all": "all",
}
_REVERT_USAGE = "/revert ID [--code|--conversation|--tasks|--all]"


def is_command(line: str) -> bool:
    """Whether a typed line is a slash command rather than a prompt for the model."""
    return line.lstrip().startswith("/")


def _revert(words: list[str]) -> Revert:
    ids = [word for word in words if not word.startswith("--")]
    flags = [word for word in words if word.startswith("--")]
    unknown = [flag for flag in flags if flag not in _REVERT_FLAGS]
    if unknown:
        raise CommandError(f"unknown flag {unknown[0]}; {_REVERT_USAGE}")
    if len(ids) != 1:
        raise CommandError(f"which checkpoint? {_REVERT_USAGE} (/checkpoints lists them)")
    parts = {_REVERT_FLAGS[flag] for flag in flags}
    if "all" in parts:
        mode = RevertMode.ALL
    elif not parts:
        mode = RevertMode.BOTH
    else:
        mode = RevertMode.of(
            code="code" in parts, conversation="conversation" in parts, tasks="tasks" in parts
        )
    return Revert(ids[0], mode)


_BARE: dict[str, Command] = {
    "/usage": ShowUsage(),
    "/checkpoints": ListCheckpoints(),
    "/undo": Undo(),
    "/tasks": ShowTasks(),
    "/help": Help(),
    "/quit": Quit(),
    "/exit": Quit(),
}


def parse_command(line: str) -> Command:
    """The command a slash line asks for; ``CommandError`` names what is wrong with it."""
    name, *words = line.split()
    name = name.lower()
    if name == "/model":
        if len(words) > 1:
            raise CommandError("/model takes one name, e.g. /model openai/gpt-4o-mini")
        return SwitchModel(words[0]) if words else ShowModel()
    if name == "/revert":
        return _revert(words)
    if name in _BARE:
        if words:
            raise CommandError(f"{name} takes no arguments")
        return _BARE[name]
    raise CommandError(f"unknown command {name}; /help lists the commands")
