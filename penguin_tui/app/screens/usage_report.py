"""The usage report over the workbench: this project's calls grouped (by model first; g moves
to the next grouping), the speed of each model's calls as a sparkline, and what every branch
of the session cost, those left behind included."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Sparkline, Static

from penguin_tui.app.widgets.key_hints import KeyHints
from penguin_tui.formatting import USAGE_COLUMNS, money, usage_cells
from penguin_tui.store.usage_report import (
    GROUPINGS,
    CallRow,
    Grouping,
    UsageGroup,
    percentile,
    summarise,
)

if TYPE_CHECKING:
    from penguin_tui.runtime import Runtime

GROUP_TITLES: dict[Grouping, str] = {
    "model": "Model",
    "provider": "Provider",
    "session": "Session",
    "branch": "Session/branch",
    "task": "Task",
    "day": "Day",
}
LABEL_WIDTH = 18


@dataclass(frozen=True)
class SessionBranches:
    """The session the workbench shows: its branches and the one it is on."""

    session_id: str
    names: tuple[str, ...]
    current: str


async def load_report(runtime: Runtime) -> UsageReport:
    """The report of the runtime's project, with the branches of its current session."""
    from penguin_tui.store.usage_report import recorded_calls

    store = runtime.store
    calls = await recorded_calls(store, project_id=runtime.engine.project.id)
    session = runtime.engine.session
    branches = None
    if session is not None:
        names = tuple(await store.branch_names(session.id))
        branches = SessionBranches(session.id, names, await store.current_branch(session.id))
    return UsageReport(calls, branches)


def shortened(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells, with an ellipsis when something was cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


def speeds_by_model(calls: Sequence[CallRow]) -> dict[str, list[float]]:
    """Each model's tokens per second, call after call (calls that streamed nothing left out)."""
    speeds: dict[str, list[float]] = {}
    for call in calls:
        speed = call.tokens_per_s
        if speed is not None:
            speeds.setdefault(call.model, []).append(speed)
    return speeds


def branch_costs(calls: Sequence[CallRow], branches: SessionBranches) -> list[Text]:
    """One line per branch of the session: those it has now and those only its calls name."""
    mine = [c for c in calls if c.session_id == branches.session_id]
    groups = {g.key[1]: g for g in summarise(mine, "branch")}
    names = list(branches.names) + sorted(n for n in groups if n and n not in branches.names)
    lines = []
    for name in names:
        group = groups.get(name)
        line = Text("● " if name == branches.current else "  ", style="bold")
        line.append(f"{name:<{LABEL_WIDTH - 2}}", style="bold" if name == branches.current else "")
        if group is None:
            line.append("no calls", style="dim")
        else:
            line.append(f"{group.calls:>4} calls  {money(group.cost_usd, group.unpriced_calls)}")
            if group.failed_calls:
                line.append(f"  {group.failed_calls} failed", style="dim")
        lines.append(line)
    return lines


class UsageReport(ModalScreen[None]):
    """This project's calls as a table (g: the next grouping), a sparkline of each model's
    speed, and each branch's cost in the current session."""

    DEFAULT_CSS = """
    UsageReport { align: center middle; }
    UsageReport > Vertical {
        width: 96%; max-width: 150; height: 94%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    UsageReport VerticalScroll { height: 1fr; }
    UsageReport DataTable { height: auto; max-height: 12; background: $surface; }
    UsageReport .usage-heading { color: $accent; text-style: bold; margin: 1 0 0 0; }
    UsageReport .speed-row { height: 1; }
    UsageReport .speed-label { width: 20; color: $text; }
    UsageReport .speed-median { width: 12; color: $text-muted; }
    UsageReport Sparkline { width: 1fr; max-width: 60; height: 1; }
    UsageReport Sparkline > .sparkline--min-color { color: $secondary; }
    UsageReport Sparkline > .sparkline--max-color { color: $success; }
    UsageReport .usage-empty { color: $text-muted; }
    UsageReport KeyHints { dock: bottom; margin: 1 0 0 0; }
    """

    BINDINGS = [
        Binding("g", "next_grouping", "Next grouping", id="usage_report.group"),
        Binding("escape", "close", "Close", id="usage_report.close"),
    ]

    def __init__(
        self,
        calls: Sequence[CallRow],
        branches: SessionBranches | None,
        by: Grouping = "model",
    ) -> None:
        super().__init__()
        self.calls = list(calls)
        self.branches = branches
        self.by: Grouping = by

    def compose(self) -> ComposeResult:
        with Vertical() as frame:
            frame.border_title = self._title()
            with VerticalScroll():
                if not self.calls:
                    yield Static("No calls recorded in this project yet.", classes="usage-empty")
                table: DataTable[Text] = DataTable(cursor_type="row", zebra_stripes=False)
                yield table
                yield Static("Speed per model (tokens/s, call after call)", classes="usage-heading")
                yield from self._speed_rows()
                yield Static(self._branches_heading(), classes="usage-heading")
                yield Static(self._branch_text(), id="usage-branches")
            yield KeyHints()

    def on_mount(self) -> None:
        self._fill_table()

    def _title(self) -> str:
        return f"Usage of this project · by {self.by}"

    def _fill_table(self) -> None:
        table: DataTable[Text] = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_column(GROUP_TITLES[self.by], key="group")
        for column in USAGE_COLUMNS:
            table.add_column(Text(column, justify="right"), key=column)
        for group in summarise(self.calls, self.by):
            cells = [Text(cell, justify="right") for cell in usage_cells(group)]
            table.add_row(Text(self._label(group)), *cells)

    def _label(self, group: UsageGroup) -> str:
        if self.by == "task":
            return group.key[1] or "(no task)"
        if self.by in ("session", "branch"):
            session = group.key[0] or ""
            return "/".join([session[:8], *(p or "" for p in group.key[1:])])
        return group.label

    def _speed_rows(self) -> ComposeResult:
        speeds = speeds_by_model(self.calls)
        if not speeds:
            yield Static("no call streamed yet", classes="usage-empty")
        for model, values in sorted(speeds.items()):
            median = percentile(values, 50) or 0.0
            with Horizontal(classes="speed-row"):
                yield Static(shortened(model, LABEL_WIDTH + 1), classes="speed-label")
                yield Sparkline(values)
                yield Static(f" ~{median:,.0f}/s", classes="speed-median")

    def _branches_heading(self) -> str:
        return "Branches of this session (all, left-behind ones too)"

    def _branch_text(self) -> Text:
        if self.branches is None:
            return Text("no session yet", style="dim")
        return Text("\n").join(branch_costs(self.calls, self.branches))

    def action_next_grouping(self) -> None:
        self.by = GROUPINGS[(GROUPINGS.index(self.by) + 1) % len(GROUPINGS)]
        self.query_one(Vertical).border_title = self._title()
        self._fill_table()

    def action_close(self) -> None:
        self.dismiss(None)
