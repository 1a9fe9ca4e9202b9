"""Judging one ``run_shell`` command line: every simple command, and every file it touches.

The line is parsed into simple commands; each is matched against the rules (its own text, and
stricter-only views of it), its path arguments are resolved, what it writes is judged like a
``write_file`` and what it reads like a ``read_file``. The answer is the strictest of all parts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from penguin_tui.engine.permissions.globs import has_magic
from penguin_tui.engine.permissions.models import Action, Decision, Mode, strictest
from penguin_tui.engine.permissions.paths import (
    HARMLESS_DEVICES,
    ProjectPaths,
    can_name_a_file,
    shown_path,
)
from penguin_tui.engine.permissions.reach import (
    follows_links_recursively,
    links_out_of_reach,
    reads_git_folder,
)
from penguin_tui.engine.permissions.rules import RuleBook, stronger
from penguin_tui.engine.permissions.shell import (
    ShellParseError,
    SimpleCommand,
    Target,
    parse_shell,
)
from penguin_tui.engine.permissions.wrappers import command_name, names

SHELL_TOOL = "run_shell"
# Commands that remove or change what they are given, in place.
DESTRUCTIVE = frozenset(
    {
        "rm",
        "rmdir",
        "unlink",
        "shred",
        "srm",
        "wipe",
        "mv",
        "chmod",
        "chown",
        "chgrp",
        "truncate",
    }
)
# Commands that create, rename or link no file (apart from what their redirections and known
# output options write, which are judged on their own). Wrappers are here because the command
# they run is judged as a command of its own.
KEEPS_FILES = names(
    "cat echo printf ls grep egrep fgrep rg head tail wc sort uniq cut tr pwd true false test [ "
    "stat file diff cmp basename dirname realpath readlink date whoami id uname printenv which "
    "type nl od hexdump xxd sha1sum sha256sum sha512sum md5sum cksum seq sleep column fold fmt "
    "paste join comm rev tac jq cd pushd popd : env nice nohup timeout time command stdbuf "
    "builtin sudo doas"
)
EDIT_TOOLS = frozenset({"write_file", "edit_file"})
# Options whose value is a name pattern to skip or keep, not a path (grep, rsync, tar, du).
_NAME_PATTERN_OPTIONS = names("--exclude --exclude-dir --include --include-dir")
_LABEL_WIDTH = 60
# Where an unreadable line is cut into pieces that deny rules are still matched against.
_PIECES = re.compile(r"\$\(|[;&|()\n`{}]")
_KEYWORDS = frozenset({"if", "then", "else", "elif", "while", "until", "do", "!", "time"})


class FileJudge(Protocol):
    """How the policy judges a file tool on one path, reused for what a command writes or reads."""

    def __call__(self, tool: str, text: str, cwd: Path) -> Decision: ...


@dataclass(frozen=True)
class ShellJudge:
    """Judges ``run_shell`` command lines for one policy."""

    mode: Mode
    mode_label: str
    rules: RuleBook
    paths: ProjectPaths
    judge_file: FileJudge

    def check(self, command: str) -> Decision:
        if "\0" in command:
            return Decision(
                Action.DENY, "the command contains a NUL byte, which no shell command can hold"
            )
        line = command.strip()
        whole = self.rules.strongest({SHELL_TOOL}, [line], tighten_only=True)
        if whole is not None and whole.rule.action is Action.DENY:
            return whole.decision()
        try:
            parts = parse_shell(command)
        except ShellParseError as error:
            return self._unreadable(line, error)
        if not parts:
            return Decision(Action.ASK, "the command is empty")
        directories = self._working_directories(parts)
        decisions = [whole.decision()] if whole is not None else []
        rewired = _changes_glob_rules(line, parts)
        for index, part in enumerate(parts):
            others = [other for position, other in enumerate(parts) if position != index]
            changing = _changes_files(others)
            verdict = self._judge_part(part, directories, changing, rewired)
            decisions.append(verdict.labelled(_label(part)) if len(parts) > 1 else verdict)
        return strictest(decisions)

    def _unreadable(self, line: str, error: ShellParseError) -> Decision:
        """Ask (deny in read-only) — unless what could be read, or a piece of it, is denied."""
        for part in error.partial:
            verdict = self._command_rule_or_mode(part)
            if verdict.action is Action.DENY and self.mode is not Mode.READ_ONLY:
                return verdict.labelled(_label(part))
        denied = self.rules.strongest({SHELL_TOOL}, list(_pieces(line)), tighten_only=True)
        if denied is not None and denied.rule.action is Action.DENY:
            return denied.decision()
        if self.mode is Mode.READ_ONLY:
            return Decision(Action.DENY, f"{self.mode_label}: cannot check this command ({error})")
        return Decision(Action.ASK, f"cannot check this command: {error}")

    def _judge_part(
        self,
        part: SimpleCommand,
        directories: Sequence[Path],
        changing: str | None = None,
        rewired: str | None = None,
    ) -> Decision:
        """``changing`` names another command of the line that may create or rename files;
        ``rewired`` what in the line changes how bash matches globs (``shopt``, ``GLOBIGNORE``).
        """
        decisions: list[Decision] = []
        for value in part.runtime:
            shown = _shorten(value)
            decisions.append(
                Decision(
                    Action.ASK,
                    f"depends on {shown}, known only when it runs: asked in every mode",
                )
            )
        if rewired is not None and _has_globs(part):
            decisions.append(
                Decision(
                    Action.ASK,
                    f"{rewired} changes what its globs match: known only when it runs, asked in "
                    "every mode",
                )
            )
        decisions.extend(self._path_caps(part, directories))
        decisions.extend(self._reach_caps(part, directories))
        for target in part.writes:
            decisions.extend(self._judge_target("write_file", target, directories, changing))
        for source in part.reads:
            decisions.extend(self._judge_target("read_file", source, directories, changing))
        command = self._command_rule_or_mode(part)
        verdict = strictest([*decisions, command])
        return command if verdict.action is Action.ALLOW else verdict

    def _judge_target(
        self, tool: str, target: Target, directories: Sequence[Path], changing: str | None
    ) -> Iterator[Decision]:
        """A file the shell opens, judged like the file tool: by name, and by what a glob names.

        bash expands a glob in a redirection (or a writer's file operand) when it names exactly
        one entry, and keeps the text as it is when it names none. Expanding it here is only as
        good as the moment it is done, so a glob is asked unless it names exactly one entry now
        and no other command of the line could create, rename or link files first.
        """
        verb = "writes" if tool == "write_file" else "reads"
        shown = _shorten(target.text)
        for cwd in directories:
            names: list[str] = []
            if target.pattern is not None:
                matches = self.paths.expand(target.pattern, cwd)
                if changing is not None:
                    yield Decision(
                        Action.ASK,
                        f"{verb} {shown}, a glob that {changing} may change before it is "
                        "opened: asked in every mode",
                    )
                elif matches is None or len(matches) != 1:
                    count = "cannot be matched" if matches is None else _how_many(matches)
                    yield Decision(
                        Action.ASK,
                        f"{verb} {shown}, a glob that {count}: known only when it runs, asked in "
                        "every mode",
                    )
                if matches is not None and len(matches) == 1:
                    names.append(matches[0])  # first: a cap on what it names shows first
            names.append(target.text)
            for name in names:
                if name not in HARMLESS_DEVICES:
                    yield _about(self.judge_file(tool, name, cwd), verb, name)

    def _reach_caps(self, part: SimpleCommand, directories: Sequence[Path]) -> Iterator[Decision]:
        """A recursive command that follows symlinks must not be led outside or into .git."""
        if not part.argv:
            return
        for cwd in directories:
            found = reads_git_folder(self.paths, part.argv, cwd)
            if found is not None:
                yield Decision(Action.ASK, f"{found}: asked in every mode")
                break
        if not follows_links_recursively(part.argv):
            return
        name = command_name(part.argv[0])
        for cwd in directories:  # the folder it starts from, whatever its operands say
            found = links_out_of_reach(self.paths, cwd)
            if found is not None:
                yield Decision(Action.ASK, f"{name} {found}: asked in every mode")
                return

    def _command_rule_or_mode(self, part: SimpleCommand) -> Decision:
        if not part.argv and not part.assignments:
            return Decision(Action.ALLOW, "a redirection on its own runs nothing")
        text = " ".join(part.assignments + part.argv)
        rule = self.rules.strongest({SHELL_TOOL}, [text])
        views: list[str] = []
        if part.assignments and part.argv:
            views.append(part.text)
        if part.argv and "/" in part.argv[0]:
            views.append(" ".join((command_name(part.argv[0]), *part.argv[1:])))
        if views:
            rule = stronger(rule, self.rules.strongest({SHELL_TOOL}, views, tighten_only=True))
        if self.mode is Mode.READ_ONLY:
            # A deny, or an allow from the user or the session (a project's allows are dropped).
            if rule is not None and rule.rule.action is not Action.ASK:
                return rule.decision()
            return Decision(
                Action.DENY,
                f"{self.mode_label}: shell commands are denied unless a user or session rule "
                "allows them",
            )
        if rule is not None:
            return rule.decision()
        if self.mode is Mode.FULL:
            return Decision(Action.ALLOW, f"{self.mode_label}: everything is allowed")
        return Decision(Action.ASK, f"{self.mode_label}: shell commands are asked")

    def _path_caps(self, part: SimpleCommand, directories: Sequence[Path]) -> Iterator[Decision]:
        name = command_name(part.argv[0]) if part.argv else ""
        destructive = name in DESTRUCTIVE
        may_write = bool(part.argv) and name not in KEEPS_FILES
        for argument, pattern in _path_arguments(part):
            for cwd in directories:
                for checked in self.paths.check_all(argument, pattern, cwd):
                    # Whether a command writes what an argument names is not known: count it.
                    if checked.concern_for(writing=True) is not None:
                        yield Decision(Action.ASK, checked.reason_for(writing=True))
                        continue
                    resolved = checked.resolved
                    if resolved is None:
                        continue
                    if destructive and self.paths.holds_guarded(resolved):
                        yield Decision(
                            Action.ASK,
                            f"{part.argv[0]} {checked.text} reaches the whole project, its .git or "
                            "penguin-tui's data: asked in every mode",
                        )
                    if resolved.exists():
                        rule = self.rules.strongest(
                            {"read_file"}, [checked.subject], tighten_only=True
                        )
                        if rule is not None:
                            yield rule.decision().labelled(f"names {_shorten(argument)}")
                    if may_write:  # sed -i, rm, curl -o, git checkout…: it may change the file
                        rule = self.rules.strongest(
                            EDIT_TOOLS, [checked.subject], tighten_only=True
                        )
                        if rule is not None:
                            yield rule.decision().labelled(f"names {_shorten(argument)}")

    def _working_directories(self, parts: Sequence[SimpleCommand]) -> list[Path]:
        """The project root and every directory the line changes to: paths resolve against all."""
        directories = [self.paths.root]
        for part in parts:
            if not part.argv:
                continue
            name = command_name(part.argv[0])
            targets: list[str | None] = []
            if name in ("cd", "pushd", "popd"):
                operands = [word for word in part.argv[1:] if not word.startswith("-")]
                if name == "popd" or part.runtime or "-" in part.argv[1:]:
                    targets.append(None)
                else:
                    targets.append(operands[0] if operands else "~")
            elif name == "env":
                targets.extend(_env_directories(part.argv))
            for target in targets:
                directory = self.paths.working_directory(target)
                if directory not in directories:
                    directories.append(directory)
        return directories


def _env_directories(argv: Sequence[str]) -> Iterator[str]:
    for index, word in enumerate(argv):
        if word in ("-C", "--chdir") and index + 1 < len(argv):
            yield argv[index + 1]
        elif word.startswith("--chdir="):
            yield word.partition("=")[2]
        elif word.startswith("-C") and len(word) > 2:
            yield word[2:]


def _path_arguments(part: SimpleCommand) -> Iterator[tuple[str, str | None]]:
    """Every word that could name a file, with its glob: operands, ``--opt=VALUE`` and
    ``NAME=VALUE`` values. A word the kernel refuses as a path is left out, unless it is a glob
    (which bash may expand to a short name)."""
    words = [(word, part.pattern_of(index)) for index, word in enumerate(part.argv)][1:]
    if part.argv and "/" in part.argv[0]:
        words.insert(0, (part.argv[0], None))
    for assignment in part.assignments:  # PATH=a:~/b — bash expands ~ after each colon
        words.extend((piece, None) for piece in assignment.partition("=")[2].split(":"))
    for word, pattern in words:
        if word in ("", "-", "--") or (pattern is None and not can_name_a_file(word)):
            continue
        key, _, value = word.partition("=")
        if key in _NAME_PATTERN_OPTIONS:
            continue  # grep --exclude-dir=.git: a name to leave out, not a path
        if not word.startswith("-"):
            yield word, pattern
        if value:
            value_pattern = pattern.partition("=")[2] if pattern is not None else None
            yield value, value_pattern if value_pattern and has_magic(value_pattern) else None


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _LABEL_WIDTH else text[: _LABEL_WIDTH - 1] + "…"


def _label(part: SimpleCommand) -> str:
    text = " ".join(part.assignments + part.argv)
    if not text:
        writes = (f"> {target.text}" for target in part.writes)
        text = " ".join([*writes, *(f"< {source.text}" for source in part.reads)])
    return _shorten(text or "redirection")


def _how_many(matches: Sequence[str]) -> str:
    return "matches no file" if not matches else "matches several files"


def _has_globs(part: SimpleCommand) -> bool:
    targets = (*part.writes, *part.reads)
    return any(pattern is not None for pattern in part.patterns) or any(
        target.is_glob for target in targets
    )


def _changes_glob_rules(line: str, parts: Sequence[SimpleCommand]) -> str | None:
    """What in the line makes bash match globs differently from the usual rules, if anything.

    ``shopt -s dotglob`` lets ``*`` match ``.env`` and ``.git``; ``GLOBIGNORE=…`` does too (and
    drops names); ``BASHOPTS`` sets the options of a ``bash`` the line starts.
    """
    for name in ("GLOBIGNORE", "BASHOPTS"):
        if name in line:
            return name
    if any(part.argv and command_name(part.argv[0]) == "shopt" for part in parts):
        return "shopt"
    return None


def _changes_files(others: Sequence[SimpleCommand]) -> str | None:
    """The first of ``others`` that may create, rename or link files, shown for a reason."""
    for other in others:
        writes = [target for target in other.writes if target.text not in HARMLESS_DEVICES]
        name = command_name(other.argv[0]) if other.argv else ""
        if writes or (other.argv and name not in KEEPS_FILES):
            return _shorten(" ".join(other.argv) or _label(other))
    return None


def _about(verdict: Decision, verb: str, path: str) -> Decision:
    """Say which file a write or read verdict is about, unless its reason already names it."""
    if verdict.reason.startswith(f"{shown_path(path)} "):
        return verdict
    return verdict.labelled(f"{verb} {_shorten(path)}")


def _pieces(line: str) -> Iterator[str]:
    """Rough commands of a line the parser refused: cut at operators, keywords dropped."""
    for piece in _PIECES.split(line):
        words = piece.split()
        while words and words[0] in _KEYWORDS:
            words.pop(0)
        if words:
            yield " ".join(words)
