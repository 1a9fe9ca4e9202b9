"""Running git on the shadow repository: always an explicit ``--git-dir`` and ``--work-tree``.

Without them git would find the project's own ``.git`` and write into the user's repository,
so nothing here ever runs git without both, and the environment is scrubbed of every
``GIT_*`` variable that could point it elsewhere. Global and system config are ignored so a
user's hooks, filters or aliases never run on the shadow repository.
"""

from __future__ import annotations

import bisect
import contextlib
import fcntl
import itertools
import os
import struct
import subprocess
import termios
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO

from penguin_tui.config.secrets import SecretFreeEnvironment
from penguin_tui.disk_limits import of_git
from penguin_tui.errors import CheckpointError

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
PIPE_BYTES = 64 * 1024  # what a pipe holds (Linux's and macOS's default)
READ_BUFFER_BYTES = 4096  # the buffer git reads its stdin through
FEED_WRITE_BYTES = 64 * 1024  # a counted feed writes this much at a time ...
FEED_POLL_S = 0.05  # ... and says how far git read this often

_SETTINGS = (
    "core.quotePath=false",
    "core.autocrlf=false",
    "core.safecrlf=false",
    "core.symlinks=true",
    "core.fileMode=true",
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "gc.auto=0",
    "advice.detachedHead=false",
)


def clean_environment(base: SecretFreeEnvironment | None = None) -> dict[str, str]:
    """``base`` (penguin-tui's environment without secrets, by default with the built-in rules
    only) without any ``GIT_*`` variable, plus a fixed identity and no global config."""
    source = base if base is not None else SecretFreeEnvironment.of()
    env = {key: value for key, value in source.variables.items() if not key.startswith("GIT_")}
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_TERMINAL_PROMPT="0",
        GIT_AUTHOR_NAME="penguin-tui",
        GIT_AUTHOR_EMAIL="checkpoints@penguin-tui.invalid",
        GIT_COMMITTER_NAME="penguin-tui",
        GIT_COMMITTER_EMAIL="checkpoints@penguin-tui.invalid",
        LC_ALL="C",
    )
    return env


