"""``penguin-tui sessions list|show|export``: past sessions, read from the store."""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import Any

from penguin_tui.cli.edge import chosen_project_id, open_data_store, run_at_edge
from penguin_tui.cli.exit_codes import ExitCode
from penguin_tui.config import Redactor
from penguin_tui.formatting import money, tokens
from penguin_tui.store import SessionSummary, Store


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


async def _list_sessions(options: argparse.Namespace) -> ExitCode:
    store = await open_data_store()
    try:
        summaries = await store.list_sessions(await chosen_project_id(store, options))
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
