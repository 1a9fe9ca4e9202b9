"""Finding the lines of a file most like a snippet the model thought was there.

When ``edit_file``'s ``old`` text is not found, showing the closest window of lines (with
line numbers) lets the model copy the real text instead of guessing again.

Similarity is measured on tokens (words and punctuation, whitespace ignored): a sliding
multiset overlap scores every window in one pass over the file, then difflib ranks the best
few by token order.
"""

from __future__ import annotations

import difflib
import heapq
import re
from collections import Counter
from dataclasses import dataclass

from penguin_tui.engine.tools.textfiles import split_lines

_CANDIDATES = 20
_TOKEN = re.compile(r"\w+|[^\w\s]")


@dataclass(frozen=True)
class NearestMatch:
    """A window of the file's lines (1-based, inclusive) and how similar it is (0..1)."""

    start_line: int
    end_line: int
    similarity: float
    lines: tuple[str, ...]
    whitespace_only: bool = False
    """True when the window equals the snippet once runs of whitespace are ignored."""


def nearest_match(text: str, snippet: str) -> NearestMatch | None:
    """The window of ``len(snippet lines)`` lines of ``text`` most similar to ``snippet``."""
    lines = split_lines(text)
    wanted = split_lines(snippet) or [snippet]
    if not lines:
        return None
    size = min(len(wanted), len(lines))
    line_tokens = [_TOKEN.findall(line) for line in lines]
    wanted_tokens = [token for line in wanted for token in _TOKEN.findall(line)]
    scorer: difflib.SequenceMatcher[str] = difflib.SequenceMatcher(autojunk=False)
    scorer.set_seq2(wanted_tokens)
    best_start, best_ratio = 0, -1.0
    for start in _overlap_candidates(line_tokens, wanted_tokens, size):
        scorer.set_seq1([token for line in line_tokens[start : start + size] for token in line])
        ratio = scorer.ratio()
        if ratio > best_ratio or (ratio == best_ratio and start < best_start):
            best_start, best_ratio = start, ratio
    window = tuple(lines[best_start : best_start + size])
    window_tokens = [
        token for line in line_tokens[best_start : best_start + size] for token in line
    ]
    same = window_tokens == wanted_tokens and "\n".join(window) != snippet
    return NearestMatch(best_start + 1, best_start + size, max(best_ratio, 0.0), window, same)


def _overlap_candidates(line_tokens: list[list[str]], wanted: list[str], size: int) -> list[int]:
    """Window starts with the largest token overlap with ``wanted``, in one sliding pass."""
    need = Counter(wanted)
    have: Counter[str] = Counter()
    shared = 0
    length = 0
    scored: list[tuple[float, int]] = []

    def add(tokens: list[str], sign: int) -> None:
        nonlocal shared, length
        for token in tokens:
            if sign > 0:
                if have[token] < need[token]:
                    shared += 1
                have[token] += 1
            else:
                have[token] -= 1
                if have[token] < need[token]:
                    shared -= 1
        length += sign * len(tokens)

    for end, tokens in enumerate(line_tokens):
        add(tokens, 1)
        if end >= size:
            add(line_tokens[end - size], -1)
        if end >= size - 1:
            total = length + len(wanted)
            scored.append((2 * shared / total if total else 1.0, -(end - size + 1)))
    return [-negative for _, negative in heapq.nlargest(_CANDIDATES, scored)]
