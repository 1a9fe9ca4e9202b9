"""The checkpoint/branch browser: a tree of branches and their checkpoints, driven by keys."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from penguin_tui.app.event_routes import handles
from penguin_tui.app.markdown_style import line_colours
from penguin_tui.app.widgets.checkpoint_rows import (
    branch_details,
    by_branch,
    checkpoint_details,
    checkpoint_label,
    fork_points,
)
from penguin_tui.app.widgets.tree_rows import fit_to_pane

if TYPE_CHECKING:
    from penguin_tui.bus import CheckpointCreated, CheckpointFailed, ErrorOccurred, SnapshotProgress
    from penguin_tui.checkpoints.model import Branch, Checkpoint

PROGRESS_STALE_S = 10.0  # a snapshot reports once a second while it runs


@dataclass(frozen=True)
class NodeData:
    """What a row of the tree stands for: a branch, or one checkpoint on it."""

    branch: str
    checkpoint_id: str | None = None


class CheckpointBrowser(Tree[NodeData]):
    """Branches and their checkpoints; ● marks where the working state comes from.

    Rows never scroll sideways: one too long for the pane ends in "…", and i shows it in
    full (a sideways scrollbar drew its thumb's ends as stray ▌ ▍ ▋ in the last row).
    """

    BINDINGS = [
        Binding("enter", "app.checkpoint_view_diff", "Diff", id="checkpoints.view_diff"),
        Binding("a", "app.checkpoint_create", "Checkpoint", id="checkpoints.create"),
        Binding("b", "app.checkpoint_branch", "Branch", id="checkpoints.branch"),
        Binding("s", "app.checkpoint_switch", "Switch", id="checkpoints.switch"),
        Binding("m", "mark", "Mark", id="checkpoints.mark"),
        Binding("apostrophe", "to_mark", "To mark", id="checkpoints.to_mark"),
        Binding("c", "app.checkpoint_compare", "Compare", id="checkpoints.compare"),
        Binding("r", "app.checkpoint_revert", "Revert", id="checkpoints.revert"),
        Binding("u", "app.checkpoint_undo", "Undo", id="checkpoints.undo"),
        Binding("U", "app.checkpoint_redo", "Redo", id="checkpoints.redo"),
        Binding("M", "app.checkpoint_merge", "Merge", id="checkpoints.merge"),
        Binding("P", "app.checkpoint_cherry_pick", "Pick files", id="checkpoints.cherry_pick"),
        Binding("w", "app.checkpoint_changes", "Changes", id="checkpoints.changes"),
        Binding("i", "details", "Details", id="checkpoints.details"),
        Binding("space", "fold", "Fold branch", id="checkpoints.fold"),
        Binding("shift+space", "fold_all", "Fold all", id="checkpoints.fold_all"),
        # The tree's own cursor keys, given ids so they can be remapped like the others.
        Binding("up", "cursor_up", "Up", show=False, id="checkpoints.up"),
        Binding("down", "cursor_down", "Down", show=False, id="checkpoints.down"),
        Binding("home", "scroll_home", "First", show=False, id="checkpoints.first"),
        Binding("end", "scroll_end", "Last", show=False, id="checkpoints.last"),
        Binding(
            "shift+up", "cursor_previous_sibling", "Previous", show=False, id="checkpoints.previous"
        ),
        Binding("shift+down", "cursor_next_sibling", "Next", show=False, id="checkpoints.next"),
        Binding("shift+left", "cursor_parent", "To branch", show=False, id="checkpoints.to_branch"),
        Binding(
            "shift+right",
            "cursor_parent_next_sibling",
            "Next branch",
            show=False,
            id="checkpoints.next_branch",
        ),
    ]
    CURSOR_MOVES = frozenset(
        {
            "checkpoints.up",
            "checkpoints.down",
            "checkpoints.first",
            "checkpoints.last",
            "checkpoints.previous",
            "checkpoints.next",
            "checkpoints.to_branch",
            "checkpoints.next_branch",
        }
    )
    """Bindings that only move the cursor: remappable and listed by F1, but not palette
    entries (a command run from the palette has no cursor of its own to move)."""

    DEFAULT_CSS = """
    CheckpointBrowser { height: 1fr; background: $surface; overflow-x: hidden; }
    """

    marked: reactive[str | None] = reactive(None, init=False)
    """The checkpoint marked to compare with another (◆ on its row)."""
    progress: reactive[str | None] = reactive(None, init=False, always_update=True)
    """How far the snapshot under way got (in the title), or None when none is. Every report
    counts, even with the same words: it keeps the title from going stale."""
    failure: reactive[str | None] = reactive(None, init=False)
    """An automatic checkpoint that failed and will be retried, until one lands."""
    changed_outside: reactive[int] = reactive(0, init=False)
    """How many files changed outside penguin-tui since the position."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__("checkpoints", id=id)
        self.show_root = False
        self.guide_depth = 2
        self.checkpoints: dict[str, Checkpoint] = {}
        self.branch_list: list[Branch] = []
        self._progress_timer: Timer | None = None
        self.folded: set[str] = set()  # branches folded by the user: they stay folded
        # From the last redraw, for the details of a row: where each branch forked, the
        # branches that fork at each checkpoint, and each branch's count of checkpoints.
        self._forks: dict[str, Checkpoint] = {}
        self._forked_at: dict[str, list[str]] = {}
        self._counts: dict[str, int] = {}

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._restyle)

    def on_tree_node_collapsed(self, event: Tree.NodeCollapsed[NodeData]) -> None:
        data = event.node.data
        if data is not None and data.checkpoint_id is None:
            self.folded.add(data.branch)

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[NodeData]) -> None:
        data = event.node.data
        if data is not None and data.checkpoint_id is None:
            self.folded.discard(data.branch)

    def render_label(self, node: TreeNode[NodeData], base_style: Style, style: Style) -> Text:
        """The row, ending in "…" where the pane cuts it (i shows it in full)."""
        return fit_to_pane(self, node, super().render_label(node, base_style, style))

    def _restyle(self, *_: object) -> None:
        """Draw the rows again in the new theme's colours (the tree keeps rendered lines)."""
        self.show_data(list(self.checkpoints.values()), self.branch_list)

    def show_data(
        self, checkpoints: list[Checkpoint], branches: list[Branch], *, follow: bool = False
    ) -> None:
        """Rebuild the tree; the cursor stays on the same row, or with ``follow`` moves to the
        current position (after a turn, a revert or a switch: "you are here"). Branches the
        user folded stay folded, the cursor then on the branch's row."""
        selected = None if follow else self.selected
        self.checkpoints = {c.id: c for c in checkpoints}
        self.branch_list = branches
        now = time.time()
        colours = line_colours(self.app.theme_variables)
        self.clear()
        cursor_node: TreeNode[NodeData] | None = None
        here = next((b.position_id for b in branches if b.current), None)
        positions = {b.position_id for b in branches if b.position_id is not None}
        forks = fork_points(checkpoints, branches)
        grouped = by_branch(checkpoints)
        forked_at: dict[str, list[str]] = {}
        for name, fork in forks.items():
            forked_at.setdefault(fork.id, []).append(name)
        self._forks, self._forked_at, self._counts = forks, forked_at, {}
        for branch in branches:
            title = Text()
            title.append("⎇ ", style="bold")
            title.append(branch.name, style="bold underline" if branch.current else "bold")
            if branch.current:
                title.append("  (current)", style="dim")
            origin = forks.get(branch.name)
            if origin is not None:
                title.append(f"  from {origin.branch} {origin.id[:8]}", style="dim")
            folded = branch.name in self.folded
            node = self.root.add(title, data=NodeData(branch.name), expand=not folded)
            if selected is not None and selected == NodeData(branch.name):
                cursor_node = node  # the branch's own row was selected
            own = grouped.get(branch.name, [])
            self._counts[branch.name] = len(own)
            for checkpoint in own:
                parent = self.checkpoints.get(checkpoint.parent_id or "")
                label = checkpoint_label(
                    checkpoint,
                    parent,
                    position=checkpoint.id == here,
                    marked=checkpoint.id == self.marked,
                    now=now,
                    colours=colours,
                    branch_position=checkpoint.id in positions,
                )
                if checkpoint.id in forked_at:
                    label.append(f" ⎇ {', '.join(forked_at[checkpoint.id])}", style="dim")
                leaf = node.add_leaf(label, data=NodeData(branch.name, checkpoint.id))
                wanted = here if selected is None else selected.checkpoint_id
                if checkpoint.id == wanted:
                    cursor_node = node if folded else leaf
        if cursor_node is not None:
            self.call_after_refresh(self.move_cursor, cursor_node)

    @handles
    def snapshot_progressed(self, event: SnapshotProgress) -> None:
        # The first word of a long snapshot is a notification; how far it got then shows in
        # the title, not as a toast a second.
        if self.progress is None:
            self.app.notify(event.text, timeout=3)
        self.progress = event.text

    @handles
    def snapshot_ended(self, event: CheckpointCreated | CheckpointFailed) -> None:
        self.progress = None  # the snapshot is not under way any more

    @handles
    def error_occurred(self, event: ErrorOccurred) -> None:
        if event.kind == "checkpoint":
            self.progress = None  # a snapshot that failed is not under way

    def watch_progress(self, text: str | None) -> None:
        """A snapshot that stops reporting (it failed; a late report came after its end)
        leaves the title after PROGRESS_STALE_S."""
        if self._progress_timer is not None:
            self._progress_timer.stop()
            self._progress_timer = None
        if text is not None:
            self._progress_timer = self.set_timer(PROGRESS_STALE_S, self._progress_stale)
        self._retitle()

    def _progress_stale(self) -> None:
        self._progress_timer = None
        self.progress = None

    def watch_failure(self) -> None:
        self._retitle()

    def watch_changed_outside(self) -> None:
        self._retitle()

    def watch_marked(self) -> None:
        self.show_data(list(self.checkpoints.values()), self.branch_list)

    def _retitle(self) -> None:
        title = "Checkpoints"
        if self.progress:
            title += f" · {self.progress}…"
        elif self.failure:
            title += f" · ✗ {self.failure}"
        elif self.changed_outside:
            title += f" · {self.changed_outside} changed outside (f7)"
        self.border_title = title

    @property
    def selected(self) -> NodeData | None:
        node = self.cursor_node
        return node.data if node is not None else None

    @property
    def selected_checkpoint(self) -> Checkpoint | None:
        data = self.selected
        if data is None or data.checkpoint_id is None:
            return None
        return self.checkpoints.get(data.checkpoint_id)

    @property
    def current_branch(self) -> str | None:
        return next((b.name for b in self.branch_list if b.current), None)

    # The other actions live on the app (one place for the TUI's checkpoint operations,
    # shared with the command palette); the browser only says what is selected.

    def details(self) -> str | None:
        """The row under the cursor, in full (None: no row)."""
        data = self.selected
        if data is None:
            return None
        if data.checkpoint_id is None:
            branch = next((b for b in self.branch_list if b.name == data.branch), None)
            if branch is None:
                return None
            origin = self._forks.get(branch.name)
            return branch_details(branch, origin, self._counts.get(branch.name, 0))
        checkpoint = self.checkpoints.get(data.checkpoint_id)
        if checkpoint is None:
            return None
        here = next((b.position_id for b in self.branch_list if b.current), None)
        position_of = next(
            (b.name for b in self.branch_list if b.position_id == checkpoint.id), None
        )
        return checkpoint_details(
            checkpoint,
            self.checkpoints.get(checkpoint.parent_id or ""),
            here=checkpoint.id == here,
            position_of=position_of,
            forks=self._forked_at.get(checkpoint.id, []),
            now=time.time(),
        )

    def action_details(self) -> None:
        """Show the row under the cursor in full: a long label, every branch forking there."""
        text = self.details()
        if text is None:
            self.notify("move to a row first", severity="warning")
            return
        self.notify(text, title="Checkpoints", timeout=20, markup=False)

    def action_to_mark(self) -> None:
        """Move the cursor back to the marked checkpoint."""
        if self.marked is None:
            self.notify("no checkpoint is marked (m marks one)", severity="warning")
            return
        self.go_to(self.marked)

    def go_to(self, checkpoint_id: str) -> bool:
        """Put the cursor on a checkpoint's row, unfolding its branch; False when the browser
        does not list it (another session's, or thinned away)."""
        for branch_node in self.root.children:
            for leaf in branch_node.children:
                if leaf.data is not None and leaf.data.checkpoint_id == checkpoint_id:
                    if branch_node.is_expanded:
                        self.move_cursor(leaf)
                    else:  # the row gets its line when the unfolded tree is drawn
                        branch_node.expand()
                        self.call_after_refresh(self.move_cursor, leaf)
                    return True
        return False

    def action_fold(self) -> None:
        """Fold or unfold the branch under the cursor (on a checkpoint: its branch)."""
        self._to_branch_row()
        self.action_toggle_node()

    def action_fold_all(self) -> None:
        """Fold every branch, or unfold them all when all are folded."""
        self._to_branch_row()
        self.action_toggle_expand_all()

    def _to_branch_row(self) -> None:
        node = self.cursor_node
        if node is not None and node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent)

    def action_mark(self) -> None:
        checkpoint = self.selected_checkpoint
        if checkpoint is None:
            self.notify("move to a checkpoint to mark it", severity="warning")
            return
        self.marked = None if self.marked == checkpoint.id else checkpoint.id
        if self.marked:
            self.notify(f"marked {checkpoint.id[:8]}: move to another and press c to compare")