class Git:
    """A git command line bound to one shadow ``git_dir`` and one project ``work_tree``; its
    environment derives from ``environment`` (default: penguin-tui's, built-in rules only)."""

    def __init__(
        self,
        git_dir: Path,
        work_tree: Path,
        keep_fds: Sequence[int] = (),
        environment: SecretFreeEnvironment | None = None,
    ) -> None:
        self.git_dir = git_dir
        self.work_tree = work_tree
        # The operation lock's descriptor is passed to every git child: while any of them is
        # alive the lock is held, so taking the lock proves no git of ours is still running.
        self.keep_fds = tuple(keep_fds)
        self._env = clean_environment(environment)

    @property
    def environment(self) -> Mapping[str, str]:
        """The environment every git call gets (before a call's own additions)."""
        return self._env

    def argv(self, args: Sequence[str]) -> list[str]:
        base = ["git", f"--git-dir={self.git_dir}", f"--work-tree={self.work_tree}"]
        for setting in _SETTINGS:
            base += ["-c", setting]
        return [*base, *args]

    def run(
        self,
        *args: str,
        stdin: bytes | None = None,
        ok: Sequence[int] = (0,),
        env: dict[str, str] | None = None,
    ) -> bytes:
        """Run git and return its stdout; any other exit code is a one-line CheckpointError."""
        result = self.run_raw(*args, stdin=stdin, env=env)
        if result.returncode not in ok:
            raise CheckpointError(_explain(args, result))
        return result.stdout

    def run_raw(
        self, *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[bytes]:
        try:
            return subprocess.run(
                self.argv(args),
                input=stdin,
                capture_output=True,
                cwd=self.work_tree if self.work_tree.is_dir() else None,
                env={**self._env, **env} if env else self._env,
                pass_fds=self.keep_fds,
                check=False,
            )
        except FileNotFoundError as error:
            raise CheckpointError("git is not installed: checkpoints need git ≥ 2.38") from error
        except OSError as error:
            raise CheckpointError(f"cannot run git: {error.strerror}") from error

    def run_counting(self, *args: str, stdin: bytes, on_line: Callable[[int], None]) -> None:
        """Run git feeding ``stdin`` and call ``on_line(n)`` as each line of its output comes
        (for progress: ``update-index --verbose`` prints a line a file)."""
        child = self.popen(*args, stderr=subprocess.PIPE)
        assert child.stdin is not None and child.stdout is not None and child.stderr is not None
        errors: list[bytes] = []
        stderr = child.stderr
        # Fed and drained by threads: git answers as it reads, so one full pipe would
        # otherwise block both sides.
        feeder = threading.Thread(target=_feed, args=(child.stdin, stdin), daemon=True)
        drainer = threading.Thread(target=lambda: errors.append(stderr.read()), daemon=True)
        feeder.start()
        drainer.start()
        try:
            for count, _line in enumerate(child.stdout, start=1):
                on_line(count)
        except BaseException:
            child.kill()
            child.wait()
            raise
        child.stdout.close()
        feeder.join()
        drainer.join()
        child.stderr.close()
        code = child.wait()
        if code != 0:
            result = subprocess.CompletedProcess(args, code, b"", b"".join(errors))
            raise CheckpointError(_explain(args, result))

    def run_fed(
        self,
        *args: str,
        items: Sequence[bytes],
        on_taken: Callable[[int], None],
        env: dict[str, str] | None = None,
    ) -> None:
        """Run git feeding it ``items`` on stdin, in order, and call ``on_taken(n)`` as git
        takes them in (a few times a second): ``n`` items git has surely read. For progress
        where ``--verbose`` would change what git does."""
        child = self.popen(*args, stderr=subprocess.PIPE, env=env)
        assert child.stdin is not None and child.stdout is not None and child.stderr is not None
        out, err = child.stdout, child.stderr
        errors: list[bytes] = []
        feed = _CountedFeed(child.stdin.fileno(), items)
        threads = [
            feed.thread,
            threading.Thread(target=out.read, daemon=True),
            threading.Thread(target=lambda: errors.append(err.read()), daemon=True),
        ]
        for thread in threads:
            thread.start()
        try:
            while feed.thread.is_alive():
                feed.thread.join(FEED_POLL_S)
                on_taken(feed.taken())
        except BaseException:
            child.kill()
            child.wait()
            feed.thread.join()  # its next write fails, now that git is gone
            raise
        finally:
            with contextlib.suppress(OSError):  # git died: its exit code says why
                child.stdin.close()  # here, once the feeding thread is done with it
        for thread in threads:
            thread.join()
        out.close()
        err.close()
        code = child.wait()
        if code != 0:
            result = subprocess.CompletedProcess(args, code, b"", b"".join(errors))
            raise CheckpointError(_explain(args, result))
        on_taken(len(items))

    def popen(
        self, *args: str, stderr: int = subprocess.DEVNULL, env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        """Start git with pipes on stdin and stdout, for a long request/answer exchange."""
        try:
            return subprocess.Popen(
                self.argv(args),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                cwd=self.work_tree if self.work_tree.is_dir() else None,
                env={**self._env, **env} if env else self._env,
                pass_fds=self.keep_fds,
            )
        except FileNotFoundError as error:
            raise CheckpointError("git is not installed: checkpoints need git ≥ 2.38") from error
        except OSError as error:
            raise CheckpointError(f"cannot run git: {error.strerror}") from error

    def init_bare(self) -> None:
        """Create the bare shadow repository (the one call made without a work tree)."""
        self.git_dir.parent.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            ["git", "init", "--bare", "--quiet", str(self.git_dir)],
            capture_output=True,
            env=self._env,
            check=False,
        )
        if result.returncode != 0:
            raise CheckpointError(_explain(["init"], result))

    def text(self, *args: str) -> str:
        return self.run(*args).decode("utf-8", "surrogateescape").strip()


def settings_env(settings: dict[str, str]) -> dict[str, str]:
    """Environment variables that give one git call more settings (``GIT_CONFIG_COUNT``), on
    top of the ones every call gets."""
    env = {"GIT_CONFIG_COUNT": str(len(settings))}
    for number, (key, value) in enumerate(settings.items()):
        env[f"GIT_CONFIG_KEY_{number}"] = key
        env[f"GIT_CONFIG_VALUE_{number}"] = value
    return env


def _explain(args: Sequence[str], result: subprocess.CompletedProcess[bytes]) -> str:
    message = result.stderr.decode("utf-8", "replace").strip().splitlines()
    detail = next((line for line in message if line.strip()), f"exit code {result.returncode}")
    command = f"git {args[0] if args else ''}"
    limit = of_git(result.returncode, "\n".join(message))
    if limit is not None:
        return f"{limit.value}: {command} could not write its files; {limit.advice}"
    return f"{command} failed: {detail.removeprefix('fatal: ')}"


def _feed(pipe: IO[bytes], data: bytes) -> None:
    with contextlib.suppress(BrokenPipeError):  # git died: its exit code says why
        pipe.write(data)
    with contextlib.suppress(BrokenPipeError):
        pipe.close()


class _CountedFeed:
    """``items`` written to a pipe by a thread of its own, and how many of them the reader
    has surely taken: all but what is still in the pipe or in its own read buffer."""

    def __init__(self, fd: int, items: Sequence[bytes]) -> None:
        self.fd = fd
        self.data = memoryview(b"".join(items))
        self.ends = list(itertools.accumulate(map(len, items)))  # where each item ends
        self.written = 0
        self.thread = threading.Thread(target=self._write, daemon=True)

    def _write(self) -> None:
        with contextlib.suppress(OSError):  # git died: its exit code says why
            while self.written < len(self.data):
                chunk = self.data[self.written : self.written + FEED_WRITE_BYTES]
                self.written += os.write(self.fd, chunk)

    def taken(self) -> int:
        written = self.written  # read first: what is written after it counts as unread
        unread = _unread(self.fd) + READ_BUFFER_BYTES
        return bisect.bisect_right(self.ends, written - unread)


def _unread(fd: int) -> int:
    """Bytes in the pipe its reader has not read yet (as many as it holds, where the system
    does not say)."""
    try:
        answer = fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0")
    except OSError:
        return PIPE_BYTES
    return int(struct.unpack("i", answer)[0])


def split_z(output: bytes) -> list[str]:
    """NUL-separated paths from git's ``-z`` output, decoded losslessly."""
    return [item.decode("utf-8", "surrogateescape") for item in output.split(b"\0") if item]


def encode_paths(paths: Sequence[str]) -> bytes:
    """Paths for ``--stdin -z``: each NUL-terminated."""
    return b"".join(path.encode("utf-8", "surrogateescape") + b"\0" for path in paths)
