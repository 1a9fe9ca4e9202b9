"""What a command runs or touches through its arguments: wrappers, shells, eval, find, tee.

``sudo rm -rf /`` runs ``rm``; ``bash -c '…'`` runs a script; ``tee out`` writes ``out``. The
parser asks :func:`unwrap` about every simple command and judges what comes back too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

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


def names(text: str) -> frozenset[str]:
    """A set of names written as one space-separated string, for compact option tables."""
    return frozenset(text.split())


@dataclass(frozen=True)
class _Options:
    """How a wrapper spells its options, so we can find where its command starts."""

    flags: str = ""
    valued: str = ""
    attached: str = ""
    long_flags: frozenset[str] = field(default_factory=frozenset)
    long_valued: frozenset[str] = field(default_factory=frozenset)
    numeric: bool = False


Seen = list[tuple[str, str | None]]


def command_name(text: str) -> str:
    """``/usr/bin/sudo`` → ``sudo``: wrappers are recognised by their base name."""
    return text.rsplit("/", 1)[-1]


def _scan(argv: Sequence[Word], start: int, spec: _Options) -> tuple[int, Seen]:
    """Skip ``argv[0]``'s options from ``start``: where its command starts, and what was seen."""
    name = command_name(argv[0].text)
    seen: Seen = []
    index = start
    while index < len(argv):
        word = argv[index]
        text = word.text
        if word.dynamic:
            raise ShellParseError(f"{name}: {word.raw} is only known at run time")
        if text == "--":
            return index + 1, seen
        if text.startswith("--"):
            key, equals, value = text.partition("=")
            if key in spec.long_flags:
                seen.append((key, value if equals else None))
                index += 1
            elif key in spec.long_valued:
                if equals:
                    seen.append((key, value))
                    index += 1
                else:
                    if index + 1 >= len(argv):
                        raise ShellParseError(f"{name}: {key} needs a value")
                    seen.append((key, argv[index + 1].text))
                    index += 2
            else:
                raise ShellParseError(f"{name}: unknown option {key}")
            continue
        if not text.startswith("-") or text == "-":
            return index, seen
        if spec.numeric and text[1:].isdigit():
            seen.append(("-n", text[1:]))
            index += 1
            continue
        index += 1
        for position in range(1, len(text)):
            letter = text[position]
            rest = text[position + 1 :]
            if letter in spec.flags:
                seen.append((f"-{letter}", None))
                continue
            if letter in spec.valued:
                if rest:
                    seen.append((f"-{letter}", rest))
                elif index < len(argv):
                    seen.append((f"-{letter}", argv[index].text))
                    index += 1
                else:
                    raise ShellParseError(f"{name}: -{letter} needs a value")
                break
            if letter in spec.attached:
                seen.append((f"-{letter}", rest or None))
                break
            raise ShellParseError(f"{name}: unknown option -{letter}")
    return index, seen


def _options(seen: Seen) -> set[str]:
    return {key for key, _ in seen}


def _values(seen: Seen, *keys: str) -> tuple[Target, ...]:
    """The files named by these options; a value with ``*?[`` may be a glob the shell expands."""
    return tuple(_target(value) for key, value in seen if key in keys and value is not None)


def _target(text: str) -> Target:
    """A file named by an option's value, whose quoting is no longer known: maybe a glob."""
    return Target(text, text if any(char in text for char in "*?[") else None)


def _leading_assignments(words: Sequence[Word]) -> tuple[tuple[str, ...], tuple[Word, ...]]:
    index = 0
    while index < len(words) and words[index].is_assignment:
        index += 1
    return tuple(word.text for word in words[:index]), tuple(words[index:])


def _run(words: Sequence[Word], runtime_args: str | None = None) -> Unwrapped:
    """The wrapper runs ``words`` as a command (leading ``NAME=value`` go to its environment)."""
    assignments, argv = _leading_assignments(words)
    if not argv:
        return NOTHING
    return Unwrapped(commands=(InnerCommand(argv, assignments, runtime_args),))


def _script(words: Sequence[Word], what: str) -> str:
    dynamic = [word.raw for word in words if word.dynamic]
    if dynamic:
        raise ShellParseError(f"{what} runs {dynamic[0]}, which is only known at run time")
    return " ".join(word.text for word in words)


