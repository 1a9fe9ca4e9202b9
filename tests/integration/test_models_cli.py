"""`penguin-tui models` against real servers: the scripted model's /v1/models, a small
Ollama-like server, one that cannot be reached; the cache in the data directory; and `models`
as a command word."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from penguin_tui.cli.main import main
from penguin_tui.llm.loader import load_litellm
from penguin_tui.llm.model_list import CACHE_TTL_S, server_models
from penguin_tui.testing import ServerThread, run_in_thread
from tests.conftest import script

Captured = pytest.CaptureFixture[str]

KNOWN_SCRIPT = """
model = "gpt-4o-mini"
rate = 0
[[turns]]
text = "Hello."
"""


def models(capsys: Captured, *args: str) -> tuple[int, str, str]:
    code = main(["models", *args])
    out, err = capsys.readouterr()
    return code, out, err


def listed(capsys: Captured, *args: str) -> list[dict[str, Any]]:
    code, out, err = models(capsys, *args, "--json")
    assert code == 0, err
    result: list[dict[str, Any]] = json.loads(out)
    return result


def from_server(entries: list[dict[str, Any]], api_base: str) -> dict[str, dict[str, Any]]:
    return {entry["id"]: entry for entry in entries if entry["api_base"] == api_base}


@pytest.fixture
def known_server() -> Iterator[ServerThread]:
    """The scripted model, serving a model litellm's catalog knows."""
    with run_in_thread(script(KNOWN_SCRIPT)) as thread:
        yield thread


