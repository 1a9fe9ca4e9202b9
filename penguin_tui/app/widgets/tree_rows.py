"""What the side column's trees share about their rows: a row cut to the pane's width."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode


def fit_to_pane(tree: Tree[Any], node: TreeNode[Any], text: Text) -> Text:
    """``text`` ending in "…" where the pane would cut it, after the node's indent."""
    depth = 0
    walk = node.parent
    while walk is not None and walk is not tree.root:
        depth += 1
        walk = walk.parent
    room = tree.scrollable_content_region.width - depth * tree.guide_depth
    if room > 1 and text.cell_len > room:
        text.truncate(room, overflow="ellipsis")
    return text
