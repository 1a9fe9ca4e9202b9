"""The scripted model (a test double) over real HTTP: streaming, accounting, faults, routing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from penguin_tui.testing import (
    Script,
    ScriptedServer,
    ScriptError,
    load_demo_script,
    load_script,
    run_in_thread,
)
from penguin_tui.testing.__main__ import main as cli_main

REPO_ROOT = Path(__file__).resolve().parents[2]

BASIC = """
model = "penguin-demo"
rate = 0

[[turns]]
reasoning = "Let me think."
text = "Hello there, world!"

[[turns]]
text = "Reading it now."
[[turns.tool_calls]]
name = "read_file"
arguments = '{"path": "README.md", "limit": 200}'
[[turns.tool_calls]]
name = "list_dir"
arguments = '{"path": "."}'
"""

USER = [{"role": "user", "content": "hi"}]


def script(text: str) -> Script:
    return Script.from_toml_text(text)


def chat_body(messages: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    return {"model": "penguin-demo", "messages": messages or USER, "stream": True, **extra}


async def sse_payloads(
    client: httpx.AsyncClient, base_url: str, body: dict[str, Any]
) -> AsyncIterator[str]:
    """Yield the ``data:`` payloads of a streamed chat completion."""
    async with client.stream("POST", f"{base_url}/chat/completions", json=body) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        async for line in response.aiter_lines():
            if line.startswith("data: "):
                yield line.removeprefix("data: ")


async def collect(server: ScriptedServer, body: dict[str, Any] | None = None) -> list[str]:
    async with httpx.AsyncClient(timeout=5) as client:
        return [p async for p in sse_payloads(client, server.base_url, body or chat_body())]


def deltas(payloads: list[str]) -> list[dict[str, Any]]:
    chunks = [json.loads(p) for p in payloads if p != "[DONE]"]
    return [c["choices"][0]["delta"] for c in chunks if c["choices"]]


# -- streaming shape and accounting -------------------------------------------------------


async def test_stream_reasoning_then_content_then_usage() -> None:
    async with ScriptedServer(script(BASIC)) as server:
        payloads = await collect(server)
    assert payloads[-1] == "[DONE]"
    chunks = [json.loads(p) for p in payloads[:-1]]
    assert {c["object"] for c in chunks} == {"chat.completion.chunk"}
    assert len({c["id"] for c in chunks}) == 1
    ds = deltas(payloads)
    assert ds[0]["role"] == "assistant"
    kinds = [k for d in ds[1:] for k in d if k in ("reasoning_content", "content")]
    assert kinds == ["reasoning_content"] * 3 + ["content"] * 3
    assert "".join(d.get("reasoning_content", "") for d in ds) == "Let me think."
    assert "".join(d.get("content") or "" for d in ds) == "Hello there, world!"
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"
    usage_chunk = chunks[-1]
    assert usage_chunk["choices"] == []
    # prompt: ceil(2/4) + 3 = 4; completion: 3 text + 3 reasoning tokens
    assert usage_chunk["usage"] == {
        "prompt_tokens": 4,
        "completion_tokens": 6,
        "total_tokens": 10,
        "completion_tokens_details": {"reasoning_tokens": 3},
    }


async def test_tool_call_deltas_reassemble() -> None:
    async with ScriptedServer(script(BASIC)) as server:
        await collect(server)
        payloads = await collect(server)
    calls: dict[int, dict[str, str]] = {}
    for delta in deltas(payloads):
        for call in delta.get("tool_calls") or []:
            slot = calls.setdefault(call["index"], {"id": "", "name": "", "arguments": ""})
            if "id" in call:
                assert call["type"] == "function"
                assert call["function"]["arguments"] == ""
                slot["id"] = call["id"]
                slot["name"] = call["function"]["name"]
            slot["arguments"] += call["function"]["arguments"]
    assert calls[0]["name"] == "read_file"
    assert json.loads(calls[0]["arguments"]) == {"path": "README.md", "limit": 200}
    assert calls[1]["name"] == "list_dir"
    assert calls[1]["arguments"] == '{"path": "."}'
    assert calls[0]["id"] != calls[1]["id"]
    final = [json.loads(p) for p in payloads[:-1]]
    assert final[-2]["choices"][0]["finish_reason"] == "tool_calls"
    # 3 text tokens + ceil(36/8) + ceil(13/8) argument fragments
    assert final[-1]["usage"]["completion_tokens"] == 3 + 5 + 2


async def test_prompt_tokens_count_strings_parts_and_null() -> None:
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "x" * 10},
        {"role": "user", "content": [{"type": "text", "text": "abcdefgh"}, {"type": "image_url"}]},
        {"role": "assistant", "content": None, "tool_calls": []},
        {"role": "user", "content": "hey"},
    ]
    text = """
