"""Commands that run a program given as text: a shell's ``-c`` string or its input,
``eval``, and an interpreter reading its program from its input."""

from __future__ import annotations

import re
from collections.abc import Sequence

from penguin_tui.engine.permissions.shell_words import ShellParseError, Word
from penguin_tui.engine.permissions.unwrapped import (
    NOTHING,
    Unwrapped,
    command_name,
    names,
    script_of,
)

_SHELLS = names("sh bash zsh dash ksh ash mksh busybox-sh")
_SHELL_FLAGS = frozenset("abefhklmnprtuvxBCEHPT")
_SHELL_LONG = names(
    "--login --norc --noprofile --posix --restricted --verbose --noediting --debugger"
)
_OTHER_SHELLS = names("fish csh tcsh pwsh powershell nu elvish xonsh")


def _shell(argv: Sequence[Word]) -> Unwrapped:
    name = command_name(argv[0].text)
    runs_string = reads_input = False
    index = 1
    while index < len(argv):
        word = argv[index]
        text = word.text
        if word.dynamic:
            raise ShellParseError(f"{name}: {word.raw} is only known at run time")
        if text in ("--", "-"):
            index += 1
            break
        if text in ("--rcfile", "--init-file"):
            index += 2
            continue
        if text.startswith("--"):
            if text not in _SHELL_LONG:
                raise ShellParseError(f"{name}: unknown option {text}")
            index += 1
            continue
        if len(text) < 2 or text[0] not in "-+":
            break
        index += 1
        for letter in text[1:]:
            if letter == "c":
                runs_string = True
            elif letter in "si":
                reads_input = True
            elif letter in "oO":
                index += 1  # the option's name
            elif letter not in _SHELL_FLAGS:
                raise ShellParseError(f"{name}: unknown option -{letter}")
    rest = argv[index:]
    if runs_string:
        if not rest:
            raise ShellParseError(f"{name} -c has no command")
        return Unwrapped(scripts=(script_of(rest[:1], f"{name} -c"),))
    if reads_input or not rest:
        return Unwrapped(runtime=(f"the commands {name} reads from its input",))
    return NOTHING  # runs a script file, judged as this command


def _other_shell(argv: Sequence[Word]) -> Unwrapped:
    name = command_name(argv[0].text)
    if len(argv) == 1:
        return Unwrapped(runtime=(f"the commands {name} reads from its input",))
    raise ShellParseError(f"{name} scripts are not checked")


def _eval(argv: Sequence[Word]) -> Unwrapped:
    if len(argv) == 1:
        return NOTHING
    return Unwrapped(scripts=(script_of(argv[1:], "eval"),))


_INTERPRETER = re.compile(r"(python[0-9.]*|perl[0-9.]*|ruby|node|nodejs|php|lua[0-9.]*|Rscript)")


def _interpreter(argv: Sequence[Word]) -> Unwrapped:
    """An interpreter with no program reads one from its input, as in ``curl … | python``."""
    if len(argv) == 1 or [word.text for word in argv[1:]] == ["-"]:
        name = command_name(argv[0].text)
        return Unwrapped(runtime=(f"the program {name} reads from its input",))
    return NOTHING


def program_of(argv: Sequence[Word]) -> Unwrapped | None:
    """What a shell, ``eval`` or an interpreter runs; None when ``argv`` is none of them."""
    name = command_name(argv[0].text)
    if name == "eval":
        return _eval(argv)
    if name in _SHELLS:
        return _shell(argv)
    if name in _OTHER_SHELLS:
        return _other_shell(argv)
    if _INTERPRETER.fullmatch(name):
        return _interpreter(argv)
    return None
