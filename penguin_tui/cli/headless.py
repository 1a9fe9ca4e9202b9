"""The headless sub-commands: ``run`` (one prompt, streamed) and ``sessions``.

Every failure ends here as one line on stderr and a non-zero exit code.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

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
from penguin_tui.cli.exit_codes import ExitCode, fail
from penguin_tui.config import Redactor, data_paths
from penguin_tui.config.logs import setup_logging
from penguin_tui.engine.approvals import headless_approver
from penguin_tui.engine.permissions import Action, Rule
from penguin_tui.errors import ConfigError, PenguinError
from penguin_tui.formatting import money, tokens
from penguin_tui.store import MessageStatus, SessionSummary, Store

log = logging.getLogger("penguin_tui.cli")

# Messages whose text was printed as it streamed: a reply, or the summary of /compact.
STREAMED_ROLES = ("assistant", "system")


async def _to_the_end(command: Callable[[], Coroutine[Any, Any, ExitCode]]) -> ExitCode:
    """The command, then the end of litellm's pending work, whatever way the command ends:
    the event loop must close after it, never before (no warning, no traceback at exit)."""
    from penguin_tui.llm.loader import shutdown_litellm

    try:
        return await command()
    finally:
        await shutdown_litellm(final=True)


def run_at_edge(command: Callable[[], Coroutine[Any, Any, ExitCode]]) -> ExitCode:
    """Run a command, turning every error into one line and an exit code."""
    log_file = setup_logging(data_paths())
    try:
        return asyncio.run(_to_the_end(command))
    except ConfigError as error:
        return fail(error.message, ExitCode.USAGE)
    except PenguinError as error:
        return fail(error.message)
    except KeyboardInterrupt:
        return fail("interrupted", ExitCode.INTERRUPTED)
    except BrokenPipeError:
        raise  # the reader went away (`| head`): cli.main ends quietly
    except Exception as error:  # the last line of defence: never a traceback on screen
        log.exception("unexpected error")
        where = f" (details in {log_file})" if log_file else ""
        return fail(f"unexpected error: {type(error).__name__}: {error}{where}")


# -- run ---------------------------------------------------------------------------------


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


def _print_event(event: Event, as_json: bool) -> None:
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
        _print_event(event, as_json)


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
        if result.error is not None:
            return fail(result.error.message)
        return fail("the reply was interrupted; the partial text is kept", ExitCode.INTERRUPTED)

    return run_at_edge(command)


# -- sessions ----------------------------------------------------------------------------


def _summary_json(summary: SessionSummary) -> dict[str, Any]:
    session = summary.session
    return {
        "id": session.id,
        "project": summary.project_root,
        "title": session.title,
        "model": session.model,
        "created_at": session.created_at,
        "updated_at": session.updated_at,
        "messages": summary.messages,
        "input_tokens": summary.usage.input_tokens,
        "output_tokens": summary.usage.output_tokens,
        "cost_usd": summary.usage.cost_usd,
    }


async def open_data_store() -> Store:
    from penguin_tui.config import load_settings
    from penguin_tui.runtime import open_store

    paths = data_paths()
    settings = load_settings(paths.user_config, None)
    return await open_store(paths, settings)


async def _list_sessions(options: argparse.Namespace) -> ExitCode:
    from penguin_tui.runtime import project_directory

    store = await open_data_store()
    try:
        project_id = None
        if not options.all:
            project = await store.ensure_project(project_directory(options.directory))
            project_id = project.id
        summaries = await store.list_sessions(project_id)
    finally:
        await store.close()
    if options.json:
        print(json.dumps([_summary_json(s) for s in summaries], indent=None))
        return ExitCode.OK
    if not summaries:
        print("no sessions yet; start one with `penguin-tui` or `penguin-tui run PROMPT`")
        return ExitCode.OK
    print(f"{'ID':<12}  {'UPDATED':<16}  {'MSGS':>4}  {'TOKENS':>9}  {'COST':>9}  TITLE")
    for summary in summaries:
        session = summary.session
        updated = datetime.fromtimestamp(session.updated_at).strftime("%Y-%m-%d %H:%M")
        spent = tokens(summary.usage.input_tokens + summary.usage.output_tokens, shorten_from=None)
        title = (session.title or "(untitled)")[:60]
        print(
            f"{session.id:<12}  {updated:<16}  {summary.messages:>4}  {spent:>9}  "
            f"{money(summary.usage.cost_usd, summary.usage.unpriced_calls):>9}  {title}"
        )
    return ExitCode.OK


async def _session_document(store: Store, session_id: str) -> dict[str, Any]:
    session = await store.get_session(session_id)
    messages = await store.branch_path(session.id)
    usage = await store.usage_rows(session.id)
    totals = await store.session_usage(session.id)
    return {
        "id": session.id,
        "title": session.title,
        "model": session.model,
        "created_at": session.created_at,
        "updated_at": session.updated_at,
        "messages": [
            {
                "id": m.id,
                "parent_id": m.parent_id,
                "role": m.role.value,
                "text": m.content,
                "reasoning": m.reasoning,
                "tool_calls": [
                    {"call_id": c.call_id, "tool": c.tool, "arguments": c.arguments}
                    for c in m.tool_calls
                ],
                "tool_call_id": m.tool_call_id,
                "status": m.status.value,
                "model": m.model,
                "created_at": m.created_at,
            }
            for m in messages
        ],
        "usage": [
            {
                "message_id": u.message_id,
                "model": u.model,
                "input_tokens": u.input_tokens,
                "output_tokens": u.output_tokens,
                "cache_read_tokens": u.cache_read_tokens,
                "cache_write_tokens": u.cache_write_tokens,
                "reasoning_tokens": u.reasoning_tokens,
                "cost_usd": u.cost_usd,
                "cost_source": u.cost_source,
                "tokens_source": u.tokens_source,
                "ttft_ms": u.ttft_ms,
                "duration_ms": u.duration_ms,
            }
            for u in usage
        ],
        "totals": {
            "input_tokens": totals.input_tokens,
            "output_tokens": totals.output_tokens,
            "cost_usd": totals.cost_usd,
            "calls": totals.calls,
        },
    }


def _markdown(document: dict[str, Any]) -> str:
    lines = [f"# {document['title'] or 'Session ' + document['id']}", ""]
    totals = document["totals"]
    lines.append(
        f"Session `{document['id']}` · model {document['model'] or 'n/a'} · "
        f"{totals['input_tokens']:,} tokens in, {totals['output_tokens']:,} out · "
        f"{money(totals['cost_usd'])}"
    )
    for message in document["messages"]:
        status = "" if message["status"] == "complete" else f" ({message['status']})"
        lines += ["", f"## {message['role'].capitalize()}{status}", "", message["text"]]
        for call in message["tool_calls"]:
            lines += ["", f"Tool call `{call['tool']}`:", "", "```json", call["arguments"], "```"]
    return "\n".join(lines) + "\n"


async def _show_session(options: argparse.Namespace, fmt: str) -> ExitCode:
    store = await open_data_store()
    try:
        document = await _session_document(store, options.session_id)
    finally:
        await store.close()
    redact = Redactor.from_environment()
    if fmt == "json":
        print(redact(json.dumps(document, indent=2, ensure_ascii=False)))
    else:
        print(redact(_markdown(document)), end="")
    return ExitCode.OK


def sessions_command(options: argparse.Namespace) -> ExitCode:
    if options.action == "list":
        return run_at_edge(lambda: _list_sessions(options))
    if options.action == "show":
        return run_at_edge(lambda: _show_session(options, "json" if options.json else "md"))
    return run_at_edge(lambda: _show_session(options, options.format))