rate = 0
chunk_tokens = 2
[[turns]]
text = "a b c d e "
repeat_text = 2
"""
    async with ScriptedServer(script(text)) as server:
        payloads = await collect(server, chat_body(messages))
    usage = json.loads(payloads[-2])["usage"]
    assert usage["prompt_tokens"] == (3 + 3) + (2 + 3) + (0 + 3) + (1 + 3)
    assert usage["completion_tokens"] == 10
    contents = [d["content"] for d in deltas(payloads)[1:] if d.get("content")]
    assert contents == ["a b ", "c d ", "e a ", "b c ", "d e "]


async def test_usage_override() -> None:
    text = """
rate = 0
[[turns]]
text = "short"
usage = {prompt_tokens = 1000, completion_tokens = 20000}
"""
    async with ScriptedServer(script(text)) as server:
        payloads = await collect(server)
    usage = json.loads(payloads[-2])["usage"]
    assert usage["prompt_tokens"] == 1000
    assert usage["completion_tokens"] == 20000
    assert usage["total_tokens"] == 21000


async def test_max_tokens_cuts_the_reply_as_a_provider_does() -> None:
    """A request's max_tokens (the spend guard's cap) is honoured: the reply stops there with
    finish_reason "length", and the usage bills no more than it, an override included."""
    text = """
