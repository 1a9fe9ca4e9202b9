"""Lazy, offline import of litellm: it costs seconds and must never block the first frame."""

from __future__ import annotations

import os
import threading
from types import ModuleType
from typing import Any

_lock = threading.Lock()
_module: ModuleType | None = None


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
