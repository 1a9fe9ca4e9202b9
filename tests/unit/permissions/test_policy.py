"""The policy: mode defaults, rule precedence, the caps, and a project that can only tighten."""

from __future__ import annotations

import tomllib

import pytest
from pydantic import ValidationError

from penguin_tui.engine.permissions import (
    Action,
    Mode,
    PermissionSettings,
    Rule,
    exact_pattern,
)
from tests.unit.permissions.conftest import ProjectTree

Call = tuple[str, dict[str, object]]
READ: Call = ("read_file", {"path": "src/main.py"})
LIST: Call = ("list_files", {})
SEARCH: Call = ("search", {"pattern": "TODO", "path": "src"})
WRITE: Call = ("write_file", {"path": "src/new.py", "content": "x = 1\n"})
EDIT: Call = ("edit_file", {"path": "src/main.py", "old": "hi", "new": "ho"})
SHELL: Call = ("run_shell", {"command": "ls"})

A, Q, D = Action.ALLOW, Action.ASK, Action.DENY


def rule(tool: str, pattern: str, action: Action) -> Rule:
    return Rule(tool=tool, pattern=pattern, action=action)


# ------------------------------------------------------------------------------- modes


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        (Mode.READ_ONLY, [A, A, A, D, D, D]),
        (Mode.ASK, [A, A, A, Q, Q, Q]),
        (Mode.AUTO_EDIT, [A, A, A, A, A, Q]),
        (Mode.FULL, [A, A, A, A, A, A]),
    ],
)
def test_each_mode_has_its_defaults(tree: ProjectTree, mode: Mode, expected: list[Action]) -> None:
    policy = tree.policy(mode)
    calls = [READ, LIST, SEARCH, WRITE, EDIT, SHELL]
    assert [policy.check(tool, args).action for tool, args in calls] == expected


def test_ask_is_the_default_mode() -> None:
    assert PermissionSettings().mode is Mode.ASK


def test_mode_reason_names_the_mode(tree: ProjectTree) -> None:
    assert tree.policy().check(*SHELL).reason == "mode ask: shell commands are asked"
    assert tree.policy().check(*WRITE).reason == "mode ask: edits are asked"
    assert tree.policy(Mode.FULL).check(*SHELL).reason == "mode full: everything is allowed"


def test_auto_edit_allows_edits_inside_and_asks_outside(tree: ProjectTree) -> None:
    policy = tree.policy(Mode.AUTO_EDIT)
    assert policy.check("write_file", {"path": "src/x.py"}).action is A
    assert policy.check("write_file", {"path": "../x.py"}).action is Q
    assert policy.check("write_file", {"path": "link/secret.txt"}).action is Q


def test_read_only_denies_edits_even_with_an_allow_rule(tree: ProjectTree) -> None:
    policy = tree.policy(Mode.READ_ONLY, [rule("write_file", "*", A)])
    assert policy.check(*WRITE).action is D


# ------------------------------------------------------------------------------- rules


def test_a_matching_rule_decides_over_the_mode(tree: ProjectTree) -> None:
    policy = tree.policy(Mode.ASK, [rule("write_file", "src/*", A), rule("read_file", "*.md", D)])
    assert policy.check(*WRITE).action is A
    assert policy.check("write_file", {"path": "docs/x.md"}).action is Q
    decision = policy.check("read_file", {"path": "README.md"})
    assert decision.action is D
    assert decision.reason == 'rule read_file "*.md" → deny (user config)'


def test_deny_beats_ask_beats_allow_whatever_the_order(tree: ProjectTree) -> None:
    rules = [rule("run_shell", "git *", A), rule("run_shell", "git push*", Q)]
    rules.append(rule("run_shell", "git push --force*", D))
    policy = tree.policy(Mode.ASK, list(reversed(rules)))
    assert policy.check("run_shell", {"command": "git log"}).action is A
    assert policy.check("run_shell", {"command": "git push"}).action is Q
    assert policy.check("run_shell", {"command": "git push --force"}).action is D


def test_star_tool_rules_match_every_tool(tree: ProjectTree) -> None:
    policy = tree.policy(Mode.FULL, [rule("*", "*secret*", D)])
    assert policy.check("read_file", {"path": "src/secret.py"}).action is D
    assert policy.check("run_shell", {"command": "cat secret.txt"}).action is D
    assert policy.check("read_file", {"path": "src/main.py"}).action is A


def test_star_in_a_pattern_crosses_slashes(tree: ProjectTree) -> None:
    policy = tree.policy(Mode.ASK, [rule("write_file", "src/*", A)])
    assert policy.check("write_file", {"path": "src/a/b/c.py"}).action is A


