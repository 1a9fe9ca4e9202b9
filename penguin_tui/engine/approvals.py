"""Questions to the user: a tool call waits here until the UI (or a headless flag) answers."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from penguin_tui.engine.tools.base import ToolPreview


class Scope(StrEnum):
    """How long an answer holds: this call only, the session, or the project."""

    ONCE = "once"
    SESSION = "session"
    PROJECT = "project"


@dataclass(frozen=True)
class ApprovalRequest:
    """What the user is asked: the tool, its arguments and what the call will do (the
    command and where, or the diff of the change), as the tool itself worked it out."""

    request_id: str
    call_id: str
    tool: str
    args: str
    preview: ToolPreview
    reason: str


@dataclass(frozen=True)
class ApprovalAnswer:
    """Yes or no, for how long, and an optional reason passed on to the model."""

    allowed: bool
    scope: Scope = Scope.ONCE
    reason: str = ""
    by: str = "user"


Approver = Callable[[ApprovalRequest], Awaitable[ApprovalAnswer]]


class ApprovalBroker:
    """Holds the pending questions; ``answer`` resolves one by its request id."""

    def __init__(self) -> None:
        self._pending: dict[str, asyncio.Future[ApprovalAnswer]] = {}

    def new_request(
        self, call_id: str, tool: str, args: str, preview: ToolPreview, reason: str
    ) -> ApprovalRequest:
        request = ApprovalRequest(uuid.uuid4().hex[:12], call_id, tool, args, preview, reason)
        self._pending[request.request_id] = asyncio.get_running_loop().create_future()
        return request

    async def wait(self, request: ApprovalRequest) -> ApprovalAnswer:
        """Wait for the answer; a cancelled turn drops the question."""
        future = self._pending[request.request_id]
        try:
            return await future
        finally:
            self._pending.pop(request.request_id, None)

    def answer(self, request_id: str, answer: ApprovalAnswer) -> bool:
        """Resolve a pending question; False when it is no longer pending."""
        future = self._pending.get(request_id)
        if future is None or future.done():
            return False
        future.set_result(answer)
        return True

    def pending(self) -> list[str]:
        return list(self._pending)


def headless_approver(allow_all: bool) -> Approver:
    """``--approve all`` or ``--approve deny``: answer every question at once."""

    async def approve(request: ApprovalRequest) -> ApprovalAnswer:
        if allow_all:
            return ApprovalAnswer(True, Scope.ONCE, "--approve all", by="flag")
        return ApprovalAnswer(
            False,
            Scope.ONCE,
            "not approved: running headless with --approve deny (the default); "
            "use --approve all or --allow PATTERN",
            by="flag",
        )

    return approve
