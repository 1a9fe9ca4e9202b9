"""How the setup screen's first step looks at 80×24 and 160×48, in both themes: a local
Ollama found on its port, offered first, then every provider."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.app import App
from textual.pilot import Pilot

from penguin_tui.app.screens.setup import SetupScreen
from penguin_tui.app.themes import builtin_theme_dir, load_themes
from penguin_tui.config.paths import data_paths
from penguin_tui.setup.detect import LocalServer

FOUND = [LocalServer("ollama", "http://localhost:11434", 2)]


class SetupApp(App[None]):
    """An empty screen with the setup screen over it; an Ollama server is found."""

    def __init__(self, theme: str) -> None:
        super().__init__()
        for found in load_themes([builtin_theme_dir()])[0]:
            self.register_theme(found)
        self.theme = theme

    def on_mount(self) -> None:
        self.push_screen(SetupScreen(data_paths(), detect=lambda: FOUND))


async def detected(pilot: Pilot[None]) -> None:
    screen = pilot.app.screen
    assert isinstance(screen, SetupScreen)
    while not screen.detected:
        await pilot.pause(0.02)
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
@pytest.mark.parametrize("theme", ["penguin-dark", "penguin-light"])
def test_setup_first_step(
    snap_compare: Callable[..., bool], theme: str, size: tuple[int, int]
) -> None:
    """Titled "Set up a model": "Provider", "Which provider answers?", then "Ollama at
    http://localhost:11434 (2 models) (found)" first and highlighted, then the six providers
    by name (OpenAI (openai) … An OpenAI-compatible server (…) (openai-compatible)), and the
    keys at the bottom: enter Next · esc Back (closes at the first step) · down/up rows."""
    assert snap_compare(SetupApp(theme), terminal_size=size, run_before=detected)
