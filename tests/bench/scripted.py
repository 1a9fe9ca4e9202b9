"""The scripted model in its own process, so that its CPU time is not counted as the client's."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path
from types import TracebackType

READY_PREFIX = "demo model (scripted) listening on "


class ScriptedProcess:
    """``python -m penguin_tui.testing --script FILE --rate R`` as a context manager."""

    def __init__(self, script: Path, rate: float) -> None:
        self.script = script
        self.rate = rate
        self.base_url = ""
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> ScriptedProcess:
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "penguin_tui.testing",
                "--port",
                "0",
                "--script",
                str(self.script),
                "--rate",
                str(self.rate),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline().strip()
        if not line.startswith(READY_PREFIX):
            self.__exit__(None, None, None)
            raise RuntimeError(f"the scripted model did not start: {line!r}")
        self.base_url = line[len(READY_PREFIX) :]
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._process = None
