"""How a command spells its options: where its operands (or the command it runs) start,
and which option values name files."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from penguin_tui.engine.permissions.shell_words import ShellParseError, Target, Word
from penguin_tui.engine.permissions.unwrapped import command_name, target_of


@dataclass(frozen=True)
class Options:
    """How a wrapper spells its options, so we can find where its command starts."""

    flags: str = ""
    valued: str = ""
    attached: str = ""
    long_flags: frozenset[str] = field(default_factory=frozenset)
    long_valued: frozenset[str] = field(default_factory=frozenset)
    numeric: bool = False


Seen = list[tuple[str, str | None]]


def scan(argv: Sequence[Word], start: int, spec: Options) -> tuple[int, Seen]:
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


def option_keys(seen: Seen) -> set[str]:
    """The options seen, without their values."""
    return {key for key, _ in seen}


def values_of(seen: Seen, *keys: str) -> tuple[Target, ...]:
    """The files named by these options; a value with ``*?[`` may be a glob the shell expands."""
    return tuple(target_of(value) for key, value in seen if key in keys and value is not None)


def each_operand(
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
