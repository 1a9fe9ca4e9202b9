"""Importing and exporting a task plan: a Markdown checklist and the JSON of ``tasks list
--json`` read into planned tasks (parents first, links checked) and written back."""

from __future__ import annotations

import json

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from penguin_tui.tasks.graph import find_cycle
from penguin_tui.tasks.model import Actor, Criterion, Priority, Task, TaskError, TaskStatus
from penguin_tui.tasks.transfer import (
    JSON_KEYS,
    PlannedTask,
    parse_json,
    parse_markdown,
    parse_plan,
    to_json,
    to_markdown,
)


def outline(plan: list[PlannedTask]) -> list[tuple[str, str | None, TaskStatus]]:
    """Each task's title, its parent's title and its status, in the plan's order."""
    titles = {task.key: task.title for task in plan}
    return [
        (task.title, None if task.parent_key is None else titles[task.parent_key], task.status)
        for task in plan
    ]


def sample_plan() -> dict[str, Task]:
    tasks = [
        Task(
            "T1",
            "Write the parser",
            priority=Priority.HIGH,
            description="Markdown first.\nThen JSON.",
            check="pytest tests/unit",
            criteria=(Criterion("reads nesting", done=True), Criterion("reads [X]")),
            branch="task/T1",
            checkpoints=("c1", "c2"),
            input_tokens=1200,
            output_tokens=300,
            cost_usd=None,
            time_s=12.5,
            created_by=Actor.AGENT,
            created_at=100.0,
            updated_at=200.0,
        ),
        Task("T2", "Read tabs (and spaces)", parent="T1", status=TaskStatus.DONE, cost_usd=0.25),
        Task("T3", "Write the docs", after=("T1", "T2"), priority=Priority.LOW),
        Task("T4", "Old importer", status=TaskStatus.CANCELLED),
        Task("T5", "Wait for review", parent="T2", status=TaskStatus.REVIEW, after=("T4",)),
    ]
    return {task.id: task for task in tasks}


# --- Markdown in --------------------------------------------------------------------------


def test_markdown_nests_by_indentation_of_any_width() -> None:
    text = (
        "- [ ] Build\n"
        "    - [ ] Compile\n"
        "        - [ ] Link\n"
        "\t- [ ] Package\n"
        "\t  - [ ] Sign\n"
        "  - [ ] Test\n"
        "- [ ] Ship\n"
    )
    todo = TaskStatus.TODO
    assert outline(parse_markdown(text)) == [
        ("Build", None, todo),
        ("Compile", "Build", todo),
        ("Link", "Compile", todo),
        ("Package", "Build", todo),
        ("Sign", "Package", todo),
        ("Test", "Build", todo),
        ("Ship", None, todo),
    ]


def test_markdown_reads_x_and_capital_x_as_done_and_every_bullet() -> None:
    text = "- [x] One\n* [X] Two\n+ [ ] Three\n1. [ ] Four\n"
    plan = parse_markdown(text)
    assert [(t.title, t.status) for t in plan] == [
        ("One", TaskStatus.DONE),
        ("Two", TaskStatus.DONE),
        ("Three", TaskStatus.TODO),
        ("Four", TaskStatus.TODO),
    ]
    assert [t.key for t in plan] == ["line 1", "line 2", "line 3", "line 4"]


def test_markdown_skips_headings_prose_blank_lines_and_code() -> None:
    text = (
        "# Release plan\n"
        "\n"
        "Some words about the release.\n"
        "- a note that is not a task\n"
        "---\n"
        "```\n"
        "- [ ] not a task either\n"
        "```\n"
        "- [ ] Tag the release\n"
        "\n"
        "More prose.\n"
        "  - [ ] Push the tag\n"
    )
    assert outline(parse_markdown(text)) == [
        ("Tag the release", None, TaskStatus.TODO),
        ("Push the tag", "Tag the release", TaskStatus.TODO),
    ]


def test_a_bullet_without_a_box_under_an_item_is_a_subtask_to_do() -> None:
    text = "- [x] Release\n  - write the notes\n    - [x] spell-check them\n"
    assert outline(parse_markdown(text)) == [
        ("Release", None, TaskStatus.DONE),
        ("write the notes", "Release", TaskStatus.TODO),
        ("spell-check them", "write the notes", TaskStatus.DONE),
    ]


def test_a_heading_ends_the_nesting() -> None:
    text = "- [ ] First\n## Later\n  - [ ] Second\n    - loose note\n"
    assert outline(parse_markdown(text)) == [
        ("First", None, TaskStatus.TODO),
        ("Second", None, TaskStatus.TODO),
        ("loose note", "Second", TaskStatus.TODO),
    ]


@pytest.mark.parametrize("text", ["", "\n\n", "# Plan\n\nJust prose.\n- a bullet\n"])
def test_a_file_without_checklist_items_is_refused(text: str) -> None:
    with pytest.raises(TaskError, match="no checklist items"):
        parse_markdown(text)


def test_an_item_without_a_title_is_refused_with_its_line() -> None:
    with pytest.raises(TaskError, match="line 2: a checklist item has no title"):
        parse_markdown("- [ ] One\n- [ ]\n")


