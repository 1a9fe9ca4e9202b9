"""What one command runs or touches besides itself (:class:`Unwrapped`), and the small
readers that every command's reader shares: base names, leading ``NAME=value`` words, file
names given as option values."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from penguin_tui.engine.permissions.shell_words import ShellParseError, Target, Word


@dataclass(frozen=True)
class InnerCommand:
    """A command a wrapper runs, with the environment assignments it is given."""

    argv: tuple[Word, ...]
    assignments: tuple[str, ...] = ()
    runtime_args: str | None = None


@dataclass(frozen=True)
class Unwrapped:
    """What one command runs and touches besides itself."""

    commands: tuple[InnerCommand, ...] = ()
    scripts: tuple[str, ...] = ()
    writes: tuple[Target, ...] = ()
    reads: tuple[Target, ...] = ()
    runtime: tuple[str, ...] = ()


NOTHING = Unwrapped()

Reader = Callable[[Sequence[Word]], Unwrapped]  # what one command runs or touches, from its argv


def names(text: str) -> frozenset[str]:
    """A set of names written as one space-separated string, for compact option tables."""
    return frozenset(text.split())


def command_name(text: str) -> str:
    """``/usr/bin/sudo`` → ``sudo``: wrappers are recognised by their base name."""
    return text.rsplit("/", 1)[-1]


def target_of(text: str) -> Target:
    """A file named by an option's value, whose quoting is no longer known: maybe a glob."""
    return Target(text, text if any(char in text for char in "*?[") else None)


def leading_assignments(words: Sequence[Word]) -> tuple[tuple[str, ...], tuple[Word, ...]]:
    """The leading ``NAME=value`` words (as text) and the command after them."""
    index = 0
    while index < len(words) and words[index].is_assignment:
        index += 1
    return tuple(word.text for word in words[:index]), tuple(words[index:])


def runs(words: Sequence[Word], runtime_args: str | None = None) -> Unwrapped:
    """The wrapper runs ``words`` as a command (leading ``NAME=value`` go to its environment)."""
    assignments, argv = leading_assignments(words)
    if not argv:
        return NOTHING
    return Unwrapped(commands=(InnerCommand(argv, assignments, runtime_args),))


def script_of(words: Sequence[Word], what: str) -> str:
    """The text of a script ``what`` runs; refused when part of it is only known at run time."""
    dynamic = [word.raw for word in words if word.dynamic]
    if dynamic:
        raise ShellParseError(f"{what} runs {dynamic[0]}, which is only known at run time")
    return " ".join(word.text for word in words)
