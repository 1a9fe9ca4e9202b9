"""Long reply: CPU time per token of one very long reply against a short one, same rate."""

from __future__ import annotations

from collections.abc import Callable

from tests.bench.results import Section, Target, count, ms1, over, times, us
from tests.bench.stats import ratio
from tests.bench.stream_result import StreamResult
from tests.bench.workers import med, run_interleaved

RATE = 3000.0
LONG_GOAL = 1.3


def run(short: int, long: int, repetitions: int, progress: Callable[[str], None]) -> Section:
    runs: dict[int, dict[str, list[StreamResult]]] = {}
    errors: list[str] = []
    for tokens in (short, long):
        runs[tokens] = run_interleaved(
            ("ui", "litellm"), RATE, tokens, repetitions, progress, errors
        )
    section = Section(
        title=f"Long reply: {long:,} tokens against {short:,}, sent at {RATE:,.0f} tok/s "
        f"(median of {repetitions})",
        headers=[
            "reply",
            "UI CPU/token",
            "litellm alone CPU/token",
            "arrived tok/s",
            "text on screen tok/s",
            "finished tok/s",
            "lag p95",
            "lag max",
        ],
    )
    for tokens, results in runs.items():
        ui, raw = results["ui"], results["litellm"]
        section.rows.append(
            [
                f"{tokens:,} tokens",
                us(med(ui, lambda r: r.cpu_per_token_s)),
                us(med(raw, lambda r: r.cpu_per_token_s)),
                count(med(ui, lambda r: r.arrival_rate)),
                count(med(ui, lambda r: r.shown_rate)),
                count(med(ui, lambda r: r.rendered_rate)),
                ms1(med(ui, lambda r: r.lag_p95_s)),
                ms1(med(ui, lambda r: r.lag_max_s)),
            ]
        )

    def cpu_ratio(mode: str) -> float:
        return ratio(
            med(runs[long][mode], lambda r: r.cpu_per_token_s),
            med(runs[short][mode], lambda r: r.cpu_per_token_s),
        )

    ui_ratio = cpu_ratio("ui")
    section.rows.append(
        [f"ratio {long:,} / {short:,}", times(ui_ratio), times(cpu_ratio("litellm"))] + [""] * 5
    )
    section.targets.append(
        Target(
            f"long reply: CPU/token of {long:,} tokens vs {short:,}",
            times(ui_ratio),
            f"<= {LONG_GOAL}x",
            ui_ratio <= LONG_GOAL,
            over(ui_ratio, LONG_GOAL),
        )
    )
    section.notes += [f"Failed run (left out): {error}" for error in errors]
    return section
