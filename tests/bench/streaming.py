"""Streaming: the real app (headless, 160x48) receiving one long prose reply at 200, 1,000
and 3,000 tokens/s from the scripted model in another process; litellm alone and the engine
without a UI, on the same stream, as baselines. The target is the reply final on screen; the
engine done with it (usage recorded, message stored) is shown beside it."""

from __future__ import annotations

import math
from collections.abc import Callable

from tests.bench.results import NA, Section, Target, count, ms1, over, times, us
from tests.bench.stats import ratio
from tests.bench.stream_result import StreamResult
from tests.bench.workers import MODES, med, run_interleaved

RATES = (200.0, 1000.0, 3000.0)
WHAT_IF = "ui-gc-frozen"
TARGET_RATE = 1000.0
RATE_TOLERANCE = 0.05
LAG_GOAL_S = 0.050
RATE_TARGET = "streaming at 1,000 tok/s: reply final on screen"
LAG_TARGET = "streaming at 1,000 tok/s: event-loop lag p95"

ByRate = dict[float, dict[str, list[StreamResult]]]


def run(tokens: int, repetitions: int, progress: Callable[[str], None]) -> list[Section]:
    by_rate: ByRate = {}
    errors: list[str] = []
    for rate in RATES:
        modes = (*MODES, WHAT_IF) if rate == TARGET_RATE else MODES
        by_rate[rate] = run_interleaved(modes, rate, tokens, repetitions, progress, errors)
    throughput = _throughput(by_rate, tokens, repetitions)
    throughput.notes += [f"Failed run (left out): {error}" for error in errors]
    return [throughput, _cost(by_rate, repetitions)]


def _label(rate: float, mode: str) -> str:
    return f"{rate:,.0f}" + (", what-if: gc.freeze()" if mode == WHAT_IF else "")


def _ui_modes(results: dict[str, list[StreamResult]]) -> list[str]:
    return [mode for mode in ("ui", WHAT_IF) if mode in results]


def _throughput(by_rate: ByRate, tokens: int, repetitions: int) -> Section:
    section = Section(
        title=f"Streaming into the UI: {tokens:,} tokens of prose, headless 160x48 "
        f"(median of {repetitions})",
        headers=[
            "sent tok/s",
            "arrived tok/s",
            "text on screen tok/s",
            "final on screen tok/s",
            "final / sent",
            "engine done tok/s",
            "lag p95",
            "lag max",
            "litellm alone: arrived tok/s",
            "litellm alone: finished tok/s",
        ],
    )
    for rate, results in by_rate.items():
        raw = results["litellm"]
        for mode in _ui_modes(results):
            ui = results[mode]
            final = med(ui, lambda r: r.rendered_rate)
            section.rows.append(
                [
                    _label(rate, mode),
                    count(med(ui, lambda r: r.arrival_rate)),
                    count(med(ui, lambda r: r.shown_rate)),
                    count(final),
                    f"{ratio(final, rate):.2f}",
                    count(med(ui, lambda r: r.engine_done_rate)),
                    ms1(med(ui, lambda r: r.lag_p95_s)),
                    ms1(med(ui, lambda r: r.lag_max_s)),
                    count(med(raw, lambda r: r.arrival_rate)),
                    count(med(raw, lambda r: r.rendered_rate)),
                ]
            )
    if TARGET_RATE in by_rate:
        _targets(section, by_rate[TARGET_RATE]["ui"])
    return section


def _targets(section: Section, ui: list[StreamResult]) -> None:
    rate = TARGET_RATE
    floor = rate * (1 - RATE_TOLERANCE)
    final = med(ui, lambda r: r.rendered_rate)
    measured = NA if math.isnan(final) else f"{final:,.0f} tok/s ({final / rate - 1:+.1%})"
    section.targets.append(
        Target(
            RATE_TARGET,
            measured,
            f">= {floor:,.0f} tok/s (within 5%)",
            final >= floor,
            f"{1 - final / rate:.0%} below the sent rate (5% allowed)",
        )
    )
    lag = med(ui, lambda r: r.lag_p95_s)
    section.targets.append(
        Target(
            LAG_TARGET,
            ms1(lag),
            f"< {LAG_GOAL_S * 1000:.0f} ms",
            lag < LAG_GOAL_S,
            over(lag, LAG_GOAL_S),
        )
    )
    shown = med(ui, lambda r: r.shown_rate)
    done = med(ui, lambda r: r.engine_done_rate)
    if not (math.isnan(shown) or math.isnan(done)):
        section.notes.append(
            f"At 1,000 tok/s the whole text was on screen at {shown:,.0f} tok/s "
            f"({shown / rate - 1:+.1%}); the reply is drawn final when the model has sent its "
            f"end (message.streamed), without waiting for the usage that litellm hands over "
            f"after the stream. The engine was done with the reply (usage recorded, message "
            f"stored) at {done:,.0f} tok/s. The lag and the CPU time are counted until then."
        )


def _cost(by_rate: ByRate, repetitions: int) -> Section:
    section = Section(
        title=f"Streaming CPU time per token, same runs (median of {repetitions})",
        headers=[
            "sent tok/s",
            "litellm alone",
            "engine, no UI",
            "UI (whole app)",
            "UI / litellm alone",
            "added by the UI",
            "engine lag p95",
            "litellm lag p95",
        ],
    )
    for rate, results in by_rate.items():
        engine, raw = results["engine"], results["litellm"]
        cpu_engine = med(engine, lambda r: r.cpu_per_token_s)
        cpu_raw = med(raw, lambda r: r.cpu_per_token_s)
        for mode in _ui_modes(results):
            cpu_ui = med(results[mode], lambda r: r.cpu_per_token_s)
            section.rows.append(
                [
                    _label(rate, mode),
                    us(cpu_raw),
                    us(cpu_engine),
                    us(cpu_ui),
                    times(ratio(cpu_ui, cpu_raw)),
                    us(cpu_ui - cpu_engine),
                    ms1(med(engine, lambda r: r.lag_p95_s)),
                    ms1(med(raw, lambda r: r.lag_p95_s)),
                ]
            )
    return section
