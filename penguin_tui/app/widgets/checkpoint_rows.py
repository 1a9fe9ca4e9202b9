"""What the checkpoint browser's rows say: the row of a checkpoint or a branch, its details
in full (i), where branches fork, and the files a checkpoint left out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text

from penguin_tui import formatting
from penguin_tui.app.markdown_style import LineColours
from penguin_tui.formatting import age, line_counts, money, tokens

if TYPE_CHECKING:
    from penguin_tui.checkpoints.model import Branch, Checkpoint

KIND_MARK = {"auto": "·", "manual": "★", "safety": "◌"}


def step_spend(checkpoint: Checkpoint, parent: Checkpoint | None) -> tuple[int, float | None]:
    """Tokens and dollars spent between a checkpoint and its parent on the same path."""
    now_tokens = checkpoint.usage.input_tokens + checkpoint.usage.output_tokens
    before_tokens = parent.usage.input_tokens + parent.usage.output_tokens if parent else 0
    spent = max(0, now_tokens - before_tokens)
    if checkpoint.usage.cost_usd is None:
        return spent, None
    before_cost = parent.usage.cost_usd or 0.0 if parent else 0.0
    return spent, max(0.0, checkpoint.usage.cost_usd - before_cost)


def by_branch(checkpoints: Sequence[Checkpoint]) -> dict[str, list[Checkpoint]]:
    """Each branch's checkpoints, in the order given (oldest first)."""
    grouped: dict[str, list[Checkpoint]] = {}
    for checkpoint in checkpoints:
        grouped.setdefault(checkpoint.branch, []).append(checkpoint)
    return grouped


def fork_points(
    checkpoints: Sequence[Checkpoint], branches: Sequence[Branch]
) -> dict[str, Checkpoint]:
    """Where each branch forked: the checkpoint on another branch its own line starts from
    (its first checkpoint's parent, or its position while it has none of its own)."""
    by_id = {c.id: c for c in checkpoints}
    grouped = by_branch(checkpoints)
    forks: dict[str, Checkpoint] = {}
    for branch in branches:
        own = grouped.get(branch.name)
        start = own[0].parent_id if own else branch.position_id
        origin = by_id.get(start or "")
        if origin is not None and origin.branch != branch.name:
            forks[branch.name] = origin
    return forks


def checkpoint_label(
    checkpoint: Checkpoint,
    parent: Checkpoint | None,
    position: bool,
    marked: bool,
    now: float,
    colours: LineColours,
    branch_position: bool = False,
) -> Text:
    """One row: position marker (● the current position, ○ another branch's), id, age,
    kind, files and lines, spend, files left out (⊘), label (the browser adds the branches
    that fork there)."""
    spent, dollars = step_spend(checkpoint, parent)
    text = Text()
    text.append("● " if position else "○ " if branch_position else "  ", style="bold")
    text.append("◆ " if marked else "", style="bold")
    text.append(checkpoint.id[:8], style="bold" if position else "")
    text.append(f" {age(now - checkpoint.created_at):>3}", style="dim")
    text.append(f" {KIND_MARK.get(checkpoint.kind.value, '·')} ")
    text.append(f"{checkpoint.files_changed}f ")
    if checkpoint.parent_id is None:
        text.append("initial ", style="dim")  # the whole project; its lines are not counted
    else:
        lines = line_counts(checkpoint.lines_added, checkpoint.lines_removed, "−", gap="")
        counts = Text(lines + " ")
        counts.highlight_regex(r"\+\d+", colours.added)
        counts.highlight_regex(r"−\d+ ", colours.removed)
        text.append_text(counts)
    if spent:
        text.append(f"{tokens(spent, shorten_from=1000)} {money(dollars)} ", style="dim")
    if checkpoint.skipped:
        text.append(f"⊘{len(checkpoint.skipped)} ", style="bold")
    text.append(checkpoint.label or checkpoint.kind.value, style="italic")
    return text


