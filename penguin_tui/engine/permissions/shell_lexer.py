"""Reading shell words: quotes, escapes, ``$``-expansions and the substitutions inside them.

:class:`WordReader` is the half of the parser that works inside one word; the commands of a
``$( … )``, a backquote or a ``<( … )`` are handed back to the structural parser in
:mod:`shell`, which subclasses it.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from penguin_tui.engine.permissions.shell_words import ShellParseError, SimpleCommand, Word

MAX_DEPTH = 12
META = frozenset(" \t\n;&|()<>")
BLANKS = " \t"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PARAMETER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-]")
_BRACE_EXPANSION = re.compile(r"\{[^{}]*(?:,|\.\.)[^{}]*\}")
_CAT_HEREDOC = re.compile(
    r"\A[ \t\n]*cat[ \t]*<<(-?)[ \t]*(?:'([^'\n]+)'|\"([^\"\n$`\\]+)\")[ \t]*\n"
)


@dataclass
class WordBuilder:
    """One word as it is read: its text, and which characters were unquoted (for globs)."""

    text: list[str] = field(default_factory=list)
    skeleton: list[str] = field(default_factory=list)  # unquoted characters; the rest as \0
    pattern: list[str] = field(default_factory=list)  # the text as a glob, quoted magic escaped
    dynamic: bool = False

    def plain(self, char: str) -> None:
        self.text.append(char)
        self.skeleton.append(char)
        self.pattern.append(char)

    def quoted(self, text: str) -> None:
        self.text.append(text)
        self.skeleton.append("\0")
        self.pattern.append(_escape_glob(text))

    def runtime(self, raw: str) -> None:
        self.text.append(raw)
        self.skeleton.append("\0")
        self.pattern.append(_escape_glob(raw))
        self.dynamic = True


def _escape_glob(text: str) -> str:
    return "".join(f"[{char}]" if char in "*?[" else char for char in text)


def _static_heredoc(inner: str) -> str | None:
    """The text of ``$(cat <<'EOF' … EOF)``, a common literal (commit messages), else None."""
    match = _CAT_HEREDOC.match(inner)
    if match is None:
        return None
    strip_tabs = match.group(1) == "-"
    delimiter = match.group(2) or match.group(3)
    lines = inner[match.end() :].split("\n")
    body: list[str] = []
    for index, line in enumerate(lines):
        seen = line.lstrip("\t") if strip_tabs else line
        if seen == delimiter:
            if "\n".join(lines[index + 1 :]).strip(" \t\n"):
                return None
            return "\n".join(body).rstrip("\n")
        body.append(seen)
    return None


class WordReader(ABC):
    """Reads words from ``source`` at ``index``; commands found on the way go to ``out``."""

    def __init__(self, source: str, depth: int, out: list[SimpleCommand]) -> None:
        if depth > MAX_DEPTH:
            raise ShellParseError("the command is nested too deeply to check")
        self.source = source
        self.index = 0
        self.depth = depth
        self.out = out  # shared with nested parsers, so an error still shows what came before

    @abstractmethod
    def _substitution_list(self) -> None:
        """Parse the commands of ``$( … )`` or ``<( … )`` up to and including the ``)``."""

    @abstractmethod
    def _parse_nested(self, source: str) -> None:
        """Parse ``source`` (a backquoted command) one level deeper."""

    def _peek(self, offset: int = 0) -> str:
        position = self.index + offset
        return self.source[position] if position < len(self.source) else ""

    def _at_end(self) -> bool:
        return self.index >= len(self.source)

    def _starts(self, text: str) -> bool:
        return self.source.startswith(text, self.index)

    def _at_word(self, word: str) -> bool:
        """``word`` stands alone here (followed by a blank, an operator or the end)."""
        end = self.index + len(word)
        return self._starts(word) and (end >= len(self.source) or self.source[end] in META)

    def _skip_blanks(self) -> None:
        while not self._at_end():
            if self._peek() in BLANKS:
                self.index += 1
            elif self._starts("\\\n"):
                self.index += 2
            else:
                return

    def _skip_comment(self) -> None:
        end = self.source.find("\n", self.index)
        self.index = len(self.source) if end < 0 else end

    def scan_expansions(self) -> None:
        """The commands substituted in an unquoted here-document body."""
        while not self._at_end():
            char = self._peek()
            if char == "\\":
                self.index += 2
            elif char == "$":
                self._dollar(WordBuilder(), in_quotes=True)
            elif char == "`":
                self._backquote(WordBuilder(), in_quotes=True)
            else:
                self.index += 1

    def _word(self) -> Word:
        start = self.index
        builder = WordBuilder()
        while not self._at_end():
            char = self._peek()
            if char in META:
                break
            if char == "\\":
                following = self._peek(1)
                if following == "\n":
                    self.index += 2
                elif following:
                    builder.quoted(following)
                    self.index += 2
                else:
                    builder.quoted("\\")
                    self.index += 1
            elif char == "'":
                end = self.source.find("'", self.index + 1)
                if end < 0:
                    raise ShellParseError("a single quote is not closed")
                builder.quoted(self.source[self.index + 1 : end])
                self.index = end + 1
            elif char == '"':
                self._double_quoted(builder)
            elif char == "$":
                self._dollar(builder, in_quotes=False)
            elif char == "`":
                self._backquote(builder, in_quotes=False)
            else:
                builder.plain(char)
                self.index += 1
        raw = self.source[start : self.index]
        skeleton = "".join(builder.skeleton)
        if _BRACE_EXPANSION.search(skeleton):
            raise ShellParseError(f"brace expansion in {raw} is not checked")
        return Word(
            text="".join(builder.text),
            raw=raw,
            dynamic=builder.dynamic,
            glob=any(char in skeleton for char in "*?["),
            pattern="".join(builder.pattern),
        )

    def _double_quoted(self, builder: WordBuilder) -> None:
        self.index += 1
        while True:
            if self._at_end():
                raise ShellParseError("a double quote is not closed")
            char = self._peek()
            if char == '"':
                self.index += 1
                builder.quoted("")
                return
            if char == "\\" and self._peek(1) in ("$", "`", '"', "\\", "\n"):
                if self._peek(1) != "\n":
                    builder.quoted(self._peek(1))
                self.index += 2
            elif char == "$":
                self._dollar(builder, in_quotes=True)
            elif char == "`":
                self._backquote(builder, in_quotes=True)
            else:
                builder.quoted(char)
                self.index += 1

    def _dollar(self, builder: WordBuilder, *, in_quotes: bool) -> None:
        start = self.index
        following = self._peek(1)
        if following == "(":
            if self._peek(2) == "(":
                raise ShellParseError("arithmetic $(( … )) is not checked")
            self.index += 2
            before = len(self.out)
            inner_start = self.index
            self._substitution_list()
            value = _static_heredoc(self.source[inner_start : self.index - 1])
            if in_quotes and value is not None:
                del self.out[before:]
                builder.quoted(value)
            else:
                builder.runtime(self.source[start : self.index])
            return
        if following == "{":
            end = self.source.find("}", self.index + 2)
            name = self.source[self.index + 2 : end] if end >= 0 else ""
            if end < 0 or not _PARAMETER.fullmatch(name):
                raise ShellParseError("only plain ${NAME} expansions are checked")
            self.index = end + 1
            builder.runtime(self.source[start : self.index])
            return
        if following.isalpha() or following == "_":
            match = _NAME.match(self.source, self.index + 1)
            assert match is not None
            self.index = match.end()
            builder.runtime(self.source[start : self.index])
            return
        if following and (following.isdigit() or following in "@*#?$!-"):
            self.index += 2
            builder.runtime(self.source[start : self.index])
            return
        if following == "[":
            raise ShellParseError("arithmetic $[ … ] is not checked")
        if not in_quotes and following in ("'", '"'):
            raise ShellParseError(f"${following}…{following} quoting is not checked")
        self.index += 1
        if in_quotes:
            builder.quoted("$")
        else:
            builder.plain("$")

    def _backquote(self, builder: WordBuilder, *, in_quotes: bool) -> None:
        start = self.index
        position = self.index + 1
        inner: list[str] = []
        escapable = '$`\\"' if in_quotes else "$`\\"
        while True:
            if position >= len(self.source):
                raise ShellParseError("a backquote is not closed")
            char = self.source[position]
            if char == "\\" and position + 1 < len(self.source):
                following = self.source[position + 1]
                inner.append(following if following in escapable else char + following)
                position += 2
                continue
            if char == "`":
                break
            inner.append(char)
            position += 1
        self.index = position + 1
        self._parse_nested("".join(inner))
        builder.runtime(self.source[start : self.index])

    def _process_substitution(self) -> Word:
        start = self.index
        self.index += 2
        self._substitution_list()
        raw = self.source[start : self.index]
        return Word(text=raw, raw=raw, process_substitution=True)
