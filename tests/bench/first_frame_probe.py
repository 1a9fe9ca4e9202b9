"""Is litellm (or pydantic) already imported when penguin-tui paints its first frame?

Run in a fresh interpreter (``python -m tests.bench.first_frame_probe PROJECT_DIR``) with
``PENGUIN_HOME`` set; prints one JSON line. The real ``PenguinApp`` starts normally (services
and the background litellm preload included), headless; a callback scheduled after the first
refresh records ``sys.modules``, then the probe waits for the preload to finish.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from pathlib import Path

import penguin_tui.app.app as app_module
import penguin_tui.app.launch  # noqa: F401  (the console script imports it before the app)
from penguin_tui.app.app import LaunchOptions, PenguinApp
from penguin_tui.llm import loader
from tests.bench.polling import wait_for

PRELOAD_TIMEOUT_S = 60.0


class ProbeApp(PenguinApp):
    """PenguinApp that notes which heavy modules are loaded at its first frame."""

    # A subclass resolves a relative CSS_PATH next to its own file: point at the app's.
    CSS_PATH = str(Path(app_module.__file__).with_name("app.tcss"))

    def __init__(self, options: LaunchOptions) -> None:
        super().__init__(options)
        self.started = time.perf_counter()
        self.at_first_frame: dict[str, bool] = {}
        self.first_frame_s = float("nan")

    def on_mount(self) -> None:
        self.call_after_refresh(self._first_frame)

    def _first_frame(self) -> None:
        self.first_frame_s = time.perf_counter() - self.started
        for name in ("litellm", "pydantic", "aiosqlite", "penguin_tui.engine.chat"):
            self.at_first_frame[name] = name in sys.modules


async def probe(project: Path) -> dict[str, object]:
    app = ProbeApp(LaunchOptions(directory=project, model="penguin-demo", continue_latest=False))
    async with app.run_test(size=(120, 36)) as pilot:
        with contextlib.suppress(TimeoutError):
            await wait_for(loader.is_loaded, PRELOAD_TIMEOUT_S, "the litellm preload")
        litellm_loaded_s = time.perf_counter() - app.started
        await pilot.pause()
        await app.action_quit()
    return {
        "modules_at_first_frame": app.at_first_frame,
        "first_frame_s": app.first_frame_s,
        "litellm_loaded_s": litellm_loaded_s if loader.is_loaded() else None,
    }


def main() -> int:
    result = asyncio.run(probe(Path(sys.argv[1])))
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
