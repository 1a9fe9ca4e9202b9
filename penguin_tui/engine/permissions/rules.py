"""The rules in force, each with where it came from, and which one decides."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

from penguin_tui.engine.permissions.models import Action, Decision, Rule


class RuleSource(StrEnum):
    """Where a rule was written, so a decision can say which file (or session) to change."""

    USER = "user config"
    PROJECT = "project config"
    SAVED = "saved for this project"
    SESSION = "session"


@dataclass(frozen=True)
class SourcedRule:
    """A rule and where it came from."""

    rule: Rule
    source: RuleSource

    def describe(self) -> str:
        return f"{self.rule.describe()} ({self.source.value})"

    def decision(self) -> Decision:
        return Decision(self.rule.action, self.describe())


class RuleBook:
    """The user's rules, the project's tightening rules, the answers saved for the project
    ("always in this project") and the session's, in that order."""

    def __init__(
        self,
        user: Sequence[Rule],
        project: Sequence[Rule],
        session: Sequence[Rule],
        saved: Sequence[Rule] = (),
    ) -> None:
        self._sourced = (
            *(SourcedRule(rule, RuleSource.USER) for rule in user),
            *(SourcedRule(rule, RuleSource.PROJECT) for rule in project),
            *(SourcedRule(rule, RuleSource.SAVED) for rule in saved),
            *(SourcedRule(rule, RuleSource.SESSION) for rule in session),
        )

    def __iter__(self) -> Iterator[SourcedRule]:
        return iter(self._sourced)

    def strongest(
        self, tools: Collection[str], subjects: Sequence[str], *, tighten_only: bool = False
    ) -> SourcedRule | None:
        """The matching rule with the strictest action (deny > ask > allow), first among equals.

        ``tighten_only`` skips allow rules: for the views of a command that may only make it
        stricter (the whole command line, the command without its ``NAME=value`` prefix…).
        """
        best: SourcedRule | None = None
        for sourced in self._sourced:
            rule = sourced.rule
            if tighten_only and rule.action is Action.ALLOW:
                continue
            if best is not None and rule.action.severity <= best.rule.action.severity:
                continue
            if rule.applies_to(tools) and any(rule.matches(subject) for subject in subjects):
                best = sourced
        return best


def stronger(first: SourcedRule | None, second: SourcedRule | None) -> SourcedRule | None:
    if first is None:
        return second
    if second is None or first.rule.action.severity >= second.rule.action.severity:
        return first
    return second
