"""The command line's arguments: one parser per command group, built only when that group
runs. argparse only, so a bad flag is answered before any command's module is imported."""

from __future__ import annotations

import argparse
from typing import Any


def _add_model_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", metavar="M", help="model name, e.g. openai/gpt-4o-mini")
    parser.add_argument(
        "--api-base",
        metavar="URL",
        help="an OpenAI-compatible server, e.g. http://localhost:8000/v1",
    )


def workbench_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="penguin-tui",
        description="A terminal workbench for AI-assisted coding.",
        epilog="Sub-commands: run, sessions, checkpoints, branches, audit, permissions, models, "
        "usage, config (each with --help).",
    )
    parser.add_argument(
        "directory", nargs="?", metavar="DIR", help="project directory (default: .)"
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open a fresh demo project with the scripted demo model (no key, no network)",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument(
        "--plain",
        action="store_true",
        help="a line-by-line REPL instead of the full-screen workbench (screen readers, SSH)",
    )
    _add_model_flags(parser)
    resume = parser.add_mutually_exclusive_group()
    resume.add_argument(
        "--continue",
        dest="continue_",
        action="store_true",
        help="resume the project's latest session",
    )
    resume.add_argument("--session", metavar="ID", help="resume session ID")
    return parser


def run_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="penguin-tui run", description="Send one prompt headless and stream the reply."
    )
    parser.add_argument(
        "-C", dest="directory", metavar="DIR", help="project directory (default: .)"
    )
    _add_model_flags(parser)
    parser.add_argument("--json", action="store_true", help="one JSON event per line on stdout")
    resume = parser.add_mutually_exclusive_group()
    resume.add_argument(
        "--continue",
        dest="continue_",
        action="store_true",
        help="continue the project's latest session",
    )
    resume.add_argument("--session", metavar="ID", help="continue session ID")
    parser.add_argument(
        "--max-cost",
        dest="max_cost",
        type=_positive_float,
        metavar="USD",
        help="the run's dollar budget (exit 3 when it stops the turn)",
    )
    _add_approval_flags(parser)
    parser.add_argument("prompt", metavar="PROMPT", help="the prompt; '-' reads it from stdin")
    return parser


def audit_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="penguin-tui audit", description="Every tool call, its decision and its outcome."
    )
    parser.add_argument(
        "-C", dest="directory", metavar="DIR", help="project directory (default: .)"
    )
    parser.add_argument("--session", metavar="ID", help="only this session")
    parser.add_argument("--json", action="store_true", help="print JSON")
    return parser


def permissions_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="penguin-tui permissions", description="Permissions.")
    sub = parser.add_subparsers(dest="action", required=True, metavar="check")
    check = sub.add_parser("check", help="how a tool call would be judged, and why")
    check.add_argument("-C", dest="directory", metavar="DIR", help="project directory (default: .)")
    check.add_argument("tool", metavar="TOOL")
    check.add_argument("args", nargs="+", metavar="ARG")
    return parser


def models_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="penguin-tui models",
        description="The models that can be used: the server's own list when an API base is "
        "given or configured, then litellm's offline catalog, with what is known of each.",
    )
    parser.add_argument(
        "-C", dest="directory", metavar="DIR", help="project directory (default: .)"
    )
    parser.add_argument(
        "--provider", metavar="P", help="only this provider's models, e.g. anthropic"
    )
    parser.add_argument(
        "--api-base",
        metavar="URL",
        help="list this OpenAI-compatible or Ollama server's models too",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    return parser


def setup_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="penguin-tui setup",
        description="Choose a provider, its key, a model and the permission mode, and write "
        "them to the user config. Asks step by step; with --yes, takes the flags and asks "
        "nothing.",
    )
    parser.add_argument(
        "--provider",
        metavar="NAME",
        help="openai, anthropic, openrouter, gemini, ollama or openai-compatible",
    )
    parser.add_argument("--api-base", metavar="URL", help="the server's API base")
    parser.add_argument("--model", metavar="M", help="the model, as the provider lists it")
    parser.add_argument(
        "--key-env",
        metavar="VAR",
        help="read the key from this environment variable at run time (its name is recorded)",
    )
    parser.add_argument(
        "--mode",
        metavar="MODE",
        help="permission mode: ask (default), read-only, auto-edit or full",
    )
    parser.add_argument(
        "--yes", action="store_true", help="ask nothing: use the flags (--provider, --model)"
    )
    return parser


