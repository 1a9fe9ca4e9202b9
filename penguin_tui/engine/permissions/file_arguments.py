"""Commands that write or read files named in their arguments: ``tee out``, ``sort -o out``,
``dd of=out``, ``cp a b``, ``touch f``."""

from __future__ import annotations

from collections.abc import Sequence

from penguin_tui.engine.permissions.shell_words import Target, Word
from penguin_tui.engine.permissions.unwrapped import (
    Reader,
    Unwrapped,
    command_name,
    names,
    target_of,
)
from penguin_tui.engine.permissions.wrapper_options import each_operand


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
                writes.append(target_of(value))
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
                    file = target_of(rest)
                if letter == "o":
                    writes.append(file)
                break
    return Unwrapped(writes=tuple(writes))


def _dd(argv: Sequence[Word]) -> Unwrapped:
    """``dd if=IN of=OUT`` reads IN and writes OUT."""
    writes = [target_of(word.text[3:]) for word in argv[1:] if word.text.startswith("of=")]
    reads = [target_of(word.text[3:]) for word in argv[1:] if word.text.startswith("if=")]
    return Unwrapped(writes=tuple(writes), reads=tuple(reads))


# Options of cp, mv, install and ln that take a value, short and long.
_COPY_VALUED = "SgmotZ"
_COPY_LONG_VALUED = names("--suffix --target-directory --mode --owner --group --context")


def _copy(argv: Sequence[Word]) -> Unwrapped:
    """``cp``, ``mv``, ``install``, ``ln``: the destination (last operand, or ``-t DIR``)."""
    operands: list[Word] = []
    destinations: list[Target] = []
    for option, word in each_operand(argv, _COPY_VALUED, _COPY_LONG_VALUED):
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
    files = [
        word.target for option, word in each_operand(argv, valued, long_valued) if option is None
    ]
    return Unwrapped(writes=tuple(files))


READERS: dict[str, Reader] = {
    "tee": _tee,
    "sort": _sort,
    "dd": _dd,
    "cp": _copy,
    "mv": _copy,
    "install": _copy,
    "ln": _copy,
    "touch": _touch,
    "truncate": _touch,
}