def test_file_rules_match_the_project_relative_path(tree: ProjectTree) -> None:
    policy = tree.policy(Mode.ASK, [rule("write_file", "src/main.py", A)])
    absolute = str(tree.root / "src" / "main.py")
    assert policy.check("write_file", {"path": absolute}).action is A
    assert policy.check("write_file", {"path": "./src/../src/main.py"}).action is A


def test_exact_pattern_matches_only_that_text(tree: ProjectTree) -> None:
    policy = tree.policy(Mode.ASK, [rule("run_shell", exact_pattern("ls *.py [a]"), A)])
    assert policy.check("run_shell", {"command": "ls *.py [a]"}).action is A
    assert policy.check("run_shell", {"command": "ls x.py a"}).action is Q


def test_session_rules_count_from_the_next_call(tree: ProjectTree) -> None:
    policy = tree.policy()
    assert policy.check("run_shell", {"command": "make test"}).action is Q
    policy.session_rules.append(rule("run_shell", "make test", A))
    decision = policy.check("run_shell", {"command": "make test"})
    assert decision.action is A
    assert decision.reason == 'rule run_shell "make test" → allow (session)'


# -------------------------------------------------------------------------------- caps


@pytest.mark.parametrize("tool", ["read_file", "write_file", "edit_file", "list_files"])
@pytest.mark.parametrize("path", ["../outside/secret.txt", "/etc/passwd", "link/secret.txt", "~"])
def test_outside_the_project_is_asked_even_in_full_with_allow_all(
    tree: ProjectTree, tool: str, path: str
) -> None:
    policy = tree.policy(Mode.FULL, [rule("*", "*", A)])
    decision = policy.check(tool, {"path": path})
    assert decision.action is Q
    assert "outside the project" in decision.reason


def test_a_symlink_escape_names_the_real_place(tree: ProjectTree) -> None:
    reason = tree.policy(Mode.FULL).check("read_file", {"path": "link/secret.txt"}).reason
    assert str(tree.outside / "secret.txt") in reason


@pytest.mark.parametrize("path", [".git/config", ".git", "src/../.git/hooks/pre-commit"])
def test_the_git_directory_is_asked_even_in_full(tree: ProjectTree, path: str) -> None:
    policy = tree.policy(Mode.FULL, [rule("*", "*", A)])
    for tool in ("read_file", "write_file"):
        decision = policy.check(tool, {"path": path})
        assert decision.action is Q
        assert ".git directory" in decision.reason


def test_gitignore_is_not_the_git_directory(tree: ProjectTree) -> None:
    assert tree.policy(Mode.FULL).check("write_file", {"path": ".gitignore"}).action is A


def test_protected_paths_are_asked_even_in_full(tree: ProjectTree) -> None:
    policy = tree.policy(Mode.FULL, [rule("*", "*", A)])
    for path in (str(tree.data / "store.db"), "var/penguin/x.db"):
        decision = policy.check("write_file", {"path": path})
        assert decision.action is Q
        assert "penguin-tui's data" in decision.reason


def test_a_deny_rule_can_tighten_a_cap(tree: ProjectTree) -> None:
    policy = tree.policy(Mode.FULL, [rule("read_file", "/etc/*", D)])
    assert policy.check("read_file", {"path": "/etc/passwd"}).action is D


def test_unknown_tools_are_asked_and_only_a_deny_rule_changes_that(tree: ProjectTree) -> None:
    assert tree.policy(Mode.FULL, [rule("*", "*", A)]).check("web_fetch", {}).action is Q
    assert tree.policy(Mode.FULL, [rule("web_fetch", "*", A)]).check("web_fetch", {}).action is Q
    assert tree.policy(Mode.FULL, [rule("web_fetch", "*", D)]).check("web_fetch", {}).action is D
    assert (
        tree.policy().check("web_fetch", {}).reason
        == 'unknown tool "web_fetch": asked in every mode'
    )


def test_missing_path_means_the_project_root(tree: ProjectTree) -> None:
    assert tree.policy(Mode.ASK).check("list_files", {}).action is A


def test_malformed_arguments_are_asked(tree: ProjectTree) -> None:
    policy = tree.policy(Mode.FULL)
    assert policy.check("read_file", {"path": 3}).action is Q
    assert policy.check("run_shell", {}).action is Q


# ------------------------------------------------------------------- project config


def test_project_allow_rules_are_ignored_and_reported(tree: ProjectTree) -> None:
    project = PermissionSettings(rules=[rule("run_shell", "*", A), rule("write_file", "*", A)])
    policy = tree.policy(Mode.ASK, project=project)
    assert policy.check("run_shell", {"command": "curl x"}).action is Q
    assert policy.check(*WRITE).action is Q
    assert policy.ignored_rules == tuple(project.rules)
    assert policy.notes() == [
        'ignored: rule run_shell "*" → allow (project config) (a project\'s config cannot '
        "grant permissions)",
        'ignored: rule write_file "*" → allow (project config) (a project\'s config cannot '
        "grant permissions)",
    ]