_ENV = _Options(
    flags="i0v",
    valued="uCS",
    long_flags=names(
        "--ignore-environment --null --debug --default-signal --ignore-signal "
        "--block-signal --list-signal-handling"
    ),
    long_valued=names("--unset --chdir --split-string"),
)


def _env(argv: Sequence[Word]) -> Unwrapped:
    start = 1
    while start < len(argv) and argv[start].text == "-":
        start += 1
    index, seen = _scan(argv, start, _ENV)
    if _options(seen) & {"-S", "--split-string"}:
        raise ShellParseError("env -S splits a string into a command, which is not checked")
    assignments, rest = _leading_assignments(argv[index:])
    if not rest:
        return NOTHING
    return Unwrapped(commands=(InnerCommand(rest, assignments),))


_SUDO = _Options(
    flags="AbEeHiKklLnPSsVv",
    valued="CDghpRrTtUu",
    long_flags=names(
        "--askpass --background --edit --preserve-env --set-home --login "
        "--remove-timestamp --reset-timestamp --list --non-interactive "
        "--preserve-groups --stdin --shell --validate --version --help"
    ),
    long_valued=names(
        "--close-from --chdir --group --host --prompt --chroot --role --type "
        "--command-timeout --other-user --user"
    ),
)


def _sudo(argv: Sequence[Word]) -> Unwrapped:
    index, seen = _scan(argv, 1, _SUDO)
    options = _options(seen)
    if options & {"-e", "--edit"}:
        raise ShellParseError("sudo -e edits files as another user, which is not checked")
    if index >= len(argv):
        if options & {"-i", "-s", "--login", "--shell"}:
            return Unwrapped(runtime=("the shell sudo starts, reading commands from its input",))
        return NOTHING
    return _run(argv[index:])


_DOAS = _Options(flags="Lns", valued="uaC")


def _doas(argv: Sequence[Word]) -> Unwrapped:
    index, seen = _scan(argv, 1, _DOAS)
    if index >= len(argv):
        if "-s" in _options(seen):
            return Unwrapped(runtime=("the shell doas starts, reading commands from its input",))
        return NOTHING
    return _run(argv[index:])


_TIMEOUT = _Options(
    flags="v",
    valued="sk",
    long_flags=names("--preserve-status --foreground --verbose"),
    long_valued=names("--signal --kill-after"),
)


def _timeout(argv: Sequence[Word]) -> Unwrapped:
    index, _ = _scan(argv, 1, _TIMEOUT)
    return _run(argv[index + 1 :])


def _nice(argv: Sequence[Word]) -> Unwrapped:
    spec = _Options(valued="n", numeric=True, long_valued=names("--adjustment"))
    index, _ = _scan(argv, 1, spec)
    return _run(argv[index:])


def _plain(argv: Sequence[Word]) -> Unwrapped:
    """``nohup``, ``builtin``: the rest is the command."""
    index, _ = _scan(argv, 1, _Options(long_flags=names("--help --version")))
    return _run(argv[index:])


_TIME = _Options(
    flags="pvqa",
    valued="fo",
    long_flags=names("--portability --verbose --quiet --append"),
    long_valued=names("--format --output"),
)


def _time(argv: Sequence[Word]) -> Unwrapped:
    index, seen = _scan(argv, 1, _TIME)
    inner = _run(argv[index:])
    return Unwrapped(commands=inner.commands, writes=_values(seen, "-o", "--output"))


def _command(argv: Sequence[Word]) -> Unwrapped:
    index, seen = _scan(argv, 1, _Options(flags="pvV"))
    if _options(seen) & {"-v", "-V"}:
        return NOTHING  # only looks the name up
    return _run(argv[index:])


def _exec(argv: Sequence[Word]) -> Unwrapped:
    index, _ = _scan(argv, 1, _Options(flags="cl", valued="a"))
    return _run(argv[index:])


_STDBUF = _Options(valued="ioe", long_valued=names("--input --output --error"))


def _stdbuf(argv: Sequence[Word]) -> Unwrapped:
    index, _ = _scan(argv, 1, _STDBUF)
    return _run(argv[index:])


_WATCH = _Options(
    flags="bcCdeghprtwx",
    valued="nq",
    long_flags=names(
        "--beep --color --no-color --differences --errexit --chgexit --precise "
        "--no-title --no-wrap --no-rerun --exec --help --version"
    ),
    long_valued=names("--interval --equexit"),
)


