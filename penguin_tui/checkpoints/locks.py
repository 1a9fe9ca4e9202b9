"""Locks on a project's shadow repository: one running instance, one operation at a time.

The first two are ``flock`` locks, which the kernel releases when their holder dies, so a
crash never leaves a stale lock behind. The operation lock's descriptor is also handed to every
git child, so holding it proves that no earlier git of ours is still running — which is what
makes it safe to reclaim a leftover ``index.lock``. The third, ``OneAtATime``, is the service's
own: its changes run one after the other on the event loop, each to its end.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from penguin_tui.errors import ProjectLockedError

T = TypeVar("T")


class InstanceLock:
    """Held for the life of the one penguin-tui instance that may change a project."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock, or raise ProjectLockedError naming the process that has it."""
        if self._fd is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = _read_owner(fd)
            os.close(fd)
            who = f" (pid {owner})" if owner else ""
            raise ProjectLockedError(
                f"another penguin-tui is running on this project{who}: "
                "this one can only browse (read-only)"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def _read_owner(fd: int) -> str:
    try:
        return os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""


class OperationLock:
    """Serialises shadow-repository operations across threads and processes."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        self._thread_lock = threading.Lock()

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._thread_lock:
            fcntl.flock(self.fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self.fd, fcntl.LOCK_UN)

    def close(self) -> None:
        """Close the descriptor, once: a second close must never hit a file opened since under
        the same number."""
        fd, self.fd = self.fd, -1
        if fd >= 0:
            os.close(fd)


class OneAtATime:
    """The checkpoint service's changes to a project, one at a time, each carried to its end;
    none at all on an instance that opened the project read-only (another one holds it)."""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.read_only = False
        self._running: set[asyncio.Future[Any]] = set()

    def check_writable(self) -> None:
        if self.read_only:
            raise ProjectLockedError(
                "another penguin-tui is running on this project: this one is read-only"
            )

    async def to_the_end(self, operation: Callable[[], Awaitable[T]]) -> T:
        """Run a changing operation, holding the lock, to its end even when its caller stops
        waiting (a new action in the TUI, ctrl+c): cancelled half-way, its files and records
        could part."""

        async def locked() -> T:
            async with self.lock:
                return await operation()

        task = asyncio.ensure_future(locked())
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return await asyncio.shield(task)

    async def finish(self) -> None:
        """Wait for the operations still running (their callers may have stopped waiting)."""
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)


def reclaim_stale_index_lock(git_dir: Path) -> bool:
    """Remove index locks left by a git that died; call only with the OperationLock held.

    Every git of ours holds the operation lock's descriptor, so with the lock in hand any
    lock file left (``index.lock``, or the cherry-pick's ``penguin-graft.index.lock``)
    belongs to a process that is provably gone.
    """
    reclaimed = False
    for name in STALE_LOCKS:
        try:
            (git_dir / name).unlink()
        except FileNotFoundError:
            continue
        reclaimed = True
    return reclaimed


STALE_LOCKS = ("index.lock", "penguin-graft.index.lock")
