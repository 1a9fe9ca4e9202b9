"""Settings (pydantic), layered loading, data paths and secret redaction."""

from penguin_tui.config.paths import DataPaths, data_paths
from penguin_tui.config.secrets import Redactor
from penguin_tui.config.settings import (
    ModelPrice,
    ModelSettings,
    Settings,
    UISettings,
    load_settings,
)

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
