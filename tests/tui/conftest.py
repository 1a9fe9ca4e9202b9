"""Fixtures of every workbench test."""

from __future__ import annotations

from typing import Any

import pytest

from penguin_tui.app.app import PenguinApp
from tests.tui.helpers import SAID


@pytest.fixture(autouse=True)
def keep_notifications(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep each notification's text on the app (``helpers.notifications`` reads it) after
    its toast times out; ``clear_notifications()`` empties it, as it does the screen."""
    show = PenguinApp.notify
    clear = PenguinApp.clear_notifications

    def notify(self: PenguinApp, message: str, *args: Any, **kwargs: Any) -> None:
        self.__dict__.setdefault(SAID, []).append(str(message))
        show(self, message, *args, **kwargs)

    def clear_notifications(self: PenguinApp) -> None:
        self.__dict__[SAID] = []
        clear(self)

    monkeypatch.setattr(PenguinApp, "notify", notify)
    monkeypatch.setattr(PenguinApp, "clear_notifications", clear_notifications)
