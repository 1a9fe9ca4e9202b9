"""How the usage report looks at 80×24 and 160×48, in both themes, with fixed calls: three
models (one unpriced, one with a failure), a session with three branches and a task."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.app import App

from penguin_tui.app.screens.usage_report import SessionBranches, UsageReport
from penguin_tui.app.themes import builtin_theme_dir, load_themes
from penguin_tui.store.usage_report import CallRow

NOW = 1_790_000_000.0
SESSION = "e7c15ea9fa22"


def call(
    model: str,
    branch: str = "main",
    *,
    cost: float | None = 0.0012,
    out: int = 120,
    ttft: float | None = 400.0,
    duration: float = 1600.0,
    outcome: str = "ok",
    task: str | None = None,
    session: str = SESSION,
) -> CallRow:
    return CallRow(
        session_id=session,
        project="/work/demo",
        model=model,
        provider="ollama" if model.startswith("ollama/") else "openai",
        branch=branch,
        task_id=task,
        outcome=outcome,
        input_tokens=1_800,
        output_tokens=out,
        cache_read_tokens=600 if model == "openai/gpt-4o" else 0,
        cache_write_tokens=0,
        reasoning_tokens=0,
        cost_usd=cost,
        ttft_ms=ttft,
        duration_ms=duration,
        created_at=NOW,
    )


CALLS = [
    call("openai/gpt-4o", out=90, duration=1300.0),
    call("openai/gpt-4o", out=140, duration=1500.0, cost=0.0019),
    call("openai/gpt-4o", "try-regex", out=60, duration=1400.0, cost=0.0008),
    call("openai/gpt-4o", "try-regex", ttft=None, out=0, cost=0.0, outcome="failed"),
    call("openai/gpt-4o-mini", "try-parser", out=200, duration=1100.0, cost=0.0002),
    call("openai/gpt-4o-mini", "try-parser", out=240, duration=1000.0, cost=0.0003, task="T3"),
    call("openai/gpt-4o-mini", out=180, duration=1250.0, cost=0.0002, outcome="fell back"),
    call("ollama/qwen2.5-coder", out=300, ttft=900.0, duration=6900.0, cost=None),
    call("ollama/qwen2.5-coder", out=260, ttft=700.0, duration=5900.0, cost=None, session="b1"),
]

BRANCHES = SessionBranches(SESSION, ("main", "try-regex", "try-parser"), "try-parser")


class ReportApp(App[None]):
    """An empty screen with the usage report over it."""

    def __init__(self, theme: str) -> None:
        super().__init__()
        for found in load_themes([builtin_theme_dir()])[0]:
            self.register_theme(found)
        self.theme = theme

    def on_mount(self) -> None:
        self.push_screen(UsageReport(CALLS, BRANCHES))


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
@pytest.mark.parametrize("theme", ["penguin-dark", "penguin-light"])
def test_usage_report(snap_compare: Callable[..., bool], theme: str, size: tuple[int, int]) -> None:
    """Titled "Usage of this project · by model": a table of the three models (calls, tokens
    in and out, cache read/write, cost — n/a for the unpriced local model —, failure rate 25 %
    for gpt-4o, TTFT p50/p95, tokens/s); below, a sparkline of each model's speed with its
    median; then the branches of the session: main, try-regex (with its failed call) and the
    current try-parser marked ●. The keys at the foot: g Next grouping · esc Close. At 80
    columns the table scrolls sideways and the body scrolls down."""
    assert snap_compare(ReportApp(theme), terminal_size=size)
