"""Run mode: the plan's ready tasks carried out one at a time — in dependency order, then by
priority, then by id — each on its own branch (see attempt), within the budgets of each task
and of the run, until nothing is ready, a budget or the user stops it.

A run is one session. A run that stopped with a task under way (a kill, an interrupt, the
run's budget) is not finished: the next run goes on in its session, with that task first.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from enum import StrEnum

from penguin_tui.bus import (
    ApprovalAnswered,
    RunModeFinished,
    RunModeStarted,
    TaskFinished,
    UsageRecorded,
)
from penguin_tui.bus.bus import Subscription
from penguin_tui.engine.spend_guard import Budget, BudgetExceededError, SpendGuard
from penguin_tui.errors import PenguinError
from penguin_tui.runmode.attempt import RUN_BRANCH, AttemptWork, RunState
from penguin_tui.runmode.budgets import refuse_unpriced, run_budget, task_budget
from penguin_tui.runmode.records import Attempt, AttemptState, Run, RunRecords
from penguin_tui.runtime import Runtime
from penguin_tui.tasks import graph
from penguin_tui.tasks.model import Task, normal_id


class StopReason(StrEnum):
    """Why a run stopped, as ``runmode.finished`` says it."""

    NOTHING_READY = "nothing ready"
    MAX_TASKS = "max tasks"
    ONE_TASK = "the task asked for"
    BUDGET = "budget"
    INTERRUPTED = "interrupted"

    @property
    def finishes_run(self) -> bool:
        """Whether the run is over (otherwise the next run goes on in its session)."""
        return self in (StopReason.NOTHING_READY, StopReason.MAX_TASKS, StopReason.ONE_TASK)


@dataclass(frozen=True)
class RunOptions:
    """What one ``tasks run`` (or the workbench's run key) asks for."""

    task: str | None = None
    max_tasks: int | None = None
    max_cost_usd: float | None = None


@dataclass(frozen=True)
class RunOutcome:
    """How a run ended: the tasks it finished, failed and blocked, its cost, and why."""

    done: tuple[str, ...]
    failed: tuple[str, ...]
    blocked: tuple[str, ...]
    cost_usd: float | None
    stop_reason: StopReason
    budget: BudgetExceededError | None = None

    @property
    def all_finished(self) -> bool:
        return not self.failed and not self.blocked


class RunMode:
    """Carries out a project's ready tasks; one instance per run."""

    def __init__(self, runtime: Runtime, options: RunOptions | None = None) -> None:
        if runtime.checkpoints is None or runtime.tasks is None:
            why = runtime.checkpoint_notice or "checkpoints are not available"
            raise PenguinError(f"run mode needs checkpoints, and {why}")
        if runtime.checkpoints.read_only:
            raise PenguinError(runtime.checkpoint_notice)
        self.runtime = runtime
        self.tasks = runtime.tasks
        self.options = options or RunOptions()
        self.records = RunRecords(runtime.store, runtime.engine.project.id)
        self._stopping = False
        self._tried_one = False
        self._done: list[str] = []
        self._failed: list[str] = []
        self._blocked: list[str] = []
        self.state = RunState(SpendGuard([]), stopping=lambda: self._stopping)

    # -- asked from outside ------------------------------------------------------------------

    def stop(self) -> None:
        """Stop once the model call in flight (and its tool calls) is done; a check that is
        running is stopped (it runs again when the run goes on)."""
        self._stopping = True
        self.runtime.engine.stop_after_call()
        if self.state.current is not None:
            self.state.current.cancel_check()

    def interrupt(self) -> None:
        """Stop now: the reply in flight is cut (what it produced is kept)."""
        self.stop()
        self.runtime.engine.cancel()

    # -- the run -----------------------------------------------------------------------------

    async def run(self) -> RunOutcome:
        """Carry out ready tasks until nothing is ready, a budget or the user stops it."""
        settings = self.runtime.settings.tasks
        budget = run_budget(settings, self.options.max_cost_usd)
        self._refuse_unpriced(budget)
        await self.tasks.reload()
        ready = [self._asked_task().id] if self.options.task else self.tasks.ready()
        run = await self._open_run()
        await self._refuse_other_task(run)
        session_id = self._session_id
        self.state.run_guard = SpendGuard([budget], allow_unpriced=self._allow_unpriced)
        engine = self.runtime.engine
        engine.standing_guards = [self.state.run_guard]
        denials = asyncio.create_task(self._watch(self.runtime.bus.subscribe()))
        await self.runtime.bus.publish(RunModeStarted(session_id=session_id, ready=ready))
        try:
            reason = await self._carry_out(run)
            if reason.finishes_run:
                await self._back_to_run_branch()
                await self.records.finish_run(run, reason.value)
        finally:
            engine.standing_guards = []
            denials.cancel()
        outcome = self._outcome(reason)
        await self.runtime.bus.publish(
            RunModeFinished(
                session_id=session_id,
                done=list(outcome.done),
                failed=list(outcome.failed),
                blocked=list(outcome.blocked),
                cost_usd=outcome.cost_usd,
                stop_reason=reason.value,
            )
        )
        return outcome

    async def _carry_out(self, run: Run) -> StopReason:
        started = 0
        under_way = await self.records.open_attempt(run)
        if under_way is not None:
            self._tried_one = True
            started += 1
            stop = await self._attempt(under_way, resumed=True)
            if stop is not None:
                return stop
        while True:
            if self._stopping:
                return StopReason.INTERRUPTED
            if self.options.max_tasks is not None and started >= self.options.max_tasks:
                return StopReason.MAX_TASKS
            task = await self._next_task()
            if task is None:
                return StopReason.ONE_TASK if self.options.task else StopReason.NOTHING_READY
            started += 1
            attempt = await self.records.start_attempt(run, task.id, await self._branch_for(task))
            stop = await self._attempt(attempt)
            if stop is not None:
                return stop

    async def _attempt(self, attempt: Attempt, *, resumed: bool = False) -> StopReason | None:
        """Carry out one attempt; why the run stops with it, if it does."""
        work = AttemptWork(self.runtime, self.records, attempt, self.state, resumed=resumed)
        ended = await work.carry_out()
        if ended.state.open:
            return StopReason.BUDGET if self.state.budget_stop else StopReason.INTERRUPTED
        {
            AttemptState.DONE: self._done,
            AttemptState.FAILED: self._failed,
            AttemptState.BLOCKED: self._blocked,
        }.get(ended.state, []).append(ended.task_id)
        await self.runtime.bus.publish(
            TaskFinished(
                session_id=self._session_id,
                id=ended.task_id,
                status=ended.state.value,
                reason=ended.reason,
                check_exit_code=ended.check_exit_code,
                input_tokens=ended.input_tokens,
                output_tokens=ended.output_tokens,
                cost_usd=ended.cost_usd,
                time_s=round(ended.time_s, 3),
            )
        )
        return None

    # -- choosing ----------------------------------------------------------------------------

    async def _next_task(self) -> Task | None:
        await self.tasks.reload()
        if self.options.task:
            if self._tried_one:
                return None
            self._tried_one = True
            return self._asked_task()
        return graph.next_to_run(self.tasks.tasks)

    def _asked_task(self) -> Task:
        """``--task ID``: a task to try (again), refused when it cannot run now."""
        assert self.options.task is not None
        task = self.tasks.get(self.options.task)
        plan = self.tasks.tasks
        if graph.children_of(plan).get(task.id):
            raise PenguinError(f"{task.id} has subtasks: it is done when they are")
        if task.status.finished:
            raise PenguinError(f"{task.id} is {task.status.value} already")
        holding = [d for d in graph.dependencies(plan, task.id) if not plan[d].status.finished]
        if holding:
            raise PenguinError(f"{task.id} waits for {', '.join(holding)}")
        return task

    async def _refuse_other_task(self, run: Run) -> None:
        """``--task ID`` while another task is under way from a stopped run: that one first."""
        under_way = await self.records.open_attempt(run)
        if under_way is None or not self.options.task:
            return
        if normal_id(self.options.task) != under_way.task_id:
            raise PenguinError(
                f"{under_way.task_id} is still under way from the last run: "
                "`penguin-tui tasks run` finishes it first"
            )

    async def _branch_for(self, task: Task) -> str:
        """``task/T3``; a task tried before gets ``task/T3-2``, then ``-3``…"""
        taken = set(await self.runtime.store.branch_names(self._session_id))
        taken |= {attempt.branch for attempt in await self.records.attempts(task.id)}
        name, number = f"task/{task.id}", 2
        while name in taken:
            name, number = f"task/{task.id}-{number}", number + 1
        return name

    # -- around the run ----------------------------------------------------------------------

    async def _open_run(self) -> Run:
        """The run stopped half-way, in its session, or a new run in a new session."""
        engine = self.runtime.engine
        run = await self.records.unfinished_run()
        if run is not None:
            await engine.resume(run.session_id)
            return run
        session = await engine.new_session()
        await self.runtime.store.touch_session(session.id, title="Run mode")
        return await self.records.start_run(session.id)

    async def _back_to_run_branch(self) -> None:
        """A finished run leaves the project on the run's branch, with the merged work."""
        assert self.runtime.checkpoints is not None
        if await self.runtime.store.current_branch(self._session_id) != RUN_BRANCH:
            await self.runtime.checkpoints.switch(self._session_id, RUN_BRANCH)

    def _refuse_unpriced(self, run: Budget) -> None:
        settings = self.runtime.settings.tasks
        budgets = [run, task_budget(settings, self.options.task or "")]
        budgets += [Budget("task", usd=o.max_cost_usd) for o in settings.overrides.values()]
        refuse_unpriced(self._allow_unpriced, budgets, self.runtime.engine.prices())

    async def _watch(self, subscription: Subscription) -> None:
        """What the run learns from the bus: each model call (the task's figures follow it)
        and each approval denied (a task the agent then stops on is blocked)."""
        try:
            async for event in subscription:
                if isinstance(event, ApprovalAnswered) and not event.allowed:
                    self.state.denials.append(event.reason or f"denied by the {event.by}")
                elif isinstance(event, UsageRecorded) and self.state.current is not None:
                    with contextlib.suppress(PenguinError):  # its turn's end counts it again
                        await self.state.current.call_recorded()
        finally:
            subscription.close()

    @property
    def _allow_unpriced(self) -> bool:
        """A model with no known price counts as free (``[tasks]`` or ``[budget]`` says so)."""
        settings = self.runtime.settings
        return settings.tasks.allow_unpriced or settings.budget.allow_unpriced

    @property
    def _session_id(self) -> str:
        session = self.runtime.engine.session
        assert session is not None
        return session.id

    def _outcome(self, reason: StopReason) -> RunOutcome:
        spent = self.state.run_guard.spent
        cost = None if spent.unpriced_calls else round(spent.usd, 10)
        return RunOutcome(
            tuple(self._done),
            tuple(self._failed),
            tuple(self._blocked),
            cost,
            reason,
            self.state.budget_stop,
        )


__all__ = ["RunMode", "RunOptions", "RunOutcome", "StopReason"]
