"""The permission policy: allow, ask or deny for every tool call of the agent.

Precedence, from the top: deny rules; the caps (outside the project, ``.git/``, penguin-tui's
data, unknown tools, cancelling or renaming a task the user created — at least ask); the
strictest matching rule; the mode's default. A
project's config can tighten but never grant: its allow rules and a looser mode are ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from penguin_tui.engine.permissions.models import (
    TOOL_KINDS,
    Action,
    Decision,
    Mode,
    PermissionSettings,
    Rule,
    ToolKind,
    strictest,
)
from penguin_tui.engine.permissions.paths import ProjectPaths, can_name_a_file, shown_path
from penguin_tui.engine.permissions.rules import RuleBook, RuleSource, SourcedRule
from penguin_tui.engine.permissions.shell_check import ShellJudge
from penguin_tui.tasks.model import Actor, Task, TaskError, TaskStatus, normal_id

# Finds a task of the project's plan by id (None when there is none): who created a task
# decides whether the agent may cancel or rename it without asking.
TaskLookup = Callable[[str], Task | None]

_EDIT_TOOLS = frozenset(tool for tool, kind in TOOL_KINDS.items() if kind is ToolKind.EDIT)


class PermissionPolicy:
    """Decides allow / ask / deny for each tool call from the mode, the rules and the caps.

    ``session_rules`` is the live list the UI appends to ("allow always in this session");
    ``saved_rules`` are the project's "always in this project" answers from the store;
    ``find_task`` reads the project's task plan (set when there is one).
    """

    def __init__(
        self,
        user: PermissionSettings,
        project: PermissionSettings | None,
        project_root: Path,
        protected: Sequence[Path] = (),
    ) -> None:
        self.user = user
        self.project = project
        self.paths = ProjectPaths(project_root, protected)
        self.session_rules: list[Rule] = []
        self.saved_rules: list[Rule] = []
        self.find_task: TaskLookup | None = None
        project_rules = project.rules if project is not None else []
        self.ignored_rules: tuple[Rule, ...] = tuple(
            rule for rule in project_rules if rule.action is Action.ALLOW
        )
        self._project_rules = tuple(
            rule for rule in project_rules if rule.action is not Action.ALLOW
        )
        self.mode: Mode = user.mode
        self.mode_source = RuleSource.USER
        self.ignored_project_mode: Mode | None = None
        if project is not None and project.mode_is_set:
            if project.mode.strictness > user.mode.strictness:
                self.mode, self.mode_source = project.mode, RuleSource.PROJECT
            elif project.mode is not user.mode:
                self.ignored_project_mode = project.mode

    @property
    def project_root(self) -> Path:
        return self.paths.root

    @property
    def mode_label(self) -> str:
        if self.mode_source is RuleSource.PROJECT:
            return f"mode {self.mode.value} (project config)"
        return f"mode {self.mode.value}"

    def rules(self) -> RuleBook:
        """Every rule in force now: the user's, the project's deny/ask ones, the session's."""
        return RuleBook(self.user.rules, self._project_rules, self.session_rules, self.saved_rules)

    def notes(self) -> list[str]:
        """What the project's config asked for and did not get, one line each."""
        lines = [
            f"ignored: {SourcedRule(rule, RuleSource.PROJECT).describe()}"
            " (a project's config cannot grant permissions)"
            for rule in self.ignored_rules
        ]
        if self.ignored_project_mode is not None:
            lines.append(
                f"ignored: mode {self.ignored_project_mode.value} (project config) is looser than "
                f"mode {self.user.mode.value} (user config)"
            )
        return lines

    def check(self, tool: str, args: Mapping[str, object]) -> Decision:
        """Allow, ask or deny this call, with the one line that says why."""
        kind = TOOL_KINDS.get(tool)
        rules = self.rules()
        if kind is None:
            deny = rules.strongest({tool}, [""], tighten_only=True)
            if deny is not None and deny.rule.action is Action.DENY:
                return deny.decision()
            return Decision(Action.ASK, f'unknown tool "{tool}": asked in every mode')
        if kind is ToolKind.SHELL:
            command = args.get("command")
            if not isinstance(command, str):
                return Decision(Action.ASK, "run_shell was called without a command")

            def judge_file(tool: str, text: str, cwd: Path) -> Decision:
                return self._judge_file(tool, text, cwd, rules)

            return ShellJudge(self.mode, self.mode_label, rules, self.paths, judge_file).check(
                command
            )
        if kind is ToolKind.TASKS:
            return self._judge_task(tool, args, rules)
        path = args.get("path", ".")
        if not isinstance(path, str):
            return Decision(Action.ASK, f"{tool} was called with a path that is not text")
        return self._judge_file(tool, path, self.paths.root, rules)

    def _judge_file(
        self, tool: str, text: str, cwd: Path, rules: RuleBook | None = None
    ) -> Decision:
        kind = TOOL_KINDS[tool]
        if not can_name_a_file(text):
            return Decision(
                Action.DENY, f"{shown_path(text)} is not a file name (too long, or a NUL byte)"
            )
        book = rules if rules is not None else self.rules()
        checked = self.paths.check(text, cwd)
        rule = book.strongest({tool}, [checked.subject])
        if kind is ToolKind.EDIT:
            tighter = book.strongest(_EDIT_TOOLS, [checked.subject], tighten_only=True)
            if tighter is not None and (
                rule is None or tighter.rule.action.severity > rule.rule.action.severity
            ):
                rule = tighter
        if kind is ToolKind.EDIT and self.mode is Mode.READ_ONLY:
            if rule is not None and rule.rule.action is Action.DENY:
                base = rule.decision()
            else:
                base = Decision(Action.DENY, f"{self.mode_label}: edits are denied")
        elif rule is not None:
            base = rule.decision()
        else:
            base = self._mode_default(kind)
        writing = kind is ToolKind.EDIT
        if checked.concern_for(writing=writing) is None:
            return base
        return strictest([Decision(Action.ASK, checked.reason_for(writing=writing)), base])

    def _judge_task(self, tool: str, args: Mapping[str, object], rules: RuleBook) -> Decision:
        """The agent's changes to the task plan are allowed (denied in read-only); cancelling
        or renaming a task the user created is a cap: at least asked. Rules match the task id."""
        task_id = args.get("id")
        rule = rules.strongest({tool}, [task_id if isinstance(task_id, str) else ""])
        if tool == "task_list":
            return (
                rule.decision()
                if rule
                else Decision(Action.ALLOW, f"{self.mode_label}: reading the task plan is allowed")
            )
        if self.mode is Mode.READ_ONLY and (rule is None or rule.rule.action is not Action.DENY):
            return Decision(Action.DENY, f"{self.mode_label}: changes to the task plan are denied")
        allowed = Decision(Action.ALLOW, f"{self.mode_label}: the agent's task changes are allowed")
        base = rule.decision() if rule else allowed
        concern = self._users_task_concern(args) if tool == "task_update" else None
        if concern is None:
            return base
        return strictest([Decision(Action.ASK, concern), base])

    def _users_task_concern(self, args: Mapping[str, object]) -> str | None:
        """Why this task_update needs the user: it cancels or renames a task the user
        created (or one the plan cannot show, which is treated as the user's)."""
        cancels = args.get("status") == TaskStatus.CANCELLED.value
        renames = args.get("title") is not None
        if not (cancels or renames):
            return None
        raw_id = args.get("id")
        try:
            task_id = normal_id(raw_id) if isinstance(raw_id, str) else None
        except TaskError:
            task_id = None
        task = self.find_task(task_id) if task_id and self.find_task else None
        if task is not None:
            if task.created_by is Actor.AGENT:
                return None
            cancels = cancels and task.status is not TaskStatus.CANCELLED
            renames = renames and " ".join(str(args["title"]).split()) != task.title
            if not (cancels or renames):
                return None
        what = "cancelling" if cancels else "renaming"
        if task is None:
            return f"{what} task {raw_id}, not found in the plan: asked in every mode"
        return f"{what} {task.id}, a task the user created: asked in every mode"

    def _mode_default(self, kind: ToolKind) -> Decision:
        label = self.mode_label
        if self.mode is Mode.FULL:
            return Decision(Action.ALLOW, f"{label}: everything is allowed")
        if kind is ToolKind.READ:
            return Decision(Action.ALLOW, f"{label}: reads are allowed")
        if self.mode is Mode.AUTO_EDIT:
            return Decision(Action.ALLOW, f"{label}: edits inside the project are allowed")
        return Decision(Action.ASK, f"{label}: edits are asked")
