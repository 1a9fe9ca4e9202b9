"""Lazy, offline import of litellm (it costs seconds and must never block the first frame),
and the end of its pending work before the event loop closes."""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from types import ModuleType
from typing import Any

_lock = threading.Lock()
_module: ModuleType | None = None

# How long shutdown waits for calls given up early to reach the server before cutting them.
ABANDONED_GRACE_S = 3.0
# How long shutdown waits for litellm's queued logging callbacks.
LOGGING_GRACE_S = 1.0

# Calls whose caller was cancelled: they run on until litellm has built its request.
_abandoned: set[asyncio.Future[Any]] = set()
# The streams of those calls, being closed.
_closing: set[asyncio.Future[Any]] = set()


def is_loaded() -> bool:
    return _module is not None


def load_litellm() -> Any:
    """Import litellm once, without its network fetch of prices and without stdout chatter.

    Safe to call from a worker thread (the TUI preloads it after the first frame) and from
    the event loop (it returns at once when already loaded).
    """
    global _module
    if _module is not None:
        return _module
    with _lock:
        if _module is None:
            os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
            os.environ.setdefault("LITELLM_LOG", "ERROR")
            import litellm

            litellm.suppress_debug_info = True
            litellm.drop_params = True
            litellm.telemetry = False
            _module = litellm
    return _module


async def start_completion(**kwargs: Any) -> Any:
    """``litellm.acompletion(**kwargs)``, safe to cancel at any moment.

    litellm builds the request in a worker thread, which hands back a coroutine to await.
    Cancelled while that thread works, ``acompletion`` drops the coroutine unawaited (a
    RuntimeWarning at exit). So a cancelled call is not cut: it goes on in the background,
    its stream is closed as soon as it has one, and ``shutdown_litellm`` ends what is left.
    """
    call = asyncio.ensure_future(load_litellm().acompletion(**kwargs))
    try:
        return await asyncio.shield(call)
    except asyncio.CancelledError:
        _abandoned.add(call)
        call.add_done_callback(_close_abandoned)
        raise


def _close_abandoned(call: asyncio.Future[Any]) -> None:
    _abandoned.discard(call)
    if call.cancelled() or call.exception() is not None:
        return  # a failure nobody waits for any more
    closer = getattr(call.result(), "aclose", None)
    if closer is not None:
        closing = asyncio.ensure_future(closer())
        _closing.add(closing)
        closing.add_done_callback(_closed)


def _closed(closing: asyncio.Future[Any]) -> None:
    _closing.discard(closing)
    if not closing.cancelled():
        closing.exception()  # a stream that fails to close has nothing left to keep


async def shutdown_litellm(*, final: bool = False) -> None:
    """End litellm's pending work on this event loop before it closes: calls given up early,
    their streams, queued logging callbacks and cached HTTP clients.

    ``final``: nothing runs on the loop's default executor after this (the end of a
    command). Then the worker threads of given-up calls are waited for, and the calls are
    cut at once; otherwise each gets ``ABANDONED_GRACE_S`` to reach the server first.
    """
    loop = asyncio.get_running_loop()
    _forget_other_loops(loop)
    if _abandoned:
        if final:
            await loop.shutdown_default_executor()
        else:
            await asyncio.wait(set(_abandoned), timeout=ABANDONED_GRACE_S)
        left = set(_abandoned)
        for call in left:
            call.cancel()
        await asyncio.gather(*left, return_exceptions=True)
    if _closing:
        await asyncio.gather(*set(_closing), return_exceptions=True)
    if _module is None:
        return
    await _stop_logging_worker()
    close_clients = getattr(_module, "close_litellm_async_clients", None)
    if close_clients is not None:
        with contextlib.suppress(Exception):  # closing what is broken has nothing to keep
            await close_clients()


def _forget_other_loops(loop: asyncio.AbstractEventLoop) -> None:
    """Work left on a loop that is gone (a program stopped hard) can no longer be ended."""
    for pending in (_abandoned, _closing):
        pending.difference_update({f for f in pending if f.get_loop() is not loop})


async def _stop_logging_worker() -> None:
    """litellm runs logging callbacks in a task of its own on the caller's loop."""
    try:
        from litellm.litellm_core_utils.logging_worker import GLOBAL_LOGGING_WORKER
    except ImportError:  # another litellm version: nothing of ours to stop
        return
    with contextlib.suppress(Exception, asyncio.TimeoutError):
        await asyncio.wait_for(GLOBAL_LOGGING_WORKER.flush(), LOGGING_GRACE_S)
    with contextlib.suppress(Exception):
        await GLOBAL_LOGGING_WORKER.stop(discard_pending=True, timeout=LOGGING_GRACE_S)
