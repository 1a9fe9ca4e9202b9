"""The usage monitor: model, tokens, dollars, speed and context use, live while a reply streams."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from penguin_tui.app.event_routes import handles
from penguin_tui.app.markdown_style import rich_colour
from penguin_tui.formatting import money, tokens

if TYPE_CHECKING:
    from penguin_tui.bus import (
        BudgetWarning,
        MessageDelta,
        MessageStarted,
        ReasoningDelta,
        UsageRecorded,
    )

# The figures change with every token; four redraws a second read as live.
REFRESH_WHILE_STREAMING_S = 0.25


@dataclass
class UsageTally:
    """The figures on the usage pane; fed by bus events, read by the widget.

    Estimated figures (a reply still streaming, or a call the provider sent no usage for)
    are marked ``~`` until the provider's own figures replace them."""

    model: str | None = None
    scripted: bool = False
    context_window: int | None = None
    context_used: int = 0
    reply_in: int = 0
    reply_out: int = 0
    reply_cost: float | None = None
    reply_estimated: bool = False
    reply_streaming: bool = False
    reply_started: float | None = None
    first_token_at: float | None = None
    last_token_at: float | None = None
    ttft_ms: float | None = None
    final_rate: float | None = None
    session_in: int = 0
    session_out: int = 0
    session_cost: float | None = None
    session_calls: int = 0
    unpriced_calls: int = 0
    estimated_calls: int = 0
    notes: list[str] = field(default_factory=list)
    # Prompt tokens read from and written to the provider's cache over the session.
    cache_read: int = 0
    cache_write: int = 0
    # Where the last call's price came from (cost_source), and the budget past 80%, if any.
    price_source: str = ""
    budget_warning: str = ""

    def reply_started_now(self, prompt_estimate: int) -> None:
        """A call began; ``prompt_estimate`` is the whole request's estimated size."""
        self.reply_streaming = True
        self.reply_estimated = True
        self.reply_in = prompt_estimate
        self.reply_out = 0
        self.reply_cost = None
        self.reply_started = time.perf_counter()
        self.first_token_at = None
        self.last_token_at = None
        self.ttft_ms = None
        self.final_rate = None

    def tokens_arrived(self, count: int) -> None:
        now = time.perf_counter()
        if self.first_token_at is None:
            self.first_token_at = now
            if self.reply_started is not None:
                self.ttft_ms = (now - self.reply_started) * 1000
        self.last_token_at = now
        self.reply_out += count

    def rate(self) -> float | None:
        """Tokens per second of the current (or last) reply."""
        if self.final_rate is not None and not self.reply_streaming:
            return self.final_rate
        if self.first_token_at is None or self.last_token_at is None:
            return None
        elapsed = self.last_token_at - self.first_token_at
        return self.reply_out / elapsed if elapsed > 0.05 else None

    def call_recorded(
        self,
        input_tokens: int,
        output_tokens: int,
        cost: float | None,
        ttft_ms: float | None,
        duration_ms: float,
        estimated: bool = False,
        cache: tuple[int, int] = (0, 0),
        price_source: str = "",
    ) -> None:
        """A call ended; ``estimated`` when its tokens are estimates, not the provider's;
        ``cache``: its prompt tokens read from and written to the provider's cache."""
        self.cache_read += cache[0]
        self.cache_write += cache[1]
        self.price_source = price_source or self.price_source
        self.reply_streaming = False
        self.reply_estimated = estimated
        self.reply_in, self.reply_out, self.reply_cost = input_tokens, output_tokens, cost
        self.ttft_ms = ttft_ms if ttft_ms is not None else self.ttft_ms
        streaming_ms = duration_ms - (ttft_ms or 0)
        self.final_rate = output_tokens / (streaming_ms / 1000) if streaming_ms > 50 else None
        self.context_used = input_tokens + output_tokens
        self.session_in += input_tokens
        self.session_out += output_tokens
        self.session_calls += 1
        if estimated:
            self.estimated_calls += 1
        if cost is None:
            self.unpriced_calls += 1
        else:
            self.session_cost = (self.session_cost or 0.0) + cost

    def session_money(self) -> str:
        if self.session_calls == 0:
            return "—"
        if self.session_cost is None:
            return "n/a"
        return self.session_mark() + money(self.session_cost, self.unpriced_calls)

    def reply_mark(self) -> str:
        """``~`` while the reply's figures are estimates."""
        return "~" if self.reply_estimated else ""

    def session_mark(self) -> str:
        """``~`` while the session's totals include an estimated call."""
        return "~" if self.estimated_calls else ""


def _bar(fraction: float, width: int, colours: dict[str, str]) -> Text:
    filled = round(max(0.0, min(fraction, 1.0)) * width)
    level = "success" if fraction < 0.6 else "warning" if fraction < 0.85 else "error"
    return Text("█" * filled, style=rich_colour(colours.get(level))) + Text(
        "░" * (width - filled), style=rich_colour(colours.get("foreground-muted"), "dim")
    )


# Where the last call's price came from, as the Calls row says it.
PRICE_SOURCES = {
    "provider": "billed by the provider",
    "config": "config price",
    "litellm": "catalog price",
    "estimate": "estimated",
    "unknown": "no known price",
}


