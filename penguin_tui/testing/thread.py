"""Run a scripted model on its own event loop in a daemon thread, for synchronous callers."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from types import TracebackType
from typing import Any

from penguin_tui.testing.script import Script
from penguin_tui.testing.server import ScriptedServer


class ServerThread:
    """A :class:`ScriptedServer` running on its own event loop in a daemon thread."""

    def __init__(self, server: ScriptedServer) -> None:
        self.server = server
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._stopping: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="scripted-model", daemon=True)

    def start(self) -> ServerThread:
        """Start the thread and wait until the server listens; re-raises a bind failure."""
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            self._thread.join()
            raise self._error
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the server and join the thread (idempotent)."""
        loop, stopping = self._loop, self._stopping
        if self._thread.is_alive() and loop is not None and stopping is not None:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(stopping.set)
            self._thread.join(timeout)

    @property
    def port(self) -> int:
        """The bound port."""
        return self.server.port

    @property
    def base_url(self) -> str:
        """The OpenAI base URL, e.g. ``http://127.0.0.1:PORT/v1``."""
        return self.server.base_url

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Every chat-completion request body received, in order."""
        return self.server.requests

    @property
    def request_headers(self) -> list[dict[str, str]]:
        """The headers of each of those requests (names in lower case), in the same order."""
        return self.server.request_headers

    def __enter__(self) -> ServerThread:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _run(self) -> None:
        loop = self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._main())
        finally:
            loop.close()

    async def _main(self) -> None:
        self._stopping = asyncio.Event()
        try:
            await self.server.start()
        except BaseException as exc:  # handed to the starting thread
            self._error = exc
            return
        finally:
            self._ready.set()
        await self._stopping.wait()
        await self.server.stop()


def run_in_thread(
    script: Script, host: str = "127.0.0.1", port: int = 0, rate: float | None = None
) -> ServerThread:
    """Start a :class:`ScriptedServer` in a daemon thread; call ``.stop()`` when done."""
    return ServerThread(ScriptedServer(script, host, port, rate)).start()
