"""The workbench's entries in the command palette: every action, found by name.

Each entry names the app action it runs and the ids of the key bindings that do the same, so
a test can check that no key of the checkpoint browser or the diff viewer is missing here.
Actions that belong to a pane (marking a checkpoint, stepping through a diff) are app actions
too: they focus the pane first, or say why they cannot (no diff is open).

A help text names a key by its binding's id (``{checkpoints.mark}``); the palette shows the
key the binding has now, after ``[ui.keys]`` moved it (``app/keymap.py``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.actions import parse as parse_action
from textual.app import SystemCommand

from penguin_tui.app.keymap import bindings_by_id, with_keys

if TYPE_CHECKING:
    from penguin_tui.app.app import PenguinApp


@dataclass(frozen=True)
class PaletteCommand:
    """One palette entry: its title and help (keys named by binding id), the app action, and
    the bindings it stands for."""

    title: str
    help: str
    action: str
    bindings: tuple[str, ...] = ()


WORKBENCH_COMMANDS: tuple[PaletteCommand, ...] = (
    PaletteCommand(
        "New session",
        "Start an empty conversation on this project ({session.new})",
        "new_session",
        ("session.new",),
    ),
    PaletteCommand(
        "Resume session",
        "Pick a past session of this project ({session.resume})",
        "resume_session",
        ("session.resume",),
    ),
    PaletteCommand(
        "Cancel reply",
        "Stop the streaming reply and keep what came ({cancel})",
        "cancel_reply",
        ("cancel",),
    ),
    PaletteCommand(
        "Toggle theme",
        "Switch between the dark and the light theme ({theme.toggle})",
        "toggle_theme",
        ("theme.toggle",),
    ),
    PaletteCommand(
        "Show keys", "List the keys of the focused pane ({help.keys})", "show_keys", ("help.keys",)
    ),
    PaletteCommand(
        "Usage report",
        "Calls, tokens, cost, failures and speed per model; each branch's cost ({usage.report})",
        "usage_report",
        ("usage.report",),
    ),
    PaletteCommand(
        "Pick model",
        "Search the server's and litellm's models; the one picked answers from the next "
        "prompt on ({model.pick})",
        "pick_model",
        ("model.pick",),
    ),
    PaletteCommand(
        "Set up a model",
        "Provider, key, connection test, model and permission mode, written to your config "
        "({model.setup})",
        "setup_model",
        ("model.setup",),
    ),
    # -- the checkpoint browser ---------------------------------------------------------------
    PaletteCommand(
        "Checkpoint now",
        "Save a labelled checkpoint of code and conversation ({checkpoints.create})",
        "checkpoint_create",
        ("checkpoints.create",),
    ),
    PaletteCommand(
        "Checkpoint diff",
        "Show the selected checkpoint's changes and what it left out ({checkpoints.view_diff})",
        "checkpoint_view_diff",
        ("checkpoints.view_diff",),
    ),
    PaletteCommand(
        "Changes since checkpoint",
        "Edits since the last checkpoint, whoever made them "
        "({checkpoints.changes_any}, {checkpoints.changes})",
        "checkpoint_changes",
        ("checkpoints.changes", "checkpoints.changes_any"),
    ),
    PaletteCommand(
        "Branch from checkpoint",
        "New branch at the selected checkpoint ({checkpoints.branch})",
        "checkpoint_branch",
        ("checkpoints.branch",),
    ),
    PaletteCommand(
        "Switch branch",
        "Save, then restore the selected branch's latest state ({checkpoints.switch})",
        "checkpoint_switch",
        ("checkpoints.switch",),
    ),
    PaletteCommand(
        "Mark checkpoint",
        "Mark the browser's selected checkpoint to compare it with another; again: unmark "
        "({checkpoints.mark})",
        "checkpoint_mark",
        ("checkpoints.mark",),
    ),
    PaletteCommand(
        "Go to marked checkpoint",
        "Move the browser's cursor back to the marked checkpoint ({checkpoints.to_mark})",
        "checkpoint_to_mark",
        ("checkpoints.to_mark",),
    ),
    PaletteCommand(
        "Fold branch",
        "Fold or unfold the browser's branch under the cursor ({checkpoints.fold})",
        "checkpoint_fold",
        ("checkpoints.fold",),
    ),
    PaletteCommand(
        "Fold all branches",
        "Fold every branch of the browser, or unfold them all ({checkpoints.fold_all})",
        "checkpoint_fold_all",
        ("checkpoints.fold_all",),
    ),
    PaletteCommand(
        "Checkpoint details",
        "The browser's row under the cursor in full: label, spend, forks ({checkpoints.details})",
        "checkpoint_details",
        ("checkpoints.details",),
    ),
    PaletteCommand(
        "Compare checkpoints",
        "Compare the marked checkpoint ({checkpoints.mark}) with the selected one "
        "({checkpoints.compare})",
        "checkpoint_compare",
        ("checkpoints.compare",),
    ),
    PaletteCommand(
        "Revert to checkpoint",
        "Code, conversation or both, after a preview ({checkpoints.revert})",
        "checkpoint_revert",
        ("checkpoints.revert",),
    ),
    PaletteCommand(
        "Undo revert",
        "Back to exactly the state before the last revert or merge ({checkpoints.undo})",
        "checkpoint_undo",
        ("checkpoints.undo",),
    ),
    PaletteCommand(
        "Redo revert",
        "Apply the last undone revert or merge again ({checkpoints.redo})",
        "checkpoint_redo",
        ("checkpoints.redo",),
    ),
    PaletteCommand(
        "Merge branch",
        "Three-way merge of the selected branch into this one, after a preview "
        "({checkpoints.merge})",
        "checkpoint_merge",
        ("checkpoints.merge",),
    ),
    PaletteCommand(
        "Pick files from branch",
        "Take chosen files from the selected branch ({checkpoints.cherry_pick})",
        "checkpoint_cherry_pick",
        ("checkpoints.cherry_pick",),
    ),
    # -- the task pane -------------------------------------------------------------------------
    PaletteCommand(
        "Task: add",
        "A new task at the top of the plan ({tasks.add})",
        "task('add')",
        ("tasks.add",),
    ),
    PaletteCommand(
        "Task: add subtask",
        "A new subtask of the selected task ({tasks.add_subtask})",
        "task('add_subtask')",
        ("tasks.add_subtask",),
    ),
    PaletteCommand(
        "Task: edit",
        "Title, description, criteria, dependencies, priority, check ({tasks.edit})",
        "task('edit')",
        ("tasks.edit",),
    ),
    PaletteCommand(
        "Task: next status",
        "todo → doing → blocked → review → done → failed ({tasks.status})",
        "task('status')",
        ("tasks.status",),
    ),
    PaletteCommand(
        "Task: done", "Mark the selected task done ({tasks.done})", "task('done')", ("tasks.done",)
    ),
    PaletteCommand(
        "Task: cancel or reopen",
        "Cancel the selected task; on a cancelled one, reopen it ({tasks.cancel})",
        "task('cancel')",
        ("tasks.cancel",),
    ),
    PaletteCommand(
        "Task: move",
        "Put the selected task under another, or at the top ({tasks.move})",
        "task('move')",
        ("tasks.move",),
    ),
    PaletteCommand(
        "Task: add dependency",
        "The selected task comes after another ({tasks.add_dependency})",
        "task('add_dependency')",
        ("tasks.add_dependency",),
    ),
    PaletteCommand(
        "Task: remove dependency",
        "The selected task no longer comes after one ({tasks.remove_dependency})",
        "task('remove_dependency')",
        ("tasks.remove_dependency",),
    ),
    PaletteCommand(
        "Task: hide or show done",
        "Hide the done and cancelled tasks, or show them again ({tasks.hide_finished})",
        "task('hide_finished')",
        ("tasks.hide_finished",),
    ),
    PaletteCommand(
        "Task: search",
        "Show only the tasks whose title holds a text ({tasks.search})",
        "task('search')",
        ("tasks.search",),
    ),
    PaletteCommand(
        "Task: work on",
        "Send a turn whose prompt is the selected task ({tasks.work_on})",
        "task('work_on')",
        ("tasks.work_on",),
    ),
    PaletteCommand(
        "Task: run the ready tasks",
        "Run mode: each ready task on its own branch, until nothing is ready; Esc stops it "
        "({tasks.run})",
        "run_tasks",
        ("tasks.run",),
    ),
    PaletteCommand(
        "Task: details",
        "The selected task in full: its history, branch and checkpoints ({tasks.details})",
        "task('details')",
        ("tasks.details",),
    ),
    # -- the diff viewer -----------------------------------------------------------------------
    PaletteCommand(
        "Diff: next hunk",
        "Scroll the open diff to its next hunk ({diff.next_hunk})",
        "diff_next_hunk",
        ("diff.next_hunk",),
    ),
    PaletteCommand(
        "Diff: previous hunk",
        "Scroll the open diff to its previous hunk ({diff.previous_hunk})",
        "diff_previous_hunk",
        ("diff.previous_hunk",),
    ),
    PaletteCommand(
        "Diff: next file",
        "Scroll the open diff to its next file ({diff.next_file})",
        "diff_next_file",
        ("diff.next_file",),
    ),
    PaletteCommand(
        "Diff: previous file",
        "Scroll the open diff to its previous file ({diff.previous_file})",
        "diff_previous_file",
        ("diff.previous_file",),
    ),
    PaletteCommand(
        "Diff: side by side or one column",
        "Switch the open diff's layout ({diff.toggle_layout})",
        "diff_toggle_layout",
        ("diff.toggle_layout",),
    ),
    PaletteCommand(
        "Diff: file list",
        "Focus the open diff's file list: {diff.files.up}/{diff.files.down} move, "
        "{diff.files.show} shows the file",
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
        "Close the diff viewer and go back to the checkpoint browser "
        "({diff.close}, {diff.close_q})",
        "diff_close",
        ("diff.close", "diff.close_q"),
    ),
)


def key_owners(app: PenguinApp) -> tuple[type[object], ...]:
    """The classes whose bindings the palette's help texts name."""
    from penguin_tui.app.screens.workbench import WorkbenchScreen
    from penguin_tui.app.widgets.checkpoints import CheckpointBrowser
    from penguin_tui.app.widgets.diff_pane import DiffPane
    from penguin_tui.app.widgets.diff_view import DiffFileList, DiffView
    from penguin_tui.app.widgets.task_tree import TaskTree

    return (
        type(app),
        WorkbenchScreen,
        CheckpointBrowser,
        TaskTree,
        DiffPane,
        DiffView,
        DiffFileList,
    )


def workbench_commands(app: PenguinApp) -> Iterable[SystemCommand]:
    """System commands that run the app's own actions, their help naming the live keys."""
    bindings = bindings_by_id(key_owners(app))
    for command in WORKBENCH_COMMANDS:
        # An action may carry its arguments, as a binding's does: ``task('add')``.
        _, name, arguments = parse_action(command.action)
        callback: Callable[[], Any] = functools.partial(getattr(app, f"action_{name}"), *arguments)
        help_text = with_keys(command.help, app, bindings, app.remapped_keys)
        yield SystemCommand(command.title, help_text, callback)
