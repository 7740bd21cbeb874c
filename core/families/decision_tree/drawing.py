"""The tree as Graphviz DOT text: readable node labels, class fills and one row's path."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from core.families.decision_tree.structure import LEAF, READABLE_NODES, TreeStructure
from core.text import format_number, plural

# --- the drawing -------------------------------------------------------------------------
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def dot_escape(text: Any) -> str:
    """User text made safe inside a double-quoted DOT label (without the quotes).

    Line breaks, tabs and other control characters become one space (a raw newline in a
    quoted string is a line break in the label, and a name is one line); every backslash is
    doubled (DOT reads ``\\n``, ``\\l``, ``\\N`` and the like as escapes) and every double
    quote escaped. Angle brackets, braces and bars need nothing: they are special only in
    HTML labels and record shapes, which this drawing never uses.
    """
    return _CONTROL.sub(" ", str(text)).replace("\\", "\\\\").replace('"', '\\"')


def dot_label(lines: Sequence[Any]) -> str:
    """A quoted DOT label of several centred lines, each escaped with :func:`dot_escape`."""
    return '"' + "\\n".join(dot_escape(line) for line in lines) + '"'


@dataclass(frozen=True)
class TreeDrawing:
    """A tree as Graphviz DOT text, with what the drawing leaves out.

    Parameters
    ----------
    dot : str
        The DOT source, for ``st.graphviz_chart``.
    shown : int
        Nodes drawn.
    hidden : int
        Nodes below the collapse depth, folded into their ancestor's box.
    collapse_depth : int or None
        Nodes deeper than this are hidden; ``None`` draws every node.
    path_hidden : int
        Nodes of the highlighted path that are hidden (0 when it is drawn in full).
    """

    dot: str
    shown: int
    hidden: int
    collapse_depth: int | None
    path_hidden: int


#: Fill colours of leaves by majority class (plotly's default qualitative palette, lightened).
CLASS_FILLS = (
    "#c6dbef",
    "#fdd0a2",
    "#c7e9c0",
    "#fcbba1",
    "#dadaeb",
    "#d9c2b8",
    "#f6cfe6",
    "#d9d9d9",
    "#eef0b5",
    "#bfeef3",
)
PATH_COLOUR = "#d62728"


def readable_depth(nodes: pd.DataFrame, max_nodes: int = READABLE_NODES) -> int:
    """The deepest collapse depth that draws at most ``max_nodes`` nodes (at least 1)."""
    per_depth = nodes["depth"].value_counts().sort_index().cumsum()
    fitting = per_depth[per_depth <= max_nodes]
    return max(1, int(fitting.index.max())) if len(fitting) else 1


def _descendants(nodes: pd.DataFrame, node: int) -> int:
    left, right = nodes["left"].to_numpy(), nodes["right"].to_numpy()
    count, stack = 0, [node]
    while stack:
        current = stack.pop()
        for child in (left[current], right[current]):
            if child != LEAF:
                count += 1
                stack.append(child)
    return count


def _node_lines(structure: TreeStructure, record: pd.Series) -> list[str]:
    lines = []
    if not record["is_leaf"]:
        lines.append(f"{record['feature_name']} <= {format_number(record['threshold_raw'])}")
    lines.append(f"{structure.criterion} = {format_number(record['impurity'])}")
    lines.append(f"samples = {int(record['samples'])}")
    if structure.classes is not None:
        counts = [record[f"count: {c}"] for c in structure.classes]
        lines.append("counts = [" + ", ".join(format_number(c) for c in counts) + "]")
        lines.append(f"class = {record['prediction']}")
    else:
        lines.append(f"value = {format_number(record['value'])}")
    return lines


def tree_dot(
    structure: TreeStructure,
    *,
    collapse_depth: int | None = None,
    highlight: Collection[int] = (),
) -> TreeDrawing:
    """Graphviz DOT text of the tree, collapsed below a depth, one path highlighted.

    Parameters
    ----------
    structure : TreeStructure
        The fitted tree.
    collapse_depth : int or None, default=None
        Draw nodes down to this depth; an internal node at this depth becomes a dashed box
        saying how many nodes below it are hidden. ``None`` draws every node.
    highlight : collection of int, default=()
        Node ids to draw in red with thick borders and edges (one row's decision path).

    Returns
    -------
    TreeDrawing
        Every label is escaped with :func:`dot_escape`; node ids are ``n<id>``.
    """
    nodes = structure.nodes
    highlight = {int(n) for n in highlight}
    if collapse_depth is not None and collapse_depth < 0:
        raise ValueError("The collapse depth must be 0 or more.")
    limit = structure.depth if collapse_depth is None else collapse_depth
    palette = {c: CLASS_FILLS[k % len(CLASS_FILLS)] for k, c in enumerate(structure.classes or ())}
    lines = [
        "digraph tree {",
        '  graph [ranksep=0.35, nodesep=0.25, bgcolor="transparent"];',
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10, '
        'color="#7f7f7f", fillcolor="#ffffff"];',
        '  edge [fontname="Helvetica", fontsize=9, color="#7f7f7f"];',
    ]
    shown = hidden = path_hidden = 0
    for node, record in nodes.iterrows():
        depth = int(record["depth"])
        if depth > limit:
            hidden += 1
            path_hidden += int(node) in highlight
            continue
        shown += 1
        text = _node_lines(structure, record)
        attributes = []
        collapsed = depth == limit and not record["is_leaf"]
        if collapsed:
            below = _descendants(nodes, int(node))
            text.append(f"[{below} nodes hidden below]")
            attributes.append('style="rounded,filled,dashed"')
        if record["is_leaf"] or collapsed:
            fill = palette.get(record.get("prediction"), "#eeeeee") if palette else "#eeeeee"
            attributes.append(f'fillcolor="{fill}"')
        if int(node) in highlight:
            attributes.append(f'color="{PATH_COLOUR}", penwidth=2.5')
        attributes.insert(0, f"label={dot_label(text)}")
        lines.append(f"  n{node} [{', '.join(attributes)}];")
        if record["parent"] >= 0:
            parent = int(record["parent"])
            answer = "yes" if nodes.at[parent, "left"] == node else "no"
            edge = [f"label={dot_label([answer])}"]
            if int(node) in highlight and parent in highlight:
                edge.append(f'color="{PATH_COLOUR}", penwidth=2.5')
            lines.append(f"  n{parent} -> n{node} [{', '.join(edge)}];")
    lines.append("}")
    return TreeDrawing(
        dot="\n".join(lines) + "\n",
        shown=shown,
        hidden=hidden,
        collapse_depth=collapse_depth,
        path_hidden=path_hidden,
    )


def path_dot(structure: TreeStructure, path: Sequence[int]) -> TreeDrawing:
    """Graphviz DOT text of one row's path only: every node it visits (in red), and at each
    question the branch it did not take as one dashed box counting the nodes below it.

    Unlike :func:`tree_dot`, its size grows with the path's length, not the tree's width,
    so a path through a deep tree is drawn whole (dtreeviz draws a path the same way).

    Returns
    -------
    TreeDrawing
        ``shown`` the boxes drawn, ``hidden`` the nodes folded into the branches not taken,
        ``path_hidden`` 0.
    """
    nodes = structure.nodes
    on_path = [int(n) for n in path]
    palette = {c: CLASS_FILLS[k % len(CLASS_FILLS)] for k, c in enumerate(structure.classes or ())}
    lines = [
        "digraph path {",
        '  graph [ranksep=0.3, nodesep=0.25, bgcolor="transparent"];',
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10, '
        'color="#7f7f7f", fillcolor="#ffffff"];',
        '  edge [fontname="Helvetica", fontsize=9, color="#7f7f7f"];',
    ]
    shown = hidden = 0
    for step, node in enumerate(on_path):
        record = nodes.loc[node]
        attributes = [f"label={dot_label(_node_lines(structure, record))}"]
        if record["is_leaf"]:
            fill = palette.get(record.get("prediction"), "#eeeeee") if palette else "#eeeeee"
            attributes.append(f'fillcolor="{fill}"')
        attributes.append(f'color="{PATH_COLOUR}", penwidth=2.5')
        lines.append(f"  n{node} [{', '.join(attributes)}];")
        shown += 1
        if step + 1 < len(on_path):
            taken = on_path[step + 1]
            for child, answer in ((int(record["left"]), "yes"), (int(record["right"]), "no")):
                edge = [f"label={dot_label([answer])}"]
                if child == taken:
                    edge.append(f'color="{PATH_COLOUR}", penwidth=2.5')
                else:
                    below = 1 + _descendants(nodes, child)
                    hidden += below
                    shown += 1
                    label = dot_label([f"not taken: {plural(below, 'node')}"])
                    lines.append(
                        f'  n{child} [label={label}, style="rounded,dashed", fillcolor="#ffffff"];'
                    )
                lines.append(f"  n{node} -> n{child} [{', '.join(edge)}];")
    lines.append("}")
    return TreeDrawing(
        dot="\n".join(lines) + "\n", shown=shown, hidden=hidden, collapse_depth=None, path_hidden=0
    )
