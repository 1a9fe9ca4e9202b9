"""The baseline for start-up: a bare Textual app (a Static and a Footer) that exits after its
first frame, exactly like ``PENGUIN_EXIT_AFTER_FIRST_FRAME=1`` does for penguin-tui; with
``--stay`` it stays open (the tmux start-up benchmark watches its screen). With ``--prompt``
it also has a focused TextArea in a frame like the workbench's prompt, which the benchmark
types into (a second baseline: what a text area taking keys adds to a bare app).

Run as ``python -m tests.bench.bare_app [--stay] [--prompt]``.
"""

from __future__ import annotations

import sys

from textual.app import App, ComposeResult
from textual.widgets import Footer, Static, TextArea


class BareApp(App[None]):
    CSS = "TextArea { height: 3; border: round $primary; padding: 0 1; }"

    def compose(self) -> ComposeResult:
        yield Static("A bare Textual app")
        if "--prompt" in sys.argv:
            yield TextArea(id="prompt")
        yield Footer()

    def on_mount(self) -> None:
        if "--prompt" in sys.argv:
            self.query_one(TextArea).focus()
        if "--stay" not in sys.argv:
            self.call_after_refresh(self.exit)


if __name__ == "__main__":
    BareApp().run()
