"""One attempt at one task: its branch (forked from the run's branch, with a conversation of
its own), the agent's turns, the check that decides whether the task is finished, and the
merge of its code into the run's branch.

Each step is written down before the next one starts (the attempt's row, the task's status),
so an attempt cut short by a kill goes on from where it was: a task in ``review`` has its
check run, an attempt ``merging`` is merged (a second merge of the same branch changes
nothing), and a task is never finished twice.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass

from penguin_tui.bus import TaskStarted
from penguin_tui.bus.events import ToolCallStatus
from penguin_tui.checkpoints.model import CheckpointKind
from penguin_tui.config.settings import TaskSettings
from penguin_tui.engine.chat import TurnResult
from penguin_tui.engine.spend_guard import BudgetExceededError, SpendGuard, Spent
from penguin_tui.engine.tool_runner import CallOutcome
from penguin_tui.runmode.budgets import task_budget
from penguin_tui.runmode.prompts import carry_on_prompt, check_failed_prompt, task_prompt
from penguin_tui.runmode.records import Attempt, AttemptState, RunRecords
from penguin_tui.runtime import Runtime
from penguin_tui.store import MessageStatus, Role
from penguin_tui.tasks.model import Actor, Spend, Task, TaskEdit, TaskError, TaskStatus

# The branch every task forks from and is merged back into: the run session's first branch.
RUN_BRANCH = "main"


@dataclass
class RunState:
    """What the attempts of one run share: its budget, the approvals denied so far, why it
    stopped (a run budget), and whether the user asked it to stop."""

    run_guard: SpendGuard
    denials: list[str] = dataclasses.field(default_factory=list)
    budget_stop: BudgetExceededError | None = None
    stopping: Callable[[], bool] = lambda: False
    # The attempt at work, told of each model call so its task's figures follow the run.
    current: AttemptWork | None = None


class AttemptWork:
    """Carries one attempt to its end, or to a stop it can go on from later."""

    def __init__(
        self,
        runtime: Runtime,
        records: RunRecords,
        attempt: Attempt,
        state: RunState,
        *,
        resumed: bool = False,
    ) -> None:
        assert runtime.checkpoints is not None and runtime.tasks is not None
        assert runtime.engine.session is not None
        self.runtime = runtime
        self.checkpoints = runtime.checkpoints
        self.tasks = runtime.tasks
        self.engine = runtime.engine
        self.session_id = runtime.engine.session.id
        self.records = records
        self.attempt = attempt
        self.state = state
        self.settings: TaskSettings = runtime.settings.tasks
        self._denials_at_start = len(state.denials)
        self._check_run: asyncio.Task[CallOutcome] | None = None
        # An attempt a stopped run left open (its task may have been settled since); a new
        # one takes up its task whatever it was (a failed or blocked task tried again).
        self.resumed = resumed

    # -- the attempt -------------------------------------------------------------------------

    async def carry_out(self) -> Attempt:
        """Work the attempt until it is finished (done, failed, blocked, cancelled) or stops
        (interrupted, or the run's budget): then it stays open, to go on later."""
        task = await self._task()
        await self.runtime.bus.publish(
            TaskStarted(session_id=self.session_id, id=task.id, branch=self.attempt.branch)
        )
        if self.attempt.state is AttemptState.MERGING:
            return await self._merge()
        if self.resumed:
            settled = await self._settled(task)
            if settled is not None:
                return settled
        await self._ensure_branch(task)
        if task.status is not TaskStatus.REVIEW:
            task = await self._set_status(task, TaskStatus.DOING)
        self._hold_budgets()
        self.state.current = self
        try:
            return await self._work(await self._first_prompt(task))
        finally:
            self.state.current = None
            self.engine.standing_guards = [self.state.run_guard]
            self._set_running(None)

    async def call_recorded(self) -> None:
        """A model call of this attempt was recorded: the task's tokens and dollars follow."""
        await self._account(0.0)

    def cancel_check(self) -> None:
        """Stop the task's check if it is running (the run is stopping)."""
        if self._check_run is not None:
            self._check_run.cancel()

    async def _first_prompt(self, task: Task) -> str | None:
        """The task itself on a new branch, "go on" on one with a conversation already, or
        nothing when the agent said it was done before the stop (its check runs next)."""
        head = await self.runtime.store.branch_head(self.session_id, self.attempt.branch)
        if task.status is TaskStatus.REVIEW and head is not None:
            return None
        if head is None:
            if task.status is TaskStatus.REVIEW:  # put in review by hand: it starts afresh
                await self._set_status(task, TaskStatus.DOING)
            return task_prompt(task, self.tasks.tasks)
        return carry_on_prompt(task)

    async def _settled(self, task: Task) -> Attempt | None:
        """The attempt ended as the task stands, when the task was settled without it: the
        user cancelled it, marked it done (merged), or it was failed or blocked before a
        stop could write the attempt down."""
        if task.status is TaskStatus.CANCELLED:
            return await self._end(AttemptState.CANCELLED, "cancelled while it ran")
        if task.status in (TaskStatus.FAILED, TaskStatus.BLOCKED):
            said = task.notes or f"the agent marked it {task.status.value}"
            return await self._end(AttemptState(task.status.value), said)
        if task.status is TaskStatus.DONE:  # the user marked it done meanwhile
            if self.attempt.branch in await self.runtime.store.branch_names(self.session_id):
                return await self._merge()
            return await self._end(AttemptState.DONE, "")
        return None

    async def _work(self, prompt: str | None) -> Attempt:
        while True:
            if self.state.stopping():
                return self.attempt
            if prompt is not None:
                stopped = await self._stopped_by(await self._turn(prompt))
                if stopped is not None:
                    return stopped
            task = await self._task()
            settled = await self._settled(task)
            if settled is not None:
                return settled
            if task.status is not TaskStatus.REVIEW:
                return await self._end(*self._gave_up(task))
            if self.state.stopping():
                return self.attempt
            checked = await self._check(task)
            if checked is None:
                return await self._merge()
            if isinstance(checked, Attempt):
                return checked
            prompt = checked

    # -- the branch and the budgets ----------------------------------------------------------

    async def _ensure_branch(self, task: Task) -> None:
        """Be on the attempt's branch: made now (forked from the run's branch, with no
        conversation) unless it was made before a stop."""
        store = self.runtime.store
        current = await store.current_branch(self.session_id)
        if self.attempt.branch in await store.branch_names(self.session_id):
            if current != self.attempt.branch:
                await self.checkpoints.switch(self.session_id, self.attempt.branch)
            return
        if current != RUN_BRANCH:
            await self.checkpoints.switch(self.session_id, RUN_BRANCH)
        fork = await self.checkpoints.position(self.session_id)
        if fork is None or await self.checkpoints.changes_since_position(self.session_id):
            fork = await self.checkpoints.create(
                self.session_id, CheckpointKind.MANUAL, f"run: {task.id} starts here"
            )
        await self.checkpoints.branch_from(
            self.session_id, fork.id, self.attempt.branch, conversation=False
        )

    def _hold_budgets(self) -> None:
        """The task's budget, with what this attempt spent before a stop, beside the run's."""
        attempt = self.attempt
        spent = Spent(
            steps=attempt.steps,
            tokens=attempt.input_tokens + attempt.output_tokens,
            usd=attempt.cost_usd or 0.0,
        )
        guard = SpendGuard(
            [task_budget(self.settings, attempt.task_id)],
            spent=spent,
            elapsed_before=attempt.time_s,
            allow_unpriced=self.settings.allow_unpriced
            or self.runtime.settings.budget.allow_unpriced,
        )
        self.engine.standing_guards = [self.state.run_guard, guard]
        self._set_running(attempt.task_id)

    def _set_running(self, task_id: str | None) -> None:
        """Tell the task tools which task the agent's "done" is a claim for, and the
        checkpoints which task their plane is being worked on."""
        tools = self.engine.tools
        tools.context = dataclasses.replace(tools.context, running_task=task_id)
        self.checkpoints.working_on = task_id

    # -- turns -------------------------------------------------------------------------------

    async def _turn(self, prompt: str) -> TurnResult:
        started = time.monotonic()
        try:
            return await self.engine.send(prompt)
        finally:
            await self._account(time.monotonic() - started)

    async def _stopped_by(self, result: TurnResult) -> Attempt | None:
        """The attempt as a turn left it when the turn ended it or the run: a task budget
        blocks the task; a run budget or a stop leaves the attempt open."""
        error = result.error
        if isinstance(error, BudgetExceededError) and error.scope == "run":
            self.state.budget_stop = error
            return self.attempt
        if isinstance(error, BudgetExceededError):
            return await self._end(AttemptState.BLOCKED, error.message)
        if result.status is MessageStatus.INTERRUPTED and self.state.stopping():
            return self.attempt
        if result.status is not MessageStatus.COMPLETE and error is not None:
            return await self._end(AttemptState.BLOCKED, error.message)
        return None

    def _gave_up(self, task: Task) -> tuple[AttemptState, str]:
        """Why a task the agent stopped on without saying it was done did not finish."""
        denied = self.state.denials[self._denials_at_start :]
        if denied:
            return AttemptState.BLOCKED, f"an approval was denied: {denied[-1]}"
        code = self.attempt.check_exit_code
        if code not in (None, 0):
            return AttemptState.FAILED, f"its check still fails (`{task.check}` exited {code})"
        return AttemptState.FAILED, "the agent stopped without saying the task was done"

    # -- the check and the merge -------------------------------------------------------------

    async def _check(self, task: Task) -> Attempt | str | None:
        """Run the task's check: None when it passes (or there is none), the prompt that
        hands a failure back to the agent, or the attempt ended (refused, out of rounds)."""
        if not task.check:
            return None
        started = time.monotonic()
        self._check_run = asyncio.create_task(
            self.engine.tools.run_check(
                self.session_id,
                await self._last_reply(),
                task.check,
                trusted=task.check_trusted,
                timeout_s=self.settings.check_timeout_s,
            )
        )
        try:
            outcome = await asyncio.shield(self._check_run)
        except asyncio.CancelledError:
            if not self._check_run.cancelled():
                self._check_run.cancel()
                raise
            return self.attempt  # the run stopped: the task stays in review, checked again
        finally:
            self._check_run = None
        self.attempt = dataclasses.replace(
            self.attempt,
            check_rounds=self.attempt.check_rounds + 1,
            check_exit_code=outcome.exit_code,
        )
        await self._account(time.monotonic() - started)
        if outcome.status is ToolCallStatus.DENIED:
            return await self._end(AttemptState.BLOCKED, f"its check was not run: {outcome.output}")
        if outcome.exit_code == 0:
            return None
        task = await self._set_status(task, TaskStatus.DOING)
        if self.attempt.check_rounds > self.settings.check_rounds:
            rounds = self.attempt.check_rounds
            why = f"its check still fails after {rounds} tries (`{task.check}` exited "
            return await self._end(AttemptState.FAILED, f"{why}{outcome.exit_code})")
        return check_failed_prompt(task, outcome.exit_code, outcome.output)

    async def _last_reply(self) -> str:
        """The id of the branch's last reply (the check's call is shown under it); the
        branch has one, since the task went to review in a turn on it."""
        path = await self.runtime.store.branch_path(self.session_id, self.attempt.branch)
        replies = [m.id for m in path if m.role is Role.ASSISTANT]
        return replies[-1]

    async def _merge(self) -> Attempt:
        """Merge the task's branch into the run's branch, then mark the task done."""
        self.attempt = dataclasses.replace(self.attempt, state=AttemptState.MERGING)
        await self.records.save(self.attempt)
        if await self.runtime.store.current_branch(self.session_id) != RUN_BRANCH:
            await self.checkpoints.switch(self.session_id, RUN_BRANCH)
        task = await self._task()
        if task.status is TaskStatus.CANCELLED:
            return await self._end(AttemptState.CANCELLED, "cancelled while it ran")
        merged = await self.checkpoints.merge(self.session_id, self.attempt.branch)
        if merged.conflicts:
            # Taken back at once: the run's branch stays free of conflict markers, and the
            # tasks after this one fork from clean code.
            await self.checkpoints.undo(self.session_id)
            files = ", ".join(merged.conflicts)
            why = f"its branch conflicts with the run's branch in {files}"
            return await self._end(
                AttemptState.BLOCKED,
                f"{why}: merge it yourself (branches merge {self.attempt.branch})",
            )
        if task.status is not TaskStatus.DONE:
            try:
                await self._set_status(task, TaskStatus.DONE)
            except TaskError as error:  # e.g. it has open subtasks now
                return await self._end(AttemptState.BLOCKED, error.message)
        return await self._end(AttemptState.DONE, "")

    # -- records -----------------------------------------------------------------------------

    async def _end(self, state: AttemptState, reason: str) -> Attempt:
        """Write how the attempt ended; a failed or blocked task says why in its notes. The
        task's status is written first: a kill between the two leaves an open attempt whose
        task is settled, which the next run closes (``_settled``)."""
        task = await self._task()
        if state in (AttemptState.FAILED, AttemptState.BLOCKED):
            status = TaskStatus(state.value)
            if task.status is not status:
                edit = TaskEdit(status=status, notes=reason)
                await self.tasks.edit(task.id, edit, Actor.AGENT)
        self.attempt = dataclasses.replace(self.attempt, state=state, reason=reason)
        await self.records.save(self.attempt)
        await self._record_work()
        return self.attempt

    async def _account(self, seconds: float) -> None:
        """The attempt's spend, read from the usage of its branch's conversation (so a
        reply cut by a kill is counted too), and its time; the task's figures follow."""
        path = await self.runtime.store.branch_path(self.session_id, self.attempt.branch)
        usage = await self.checkpoints.records.usage_of([m.id for m in path])
        self.attempt = dataclasses.replace(
            self.attempt,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cost_usd=None if usage.unpriced_calls else (usage.cost_usd or 0.0),
            steps=usage.calls,
            time_s=self.attempt.time_s + seconds,
        )
        await self.records.save(self.attempt)
        await self._record_work()

    async def _record_work(self) -> None:
        """The task's branch, checkpoints and spend: every attempt at it added up."""
        task = await self._task()
        attempts = await self.records.attempts(task.id)
        spend = Spend()
        for a in attempts:
            spend += Spend(a.input_tokens, a.output_tokens, a.cost_usd, a.time_s)
        branches = {attempt.branch for attempt in attempts}
        checkpoints = list(task.checkpoints)
        for checkpoint in await self.checkpoints.checkpoints(self.session_id):
            if checkpoint.branch in branches and checkpoint.id not in checkpoints:
                checkpoints.append(checkpoint.id)
        work = dataclasses.replace(
            task,
            branch=self.attempt.branch,
            checkpoints=tuple(checkpoints),
            input_tokens=spend.input_tokens,
            output_tokens=spend.output_tokens,
            cost_usd=spend.cost_usd,
            time_s=spend.time_s,
        )
        if work != task:
            await self.tasks.record_work(task.id, work)

    async def _task(self) -> Task:
        """The task as the plan has it now (the user may change it meanwhile)."""
        await self.tasks.reload()
        return self.tasks.get(self.attempt.task_id)

    async def _set_status(self, task: Task, status: TaskStatus) -> Task:
        if task.status is status:
            return task
        return await self.tasks.edit(task.id, TaskEdit(status=status), Actor.AGENT)