def _watch(argv: Sequence[Word]) -> Unwrapped:
    index, seen = _scan(argv, 1, _WATCH)
    rest = argv[index:]
    if not rest:
        return NOTHING
    if _options(seen) & {"-x", "--exec"}:
        return _run(rest)
    return Unwrapped(scripts=(_script(rest, "watch"),))  # watch hands its words to sh -c


_XARGS = _Options(
    flags="0rtpxo",
    valued="adEILnPs",
    attached="eil",
    long_flags=names(
        "--null --no-run-if-empty --verbose --interactive --exit --open-tty "
        "--show-limits --eof --replace --max-lines"
    ),
    long_valued=names(
        "--arg-file --delimiter --max-args --max-procs --max-chars --process-slot-var"
    ),
)


def _xargs(argv: Sequence[Word]) -> Unwrapped:
    index, seen = _scan(argv, 1, _XARGS)
    rest = argv[index:] or (Word.literal("echo"),)
    inner = _run(rest, runtime_args="the arguments xargs reads from its input")
    return Unwrapped(commands=inner.commands, reads=_values(seen, "-a", "--arg-file"))


_FIND_EXEC = names("-exec -execdir -ok -okdir")
_FIND_WRITES = {"-fprint": 1, "-fprint0": 1, "-fls": 1, "-fprintf": 2}


def _find(argv: Sequence[Word]) -> Unwrapped:
    commands: list[InnerCommand] = []
    writes: list[Target] = []
    reads: list[Target] = []
    index = 1
    while index < len(argv):
        text = argv[index].text
        if text in _FIND_EXEC:
            start = end = index + 1
            while end < len(argv):
                word = argv[end].text
                if word == ";" or (word == "+" and end > start and argv[end - 1].text == "{}"):
                    break
                end += 1
            else:
                raise ShellParseError(f"find {text} has no closing ; or +")
            inner = argv[start:end]
            if not inner:
                raise ShellParseError(f"find {text} has no command")
            uses_paths = any("{}" in word.text for word in inner)
            runtime = "the paths find puts in {}" if uses_paths else None
            commands.extend(_run(inner, runtime).commands)
            index = end + 1
        elif text in _FIND_WRITES:
            if index + 1 >= len(argv):
                raise ShellParseError(f"find {text} needs a file")
            writes.append(argv[index + 1].target)
            index += 1 + _FIND_WRITES[text]
        elif text == "-files0-from" and index + 1 < len(argv):
            reads.append(argv[index + 1].target)
            index += 2
        else:
            index += 1
    return Unwrapped(commands=tuple(commands), writes=tuple(writes), reads=tuple(reads))


def _tee(argv: Sequence[Word]) -> Unwrapped:
    files: list[Target] = []
    options_done = False
    for word in argv[1:]:
        if not options_done and word.text == "--":
            options_done = True
        elif not options_done and word.text.startswith("-") and word.text != "-":
            continue
        else:
            files.append(word.target)
    return Unwrapped(writes=tuple(files))


def _sort(argv: Sequence[Word]) -> Unwrapped:
    """``sort -o FILE`` (``-oFILE``, ``--output[=]FILE``) writes FILE."""
    writes: list[Target] = []
    index = 1
    while index < len(argv):
        text = argv[index].text
        index += 1
        if text == "--":
            break
        if text.startswith("--output"):
            key, equals, value = text.partition("=")
            if key != "--output":
                continue
            if equals:
                writes.append(_target(value))
            elif index < len(argv):
                writes.append(argv[index].target)
                index += 1
            continue
        if not text.startswith("-") or text.startswith("--") or text == "-":
            continue
        for position in range(1, len(text)):
            letter, rest = text[position], text[position + 1 :]
            if letter in "ktST" or letter == "o":
                if not rest and index < len(argv):
                    file = argv[index].target
                    index += 1
                else:
                    file = _target(rest)
                if letter == "o":
                    writes.append(file)
                break
    return Unwrapped(writes=tuple(writes))


def _dd(argv: Sequence[Word]) -> Unwrapped:
    """``dd if=IN of=OUT`` reads IN and writes OUT."""
    writes = [_target(word.text[3:]) for word in argv[1:] if word.text.startswith("of=")]
    reads = [_target(word.text[3:]) for word in argv[1:] if word.text.startswith("if=")]
    return Unwrapped(writes=tuple(writes), reads=tuple(reads))


