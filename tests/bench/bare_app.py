"""The baseline for start-up: a bare Textual app (a Static and a Footer) that exits after its
first frame, exactly like ``PENGUIN_EXIT_AFTER_FIRST_FRAME=1`` does for penguin-tui; with
``--stay`` it stays open (the tmux start-up benchmark watches its screen).

Run as ``python -m tests.bench.bare_app [--stay]``.
"""

from __future__ import annotations

import sys

from textual.app import App, ComposeResult
from textual.widgets import Footer, Static


class BareApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("A bare Textual app")
        yield Footer()

    def on_mount(self) -> None:
        if "--stay" not in sys.argv:
            self.call_after_refresh(self.exit)


if __name__ == "__main__":
    BareApp().run()
