"""Pick the model that answers from the next call on: the server's own models (when an API
base is configured) then litellm's catalog — the list ``penguin-tui models`` prints — with
fuzzy search as you type, each row with its context window and price per million tokens."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from penguin_tui.app.screens.option_moves import move_highlight
from penguin_tui.words import plural

if TYPE_CHECKING:
    from penguin_tui.llm.catalog import ModelInfo

# A search matches hundreds of the catalog's models: the best ones are listed.
SHOWN_ROWS = 200
ID_WIDTH = 44
# The cells of a row besides its id: mark, provider, window, price.
DETAILS_WIDTH = 42


@dataclass(frozen=True)
class ModelChoices:
    """What can be picked: the server's models (``server_note`` says whose, or why there are
    none) and litellm's catalog."""

    server: tuple[ModelInfo, ...]
    server_note: str | None
    catalog: tuple[ModelInfo, ...]


def size(tokens: int | None) -> str:
    """A context window as people say it: 128k, 1M, 8,192 for an odd size; ? unknown."""
    if tokens is None:
        return "?"
    if tokens >= 1_000_000 and tokens % 1_000_000 == 0:
        return f"{tokens // 1_000_000}M"
    if tokens >= 1000 and tokens % 1000 == 0:
        return f"{tokens // 1000}k"
    if tokens >= 1024 and tokens % 1024 == 0:
        return f"{tokens // 1024}k"
    return f"{tokens:,}"


def price(info: ModelInfo) -> str:
    """Dollars per million tokens in / out; n/a when unknown."""
    if info.input_per_mtok is None and info.output_per_mtok is None:
        return "n/a"

    def one(value: float | None) -> str:
        return "?" if value is None else f"${value:g}"

    return f"{one(info.input_per_mtok)}/{one(info.output_per_mtok)} /M"


def row(info: ModelInfo, current: str | None, id_width: int = ID_WIDTH) -> Text:
    """One model on one line: its id (bold when it is the one answering now), provider,
    context window and price per million tokens in/out."""
    shown = info.id if len(info.id) <= id_width else info.id[: id_width - 1] + "…"
    line = Text("● " if info.id == current else "  ", style="bold", no_wrap=True)
    line.append(f"{shown:<{id_width}}", style="bold" if info.id == current else "")
    line.append(f" {info.provider or '?':<12.12}", style="dim")
    line.append(f" {size(info.context_window):>6} ctx", style="dim")
    line.append(f"  {price(info)}", style="dim")
    line.overflow = "ellipsis"
    return line


def matching(models: Sequence[ModelInfo], query: str) -> list[ModelInfo]:
    """The models whose id matches ``query`` fuzzily, best first (all of them, in their
    order, for an empty query)."""
    if not query.strip():
        return list(models)
    from textual.fuzzy import Matcher

    matcher = Matcher(query.strip())
    scored = [(matcher.match(info.id), info) for info in models]
    found = [(score, info) for score, info in scored if score > 0]
    found.sort(key=lambda pair: (-pair[0], len(pair[1].id), pair[1].id))
    return [info for _, info in found]


class ModelPicker(ModalScreen[str | None]):
    """The models that can be used, searched as you type; enter picks the highlighted one
    (it answers from the next call on), escape closes."""

    DEFAULT_CSS = """
    ModelPicker { align: center middle; }
    ModelPicker > Vertical {
        width: 96%; max-width: 110; height: 90%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    ModelPicker Label { color: $text-muted; }
    ModelPicker #model-search { margin: 1 0 0 0; }
    ModelPicker OptionList { height: 1fr; border: none; }
    """

    BINDINGS = [
        Binding("escape", "close", "Close", id="models.close"),
        Binding("down", "move(1)", "Next", id="models.down", show=False),
        Binding("up", "move(-1)", "Previous", id="models.up", show=False),
        Binding("pagedown", "move(10)", "Page down", id="models.page_down", show=False),
        Binding("pageup", "move(-10)", "Page up", id="models.page_up", show=False),
    ]

    def __init__(self, load: Callable[[], ModelChoices], current: str | None) -> None:
        """``load`` lists the models (it may block: it runs on a thread); ``current`` is the
        model answering now."""
        super().__init__()
        self.load = load
        self.current = current
        self.choices: ModelChoices | None = None
        self.shown: list[ModelInfo] = []

    def compose(self) -> ComposeResult:
        with Vertical() as frame:
            frame.border_title = "Model"
            yield Input(placeholder="search models", id="model-search")
            yield Label("Loading the models…", id="model-count")
            yield OptionList(id="model-list")

    def on_mount(self) -> None:
        self._load()

    @property
    def loaded(self) -> bool:
        return self.choices is not None

    @work(exclusive=True, group="model-list", exit_on_error=False)
    async def _load(self) -> None:
        """List the models on a thread (litellm's import and the server's answer block)."""
        self.choices = await asyncio.to_thread(self.load)
        self._show(self.query_one(Input).value)

    @on(Input.Changed, "#model-search")
    def _search(self, event: Input.Changed) -> None:
        if self.choices is not None:
            self._show(event.value)

    def _show(self, query: str) -> None:
        assert self.choices is not None
        server = matching(self.choices.server, query)
        listed = matching(self.choices.catalog, query)
        self.shown = [*server, *listed][:SHOWN_ROWS]
        options: list[Option] = []
        if self.choices.server_note:
            options.append(Option(Text(self.choices.server_note, style="italic"), disabled=True))
        # An option's id is its model's place in ``shown``; headings have none.
        width = self.query_one(OptionList).content_size.width or self.app.size.width
        id_width = max(12, min(ID_WIDTH, width - DETAILS_WIDTH))
        rows = [
            Option(row(model, self.current, id_width), id=str(index))
            for index, model in enumerate(self.shown)
        ]
        options += rows[: len(server)]
        if len(self.shown) > len(server):
            heading = f"litellm's catalog: {plural(len(listed), 'match', 'matches')}"
            options.append(Option(Text(heading, style="italic"), disabled=True))
            options += rows[len(server) :]
        total = len(server) + len(listed)
        more = f", the best {len(self.shown)} shown" if total > len(self.shown) else ""
        self.query_one("#model-count", Label).update(
            f"{plural(total, 'model')}{more} — enter picks, esc closes"
        )
        option_list = self.query_one(OptionList)
        option_list.clear_options()
        option_list.add_options(options)
        first = next((i for i, option in enumerate(options) if not option.disabled), None)
        option_list.highlighted = first

    def _picked(self, index: int | None) -> ModelInfo | None:
        """The model of the option at ``index`` (headings are not models)."""
        if index is None:
            return None
        option = self.query_one(OptionList).get_option_at_index(index)
        return None if option.id is None else self.shown[int(option.id)]

    def action_move(self, steps: int) -> None:
        move_highlight(self.query_one(OptionList), steps)

    @on(Input.Submitted, "#model-search")
    def _enter(self) -> None:
        picked = self._picked(self.query_one(OptionList).highlighted)
        if picked is not None:
            self.dismiss(picked.id)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        picked = self._picked(event.option_index)
        if picked is not None:
            self.dismiss(picked.id)

    def action_close(self) -> None:
        self.dismiss(None)