# Options of cp, mv, install and ln that take a value, short and long.
_COPY_VALUED = "SgmotZ"
_COPY_LONG_VALUED = names("--suffix --target-directory --mode --owner --group --context")


def _operands(
    argv: Sequence[Word], short_valued: str, long_valued: frozenset[str]
) -> Iterator[tuple[str | None, Word]]:
    """Each operand (option None) and each option's value (with its option), in order."""
    index = 1
    options_done = False
    while index < len(argv):
        word = argv[index]
        text = word.text
        index += 1
        if options_done or not text.startswith("-") or text == "-":
            yield None, word
            continue
        if text == "--":
            options_done = True
            continue
        if text.startswith("--"):
            key, equals, value = text.partition("=")
            if key in long_valued:
                if equals:
                    yield key, Word.literal(value)
                elif index < len(argv):
                    yield key, argv[index]
                    index += 1
            continue
        for position in range(1, len(text)):
            letter, rest = text[position], text[position + 1 :]
            if letter in short_valued:
                if rest:
                    yield f"-{letter}", Word.literal(rest)
                elif index < len(argv):
                    yield f"-{letter}", argv[index]
                    index += 1
                break


def _copy(argv: Sequence[Word]) -> Unwrapped:
    """``cp``, ``mv``, ``install``, ``ln``: the destination (last operand, or ``-t DIR``)."""
    operands: list[Word] = []
    destinations: list[Target] = []
    for option, word in _operands(argv, _COPY_VALUED, _COPY_LONG_VALUED):
        if option is None:
            operands.append(word)
        elif option in ("-t", "--target-directory"):
            destinations.append(word.target)
    if not destinations and len(operands) >= 2:
        destinations.append(operands[-1].target)
    return Unwrapped(writes=tuple(destinations))


def _touch(argv: Sequence[Word]) -> Unwrapped:
    """``touch`` and ``truncate`` change every file they name."""
    valued = "rdts" if command_name(argv[0].text) == "touch" else "rs"
    long_valued = names("--reference --date --size")
    files = [word.target for option, word in _operands(argv, valued, long_valued) if option is None]
    return Unwrapped(writes=tuple(files))


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
        return Unwrapped(scripts=(_script(rest[:1], f"{name} -c"),))
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
    return Unwrapped(scripts=(_script(argv[1:], "eval"),))


_INTERPRETER = re.compile(r"(python[0-9.]*|perl[0-9.]*|ruby|node|nodejs|php|lua[0-9.]*|Rscript)")


def _interpreter(argv: Sequence[Word]) -> Unwrapped:
    """An interpreter with no program reads one from its input, as in ``curl … | python``."""
    if len(argv) == 1 or [word.text for word in argv[1:]] == ["-"]:
        name = command_name(argv[0].text)
        return Unwrapped(runtime=(f"the program {name} reads from its input",))
    return NOTHING


_HANDLERS: dict[str, Callable[[Sequence[Word]], Unwrapped]] = {
    "env": _env,
    "sudo": _sudo,
    "doas": _doas,
    "timeout": _timeout,
    "nice": _nice,
    "nohup": _plain,
    "builtin": _plain,
    "time": _time,
    "command": _command,
    "exec": _exec,
    "stdbuf": _stdbuf,
    "watch": _watch,
    "xargs": _xargs,
    "find": _find,
    "tee": _tee,
    "sort": _sort,
    "dd": _dd,
    "cp": _copy,
    "mv": _copy,
    "install": _copy,
    "ln": _copy,
    "touch": _touch,
    "truncate": _touch,
    "eval": _eval,
}


def unwrap(argv: Sequence[Word]) -> Unwrapped:
    """What ``argv`` runs or touches besides itself; raises ``ShellParseError`` when unsure."""
    name = command_name(argv[0].text)
    handler = _HANDLERS.get(name)
    if handler is not None:
        return handler(argv)
    if name in _SHELLS:
        return _shell(argv)
    if name in _OTHER_SHELLS:
        return _other_shell(argv)
    if _INTERPRETER.fullmatch(name):
        return _interpreter(argv)
    return NOTHING
