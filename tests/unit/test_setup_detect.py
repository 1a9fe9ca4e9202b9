"""Setup offers a model server already running on this machine first: an OpenAI-compatible
one answering /v1/models on one of its usual ports (here the scripted model on a free port),
found in one short timeout, and nothing where nothing answers."""

from __future__ import annotations

import socket
import time

from penguin_tui.setup.detect import detect_local_servers
from penguin_tui.testing import run_in_thread
from tests.conftest import script


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_server_answering_on_a_usual_port_is_found_and_an_empty_port_is_not() -> None:
    with run_in_thread(script('model = "m1"\n[[turns]]\ntext = "hi"\n')) as served:
        empty = free_port()
        started = time.monotonic()
        found = detect_local_servers(
            host="127.0.0.1", ollama_ports=(empty,), openai_ports=(empty, served.port)
        )
        assert time.monotonic() - started < 2
    assert [(s.provider, s.api_base, s.model_count) for s in found] == [
        ("openai-compatible", f"http://127.0.0.1:{served.port}/v1", 1)
    ]
    assert found[0].describe().startswith("OpenAI-compatible server at http://127.0.0.1:")
