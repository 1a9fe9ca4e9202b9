"""Wires one project's services together: settings, store, bus and engine.

The CLI, the TUI and the tests all start here, so they drive the very same services.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path

from pydantic import BaseModel, ValidationError

from penguin_tui.bus import EventBus, TaskCreated, TaskUpdated
from penguin_tui.checkpoints.service import CheckpointService
from penguin_tui.config import DataPaths, Settings, data_paths, load_settings
from penguin_tui.config.paths import project_directory
from penguin_tui.config.secrets import SecretFreeEnvironment
from penguin_tui.config.settings import PROJECT_CONFIG, describe_setting_error, read_layer
from penguin_tui.engine.chat import ChatEngine, TargetResolver, default_targets
from penguin_tui.engine.permissions import Action, PermissionPolicy, PermissionSettings, Rule
from penguin_tui.engine.tool_runner import ToolRunner
from penguin_tui.engine.tools.base import ToolContext, ToolLimits
from penguin_tui.errors import CheckpointError, ConfigError, ProjectLockedError
from penguin_tui.store import Project, Store
from penguin_tui.tasks.model import Task, TaskError
from penguin_tui.tasks.service import TaskService


@dataclass
class Runtime:
    """The open services of one project; close it to flush and release the database."""

    paths: DataPaths
    settings: Settings
    store: Store
    bus: EventBus
    engine: ChatEngine
    project_dir: Path
    recovered_messages: int = 0
    checkpoints: CheckpointService | None = None
    # Why checkpoints are off or read-only, as one line for the user (empty when all is well).
    checkpoint_notice: str = ""
    # The project's task plan, which the agent's task tools change too.
    tasks: TaskService | None = None

    async def close(self) -> None:
        await self.engine.wait_idle()
        if self.checkpoints is not None:
            await self.checkpoints.close()
        self.bus.close()
        await self.store.close()


async def open_store(paths: DataPaths, settings: Settings) -> Store:
    return await Store.open_data_store(paths, settings)


def _permission_layer(path: Path) -> PermissionSettings:
    try:
        return PermissionSettings.model_validate(read_layer(path).get("permissions", {}))
    except ValidationError as error:
        raise ConfigError(describe_setting_error(error, str(path), "permissions")) from error


def load_policy(paths: DataPaths, project_dir: Path) -> PermissionPolicy:
    """The user's and the project's permissions, kept apart: a project may only tighten."""
    user = _permission_layer(paths.user_config)
    project_file = project_dir / PROJECT_CONFIG
    project = _permission_layer(project_file) if project_file.exists() else None
    return PermissionPolicy(user, project, project_dir, protected=paths.protected())


def reload_settings(runtime: Runtime, before: Settings, after: Settings) -> None:
    """Put settings read again from disk in force, without a restart: every setting whose
    value changed from ``before`` to ``after`` replaces the live one (so what the engine
    changed itself, such as the model picked in the workbench, stays unless the file changed
    it too); the permissions are rebuilt per layer (a project still only tightens) and keep
    the session's "always" answers. Raises ConfigError before changing anything."""
    tools = runtime.engine.tools
    policy = load_policy(runtime.paths, runtime.project_dir)
    policy.session_rules = tools.policy.session_rules
    policy.saved_rules = tools.policy.saved_rules
    policy.find_task = tools.policy.find_task
    tools.policy = policy
    _copy_changed(runtime.settings, before, after)
    limits = tools.context.limits.model_copy(
        update={"shell_timeout_s": runtime.settings.agent.shell_timeout_s}
    )
    environment = tools.context.environment
    if before.secret_variables != after.secret_variables:  # a new key_env is kept out too
        environment = SecretFreeEnvironment.of(secret_names=runtime.settings.secret_variables)
    tools.context = replace(tools.context, limits=limits, environment=environment)


def _copy_changed(live: BaseModel, before: BaseModel, after: BaseModel) -> None:
    """Set on ``live`` (in place: the engine's parts hold its sections) each field that
    differs between ``before`` and ``after``, section by section."""
    for name in type(live).model_fields:
        old, new, current = getattr(before, name), getattr(after, name), getattr(live, name)
        if old == new:
            continue
        if isinstance(current, BaseModel) and isinstance(old, BaseModel):
            _copy_changed(current, old, new)
        else:
            setattr(live, name, new)


async def make_tool_runner(
    store: Store,
    bus: EventBus,
    settings: Settings,
    paths: DataPaths,
    project: Project,
    project_dir: Path,
    environment: SecretFreeEnvironment,
    tasks: TaskService | None = None,
) -> ToolRunner:
    """The engine's tool runner: the permissions, and the context the tools run in (with the
    task plan, whose lookup also tells the policy who created a task)."""
    policy = load_policy(paths, project_dir)
    policy.saved_rules = await saved_rules(store, project.id)
    if tasks is not None:
        policy.find_task = task_lookup(tasks)
    context = ToolContext(
        project_root=project_dir,
        environment=environment,
        limits=ToolLimits(shell_timeout_s=settings.agent.shell_timeout_s),
        tasks=tasks,
    )
    return ToolRunner(store, bus, policy, context, project.id)


