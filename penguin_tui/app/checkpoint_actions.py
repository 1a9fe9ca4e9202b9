"""The TUI's checkpoint operations: the browser's keys and the palette's commands end here.

Each calls the same CheckpointService method the CLI does; what changed comes back as events
(the browser and the chat reload on them), and every failure is one notification.
"""

from __future__ import annotations

import asyncio
from abc import abstractmethod
from collections.abc import Awaitable
from typing import TYPE_CHECKING, TypeVar

from rich.text import Text
from textual import work
from textual.app import App

from penguin_tui.app.markdown_style import LineColours, line_colours
from penguin_tui.app.widgets.checkpoints import left_out_details, left_out_notice
from penguin_tui.app.widgets.tool_call import ToolOutcome
from penguin_tui.app.widgets.usage import money
from penguin_tui.words import plural

if TYPE_CHECKING:
    from penguin_tui.app.screens.workbench import WorkbenchScreen
    from penguin_tui.app.widgets.checkpoints import CheckpointBrowser
    from penguin_tui.app.widgets.diff_pane import DiffPane
    from penguin_tui.checkpoints.model import Checkpoint, RevertMode
    from penguin_tui.checkpoints.service import (
        CheckpointService,
        Comparison,
        MergePreview,
        OperationResult,
        RevertPreview,
        Side,
    )
    from penguin_tui.runtime import Runtime
    from penguin_tui.store import AuditEntry

T = TypeVar("T")


def side_summary(side: Side) -> Text:
    """One side of a comparison: its label, spend, and its messages since the ancestor."""
    text = Text()
    spent = side.usage.input_tokens + side.usage.output_tokens
    text.append(side.label, style="bold")
    text.append(
        f"  {plural(len(side.messages), 'message')}"
        f" · {spent:,} tokens · {money(side.usage.cost_usd)}\n",
    )
    for message in side.messages[:4]:
        first = (message.content.strip().splitlines() or [""])[0][:90]
        if first:
            text.append(f"  {message.role.value}: {first}\n", style="dim")
    if len(side.messages) > 4:
        text.append(f"  … {len(side.messages) - 4} more\n", style="dim")
    return text


def comparison_header(comparison: Comparison, colours: LineColours) -> Text:
    text = Text("Since their common ancestor:\n", style="italic")
    text.append("− ", style=colours.removed)
    text.append_text(side_summary(comparison.left))
    text.append("+ ", style=colours.added)
    text.append_text(side_summary(comparison.right))
    return text


def redrawn_outcome(
    entry: AuditEntry | None, seen: ToolOutcome | None, stored: ToolOutcome | None
) -> ToolOutcome | None:
    """How a tool call is drawn again after a reload: its status, summary and time from its
    audit row, its output and diff as this run saw them (``seen``), else the output the store
    kept (``stored``, the answer the model was given)."""
    if entry is None:
        return seen
    preview = seen.preview if seen else stored.preview if stored else ""
    duration_ms = (entry.ended_at - entry.started_at) * 1000
    return ToolOutcome(
        entry.status, entry.summary, duration_ms, preview, seen.diff if seen else None
    )


