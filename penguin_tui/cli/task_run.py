"""``penguin-tui tasks run``: run mode headless. The ready tasks are carried out one at a time,
each on its own branch; what happens is printed as it happens (one JSON event a line with
``--json``). Exit 0 when every task it started finished (or nothing was ready), 1 when one
failed or was blocked, 3 when a budget stopped the run, 130 when interrupted."""

from __future__ import annotations

import argparse
import asyncio
import sys

from penguin_tui.bus import Event, RunModeFinished, RunModeStarted, Subscription, TaskFinished
from penguin_tui.bus import TaskStarted as TaskStartedEvent
from penguin_tui.cli.edge import run_at_edge
from penguin_tui.cli.exit_codes import ExitCode, fail
from penguin_tui.cli.run import allow_rule, print_event
from penguin_tui.engine.approvals import headless_approver
from penguin_tui.formatting import money
from penguin_tui.words import plural


def _print_run_event(event: Event, as_json: bool) -> None:
    """Run mode's own events as lines (the agent's replies and tools as ``run`` prints
    them); with ``--json``, every event as it is."""
    print_event(event, as_json)
    if as_json:
        return
    line = _run_line(event)
    if line:
        sys.stdout.write(f"\n{line}\n")
        sys.stdout.flush()


def _run_line(event: Event) -> str:
    if isinstance(event, RunModeStarted):
        ready = ", ".join(event.ready) or "nothing"
        return f"▶ run mode: ready {ready}"
    if isinstance(event, TaskStartedEvent):
        return f"▶ {event.id} on {event.branch}"
    if isinstance(event, TaskFinished):
        why = f": {event.reason}" if event.reason else ""
        spent = f"{event.input_tokens + event.output_tokens:,} tokens, {money(event.cost_usd)}"
        return f"■ {event.id} {event.status}{why} ({spent})"
    if isinstance(event, RunModeFinished):
        counts = f"{len(event.done)} done, {len(event.failed)} failed, {len(event.blocked)} blocked"
        return f"■ run mode stopped ({event.stop_reason}): {counts}, {money(event.cost_usd)}"
    return ""


async def _print_events(subscription: Subscription, as_json: bool) -> None:
    async for event in subscription:
        _print_run_event(event, as_json)


def task_run_command(options: argparse.Namespace) -> ExitCode:
    async def command() -> ExitCode:
        from penguin_tui.runmode.runner import RunMode, RunOptions, StopReason
        from penguin_tui.runtime import open_runtime

        runtime = await open_runtime(
            options.directory, model=options.model, api_base=options.api_base
        )
        try:
            runtime.engine.set_approver(headless_approver(options.approve == "all"))
            for pattern in options.allow:
                runtime.engine.tools.policy.session_rules.append(allow_rule(pattern))
            run_mode = RunMode(
                runtime,
                RunOptions(
                    task=options.task, max_tasks=options.max_tasks, max_cost_usd=options.max_cost
                ),
            )
            subscription = runtime.bus.subscribe()
            printer = asyncio.create_task(_print_events(subscription, options.json))
            running = asyncio.create_task(run_mode.run())
            try:
                try:
                    outcome = await asyncio.shield(running)
                except asyncio.CancelledError:
                    # Ctrl+C: the run stops after the model call in flight, and the task stays
                    # under way for the next run (a second Ctrl+C stops the process at once;
                    # the next run goes on from what was written down).
                    run_mode.stop()
                    outcome = await running
            finally:
                subscription.close()
                await printer
        finally:
            await runtime.close()
        if outcome.stop_reason is StopReason.INTERRUPTED:
            again = "run mode interrupted; `penguin-tui tasks run` goes on"
            return fail(again, ExitCode.INTERRUPTED)
        if outcome.budget is not None:
            return fail(outcome.budget.message, ExitCode.BUDGET)
        if not outcome.all_finished:
            stuck = [*outcome.failed, *outcome.blocked]
            return fail(f"{plural(len(stuck), 'task')} did not finish: {', '.join(stuck)}")
        if not outcome.done and not options.json:
            print("nothing was ready to run")
        return ExitCode.OK

    return run_at_edge(command)