def test_a_markdown_suffix_gives_id_priority_status_and_after() -> None:
    text = "- [ ] Write (T3, high, after T1, T2)\n- [ ] Read (T1, blocked)\n- [x] Old (T2)\n"
    write, read, old = parse_markdown(text)
    assert write == PlannedTask(
        key="T3", title="Write", priority=Priority.HIGH, after_keys=("T1", "T2")
    )
    assert read == PlannedTask(key="T1", title="Read", status=TaskStatus.BLOCKED)
    assert old == PlannedTask(key="T2", title="Old", status=TaskStatus.DONE)


@pytest.mark.parametrize(
    "title",
    ["Fix the bug (urgent)", "Call (T1 or T2)", "Read (T1, whenever)", "Note (T1, after x)"],
)
def test_a_parenthesis_that_is_not_a_suffix_stays_in_the_title(title: str) -> None:
    (task,) = parse_markdown(f"- [ ] {title}\n")
    assert (task.key, task.title) == ("line 1", title)


def test_markdown_after_an_id_not_in_the_file_is_refused_by_name() -> None:
    with pytest.raises(TaskError, match="T1 comes after T7, which is not in the file"):
        parse_markdown("- [ ] Write (T1, after T7)\n")


def test_markdown_with_the_same_id_twice_is_refused() -> None:
    with pytest.raises(TaskError, match="two tasks called T1"):
        parse_markdown("- [ ] One (T1)\n- [ ] Two (T1)\n")


# --- Markdown out -------------------------------------------------------------------------


def test_markdown_export_is_a_checklist_with_ids_and_what_is_not_default() -> None:
    assert to_markdown(sample_plan()) == (
        "- [ ] Write the parser (T1, high)\n"
        "  - [x] Read tabs (and spaces) (T2)\n"
        "    - [ ] Wait for review (T5, review, after T4)\n"
        "- [ ] Write the docs (T3, low, after T1, T2)\n"
        "- [x] Old importer (T4, cancelled)\n"
    )


def test_markdown_export_of_an_empty_plan_is_empty() -> None:
    assert to_markdown({}) == ""


def test_markdown_round_trip_keeps_titles_nesting_status_priority_and_after() -> None:
    tasks = sample_plan()
    plan = parse_markdown(to_markdown(tasks))
    assert [(p.key, p.title, p.parent_key, p.status, p.priority, p.after_keys) for p in plan] == [
        (t.id, t.title, t.parent, t.status, t.priority, t.after)
        for t in (tasks[i] for i in ("T1", "T2", "T5", "T3", "T4"))
    ]


titles = (
    st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1)
    .map(str.strip)
    .filter(bool)
)


@st.composite
def plans(draw: st.DrawFn) -> dict[str, Task]:
    """A random plan: each task's parent and dependencies among the tasks before it."""
    count = draw(st.integers(1, 8))
    tasks: dict[str, Task] = {}
    for number in range(1, count + 1):
        earlier = list(tasks)
        parent = draw(st.none() | st.sampled_from(earlier)) if earlier else None
        after = draw(st.lists(st.sampled_from(earlier), unique=True)) if earlier else []
        task_id = f"T{number}"
        tasks[task_id] = Task(
            task_id,
            draw(titles),
            status=draw(st.sampled_from(TaskStatus)),
            priority=draw(st.sampled_from(Priority)),
            parent=parent,
            after=tuple(after),
        )
    assume(find_cycle(tasks) is None)
    return tasks


@settings(max_examples=200, deadline=None)
@given(plans())
def test_markdown_round_trip_of_any_plan(tasks: dict[str, Task]) -> None:
    plan = parse_markdown(to_markdown(tasks))
    assert {p.key for p in plan} == set(tasks)
    for planned in plan:
        task = tasks[planned.key]
        assert planned.title == task.title
        assert planned.parent_key == task.parent
        assert planned.status == task.status
        assert planned.priority == task.priority
        assert planned.after_keys == task.after


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(" \t", max_size=4), st.booleans(), titles), min_size=1))
def test_any_checklist_nests_each_item_under_the_nearest_shallower_one_above(
    items: list[tuple[str, bool, str]],
) -> None:
    text = "".join(f"{indent}- [{'x' if done else ' '}] {t}\n" for indent, done, t in items)
    widths = [len(indent.expandtabs(4)) for indent, _, _ in items]
    plan = parse_markdown(text)
    assert len(plan) == len(items)
    for number, planned in enumerate(plan):
        shallower = [n for n in range(number) if widths[n] < widths[number]]
        assert planned.parent_key == (plan[shallower[-1]].key if shallower else None)
        assert planned.status == (TaskStatus.DONE if items[number][1] else TaskStatus.TODO)


# --- JSON ---------------------------------------------------------------------------------


