"""Runs one tool call the model asked for: judge it, ask if needed, run it, audit it.

Every call ends in exactly one ``tool.result`` event and one audit row, whatever happens:
denied, failed, timed out, cancelled, or a bug anywhere on the way (which becomes that call's
error result: the other calls of the reply still run). Text that reaches an event, the audit
log or the model is made printable first (a file name that is not UTF-8 shows its bad bytes
as ``\\xNN``), so nothing derived from a file name can fail to serialise.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from penguin_tui.bus import (
    ApprovalAnswered,
    ApprovalRequested,
    EventBus,
    ToolCallFinished,
    ToolCallStarted,
)
from penguin_tui.bus.events import ToolCallStatus
from penguin_tui.engine.approvals import (
    ApprovalAnswer,
    ApprovalBroker,
    ApprovalRequest,
    Approver,
    Scope,
)
from penguin_tui.engine.permissions import (
    Action,
    PermissionPolicy,
    Rule,
    ShellParseError,
    exact_pattern,
    parse_shell,
)
from penguin_tui.engine.tools.base import ToolContext, ToolPreview, ToolResult
from penguin_tui.engine.tools.registry import preview_call, run_tool
from penguin_tui.printable import printable
from penguin_tui.store import AuditEntry, Store, ToolCallRequest

log = logging.getLogger("penguin_tui.engine.tool_runner")

PREVIEW_CHARS = 2000
CANCELLED = "cancelled by the user"


@dataclass(frozen=True)
class CallOutcome:
    """What the model is told about a call, and how it ended."""

    output: str
    status: ToolCallStatus
    exit_code: int | None = None


def _arguments(raw: str) -> dict[str, Any]:
    try:
        parsed = json.loads(raw)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def always_rules(tool: str, args: Mapping[str, Any]) -> list[Rule]:
    """The rules an "allow always" answer saves: each exact command of the line (they are
    judged one by one), or this exact path."""
    if tool != "run_shell":
        path = str(args.get("path", "."))
        return [Rule(tool=tool, pattern=exact_pattern(path), action=Action.ALLOW)]
    command = str(args.get("command", ""))
    try:
        texts = [simple.text for simple in parse_shell(command)] or [command]
    except ShellParseError:
        texts = [command]
    return [Rule(tool=tool, pattern=exact_pattern(text), action=Action.ALLOW) for text in texts]


@dataclass
class _Verdict:
    """Who decided on a call and why, filled in as the call is judged: a failure on the way
    leaves what was known by then."""

    allowed: bool = False
    by: str = "policy"
    reason: str = ""

    @property
    def decision(self) -> str:
        return "allow" if self.allowed else "deny"


def _not_run(reason: str) -> ToolResult:
    """The answer to a call that was not allowed: the model is told why and what to do."""
    output = f"Not run: {reason}. Do not retry the same call; ask the user or try another way."
    return ToolResult(status="error", output=output, summary=f"denied — {reason}")


def _status(result: ToolResult, verdict: _Verdict) -> ToolCallStatus:
    """How a call ended: its result's status, or denied when it was not allowed to run."""
    if not verdict.allowed and result.status == "error":
        return ToolCallStatus.DENIED
    return ToolCallStatus(result.status)