rate = 0
[[turns]]
text = "one two three four five six seven eight"
usage = {prompt_tokens = 1000, completion_tokens = 20000}
"""
    async with ScriptedServer(script(text)) as server:
        payloads = await collect(server, chat_body(max_tokens=3))
    contents = [d["content"] for d in deltas(payloads) if d.get("content")]
    assert "".join(contents) == "one two three "
    finish = [json.loads(p)["choices"][0]["finish_reason"] for p in payloads[:-2]]
    assert finish[-1] == "length"
    assert json.loads(payloads[-2])["usage"]["completion_tokens"] == 3


async def test_non_streaming_completion() -> None:
    async with ScriptedServer(script(BASIC)) as server, httpx.AsyncClient() as client:
        body = chat_body(stream=False)
        first = (await client.post(f"{server.base_url}/chat/completions", json=body)).json()
        second = (await client.post(f"{server.base_url}/chat/completions", json=body)).json()
    assert first["object"] == "chat.completion"
    message = first["choices"][0]["message"]
    assert message["content"] == "Hello there, world!"
    assert message["reasoning_content"] == "Let me think."
    assert first["usage"]["completion_tokens"] == 6
    calls = second["choices"][0]["message"]["tool_calls"]
    assert [c["function"]["name"] for c in calls] == ["read_file", "list_dir"]
    assert second["choices"][0]["finish_reason"] == "tool_calls"


async def test_requests_are_recorded_in_order() -> None:
    async with ScriptedServer(script(BASIC)) as server:
        await collect(server, chat_body([{"role": "user", "content": "first"}]))
        await collect(server, chat_body([{"role": "user", "content": "second"}]))
    assert [r["messages"][-1]["content"] for r in server.requests] == ["first", "second"]


# -- endpoints and model names ------------------------------------------------------------


async def test_models_endpoint_and_unknown_path() -> None:
    async with ScriptedServer(script(BASIC)) as server, httpx.AsyncClient() as client:
        models = await client.get(f"{server.base_url}/models")
        missing = await client.get(f"{server.base_url}/nope")
    assert models.json() == {
        "object": "list",
        "data": [
            {
                "id": "penguin-demo",
                "object": "model",
                "created": 0,
                "owned_by": "penguin-tui-scripted",
            }
        ],
    }
    assert missing.status_code == 404
    assert "message" in missing.json()["error"]


async def test_strict_model_rejects_other_names() -> None:
    text = 'model = "m1"\nstrict_model = true\nrate = 0\n[[turns]]\ntext = "ok"\n'
    async with ScriptedServer(script(text)) as server, httpx.AsyncClient() as client:
        url = f"{server.base_url}/chat/completions"
        bad = await client.post(url, json={"model": "gpt-4o", "messages": USER})
        good = await client.post(url, json={"model": "openai/m1", "messages": USER})
    assert bad.status_code == 404
    assert bad.json()["error"] == {
        "message": "The model `gpt-4o` does not exist",
        "type": "invalid_request_error",
        "param": None,
        "code": "model_not_found",
    }
    assert good.status_code == 200


# -- faults -------------------------------------------------------------------------------

FAULTS = """
rate = 0
[[turns]]
text = "one two three four five six"
[turns.fault]
kind = "{kind}"
after_tokens = {after}
{extra}
[[turns]]
text = "next turn"
"""


def fault_script(kind: str, after: int = 0, extra: str = "") -> Script:
    return script(FAULTS.format(kind=kind, after=after, extra=extra))


async def test_rate_limit_then_success_on_retry() -> None:
    server = ScriptedServer(fault_script("rate_limit", extra="retry_after = 2"))
    async with server, httpx.AsyncClient() as client:
        url = f"{server.base_url}/chat/completions"
        first = await client.post(url, json=chat_body())
        assert first.status_code == 429
        assert first.headers["retry-after"] == "2"
        assert first.json()["error"]["code"] == "rate_limit_exceeded"
        payloads = await collect(server)
    assert "".join(d.get("content") or "" for d in deltas(payloads)) == (
        "one two three four five six"
    )


async def test_server_error_status_then_same_turn() -> None:
    async with ScriptedServer(fault_script("server_error", extra="status = 503")) as server:
        async with httpx.AsyncClient() as client:
            first = await client.post(f"{server.base_url}/chat/completions", json=chat_body())
        assert first.status_code == 503
        assert first.json()["error"]["type"] == "server_error"
        payloads = await collect(server)
    assert "".join(d.get("content") or "" for d in deltas(payloads)).startswith("one two")


async def test_drop_ends_stream_without_done_and_advances() -> None:
    async with ScriptedServer(fault_script("drop", after=2)) as server:
        seen: list[str] = []
        with pytest.raises(httpx.RemoteProtocolError):
            async with httpx.AsyncClient() as client:
                async for payload in sse_payloads(client, server.base_url, chat_body()):
                    seen.append(payload)
        retry = await collect(server)
    assert "[DONE]" not in seen
    assert "".join(d.get("content") or "" for d in deltas(seen)) == "one two "
    assert all("usage" not in json.loads(p) for p in seen)
    assert "".join(d.get("content") or "" for d in deltas(retry)) == "next turn"


async def test_malformed_chunk() -> None:
    async with ScriptedServer(fault_script("malformed", after=1)) as server:
        payloads = await collect(server)
    assert payloads[-1] == "{not valid json"
    assert "[DONE]" not in payloads
    with pytest.raises(json.JSONDecodeError):
        json.loads(payloads[-1])
    assert "".join(d.get("content") or "" for d in deltas(payloads[:-1])) == "one "


@pytest.mark.parametrize("after", [0, 2])
async def test_stall_trips_client_read_timeout(after: int) -> None:
    async with ScriptedServer(fault_script("stall", after=after)) as server:
        started = time.monotonic()
        seen: list[str] = []
        with pytest.raises(httpx.ReadTimeout):
            async with httpx.AsyncClient(timeout=httpx.Timeout(5, read=0.3)) as client:
                async for payload in sse_payloads(client, server.base_url, chat_body()):
                    seen.append(payload)
        assert time.monotonic() - started < 2
    assert len([d for d in deltas(seen) if d.get("content")]) == after


async def test_fault_marker_fires_once_per_history() -> None:
    async with ScriptedServer(script(BASIC)) as server, httpx.AsyncClient() as client:
        body = chat_body([{"role": "user", "content": "please [[fault:rate_limit]]"}])
        url = f"{server.base_url}/chat/completions"
        first = await client.post(url, json=body)
        retry = await client.post(url, json=body)
    assert first.status_code == 429
    assert first.headers["retry-after"] == "1"
    assert retry.status_code == 200
    assert '"content":"Hello "' in retry.text


# -- routing, looping, pacing -------------------------------------------------------------


async def test_match_routes_and_keeps_order() -> None:
    text = """