def test_json_export_is_the_list_command_objects_in_order() -> None:
    objects = to_json(sample_plan(), ready={"T3"})
    assert [o["id"] for o in objects] == ["T1", "T2", "T3", "T4", "T5"]
    assert all(tuple(o) == JSON_KEYS for o in objects)
    assert objects[0] == {
        "id": "T1",
        "title": "Write the parser",
        "description": "Markdown first.\nThen JSON.",
        "status": "todo",
        "priority": "high",
        "parent": None,
        "after": [],
        "ready": False,
        "check": "pytest tests/unit",
        "criteria": [{"text": "reads nesting", "done": True}, {"text": "reads [X]", "done": False}],
        "created_by": "agent",
        "branch": "task/T1",
        "checkpoints": ["c1", "c2"],
        "input_tokens": 1200,
        "output_tokens": 300,
        "cost_usd": None,
        "time_s": 12.5,
        "created_at": 100.0,
        "updated_at": 200.0,
    }
    assert objects[2]["ready"] is True
    assert objects[2]["after"] == ["T1", "T2"]
    assert objects[1]["cost_usd"] == 0.25


def test_json_round_trip_keeps_the_plan_and_not_the_work() -> None:
    tasks = sample_plan()
    plan = parse_json(json.dumps(to_json(tasks, ready=set())))
    assert plan == [
        PlannedTask(
            key=t.id,
            title=t.title,
            description=t.description,
            status=t.status,
            priority=t.priority,
            parent_key=t.parent,
            after_keys=t.after,
            check=t.check,
            criteria=t.criteria,
        )
        for t in tasks.values()
    ]


def test_json_puts_parents_before_their_subtasks() -> None:
    objects = to_json(sample_plan(), ready=set())
    plan = parse_json(json.dumps(list(reversed(objects))))
    order = [p.key for p in plan]
    assert order == ["T1", "T2", "T5", "T4", "T3"]
    for planned in plan:
        if planned.parent_key is not None:
            assert order.index(planned.parent_key) < order.index(planned.key)


def test_json_needs_only_id_and_title() -> None:
    assert parse_json('[{"id": "a", "title": " Tidy up "}]') == [PlannedTask("a", "Tidy up")]


def test_json_with_an_unknown_parent_is_refused_by_name() -> None:
    text = '[{"id": "T1", "title": "One"}, {"id": "T2", "title": "Two", "parent": "T9"}]'
    with pytest.raises(TaskError, match="T2's parent T9 is not a task in the file"):
        parse_json(text)


def test_json_after_an_unknown_task_is_refused_by_name() -> None:
    with pytest.raises(TaskError, match="T1 comes after T4, which is not in the file"):
        parse_json('[{"id": "T1", "title": "One", "after": ["T4"]}]')


def test_json_with_an_unknown_status_names_it_and_the_allowed_ones() -> None:
    with pytest.raises(TaskError) as raised:
        parse_json('[{"id": "T1", "title": "One", "status": "started"}]')
    assert str(raised.value) == (
        "task T1: unknown status 'started' "
        "(one of todo, doing, blocked, review, done, failed, cancelled)"
    )


def test_json_with_an_unknown_priority_names_it_and_the_allowed_ones() -> None:
    with pytest.raises(TaskError, match="unknown priority 'urgent' \\(one of high, medium, low\\)"):
        parse_json('[{"id": "T1", "title": "One", "priority": "urgent"}]')


def test_json_with_a_loop_is_refused_with_the_loop_named() -> None:
    text = (
        '[{"id": "T1", "title": "One", "after": ["T2"]},'
        ' {"id": "T2", "title": "Two", "after": ["T1"]}]'
    )
    with pytest.raises(TaskError, match="the plan has a loop: T1 → T2 → T1"):
        parse_json(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not valid JSON"),
        ('[{"id": "T1",', "not valid JSON"),
        ('{"tasks": []}', "should be a list of tasks"),
        ("[]", "the file has no tasks"),
        ('["T1"]', "task 1 of the file is not a JSON object"),
        ('[{"title": "One"}]', "task 1 of the file has no id"),
        ('[{"id": "T1"}]', "task T1 has no title"),
        ('[{"id": "T1", "title": 3}]', "task T1: 'title' should be text, not 3"),
        ('[{"id": "T1", "title": "One", "after": "T2"}]', "'after' should be a list"),
        ('[{"id": "T1", "title": "One", "criteria": [1]}]', "each criterion should be"),
        ('[{"id": "T1", "title": "a"}, {"id": "T1", "title": "b"}]', "two tasks called T1"),
    ],
)
def test_a_bad_json_file_is_one_line_of_error(text: str, message: str) -> None:
    with pytest.raises(TaskError, match=message) as raised:
        parse_json(text)
    assert "\n" not in str(raised.value)


# --- Choosing the format ------------------------------------------------------------------


def test_the_plan_format_follows_the_file_name_then_the_text() -> None:
    checklist = "- [ ] One\n"
    listing = '[{"id": "T1", "title": "One"}]'
    assert parse_plan(listing, "plan.json")[0].key == "T1"
    assert parse_plan(listing, "plan")[0].key == "T1"
    assert parse_plan(checklist, "plan.txt")[0].key == "line 1"
    assert parse_plan(checklist, "PLAN.JSON.md")[0].key == "line 1"
    with pytest.raises(TaskError, match="not valid JSON"):
        parse_plan(checklist, "plan.JSON")