def test_project_deny_and_ask_rules_apply(tree: ProjectTree) -> None:
    project = PermissionSettings(
        rules=[rule("run_shell", "git push*", D), rule("read_file", "*.md", Q)]
    )
    policy = tree.policy(Mode.FULL, [rule("run_shell", "git *", A)], project=project)
    decision = policy.check("run_shell", {"command": "git push"})
    assert decision.action is D
    assert decision.reason == 'rule run_shell "git push*" → deny (project config)'
    assert policy.check("read_file", {"path": "README.md"}).action is Q


def test_project_mode_full_under_user_ask_stays_ask(tree: ProjectTree) -> None:
    policy = tree.policy(Mode.ASK, project=PermissionSettings(mode=Mode.FULL))
    assert policy.mode is Mode.ASK
    assert policy.check(*SHELL).action is Q
    assert policy.check(*WRITE).action is Q
    assert policy.ignored_project_mode is Mode.FULL
    assert "mode full (project config) is looser" in policy.notes()[0]


def test_a_stricter_project_mode_counts(tree: ProjectTree) -> None:
    policy = tree.policy(Mode.FULL, project=PermissionSettings(mode=Mode.READ_ONLY))
    decision = policy.check(*WRITE)
    assert decision.action is D
    assert decision.reason == "mode read-only (project config): edits are denied"


def test_a_project_file_without_a_mode_leaves_the_users(tree: ProjectTree) -> None:
    project = PermissionSettings.model_validate(tomllib.loads("rules = []\n"))
    assert tree.policy(Mode.FULL, project=project).mode is Mode.FULL


# ----------------------------------------------------------------------- read-only shell


def test_read_only_shell_needs_a_user_or_session_rule_and_no_writes(tree: ProjectTree) -> None:
    policy = tree.policy(Mode.READ_ONLY, [rule("run_shell", "git status*", A)])
    assert policy.check("run_shell", {"command": "git status"}).action is A
    assert policy.check("run_shell", {"command": "git status > s.txt"}).action is D
    assert policy.check("run_shell", {"command": "git status 2>/dev/null"}).action is A
    assert policy.check("run_shell", {"command": "git log"}).action is D
    policy.session_rules.append(rule("run_shell", "git log", A))
    assert policy.check("run_shell", {"command": "git log"}).action is A


def test_read_only_ignores_project_allow_rules_for_shell(tree: ProjectTree) -> None:
    project = PermissionSettings(rules=[rule("run_shell", "*", A)])
    policy = tree.policy(Mode.READ_ONLY, project=project)
    assert policy.check("run_shell", {"command": "ls"}).action is D


def test_read_only_denies_what_it_cannot_read(tree: ProjectTree) -> None:
    policy = tree.policy(Mode.READ_ONLY, [rule("run_shell", "*", A)])
    assert policy.check("run_shell", {"command": "echo 'x"}).action is D


# ------------------------------------------------------------------------ shell details


def test_an_allow_rule_covers_only_the_command_it_matches(tree: ProjectTree) -> None:
    policy = tree.policy(Mode.ASK, [rule("run_shell", "git status*", A)])
    assert policy.check("run_shell", {"command": "git status"}).action is A
    assert policy.check("run_shell", {"command": "git status --short"}).action is A
    for command in ("git status && rm -rf .", "git status; curl x | sh", "git status $(rm x)"):
        assert policy.check("run_shell", {"command": command}).action is Q, command


def test_deny_rules_see_through_wrappers_and_compounds(tree: ProjectTree) -> None:
    policy = tree.policy(Mode.FULL, [rule("run_shell", "rm *", D)])
    for command in (
        "rm -rf x",
        "sudo rm -rf x",
        'bash -c "rm -rf x"',
        "echo ok && rm -rf x",
        "$(rm x)",
        "/bin/rm -rf x",
        "FOO=1 rm -rf x",
        "for f in a; do rm -rf $f; done",
    ):
        assert policy.check("run_shell", {"command": command}).action is D, command


def test_a_deny_rule_on_the_whole_line_wins(tree: ProjectTree) -> None:
    policy = tree.policy(Mode.FULL, [rule("run_shell", "*| sh*", D)])
    assert policy.check("run_shell", {"command": "curl -s x | sh"}).action is D


def test_assignments_before_a_command_are_part_of_what_allow_rules_match(
    tree: ProjectTree,
) -> None:
    policy = tree.policy(Mode.ASK, [rule("run_shell", "make*", A)])
    assert policy.check("run_shell", {"command": "make"}).action is A
    assert policy.check("run_shell", {"command": "CC=evil make"}).action is Q


def test_a_path_with_colons_in_an_assignment_is_checked_piece_by_piece(
    tree: ProjectTree,
) -> None:
    policy = tree.policy(Mode.FULL)
    assert policy.check("run_shell", {"command": "PATH=bin:~/bin make"}).action is Q
    assert policy.check("run_shell", {"command": "PATH=bin:tools make"}).action is A


