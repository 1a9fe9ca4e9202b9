"""An OpenAI-compatible HTTP server that replays a script: the scripted model test double."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from penguin_tui.testing import http11
from penguin_tui.testing.script import Fault, Script, Turn
from penguin_tui.testing.sse import (
    DONE,
    MALFORMED,
    ChunkFactory,
    completion_body,
    error_body,
    finish_reason,
    piece_delta,
    sse_event,
)
from penguin_tui.testing.tokens import (
    Piece,
    Usage,
    cap_pieces,
    compute_usage,
    content_text,
    last_user_text,
    plan_pieces,
)

CHAT_PATHS = ("/v1/chat/completions", "/chat/completions")
MODELS_PATHS = ("/v1/models", "/models")
FAULT_MARKER = re.compile(r"\[\[fault:(rate_limit|server_error|drop|stall|malformed)\]\]")
AHEAD_SLACK = 0.002  # only sleep when more than 2 ms ahead of the token schedule


@dataclass(frozen=True, slots=True)
class _Plan:
    turn: Turn
    number: int
    fault: Fault | None


class ScriptedServer:
    """The scripted model: serves ``script`` over OpenAI-compatible HTTP on ``host:port``.

    A test double, not a model. ``port=0`` picks a free port; ``rate`` (tokens per second)
    overrides the script's rate, and 0 means as fast as possible. ``requests`` records every
    chat-completion request body received, in order, and ``request_headers`` their headers
    (names in lower case), so a test can see which key a call carried.
    """

    def __init__(
        self, script: Script, host: str = "127.0.0.1", port: int = 0, rate: float | None = None
    ) -> None:
        if rate is not None and rate < 0:
            raise ValueError("rate must be >= 0")
        self.script = script
        self.host = host
        self.rate: float = script.rate if rate is None else rate
        self.requests: list[dict[str, Any]] = []
        self.request_headers: list[dict[str, str]] = []
        self._port = port
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[Any]] = set()
        self._order = [i for i, turn in enumerate(script.turns) if turn.match is None]
        self._cursor = 0
        self._remaining: list[int] = []
        self._fired: set[str] = set()
        self._counter = 0
        self.reset()

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        """Start listening; afterwards ``port`` and ``base_url`` are known."""
        if self._server is not None:
            return
        self._server = await asyncio.start_server(self._handle, self.host, self._port)
        self._port = int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        """Stop listening and cut every open connection (stalled ones included)."""
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        tasks = list(self._connections)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()

    async def __aenter__(self) -> ScriptedServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def reset(self) -> None:
        """Rewind to the first turn, re-arm every fault and forget recorded requests."""
        self._cursor = 0
        self._remaining = [t.fault.count if t.fault else 0 for t in self.script.turns]
        self._fired.clear()
        self.requests.clear()
        self.request_headers.clear()

    @property
    def port(self) -> int:
        """The bound port (the requested one until ``start()`` binds)."""
        return self._port

    @property
    def base_url(self) -> str:
        """The OpenAI base URL, e.g. ``http://127.0.0.1:PORT/v1``."""
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        host = "[::1]" if host == "::" else (f"[{host}]" if ":" in host else host)
        return f"http://{host}:{self._port}/v1"

    # -- connection handling -------------------------------------------------------------

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
        try:
            try:
                request = await http11.read_request(reader)
            except http11.BadRequest as exc:
                writer.write(_error(400, str(exc), "invalid_request_error"))
                await writer.drain()
                return
            if request is not None:
                await self._dispatch(request, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            # stop() cancels open connections; this task is the top of the connection, and a
            # cancelled client_connected_cb task makes Python 3.11 log a spurious traceback.
            pass
        finally:
            if task is not None:
                self._connections.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError, asyncio.CancelledError):
                await writer.wait_closed()

    async def _dispatch(self, request: http11.Request, writer: asyncio.StreamWriter) -> None:
        path = request.path.rstrip("/") or "/"
        if request.method == "POST" and path in CHAT_PATHS:
            await self._chat(request, writer)
        elif request.method == "GET" and path in MODELS_PATHS:
            model = {"id": self.script.model, "object": "model", "created": 0}
            body = {"object": "list", "data": [{**model, "owned_by": "penguin-tui-scripted"}]}
            writer.write(http11.json_response(200, body))
        else:
            message = f"Unknown request URL: {request.method} {request.path}"
            writer.write(_error(404, message, "invalid_request_error", "unknown_url"))
        await writer.drain()

    async def _chat(self, request: http11.Request, writer: asyncio.StreamWriter) -> None:
        try:
            body = json.loads(request.body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            writer.write(_error(400, f"body is not valid JSON: {exc}", "invalid_request_error"))
            return
        if not isinstance(body, dict):
            writer.write(_error(400, "body must be a JSON object", "invalid_request_error"))
            return
        self.requests.append(body)
        self.request_headers.append(dict(request.headers))
        raw_messages = body.get("messages")
        messages: list[Any] = raw_messages if isinstance(raw_messages, list) else []
        model = str(body.get("model") or self.script.model).removeprefix("openai/")
        if self.script.strict_model and model != self.script.model:
            message = f"The model `{model}` does not exist"
            writer.write(_error(404, message, "invalid_request_error", "model_not_found"))
            return
        unanswered = unanswered_tool_calls(messages)
        if self.script.strict_tool_history and unanswered:
            # Like real providers: every tool call must be answered before the next request.
            message = (
                "An assistant message with 'tool_calls' must be followed by tool messages "
                f"responding to each 'tool_call_id'. Missing: {', '.join(unanswered)}"
            )
            writer.write(_error(400, message, "invalid_request_error", "unanswered_tool_call"))
            return
        plan = self._take_turn(messages)
        if plan is None:
            message = f"scripted model: the script's {len(self.script.turns)} turns are used up"
            writer.write(_error(400, message, "invalid_request_error", "script_exhausted"))
            return
        fault = plan.fault
        if fault is not None and fault.kind == "rate_limit":
            headers = {"Retry-After": _seconds(fault.retry_after)}
            message = "Rate limit reached for the scripted model (injected fault)"
            writer.write(_error(429, message, "requests", "rate_limit_exceeded", headers))
            return
        if fault is not None and fault.kind == "server_error":
            message = "The scripted model had an error (injected fault)"
            writer.write(_error(fault.status, message, "server_error"))
            return
        limit = _max_tokens(body)
        pieces, cut = cap_pieces(
            plan_pieces(plan.turn, plan.number, self.script.chunk_tokens), limit
        )
        usage = compute_usage(plan.turn, pieces, messages, limit)
        factory = ChunkFactory(f"chatcmpl-scripted-{plan.number}", model, int(time.time()))
        if body.get("stream"):
            await self._stream(writer, factory, pieces, usage, fault, plan.turn, cut)
        else:
            await self._complete(writer, factory, pieces, usage, fault)

    def _take_turn(self, messages: Sequence[Any]) -> _Plan | None:
        """Pick the turn for a request, decide its fault and advance the cursor (no awaits)."""
        turns = self.script.turns
        user_text = last_user_text(messages)
        step = assistant_steps(messages)
        index = next((i for i, turn in enumerate(turns) if turn.matches(user_text, step)), None)
        matched = index is not None
        if index is None:
            if not self._order or (self._cursor >= len(self._order) and not self.script.loop):
                return None
            index = self._order[self._cursor % len(self._order)]
        turn = turns[index]
        fault: Fault | None = None
        marker = FAULT_MARKER.search(user_text)
        if marker is not None and (key := _history_key(messages)) not in self._fired:
            self._fired.add(key)
            fault = Fault.model_validate({"kind": marker.group(1)})
        elif turn.fault is not None and self._remaining[index] > 0:
            self._remaining[index] -= 1
            fault = turn.fault
        if not matched and (fault is None or fault.advances_turn):
            self._cursor += 1
        self._counter += 1
        return _Plan(turn, self._counter, fault)

    # -- serving -------------------------------------------------------------------------

    async def _stream(
        self,
        writer: asyncio.StreamWriter,
        factory: ChunkFactory,
        pieces: Sequence[Piece],
        usage: Usage,
        fault: Fault | None,
        turn: Turn,
        cut: bool = False,
    ) -> None:
        if fault is not None and fault.kind == "stall" and fault.after_tokens == 0:
            await asyncio.sleep(fault.stall_seconds)
            return
        writer.write(http11.stream_head())
        send = _chunk_sender(writer)
        send(sse_event(factory.chunk({"role": "assistant", "content": ""})))
        limit = fault.after_tokens if fault is not None else None
        loop = asyncio.get_running_loop()
        start = loop.time()
        sent = 0
        for piece in pieces:
            if limit is not None and piece.tokens and sent + piece.tokens > limit:
                break
            if self.rate > 0 and piece.tokens:
                delay = start + (sent + piece.tokens - 1) / self.rate - loop.time()
                if delay > AHEAD_SLACK:
                    await asyncio.sleep(delay)
            send(sse_event(factory.chunk(piece_delta(piece))))
            sent += piece.tokens
            await writer.drain()
        if fault is None:
            send(sse_event(factory.chunk({}, finish_reason(pieces, cut))))
            if turn.usage_delay_seconds:
                await writer.drain()
                await asyncio.sleep(turn.usage_delay_seconds)
            if turn.usage_chunk:
                send(sse_event(factory.usage_chunk(usage)))
            send(DONE)
            writer.write(http11.LAST_CHUNK)
        elif fault.kind == "malformed":
            send(MALFORMED)
            writer.write(http11.LAST_CHUNK)
        await writer.drain()
        if fault is not None and fault.kind == "stall":
            await asyncio.sleep(fault.stall_seconds)
        # drop: return without the last chunk; closing the socket cuts the body short

    async def _complete(
        self,
        writer: asyncio.StreamWriter,
        factory: ChunkFactory,
        pieces: Sequence[Piece],
        usage: Usage,
        fault: Fault | None,
    ) -> None:
        if fault is not None:
            if fault.kind == "stall":
                await asyncio.sleep(fault.stall_seconds)
            elif fault.kind == "malformed":
                writer.write(http11.raw_response(200, b"{not valid json", "application/json"))
            return  # drop: close without an answer
        tokens = sum(piece.tokens for piece in pieces)
        if self.rate > 0 and tokens > 1:
            await asyncio.sleep((tokens - 1) / self.rate)
        body = completion_body(factory.completion_id, factory.model, factory.created, pieces, usage)
        writer.write(http11.json_response(200, body))


def _max_tokens(body: dict[str, Any]) -> int | None:
    """The request's cap on the reply's tokens (``max_tokens`` or ``max_completion_tokens``)."""
    for key in ("max_tokens", "max_completion_tokens"):
        value = body.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
    return None


def unanswered_tool_calls(messages: Sequence[Any]) -> list[str]:
    """Ids of tool calls not answered by a ``tool`` message before the next non-tool message."""
    missing: list[str] = []
    open_calls: list[str] = []
    for message in messages:
        if not isinstance(message, dict):
            continue
        if message.get("role") == "tool":
            call_id = str(message.get("tool_call_id"))
            if call_id in open_calls:
                open_calls.remove(call_id)
            continue
        missing.extend(open_calls)
        open_calls = []
        if message.get("role") == "assistant":
            for call in message.get("tool_calls") or []:
                if isinstance(call, dict):
                    open_calls.append(str(call.get("id")))
    return missing + open_calls


def assistant_steps(messages: Sequence[Any]) -> int:
    """How many assistant messages come after the last ``user`` message: the number of model
    calls already answered since the user spoke (0 for the first)."""
    count = 0
    for message in reversed(messages):
        if not isinstance(message, dict):
            continue
        if message.get("role") == "user":
            break
        if message.get("role") == "assistant":
            count += 1
    return count


def _chunk_sender(writer: asyncio.StreamWriter) -> Callable[[bytes], None]:
    def send(data: bytes) -> None:
        writer.write(http11.http_chunk(data))

    return send


def _error(
    status: int,
    message: str,
    type_: str,
    code: str | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    return http11.json_response(status, error_body(message, type_, code), headers)


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _history_key(messages: Sequence[Any]) -> str:
    """Identifies a conversation up to its last user message (a retry sends the same key)."""
    head = [
        (m.get("role"), content_text(m.get("content"))) if isinstance(m, dict) else None
        for m in messages
    ]
    while head and (head[-1] is None or head[-1][0] != "user"):
        head.pop()
    return json.dumps(head)
