"""How the model picker looks at 80×24 and 160×48, in both themes, with a fixed list: two
models of a local server (one known to the catalog) and four of litellm's catalog."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input

from penguin_tui.app.screens.model_picker import ModelChoices, ModelPicker
from penguin_tui.app.themes import builtin_theme_dir, load_themes
from penguin_tui.llm.catalog import ModelInfo

SERVER = (
    ModelInfo(
        id="qwen2.5-coder:7b",
        provider="ollama",
        context_window=32_768,
        tools=True,
        api_base="http://localhost:11434/v1",
    ),
    ModelInfo(id="llama3.2:latest", provider="ollama", api_base="http://localhost:11434/v1"),
)
CATALOG = (
    ModelInfo(
        id="claude-3-5-haiku-20241022",
        provider="anthropic",
        context_window=200_000,
        input_per_mtok=0.8,
        output_per_mtok=4.0,
    ),
    ModelInfo(
        id="gpt-4o",
        provider="openai",
        context_window=128_000,
        input_per_mtok=2.5,
        output_per_mtok=10.0,
    ),
    ModelInfo(
        id="gpt-4o-mini",
        provider="openai",
        context_window=128_000,
        input_per_mtok=0.15,
        output_per_mtok=0.6,
    ),
    ModelInfo(id="openrouter/some-new-model-without-a-known-price", provider="openrouter"),
)
CHOICES = ModelChoices(SERVER, "http://localhost:11434/v1: 2 models, cached", CATALOG)


class PickerApp(App[None]):
    """An empty screen with the model picker over it; gpt-4o answers now."""

    def __init__(self, theme: str) -> None:
        super().__init__()
        for found in load_themes([builtin_theme_dir()])[0]:
            self.register_theme(found)
        self.theme = theme

    def on_mount(self) -> None:
        self.push_screen(ModelPicker(lambda: CHOICES, "gpt-4o"))


async def loaded(pilot: Pilot[None]) -> None:
    picker = pilot.app.screen
    assert isinstance(picker, ModelPicker)
    picker.query_one(Input).cursor_blink = False
    while not picker.loaded:
        await pilot.pause(0.02)
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
@pytest.mark.parametrize("theme", ["penguin-dark", "penguin-light"])
def test_model_picker(snap_compare: Callable[..., bool], theme: str, size: tuple[int, int]) -> None:
    """Titled "Model": the search field (focused, empty), "6 models — enter picks, esc
    closes", then the server's line (italic) and its two models — the first highlighted —,
    "litellm's catalog: 4 matches" and four rows, gpt-4o marked ● and bold. Each row: id,
    provider, context window (32k, ?, 200k, 128k) and price per million in/out ($2.5/$10 /M,
    n/a when unknown). At 80 columns the ids are narrower and a long one ends in "…"."""
    assert snap_compare(PickerApp(theme), terminal_size=size, run_before=loaded)


async def searched(pilot: Pilot[None]) -> None:
    await loaded(pilot)
    await pilot.press(*"4omini")
    await pilot.pause()


def test_model_picker_search(snap_compare: Callable[..., bool]) -> None:
    """After typing "4omini": 1 model, gpt-4o-mini (highlighted), under the catalog's
    heading; the server's line stays on top."""
    assert snap_compare(PickerApp("penguin-dark"), terminal_size=(80, 24), run_before=searched)