class ToolRunner:
    """Decides, asks, runs and audits tool calls for one engine."""

    def __init__(
        self,
        store: Store,
        bus: EventBus,
        policy: PermissionPolicy,
        context: ToolContext,
        project_id: str,
    ) -> None:
        self.store = store
        self.bus = bus
        self.policy = policy
        self.context = context
        self.project_id = project_id
        self.broker = ApprovalBroker()
        self.approver: Approver | None = None

    async def run_check(
        self,
        session_id: str,
        message_id: str,
        command: str,
        *,
        trusted: bool,
        timeout_s: float,
    ) -> CallOutcome:
        """A task's check command, run as a ``run_shell`` call after ``message_id`` (the
        reply that said the task was done): audited and announced like the agent's calls.
        A check the user wrote or confirmed (``trusted``) runs without a question; any other
        is judged by the rules like any shell command."""
        call = ToolCallRequest(
            call_id=f"check_{uuid.uuid4().hex[:12]}",
            tool="run_shell",
            arguments=json.dumps({"command": command, "timeout_s": timeout_s}),
        )
        return await self.run(session_id, message_id, call, trusted=trusted)

    async def run(
        self,
        session_id: str,
        message_id: str,
        call: ToolCallRequest,
        *,
        trusted: bool = False,
    ) -> CallOutcome:
        """Judge one call (asking when the permissions say so), run or refuse it, and audit
        and announce how it ended; what the model is told, and that status. A ``trusted``
        call (a check the user wrote) is allowed without being judged."""
        started = time.time()
        await self.bus.publish(
            ToolCallStarted(
                session_id=session_id,
                message_id=message_id,
                call_id=call.call_id,
                tool=call.tool,
                args=printable(call.arguments),
            )
        )
        verdict = _Verdict()
        try:
            if trusted:
                verdict = _Verdict(True, "user", "the task's check, written by the user")
                result = await run_tool(call.tool, call.arguments, self.context, None)
            else:
                result = await self._judge_and_run(session_id, call, verdict)
            status = _status(result, verdict)
        except asyncio.CancelledError:
            cancelled = ToolResult(status="cancelled", output=CANCELLED, summary=CANCELLED)
            by_user = _Verdict(verdict.allowed, "user", CANCELLED)
            finish = self._finish(
                session_id, message_id, call, cancelled, by_user, started, ToolCallStatus.CANCELLED
            )
            await asyncio.shield(finish)
            raise
        except Exception as error:  # a bug on the way must not end the turn or the reply
            log.exception("tool call %s (%s) failed", call.call_id, call.tool)
            result = ToolResult.failure(
                f"internal error in {call.tool}: {type(error).__name__}: {error}"
            )
            verdict.reason = verdict.reason or "internal error"
            status = ToolCallStatus.ERROR  # not a denial, even when it failed before the verdict
        result = result.printable()
        await self._finish(session_id, message_id, call, result, verdict, started, status)
        return CallOutcome(result.output, status, result.exit_code)

    async def _judge_and_run(
        self, session_id: str, call: ToolCallRequest, verdict: _Verdict
    ) -> ToolResult:
        """Decide the call, asking the user when the permissions say *ask*, then run it with
        the preview the user approved, or refuse it."""
        args = _arguments(call.arguments)
        decision = self.policy.check(call.tool, args)
        verdict.allowed = decision.action is Action.ALLOW
        verdict.reason = decision.reason
        approved: ToolPreview | None = None
        if decision.action is Action.ASK:
            answer, approved = await self._ask(session_id, call, args, decision.reason)
            verdict.allowed, verdict.by = answer.allowed, answer.by
            said = "allowed" if answer.allowed else "denied"
            verdict.reason = answer.reason or f"{said} by the {answer.by}"
        if not verdict.allowed:
            return _not_run(verdict.reason)
        return await run_tool(call.tool, call.arguments, self.context, approved)

    async def record_cancelled(
        self, session_id: str, message_id: str, call: ToolCallRequest
    ) -> None:
        """A call the turn never reached because the user cancelled."""
        result = ToolResult(status="cancelled", output=CANCELLED, summary=CANCELLED)
        verdict = _Verdict(False, "user", "turn cancelled")
        await self._finish(
            session_id, message_id, call, result, verdict, time.time(), ToolCallStatus.CANCELLED
        )

    async def _ask(
        self, session_id: str, call: ToolCallRequest, args: Mapping[str, Any], why: str
    ) -> tuple[ApprovalAnswer, ToolPreview]:
        """Ask the user, showing what the call will do; the answer and what was shown."""
        preview = await preview_call(call.tool, call.arguments, self.context)
        why = printable(why)
        request = self.broker.new_request(
            call.call_id, call.tool, printable(call.arguments), preview, why
        )
        await self.bus.publish(
            ApprovalRequested(
                session_id=session_id,
                request_id=request.request_id,
                call_id=call.call_id,
                tool=call.tool,
                args=request.args,
                detail=printable(preview.text),
                reason=why,
                detail_is_diff=preview.is_diff,
            )
        )
        answer = await (self.approver(request) if self.approver else self.broker.wait(request))
        if answer.allowed and answer.scope is not Scope.ONCE:
            for rule in always_rules(call.tool, args):
                self.policy.session_rules.append(rule)
                if answer.scope is Scope.PROJECT:
                    await self.store.add_permission_rule(
                        self.project_id, rule.tool, rule.pattern, "allow"
                    )
        await self.bus.publish(
            ApprovalAnswered(
                session_id=session_id,
                request_id=request.request_id,
                call_id=call.call_id,
                allowed=answer.allowed,
                scope=answer.scope.value,
                reason=answer.reason,
                by=answer.by,
            )
        )
        return answer, preview

    def answer(self, request: ApprovalRequest | str, answer: ApprovalAnswer) -> bool:
        request_id = request if isinstance(request, str) else request.request_id
        return self.broker.answer(request_id, answer)

    async def _finish(
        self,
        session_id: str,
        message_id: str,
        call: ToolCallRequest,
        result: ToolResult,
        verdict: _Verdict,
        started: float,
        status: ToolCallStatus,
    ) -> None:
        """Audit and announce how a call ended."""
        await self.store.record_tool_call(
            AuditEntry(
                session_id=session_id,
                message_id=message_id,
                call_id=call.call_id,
                tool=call.tool,
                args=printable(call.arguments),
                decision=verdict.decision,
                decided_by=verdict.by,
                reason=printable(verdict.reason),
                status=status.value,
                summary=result.summary,
                exit_code=result.exit_code,
                started_at=started,
                ended_at=time.time(),
            )
        )
        await self.bus.publish(
            ToolCallFinished(
                session_id=session_id,
                call_id=call.call_id,
                tool=call.tool,
                status=status,
                summary=result.summary,
                duration_ms=result.duration_ms,
                exit_code=result.exit_code,
                diff=result.diff,
                preview=result.output[:PREVIEW_CHARS],
            )
        )
