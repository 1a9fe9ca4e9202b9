"""The checkpoint/branch browser: a tree of branches and their checkpoints, driven by keys."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from penguin_tui.app.event_routes import handles
from penguin_tui.app.markdown_style import LineColours, line_colours
from penguin_tui.app.widgets.usage import money

if TYPE_CHECKING:
    from penguin_tui.bus import CheckpointCreated, CheckpointFailed, ErrorOccurred, SnapshotProgress
    from penguin_tui.checkpoints.model import Branch, Checkpoint

PROGRESS_STALE_S = 10.0  # a snapshot reports once a second while it runs

KIND_MARK = {"auto": "·", "manual": "★", "safety": "◌"}


@dataclass(frozen=True)
class NodeData:
    """What a row of the tree stands for: a branch, or one checkpoint on it."""

    branch: str
    checkpoint_id: str | None = None


def age(seconds: float) -> str:
    """A short age: 12s, 5m, 3h, 2d."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f}s"
    if seconds < 3600:
        return f"{seconds / 60:.0f}m"
    if seconds < 86400:
        return f"{seconds / 3600:.0f}h"
    return f"{seconds / 86400:.0f}d"


def tokens(count: int) -> str:
    return f"{count / 1000:.1f}k" if count >= 1000 else str(count)


def step_spend(checkpoint: Checkpoint, parent: Checkpoint | None) -> tuple[int, float | None]:
    """Tokens and dollars spent between a checkpoint and its parent on the same path."""
    now_tokens = checkpoint.usage.input_tokens + checkpoint.usage.output_tokens
    before_tokens = parent.usage.input_tokens + parent.usage.output_tokens if parent else 0
    spent = max(0, now_tokens - before_tokens)
    if checkpoint.usage.cost_usd is None:
        return spent, None
    before_cost = parent.usage.cost_usd or 0.0 if parent else 0.0
    return spent, max(0.0, checkpoint.usage.cost_usd - before_cost)


def by_branch(checkpoints: Sequence[Checkpoint]) -> dict[str, list[Checkpoint]]:
    """Each branch's checkpoints, in the order given (oldest first)."""
    grouped: dict[str, list[Checkpoint]] = {}
    for checkpoint in checkpoints:
        grouped.setdefault(checkpoint.branch, []).append(checkpoint)
    return grouped


def fork_points(
    checkpoints: Sequence[Checkpoint], branches: Sequence[Branch]
) -> dict[str, Checkpoint]:
    """Where each branch forked: the checkpoint on another branch its own line starts from
    (its first checkpoint's parent, or its position while it has none of its own)."""
    by_id = {c.id: c for c in checkpoints}
    grouped = by_branch(checkpoints)
    forks: dict[str, Checkpoint] = {}
    for branch in branches:
        own = grouped.get(branch.name)
        start = own[0].parent_id if own else branch.position_id
        origin = by_id.get(start or "")
        if origin is not None and origin.branch != branch.name:
            forks[branch.name] = origin
    return forks


def checkpoint_label(
    checkpoint: Checkpoint,
    parent: Checkpoint | None,
    position: bool,
    marked: bool,
    now: float,
    colours: LineColours,
    branch_position: bool = False,
) -> Text:
    """One row: position marker (● the current position, ○ another branch's), id, age,
    kind, files and lines, spend, files left out (⊘), label (the browser adds the branches
    that fork there)."""
    spent, dollars = step_spend(checkpoint, parent)
    text = Text()
    text.append("● " if position else "○ " if branch_position else "  ", style="bold")
    text.append("◆ " if marked else "", style="bold")
    text.append(checkpoint.id[:8], style="bold" if position else "")
    text.append(f" {age(now - checkpoint.created_at):>3}", style="dim")
    text.append(f" {KIND_MARK.get(checkpoint.kind.value, '·')} ")
    text.append(f"{checkpoint.files_changed}f ")
    if checkpoint.parent_id is None:
        text.append("initial ", style="dim")  # the whole project; its lines are not counted
    else:
        text.append(f"+{checkpoint.lines_added}", style=colours.added)
        text.append(f"−{checkpoint.lines_removed} ", style=colours.removed)
    if spent:
        text.append(f"{tokens(spent)} {money(dollars)} ", style="dim")
    if checkpoint.skipped:
        text.append(f"⊘{len(checkpoint.skipped)} ", style="bold")
    text.append(checkpoint.label or checkpoint.kind.value, style="italic")
    return text


KIND_WORD = {"auto": "automatic", "manual": "manual", "safety": "safety"}


def checkpoint_details(
    checkpoint: Checkpoint,
    parent: Checkpoint | None,
    *,
    here: bool,
    position_of: str | None,
    forks: Sequence[str],
    now: float,
) -> str:
    """Everything a checkpoint's row says, in full (the pane cuts long rows): its label,
    what it changed and spent, what it left out, whose position it is, the branches that
    fork there."""
    kind = KIND_WORD.get(checkpoint.kind.value, checkpoint.kind.value)
    lines = [
        f"{checkpoint.id} on {checkpoint.branch} · {kind} · {age(now - checkpoint.created_at)} ago"
    ]
    if checkpoint.label:
        lines.append(checkpoint.label)
    files = "1 file" if checkpoint.files_changed == 1 else f"{checkpoint.files_changed} files"
    if checkpoint.parent_id is None:
        change = f"the whole project: {files}"
    else:
        since = checkpoint.parent_id[:8]
        change = (
            f"{files} changed since {since}, "
            f"+{checkpoint.lines_added} −{checkpoint.lines_removed} lines"
        )
    spent, dollars = step_spend(checkpoint, parent)
    if spent:
        change += f" · {tokens(spent)} tokens, {money(dollars)}"
    lines.append(change)
    if checkpoint.skipped:
        count = len(checkpoint.skipped)
        lines.append(f"⊘ left out {count} file{'s' if count > 1 else ''} (enter lists them)")
    if here:
        lines.append("● the current position: the working state comes from here")
    elif position_of is not None:
        lines.append(f"○ the position of {position_of}: switching to it comes back here")
    if forks:
        lines.append("⎇ branches from here: " + ", ".join(forks))
    return "\n".join(lines)


