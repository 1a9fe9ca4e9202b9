"""Settings (pydantic), layered loading, data paths and secret redaction.

Names are loaded on first use: importing ``penguin_tui.config.paths`` (which the TUI needs
before its first frame) must not pull in pydantic.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from penguin_tui.config.paths import DataPaths, data_paths
    from penguin_tui.config.secrets import Redactor
    from penguin_tui.config.settings import (
        ModelPrice,
        ModelSettings,
        Settings,
        UISettings,
        load_settings,
    )

_HOMES = {
    "DataPaths": "paths",
    "data_paths": "paths",
    "Redactor": "secrets",
    "ModelPrice": "settings",
    "ModelSettings": "settings",
    "Settings": "settings",
    "UISettings": "settings",
    "load_settings": "settings",
}

__all__ = [
    "DataPaths",
    "ModelPrice",
    "ModelSettings",
    "Redactor",
    "Settings",
    "UISettings",
    "data_paths",
    "load_settings",
]


def __getattr__(name: str) -> Any:
    module = _HOMES.get(name)
    if module is None:
        raise AttributeError(f"module 'penguin_tui.config' has no attribute {name!r}")
    return getattr(import_module(f"penguin_tui.config.{module}"), name)
