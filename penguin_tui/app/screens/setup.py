"""Set up a model from the workbench: the same flow as ``penguin-tui setup`` (the provider —
a server found on this machine first —, its API base and key, the connection test, the model
from the provider's list, the permission mode), then the user config written with its
comments kept and a typed key put in the key store. What each step decides lives in
``penguin_tui.setup``; this screen only asks. The slow parts (looking for a local server, the
connection test, writing) run on threads, so the screen never waits on them."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Sequence
from typing import Literal

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from penguin_tui.app.screens.model_picker import size
from penguin_tui.app.screens.option_moves import move_highlight
from penguin_tui.app.widgets.key_hints import KeyHints
from penguin_tui.config.paths import DataPaths
from penguin_tui.errors import PenguinError
from penguin_tui.setup.connection import ConnectionResult, ModelChoice, check_connection
from penguin_tui.setup.detect import LocalServer, detect_local_servers
from penguin_tui.setup.flow import (
    DEFAULT_MODE,
    MODES,
    SetupChoices,
    SetupResult,
    apply,
    config_api_base,
    key_needed,
)
from penguin_tui.setup.providers import (
    Provider,
    ProviderOption,
    provider_options,
)

Step = Literal["provider", "api_base", "key", "testing", "model", "mode", "applying", "done"]

STEP_TITLES: dict[Step, str] = {
    "provider": "Provider",
    "api_base": "API base",
    "key": "API key",
    "testing": "Connection test",
    "model": "Model",
    "mode": "Permission mode",
    "applying": "Writing the config",
    "done": "Done",
}

MODE_HELP = {
    "ask": "asks before each edit and command",
    "read-only": "reads and searches; no edits, no commands",
    "auto-edit": "edits files without asking; asks before commands",
    "full": "edits and runs commands without asking",
}

MODEL_ID_WIDTH = 44


def model_row(model: ModelChoice, id_width: int = MODEL_ID_WIDTH) -> Text:
    """One model on one line: its id, context window and price per million tokens in/out."""
    shown = model.id if len(model.id) <= id_width else model.id[: id_width - 1] + "…"
    line = Text(f"{shown:<{id_width}}", no_wrap=True)
    line.append(f" {size(model.context_window):>6} ctx", style="dim")
    known = model.input_per_mtok is not None and model.output_per_mtok is not None
    price = f"${model.input_per_mtok:g}/${model.output_per_mtok:g} /M" if known else "n/a"
    line.append(f"  {price}", style="dim")
    line.overflow = "ellipsis"
    return line


class SetupScreen(ModalScreen[SetupResult | None]):
    """The setup flow, one step at a time: enter answers a step, escape goes back one (and
    closes at the first step, writing nothing); the result says what was written."""

    DEFAULT_CSS = """
    SetupScreen { align: center middle; }
    SetupScreen > Vertical {
        width: 96%; max-width: 110; height: 90%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    SetupScreen #setup-step { text-style: bold; color: $accent; margin: 1 0 0 0; }
    SetupScreen #setup-help { color: $text-muted; }
    SetupScreen #setup-error { color: $error; }
    SetupScreen #setup-input { margin: 1 0 0 0; }
    SetupScreen OptionList { height: 1fr; border: none; }
    SetupScreen #setup-spacer { height: 1fr; }
    """

    BINDINGS = [
        Binding("enter", "next", "Next", id="setup.next"),
        Binding("escape", "back", "Back (closes at the first step)", id="setup.back"),
        Binding("down", "move(1)", "Next row", id="setup.down", show=False),
        Binding("up", "move(-1)", "Previous row", id="setup.up", show=False),
    ]

    def __init__(
        self, paths: DataPaths, detect: Callable[[], list[LocalServer]] = detect_local_servers
    ) -> None:
        """``paths`` says where the user config and the key file are; ``detect`` looks for
        a server on this machine (it blocks: it runs on a thread)."""
        super().__init__()
        self.paths = paths
        self.detect = detect
        self.step: Step = "provider"
        self.detected = False
        self.options = provider_options([])
        self.option: ProviderOption | None = None
        self.api_base: str | None = None
        self.key: str | None = None
        self.connection: ConnectionResult | None = None
        self.shown_models: list[ModelChoice] = []
        self.model: ModelChoice | None = None
        self.mode = DEFAULT_MODE
        self.result: SetupResult | None = None
        # The one line saying what went wrong last (empty when nothing did).
        self.error = ""

    def compose(self) -> ComposeResult:
        with Vertical() as frame:
            frame.border_title = "Set up a model"
            yield Label("", id="setup-step")
            yield Label("", id="setup-help")
            yield Input(id="setup-input")
            yield OptionList(id="setup-list")
            yield Label("", id="setup-error")
            yield Label("", id="setup-spacer")
            yield KeyHints()

    def on_mount(self) -> None:
        self.query_one(Input).cursor_blink = False
        self._show_providers()
        self._detect()

    # -- what the screen shows -------------------------------------------------------------

    @property
    def provider(self) -> Provider:
        assert self.option is not None
        return self.option.provider

    def _say_error(self, message: str) -> None:
        self.error = message
        self.query_one("#setup-error", Label).update(Text(message))

    def _show(self, step: Step, help_text: str, *, field: bool, listed: bool) -> None:
        """Show ``step``: its title, what to do, and the field or the list it needs."""
        self.step = step
        self.query_one("#setup-step", Label).update(STEP_TITLES[step])
        self.query_one("#setup-help", Label).update(Text(help_text))
        field_widget, options = self.query_one(Input), self.query_one(OptionList)
        field_widget.display = field
        options.display = listed
        self.query_one("#setup-spacer").display = not listed
        if field:
            field_widget.focus()
        elif listed:
            options.focus()
        else:
            self.set_focus(None)
        self.query_one(KeyHints).refresh(layout=True)

    def _fill(self, rows: Sequence[Text | str], highlighted: int | None = 0) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(row, id=str(i)) for i, row in enumerate(rows)])
        options.highlighted = highlighted if rows else None

    def _field(self, value: str, placeholder: str, *, password: bool = False) -> None:
        field = self.query_one(Input)
        field.password = password
        field.placeholder = placeholder
        field.value = value
        field.cursor_position = len(value)

    # -- 1. the provider -------------------------------------------------------------------

    def _show_providers(self) -> None:
        looking = "" if self.detected else " (looking for a server on this machine…)"
        self._show(
            "provider",
            f"Which provider answers? up/down move, Enter picks.{looking}",
            field=False,
            listed=True,
        )
        current = self.options.index(self.option) if self.option in self.options else 0
        self._fill([option.label for option in self.options], current)

    @work(exclusive=True, group="setup-detect", exit_on_error=False)
    async def _detect(self) -> None:
        """Look for a local server on a thread; what is found goes first in the list."""
        found = await asyncio.to_thread(self.detect)
        self.detected = True
        highlighted = self.query_one(OptionList).highlighted or 0
        self.options = provider_options(found)
        if self.step == "provider":
            self._show_providers()
            self.query_one(OptionList).highlighted = highlighted + len(found)

    def _provider_chosen(self, index: int) -> None:
        self.option = self.options[index]
        self.api_base = self.option.api_base
        self.key = None
        self._after_provider()

    def _api_base_asked(self) -> bool:
        """True when the API base is asked (the provider names a server not found here)."""
        return self.provider.needs_api_base and (self.option is None or not self.option.api_base)

    def _after_provider(self) -> None:
        if self._api_base_asked():
            self._show_api_base()
        else:
            self._show_key()

    # -- 2. its API base and key -----------------------------------------------------------

    def _show_api_base(self) -> None:
        default = self.provider.default_api_base or ""
        self._show(
            "api_base",
            f"The API base of your {self.provider.display_name} (Enter keeps {default}).",
            field=True,
            listed=False,
        )
        self._field(self.api_base or default, default)

    def _api_base_given(self, value: str) -> None:
        self.api_base = value.strip() or self.provider.default_api_base
        self._show_key()

    def _env_key(self) -> str | None:
        variable = self.provider.key_variable
        return os.environ.get(variable) if variable else None

    def _base(self) -> str | None:
        return config_api_base(self.provider, self.api_base)

    def _show_key(self) -> None:
        if not self.provider.needs_key:
            self._test_connection()
            return
        variable = self.provider.key_variable
        if variable and os.environ.get(variable):
            hint = f"Enter keeps using ${variable}."
        elif key_needed(self.provider, self._base()):
            hint = "It is kept in the system keyring, else a file only you can read."
        else:
            hint = "A server on this machine may need none: Enter for none."
        self._show("key", f"The API key. {hint}", field=True, listed=False)
        self._field(self.key or "", "API key", password=True)

    def _key_given(self, value: str) -> None:
        key = value.strip() or None
        if key is None and key_needed(self.provider, self._base()) and not self._env_key():
            self._say_error("a key is needed for this provider")
            return
        self.key = key
        self._test_connection()

    # -- 3. the connection test ------------------------------------------------------------

    def _test_connection(self) -> None:
        where = self._base() or self.provider.display_name
        self._show("testing", f"Asking {where} for its models…", field=False, listed=False)
        self._check()

    @work(exclusive=True, group="setup-check", exit_on_error=False)
    async def _check(self) -> None:
        provider, base, key = self.provider, self._base(), self.key or self._env_key()
        try:
            result = await asyncio.to_thread(check_connection, provider, base, key)
        except PenguinError as error:
            self._say_error(f"connection failed: {error.message}")
            # As ``penguin-tui setup`` does: the API base asked again, else the key.
            if self._api_base_asked():
                self._show_api_base()
            else:
                self._back_from_test()
            return
        self.connection = result
        self._show_models()

    def _back_from_test(self) -> None:
        """The step before the connection test: the key, else the API base, else the
        provider."""
        if self.provider.needs_key:
            self._show_key()
        elif self._api_base_asked():
            self._show_api_base()
        else:
            self._show_providers()

    # -- 4. the model ----------------------------------------------------------------------

    def _show_models(self) -> None:
        assert self.connection is not None
        count = len(self.connection.models)
        self._show(
            "model",
            f"{self.connection.api_base} lists {count} model(s): type to filter, Enter picks.",
            field=True,
            listed=True,
        )
        self._field("", "filter models")
        self._filter("")

    @on(Input.Changed, "#setup-input")
    def _typed(self, event: Input.Changed) -> None:
        if self.step == "model":
            self._filter(event.value)

    def _filter(self, query: str) -> None:
        assert self.connection is not None
        wanted = query.strip().lower()
        self.shown_models = [m for m in self.connection.models if wanted in m.id.lower()]
        width = self.query_one(OptionList).content_size.width or self.app.size.width - 6
        id_width = max(12, min(MODEL_ID_WIDTH, width - 30))
        self._fill([model_row(model, id_width) for model in self.shown_models])

    def _model_chosen(self, index: int | None) -> None:
        if index is None or not self.shown_models:
            return
        self.model = self.shown_models[index]
        self._show_modes()

    # -- 5. the permission mode, then writing ----------------------------------------------

    def _show_modes(self) -> None:
        self._show(
            "mode",
            "How much may the agent do without asking? Enter picks (ask is the default).",
            field=False,
            listed=True,
        )
        self._fill([f"{mode:<10} {MODE_HELP.get(mode, '')}" for mode in MODES])
        self.query_one(OptionList).highlighted = MODES.index(self.mode)

    def _mode_chosen(self, index: int) -> None:
        self.mode = MODES[index]
        assert self.model is not None
        choices = SetupChoices(
            provider=self.provider.name,
            model=self.model.name,
            api_base=self._base(),
            key=self.key,
            mode=self.mode,
        )
        self._show("applying", "Writing the user config…", field=False, listed=False)
        self._apply(choices)

    @work(exclusive=True, group="setup-apply", exit_on_error=False)
    async def _apply(self, choices: SetupChoices) -> None:
        try:
            self.result = await asyncio.to_thread(apply, choices, self.paths)
        except PenguinError as error:
            self._say_error(error.message)
            self._show_modes()
            return
        lines = [*self.result.summary(), "Enter closes: the next prompt uses this model."]
        self._show("done", "\n".join(lines), field=False, listed=False)

    # -- keys ------------------------------------------------------------------------------

    def _answer(self, index: int | None) -> None:
        """Enter on the list or in the field: the current step's answer."""
        self._say_error("")
        field = self.query_one(Input).value
        if self.step == "provider" and index is not None:
            self._provider_chosen(index)
        elif self.step == "api_base":
            self._api_base_given(field)
        elif self.step == "key":
            self._key_given(field)
        elif self.step == "model":
            self._model_chosen(index)
        elif self.step == "mode" and index is not None:
            self._mode_chosen(index)
        elif self.step == "done":
            self.dismiss(self.result)

    @on(OptionList.OptionSelected, "#setup-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._answer(event.option_index)

    @on(Input.Submitted, "#setup-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._answer(self.query_one(OptionList).highlighted)

    def action_next(self) -> None:
        self._answer(self.query_one(OptionList).highlighted)

    def action_move(self, steps: int) -> None:
        move_highlight(self.query_one(OptionList), steps)

    def action_back(self) -> None:
        """One step back; at the first step (or when done) the screen closes."""
        self._say_error("")
        step = self.step
        if step in ("provider", "done"):
            self.dismiss(self.result)
        elif step == "api_base":
            self._show_providers()
        elif step in ("key", "testing"):
            self.workers.cancel_group(self, "setup-check")
            if step == "testing" and self.provider.needs_key:
                self._show_key()
            elif self._api_base_asked():
                self._show_api_base()
            else:
                self._show_providers()
        elif step == "model":
            self._back_from_test()
        elif step == "mode":
            self._show_models()
