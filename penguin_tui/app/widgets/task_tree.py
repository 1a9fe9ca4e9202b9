"""The task pane: the project's plan as a tree keyed by task id, updated in place — a task's
change redraws its own row and the rows whose figures it moves, never the whole tree."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.reactive import reactive
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from penguin_tui.app.event_routes import handles
from penguin_tui.app.widgets.task_rows import TaskColours, pane_title, task_colours, task_label
from penguin_tui.app.widgets.tree_rows import fit_to_pane
from penguin_tui.errors import PenguinError
from penguin_tui.tasks import graph
from penguin_tui.tasks.model import task_number

if TYPE_CHECKING:
    from penguin_tui.bus import (
        CheckpointRestored,
        TaskCreated,
        TaskFinished,
        TaskStarted,
        TaskUpdated,
    )
    from penguin_tui.tasks.model import Task
    from penguin_tui.tasks.service import TaskService


def _key(binding: str, action: str, description: str, name: str, show: bool = True) -> Binding:
    return Binding(binding, f"app.task('{action}')", description, id=f"tasks.{name}", show=show)


class TaskTree(Tree[str]):
    """The project's tasks under their parents; each node's data is its task's id.

    Its keys are app actions (the palette runs the same ones), handed to the tasks controller,
    which reads the selected task from here.
    """

    BINDINGS = [
        _key("a", "add", "Add", "add"),
        _key("A", "add_subtask", "Subtask", "add_subtask"),
        _key("e", "edit", "Edit", "edit"),
        _key("s", "status", "Status", "status"),
        _key("d", "done", "Done", "done"),
        _key("x", "cancel", "Cancel", "cancel"),
        _key("m", "move", "Move", "move", show=False),
        _key("plus", "add_dependency", "After", "add_dependency", show=False),
        _key("minus", "remove_dependency", "Not after", "remove_dependency", show=False),
        _key("h", "hide_finished", "Hide done", "hide_finished", show=False),
        _key("slash", "search", "Search", "search", show=False),
        _key("w", "work_on", "Work on", "work_on"),
        Binding("r", "app.run_tasks", "Run", id="tasks.run"),
        _key("enter", "details", "Details", "details", show=False),
        Binding("up", "cursor_up", "Up", show=False, id="tasks.up"),
        Binding("down", "cursor_down", "Down", show=False, id="tasks.down"),
        Binding("home", "scroll_home", "First", show=False, id="tasks.first"),
        Binding("end", "scroll_end", "Last", show=False, id="tasks.last"),
        Binding("space", "toggle_node", "Fold", show=False, id="tasks.fold"),
    ]
    CURSOR_MOVES = frozenset({"tasks.up", "tasks.down", "tasks.first", "tasks.last", "tasks.fold"})
    """Bindings that only move the cursor or fold: remappable and in F1, not palette entries."""

    DEFAULT_CSS = """
    TaskTree { height: 1fr; background: $surface; overflow-x: hidden; }
    """

    # While the whole tree is built, Textual's per-node invalidation (a refresh and a cache
    # reset for every row added) is held back and done once at the end (a class attribute:
    # the Tree's own __init__ invalidates before ours runs).
    _building = False
    # The pane's width while the tree's lines are built (None the rest of the time).
    _row_width: int | None = None

    working_on: reactive[str | None] = reactive(None, init=False)
    """The task being worked on (its row is marked), or None."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__("tasks", id=id)
        self.show_root = False
        self.guide_depth = 2
        self.plan: Mapping[str, Task] = {}
        self.nodes: dict[str, TreeNode[str]] = {}
        self.hide_finished = False
        self.search = ""
        self._colours: TaskColours | None = None  # the theme's, taken once per drawing
        # Each task's subtasks in id order, kept up to date change by change (not worked out
        # again from the whole plan for every event), and the parent each is listed under.
        self.subtasks: dict[str, list[str]] = {}
        self._listed_under: dict[str, str | None] = {}
        # A row's text is made when the row is drawn (only the rows in view are), and kept
        # until its task or a task whose figures it shows changes.
        self._labels: dict[str, Text] = {}
        # The tasks that come after each task (whose "after T3 (todo)" reads its status).
        self.dependents: dict[str, set[str]] = {}
        self._after_of: dict[str, tuple[str, ...]] = {}
        self._title_due = False

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda *_: self.show_tasks(self.plan))
        self.border_title = pane_title(self.plan, {})

    @property
    def service(self) -> TaskService | None:
        """The project's task service, once the services are up."""
        runtime = getattr(self.app, "runtime", None)
        return getattr(runtime, "tasks", None)

    @property
    def selected_id(self) -> str | None:
        node = self.cursor_node
        return node.data if node is not None else None

    # -- drawing ----------------------------------------------------------------------------

    def shown(self, task_id: str, children: Mapping[str, list[str]]) -> bool:
        """Whether a task has a row under the filters: it (or a task below it) passes them."""
        if not (self.hide_finished or self.search):
            return True
        for member in graph.subtree(self.plan, task_id, children):
            task = self.plan[member]
            if self.hide_finished and task.status.finished:
                continue
            if self.search and self.search.lower() not in f"{task.id} {task.title}".lower():
                continue
            return True
        return False

    def show_tasks(self, plan: Mapping[str, Task]) -> None:
        """Build the tree from the whole plan: at start, after a revert, when a filter
        changes. Every other change goes through ``task_changed``."""
        selected = self.selected_id
        self.plan = plan
        self._colours = None
        self._building = True
        try:
            self._build_rows(plan)
        finally:
            self._building = False
            super()._invalidate()
        self.border_title = pane_title(plan, self.subtasks)
        if selected in self.nodes:
            self.call_after_refresh(self.move_cursor, self.nodes[selected])

    def process_label(self, label: str | Text) -> Text:
        """A row's stand-in (its id, one line, no markup) is taken as it is; Textual's own
        parses and splits every label, twice per row added."""
        if isinstance(label, Text) and "\n" not in label.plain:
            return label
        return super().process_label(label)

    def _invalidate(self) -> None:
        """Textual's cache reset and refresh after a node is added or removed: once per
        build instead of once per row (a build of 2,000 rows spent a third of its time
        here)."""
        if not self._building:
            super()._invalidate()

    def _build_rows(self, plan: Mapping[str, Task]) -> None:
        self.clear()
        self.nodes = {}
        self._labels = {}
        self.dependents = {}
        self._after_of = {t.id: t.after for t in plan.values()}
        for task in plan.values():
            for before in task.after:
                self.dependents.setdefault(before, set()).add(task.id)
        children = self.subtasks = graph.children_of(plan)
        self._listed_under = {t.id: t.parent if t.parent in plan else None for t in plan.values()}
        roots = [t for t in self._ordered(plan) if plan[t].parent not in plan]
        for task_id in roots:
            self._add_subtree(task_id, self.root, children, in_order=True)

    def _ordered(self, ids: Iterable[str]) -> list[str]:
        # The plan's ids are normal ("T12"): their number is what follows the T.
        return sorted(ids, key=lambda task_id: int(task_id[1:]))

    def _label(self, task_id: str, children: Mapping[str, list[str]]) -> Text:
        if self._colours is None:
            self._colours = task_colours(self.app.theme_variables)
        working = task_id == self.working_on
        return task_label(self.plan, task_id, children, self._colours, working=working)

    def _add_subtree(
        self,
        task_id: str,
        parent: TreeNode[str],
        children: Mapping[str, list[str]],
        in_order: bool = False,
    ) -> None:
        """A task's row under ``parent`` (in id order among its siblings; ``in_order``: the
        rows are added in id order, each goes last), then its subtasks'."""
        if not self.shown(task_id, children):
            return
        later = None
        if not in_order:
            number = task_number(task_id)
            later = next(
                (n for n in parent.children if n.data and task_number(n.data) > number), None
            )
        # The row's text comes when it is drawn (render_label): the id stands in until then.
        node = parent.add(
            Text(task_id),
            data=task_id,
            expand=True,
            before=later,
            allow_expand=bool(children.get(task_id)),
        )
        self.nodes[task_id] = node
        for child in children.get(task_id, []):
            self._add_subtree(child, node, children, in_order=True)

    def _relabel(self, ids: Iterable[str], children: Mapping[str, list[str]]) -> None:
        """These rows are made again the next time they are drawn."""
        for task_id in ids:
            self._labels.pop(task_id, None)
            node = self.nodes.get(task_id)
            if node is not None and task_id in self.plan:
                node.set_label(task_id)

    def _forget(self, node: TreeNode[str]) -> None:
        """Drop a node and its subtree from the index of nodes (before removing it)."""
        for child in node.children:
            self._forget(child)
        if node.data is not None:
            self.nodes.pop(node.data, None)

    # -- changes ----------------------------------------------------------------------------

    def place(self, task_id: str, plan: Mapping[str, Task]) -> None:
        """One task made or changed: its row drawn again (moved when its parent changed, added
        or removed when the filters now show or hide it), then the rows whose figures it
        moves — its ancestors' and the rows of the tasks that come after it."""
        self.plan = plan
        children = self._list_under_parent(task_id, plan)
        node = self.nodes.get(task_id)
        parent_id = plan[task_id].parent
        parent_node = self.nodes.get(parent_id) if parent_id else self.root
        wrong_place = node is not None and node.parent is not parent_node
        affected = [task_id, *graph.ancestors(plan, task_id)]
        if node is not None and (wrong_place or not self.shown(task_id, children)):
            affected += self._node_ancestors(node)  # where it was: their figures change too
            self._forget(node)
            node.remove()
            node = None
        if node is None and parent_node is not None:
            self._add_subtree(task_id, parent_node, children)
        self._note_dependencies(task_id, plan)
        for other in sorted(self.dependents.get(task_id, ()), key=task_number):
            if other in plan:
                affected += list(graph.subtree(plan, other, children))
        self._relabel(affected, children)
        for row in affected:
            if row in self.nodes:
                self.nodes[row].allow_expand = bool(self.nodes[row].children)
        if not self._title_due:  # once a frame, however many tasks changed in it
            self._title_due = True
            self.call_after_refresh(self._update_title)

    def _update_title(self) -> None:
        self._title_due = False
        self.border_title = pane_title(self.plan, self.subtasks)

    def _note_dependencies(self, task_id: str, plan: Mapping[str, Task]) -> None:
        """Keep the index of dependents up to date with the task's ``after``."""
        old = self._after_of.get(task_id, ())
        new = self._after_of[task_id] = plan[task_id].after
        if old == new:
            return
        for before in old:
            self.dependents.get(before, set()).discard(task_id)
        for before in new:
            self.dependents.setdefault(before, set()).add(task_id)

    def _list_under_parent(self, task_id: str, plan: Mapping[str, Task]) -> dict[str, list[str]]:
        """The subtasks lists with ``task_id`` under its parent now (moved, or new)."""
        children = self.subtasks
        children.setdefault(task_id, [])
        parent = plan[task_id].parent
        parent = parent if parent in plan else None
        if task_id in self._listed_under and self._listed_under[task_id] == parent:
            return children
        old = self._listed_under.get(task_id)
        if old is not None and task_id in children.get(old, []):
            children[old].remove(task_id)
        if parent is not None:
            siblings = children.setdefault(parent, [])
            siblings.append(task_id)
            siblings.sort(key=task_number)
        self._listed_under[task_id] = parent
        return children

    def _node_ancestors(self, node: TreeNode[str]) -> list[str]:
        """The ids of the rows above ``node`` in the tree as drawn."""
        found: list[str] = []
        walk = node.parent
        while walk is not None and walk.data is not None:
            found.append(walk.data)
            walk = walk.parent
        return found

    @handles
    def task_changed(self, event: TaskCreated | TaskUpdated) -> None:
        service = self.service
        task_id = str(event.task.get("id", ""))
        if service is not None and task_id in service.tasks:
            self.place(task_id, service.tasks)

    async def on_focus(self) -> None:
        """The plan read again when the pane is focused: tasks added or changed from the
        command line (``penguin-tui tasks``) in another terminal show up here."""
        service = self.service
        if service is None:
            return
        before = service.tasks
        try:
            await service.reload()
        except PenguinError:  # the store closed under it: the app is quitting
            return
        if service.tasks != before:
            self.show_tasks(service.tasks)

    @handles
    async def checkpoint_restored(self, event: CheckpointRestored) -> None:
        """A revert, undo or redo may have put back another plan: read it again."""
        service = self.service
        if service is not None:
            await service.reload()
            self.show_tasks(service.tasks)

    @handles
    def run_task_started(self, event: TaskStarted) -> None:
        """Run mode took up a task: its row is marked while it runs."""
        self.working_on = event.id

    @handles
    def run_task_finished(self, event: TaskFinished) -> None:
        if self.working_on == event.id:
            self.working_on = None

    def watch_working_on(self, old: str | None, new: str | None) -> None:
        self._relabel([i for i in (old, new) if i], self.subtasks)

    def set_filters(self, *, hide_finished: bool | None = None, search: str | None = None) -> None:
        """Hide done and cancelled tasks, or show only the rows whose id or title holds
        ``search`` (with the tasks above them); the tree is built again."""
        if hide_finished is not None:
            self.hide_finished = hide_finished
        if search is not None:
            self.search = search.strip()
        self.show_tasks(self.plan)
        filters = ["done hidden"] if self.hide_finished else []
        if self.search:
            filters.append(f"/{self.search}")
        self.border_subtitle = " · ".join(filters)

    def get_label_width(self, node: TreeNode[str]) -> int:
        # The pane cuts its rows to its width (overflow-x hidden): measuring every row's text,
        # as the tree would at each change, would make the text of rows never drawn.
        if self._row_width is not None:
            return self._row_width
        return self.scrollable_content_region.width

    def _build(self) -> None:
        """Textual's lines of the tree, with the pane's width read once for all the rows
        (reading it costs a layout query: a third of a 2,000-row build went there)."""
        self._row_width = self.scrollable_content_region.width
        try:
            super()._build()
        finally:
            self._row_width = None

    def render_label(self, node: TreeNode[str], base_style: Style, style: Style) -> Text:
        """The row, ending in "…" where the pane cuts it (enter shows the task in full)."""
        task_id = node.data
        if task_id is not None and task_id in self.plan:
            label = self._labels.get(task_id)
            if label is None:
                label = self._labels[task_id] = self._label(task_id, self.subtasks)
            node._label = label  # what the tree draws; set_label would schedule a redraw
        return fit_to_pane(self, node, super().render_label(node, base_style, style))
