"""A model server's own list of models, cached in the data directory, merged with the
catalog's facts.

An OpenAI-compatible server answers ``GET {api_base}/models``; Ollama answers ``GET /api/tags``
and, per model, ``POST /api/show`` (its context length and capabilities). A base on Ollama's
port (11434) is asked the Ollama way first; any other base the OpenAI way, then the Ollama way
when that fails. Standard library HTTP with a short timeout: call it from a worker thread
(``list_server_models``) when an event loop is running.

Each server's list is cached for ``CACHE_TTL_S`` (one hour) in a JSON file named after its API
base; the key is never written. A failure is a ``ModelListError``: one line, no traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse, urlunparse

from penguin_tui.config.settings import ModelSettings
from penguin_tui.errors import PenguinError
from penguin_tui.llm.catalog import ModelInfo, catalog_entry, with_config

# How long a server's cached list is used before it is fetched again, in seconds.
CACHE_TTL_S = 3600.0
# How long one request to the server may take, in seconds.
TIMEOUT_S = 5.0
OLLAMA_PORT = 11434
# A larger answer than this is not a list of models.
MAX_ANSWER_BYTES = 8 * 1024 * 1024

ServerKind = Literal["openai", "ollama"]
Clock = Callable[[], float]


class ModelListError(PenguinError):
    """The server's list of models could not be had (unreachable, refused, not a list)."""


@dataclass(frozen=True)
class ServerModel:
    """A model as the server lists it: its id and what the server says of it (None when
    it says nothing)."""

    id: str
    kind: ServerKind
    context_window: int | None = None
    tools: bool | None = None
    images: bool | None = None
    reasoning: bool | None = None


@dataclass(frozen=True)
class ServerList:
    """A server's models, and when they were fetched (seconds since the epoch)."""

    api_base: str
    models: tuple[ServerModel, ...]
    fetched_at: float
    from_cache: bool = False


def _request(url: str, key: str | None, body: dict[str, Any] | None = None) -> Any:
    """The JSON answer of one GET (or POST of ``body``); a ModelListError otherwise."""
    headers = {"Accept": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    data = None
    if body is not None:
        data = json.dumps(body).encode("utf-8")
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, headers=headers)
    shown = without_password(url)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:
            raw = answer.read(MAX_ANSWER_BYTES)
    except urllib.error.HTTPError as error:
        raise ModelListError(f"{shown} answered {error.code} {error.reason}") from error
    except urllib.error.URLError as error:
        raise ModelListError(f"cannot reach {shown}: {unreachable_reason(error.reason)}") from error
    except (OSError, TimeoutError) as error:
        raise ModelListError(f"cannot reach {shown}: {unreachable_reason(error)}") from error
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelListError(f"{shown} did not answer JSON") from error


def unreachable_reason(reason: object, timeout_s: float = TIMEOUT_S) -> str:
    """Why a server could not be reached, in a few words (a timeout, an OS error)."""
    if isinstance(reason, TimeoutError):
        return f"no answer in {timeout_s:g} s"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return str(reason) or type(reason).__name__


