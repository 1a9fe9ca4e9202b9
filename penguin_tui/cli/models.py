"""``penguin-tui models``: the models that can be used — the server's own list when an API
base is given or configured, then litellm's offline catalog — with what is known of each."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from penguin_tui.cli.exit_codes import ExitCode, fail
from penguin_tui.errors import ConfigError
from penguin_tui.formatting import age
from penguin_tui.words import plural

if TYPE_CHECKING:  # these load litellm when called: imported when the command runs
    from penguin_tui.llm.catalog import ModelInfo
    from penguin_tui.llm.model_list import ServerList

HEADERS = (
    "ID",
    "PROVIDER",
    "CONTEXT",
    "MAX OUT",
    "$IN/M",
    "$OUT/M",
    "TOOLS",
    "IMAGES",
    "REASONING",
)


def models_command(options: argparse.Namespace) -> ExitCode:
    from penguin_tui.cli.edge import run_at_edge

    async def command() -> ExitCode:
        return await _models(options)

    return run_at_edge(command)


def _server_key() -> str | None:
    """The key a model call would send (PENGUIN_API_KEY, else the OpenAI variable)."""
    return os.environ.get("PENGUIN_API_KEY") or os.environ.get("OPENAI_API_KEY") or None


async def _models(options: argparse.Namespace) -> ExitCode:
    from penguin_tui.config import data_paths, load_settings
    from penguin_tui.config.paths import project_directory
    from penguin_tui.llm.catalog import catalog
    from penguin_tui.llm.model_list import ModelListError, list_server_models, merged_info

    paths = data_paths()
    settings = load_settings(
        paths.user_config, project_directory(options.directory), api_base=options.api_base
    ).model
    server: ServerList | None = None
    models: list[ModelInfo] = []
    if settings.api_base:
        _check_url(settings.api_base)
        try:
            server = await list_server_models(
                settings.api_base, key=_server_key(), cache_dir=paths.cache
            )
        except ModelListError as error:
            return fail(f"{error.message} (check --api-base or [model] api_base)")
        models = [merged_info(model, settings.api_base, settings) for model in server.models]
        if options.provider:
            models = [info for info in models if info.provider == options.provider]
    listed = catalog(settings, provider=options.provider)
    if options.json:
        from penguin_tui.cli.results import dump

        dump([info.to_json() for info in [*models, *listed]])
        return ExitCode.OK
    if server is not None:
        print(_server_headline(server, len(models)))
        _print_table(models)
        print()
    print(f"litellm's catalog: {plural(len(listed), 'model')}")
    _print_table(listed)
    return ExitCode.OK


def _check_url(api_base: str) -> None:
    parsed = urlparse(api_base)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(
            f"the API base {api_base!r} is not an http(s) URL; "
            "use something like http://localhost:8000/v1"
        )


def _server_headline(server: ServerList, count: int) -> str:
    from penguin_tui.llm.model_list import without_password

    where = without_password(server.api_base)
    if server.from_cache:
        import time

        when = f"listed {age(max(time.time() - server.fetched_at, 0))} ago, cached"
    else:
        when = "listed now"
    return f"{where}: {plural(count, 'model')} ({when})"


def _price(value: float | None) -> str:
    return "n/a" if value is None else f"{value:g}"


def _size(value: int | None) -> str:
    return "?" if value is None else f"{value:,}"


def _flag(value: bool | None) -> str:
    return "?" if value is None else ("yes" if value else "no")


def _row(info: ModelInfo) -> tuple[str, ...]:
    return (
        info.id,
        info.provider or "?",
        _size(info.context_window),
        _size(info.max_output),
        _price(info.input_per_mtok),
        _price(info.output_per_mtok),
        _flag(info.tools),
        _flag(info.images),
        _flag(info.reasoning),
    )


def _print_table(models: Sequence[ModelInfo]) -> None:
    rows = [HEADERS, *(_row(info) for info in models)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(HEADERS))]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        sys.stdout.write("  ".join(cells).rstrip() + "\n")