def branch_details(branch: Branch, origin: Checkpoint | None, checkpoints: int) -> str:
    """Everything a branch's row says, in full: where it forked and where it stands."""
    lines = [f"⎇ {branch.name}" + (" (current)" if branch.current else "")]
    if origin is not None:
        label = f" “{origin.label}”" if origin.label else ""
        lines.append(f"forked from {origin.branch} at {origin.id[:8]}{label}")
    count = "1 checkpoint" if checkpoints == 1 else f"{checkpoints} checkpoints"
    at = f"at {branch.position_id[:8]}" if branch.position_id else "no position yet"
    lines.append(f"{count} of its own; {at}")
    return "\n".join(lines)


LEFT_OUT_SHOWN = 8  # files listed in the diff pane's header; the rest are counted


def left_out_notice(checkpoint_id: str, skipped: Sequence[tuple[str, str]]) -> str:
    """The notification for files a checkpoint could not save (too big, unreadable…)."""
    named = ", ".join(f"{path} ({reason})" for path, reason in skipped[:3])
    more = f" and {len(skipped) - 3} more" if len(skipped) > 3 else ""
    files = "1 file" if len(skipped) == 1 else f"{len(skipped)} files"
    them = "it" if len(skipped) == 1 else "them"
    return (
        f"checkpoint {checkpoint_id[:8]} left out {files}: {named}{more} — not saved, so a "
        f"revert leaves {them} as {them == 'it' and 'it is' or 'they are'}; enter on the "
        "checkpoint (f6) lists them"
    )


def left_out_details(skipped: Sequence[tuple[str, str]]) -> Text:
    """The files a checkpoint left out and why, for the diff pane's header."""
    text = Text()
    if not skipped:
        return text
    text.append(
        f"\nLeft out of this checkpoint ({len(skipped)}; not saved, a revert leaves them as "
        "they are):\n",
        style="bold",
    )
    for path, reason in skipped[:LEFT_OUT_SHOWN]:
        text.append(f"  ⊘ {path}", style="bold")
        text.append(f" — {reason}\n")
    if len(skipped) > LEFT_OUT_SHOWN:
        text.append(f"  … and {len(skipped) - LEFT_OUT_SHOWN} more\n", style="dim")
    return text


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

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__("checkpoints", id=id)
        self.show_root = False
        self.guide_depth = 2
        self.marked: str | None = None
        self.checkpoints: dict[str, Checkpoint] = {}
        self.branch_list: list[Branch] = []
        self._outside = 0
        self._progress: str | None = None
        self._progress_timer: Timer | None = None
        self._failure: str | None = None  # an automatic checkpoint that failed, until one lands
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
        text = super().render_label(node, base_style, style)
        depth = 0
        walk = node.parent
        while walk is not None and walk is not self.root:
            depth += 1
            walk = walk.parent
        room = self.scrollable_content_region.width - depth * self.guide_depth
        if room > 1 and text.cell_len > room:
            text.truncate(room, overflow="ellipsis")
        return text

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

    def show_outside_changes(self, count: int) -> None:
        """Say in the title how many files changed outside penguin-tui since the position."""
        self._outside = count
        self._retitle()

    @property
    def progress(self) -> str | None:
        """How far the snapshot under way got, or None when none is."""
        return self._progress

    @handles
    def snapshot_progressed(self, event: SnapshotProgress) -> None:
        # The first word of a long snapshot is a notification; how far it got then shows in
        # the title, not as a toast a second.
        if self.progress is None:
            self.app.notify(event.text, timeout=3)
        self.show_progress(event.text)

    @handles
    def snapshot_ended(self, event: CheckpointCreated | CheckpointFailed) -> None:
        self.show_progress(None)  # the snapshot is not under way any more

    @handles
    def error_occurred(self, event: ErrorOccurred) -> None:
        if event.kind == "checkpoint":
            self.show_progress(None)  # a snapshot that failed is not under way

    def show_progress(self, text: str | None) -> None:
        """Say in the title how far a long snapshot got (None: it ended). A snapshot that
        stops reporting (it failed; a late report came after its end) leaves the title after
        PROGRESS_STALE_S."""
        self._progress = text
        if self._progress_timer is not None:
            self._progress_timer.stop()
            self._progress_timer = None
        if text is not None:
            self._progress_timer = self.set_timer(PROGRESS_STALE_S, self._progress_stale)
        self._retitle()

    def _progress_stale(self) -> None:
        self._progress_timer = None
        self.show_progress(None)

    def show_failure(self, text: str | None) -> None:
        """Say in the title that an automatic checkpoint failed and will be retried (None:
        a checkpoint has landed since)."""
        self._failure = text
        self._retitle()

    def _retitle(self) -> None:
        title = "Checkpoints"
        if self._progress:
            title += f" · {self._progress}…"
        elif self._failure:
            title += f" · ✗ {self._failure}"
        elif self._outside:
            title += f" · {self._outside} changed outside (f7)"
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
        for branch_node in self.root.children:
            for leaf in branch_node.children:
                if leaf.data is not None and leaf.data.checkpoint_id == self.marked:
                    self.move_cursor(leaf)
                    return

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
        self.show_data(list(self.checkpoints.values()), self.branch_list)
        if self.marked:
            self.notify(f"marked {checkpoint.id[:8]}: move to another and press c to compare")
