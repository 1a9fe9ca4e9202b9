"""Gitignore-style patterns: the matcher used outside git work trees, and path globs.

Supported: ``*``, ``?``, ``[...]``, ``**`` (leading ``**/``, trailing ``/**``, middle
``/**/``), a leading ``/`` or a middle ``/`` anchoring the pattern to its ``.gitignore``'s
directory, a trailing ``/`` for directories only, ``!`` negation, ``#`` comments and ``\\``
escapes. Later rules win; a rule from a deeper ``.gitignore`` wins over a shallower one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class IgnoreRule:
    """One line of a ``.gitignore``; ``base`` is the directory of its file, relative to root."""

    pattern: str
    regex: re.Pattern[str]
    base: str = ""
    negated: bool = False
    directory_only: bool = False
    anchored: bool = False

    def matches(self, path: str, is_dir: bool) -> bool:
        """Whether this rule matches ``path`` (POSIX, relative to the project root)."""
        if self.directory_only and not is_dir:
            return False
        if self.base:
            if not path.startswith(self.base + "/"):
                return False
            path = path[len(self.base) + 1 :]
        subject = path if self.anchored else path.rsplit("/", 1)[-1]
        return self.regex.fullmatch(subject) is not None


def parse_gitignore(text: str, base: str = "") -> list[IgnoreRule]:
    """The rules of one ``.gitignore`` (or ``info/exclude``) file found in directory ``base``."""
    rules = []
    for raw in text.splitlines():
        rule = _parse_line(raw, base)
        if rule is not None:
            rules.append(rule)
    return rules


def _parse_line(raw: str, base: str) -> IgnoreRule | None:
    line = raw.rstrip("\r")
    # Trailing spaces are dropped unless the last one is escaped ("\\ ").
    line = line.rstrip(" ") + " " if line.endswith("\\ ") else line.rstrip(" \t")
    if not line or line.startswith("#"):
        return None
    negated = line.startswith("!")
    if negated or line.startswith(("\\!", "\\#")):
        line = line[1:]  # the "!" of a negation, or the "\\" escaping a literal "!" or "#"
    directory_only = line.endswith("/")
    line = line.rstrip("/")
    if not line:
        return None
    anchored = "/" in line
    line = line.lstrip("/")
    return IgnoreRule(
        pattern=raw,
        regex=re.compile(translate(line)),
        base=base,
        negated=negated,
        directory_only=directory_only,
        anchored=anchored,
    )


def is_ignored(path: str, is_dir: bool, rules: Sequence[IgnoreRule]) -> bool:
    """Whether the last rule matching ``path`` ignores it (rules ordered lowest priority first)."""
    for rule in reversed(rules):
        if rule.matches(path, is_dir):
            return not rule.negated
    return False


def translate(pattern: str) -> str:
    """A regular expression (for ``fullmatch``) equivalent to one gitignore-style pattern."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char == "*":
            if pattern.startswith("**", i) and (i == 0 or pattern[i - 1] == "/"):
                after = i + 2
                if after == n:
                    out.append(".*")
                    i = after
                    continue
                if pattern[after] == "/":
                    out.append("(?:.*/)?")
                    i = after + 1
                    continue
            while i < n and pattern[i] == "*":
                i += 1
            out.append("[^/]*")
            continue
        if char == "?":
            out.append("[^/]")
        elif char == "[":
            end = _class_end(pattern, i)
            if end < 0:
                out.append(re.escape(char))
            else:
                body = pattern[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end
        elif char == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def _class_end(pattern: str, start: int) -> int:
    """Index of the ``]`` closing the character class opened at ``start``, or -1."""
    j = start + 1
    if j < len(pattern) and pattern[j] in "!^":
        j += 1
    if j < len(pattern) and pattern[j] == "]":
        j += 1
    end = pattern.find("]", j)
    return end


def expand_braces(pattern: str) -> list[str]:
    """``*.{ts,tsx}`` → ``[*.ts, *.tsx]`` (one level per group, groups may repeat)."""
    match = re.search(r"\{([^{}]*,[^{}]*)\}", pattern)
    if match is None:
        return [pattern]
    head, tail = pattern[: match.start()], pattern[match.end() :]
    expanded: list[str] = []
    for option in match.group(1).split(","):
        expanded.extend(expand_braces(head + option + tail))
    return expanded


@dataclass(frozen=True)
class PathGlob:
    """A file filter such as ``*.py``, ``src/**/*.ts`` or ``*.{js,jsx}``.

    Without a ``/`` the glob matches a file's name at any depth; with one it matches the path
    relative to the project root, ``**`` spanning directories.
    """

    text: str
    regexes: tuple[tuple[re.Pattern[str], bool], ...]

    @classmethod
    def parse(cls, text: str) -> PathGlob:
        compiled = []
        for option in expand_braces(text.strip()):
            anchored = "/" in option.strip("/")
            compiled.append((re.compile(translate(option.strip("/"))), anchored))
        return cls(text, tuple(compiled))

    def matches(self, path: str) -> bool:
        name = path.rsplit("/", 1)[-1]
        return any(
            regex.fullmatch(path if anchored else name) is not None
            for regex, anchored in self.regexes
        )
