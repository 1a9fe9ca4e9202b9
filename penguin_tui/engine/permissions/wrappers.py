"""What a command runs or touches through its arguments: wrappers, shells, eval, find, tee.

``sudo rm -rf /`` runs ``rm``; ``bash -c '…'`` runs a script; ``tee out`` writes ``out``. The
parser asks :func:`unwrap` about every simple command and judges what comes back too. The
wrappers (commands that run another command given as their arguments) are read here; shells
and interpreters in :mod:`shells`, commands that write the files they name in
:mod:`file_arguments`.
"""

from __future__ import annotations

from collections.abc import Sequence

from penguin_tui.engine.permissions import file_arguments, shells
from penguin_tui.engine.permissions.shell_words import ShellParseError, Target, Word
from penguin_tui.engine.permissions.unwrapped import (
    NOTHING,
    InnerCommand,
    Reader,
    Unwrapped,
    command_name,
    leading_assignments,
    names,
    runs,
    script_of,
)
from penguin_tui.engine.permissions.wrapper_options import Options, option_keys, scan, values_of

__all__ = ["InnerCommand", "Unwrapped", "command_name", "names", "unwrap"]


_ENV = Options(
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
    index, seen = scan(argv, start, _ENV)
    if option_keys(seen) & {"-S", "--split-string"}:
        raise ShellParseError("env -S splits a string into a command, which is not checked")
    assignments, rest = leading_assignments(argv[index:])
    if not rest:
        return NOTHING
    return Unwrapped(commands=(InnerCommand(rest, assignments),))


_SUDO = Options(
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
    index, seen = scan(argv, 1, _SUDO)
    options = option_keys(seen)
    if options & {"-e", "--edit"}:
        raise ShellParseError("sudo -e edits files as another user, which is not checked")
    if index >= len(argv):
        if options & {"-i", "-s", "--login", "--shell"}:
            return Unwrapped(runtime=("the shell sudo starts, reading commands from its input",))
        return NOTHING
    return runs(argv[index:])


_DOAS = Options(flags="Lns", valued="uaC")


def _doas(argv: Sequence[Word]) -> Unwrapped:
    index, seen = scan(argv, 1, _DOAS)
    if index >= len(argv):
        if "-s" in option_keys(seen):
            return Unwrapped(runtime=("the shell doas starts, reading commands from its input",))
        return NOTHING
    return runs(argv[index:])


_TIMEOUT = Options(
    flags="v",
    valued="sk",
    long_flags=names("--preserve-status --foreground --verbose"),
    long_valued=names("--signal --kill-after"),
)


def _timeout(argv: Sequence[Word]) -> Unwrapped:
    index, _ = scan(argv, 1, _TIMEOUT)
    return runs(argv[index + 1 :])


def _nice(argv: Sequence[Word]) -> Unwrapped:
    spec = Options(valued="n", numeric=True, long_valued=names("--adjustment"))
    index, _ = scan(argv, 1, spec)
    return runs(argv[index:])


def _plain(argv: Sequence[Word]) -> Unwrapped:
    """``nohup``, ``builtin``: the rest is the command."""
    index, _ = scan(argv, 1, Options(long_flags=names("--help --version")))
    return runs(argv[index:])


_TIME = Options(
    flags="pvqa",
    valued="fo",
    long_flags=names("--portability --verbose --quiet --append"),
    long_valued=names("--format --output"),
)


def _time(argv: Sequence[Word]) -> Unwrapped:
    index, seen = scan(argv, 1, _TIME)
    inner = runs(argv[index:])
    return Unwrapped(commands=inner.commands, writes=values_of(seen, "-o", "--output"))


def _command(argv: Sequence[Word]) -> Unwrapped:
    index, seen = scan(argv, 1, Options(flags="pvV"))
    if option_keys(seen) & {"-v", "-V"}:
        return NOTHING  # only looks the name up
    return runs(argv[index:])


def _exec(argv: Sequence[Word]) -> Unwrapped:
    index, _ = scan(argv, 1, Options(flags="cl", valued="a"))
    return runs(argv[index:])


_STDBUF = Options(valued="ioe", long_valued=names("--input --output --error"))


def _stdbuf(argv: Sequence[Word]) -> Unwrapped:
    index, _ = scan(argv, 1, _STDBUF)
    return runs(argv[index:])


_WATCH = Options(
    flags="bcCdeghprtwx",
    valued="nq",
    long_flags=names(
        "--beep --color --no-color --differences --errexit --chgexit --precise "
        "--no-title --no-wrap --no-rerun --exec --help --version"
    ),
    long_valued=names("--interval --equexit"),
)


def _watch(argv: Sequence[Word]) -> Unwrapped:
    index, seen = scan(argv, 1, _WATCH)
    rest = argv[index:]
    if not rest:
        return NOTHING
    if option_keys(seen) & {"-x", "--exec"}:
        return runs(rest)
    return Unwrapped(scripts=(script_of(rest, "watch"),))  # watch hands its words to sh -c


_XARGS = Options(
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
    index, seen = scan(argv, 1, _XARGS)
    rest = argv[index:] or (Word.literal("echo"),)
    inner = runs(rest, runtime_args="the arguments xargs reads from its input")
    return Unwrapped(commands=inner.commands, reads=values_of(seen, "-a", "--arg-file"))


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
            commands.extend(runs(inner, runtime).commands)
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


_READERS: dict[str, Reader] = {
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
    **file_arguments.READERS,
}


def unwrap(argv: Sequence[Word]) -> Unwrapped:
    """What ``argv`` runs or touches besides itself; raises ``ShellParseError`` when unsure."""
    name = command_name(argv[0].text)
    reader = _READERS.get(name)
    if reader is not None:
        return reader(argv)
    program = shells.program_of(argv)
    return NOTHING if program is None else program