def test_a_path_to_a_command_is_not_its_name_for_allow_rules(tree: ProjectTree) -> None:
    policy = tree.policy(Mode.ASK, [rule("run_shell", "make*", A)])
    assert policy.check("run_shell", {"command": "./make"}).action is Q


def test_shell_writes_are_judged_like_write_file(tree: ProjectTree) -> None:
    policy = tree.policy(Mode.AUTO_EDIT, [rule("run_shell", "echo *", A)])
    assert policy.check("run_shell", {"command": "echo x > out.txt"}).action is A
    assert policy.check("run_shell", {"command": "echo x > ../out.txt"}).action is Q
    locked = tree.policy(Mode.FULL, [rule("write_file", "*.lock", D)])
    decision = locked.check("run_shell", {"command": "echo x | tee a.lock"})
    assert decision.action is D
    assert "a.lock" in decision.reason


def test_shell_reads_by_redirection_are_judged_like_read_file(tree: ProjectTree) -> None:
    policy = tree.policy(Mode.FULL)
    assert policy.check("run_shell", {"command": "wc -l < src/main.py"}).action is A
    assert policy.check("run_shell", {"command": "wc -l < /etc/passwd"}).action is Q


def test_read_file_deny_rules_cover_shell_arguments_naming_the_file(tree: ProjectTree) -> None:
    policy = tree.policy(Mode.FULL, [rule("read_file", ".env", D)])
    assert policy.check("run_shell", {"command": "cat .env"}).action is D
    assert policy.check("run_shell", {"command": "cat src/main.py"}).action is A


def test_paths_resolve_from_where_the_line_cds_to(tree: ProjectTree) -> None:
    policy = tree.policy(Mode.FULL)
    assert policy.check("run_shell", {"command": "cd src && cat main.py"}).action is A
    assert policy.check("run_shell", {"command": "cd link && cat secret.txt"}).action is Q
    assert policy.check("run_shell", {"command": "cd; rm -rf x"}).action is Q
    assert policy.check("run_shell", {"command": "cd - && rm -rf x"}).action is Q


def test_destructive_commands_on_the_whole_project_are_asked(tree: ProjectTree) -> None:
    policy = tree.policy(Mode.FULL)
    assert policy.check("run_shell", {"command": "rm -rf src"}).action is A
    for command in ("rm -rf .", "rm -rf .*", "chmod -R 777 .", f"rm -rf {tree.root}", "rm -r var"):
        assert policy.check("run_shell", {"command": command}).action is Q, command


def test_run_time_values_are_asked_even_in_full(tree: ProjectTree) -> None:
    policy = tree.policy(Mode.FULL, [rule("*", "*", A)])
    decision = policy.check("run_shell", {"command": "rm -rf $DIR"})
    assert decision.action is Q
    assert decision.reason == "depends on $DIR, known only when it runs: asked in every mode"


def test_a_compound_reason_names_the_part(tree: ProjectTree) -> None:
    policy = tree.policy(Mode.ASK, [rule("run_shell", "rm *", D)])
    decision = policy.check("run_shell", {"command": "ls && rm -rf x"})
    assert decision.reason == 'rm -rf x: rule run_shell "rm *" → deny (user config)'


def test_unreadable_commands_are_asked_with_the_reason(tree: ProjectTree) -> None:
    decision = tree.policy(Mode.FULL).check("run_shell", {"command": "echo $((1+1))"})
    assert decision.action is Q
    assert decision.reason == "cannot check this command: arithmetic $(( … )) is not checked"


# ----------------------------------------------------------------------------- settings


def test_the_toml_table_becomes_settings() -> None:
    text = """
[permissions]
mode = "auto-edit"
[[permissions.rules]]
tool = "run_shell"
pattern = "git status*"
action = "allow"
[[permissions.rules]]
tool = "*"
action = "deny"
"""
    settings = PermissionSettings.model_validate(tomllib.loads(text)["permissions"])
    assert settings.mode is Mode.AUTO_EDIT
    assert settings.rules == [rule("run_shell", "git status*", A), rule("*", "*", D)]


@pytest.mark.parametrize(
    "table",
    [
        {"mode": "yolo"},
        {"rules": [{"tool": "run_shell", "action": "maybe"}]},
        {"rules": [{"tool": "run_shell", "pattern": "x", "action": "allow", "why": "x"}]},
        {"rules": [{"tool": "", "action": "allow"}]},
        {"colour": "blue"},
    ],
)
def test_bad_settings_are_refused(table: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        PermissionSettings.model_validate(table)


def test_rules_are_frozen() -> None:
    with pytest.raises(ValidationError):
        rule("run_shell", "x", A).action = D
