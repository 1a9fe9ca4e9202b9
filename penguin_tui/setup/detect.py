"""A model server already running on this machine: Ollama on its port (11434) or an
OpenAI-compatible server on the usual ones (8000 vLLM, 1234 LM Studio, 8080 llama.cpp),
found by asking ``/api/tags`` or ``/v1/models`` with a short timeout. Setup offers what it
finds first. Every port is asked at once, so the whole look takes one timeout at most."""

from __future__ import annotations

import json
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

# How long each port may take to answer, in seconds.
DETECT_TIMEOUT_S = 0.4
OLLAMA_PORTS: tuple[int, ...] = (11434,)
OPENAI_COMPATIBLE_PORTS: tuple[int, ...] = (8000, 1234, 8080)


@dataclass(frozen=True)
class LocalServer:
    """A server found on this machine: its provider name (``ollama`` or
    ``openai-compatible``), its API base, and how many models it lists."""

    provider: str
    api_base: str
    model_count: int

    def describe(self) -> str:
        kind = "Ollama" if self.provider == "ollama" else "OpenAI-compatible server"
        plural = "" if self.model_count == 1 else "s"
        return f"{kind} at {self.api_base} ({self.model_count} model{plural})"


def _count(url: str, field: str, timeout: float) -> int | None:
    """How many models ``url`` lists under ``field``; None when it does not answer so."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            document = json.loads(answer.read(1024 * 1024))
    except Exception:  # refused, timed out, not JSON: no server there
        return None
    listed = document.get(field) if isinstance(document, dict) else None
    return len(listed) if isinstance(listed, list) else None


def _probe(provider: str, port: int, host: str, timeout: float) -> LocalServer | None:
    if provider == "ollama":
        base = f"http://{host}:{port}"
        count = _count(f"{base}/api/tags", "models", timeout)
    else:
        base = f"http://{host}:{port}/v1"
        count = _count(f"{base}/models", "data", timeout)
    return None if count is None else LocalServer(provider, base, count)


def detect_local_servers(
    *,
    host: str = "localhost",
    ollama_ports: tuple[int, ...] = OLLAMA_PORTS,
    openai_ports: tuple[int, ...] = OPENAI_COMPATIBLE_PORTS,
    timeout: float = DETECT_TIMEOUT_S,
) -> list[LocalServer]:
    """The servers answering on this machine, Ollama first, then by port order."""
    probes = [("ollama", port) for port in ollama_ports]
    probes += [("openai-compatible", port) for port in openai_ports]
    if not probes:
        return []
    with ThreadPoolExecutor(max_workers=len(probes)) as pool:
        found = list(pool.map(lambda p: _probe(p[0], p[1], host, timeout), probes))
    return [server for server in found if server is not None]
