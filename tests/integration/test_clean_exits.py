"""The installed command ends with one line, never a traceback after it: with a data directory
it cannot use, and on Ctrl+C in `run` at any moment of a reply."""

from __future__ import annotations

import asyncio
import ctypes
import fcntl
import gc
import json
import os
import pty
import select
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
import time
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from penguin_tui.config.settings import ModelSettings
from penguin_tui.llm.client import ChatRequest, LLMClient
from penguin_tui.llm.loader import shutdown_litellm
from penguin_tui.llm.target import resolve_target
from penguin_tui.store import Store
from penguin_tui.testing import ServerThread, run_in_thread
from tests.conftest import script

NOISE = ("Traceback", "Exception in thread", "RuntimeWarning", "never retrieved", "Error:")

# 200 tokens a second: a chunk every 5 ms, and a reply of some 15 s to interrupt.
LONG_REPLY = """
model = "m1"
rate = 200
[[turns]]
text = "one two three four five six seven eight nine ten "
repeat_text = 300
"""

PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE = 1
CAP_DAC_READ_SEARCH = 2


def installed_command() -> str:
    """The console script next to this interpreter (what `pip install` puts on the PATH)."""
    command = Path(sys.executable).parent / "penguin-tui"
    if not command.exists():
        pytest.fail("penguin-tui is not installed in this environment; run ./test.sh")
    return str(command)


def without_root_override() -> None:
    """In the child: root loses its right to ignore file modes, so a read-only folder is
    read-only for it too (tests run as root here)."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) refused")


def read_only_home(tmp_path: Path) -> Path:
    home = tmp_path / "read-only-home"
    home.mkdir()
    home.chmod(0o555)
    probe = subprocess.run(
        ["touch", str(home / "probe")], preexec_fn=without_root_override, check=False
    )
    if probe.returncode == 0:
        pytest.skip("this process can write into a read-only folder (no way to drop that)")
    return home


def database_is_a_directory(tmp_path: Path) -> Path:
    home = tmp_path / "home-with-a-folder-db"
    (home / "penguin.db").mkdir(parents=True)
    return home


def home_is_a_file(tmp_path: Path) -> Path:
    home = tmp_path / "home-is-a-file"
    home.write_text("not a folder\n")
    return home


BROKEN_HOMES: dict[str, Callable[[Path], Path]] = {
    "read-only": read_only_home,
    "penguin.db is a directory": database_is_a_directory,
    "PENGUIN_HOME is a file": home_is_a_file,
}

STORE_COMMANDS = {
    "run": ["run", "--model", "m1", "--api-base", "http://127.0.0.1:9/v1", "hello"],
    "sessions list": ["sessions", "list"],
    "audit": ["audit"],
    "checkpoints list": ["checkpoints", "list"],
}


def environment(home: Path) -> dict[str, str]:
    return {**os.environ, "PENGUIN_HOME": str(home)}


def assert_clean(stderr: str) -> None:
    for noise in NOISE:
        assert noise not in stderr, stderr


@pytest.mark.parametrize("broken", list(BROKEN_HOMES))
@pytest.mark.parametrize("command", list(STORE_COMMANDS))
def test_an_unusable_data_directory_is_one_line_and_no_traceback(
    broken: str, command: str, tmp_path: Path, project: Path
) -> None:
    home = BROKEN_HOMES[broken](tmp_path)
    done = subprocess.run(
        [installed_command(), *STORE_COMMANDS[command]],
        cwd=project,
        env=environment(home),
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=without_root_override,
    )
    assert done.returncode == 1, done.stderr
    assert_clean(done.stderr)
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("penguin-tui: ") and "PENGUIN_HOME" in lines[0]


@pytest.mark.parametrize("broken", list(BROKEN_HOMES))
def test_permissions_check_needs_no_database(broken: str, tmp_path: Path, project: Path) -> None:
    home = BROKEN_HOMES[broken](tmp_path)
    done = subprocess.run(
        [installed_command(), "permissions", "check", "run_shell", "ls"],
        cwd=project,
        env=environment(home),
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=without_root_override,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.splitlines()[0] == "ask"
    # A database that is there but cannot be opened: the config decides, and a line says
    # what it could not count.
    unread = [line for line in done.stdout.splitlines() if line.startswith("not counted: ")]
    assert len(unread) == (1 if home.is_dir() and (home / "penguin.db").exists() else 0)


def run_in_a_terminal(
    args: list[str], cwd: Path, env: dict[str, str], until: bytes, keys: bytes
) -> tuple[int, bytes]:
    """Run ``args`` in a pseudo-terminal, wait for ``until`` on screen, type ``keys``, and
    return the exit code and everything the program wrote."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    child = subprocess.Popen(
        args,
        cwd=cwd,
        env={**env, "TERM": "xterm-256color"},
        stdin=follower,
        stdout=follower,
        stderr=follower,
        start_new_session=True,
        preexec_fn=without_root_override,
    )
    os.close(follower)
    output = b""

    def read_for(seconds: float, stop: bytes | None = None) -> None:
        nonlocal output
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not (stop and stop in output):
            ready, _, _ = select.select([leader], [], [], 0.1)
            if ready:
                try:
                    data = os.read(leader, 65536)
                except OSError:  # the program closed the terminal
                    return
                if not data:
                    return
                output += data

    try:
        read_for(90, until)
        assert until in output, output[-2000:]
        os.write(leader, keys)
        read_for(30)
        return child.wait(timeout=30), output
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        os.close(leader)