def config_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="penguin-tui config",
        description="Read and change the settings: the user file, or the project's with "
        "--project. Writes keep the file's comments and layout.",
    )
    sub = parser.add_subparsers(
        dest="action", required=True, metavar="get|set|unset|list|edit|validate|path"
    )
    get = sub.add_parser("get", help="print a setting's effective value")
    get.add_argument("key", metavar="KEY", help="dotted, e.g. agent.max_steps")
    set_ = sub.add_parser("set", help="set a setting in the user (or project) file")
    set_.add_argument("key", metavar="KEY", help="dotted, e.g. agent.max_steps")
    set_.add_argument(
        "value",
        metavar="VALUE",
        help='a TOML literal (true, 3, 1.5, "text", ["a", "b"]) or else a string',
    )
    unset = sub.add_parser("unset", help="remove a setting from the user (or project) file")
    unset.add_argument("key", metavar="KEY", help="dotted, e.g. agent.max_steps")
    listing = sub.add_parser("list", help="every effective value and the layer it came from")
    listing.add_argument("--json", action="store_true", help="print JSON")
    _add_model_flags(listing)
    _add_model_flags(get)
    edit = sub.add_parser("edit", help="open the user (or project) file in $EDITOR")
    sub.add_parser("validate", help="check the user and project files")
    sub.add_parser("path", help="print where the user config file is")
    for each in (get, set_, unset, listing, edit, sub.choices["validate"]):
        each.add_argument(
            "-C", dest="directory", metavar="DIR", help="project directory (default: .)"
        )
    for each in (set_, unset, edit):
        each.add_argument(
            "--project", action="store_true", help="the project's .penguin/config.toml"
        )
    return parser


def sessions_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="penguin-tui sessions", description="Past sessions.")
    sub = parser.add_subparsers(dest="action", required=True, metavar="list|show|export")
    listing = sub.add_parser("list", help="list sessions, newest first")
    listing.add_argument(
        "-C", dest="directory", metavar="DIR", help="project directory (default: .)"
    )
    listing.add_argument("--all", action="store_true", help="sessions of every project")
    listing.add_argument("--json", action="store_true", help="print JSON")
    show = sub.add_parser("show", help="print a session's conversation")
    show.add_argument("session_id", metavar="ID")
    show.add_argument("--json", action="store_true", help="print JSON")
    export = sub.add_parser("export", help="export a session (secrets redacted)")
    export.add_argument("session_id", metavar="ID")
    export.add_argument("--format", choices=("md", "json"), default="md")
    return parser