rate = 0
[[turns]]
text = "first"
[[turns]]
match = "(?i)weather"
text = "sunny"
[[turns]]
text = "second"
"""

    def user(content: str) -> dict[str, Any]:
        return chat_body([{"role": "user", "content": content}], stream=False)

    async with ScriptedServer(script(text)) as server, httpx.AsyncClient() as client:
        url = f"{server.base_url}/chat/completions"
        replies = []
        for content in ["hello", "What's the WEATHER?", "again", "more"]:
            response = await client.post(url, json=user(content))
            replies.append(response.json()["choices"][0]["message"]["content"])
    assert replies == ["first", "sunny", "second", "first"]


STEPPED = """
rate = 0
[[turns]]
text = "chat"
[[turns]]
match = "^Task T2:"
step = 0
text = "writing"
[[turns.tool_calls]]
name = "write_file"
arguments = '{"path": "a.py", "content": ""}'
[[turns]]
match = "^Task T2:"
step = 1
text = "done"
[[turns]]
match = "^Task T2:"
text = "no more steps"
"""


def assistant_call(number: int) -> dict[str, Any]:
    call = {
        "id": f"call_{number}",
        "type": "function",
        "function": {"name": "x", "arguments": "{}"},
    }
    return {"role": "assistant", "content": None, "tool_calls": [call]}


def tool_answer(number: int) -> dict[str, Any]:
    return {"role": "tool", "tool_call_id": f"call_{number}", "content": "ok"}


async def reply_to(server: ScriptedServer, messages: list[dict[str, Any]]) -> str:
    async with httpx.AsyncClient(timeout=5) as client:
        url = f"{server.base_url}/chat/completions"
        response = await client.post(url, json=chat_body(messages, stream=False))
    assert response.status_code == 200
    return str(response.json()["choices"][0]["message"]["content"])


async def test_a_stepped_turn_answers_the_kth_call_since_the_user_spoke() -> None:
    task = {"role": "user", "content": "Task T2: Add mean() with a test\nDo it."}
    async with ScriptedServer(script(STEPPED)) as server:
        first = await reply_to(server, [task])
        second = await reply_to(server, [task, assistant_call(1), tool_answer(1)])
        later = [task, assistant_call(1), tool_answer(1), assistant_call(2), tool_answer(2)]
        third = await reply_to(server, later)
    assert (first, second, third) == ("writing", "done", "no more steps")


async def test_steps_count_only_assistant_messages_after_the_last_user_message() -> None:
    earlier = [
        {"role": "user", "content": "hello"},
        {"role": "assistant", "content": "hi"},
        {"role": "assistant", "content": "still me"},
    ]
    task = {"role": "user", "content": "Task T2: again"}
    async with ScriptedServer(script(STEPPED)) as server:
        assert await reply_to(server, [*earlier, task]) == "writing"
        # a restarted server given the same history picks the same turn: no state is kept
        assert await reply_to(server, [*earlier, task]) == "writing"
        assert await reply_to(server, [task, assistant_call(1), tool_answer(1)]) == "done"
        assert await reply_to(server, [{"role": "user", "content": "unrelated"}]) == "chat"


def test_a_step_without_a_match_is_a_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "stepped.toml"
    path.write_text("[[turns]]\nstep = 1\ntext = 'a'\n")
    with pytest.raises(ScriptError) as info:
        load_script(path)
    message = str(info.value)
    assert "turns.0: a step needs a match" in message
    assert "\n" not in message


async def test_no_loop_exhausts() -> None:
    text = 'rate = 0\nloop = false\n[[turns]]\ntext = "only"\n'
    async with ScriptedServer(script(text)) as server, httpx.AsyncClient() as client:
        url = f"{server.base_url}/chat/completions"
        first = await client.post(url, json=chat_body(stream=False))
        second = await client.post(url, json=chat_body(stream=False))
    assert first.status_code == 200
    assert second.status_code == 400
    assert second.json()["error"]["code"] == "script_exhausted"


async def test_rate_paces_tokens() -> None:
    text = '[[turns]]\ntext = "word "\nrepeat_text = 50\n'
    async with ScriptedServer(script(text), rate=500) as server:
        started = time.monotonic()
        payloads = await collect(server)
        elapsed = time.monotonic() - started
    assert json.loads(payloads[-2])["usage"]["completion_tokens"] == 50
    assert 0.08 <= elapsed < 1.0


async def test_a_turn_can_hold_its_usage_back_after_the_finish() -> None:
    text = '[[turns]]\ntext = "Done."\nusage_delay_seconds = 0.5\n'
    arrived: list[tuple[float, dict[str, Any]]] = []
    async with ScriptedServer(script(text)) as server, httpx.AsyncClient(timeout=5) as client:
        async for payload in sse_payloads(client, server.base_url, chat_body()):
            if payload != "[DONE]":
                arrived.append((time.monotonic(), json.loads(payload)))
    (finished_at, finish), (usage_at, usage) = arrived[-2:]
    assert finish["choices"][0]["finish_reason"] == "stop"
    assert usage["choices"] == [] and usage["usage"]["completion_tokens"] == 1
    assert usage_at - finished_at >= 0.45


async def test_rate_of_3000_tokens_per_second_is_kept() -> None:
    text = '[[turns]]\ntext = "t "\nrepeat_text = 600\n'
    async with ScriptedServer(script(text), rate=3000) as server:
        started = time.monotonic()
        await collect(server)
        elapsed = time.monotonic() - started
    assert 0.19 <= elapsed < 0.5


async def test_fast_rate_streams_many_tokens_quickly() -> None:
    text = '[[turns]]\ntext = "token "\nrepeat_text = 3000\n'
    async with ScriptedServer(script(text), rate=0) as server:
        started = time.monotonic()
        payloads = await collect(server)
        elapsed = time.monotonic() - started
    assert json.loads(payloads[-2])["usage"]["completion_tokens"] == 3000
    assert elapsed < 2.0


# -- script files, thread helper, command line --------------------------------------------


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("model = ", "not valid TOML"),
        ("model = 'x'\nturns = []\n", "turns"),
        ("[[turns]]\ntext = 'a'\n[turns.fault]\nkind = 'explode'\n", "turns.0.fault.kind"),
        ("[[turns]]\nmatch = '(unclosed'\n", "invalid regular expression"),
        ("[[turns]]\ntxt = 'typo'\n", "turns.0.txt"),
        ("rate = -1\n[[turns]]\ntext = 'a'\n", "rate"),
        ("[[turns]]\nmatch = 'x'\nstep = -1\n", "turns.0.step"),
    ],
)
def test_bad_script_file_raises_one_line_error(tmp_path: Path, content: str, needle: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(content)
    with pytest.raises(ScriptError) as info:
        load_script(path)
    message = str(info.value)
    assert needle in message
    assert "\n" not in message
    assert str(path) in message


def test_missing_script_file(tmp_path: Path) -> None:
    with pytest.raises(ScriptError, match="cannot read script"):
        load_script(tmp_path / "absent.toml")


def test_demo_script_is_friendly_markdown() -> None:
    demo = load_demo_script()
    assert demo.model == "penguin-demo"
    assert demo.rate == 60
    assert demo.loop
    assert "scripted" in demo.turns[0].text
    assert "penguin-tui --model openai/gpt-4o-mini" in demo.turns[0].text
    assert "PENGUIN_MODEL" in demo.turns[0].text
    chat = [turn for turn in demo.turns if turn.match is None]
    joined = "\n".join(turn.text for turn in chat)
    assert "--api-base http://localhost:11434/v1" in joined
    assert "```python" in joined
    assert "|---" in joined
    assert any(turn.reasoning for turn in chat)
    # It opens with an agent session: look, write, test, fix, test again, then a summary;
    # the next message gets a second agent turn (one more edit) to compare checkpoints with.
    tools = [call.name for turn in chat for call in turn.tool_calls]
    assert tools == [
        "list_files",
        "write_file",
        "write_file",
        "run_shell",
        "edit_file",
        "run_shell",
        "edit_file",
    ]
    chatty = [turn for turn in chat if not turn.tool_calls]
    assert all(60 <= len(turn.text.split()) <= 200 for turn in chatty)


def test_run_in_thread_from_sync_code() -> None:
    served = run_in_thread(script(BASIC))
    try:
        with httpx.Client(timeout=5) as client:
            response = client.post(f"{served.base_url}/chat/completions", json=chat_body())
        assert response.status_code == 200
        assert "data: [DONE]" in response.text
        assert served.base_url == f"http://127.0.0.1:{served.port}/v1"
        assert len(served.requests) == 1
    finally:
        served.stop()
    with pytest.raises(httpx.ConnectError), httpx.Client(timeout=1) as client:
        client.get(f"{served.base_url}/models")


def test_cli_bad_script_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("turns = 3\n")
    assert cli_main(["--script", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "bad.toml" in err


def test_cli_prints_listening_line_and_stops_on_sigterm() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    command = [sys.executable, "-m", "penguin_tui.testing", "--port", "0", "--rate", "0"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env) as process:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        try:
            prefix = "demo model (scripted) listening on "
            assert line.startswith(prefix)
            base_url = line.removeprefix(prefix)
            models = httpx.get(f"{base_url}/models", timeout=5).json()
            assert models["data"][0]["id"] == "penguin-demo"
        finally:
            process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=5) == 0


# -- through litellm itself ---------------------------------------------------------------


async def test_litellm_streams_reasoning_content_and_usage() -> None:
    os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    import litellm

    litellm.suppress_debug_info = True
    async with ScriptedServer(script(BASIC)) as server:
        response = await litellm.acompletion(
            model="openai/penguin-demo",
            api_base=server.base_url,
            api_key="sk-test-not-used",
            messages=USER,
            stream=True,
            stream_options={"include_usage": True},
            max_retries=0,
        )
        content: list[str] = []
        reasoning: list[str] = []
        chunks = []
        async for chunk in response:
            chunks.append(chunk)
            if chunk.choices:
                delta = chunk.choices[0].delta
                content.append(delta.content or "")
                reasoning.append(getattr(delta, "reasoning_content", None) or "")
    assert "".join(content) == "Hello there, world!"
    assert "".join(reasoning) == "Let me think."
    usage = chunks[-1].usage
    assert chunks[-1].choices == []
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (4, 6, 10)
    assert usage.completion_tokens_details.reasoning_tokens == 3
    assert server.requests[0]["stream_options"] == {"include_usage": True}
