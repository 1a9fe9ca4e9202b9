"""The model picker in the workbench: the list of models loaded off the loop, and the pick
handed to the engine (it answers from the next prompt on) and to the usage pane."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from penguin_tui.app.widgets.usage import UsagePane

if TYPE_CHECKING:
    from penguin_tui.app.app import PenguinApp
    from penguin_tui.app.screens.model_picker import ModelChoices
    from penguin_tui.config.settings import ModelSettings
    from penguin_tui.llm.catalog import ModelInfo


def server_key() -> str | None:
    """The key a model call would send (PENGUIN_API_KEY, else the OpenAI variable)."""
    return os.environ.get("PENGUIN_API_KEY") or os.environ.get("OPENAI_API_KEY") or None


def list_models(settings: ModelSettings, cache_dir: Path) -> ModelChoices:
    """What ``penguin-tui models`` lists: the configured server's models (cached for an
    hour) with the catalog's facts, then litellm's catalog. Blocks: call it on a thread.
    A server that cannot be asked is said so in ``server_note``; the catalog still comes."""
    from penguin_tui.app.screens.model_picker import ModelChoices
    from penguin_tui.llm.catalog import catalog
    from penguin_tui.llm.model_list import (
        ModelListError,
        merged_info,
        server_models,
        without_password,
    )
    from penguin_tui.words import plural

    server: tuple[ModelInfo, ...] = ()
    note = None
    if settings.api_base:
        where = without_password(settings.api_base)
        try:
            listed = server_models(settings.api_base, key=server_key(), cache_dir=cache_dir)
        except ModelListError as error:
            note = f"{where}: no list ({error.message})"
        else:
            server = tuple(merged_info(m, settings.api_base, settings) for m in listed.models)
            cached = ", cached" if listed.from_cache else ""
            note = f"{where}: {plural(len(server), 'model')}{cached}"
    return ModelChoices(server, note, tuple(catalog(settings)))


class ModelsController:
    """Opens the picker, and applies the model picked."""

    def __init__(self, app: PenguinApp) -> None:
        self.app = app

    def pick(self) -> None:
        """The picker over the workbench; the model picked answers from the next prompt on."""
        runtime = self.app.runtime
        if runtime is None:
            self.app.notify("the store is still opening; try again in a moment", severity="warning")
            return
        from penguin_tui.app.screens.model_picker import ModelPicker

        settings, cache_dir = runtime.settings.model, runtime.paths.cache
        picker = ModelPicker(lambda: list_models(settings, cache_dir), settings.name)
        self.app.push_screen(picker, self.switch)

    def switch(self, name: str | None) -> None:
        """Answer with ``name`` from the next call on; the usage pane names it."""
        runtime = self.app.runtime
        if name is None or runtime is None or name == runtime.settings.model.name:
            return
        # litellm is loaded: the picker's list came from its catalog.
        from penguin_tui.llm.pricing import context_window
        from penguin_tui.llm.target import litellm_model_name

        settings = runtime.settings.model
        runtime.engine.switch_model(name)
        self.app.tally.model = name
        self.app.tally.context_window = context_window(
            litellm_model_name(name, settings.api_base), settings
        )
        for pane in self.app.workbench.query(UsagePane):
            pane.show()
        under_way = " (the turn under way ends with the model it began with)"
        self.app.notify(
            f"{name} answers from the next prompt on{under_way if runtime.engine.busy else ''}"
        )