KIND_WORD = {"auto": "automatic", "manual": "manual", "safety": "safety"}


def checkpoint_details(
    checkpoint: Checkpoint,
    parent: Checkpoint | None,
    *,
    here: bool,
    position_of: str | None,
    forks: Sequence[str],
    now: float,
) -> str:
    """Everything a checkpoint's row says, in full (the pane cuts long rows): its label,
    what it changed and spent, what it left out, whose position it is, the branches that
    fork there."""
    kind = KIND_WORD.get(checkpoint.kind.value, checkpoint.kind.value)
    lines = [
        f"{checkpoint.id} on {checkpoint.branch} · {kind} · {age(now - checkpoint.created_at)} ago"
    ]
    if checkpoint.label:
        lines.append(checkpoint.label)
    files = "1 file" if checkpoint.files_changed == 1 else f"{checkpoint.files_changed} files"
    if checkpoint.parent_id is None:
        change = f"the whole project: {files}"
    else:
        since = checkpoint.parent_id[:8]
        change = (
            f"{files} changed since {since}, "
            f"{line_counts(checkpoint.lines_added, checkpoint.lines_removed, '−')} lines"
        )
    spent, dollars = step_spend(checkpoint, parent)
    if spent:
        change += f" · {tokens(spent, shorten_from=None)} tokens, {money(dollars)}"
    lines.append(change)
    if checkpoint.skipped:
        count = len(checkpoint.skipped)
        lines.append(f"⊘ left out {count} file{'s' if count > 1 else ''} (enter lists them)")
    if here:
        lines.append("● the current position: the working state comes from here")
    elif position_of is not None:
        lines.append(f"○ the position of {position_of}: switching to it comes back here")
    if forks:
        lines.append("⎇ branches from here: " + ", ".join(forks))
    return "\n".join(lines)


def branch_details(branch: Branch, origin: Checkpoint | None, checkpoints: int) -> str:
    """Everything a branch's row says, in full: where it forked and where it stands."""
    lines = [f"⎇ {branch.name}" + (" (current)" if branch.current else "")]
    if origin is not None:
        lines.append(f"forked from {formatting.checkpoint_label(origin)}")
    count = "1 checkpoint" if checkpoints == 1 else f"{checkpoints} checkpoints"
    at = f"at {branch.position_id[:8]}" if branch.position_id else "no position yet"
    lines.append(f"{count} of its own; {at}")
    return "\n".join(lines)


LEFT_OUT_SHOWN = 8  # files listed in the diff pane's header; the rest are counted


def left_out_notice(checkpoint_id: str, skipped: Sequence[tuple[str, str]]) -> str:
    """The notification for files a checkpoint could not save (too big, unreadable…)."""
    named = ", ".join(f"{path} ({reason})" for path, reason in skipped[:3])
    more = f" and {len(skipped) - 3} more" if len(skipped) > 3 else ""
    files = "1 file" if len(skipped) == 1 else f"{len(skipped)} files"
    them = "it" if len(skipped) == 1 else "them"
    return (
        f"checkpoint {checkpoint_id[:8]} left out {files}: {named}{more} — not saved, so a "
        f"revert leaves {them} as {them == 'it' and 'it is' or 'they are'}; enter on the "
        "checkpoint (f6) lists them"
    )


def left_out_details(skipped: Sequence[tuple[str, str]]) -> Text:
    """The files a checkpoint left out and why, for the diff pane's header."""
    text = Text()
    if not skipped:
        return text
    text.append(
        f"\nLeft out of this checkpoint ({len(skipped)}; not saved, a revert leaves them as "
        "they are):\n",
        style="bold",
    )
    for path, reason in skipped[:LEFT_OUT_SHOWN]:
        text.append(f"  ⊘ {path}", style="bold")
        text.append(f" — {reason}\n")
    if len(skipped) > LEFT_OUT_SHOWN:
        text.append(f"  … and {len(skipped) - LEFT_OUT_SHOWN} more\n", style="dim")
    return text