def _checkpoint_flags() -> argparse.ArgumentParser:
    """-C, --session and --json, shared by every checkpoints and branches command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-C", dest="directory", metavar="DIR", help="project directory (default: .)"
    )
    common.add_argument(
        "--session", metavar="ID", help="session ID (default: the project's latest session)"
    )
    common.add_argument("--json", action="store_true", help="print JSON")
    return common


def checkpoints_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="penguin-tui checkpoints",
        description="Snapshots of the project's code and conversation: list, take, compare, "
        "revert, undo and redo.",
    )
    sub = parser.add_subparsers(
        dest="action", required=True, metavar="list|create|diff|revert|undo|redo"
    )
    common = _checkpoint_flags()
    sub.add_parser("list", parents=[common], help="the session's checkpoints, newest first")
    create = sub.add_parser("create", parents=[common], help="take a checkpoint now")
    create.add_argument("--label", metavar="L", default="", help="a label for it")
    diff = sub.add_parser(
        "diff", parents=[common], help="compare checkpoint A with B (default: the working tree)"
    )
    diff.add_argument("old", metavar="A", help="checkpoint id (a unique prefix is enough)")
    diff.add_argument("new", metavar="B", nargs="?", help="checkpoint id (default: working tree)")
    diff.add_argument("--stat", action="store_true", help="per-file +/- counts and a total")
    revert = sub.add_parser(
        "revert",
        parents=[common],
        help="go back to a checkpoint's code, conversation, tasks, or any of them together",
    )
    revert.add_argument("id", metavar="ID", help="checkpoint id (a unique prefix is enough)")
    for flag, help_text in (
        ("code", "the code (combines with the others)"),
        ("conversation", "the conversation (combines with the others)"),
        ("tasks", "the task plan (combines with the others)"),
        ("both", "the code and the conversation (the default)"),
        ("all", "the code, the conversation and the tasks"),
    ):
        revert.add_argument(f"--{flag}", action="store_true", help=help_text)
    revert.add_argument("--yes", "-y", action="store_true", help="revert without asking")
    sub.add_parser("undo", parents=[common], help="undo the last revert or merge")
    sub.add_parser("redo", parents=[common], help="apply the last undone revert or merge again")
    return parser


def branches_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="penguin-tui branches",
        description="Branches of the session: lines of work, each with its code and conversation.",
    )
    sub = parser.add_subparsers(dest="action", required=True, metavar="list|create|switch|merge")
    common = _checkpoint_flags()
    sub.add_parser("list", parents=[common], help="the session's branches")
    create = sub.add_parser(
        "create", parents=[common], help="a new branch at a checkpoint, switched to"
    )
    create.add_argument("name", metavar="NAME")
    create.add_argument(
        "--from",
        dest="source",
        metavar="ID",
        required=True,
        help="the checkpoint it starts from (a unique prefix is enough)",
    )
    switch = sub.add_parser("switch", parents=[common], help="switch to another branch")
    switch.add_argument("name", metavar="NAME")
    merge = sub.add_parser(
        "merge", parents=[common], help="three-way merge another branch's code into this one"
    )
    merge.add_argument("name", metavar="NAME")
    merge.add_argument(
        "--files", nargs="+", metavar="F", help="take only these files from NAME (cherry-pick)"
    )
    merge.add_argument(
        "--dry-run",
        action="store_true",
        help="only show the files that would change and the conflicts foreseen",
    )
    return parser


def _task_flags() -> argparse.ArgumentParser:
    """-C and --json, shared by every tasks command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-C", dest="directory", metavar="DIR", help="project directory (default: .)"
    )
    common.add_argument("--json", action="store_true", help="print JSON")
    return common


PRIORITIES = ("high", "medium", "low")
STATUSES = ("todo", "doing", "blocked", "review", "done", "failed", "cancelled")


def _add_approval_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--approve",
        choices=("deny", "all"),
        default="deny",
        help="answer every question about a tool call: deny (default) or all",
    )
    parser.add_argument(
        "--allow",
        action="append",
        default=[],
        metavar="PATTERN",
        help="allow matching calls without asking: a shell glob ('pytest*') or TOOL:GLOB "
        "('write_file:src/*'); repeatable",
    )


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def _run_tasks_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    run = sub.add_parser(
        "run",
        parents=[common],
        help="carry out the ready tasks, each on its own branch (goes on after a stop)",
    )
    _add_model_flags(run)
    run.add_argument("--task", metavar="ID", help="try this one task (again), on a new branch")
    run.add_argument(
        "--max-tasks", dest="max_tasks", type=_positive_int, metavar="N", help="start at most N"
    )
    run.add_argument(
        "--max-cost",
        dest="max_cost",
        type=_positive_float,
        metavar="USD",
        help="the run's dollar budget (exit 3 when it stops the run)",
    )
    _add_approval_flags(run)


