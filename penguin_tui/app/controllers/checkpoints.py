"""The workbench's checkpoint operations, and the browser kept current.

The browser's keys and the palette's commands end here (through the app's actions). Each
operation calls the same CheckpointService method the command line does; what changed comes
back as events (the browser and the chat reload on them), and every failure is one
notification.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING, TypeVar

from rich.text import Text

from penguin_tui.app.event_routes import handles
from penguin_tui.app.widgets.checkpoint_rows import left_out_notice
from penguin_tui.app.workers import background
from penguin_tui.formatting import checkpoint_label, line_counts, size
from penguin_tui.words import plural

if TYPE_CHECKING:
    from penguin_tui.app.app import PenguinApp
    from penguin_tui.app.widgets.checkpoints import CheckpointBrowser
    from penguin_tui.bus import (
        CheckpointCreated,
        CheckpointFailed,
        CheckpointRestored,
        MessageStarted,
    )
    from penguin_tui.checkpoints.model import Checkpoint, RevertMode
    from penguin_tui.checkpoints.results import MergePreview, OperationResult, RevertPreview
    from penguin_tui.checkpoints.service import CheckpointService

T = TypeVar("T")


# Every operation here moves the code or the conversation: none while run mode works.
RUN_MODE_BUSY = "run mode is working on the tasks; Esc stops it first"


class CheckpointsController:
    """Checkpoint, branch, switch, revert, undo/redo, merge and pick files; the browser's
    rows, size, failures and files left out kept current after every checkpoint event."""

    def __init__(self, app: PenguinApp) -> None:
        self.app = app
        # (path, reason) of the files left out that a notification already named.
        self.left_out_reported: set[tuple[str, str]] = set()
        # The store size over its quota was said once this run (the subtitle keeps showing it).
        self.quota_warned = False

    # -- what the operations work on ---------------------------------------------------------

    @property
    def browser(self) -> CheckpointBrowser:
        # Imported here: the browser is mounted after the workbench's first frame.
        from penguin_tui.app.widgets.checkpoints import CheckpointBrowser

        return self.app.workbench.query_one(CheckpointBrowser)

    def service(self) -> tuple[CheckpointService, str] | None:
        """The service and the session, or None (said why) before a session or without
        checkpoints."""
        runtime = self.app.runtime
        if runtime is None or runtime.engine.session is None:
            self.app.notify("no session yet", severity="warning")
            return None
        if runtime.checkpoints is None:
            self.app.notify(runtime.checkpoint_notice or "checkpoints are off", severity="warning")
            return None
        return runtime.checkpoints, runtime.engine.session.id

    def writable(self, what: str) -> tuple[CheckpointService, str] | None:
        """The service, when the operation ``what`` may change the project now (not
        read-only, run mode and the agent not working); else None, said why. Run mode is
        named first: its task turns make the agent busy too, and Esc stops the whole run."""
        found = self.service()
        if found is None:
            return None
        if self.app.run_mode.running:
            self.app.notify(f"{what}: {RUN_MODE_BUSY}", severity="warning")
            return None
        if found[0].read_only:
            self.app.notify(
                "read-only: another penguin-tui is running on this project", severity="warning"
            )
            return None
        runtime = self.app.runtime
        if runtime is not None and runtime.engine.busy:
            self.app.notify("the agent is working; Esc cancels it first", severity="warning")
            return None
        return found

    def selected(self) -> Checkpoint | None:
        """The checkpoint under the browser's cursor (None: said how to choose one)."""
        checkpoint = self.browser.selected_checkpoint
        if checkpoint is None:
            self.app.notify("move to a checkpoint in the browser first (f6)", severity="warning")
        return checkpoint

    async def run(self, what: str, operation: Awaitable[T]) -> T | None:
        """``operation``'s result; None when it failed, said in one notification."""
        from penguin_tui.errors import PenguinError

        try:
            return await operation
        except PenguinError as error:
            self.browser.progress = None  # a snapshot that failed is not under way
            self.app.notify(f"{what}: {error.message}", severity="error", timeout=10)
            return None

    # -- keeping the browser current ---------------------------------------------------------

    @handles
    def reply_started(self, event: MessageStarted) -> None:
        self.show_pending_failure()  # the turn's start may have taken or forgotten it

    @handles
    def checkpoint_created(self, event: CheckpointCreated) -> None:
        self.reload()
        if event.skipped:
            self.report_left_out(event.checkpoint_id)

    @handles
    async def checkpoint_restored(self, event: CheckpointRestored) -> None:
        if event.mode != "code" or event.action in ("branch", "switch"):
            await self.app.conversation.reload()
        else:
            self.reload()
        if event.kept:
            self.app.notify(
                f"kept {plural(len(event.kept), 'file')} the checkpoints never saw: "
                + ", ".join(event.kept[:3]),
                severity="warning",
                timeout=10,
            )

    @handles
    def checkpoint_failed(self, event: CheckpointFailed) -> None:
        self.reload()  # the title says so until a checkpoint lands
        self.app.notify(event.message, severity="error", timeout=15)

    @background("checkpoint-browser")
    async def reload(self) -> None:
        """The browser's rows, title and size drawn again from the service."""
        from penguin_tui.errors import PenguinError

        runtime = self.app.runtime
        found = runtime.checkpoints if runtime else None
        session = runtime.engine.session if runtime else None
        browser = self.browser
        if found is None or session is None:
            browser.border_subtitle = "off"
            return
        try:
            checkpoints = await found.checkpoints(session.id)
            branches = await found.branches(session.id)
            storage = await found.storage()
        except PenguinError as error:
            self.app.notify(error.message, severity="error")
            return
        browser.show_data(checkpoints, branches, follow=True)
        browser.changed_outside = len(self.app.project_watch.outside_changes)
        self.show_pending_failure()
        subtitle = size(storage.bytes, smallest="MiB")
        browser.border_subtitle = ("read-only · " if found.read_only else "") + subtitle
        if storage.over_quota:
            browser.border_subtitle += " · over quota"
        if storage.over_quota and not self.quota_warned:
            self.quota_warned = True
            self.app.notify(
                f"the checkpoint store is {size(storage.bytes)}, over its quota of "
                f"{size(storage.quota_bytes)}: raise [checkpoints] quota_mb or thin old "
                "checkpoints",
                severity="warning",
                timeout=10,
            )

    def show_pending_failure(self) -> None:
        """The browser's title says whether this session's automatic checkpoint failed and is
        still to be taken (a retry that finds the files already saved forgets it, no row)."""
        runtime = self.app.runtime
        found = runtime.checkpoints if runtime else None
        session = runtime.engine.session if runtime else None
        failed = found.failure(session.id) if found and session else None
        self.browser.failure = failed.short if failed else None

    @background("checkpoint-left-out", exclusive=False)
    async def report_left_out(self, checkpoint_id: str) -> None:
        """Tell the user about files a new checkpoint could not save — once per file and
        reason, so a big file that stays in the project is not announced at every turn."""
        from penguin_tui.errors import PenguinError

        runtime = self.app.runtime
        session = runtime.engine.session if runtime is not None else None
        if runtime is None or runtime.checkpoints is None or session is None:
            return
        try:
            checkpoint = await runtime.checkpoints.get(session.id, checkpoint_id)
        except PenguinError as error:
            self.app.notify(error.message, severity="error")
            return
        new = [entry for entry in checkpoint.skipped if entry not in self.left_out_reported]
        self.left_out_reported.update(checkpoint.skipped)
        if new:
            self.app.notify(left_out_notice(checkpoint.id, new), severity="warning", timeout=15)

    @background("retention")
    async def apply_retention(self) -> None:
        """Thin old automatic checkpoints at start-up (the browser drops their rows)."""
        from penguin_tui.errors import PenguinError

        runtime = self.app.runtime
        if runtime is None or runtime.checkpoints is None:
            return
        try:
            dropped = await runtime.checkpoints.apply_retention()
        except PenguinError as error:
            self.app.notify(error.message, severity="warning")
            return
        if dropped:
            self.reload()

    # -- checkpoint, branch, switch ----------------------------------------------------------

    def ask_create(self) -> None:
        """a: ask for a label, then save a manual checkpoint."""
        from penguin_tui.app.screens.ask_text import AskText

        if self.writable("checkpoint") is None:
            return

        def chosen(label: str | None) -> None:
            if label is not None:
                self.create(label)

        self.app.push_screen(
            AskText("Label for the new checkpoint (enter to save):", "e.g. before the refactor"),
            chosen,
        )

    @background("checkpoint-op")
    async def create(self, label: str) -> None:
        from penguin_tui.checkpoints.model import CheckpointKind

        found = self.writable("checkpoint")
        if found is None:
            return
        service, session_id = found
        created = await self.run(
            "checkpoint", service.create(session_id, CheckpointKind.MANUAL, label)
        )
        if created is not None:
            self.app.notify(f"checkpoint saved{': ' + label if label else ''}")

    def ask_branch(self) -> None:
        """b: ask for a name, then branch from the checkpoint under the cursor."""
        from penguin_tui.app.screens.ask_text import AskText

        checkpoint = self.selected()
        if checkpoint is None or self.writable("branch") is None:
            return
        existing = {branch.name for branch in self.browser.branch_list}
        suggestion = next(f"try-{n}" for n in range(2, 1000) if f"try-{n}" not in existing)

        def chosen(name: str | None) -> None:
            if name:
                self.branch_from(checkpoint.id, name)

        self.app.push_screen(
            AskText(f"New branch from {checkpoint.id[:8]} — its name:", value=suggestion), chosen
        )

    @background("checkpoint-op")
    async def branch_from(self, checkpoint_id: str, name: str) -> None:
        found = self.writable("branch")
        if found is None:
            return
        service, session_id = found
        done = await self.run("branch", service.branch_from(session_id, checkpoint_id, name))
        if done is not None:
            self.app.notify(f"on new branch {name}, at {checkpoint_id[:8]}")

    @background("checkpoint-op")
    async def switch(self) -> None:
        """s: save, then restore the latest state of the branch under the cursor."""
        found = self.writable("switch")
        selected = self.browser.selected
        if found is None or selected is None:
            return
        service, session_id = found
        if selected.branch == self.browser.current_branch:
            self.app.notify(f"already on {selected.branch}", severity="warning")
            return
        done = await self.run("switch", service.switch(session_id, selected.branch))
        if done is not None:
            self.app.notify(f"switched to {selected.branch}")

    # -- revert, undo, redo ------------------------------------------------------------------

    def ask_revert(self) -> None:
        """r: the revert question (code, conversation or both, after a preview)."""
        from penguin_tui.app.screens.revert import RevertScreen

        checkpoint = self.selected()
        found = self.writable("revert")
        if checkpoint is None or found is None:
            return
        service, session_id = found

        async def load(mode: RevertMode) -> RevertPreview:
            return await service.preview_revert(session_id, checkpoint.id, mode)

        def chosen(mode: RevertMode | None) -> None:
            if mode is not None:
                self.revert(checkpoint.id, mode)

        self.app.push_screen(
            RevertScreen(f"Revert to {checkpoint_label(checkpoint)}", load),
            chosen,
        )

    @background("checkpoint-op")
    async def revert(self, checkpoint_id: str, mode: RevertMode) -> None:
        found = self.writable("revert")
        if found is None:
            return
        service, session_id = found
        done = await self.run("revert", service.revert(session_id, checkpoint_id, mode))
        if done is not None:
            self.app.notify(f"reverted {mode.value} to {checkpoint_id[:8]} — u undoes it")

    @background("checkpoint-op")
    async def undo(self) -> None:
        found = self.writable("undo")
        if found is None:
            return
        service, session_id = found
        done = await self.run("undo", service.undo(session_id))
        if done is not None:
            self.app.notify("undone — U redoes it")

    @background("checkpoint-op")
    async def redo(self) -> None:
        found = self.writable("redo")
        if found is None:
            return
        service, session_id = found
        done = await self.run("redo", service.redo(session_id))
        if done is not None:
            self.app.notify("redone")

    # -- merge and pick files ----------------------------------------------------------------

    def ask_merge_branch(self) -> None:
        """M: merge the branch under the cursor into the current one, after a preview."""
        selected = self.browser.selected
        if self.writable("merge") is None or selected is None:
            return
        if selected.branch == self.browser.current_branch:
            self.app.notify(
                "move to another branch's row to merge it into this one", severity="warning"
            )
            return
        self.ask_merge(selected.branch, None)

    def ask_merge(self, source: str, files: list[str] | None) -> None:
        """The merge question: what would change and the conflicts foreseen, then y."""
        from penguin_tui.app.screens.merge import MergeScreen

        found = self.writable("merge")
        if found is None:
            return
        service, session_id = found

        async def load() -> MergePreview:
            return await service.preview_merge(session_id, source, files)

        def chosen(confirmed: MergePreview | None) -> None:
            if confirmed is not None:
                self.merge(confirmed)

        into = self.browser.current_branch or "this branch"
        title = (
            f"Take {plural(len(files), 'file')} from {source} into {into}"
            if files
            else f"Merge {source} into {into}"
        )
        self.app.push_screen(MergeScreen(title, load), chosen)

    @background("checkpoint-op")
    async def merge(self, preview: MergePreview) -> None:
        """The merge the user confirmed, exactly as previewed (none if anything changed)."""
        found = self.writable("merge")
        if found is None:
            return
        service, session_id = found
        source, files = preview.source, preview.picked
        done = await self.run("merge", service.merge_as_previewed(session_id, preview))
        if done is None:
            return
        if not done.changed:
            self.app.notify(f"nothing to merge: {done.branch} already has every change of {source}")
        elif done.conflicts:
            listed = ", ".join(done.conflicts[:5])
            self.app.notify(
                f"{plural(len(done.conflicts), 'conflict')} to resolve (markers in the files): "
                f"{listed} — u undoes the merge",
                severity="warning",
                timeout=15,
            )
            await self.show_conflicts(service, session_id, done)
        else:
            what = f"{plural(len(files), 'file')} from" if files else "merged"
            self.app.notify(f"{what} {source} — u undoes it")

    async def show_conflicts(
        self, service: CheckpointService, session_id: str, done: OperationResult
    ) -> None:
        """After a merge with conflicts: its changes in the diff viewer, the conflicted files
        first, each named in the header, so the user sees every marker to resolve."""
        from penguin_tui.unified_diff import parse_unified

        merged = done.checkpoint
        if merged.parent_id is None:
            return
        before = await self.run("diff", service.get(session_id, merged.parent_id))
        if before is None:
            return
        patch = await self.run("diff", service.patch(before.tree, merged.tree))
        if patch is None:
            return
        conflicted = set(done.conflicts)
        files = sorted(parse_unified(patch), key=lambda file: file.path not in conflicted)
        header = Text(f"{plural(len(done.conflicts), 'conflict')} to resolve: ", style="bold")
        header.append(", ".join(done.conflicts))
        header.append(" — edit the files (git's <<<<<<< markers), u undoes the merge")
        from penguin_tui.app.widgets.diff_pane import DiffPane

        pane = self.app.workbench.query_one(DiffPane)
        pane.open(files, f"Merge {merged.id[:8]} ({done.branch})", header)

    @background("checkpoint-op")
    async def ask_pick_files(self) -> None:
        """P: choose files to take from the branch under the cursor, then the merge question."""
        from penguin_tui.app.screens.pick_files import PickFiles

        found = self.writable("merge")
        selected = self.browser.selected
        if found is None or selected is None:
            return
        service, session_id = found
        branch = next((b for b in self.browser.branch_list if b.name == selected.branch), None)
        position = await service.position(session_id)
        if branch is None or branch.position_id is None or branch.current or position is None:
            self.app.notify(
                "move to another branch's row to take files from it", severity="warning"
            )
            return
        theirs = await service.get(session_id, branch.position_id)
        stats = await service.numstat(position.tree, theirs.tree)
        if not stats:
            self.app.notify(f"{branch.name} has the same files as here", severity="warning")
            return
        rows = [(s.path, line_counts(s.added, s.removed, "−")) for s in stats]
        source = branch.name

        def chosen(files: list[str] | None) -> None:
            if files:
                self.ask_merge(source, files)

        self.app.push_screen(PickFiles(f"Take files from {branch.name}", rows), chosen)
