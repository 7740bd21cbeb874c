"""The whole tree as an SVG file, drawn by scikit-learn's own ``plot_tree``.

The page folds a deep tree below a readable depth (``st.graphviz_chart`` shrinks a drawing
to its column). The download keeps every node at a legible size in a picture that scales
without blurring, for zooming in a browser or putting in a report. Text stays text
(``svg.fonttype = "none"``), so it can be searched and copied, and user column names are
never read as matplotlib mathtext (``text.parse_math = False``: a column called ``$x$`` is
the four characters it is, and a lone ``$`` cannot make the drawing fail).
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass

from core.families.decision_tree.drawing import readable_depth
from core.families.decision_tree.structure import TreeStructure, tree_structure
from core.family import FamilyFile
from core.fitting import FitResult

#: Nodes drawn at most in one file: a picture of a few hundred boxes is still readable when
#: zoomed, and plot_tree's layout time grows with every box. A larger tree is drawn to the
#: deepest depth that keeps within this, and the file name says so.
MOST_SVG_NODES = 255
#: One leaf's width and one level's height in the picture, in inches (at 9-point text).
LEAF_INCHES, LEVEL_INCHES = 1.9, 1.5
#: matplotlib's settings are process-wide and Streamlit draws a download on its own thread:
#: one drawing at a time, so two sessions' files never see each other's settings restored.
_DRAWING = threading.Lock()


@dataclass(frozen=True)
class TreeSvg:
    """An SVG picture of a fitted tree, to ``depth`` (``None``: the whole tree)."""

    svg: bytes
    depth: int | None

    @property
    def file_name(self) -> str:
        """What the download is called."""
        return svg_file_name(self.depth)


def svg_file_name(depth: int | None) -> str:
    """The download's name: ``tree.svg``, or one that says how deep a large tree is drawn."""
    return "tree.svg" if depth is None else f"tree_to_depth_{depth}.svg"


def svg_depth(structure: TreeStructure) -> int | None:
    """The depth the file is drawn to: the whole tree when it has at most
    :data:`MOST_SVG_NODES` nodes, else the deepest depth that keeps within them."""
    if structure.n_nodes <= MOST_SVG_NODES:
        return None
    return readable_depth(structure.nodes, MOST_SVG_NODES)


def tree_svg(fit: FitResult, structure: TreeStructure) -> TreeSvg:
    """The tree of ``fit`` as drawn by :func:`sklearn.tree.plot_tree`, as SVG bytes.

    Thresholds are in the units the tree was fitted on (standard deviations from the
    training mean when the page standardises, as ``tree_.threshold`` holds them).
    """
    # Imported here: matplotlib is needed only when someone asks for the file.
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from sklearn.tree import plot_tree

    depth = svg_depth(structure)
    nodes = structure.nodes if depth is None else structure.nodes[structure.nodes["depth"] <= depth]
    leaves = (
        int((nodes["is_leaf"] | (nodes["depth"] == depth)).sum()) if depth else structure.n_leaves
    )
    levels = int(nodes["depth"].max()) + 1
    settings = {"svg.fonttype": "none", "text.parse_math": False, "svg.hashsalt": "tree"}
    with _DRAWING, rc_context(settings):
        figure = Figure(figsize=(max(6.0, LEAF_INCHES * leaves), max(3.0, LEVEL_INCHES * levels)))
        FigureCanvasAgg(figure)  # plot_tree measures its text with this canvas
        axes = figure.add_subplot()
        plot_tree(
            fit.model,
            max_depth=depth,
            feature_names=list(structure.feature_names),
            class_names=list(structure.classes) if structure.classes is not None else None,
            filled=True,
            rounded=True,
            node_ids=True,
            fontsize=9,
            ax=axes,
        )
        out = io.BytesIO()
        figure.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None})
    return TreeSvg(out.getvalue(), depth)


def svg_file(fit: FitResult) -> FamilyFile:
    """The tree family's own file (``FamilySpec.own_file``): the whole tree as SVG, drawn when
    the user asks for it."""
    structure = tree_structure(fit)
    depth = svg_depth(structure)
    scaled = "scale" in fit.pipeline.named_steps
    return FamilyFile(
        label="Whole tree (SVG)" if depth is None else f"Tree to depth {depth} (SVG)",
        file_name=svg_file_name(depth),
        mime="image/svg+xml",
        help="Every node at a readable size, drawn by scikit-learn's plot_tree when you click "
        "(a few seconds for a large tree); zoom it in a browser. Thresholds are in the units "
        "the tree was fitted on"
        + (" (standard deviations, as Standardise is on)." if scaled else ".")
        + (
            ""
            if depth is None
            else f" A tree of {structure.n_nodes} nodes is drawn to depth {depth}, at most "
            f"{MOST_SVG_NODES} nodes."
        ),
        make=lambda: tree_svg(fit, structure).svg,
    )
