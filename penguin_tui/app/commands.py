"""The workbench's entries in the command palette (ctrl+p): every action, found by name.

Each entry names the app action it runs and the ids of the key bindings that do the same, so
a test can check that no key of the checkpoint browser or the diff viewer is missing here.
Actions that belong to a pane (marking a checkpoint, stepping through a diff) are app actions
too: they focus the pane first, or say why they cannot (no diff is open).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from textual.app import SystemCommand


@dataclass(frozen=True)
class PaletteCommand:
    """One palette entry: its title and help, the app action, and the bindings it stands for."""

    title: str
    help: str
    action: str
    bindings: tuple[str, ...] = ()


WORKBENCH_COMMANDS: tuple[PaletteCommand, ...] = (
    PaletteCommand(
        "New session",
        "Start an empty conversation on this project (ctrl+n)",
        "new_session",
        ("session.new",),
    ),
    PaletteCommand(
        "Resume session",
        "Pick a past session of this project (ctrl+r)",
        "resume_session",
        ("session.resume",),
    ),
    PaletteCommand(
        "Cancel reply",
        "Stop the streaming reply and keep what came (esc)",
        "cancel_reply",
        ("cancel",),
    ),
    PaletteCommand(
        "Toggle theme",
        "Switch between the dark and the light theme (ctrl+t)",
        "toggle_theme",
        ("theme.toggle",),
    ),
    PaletteCommand(
        "Show keys", "List the keys of the focused pane (f1)", "show_keys", ("help.keys",)
    ),
    # -- the checkpoint browser ---------------------------------------------------------------
    PaletteCommand(
        "Checkpoint now",
        "Save a labelled checkpoint of code and conversation (a)",
        "checkpoint_create",
        ("checkpoints.create",),
    ),
    PaletteCommand(
        "Checkpoint diff",
        "Show the selected checkpoint's changes and what it left out (enter)",
        "checkpoint_view_diff",
        ("checkpoints.view_diff",),
    ),
    PaletteCommand(
        "Changes since checkpoint",
        "Edits since the last checkpoint, whoever made them (f7, w)",
        "checkpoint_changes",
        ("checkpoints.changes", "checkpoints.changes_any"),
    ),
    PaletteCommand(
        "Branch from checkpoint",
        "New branch at the selected checkpoint (b)",
        "checkpoint_branch",
        ("checkpoints.branch",),
    ),
    PaletteCommand(
        "Switch branch",
        "Save, then restore the selected branch's latest state (s)",
        "checkpoint_switch",
        ("checkpoints.switch",),
    ),
    PaletteCommand(
        "Mark checkpoint",
        "Mark the browser's selected checkpoint to compare it with another; again: unmark (m)",
        "checkpoint_mark",
        ("checkpoints.mark",),
    ),
    PaletteCommand(
        "Go to marked checkpoint",
        "Move the browser's cursor back to the marked checkpoint (')",
        "checkpoint_to_mark",
        ("checkpoints.to_mark",),
    ),
    PaletteCommand(
        "Fold branch",
        "Fold or unfold the browser's branch under the cursor (space)",
        "checkpoint_fold",
        ("checkpoints.fold",),
    ),
    PaletteCommand(
        "Fold all branches",
        "Fold every branch of the browser, or unfold them all (shift+space)",
        "checkpoint_fold_all",
        ("checkpoints.fold_all",),
    ),
    PaletteCommand(
        "Checkpoint details",
        "The browser's row under the cursor in full: label, spend, forks (i)",
        "checkpoint_details",
        ("checkpoints.details",),
    ),
    PaletteCommand(
        "Compare checkpoints",
        "Compare the marked checkpoint (m) with the selected one (c)",
        "checkpoint_compare",
        ("checkpoints.compare",),
    ),
    PaletteCommand(
        "Revert to checkpoint",
        "Code, conversation or both, after a preview (r)",
        "checkpoint_revert",
        ("checkpoints.revert",),
    ),
    PaletteCommand(
        "Undo revert",
        "Back to exactly the state before the last revert or merge (u)",
        "checkpoint_undo",
        ("checkpoints.undo",),
    ),
    PaletteCommand(
        "Redo revert",
        "Apply the last undone revert or merge again (U)",
        "checkpoint_redo",
        ("checkpoints.redo",),
    ),
    PaletteCommand(
        "Merge branch",
        "Three-way merge of the selected branch into this one, after a preview (M)",
        "checkpoint_merge",
        ("checkpoints.merge",),
    ),
    PaletteCommand(
        "Pick files from branch",
        "Take chosen files from the selected branch (P)",
        "checkpoint_cherry_pick",
        ("checkpoints.cherry_pick",),
    ),
    # -- the diff viewer -----------------------------------------------------------------------
    PaletteCommand(
        "Diff: next hunk",
        "Scroll the open diff to its next hunk (n)",
        "diff_next_hunk",
        ("diff.next_hunk",),
    ),
    PaletteCommand(
        "Diff: previous hunk",
        "Scroll the open diff to its previous hunk (p)",
        "diff_previous_hunk",
        ("diff.previous_hunk",),
    ),
    PaletteCommand(
        "Diff: next file",
        "Scroll the open diff to its next file (f)",
        "diff_next_file",
        ("diff.next_file",),
    ),
    PaletteCommand(
        "Diff: previous file",
        "Scroll the open diff to its previous file (F)",
        "diff_previous_file",
        ("diff.previous_file",),
    ),
    PaletteCommand(
        "Diff: side by side or one column",
        "Switch the open diff's layout (v)",
        "diff_toggle_layout",
        ("diff.toggle_layout",),
    ),
    PaletteCommand(
        "Diff: file list",
        "Focus the open diff's file list: up/down move, enter shows the file (tab)",
        "diff_file_list",
        (
            "diff.files.up",
            "diff.files.down",
            "diff.files.page_up",
            "diff.files.page_down",
            "diff.files.first",
            "diff.files.last",
            "diff.files.show",
        ),
    ),
    PaletteCommand(
        "Close diff",
        "Close the diff viewer and go back to the checkpoint browser (esc, q)",
        "diff_close",
        ("diff.close", "diff.close_q"),
    ),
)


def workbench_commands(app: Any) -> Iterable[SystemCommand]:
    """System commands that run the app's own actions."""
    for command in WORKBENCH_COMMANDS:
        callback: Callable[[], Any] = getattr(app, f"action_{command.action}")
        yield SystemCommand(command.title, command.help, callback)
