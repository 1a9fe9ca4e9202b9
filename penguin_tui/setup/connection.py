"""The connection test: ask the provider for its list of models with the key given, and
say what went wrong in one line, in the provider's own words when it gave any.

Each model listed comes with what litellm's catalog knows of it (context window, price).
Standard library HTTP with a short timeout; call ``check_connection`` from a worker thread
when an event loop is running.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from penguin_tui.errors import PenguinError
from penguin_tui.llm.catalog import catalog_entry
from penguin_tui.llm.model_list import (
    ModelListError,
    fetch_server_models,
    ollama_root,
    unreachable_reason,
    without_password,
)
from penguin_tui.setup.providers import Provider

TIMEOUT_S = 8.0
MAX_ANSWER_BYTES = 8 * 1024 * 1024
ANTHROPIC_VERSION = "2023-06-01"


class ConnectionFailed(PenguinError):
    """The provider could not be reached or refused the key; the message is one line."""


@dataclass(frozen=True)
class ModelChoice:
    """A model the provider lists: its id there, the name to write to the config, and
    what is known of it (None when unknown; prices in dollars per million tokens)."""

    id: str
    name: str
    context_window: int | None = None
    input_per_mtok: float | None = None
    output_per_mtok: float | None = None

    def describe(self) -> str:
        """``id  128k context  $0.15/$0.60 per Mtok`` (what is known of it)."""
        parts = [self.id]
        if self.context_window:
            parts.append(f"{_tokens(self.context_window)} context")
        if self.input_per_mtok is not None and self.output_per_mtok is not None:
            parts.append(f"${self.input_per_mtok:g}/${self.output_per_mtok:g} per Mtok")
        return "  ".join(parts)


def _tokens(count: int) -> str:
    if count >= 1_000_000:
        return f"{count / 1_000_000:g}M"
    if count >= 1000:
        return f"{count // 1000}k"
    return str(count)


@dataclass(frozen=True)
class ConnectionResult:
    """The test passed: the models the provider listed, in its order."""

    api_base: str
    models: tuple[ModelChoice, ...]


def _one_line(text: str, limit: int = 240) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _provider_message(body: bytes) -> str | None:
    """The error message in the provider's answer: ``{"error": {"message": …}}`` and its
    kin; None when the answer has none."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        text = body.decode("utf-8", "replace").strip()
        return _one_line(text) if text and "<" not in text[:1] else None
    if not isinstance(document, dict):
        return None
    error = document.get("error", document)
    if isinstance(error, str):
        return _one_line(error)
    if isinstance(error, dict):
        for field in ("message", "detail", "error"):
            value = error.get(field)
            if isinstance(value, str) and value:
                return _one_line(value)
    return None


def _get_json(url: str, headers: dict[str, str]) -> Any:
    request = urllib.request.Request(url, headers={"Accept": "application/json", **headers})
    shown = without_password(url).split("?", 1)[0]
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:
            raw = answer.read(MAX_ANSWER_BYTES)
    except urllib.error.HTTPError as error:
        said = _provider_message(error.read(65536))
        detail = f": {said}" if said else ""
        raise ConnectionFailed(f"{shown} answered {error.code} {error.reason}{detail}") from error
    except urllib.error.URLError as error:
        raise ConnectionFailed(
            f"cannot reach {shown}: {unreachable_reason(error.reason, TIMEOUT_S)}"
        ) from error
    except (OSError, TimeoutError) as error:
        raise ConnectionFailed(
            f"cannot reach {shown}: {unreachable_reason(error, TIMEOUT_S)}"
        ) from error
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ConnectionFailed(f"{shown} did not answer JSON; is it the API base?") from error


def _listed_ids(provider: Provider, api_base: str, key: str | None) -> list[str]:
    """The ids the provider lists, asked its own way."""
    base = api_base.rstrip("/")
    if provider.name == "ollama":
        try:
            return [model.id for model in fetch_server_models(ollama_root(base), key)]
        except ModelListError as error:
            raise ConnectionFailed(error.message) from error
    if provider.name == "anthropic":
        headers = {"x-api-key": key or "", "anthropic-version": ANTHROPIC_VERSION}
        answer = _get_json(f"{base}/models?limit=1000", headers)
    elif provider.name == "gemini":
        answer = _get_json(f"{base}/models?pageSize=1000", {"x-goog-api-key": key or ""})
        models = answer.get("models") if isinstance(answer, dict) else None
        if not isinstance(models, list):
            raise ConnectionFailed(f"{base}/models did not answer a list of models")
        names = [m.get("name") for m in models if isinstance(m, dict)]
        return [n.removeprefix("models/") for n in names if isinstance(n, str)]
    else:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        answer = _get_json(f"{base}/models", headers)
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, list):
        raise ConnectionFailed(f"{without_password(base)}/models did not answer a list of models")
    return [
        item["id"] for item in data if isinstance(item, dict) and isinstance(item.get("id"), str)
    ]


def choice_for(provider: Provider, model_id: str) -> ModelChoice:
    """The model as setup offers it: the config's name for it and the catalog's facts."""
    name = provider.litellm_name(model_id)
    known = catalog_entry(name) or catalog_entry(model_id)
    if known is None:
        return ModelChoice(id=model_id, name=name)
    return ModelChoice(
        id=model_id,
        name=name,
        context_window=known.context_window,
        input_per_mtok=known.input_per_mtok,
        output_per_mtok=known.output_per_mtok,
    )


def check_connection(provider: Provider, api_base: str | None, key: str | None) -> ConnectionResult:
    """Ask the provider (at ``api_base``, else its usual one) for its models with ``key``:
    the models, or a ConnectionFailed in one line (a refused key in the provider's words)."""
    base = api_base or provider.default_api_base
    if base is None:
        raise ConnectionFailed(f"{provider.display_name} needs an API base")
    ids = _listed_ids(provider, base, key)
    if not ids:
        raise ConnectionFailed(f"{without_password(base)} lists no models")
    return ConnectionResult(api_base=base, models=tuple(choice_for(provider, i) for i in ids))
