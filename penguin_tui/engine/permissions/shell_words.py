"""The shell vocabulary: a word, a simple command, and the error for what cannot be read."""

from __future__ import annotations

import re
from dataclasses import dataclass

from penguin_tui.errors import PenguinError

ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\+?=")


class ShellParseError(PenguinError):
    """A command line the parser cannot read with certainty; the policy asks instead of allowing.

    ``partial`` holds the commands read before the error, so a deny rule can still deny them.
    """

    partial: tuple[SimpleCommand, ...] = ()


@dataclass(frozen=True)
class Word:
    """One shell word after quote removal; run-time parts (``$X``, ``$(…)``) kept as written."""

    text: str
    raw: str
    dynamic: bool = False
    glob: bool = False
    process_substitution: bool = False
    pattern: str = ""

    @property
    def target(self) -> Target:
        """This word as a file a redirection or a writer opens."""
        return Target(self.text, self.pattern if self.glob else None)

    @property
    def is_assignment(self) -> bool:
        """``NAME=value`` with the name unquoted, as bash requires for an assignment."""
        return ASSIGNMENT.match(self.raw) is not None

    @classmethod
    def literal(cls, text: str) -> Word:
        return cls(text=text, raw=text)


@dataclass(frozen=True)
class Target:
    """A file a command opens by name: a redirection's target or a writer's output file.

    ``pattern`` is set when the shell will expand the name as a glob (its unquoted ``*?[``),
    with the quoted magic characters escaped, so it can be matched the way bash will.
    """

    text: str
    pattern: str | None = None

    @property
    def is_glob(self) -> bool:
        return self.pattern is not None


@dataclass(frozen=True)
class SimpleCommand:
    """One command the line would run: its words and the files its redirections write and read.

    ``assignments`` are the leading ``NAME=value`` words; ``runtime`` lists what is only known
    when the command runs (``$HOME``, ``$(date)``, the arguments ``xargs`` reads); ``patterns``
    holds, for each word of ``argv``, the glob bash will expand it as (None for a plain word).
    """

    argv: tuple[str, ...]
    writes: tuple[Target, ...] = ()
    reads: tuple[Target, ...] = ()
    assignments: tuple[str, ...] = ()
    runtime: tuple[str, ...] = ()
    patterns: tuple[str | None, ...] = ()

    def pattern_of(self, index: int) -> str | None:
        """``argv[index]`` as a glob bash will expand (quoted magic escaped), or None."""
        return self.patterns[index] if index < len(self.patterns) else None

    @property
    def text(self) -> str:
        """The words joined with spaces: what ``run_shell`` rules are matched against."""
        return " ".join(self.argv)