def _task_publisher(
    tasks: TaskService, bus: EventBus, engine: ChatEngine
) -> Callable[[Task, bool], Awaitable[None]]:
    """Each task made or changed goes on the bus (``task.created`` / ``task.updated``), in the
    session the engine has open (none yet: nobody is listening)."""

    async def publish(task: Task, created: bool) -> None:
        if engine.session is None:
            return
        document = tasks.to_json(task)
        session_id = engine.session.id
        event = (
            TaskCreated(session_id=session_id, task=document)
            if created
            else TaskUpdated(session_id=session_id, task=document)
        )
        await bus.publish(event)

    return publish


async def saved_rules(store: Store, project_id: str) -> list[Rule]:
    """The project's "always in this project" answers, as rules."""
    return [
        Rule(tool=tool, pattern=pattern, action=Action(action))
        for tool, pattern, action in await store.permission_rules(project_id)
    ]


def task_lookup(tasks: TaskService) -> Callable[[str], Task | None]:
    """The plan's task with an id (None: no such task), for the permissions' caps."""

    def find(task_id: str) -> Task | None:
        try:
            return tasks.get(task_id)
        except TaskError:
            return None

    return find


async def open_checkpoints(
    store: Store,
    bus: EventBus,
    settings: Settings,
    project: Project,
    paths: DataPaths,
    environment: SecretFreeEnvironment,
    *,
    read_only_ok: bool,
) -> tuple[CheckpointService | None, str]:
    """The project's checkpoint service, or None and why not (turned off, home directory).

    With ``read_only_ok`` a project another instance holds opens read-only; otherwise that
    is an error (headless commands that change things must not run beside the TUI).
    """
    if not settings.checkpoints.enabled:
        return None, "checkpoints are turned off ([checkpoints] enabled = false)"
    service = CheckpointService(
        store, bus, settings.checkpoints, project, paths, environment=environment
    )
    try:
        await service.open(allow_read_only=read_only_ok)
    except ProjectLockedError:
        service.close_repository()
        raise
    except CheckpointError as error:
        service.close_repository()
        return None, error.message
    if service.read_only:
        return service, (
            "another penguin-tui is running on this project: this one is read-only "
            "(browse sessions and checkpoints; no turns, reverts or switches)"
        )
    return service, ""


async def open_runtime(
    directory: str | Path | None,
    *,
    model: str | None = None,
    api_base: str | None = None,
    resolve: TargetResolver = default_targets,
    read_only_ok: bool = False,
    notices: list[str] | None = None,
) -> Runtime:
    """Load settings for the project, open the store, recover crashed replies, make the engine,
    and open the project's checkpoints (finishing any restore a crash interrupted). What the
    settings' migrations have to say goes to ``notices`` (stderr when it is None: the
    commands; the workbench shows them as notifications)."""
    project_dir = project_directory(directory)
    paths = data_paths()
    settings = load_settings(
        paths.user_config, project_dir, model=model, api_base=api_base, notices=notices
    )
    store = await open_store(paths, settings)
    # What every program penguin-tui starts for this project (the agent's shell, git on the
    # user's repository and on the shadow one) derives its environment from.
    environment = SecretFreeEnvironment.of(secret_names=settings.secret_variables)
    try:
        bus = EventBus(sink=store, first_seq=await store.max_event_seq() + 1)
        project = await store.ensure_project(project_dir)
        tasks = await TaskService.open(store, project.id)
        tools = await make_tool_runner(
            store, bus, settings, paths, project, project_dir, environment, tasks
        )
        checkpoints, notice = await open_checkpoints(
            store, bus, settings, project, paths, environment, read_only_ok=read_only_ok
        )
        # Only the instance that owns the project may call its streaming replies crashed: a
        # read-only one beside it would cut the live reply short.
        read_only = checkpoints is not None and checkpoints.read_only
        recovered = 0 if read_only else await store.interrupt_streaming(project.id)
    except BaseException:
        # An open connection keeps its thread alive: close it, or the process never exits.
        await store.close()
        raise
    engine = ChatEngine(store, bus, settings, project, tools, resolve=resolve)
    tasks.on_change = _task_publisher(tasks, bus, engine)
    if checkpoints is not None:
        if checkpoints.read_only:
            engine.read_only = notice
        else:
            engine.hooks = checkpoints
    return Runtime(
        paths, settings, store, bus, engine, project_dir, recovered, checkpoints, notice, tasks
    )
