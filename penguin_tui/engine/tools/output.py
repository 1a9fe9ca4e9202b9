"""Keeping long text short for the model: head + tail with a marker for what was left out."""

from __future__ import annotations

from collections import deque

from penguin_tui.words import plural


class HeadTailBuffer:
    """Collects streamed text keeping the first and last halves of ``max_chars``.

    Memory stays bounded however much is fed (a ``yes`` loop), and ``text()`` says how many
    characters were dropped from the middle.
    """

    def __init__(self, max_chars: int) -> None:
        self._head_cap = max_chars // 2
        self._tail_cap = max_chars - self._head_cap
        self._head: list[str] = []
        self._head_len = 0
        self._tail: deque[str] = deque()
        self._tail_len = 0
        self.total_chars = 0
        self.newlines = 0
        self._last = ""

    def feed(self, text: str) -> None:
        if not text:
            return
        self.total_chars += len(text)
        self.newlines += text.count("\n")
        self._last = text[-1]
        room = self._head_cap - self._head_len
        if room > 0:
            self._head.append(text[:room])
            self._head_len += min(room, len(text))
            text = text[room:]
        if not text:
            return
        self._tail.append(text)
        self._tail_len += len(text)
        while self._tail and self._tail_len - len(self._tail[0]) >= self._tail_cap:
            self._tail_len -= len(self._tail.popleft())

    @property
    def line_count(self) -> int:
        """Lines in everything fed so far (a last line without newline counts)."""
        if self.total_chars == 0:
            return 0
        return self.newlines + (0 if self._last == "\n" else 1)

    def text(self) -> str:
        head = "".join(self._head)
        tail = "".join(self._tail)
        if self.total_chars <= self._head_cap + self._tail_cap:
            return head + tail
        tail = tail[-self._tail_cap :]
        omitted = self.total_chars - len(head) - len(tail)
        return f"{head}\n… {omitted} characters omitted …\n{tail}"


def cap_head_tail(text: str, max_chars: int) -> str:
    """``text`` unchanged if it fits, else its head and tail around an omission marker."""
    buffer = HeadTailBuffer(max_chars)
    buffer.feed(text)
    return buffer.text()


def format_size(size: int) -> str:
    """``512 bytes``, ``256 KiB``, ``10 MiB`` (rounded down to whole units)."""
    for unit, scale in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if (size >= scale and size % scale == 0) or size >= 10 * scale:
            return f"{size // scale} {unit}"
    return plural(size, "byte")