def without_password(url: str) -> str:
    """The URL without a user and password (never written to a file or a message)."""
    parts = urlparse(url)
    if "@" not in parts.netloc:
        return url
    return urlunparse(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def _count(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        return None
    return value


def _openai_models(api_base: str, key: str | None) -> list[ServerModel]:
    answer = _request(f"{api_base.rstrip('/')}/models", key)
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, list):
        raise ModelListError(f"{without_password(api_base)}/models did not answer a list")
    return [
        ServerModel(
            id=item["id"],
            kind="openai",
            # vLLM says max_model_len, OpenRouter context_length.
            context_window=_count(item.get("max_model_len")) or _count(item.get("context_length")),
        )
        for item in data
        if isinstance(item, dict) and isinstance(item.get("id"), str)
    ]


def ollama_root(api_base: str) -> str:
    """Ollama's own API lives at the server's root, not under its OpenAI ``/v1``."""
    parts = urlparse(api_base)
    path = parts.path.rstrip("/").removesuffix("/v1")
    return urlunparse(parts._replace(path=path, params="", query="", fragment=""))


def _ollama_models(api_base: str, key: str | None) -> list[ServerModel]:
    root = ollama_root(api_base)
    answer = _request(f"{root}/api/tags", key)
    tags = answer.get("models") if isinstance(answer, dict) else None
    if not isinstance(tags, list):
        raise ModelListError(f"{without_password(root)}/api/tags did not answer a list")
    names = [t["name"] for t in tags if isinstance(t, dict) and isinstance(t.get("name"), str)]
    return [_ollama_details(root, name, key) for name in names]


def _ollama_details(root: str, name: str, key: str | None) -> ServerModel:
    """A model's context length (from its model_info) and capabilities, when Ollama says."""
    try:
        details = _request(f"{root}/api/show", key, {"model": name})
    except ModelListError:
        return ServerModel(id=name, kind="ollama")
    if not isinstance(details, dict):
        return ServerModel(id=name, kind="ollama")
    info = details.get("model_info")
    window = None
    if isinstance(info, dict):
        lengths = [v for k, v in info.items() if str(k).endswith(".context_length")]
        window = _count(lengths[0]) if lengths else None
    capabilities = details.get("capabilities")
    if not isinstance(capabilities, list):
        return ServerModel(id=name, kind="ollama", context_window=window)
    return ServerModel(
        id=name,
        kind="ollama",
        context_window=window,
        tools="tools" in capabilities,
        images="vision" in capabilities,
        reasoning="thinking" in capabilities,
    )


def fetch_server_models(api_base: str, key: str | None = None) -> list[ServerModel]:
    """The server's list, asked now: the Ollama way first on Ollama's port, else the
    OpenAI way, then the Ollama way when that fails."""
    if urlparse(api_base).port == OLLAMA_PORT:
        try:
            return _ollama_models(api_base, key)
        except ModelListError:
            return _openai_models(api_base, key)
    try:
        return _openai_models(api_base, key)
    except ModelListError as error:
        try:
            return _ollama_models(api_base, key)
        except ModelListError:
            raise error from None


def cache_file(cache_dir: Path, api_base: str) -> Path:
    """Where the list of the server at ``api_base`` is cached."""
    digest = hashlib.sha256(api_base.rstrip("/").encode("utf-8")).hexdigest()[:16]
    return cache_dir / f"models-{digest}.json"


def _read_cache(path: Path, api_base: str, now: float) -> ServerList | None:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        fetched_at = float(document["fetched_at"])
        if document["api_base"] != without_password(api_base) or not (
            0 <= now - fetched_at < CACHE_TTL_S
        ):
            return None
        models = tuple(ServerModel(**item) for item in document["models"])
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing, expired, or not ours: fetched again
    return ServerList(api_base, models, fetched_at, from_cache=True)


def _write_cache(path: Path, listed: ServerList) -> None:
    """Write the list whole or not at all; a cache that cannot be written is skipped."""
    document = {
        "api_base": without_password(listed.api_base),
        "fetched_at": listed.fetched_at,
        "models": [asdict(model) for model in listed.models],
    }
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".models-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(document, out)
            os.replace(temporary, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)


def server_models(
    api_base: str, *, key: str | None, cache_dir: Path, clock: Clock = time.time
) -> ServerList:
    """The server's list from the cache while it is fresh, else asked now and cached."""
    path = cache_file(cache_dir, api_base)
    now = clock()
    cached = _read_cache(path, api_base, now)
    if cached is not None:
        return cached
    listed = ServerList(api_base, tuple(fetch_server_models(api_base, key)), now)
    _write_cache(path, listed)
    return listed


async def list_server_models(
    api_base: str, *, key: str | None, cache_dir: Path, clock: Clock = time.time
) -> ServerList:
    """``server_models`` in a worker thread, for callers on an event loop."""
    return await asyncio.to_thread(
        server_models, api_base, key=key, cache_dir=cache_dir, clock=clock
    )


def _catalog_names(model: ServerModel) -> list[str]:
    """The catalog's names this server model may go by."""
    names = [f"openai/{model.id}", model.id, f"ollama/{model.id}"]
    if model.id.endswith(":latest"):
        names.append(f"ollama/{model.id.removesuffix(':latest')}")
    return names


def merged_info(model: ServerModel, api_base: str, settings: ModelSettings) -> ModelInfo:
    """A server model with the catalog's facts when litellm knows it, the server's own
    facts over those, and the config over both."""
    known = next(filter(None, map(catalog_entry, _catalog_names(model))), None)
    info = ModelInfo(id=model.id, provider=model.kind, api_base=without_password(api_base))
    if known is not None:
        facts = {name: getattr(known, name) for name in known.sources}
        info = info.with_facts("catalog", **facts)
    info = info.with_facts(
        "server",
        context_window=model.context_window,
        tools=model.tools,
        images=model.images,
        reasoning=model.reasoning,
    )
    return with_config(info, settings)