class UsagePane(Static):
    """Shows a ``UsageTally``, fed by the engine's events; redrawn at most a few times a
    second while a reply streams."""

    DEFAULT_CSS = """
    UsagePane { padding: 0 1; height: auto; }
    """

    can_focus = True
    ALLOW_MAXIMIZE = True

    def __init__(self, tally: UsageTally, id: str | None = None) -> None:
        super().__init__(id=id)
        self.tally = tally
        self.border_title = "Usage"
        self._drawn_while_streaming = 0.0

    def on_mount(self) -> None:
        self.show()

    def show(self) -> None:
        self.update(self.render_tally())

    @handles
    def reply_started(self, event: MessageStarted) -> None:
        self.tally.reply_started_now(event.estimated_input_tokens)
        self.show()

    @handles
    def tokens_arrived(self, event: MessageDelta | ReasoningDelta) -> None:
        self.tally.tokens_arrived(event.tokens)
        now = time.monotonic()
        if now - self._drawn_while_streaming >= REFRESH_WHILE_STREAMING_S:
            self._drawn_while_streaming = now
            self.show()

    @handles
    def call_recorded(self, event: UsageRecorded) -> None:
        self.tally.call_recorded(
            event.input_tokens,
            event.output_tokens,
            event.cost_usd,
            event.ttft_ms,
            event.duration_ms,
            estimated=event.tokens_source == "estimate",
            cache=(event.cache_read_tokens, event.cache_write_tokens),
            price_source=event.cost_source,
        )
        self.show()

    @handles
    def budget_warned(self, event: BudgetWarning) -> None:
        """Past 80% of a dollar budget: the session's cost turns the warning colour."""
        self.tally.budget_warning = event.scope
        self.show()

    def render_tally(self) -> Group:
        colours = self.app.theme_variables
        muted = rich_colour(colours.get("foreground-muted"), "dim")
        return Group(
            self._model_rows(colours, muted),
            self._figure_rows(colours, muted),
            self._timing_rows(),
        )

    def _model_rows(self, colours: dict[str, str], muted: str) -> Table:
        """The model, and how full its context window is."""
        tally = self.tally
        top = Table.grid(padding=(0, 1))
        top.add_column(style="bold", no_wrap=True, min_width=7)
        top.add_column(no_wrap=True, overflow="ellipsis")
        top.add_row("Model", Text(tally.model or "not set", overflow="ellipsis"))
        if tally.scripted:
            top.add_row("", Text("scripted demo model", style=f"italic {muted}"))
        if tally.context_window:
            fraction = tally.context_used / tally.context_window
            top.add_row(
                "Context",
                f"{tokens(tally.context_used)} / {tokens(tally.context_window)} · {fraction:.0%}",
            )
            top.add_row("", _bar(fraction, 18, colours))
        else:
            top.add_row("Context", f"{tokens(tally.context_used)} / n/a")
        return top

    def _figure_rows(self, colours: dict[str, str], muted: str) -> Table:
        """Tokens and dollars of the reply and the session, and the cache's share."""
        tally = self.tally
        figures = Table.grid(padding=(0, 1))
        figures.add_column(style="bold", no_wrap=True, min_width=7)
        figures.add_column(justify="right", no_wrap=True)
        figures.add_column(justify="right", no_wrap=True)
        figures.add_column(justify="right", no_wrap=True)
        figures.add_row("", "in", "out", "cost", style=muted)
        streaming = tally.reply_streaming
        mark = tally.reply_mark()
        if streaming:
            reply_cost = "…"
        elif not tally.session_calls:
            reply_cost = "—"
        else:
            reply_cost = money(tally.reply_cost)
            reply_cost = reply_cost if tally.reply_cost is None else mark + reply_cost
        figures.add_row(
            "Reply ⋯" if streaming else "Reply",
            mark + tokens(tally.reply_in),
            mark + tokens(tally.reply_out),
            reply_cost,
        )
        session = tally.session_mark()
        warned = rich_colour(colours.get("warning")) if tally.budget_warning else ""
        figures.add_row(
            "Session",
            session + tokens(tally.session_in),
            session + tokens(tally.session_out),
            Text(tally.session_money(), style=warned),
        )
        if tally.cache_read or tally.cache_write:
            figures.add_row(
                "Cache",
                tokens(tally.cache_read),
                "",
                Text(f"+{tokens(tally.cache_write)} written", style=muted),
            )
        return figures

    def _timing_rows(self) -> Table:
        """Speed, time to the first token, and the calls (with where the price came from)."""
        tally = self.tally
        timing = Table.grid(padding=(0, 1))
        timing.add_column(style="bold", no_wrap=True, min_width=7)
        timing.add_column(no_wrap=True)
        rate = tally.rate()
        timing.add_row("Speed", f"{rate:,.0f} tok/s" if rate else "—")
        timing.add_row("TTFT", f"{tally.ttft_ms:,.0f} ms" if tally.ttft_ms else "—")
        calls = str(tally.session_calls)
        if tally.price_source:
            calls += f" · {PRICE_SOURCES.get(tally.price_source, tally.price_source)}"
        timing.add_row("Calls", calls)
        return timing