class OllamaLike:
    """A tiny stand-in for Ollama's own API: /api/tags and /api/show, nothing else (so
    /v1/models answers 404), counting the requests and keeping their headers."""

    TAGS = {"models": [{"name": "llama3.2:latest"}, {"name": "house-model:7b"}]}
    SHOW = {
        "llama3.2:latest": {
            "model_info": {"general.architecture": "llama", "llama.context_length": 131072},
            "capabilities": ["completion", "tools"],
        },
        "house-model:7b": {"model_info": {"general.architecture": "qwen2"}},
    }

    def __init__(self) -> None:
        self.hits: dict[str, int] = {}
        self.headers: list[dict[str, str]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _answer(self, status: int, body: object) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _count(self) -> None:
                owner.hits[self.path] = owner.hits.get(self.path, 0) + 1
                owner.headers.append({k.lower(): v for k, v in self.headers.items()})

            def do_GET(self) -> None:
                self._count()
                if self.path == "/api/tags":
                    self._answer(200, owner.TAGS)
                else:
                    self._answer(404, {"error": "not found"})

            def do_POST(self) -> None:
                self._count()
                length = int(self.headers.get("Content-Length", "0"))
                name = json.loads(self.rfile.read(length)).get("model")
                if self.path == "/api/show" and name in owner.SHOW:
                    self._answer(200, owner.SHOW[name])
                else:
                    self._answer(404, {"error": "not found"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def ollama() -> Iterator[OllamaLike]:
    fake = OllamaLike()
    fake.thread.start()
    try:
        yield fake
    finally:
        fake.server.shutdown()
        fake.server.server_close()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_models_json_lists_the_servers_models_with_the_catalogs_facts(
    capsys: Captured, known_server: ServerThread
) -> None:
    catalog = load_litellm().model_cost["gpt-4o-mini"]
    entries = listed(capsys, "--api-base", known_server.base_url)
    served = from_server(entries, known_server.base_url)
    assert list(served) == ["gpt-4o-mini"]
    model = served["gpt-4o-mini"]
    assert model["provider"] == "openai"
    assert model["context_window"] == catalog["max_input_tokens"]
    assert model["max_output"] == catalog["max_output_tokens"]
    assert model["input_per_mtok"] == pytest.approx(catalog["input_cost_per_token"] * 1e6)
    assert model["output_per_mtok"] == pytest.approx(catalog["output_cost_per_token"] * 1e6)
    assert model["cache_read_per_mtok"] == pytest.approx(
        catalog["cache_read_input_token_cost"] * 1e6
    )
    assert model["tools"] is True
    assert model["sources"]["context_window"] == "catalog"
    assert model["sources"]["input_per_mtok"] == "catalog"
    # The catalog follows the server's list.
    assert any(entry["api_base"] is None and entry["id"] == "gpt-4o-mini" for entry in entries)


def test_a_model_litellm_does_not_know_has_every_fact_null_with_no_source(
    capsys: Captured, server: ServerThread
) -> None:
    (model,) = from_server(listed(capsys, "--api-base", server.base_url), server.base_url).values()
    assert model["id"] == "m1"
    for fact in ("context_window", "input_per_mtok", "output_per_mtok", "tools", "reasoning"):
        assert model[fact] is None
    assert model["sources"] == {}


def test_the_projects_api_base_and_prices_apply_with_C(
    capsys: Captured, known_server: ServerThread, project: Path
) -> None:
    (project / ".penguin").mkdir()
    (project / ".penguin" / "config.toml").write_text(
        f'[model]\napi_base = "{known_server.base_url}"\n'
        '[model.prices."gpt-4o-mini"]\ninput_per_mtok = 1.0\noutput_per_mtok = 2.0\n'
        '[model.context_windows]\n"openai/gpt-4o-mini" = 4096\n',
        encoding="utf-8",
    )
    entries = listed(capsys, "-C", str(project))
    model = from_server(entries, known_server.base_url)["gpt-4o-mini"]
    assert (model["input_per_mtok"], model["output_per_mtok"]) == (1.0, 2.0)
    # A configured price without cache prices bills cache tokens at its input price.
    assert (model["cache_read_per_mtok"], model["cache_write_per_mtok"]) == (1.0, 1.0)
    assert model["context_window"] == 4096
    assert model["sources"]["input_per_mtok"] == "config"
    assert model["sources"]["context_window"] == "config"
    assert model["sources"]["max_output"] == "catalog"


def test_an_ollama_server_is_listed_from_its_tags_with_context_length_and_capabilities(
    capsys: Captured, ollama: OllamaLike
) -> None:
    served = from_server(listed(capsys, "--api-base", ollama.base_url), ollama.base_url)
    assert list(served) == ["llama3.2:latest", "house-model:7b"]
    llama = served["llama3.2:latest"]
    assert llama["provider"] == "ollama"
    assert (llama["context_window"], llama["tools"], llama["images"]) == (131072, True, False)
    assert llama["sources"]["context_window"] == "server"
    assert llama["sources"]["tools"] == "server"
    house = served["house-model:7b"]
    assert house["context_window"] is None and house["tools"] is None


def test_the_text_table_shows_the_servers_models_then_the_catalog(
    capsys: Captured, known_server: ServerThread
) -> None:
    code, out, _ = models(capsys, "--api-base", known_server.base_url, "--provider", "openai")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"{known_server.base_url}: 1 model (listed now)"
    assert lines[1].split() == [
        "ID", "PROVIDER", "CONTEXT", "MAX", "OUT", "$IN/M", "$OUT/M", "TOOLS", "IMAGES",
        "REASONING",
    ]  # fmt: skip
    assert lines[2].split()[:4] == ["gpt-4o-mini", "openai", "128,000", "16,384"]
    assert lines[4].startswith("litellm's catalog: ")


def test_a_second_call_is_served_from_the_cache(capsys: Captured, penguin_home: Path) -> None:
    with run_in_thread(script(KNOWN_SCRIPT)) as thread:
        base = thread.base_url
        first = from_server(listed(capsys, "--api-base", base), base)
    # The server is gone: the list comes from the cache in the data directory.
    assert from_server(listed(capsys, "--api-base", base), base) == first
    code, out, _ = models(capsys, "--api-base", base)
    assert code == 0 and out.splitlines()[0].endswith("ago, cached)")
    assert [path.name.startswith("models-") for path in (penguin_home / "cache").iterdir()] == [
        True
    ]


def test_an_expired_cache_is_fetched_again(ollama: OllamaLike, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = server_models(ollama.base_url, key=None, cache_dir=cache, clock=lambda: 1000.0)
    assert not first.from_cache and ollama.hits["/api/tags"] == 1
    fresh = server_models(
        ollama.base_url, key=None, cache_dir=cache, clock=lambda: 1000.0 + CACHE_TTL_S - 1
    )
    assert fresh.from_cache and fresh.models == first.models and ollama.hits["/api/tags"] == 1
    again = server_models(
        ollama.base_url, key=None, cache_dir=cache, clock=lambda: 1000.0 + CACHE_TTL_S
    )
    assert not again.from_cache and ollama.hits["/api/tags"] == 2


def test_the_key_is_sent_as_bearer_and_never_written_to_the_cache(
    capsys: Captured, ollama: OllamaLike, penguin_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PENGUIN_API_KEY", "sk-test-models-key-0123456789")
    listed(capsys, "--api-base", ollama.base_url)
    assert {h.get("authorization") for h in ollama.headers} == {
        "Bearer sk-test-models-key-0123456789"
    }
    (cached,) = (penguin_home / "cache").iterdir()
    assert "sk-test" not in cached.read_text(encoding="utf-8")


def test_a_server_that_cannot_be_reached_is_one_line_and_exit_1(capsys: Captured) -> None:
    base = f"http://127.0.0.1:{closed_port()}/v1"
    code, out, err = models(capsys, "--api-base", base)
    assert code == 1 and out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"penguin-tui: cannot reach {base}/models: ")
    assert "--api-base" in err and "Traceback" not in err


def test_an_api_base_that_is_not_a_url_is_a_usage_error(capsys: Captured) -> None:
    code, _, err = models(capsys, "--api-base", "localhost:8000")
    assert code == 2 and "not an http(s) URL" in err and err.count("\n") == 1


def test_provider_filters_the_catalog(capsys: Captured) -> None:
    entries = listed(capsys, "--provider", "anthropic")
    assert entries and {entry["provider"] for entry in entries} == {"anthropic"}
    assert any(entry["id"].startswith("claude-") for entry in entries)
    assert all(entry["api_base"] is None for entry in entries)


def test_models_is_a_command_and_a_folder_named_models_is_opened_as_dot_models(
    monkeypatch: pytest.MonkeyPatch, capsys: Captured
) -> None:
    import penguin_tui.app.launch

    opened: list[str | None] = []

    def launch(directory: str | None, **_: object) -> int:
        opened.append(directory)
        return 0

    monkeypatch.setattr(penguin_tui.app.launch, "launch_tui", launch)
    assert main(["./models"]) == 0
    assert opened == ["./models"]
    with pytest.raises(SystemExit) as help_asked:
        main(["models", "--help"])
    assert help_asked.value.code == 0
    assert capsys.readouterr().out.startswith("usage: penguin-tui models")


def test_help_and_a_bad_flag_do_not_load_litellm() -> None:
    probe = (
        "import sys, contextlib, io\n"
        "from penguin_tui.cli.main import main\n"
        "for args in (['models', '--help'], ['models', '--bogus']):\n"
        "    with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "        main(args)\n"
        "print('litellm' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "False"
