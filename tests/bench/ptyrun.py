"""Run a full-screen program in a pseudo-terminal and time its first painted frame.

The program is expected to exit right after its first frame (``PENGUIN_EXIT_AFTER_FIRST_FRAME``
or ``call_after_refresh(self.exit)``). The frame is the last screen write (a cursor-position
sequence) before the program leaves the alternate screen; its arrival time on the terminal
side, counted from just before the process is spawned, is the time to first frame.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

COLUMNS, LINES = 120, 36
CURSOR_POSITION = re.compile(rb"\x1b\[\d+;\d+H")
LEAVE_ALT_SCREEN = b"\x1b[?1049l"


@dataclass(frozen=True)
class PtyRun:
    first_frame_s: float
    exit_s: float
    returncode: int
    output_bytes: int


class PtyRunError(RuntimeError):
    """The program failed, hung, or painted nothing."""


def terminal_env(extra: Mapping[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(TERM="xterm-256color", COLUMNS=str(COLUMNS), LINES=str(LINES))
    env.update(extra)
    return env


def _frame_time(chunks: list[tuple[float, int]], output: bytes) -> float:
    end = output.find(LEAVE_ALT_SCREEN)
    if end < 0:
        end = len(output)
    last = None
    for match in CURSOR_POSITION.finditer(output, 0, end):
        last = match
    if last is None:
        raise PtyRunError("no frame was painted")
    for arrived, offset in chunks:
        if offset >= last.end():
            return arrived
    raise PtyRunError("frame offset beyond the output")  # pragma: no cover - cannot happen


def run_in_pty(
    argv: Sequence[str], env: Mapping[str, str], cwd: str | None = None, timeout_s: float = 60.0
) -> PtyRun:
    """Spawn ``argv`` with a pty as its terminal, drain it, and time the first frame."""
    primary, secondary = os.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    output = bytearray()
    chunks: list[tuple[float, int]] = []
    started = time.perf_counter()
    process = subprocess.Popen(
        list(argv),
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env=dict(env),
        cwd=cwd,
        start_new_session=True,
        close_fds=True,
    )
    os.close(secondary)
    try:
        while True:
            if time.perf_counter() - started > timeout_s:
                os.killpg(process.pid, signal.SIGKILL)
                raise PtyRunError(f"{argv[0]} did not exit within {timeout_s:.0f}s")
            ready, _, _ = select.select([primary], [], [], 0.1)
            if not ready:
                continue
            try:
                data = os.read(primary, 65536)
            except OSError:  # EIO: every writer closed the terminal
                break
            if not data:
                break
            output += data
            chunks.append((time.perf_counter() - started, len(output)))
        returncode = process.wait(timeout=timeout_s)
        exited = time.perf_counter() - started
    finally:
        os.close(primary)
    if returncode != 0:
        tail = bytes(output[-400:]).decode("utf-8", "replace")
        raise PtyRunError(f"{' '.join(argv)} exited {returncode}: {tail!r}")
    return PtyRun(_frame_time(chunks, bytes(output)), exited, returncode, len(output))
