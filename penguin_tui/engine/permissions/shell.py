"""Split a shell command line into every simple command it would run, without running anything.

The parser reads bash's quoting, lists, pipelines, subshells, groups, command and process
substitution, redirections and here-documents, then asks :mod:`wrappers` what each command runs in
turn (``sudo …``, ``bash -c …``, ``eval …``, ``find -exec …``). Whatever it cannot read with
certainty raises :class:`ShellParseError`: the policy then asks, it never allows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from penguin_tui.engine.permissions.shell_lexer import (
    MAX_DEPTH,
    META,
    WordReader,
)
from penguin_tui.engine.permissions.shell_words import (
    ShellParseError,
    SimpleCommand,
    Target,
    Word,
)
from penguin_tui.engine.permissions.wrappers import command_name, names, unwrap

__all__ = ["ShellParseError", "SimpleCommand", "Target", "parse_shell"]

MAX_LENGTH = 100_000

_DESCRIPTOR = re.compile(r"(?:[0-9]+|\{[A-Za-z_][A-Za-z0-9_]*\})(?=[<>])")
_REDIRECTIONS = ("&>>", "&>", "<<<", "<<-", "<<", "<>", "<&", ">&", ">>", ">|", "<", ">")
_WRITES = frozenset({">", ">>", ">|", "&>", "&>>", ">&", "<>"})
_READS = frozenset({"<", "<&", "<>"})
_RESERVED = names(
    "if then else elif fi do done case esac while until for select function in coproc [[ ]] { } !"
)
# Builtins that run text we cannot see, or change what a later command name means.
_UNCHECKABLE = names(
    "source . alias unalias trap let fc bind complete compgen enable hash coproc function"
)


def parse_shell(command: str) -> list[SimpleCommand]:
    """Every simple command ``command`` would run, in order; raises ``ShellParseError``."""
    if len(command) > MAX_LENGTH:
        raise ShellParseError("the command is too long to check")
    if "\0" in command:
        raise ShellParseError("the command contains a NUL byte, which no shell command can hold")
    out: list[SimpleCommand] = []
    try:
        _Parser(command, 0, out).parse()
    except RecursionError as error:
        failure = ShellParseError("the command is nested too deeply to check")
        failure.partial = tuple(out)
        raise failure from error
    except ShellParseError as error:
        error.partial = tuple(out)
        raise
    return out


@dataclass(frozen=True)
class _HereDocument:
    delimiter: str
    strip_tabs: bool
    expands: bool


@dataclass
class _Redirections:
    writes: list[Target] = field(default_factory=list)
    reads: list[Target] = field(default_factory=list)
    runtime: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.writes or self.reads or self.runtime)


def _patterns(words: list[Word]) -> tuple[str | None, ...]:
    """Each word's glob, or () when no word is one."""
    if not any(word.glob for word in words):
        return ()
    return tuple(word.pattern if word.glob else None for word in words)


def _odd_trailing_backslashes(line: str) -> bool:
    return (len(line) - len(line.rstrip("\\"))) % 2 == 1