class CheckpointActions(App[int]):
    """Checkpoint, branch, compare, revert, undo/redo and merge actions of the workbench.

    A part of the app: the app declares the state below and implements the abstract methods
    (mypy refuses an app that does not)."""

    runtime: Runtime | None
    workbench: WorkbenchScreen
    outside_changes: set[str]
    # (path, reason) of the files left out that a notification already named.
    left_out_reported: set[tuple[str, str]]
    # The store size over its quota was said once this run (the subtitle keeps showing it).
    quota_warned: bool
    # How each tool call this run showed ended, by call id: a call that left the chat (a
    # revert of the conversation) gets its diff back after an undo or a switch.
    tool_outcomes: dict[str, ToolOutcome]

    # -- what the actions work on ------------------------------------------------------------

    def _service(self) -> tuple[CheckpointService, str] | None:
        runtime = self.runtime
        if runtime is None or runtime.engine.session is None:
            self.notify("no session yet", severity="warning")
            return None
        if runtime.checkpoints is None:
            self.notify(runtime.checkpoint_notice or "checkpoints are off", severity="warning")
            return None
        return runtime.checkpoints, runtime.engine.session.id

    def _writable(self) -> tuple[CheckpointService, str] | None:
        found = self._service()
        if found is None:
            return None
        if found[0].read_only:
            self.notify(
                "read-only: another penguin-tui is running on this project", severity="warning"
            )
            return None
        if self.runtime is not None and self.runtime.engine.busy:
            self.notify("the agent is working; Esc cancels it first", severity="warning")
            return None
        return found

    @property
    def browser(self) -> CheckpointBrowser:
        from penguin_tui.app.widgets.checkpoints import CheckpointBrowser

        return self.workbench.query_one(CheckpointBrowser)

    @property
    def diff_pane(self) -> DiffPane:
        from penguin_tui.app.widgets.diff_pane import DiffPane

        return self.workbench.query_one(DiffPane)

    def _selected(self) -> Checkpoint | None:
        checkpoint = self.browser.selected_checkpoint
        if checkpoint is None:
            self.notify("move to a checkpoint in the browser first (f6)", severity="warning")
        return checkpoint

    def _focus_browser(self) -> CheckpointBrowser:
        """The browser, focused (closing the diff pane that covers it, if open)."""
        if self.diff_pane.is_open:
            self.diff_pane.action_close()
        browser = self.browser
        browser.focus()
        return browser

    def action_checkpoint_mark(self) -> None:
        """The browser's m from anywhere: mark (or unmark) the checkpoint under its cursor."""
        self._focus_browser().action_mark()

    def action_checkpoint_to_mark(self) -> None:
        """The browser's ' from anywhere: move its cursor back to the marked checkpoint."""
        self._focus_browser().action_to_mark()

    def action_checkpoint_details(self) -> None:
        """The browser's i from anywhere: the row under its cursor in full."""
        self._focus_browser().action_details()

    def action_checkpoint_fold(self) -> None:
        """The browser's space from anywhere: fold or unfold the branch under its cursor."""
        self._focus_browser().action_fold()

    def action_checkpoint_fold_all(self) -> None:
        """The browser's shift+space from anywhere: fold every branch, or unfold them all."""
        self._focus_browser().action_fold_all()

    @abstractmethod
    async def _show_session(self) -> None:
        """Fill the chat and the usage pane from the store: the app's own, which a reload of
        the conversation draws on."""

    # -- keeping the chat and the browser current --------------------------------------------

    async def reload_conversation(self) -> None:
        """After a branch, switch, revert or undo: the chat drawn again from the store, each
        tool call as it ended (its status, summary and time from the audit log, its output
        and diff as this run saw it), not as a call "from an earlier session"."""
        from penguin_tui.app.widgets.chat import ChatView
        from penguin_tui.app.widgets.tool_call import ToolCallView

        chat = self.workbench.query_one(ChatView)
        for shown in chat.query(ToolCallView):
            if shown.outcome is not None:
                self.tool_outcomes[shown.call_id] = shown.outcome
        await self._show_session()
        runtime = self.runtime
        session = runtime.engine.session if runtime is not None else None
        if runtime is None or session is None:
            return
        entries = await runtime.store.audit_log(session_id=session.id)
        audit = {entry.call_id: entry for entry in entries}
        for view in chat.query(ToolCallView):
            seen = self.tool_outcomes.get(view.call_id)
            outcome = redrawn_outcome(audit.get(view.call_id), seen, view.outcome)
            if outcome is not None:
                view.finished(
                    outcome.status,
                    outcome.summary,
                    outcome.duration_ms,
                    outcome.preview,
                    outcome.diff,
                )

    @work(exclusive=True, group="checkpoint-browser", exit_on_error=False)
    async def reload_checkpoints(self) -> None:
        from penguin_tui.errors import PenguinError

        found = self.runtime.checkpoints if self.runtime else None
        session = self.runtime.engine.session if self.runtime else None
        browser = self.browser
        if found is None or session is None:
            browser.border_subtitle = "off"
            return
        try:
            checkpoints = await found.checkpoints(session.id)
            branches = await found.branches(session.id)
            storage = await found.storage()
        except PenguinError as error:
            self.notify(error.message, severity="error")
            return
        browser.show_data(checkpoints, branches, follow=True)
        browser.show_outside_changes(len(self.outside_changes))
        self.show_pending_failure()
        size = f"{storage.bytes / 1024 / 1024:.1f} MB"
        browser.border_subtitle = ("read-only · " if found.read_only else "") + size
        if storage.over_quota:
            browser.border_subtitle += " · over quota"
        if storage.over_quota and not self.quota_warned:
            self.quota_warned = True
            quota = storage.quota_bytes / 1024 / 1024
            self.notify(
                f"the checkpoint store is {size}, over its quota of {quota:.0f} MB: "
                "raise [checkpoints] quota_mb or thin old checkpoints",
                severity="warning",
                timeout=10,
            )

    def show_pending_failure(self) -> None:
        """The browser's title says whether this session's automatic checkpoint failed and is
        still to be taken (a retry that finds the files already saved forgets it, no row)."""
        found = self.runtime.checkpoints if self.runtime else None
        session = self.runtime.engine.session if self.runtime else None
        failed = found.failure(session.id) if found and session else None
        self.browser.show_failure(failed.short if failed else None)

    # -- the operations ----------------------------------------------------------------------

    async def _run(self, what: str, operation: Awaitable[T]) -> T | None:
        """``operation``'s result; None when it failed, said in one notification."""
        from penguin_tui.errors import PenguinError

        try:
            return await operation
        except PenguinError as error:
            self.browser.show_progress(None)  # a snapshot that failed is not under way
            self.notify(f"{what}: {error.message}", severity="error", timeout=10)
            return None

    @work(exclusive=True, group="checkpoint-op", exit_on_error=False)
    async def action_checkpoint_view_diff(self) -> None:
        from penguin_tui.checkpoints.git import EMPTY_TREE
        from penguin_tui.unified_diff import parse_unified

        found = self._service()
        checkpoint = self._selected()
        if found is None or checkpoint is None:
            return
        service, session_id = found
        parent = self.browser.checkpoints.get(checkpoint.parent_id or "")
        old_tree = parent.tree if parent else EMPTY_TREE
        patch = await self._run(
            "diff", asyncio.to_thread(service.shadow.patch, old_tree, checkpoint.tree)
        )
        if patch is None:
            return
        since = f"since {parent.id[:8]}" if parent else "from nothing"
        header = Text(checkpoint.label or checkpoint.kind.value, style="italic")
        header.append_text(left_out_details(checkpoint.skipped))
        self.diff_pane.open(
            parse_unified(patch),
            f"Checkpoint {checkpoint.id[:8]} ({checkpoint.branch}) — {since}",
            header,
        )

    @work(group="checkpoint-left-out", exit_on_error=False)
    async def report_left_out(self, checkpoint_id: str) -> None:
        """Tell the user about files a new checkpoint could not save — once per file and
        reason, so a big file that stays in the project is not announced at every turn."""
        from penguin_tui.errors import PenguinError

        runtime = self.runtime
        session = runtime.engine.session if runtime is not None else None
        if runtime is None or runtime.checkpoints is None or session is None:
            return
        try:
            checkpoint = await runtime.checkpoints.get(session.id, checkpoint_id)
        except PenguinError as error:
            self.notify(error.message, severity="error")
            return
        new = [entry for entry in checkpoint.skipped if entry not in self.left_out_reported]
        self.left_out_reported.update(checkpoint.skipped)
        if new:
            self.notify(left_out_notice(checkpoint.id, new), severity="warning", timeout=15)

    @work(exclusive=True, group="checkpoint-op", exit_on_error=False)
    async def action_checkpoint_changes(self) -> None:
        found = self._service()
        if found is None:
            return
        service, session_id = found
        files = await self._run("changes", service.changes_since_position(session_id))
        if files is not None:
            self.diff_pane.open(files, "Changes since the last checkpoint")

    @work(exclusive=True, group="checkpoint-op", exit_on_error=False)
    async def action_checkpoint_compare(self) -> None:
        found = self._service()
        checkpoint = self.browser.selected_checkpoint
        if found is None:
            return
        service, session_id = found
        marked = self.browser.marked
        if marked is None or checkpoint is None or marked == checkpoint.id:
            self.notify(
                "mark a checkpoint with m, move to another, then press c", severity="warning"
            )
            return
        comparison = await self._run("compare", service.compare(session_id, marked, checkpoint.id))
        if comparison is None:
            return
        self.diff_pane.open(
            comparison.files,
            f"Compare {comparison.left.label} → {comparison.right.label}",
            comparison_header(comparison, line_colours(self.theme_variables)),
        )

    async def action_checkpoint_create(self) -> None:
        from penguin_tui.app.screens.ask_text import AskText

        if self._writable() is None:
            return

        def chosen(label: str | None) -> None:
            if label is not None:
                self._create_checkpoint(label)

        self.push_screen(
            AskText("Label for the new checkpoint (enter to save):", "e.g. before the refactor"),
            chosen,
        )

    @work(exclusive=True, group="checkpoint-op", exit_on_error=False)
    async def _create_checkpoint(self, label: str) -> None:
        from penguin_tui.checkpoints.model import CheckpointKind

        found = self._writable()
        if found is None:
            return
        service, session_id = found
        created = await self._run(
            "checkpoint", service.create(session_id, CheckpointKind.MANUAL, label)
        )
        if created is not None:
            self.notify(f"checkpoint saved{': ' + label if label else ''}")

    async def action_checkpoint_branch(self) -> None:
        from penguin_tui.app.screens.ask_text import AskText

        checkpoint = self._selected()
        if checkpoint is None or self._writable() is None:
            return
        existing = {branch.name for branch in self.browser.branch_list}
        suggestion = next(f"try-{n}" for n in range(2, 1000) if f"try-{n}" not in existing)

        def chosen(name: str | None) -> None:
            if name:
                self._branch_from(checkpoint.id, name)

        self.push_screen(
            AskText(f"New branch from {checkpoint.id[:8]} — its name:", value=suggestion), chosen
        )

    @work(exclusive=True, group="checkpoint-op", exit_on_error=False)
    async def _branch_from(self, checkpoint_id: str, name: str) -> None:
        found = self._writable()
        if found is None:
            return
        service, session_id = found
        done = await self._run("branch", service.branch_from(session_id, checkpoint_id, name))
        if done is not None:
            self.notify(f"on new branch {name}, at {checkpoint_id[:8]}")

    @work(exclusive=True, group="checkpoint-op", exit_on_error=False)
    async def action_checkpoint_switch(self) -> None:
        found = self._writable()
        selected = self.browser.selected
        if found is None or selected is None:
            return
        service, session_id = found
        if selected.branch == self.browser.current_branch:
            self.notify(f"already on {selected.branch}", severity="warning")
            return
        done = await self._run("switch", service.switch(session_id, selected.branch))
        if done is not None:
            self.notify(f"switched to {selected.branch}")

    async def action_checkpoint_revert(self) -> None:
        from penguin_tui.app.screens.revert import RevertScreen

        checkpoint = self._selected()
        found = self._writable()
        if checkpoint is None or found is None:
            return
        service, session_id = found

        async def load(mode: RevertMode) -> RevertPreview:
            return await service.preview_revert(session_id, checkpoint.id, mode)

        def chosen(mode: RevertMode | None) -> None:
            if mode is not None:
                self._revert(checkpoint.id, mode)

        label = f" “{checkpoint.label}”" if checkpoint.label else ""
        self.push_screen(
            RevertScreen(f"Revert to {checkpoint.id[:8]}{label} on {checkpoint.branch}", load),
            chosen,
        )

    @work(exclusive=True, group="checkpoint-op", exit_on_error=False)
    async def _revert(self, checkpoint_id: str, mode: RevertMode) -> None:
        found = self._writable()
        if found is None:
            return
        service, session_id = found
        done = await self._run("revert", service.revert(session_id, checkpoint_id, mode))
        if done is not None:
            self.notify(f"reverted {mode.value} to {checkpoint_id[:8]} — u undoes it")

    @work(exclusive=True, group="checkpoint-op", exit_on_error=False)
    async def action_checkpoint_undo(self) -> None:
        found = self._writable()
        if found is None:
            return
        service, session_id = found
        done = await self._run("undo", service.undo(session_id))
        if done is not None:
            self.notify("undone — U redoes it")

    @work(exclusive=True, group="checkpoint-op", exit_on_error=False)
    async def action_checkpoint_redo(self) -> None:
        found = self._writable()
        if found is None:
            return
        service, session_id = found
        done = await self._run("redo", service.redo(session_id))
        if done is not None:
            self.notify("redone")

    def action_checkpoint_merge(self) -> None:
        """M: merge the branch under the cursor into the current one, after a preview."""
        selected = self.browser.selected
        if self._writable() is None or selected is None:
            return
        if selected.branch == self.browser.current_branch:
            self.notify(
                "move to another branch's row to merge it into this one", severity="warning"
            )
            return
        self._ask_merge(selected.branch, None)

    def _ask_merge(self, source: str, files: list[str] | None) -> None:
        """The merge question: what would change and the conflicts foreseen, then y."""
        from penguin_tui.app.screens.merge import MergeScreen

        found = self._writable()
        if found is None:
            return
        service, session_id = found

        async def load() -> MergePreview:
            return await service.preview_merge(session_id, source, files)

        def chosen(confirmed: MergePreview | None) -> None:
            if confirmed is not None:
                self._merge(confirmed)

        into = self.browser.current_branch or "this branch"
        title = (
            f"Take {plural(len(files), 'file')} from {source} into {into}"
            if files
            else f"Merge {source} into {into}"
        )
        self.push_screen(MergeScreen(title, load), chosen)

    @work(exclusive=True, group="checkpoint-op", exit_on_error=False)
    async def _merge(self, preview: MergePreview) -> None:
        """The merge the user confirmed, exactly as previewed (none if anything changed)."""

        found = self._writable()
        if found is None:
            return
        service, session_id = found
        source, files = preview.source, preview.picked
        done = await self._run("merge", service.merge_as_previewed(session_id, preview))
        if done is None:
            return
        if not done.changed:
            self.notify(f"nothing to merge: {done.branch} already has every change of {source}")
        elif done.conflicts:
            listed = ", ".join(done.conflicts[:5])
            self.notify(
                f"{plural(len(done.conflicts), 'conflict')} to resolve (markers in the files): "
                f"{listed} — u undoes the merge",
                severity="warning",
                timeout=15,
            )
            await self._show_conflicts(service, session_id, done)
        else:
            what = f"{plural(len(files), 'file')} from" if files else "merged"
            self.notify(f"{what} {source} — u undoes it")

    async def _show_conflicts(
        self, service: CheckpointService, session_id: str, done: OperationResult
    ) -> None:
        """After a merge with conflicts: its changes in the diff viewer, the conflicted files
        first, each named in the header, so the user sees every marker to resolve."""
        from penguin_tui.unified_diff import parse_unified

        merged = done.checkpoint
        if merged.parent_id is None:
            return
        before = await self._run("diff", service.get(session_id, merged.parent_id))
        if before is None:
            return
        patch = await self._run(
            "diff", asyncio.to_thread(service.shadow.patch, before.tree, merged.tree)
        )
        if patch is None:
            return
        conflicted = set(done.conflicts)
        files = sorted(parse_unified(patch), key=lambda file: file.path not in conflicted)
        header = Text(f"{plural(len(done.conflicts), 'conflict')} to resolve: ", style="bold")
        header.append(", ".join(done.conflicts))
        header.append(" — edit the files (git's <<<<<<< markers), u undoes the merge")
        self.diff_pane.open(files, f"Merge {merged.id[:8]} ({done.branch})", header)

    @work(exclusive=True, group="checkpoint-op", exit_on_error=False)
    async def action_checkpoint_cherry_pick(self) -> None:
        from penguin_tui.app.screens.pick_files import PickFiles

        found = self._writable()
        selected = self.browser.selected
        if found is None or selected is None:
            return
        service, session_id = found
        branch = next((b for b in self.browser.branch_list if b.name == selected.branch), None)
        position = await service.position(session_id)
        if branch is None or branch.position_id is None or branch.current or position is None:
            self.notify("move to another branch's row to take files from it", severity="warning")
            return
        theirs = await service.get(session_id, branch.position_id)
        stats = await asyncio.to_thread(service.shadow.numstat, position.tree, theirs.tree)
        if not stats:
            self.notify(f"{branch.name} has the same files as here", severity="warning")
            return
        rows = [
            (s.path, "binary" if s.added is None else f"+{s.added} −{s.removed}") for s in stats
        ]

        source = branch.name

        def chosen(files: list[str] | None) -> None:
            if files:
                self._ask_merge(source, files)

        self.push_screen(PickFiles(f"Take files from {branch.name}", rows), chosen)
