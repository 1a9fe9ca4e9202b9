"""A comparison of 1,000 hunks on screen: git's patch, the parse, and the diff pane painted.

Headless, at 160x48, in a bare app (one ``Static``) that notes when each frame is handed to
the terminal (``App._display``; headless, the frame is then dropped instead of written). A
wrapper around ``Widget.render_lines`` notes when each scrolling widget was drawn and whether
it was scrolled to its end. "Painted" is the first frame after the drawing. The same bare app
is the baseline: the time from its start to its first frame.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from rich.console import RenderableType
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from penguin_tui.unified_diff import parse_unified
from tests.bench.polling import wait_for

SIZE = (160, 48)
TIMEOUT_S = 30.0


class HostApp(App[None]):
    """A bare Textual app that notes the time of every frame it hands to the terminal."""

    def __init__(self) -> None:
        super().__init__()
        self.frames: list[float] = []

    def compose(self) -> ComposeResult:
        yield Static("A bare Textual app")

    def _display(self, screen: Screen[object], renderable: RenderableType | None) -> None:
        super()._display(screen, renderable)
        if renderable is not None:
            self.frames.append(time.perf_counter())

    def frame_after(self, moment: float) -> float | None:
        """When the first frame at or after ``moment`` was finished (None: not yet)."""
        return next((frame for frame in self.frames if frame >= moment), None)


@dataclass(frozen=True)
class Drawn:
    """One scrolling widget drawn: when, and whether it was scrolled to its very end."""

    at: float
    widget: Widget
    at_end: bool


@contextmanager
def watch_drawing() -> Iterator[list[Drawn]]:
    """Note every ``render_lines`` of a scrolling widget while the block runs."""
    drawn: list[Drawn] = []
    original = Widget.render_lines

    def render_lines(self: Widget, crop: Region) -> list[Strip]:
        strips = original(self, crop)
        if isinstance(self, ScrollView):
            end = self.max_scroll_y > 0 and round(self.scroll_y) >= self.max_scroll_y
            drawn.append(Drawn(time.perf_counter(), self, end))
        return strips

    Widget.render_lines = render_lines  # type: ignore[method-assign]
    try:
        yield drawn
    finally:
        Widget.render_lines = original  # type: ignore[method-assign]


@dataclass(frozen=True)
class DiffTiming:
    """One comparison put on screen and scrolled to its end (seconds from the start)."""

    patch_s: float  # the patch from git, decoded
    parse_s: float  # patch + parse_unified
    mounted_s: float  # ... + the DiffView mounted
    shown_s: float  # ... + the first frame with the diff painted
    end_s: float  # from pressing `end` to the frame with the last hunk painted
    end_frames: int  # frames painted in between (1: it jumped there in one frame)
    hunks: int
    rows: int  # the diff body's height in rows


async def bare_first_frame() -> float:
    """Seconds from starting the bare app to its first frame."""
    app = HostApp()
    started = time.perf_counter()
    async with app.run_test(size=SIZE):
        await wait_for(lambda: bool(app.frames), TIMEOUT_S, "the first frame")
        first = app.frames[0] - started
        await app.action_quit()
    return first


def _first_drawn(drawn: list[Drawn], widget: Widget, after: float, end: bool) -> float | None:
    return next(
        (d.at for d in drawn if d.widget is widget and d.at > after and (d.at_end or not end)),
        None,
    )


async def diff_on_screen(patch: Callable[[], str]) -> DiffTiming:
    """Patch, parse, mount a ``DiffView`` and wait for it to be painted; then press `end`."""
    from penguin_tui.app.widgets.diff_view import DiffView  # being written: import it late

    app = HostApp()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: bool(app.frames), TIMEOUT_S, "the host's first frame")
        await pilot.pause()
        with watch_drawing() as drawn:
            started = time.perf_counter()
            text = patch()
            patched = time.perf_counter()
            files = parse_unified(text)
            parsed = time.perf_counter()
            view = DiffView(files)
            await app.screen.mount(view)
            mounted = time.perf_counter()
            scrollers = list(view.query(ScrollView))

            def shown() -> float | None:
                times = [_first_drawn(drawn, w, started, end=False) for w in scrollers]
                if not times or None in times:
                    return None
                return app.frame_after(max(t for t in times if t is not None))

            await wait_for(lambda: shown() is not None, TIMEOUT_S, "the diff on screen")
            on_screen = shown()
            view.focus()
            await pilot.pause()
            target = app.focused
            if target is None or target not in scrollers:
                raise RuntimeError(f"`end` would go to {target!r}, not to the diff")
            pressed = time.perf_counter()
            await pilot.press("end")

            def at_end() -> float | None:
                moment = _first_drawn(drawn, target, pressed, end=True)
                return None if moment is None else app.frame_after(moment)

            await wait_for(lambda: at_end() is not None, TIMEOUT_S, "the last hunk on screen")
            ended = at_end()
        await app.action_quit()
    assert on_screen is not None and ended is not None
    return DiffTiming(
        patch_s=patched - started,
        parse_s=parsed - started,
        mounted_s=mounted - started,
        shown_s=on_screen - started,
        end_s=ended - pressed,
        end_frames=sum(1 for frame in app.frames if pressed < frame <= ended),
        hunks=sum(len(file.hunks) for file in files),
        rows=target.virtual_size.height,
    )
