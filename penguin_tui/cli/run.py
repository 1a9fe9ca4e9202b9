"""``penguin-tui run``: one prompt, headless, the reply streamed to stdout (or one JSON event a
line) and the tool calls to stderr."""

from __future__ import annotations

import argparse
import asyncio
import sys

from penguin_tui.bus import (
    ApprovalAnswered,
    CheckpointFailed,
    Event,
    MessageCompleted,
    MessageDelta,
    Retrying,
    Subscription,
    ToolCallFinished,
    ToolCallStarted,
)
from penguin_tui.cli.edge import run_at_edge
from penguin_tui.cli.exit_codes import ExitCode, fail
from penguin_tui.engine.approvals import headless_approver
from penguin_tui.engine.permissions import Action, Rule
from penguin_tui.engine.spend_guard import Budget, BudgetExceededError, SpendGuard
from penguin_tui.errors import ConfigError
from penguin_tui.store import MessageStatus

# Messages whose text was printed as it streamed: a reply, or the summary of /compact.
STREAMED_ROLES = ("assistant", "system")


def _read_prompt(prompt: str) -> str:
    text = sys.stdin.read() if prompt == "-" else prompt
    if not text.strip():
        raise ConfigError("the prompt is empty")
    return text


def allow_rule(pattern: str) -> Rule:
    """``--allow``: ``TOOL:GLOB`` for a named tool, otherwise a shell command glob."""
    from penguin_tui.engine.tools.registry import ALL_TOOLS

    tool, _, glob = pattern.partition(":")
    if glob and (tool in ALL_TOOLS or tool == "*"):
        return Rule(tool=tool, pattern=glob, action=Action.ALLOW)
    return Rule(tool="run_shell", pattern=pattern, action=Action.ALLOW)


def print_event(event: Event, as_json: bool) -> None:
    if isinstance(event, CheckpointFailed):  # on stderr with --json too: nothing lost silently
        print(f"penguin-tui: {event.message}", file=sys.stderr, flush=True)
    if as_json:
        sys.stdout.write(event.to_json() + "\n")
        sys.stdout.flush()
    elif isinstance(event, MessageDelta):
        sys.stdout.write(event.text)
        sys.stdout.flush()
    elif isinstance(event, MessageCompleted) and event.role in STREAMED_ROLES and event.text:
        # Several model calls in one turn: keep their texts apart, and end the last line.
        if not event.text.endswith("\n"):
            sys.stdout.write("\n")
        sys.stdout.flush()
    elif isinstance(event, ToolCallStarted):
        print(f"\n[{event.tool}] {event.args}", file=sys.stderr, flush=True)
    elif isinstance(event, ToolCallFinished):
        print(f"[{event.tool}] {_outcome(event)}", file=sys.stderr, flush=True)
    elif isinstance(event, ApprovalAnswered) and not event.allowed:
        print(f"penguin-tui: {event.reason}", file=sys.stderr, flush=True)
    elif isinstance(event, Retrying):
        print(
            f"penguin-tui: {event.reason}; retrying in {event.delay_s:.1f}s "
            f"(attempt {event.attempt})",
            file=sys.stderr,
            flush=True,
        )


def _outcome(event: ToolCallFinished) -> str:
    """``denied — reason`` or ``ok: exit 0 · …``: the status is said once, not twice."""
    if event.summary.startswith(event.status):
        return event.summary
    return f"{event.status}: {event.summary}"


async def _print_events(subscription: Subscription, as_json: bool) -> None:
    async for event in subscription:
        print_event(event, as_json)


def run_command(options: argparse.Namespace) -> ExitCode:
    async def command() -> ExitCode:
        from penguin_tui.runtime import open_runtime

        prompt = _read_prompt(options.prompt)
        runtime = await open_runtime(
            options.directory, model=options.model, api_base=options.api_base
        )
        runtime.engine.set_approver(headless_approver(options.approve == "all"))
        for pattern in options.allow:
            runtime.engine.tools.policy.session_rules.append(allow_rule(pattern))
        if options.max_cost is not None:
            allow_unpriced = runtime.settings.budget.allow_unpriced
            budget = Budget("run", usd=options.max_cost)
            runtime.engine.standing_guards = [SpendGuard([budget], allow_unpriced=allow_unpriced)]
        subscription = runtime.bus.subscribe()
        printer = asyncio.create_task(_print_events(subscription, options.json))
        try:
            engine = runtime.engine
            if options.session:
                await engine.resume(options.session)
            elif options.continue_:
                await engine.continue_latest()
            send = asyncio.create_task(engine.send(prompt))
            try:
                result = await asyncio.shield(send)
            except asyncio.CancelledError:
                # Ctrl+C: the turn stops and keeps what it made; one not started yet never runs.
                if not engine.cancel():
                    send.cancel()
                result = await send
        finally:
            subscription.close()
            await printer
            await runtime.close()
        if result.status is MessageStatus.COMPLETE:
            return ExitCode.OK
        if isinstance(result.error, ConfigError):
            return fail(result.error.message, ExitCode.USAGE)
        if isinstance(result.error, BudgetExceededError):
            return fail(result.error.message, ExitCode.BUDGET)
        if result.error is not None:
            return fail(result.error.message)
        return fail("the reply was interrupted; the partial text is kept", ExitCode.INTERRUPTED)

    return run_at_edge(command)
