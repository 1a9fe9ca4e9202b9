"""The workbench's entries in the command palette (ctrl+p): every action, found by name."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from textual.app import SystemCommand

# (title, help, action name on the app): each also has a key binding.
WORKBENCH_COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("New session", "Start an empty conversation on this project (ctrl+n)", "new_session"),
    ("Resume session", "Pick a past session of this project (ctrl+r)", "resume_session"),
    ("Cancel reply", "Stop the streaming reply and keep what came (esc)", "cancel_reply"),
    ("Toggle theme", "Switch between the dark and the light theme (ctrl+t)", "toggle_theme"),
    ("Show keys", "List the keys of the focused pane (f1)", "show_keys"),
)


def workbench_commands(app: Any) -> Iterable[SystemCommand]:
    """System commands that run the app's own actions."""
    for title, help_text, action in WORKBENCH_COMMANDS:
        callback: Callable[[], Any] = getattr(app, f"action_{action}")
        yield SystemCommand(title, help_text, callback)
