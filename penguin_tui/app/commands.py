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
    (
        "Checkpoint now",
        "Save a labelled checkpoint of code and conversation (a)",
        "checkpoint_create",
    ),
    ("Checkpoint diff", "Show the selected checkpoint's changes (enter)", "checkpoint_view_diff"),
    (
        "Changes since checkpoint",
        "Edits since the last checkpoint, whoever made them (f7)",
        "checkpoint_changes",
    ),
    ("Branch from checkpoint", "New branch at the selected checkpoint (b)", "checkpoint_branch"),
    (
        "Switch branch",
        "Save, then restore the selected branch's latest state (s)",
        "checkpoint_switch",
    ),
    (
        "Compare checkpoints",
        "Compare the marked checkpoint (m) with the selected one (c)",
        "checkpoint_compare",
    ),
    (
        "Revert to checkpoint",
        "Code, conversation or both, after a preview (r)",
        "checkpoint_revert",
    ),
    (
        "Undo revert",
        "Back to exactly the state before the last revert or merge (u)",
        "checkpoint_undo",
    ),
    ("Redo revert", "Apply the last undone revert or merge again (U)", "checkpoint_redo"),
    (
        "Merge branch",
        "Three-way merge of the selected branch into this one (M)",
        "checkpoint_merge",
    ),
    (
        "Pick files from branch",
        "Take chosen files from the selected branch (P)",
        "checkpoint_cherry_pick",
    ),
)


def workbench_commands(app: Any) -> Iterable[SystemCommand]:
    """System commands that run the app's own actions."""
    for title, help_text, action in WORKBENCH_COMMANDS:
        callback: Callable[[], Any] = getattr(app, f"action_{action}")
        yield SystemCommand(title, help_text, callback)