@pytest.mark.parametrize("broken", list(BROKEN_HOMES))
def test_the_workbench_with_an_unusable_data_directory_says_why_and_quits_cleanly(
    broken: str, tmp_path: Path, project: Path
) -> None:
    home = BROKEN_HOMES[broken](tmp_path)
    code, output = run_in_a_terminal(
        [installed_command()], project, environment(home), until=b"Cannot start", keys=b"\x11"
    )
    after_the_screen = output.rsplit(b"\x1b[?1049l", 1)[-1].decode(errors="replace")
    assert_clean(output.decode(errors="replace"))
    assert "Traceback" not in after_the_screen
    assert code in (0, 1)


# -- Ctrl+C in run ------------------------------------------------------------------------


@pytest.fixture
def streaming_server() -> Iterator[ServerThread]:
    """The scripted model streaming a long reply in many small chunks."""
    with run_in_thread(script(LONG_REPLY)) as thread:
        yield thread


def interrupt_run_at(
    event_type: str, server: ServerThread, project: Path, home: Path
) -> tuple[int, str, list[dict[str, object]]]:
    """`run --json`, Ctrl+C as soon as an event of ``event_type`` is printed; returns the exit
    code, stderr and the events printed."""
    child = subprocess.Popen(
        [
            installed_command(),
            "run",
            "--json",
            "--model",
            "m1",
            "--api-base",
            server.base_url,
            "tell me a long story",
        ],
        cwd=project,
        env=environment(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    events: list[dict[str, object]] = []
    try:
        for line in child.stdout:
            events.append(json.loads(line))
            if events[-1]["type"] == event_type:
                child.send_signal(signal.SIGINT)
                break
        out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    events += [json.loads(line) for line in out.splitlines()]
    return child.returncode, err, events


def test_ctrl_c_while_the_request_is_being_built_ends_with_one_line(
    streaming_server: ServerThread, project: Path, penguin_home: Path
) -> None:
    """message.started comes just before litellm builds the request in a worker thread:
    a cancel there used to leave its coroutine unawaited (a RuntimeWarning at exit)."""
    code, err, events = interrupt_run_at("message.started", streaming_server, project, penguin_home)
    assert code == 130, err
    assert_clean(err)
    assert len(err.splitlines()) == 1, err
    assert err.startswith("penguin-tui: ") and "interrupted" in err


def test_ctrl_c_mid_stream_ends_with_one_line_and_keeps_the_partial_reply(
    streaming_server: ServerThread, project: Path, penguin_home: Path
) -> None:
    """A cancel that came as a chunk arrived was lost (3.11's wait_for returned the chunk),
    and the reply streamed on to its end."""
    code, err, events = interrupt_run_at("message.delta", streaming_server, project, penguin_home)
    assert code == 130, err
    assert_clean(err)
    assert err == "penguin-tui: the reply was interrupted; the partial text is kept\n"
    session_id = events[0]["session_id"]
    with sqlite3.connect(penguin_home / "penguin.db") as db:
        statuses = db.execute(
            "SELECT role, status FROM messages WHERE session_id = ? ORDER BY created_at",
            (session_id,),
        ).fetchall()
    assert statuses == [("user", "complete"), ("assistant", "interrupted")]


class BusyMachineExecutor(ThreadPoolExecutor):
    """A worker thread of a loaded machine: it hands its result back late, so a cancel lands
    while litellm's half of a call is still in the thread."""

    HANDBACK_DELAY_S = 0.5

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(max_workers=2)
        self.loop = loop
        self.started = asyncio.Event()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        def late() -> Any:
            self.loop.call_soon_threadsafe(self.started.set)
            try:
                return fn(*args, **kwargs)
            finally:
                time.sleep(self.HANDBACK_DELAY_S)

        return super().submit(late)


async def test_a_call_cancelled_while_litellm_builds_it_leaves_no_coroutine_unawaited(
    server: ServerThread,
) -> None:
    loop = asyncio.get_running_loop()
    executor = BusyMachineExecutor(loop)
    loop.set_default_executor(executor)
    client = LLMClient(ModelSettings(name="m1", api_base=server.base_url))
    request = ChatRequest(
        messages=[{"role": "user", "content": "hi"}],
        targets=[resolve_target("m1", server.base_url)],
    )

    async def consume() -> None:
        async for _ in client.stream(request):
            pass

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call = asyncio.create_task(consume())
        await asyncio.wait_for(executor.started.wait(), 30)
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        await asyncio.sleep(executor.HANDBACK_DELAY_S * 2)  # the thread hands back its part
        await shutdown_litellm()
        gc.collect()
    assert [str(w.message) for w in caught if "never awaited" in str(w.message)] == []


async def test_closing_the_store_lets_a_write_finish_whose_caller_was_cancelled(
    tmp_path: Path,
) -> None:
    """Ctrl+C during start-up cancels a caller in the middle of a transaction: the close that
    follows waits for it, so it lands whole and no task fails unseen."""
    failures: list[dict[str, Any]] = []
    asyncio.get_running_loop().set_exception_handler(lambda _, context: failures.append(context))
    database = tmp_path / "penguin.db"
    store = await Store.open(database)
    project = await store.ensure_project(tmp_path)
    other_program = sqlite3.connect(database, isolation_level=None)
    other_program.execute("BEGIN IMMEDIATE")  # the transaction below waits for it
    creating = asyncio.create_task(store.create_session(project.id, "m1"))
    await asyncio.sleep(0.2)
    creating.cancel()
    closing = asyncio.create_task(store.close())
    await asyncio.sleep(0.2)
    other_program.execute("COMMIT")
    other_program.close()
    await closing
    with pytest.raises(asyncio.CancelledError):
        await creating
    gc.collect()
    assert failures == []
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT COUNT(*) FROM sessions").fetchone() == (1,)
        assert db.execute("SELECT COUNT(*) FROM branches").fetchone() == (1,)