class _Parser(WordReader):
    """Recursive descent over one command string: lists, pipelines, commands, redirections."""

    def __init__(self, source: str, depth: int, out: list[SimpleCommand]) -> None:
        super().__init__(source, depth, out)
        self.heredocs: list[_HereDocument] = []
        self.stashed: list[list[_HereDocument]] = []

    def parse(self) -> None:
        self._list(closer=None)

    def _child(self, source: str) -> _Parser:
        return _Parser(source, self.depth + 1, self.out)

    def _parse_nested(self, source: str) -> None:
        self._child(source).parse()

    def _skip_line_breaks(self) -> None:
        while True:
            self._skip_blanks()
            if self._peek() == "\n":
                self.index += 1
                self._read_heredocs()
            elif self._peek() == "#":
                self._skip_comment()
            else:
                return

    def _list(self, closer: str | None) -> None:
        need_command = False
        while True:
            self._skip_blanks()
            if self._at_end():
                if closer is not None:
                    raise ShellParseError(f"a '{closer}' is missing")
                if need_command:
                    raise ShellParseError("the command ends after an operator")
                if self.heredocs:
                    raise ShellParseError("a here-document has no body")
                return
            char = self._peek()
            if char == "\n":
                self.index += 1
                self._read_heredocs()
                continue
            if char == "#":
                self._skip_comment()
                continue
            if (closer == ")" and char == ")") or (closer == "}" and self._at_word("}")):
                if need_command:
                    raise ShellParseError(f"an operator is followed by '{closer}'")
                if closer == ")" and self.heredocs:
                    raise ShellParseError("a here-document inside ( … ) has no body")
                self.index += 1
                return
            self._pipeline()
            need_command = False
            self._skip_blanks()
            if self._at_end():
                continue
            char = self._peek()
            if self._starts("&&") or self._starts("||"):
                self.index += 2
                need_command = True
            elif self._starts(";;") or self._starts(";&"):
                raise ShellParseError("case clauses are not checked")
            elif char in ";&":
                self.index += 1
            elif char not in "\n#)":
                raise ShellParseError(f"unexpected {char!r}")

    def _pipeline(self) -> None:
        self._skip_blanks()
        if self._at_word("!"):
            self.index += 1
        while True:
            self._command()
            self._skip_blanks()
            if self._starts("||"):
                return
            if self._starts("|&"):
                self.index += 2
            elif self._starts("|"):
                self.index += 1
            else:
                return
            self._skip_line_breaks()

    def _command(self) -> None:
        self._skip_blanks()
        if self._at_end():
            raise ShellParseError("a command is missing")
        if self._starts("(("):
            raise ShellParseError("arithmetic (( … )) is not checked")
        if self._peek() == "(":
            self.index += 1
            self._list(")")
            self._trailing_redirections()
            return
        if self._at_word("{"):
            self.index += 1
            self._list("}")
            self._trailing_redirections()
            return
        if self._peek() in ";&|)" and not self._redirection_ahead():
            raise ShellParseError(f"unexpected {self._peek()!r}")
        self._simple()

    def _trailing_redirections(self) -> None:
        redirections = _Redirections()
        while True:
            self._skip_blanks()
            if not self._redirection_ahead():
                break
            self._redirection(redirections)
        if redirections:
            self.out.append(
                SimpleCommand(
                    argv=(),
                    writes=tuple(redirections.writes),
                    reads=tuple(redirections.reads),
                    runtime=tuple(redirections.runtime),
                )
            )

    def _simple(self) -> None:
        words: list[Word] = []
        assignments: list[Word] = []
        redirections = _Redirections()
        while True:
            self._skip_blanks()
            if self._at_end():
                break
            char = self._peek()
            if char in "<>" and self._peek(1) == "(":
                words.append(self._process_substitution())
                continue
            if self._redirection_ahead():
                self._redirection(redirections)
                continue
            if char in META:
                break
            if char == "#":
                self._skip_comment()
                break
            word = self._word()
            if not words and not assignments and word.raw in _RESERVED:
                raise ShellParseError(f"the shell keyword {word.raw!r} is not checked")
            if not words and word.is_assignment:
                assignments.append(word)
            else:
                words.append(word)
        if self._peek() == "(":
            raise ShellParseError("function definitions, arrays and extended globs are not checked")
        if not words and not assignments and not redirections:
            raise ShellParseError("a command is missing")
        runtime = list(redirections.runtime)
        runtime.extend(word.raw for word in assignments if word.dynamic)
        texts = [word.text for word in assignments]
        if not words:
            self.out.append(
                SimpleCommand(
                    argv=(),
                    writes=tuple(redirections.writes),
                    reads=tuple(redirections.reads),
                    assignments=tuple(texts),
                    runtime=tuple(runtime),
                )
            )
            return
        self._emit(words, texts, redirections.writes, redirections.reads, runtime, 0)

    def _emit(
        self,
        words: list[Word],
        assignments: list[str],
        writes: list[Target],
        reads: list[Target],
        runtime: list[str],
        unwrap_depth: int,
    ) -> None:
        if unwrap_depth > MAX_DEPTH:
            raise ShellParseError("the command wraps too many commands to check")
        first = words[0]
        if first.dynamic or first.process_substitution:
            raise ShellParseError(f"the command name {first.raw} is only known at run time")
        if first.glob and first.text != "[":  # a lone [ matches nothing: it is test
            raise ShellParseError(f"the command name {first.raw} is a glob pattern")
        if not first.text:
            raise ShellParseError("the command name is empty")
        name = command_name(first.text)
        if name in _UNCHECKABLE:
            raise ShellParseError(f"{name} is not checked")
        if name in ("mapfile", "readarray") and any(
            word.text.startswith("-") and "C" in word.text for word in words[1:]
        ):
            raise ShellParseError(f"{name} -C runs a callback, which is not checked")
        unwrapped = unwrap(words)
        seen_runtime = runtime + [word.raw for word in words if word.dynamic]
        seen_runtime.extend(unwrapped.runtime)
        self.out.append(
            SimpleCommand(
                argv=tuple(word.text for word in words),
                writes=tuple(writes) + unwrapped.writes,
                reads=tuple(reads) + unwrapped.reads,
                assignments=tuple(assignments),
                runtime=tuple(dict.fromkeys(seen_runtime)),
                patterns=_patterns(words),
            )
        )
        for inner in unwrapped.commands:
            extra = [inner.runtime_args] if inner.runtime_args else []
            self._emit(list(inner.argv), list(inner.assignments), [], [], extra, unwrap_depth + 1)
        for script in unwrapped.scripts:
            self._child(script).parse()

    # ---------------------------------------------------------- redirections

    def _redirection_ahead(self) -> bool:
        """A redirection starts here: ``>``, ``2>``, ``{fd}>``, ``&>`` (but not ``<(``)."""
        if self._peek() in ("<", ">"):
            return self._peek(1) != "("
        if self._starts("&>"):
            return True
        prefix = _DESCRIPTOR.match(self.source, self.index)
        return prefix is not None

    def _redirection(self, redirections: _Redirections) -> None:
        prefix = _DESCRIPTOR.match(self.source, self.index)
        if prefix is not None:
            self.index = prefix.end()
        operator = next(op for op in _REDIRECTIONS if self._starts(op))
        self.index += len(operator)
        self._skip_blanks()
        if operator in ("<<", "<<-"):
            word = self._target()
            if word.dynamic and ("$(" in word.raw or "`" in word.raw):
                raise ShellParseError(
                    "a here-document delimiter with a substitution is not checked"
                )
            quoted = any(mark in word.raw for mark in "'\"\\")
            self.heredocs.append(_HereDocument(word.text, operator == "<<-", not quoted))
            return
        if self._peek() in "<>" and self._peek(1) == "(":
            self._process_substitution()
            return
        target = self._target()
        duplicates = target.text == "-" or target.text.rstrip("-").isdigit()
        if operator in (">&", "<&") and not target.dynamic and duplicates:
            return  # duplicates or closes a descriptor
        if operator == "<<<":
            return
        if target.dynamic:
            redirections.runtime.append(target.raw)
        if operator in _WRITES:
            redirections.writes.append(target.target)
        if operator in _READS:
            redirections.reads.append(target.target)

    def _target(self) -> Word:
        if self._at_end() or self._peek() in META:
            raise ShellParseError("a redirection has no file")
        return self._word()

    def _read_heredocs(self) -> None:
        if not self.heredocs:
            return
        if any(self.stashed):
            raise ShellParseError("a here-document around a nested command is not checked")
        pending, self.heredocs = self.heredocs, []
        for document in pending:
            body: list[str] = []
            while True:
                if self._at_end():
                    raise ShellParseError(f"the here-document {document.delimiter!r} never ends")
                line = self._line()
                while document.expands and _odd_trailing_backslashes(line) and not self._at_end():
                    line = line[:-1] + self._line()
                seen = line.lstrip("\t") if document.strip_tabs else line
                if seen == document.delimiter:
                    break
                body.append(seen)
            if document.expands:
                self._child("\n".join(body)).scan_expansions()

    def _line(self) -> str:
        end = self.source.find("\n", self.index)
        if end < 0:
            line, self.index = self.source[self.index :], len(self.source)
        else:
            line, self.index = self.source[self.index : end], end + 1
        return line

    def _substitution_list(self) -> None:
        """The commands of ``$( … )`` or ``<( … )``, up to and including the ``)``."""
        self.stashed.append(self.heredocs)
        self.heredocs = []
        try:
            self._list(")")
        finally:
            self.heredocs = self.stashed.pop()