def budget_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="penguin-tui budget",
        description="The dollar budgets of [budget]: what is spent and left, and the "
        "project's count started again.",
    )
    sub = parser.add_subparsers(dest="action", required=True, metavar="show|reset")
    common = _task_flags()
    sub.add_parser("show", parents=[common], help="each budget: limit, spent, left, since")
    sub.add_parser("reset", parents=[common], help="the project's budget counts from now")
    return parser


def tasks_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="penguin-tui tasks",
        description="The project's task plan, shared with the agent: add, list, show, edit, "
        "finish, cancel, import and export tasks.",
    )
    sub = parser.add_subparsers(
        dest="action",
        required=True,
        metavar="add|list|show|edit|done|cancel|import|export|run",
    )
    common = _task_flags()
    add = sub.add_parser("add", parents=[common], help="add a task; prints its id")
    add.add_argument("title", metavar="TITLE")
    add.add_argument("--parent", metavar="ID", help="make it a subtask of ID")
    add.add_argument("--after", metavar="ID", action="append", help="it waits for ID (repeatable)")
    add.add_argument("--priority", choices=PRIORITIES, default="medium")
    add.add_argument("--check", metavar="CMD", help="a command that exits 0 when it is done")
    add.add_argument("--description", metavar="TEXT")
    add.add_argument(
        "--criterion", metavar="TEXT", action="append", help="an acceptance criterion (repeatable)"
    )
    listing = sub.add_parser("list", parents=[common], help="the plan as a tree")
    listing.add_argument("--all", action="store_true", help="done and cancelled tasks too")
    show = sub.add_parser("show", parents=[common], help="one task, with its history")
    show.add_argument("id", metavar="ID")
    edit = sub.add_parser("edit", parents=[common], help="change a task")
    edit.add_argument("id", metavar="ID")
    edit.add_argument("--title", metavar="TEXT")
    edit.add_argument("--description", metavar="TEXT")
    edit.add_argument("--status", choices=STATUSES)
    edit.add_argument("--priority", choices=PRIORITIES)
    edit.add_argument("--after", metavar="ID", action="append", help="add a dependency")
    edit.add_argument(
        "--not-after", dest="not_after", metavar="ID", action="append", help="drop a dependency"
    )
    edit.add_argument("--parent", metavar="ID", help="move it under ID")
    edit.add_argument("--check", metavar="CMD", help="its check command ('' removes it)")
    for name, text in (("done", "mark a task done"), ("cancel", "cancel a task and its subtasks")):
        action = sub.add_parser(name, parents=[common], help=text)
        action.add_argument("id", metavar="ID")
    importing = sub.add_parser(
        "import", parents=[common], help="add the tasks of a Markdown checklist or a JSON list"
    )
    importing.add_argument("file", metavar="FILE")
    _run_tasks_parser(sub, common)
    export = sub.add_parser("export", help="print the plan as Markdown or JSON")
    export.add_argument(
        "-C", dest="directory", metavar="DIR", help="project directory (default: .)"
    )
    export.add_argument("--format", choices=("md", "json"), default="md")
    return parser


def usage_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="penguin-tui usage",
        description="Calls, tokens, dollars, failures and speed of the recorded model calls.",
    )
    parser.add_argument(
        "-C", dest="directory", metavar="DIR", help="project directory (default: .)"
    )
    parser.add_argument("--all", action="store_true", help="the calls of every project")
    parser.add_argument(
        "--by",
        choices=("model", "provider", "session", "branch", "task", "day"),
        default="model",
        help="how to group the calls (default: model; branch: per session and branch)",
    )
    parser.add_argument(
        "--since", metavar="DATE", help="only calls from this local day on (YYYY-MM-DD)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    return parser
