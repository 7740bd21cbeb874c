"""Views only the decision tree has: its nodes and drawing, how depth and pruning move what
it learns, and its feature importances (one row's path is in the shared Predict tab).

Everything is placed from :mod:`core.families.decision_tree.drawing` and
:mod:`core.families.decision_tree.figures`. The depth and pruning sweeps are refits of the
one sweep engine, timed first by its estimate (:func:`core.sweeps.sweep_seconds`): long
ones wait for a click (:func:`ui.widgets.confirm_long_work`) and run with a progress bar.
They are cached here, keyed by the page's setting without the swept hyperparameter (moving
it along the sweep redraws from the cache).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import streamlit as st

from core.data.tables import Dataset
from core.families.decision_tree.drawing import readable_depth, tree_dot
from core.families.decision_tree.refits import (
    TreeSweep,
    depth_sweep,
    depth_sweep_seconds,
    pruning_sweep,
    pruning_sweep_seconds,
)
from core.families.decision_tree.structure import (
    IMPORTANCE_CAVEAT,
    TreeStructure,
    importance_table,
)
from core.fitting import FitResult
from core.learned import LearnedParameters
from core.setting import Setting
from core.text import escape_markdown, format_number
from ui.cache import cached_warm_fit_seconds
from ui.family_page import PageFit
from ui.tables import hiding, more_columns_note, show_table
from ui.widgets import confirm_long_work, grid_value

NUMBER = st.column_config.NumberColumn(format="%.4g")
#: The split table's columns shown from its column menu: the drawing holds them too, and
#: beside the feature and threshold they need more than half of a 1280 px page.
SPLIT_DETAIL = ["depth", "samples", "yes (<=) node", "no (>) node"]


# --- cached refits -----------------------------------------------------------------------
def _bar(text: str):
    """A progress bar made inside a cached function (so a cache hit replays it and its
    removal) and the ``progress(done, total)`` callback that moves it."""
    bar = st.progress(0.0, text=text)

    def progress(done: int, total: int) -> None:
        bar.progress(done / total, text=f"{text} {done} of {total}")

    return bar, progress


@st.cache_data(max_entries=16, show_spinner=False)
def cached_depth_sweep(sweep_key: Setting, _fit: FitResult, _dataset: Dataset) -> TreeSweep:
    """:func:`core.families.decision_tree.refits.depth_sweep`; ``sweep_key`` is the fit's key
    without ``max_depth``."""
    bar, progress = _bar("Refitting the tree at each max_depth:")
    sweep = depth_sweep(_fit, _dataset, sweep_key, progress=progress)
    bar.empty()
    return sweep


@st.cache_data(max_entries=16, show_spinner=False)
def cached_pruning_sweep(sweep_key: Setting, _fit: FitResult, _dataset: Dataset) -> TreeSweep:
    """:func:`core.families.decision_tree.refits.pruning_sweep`; ``sweep_key`` is the fit's key
    without ``ccp_alpha`` (the path is computed from an unpruned tree whatever the current
    value)."""
    bar, progress = _bar("Refitting the tree along the pruning path:")
    sweep = pruning_sweep(_fit, _dataset, sweep_key, progress=progress)
    bar.empty()
    return sweep


#: Nodes drawn by default: fewer than :data:`core.families.decision_tree.structure.READABLE_NODES`,
#: because
#: ``st.graphviz_chart`` shrinks a drawing to its column (the panel's is half the page) and
#: a sideways tree of 16 leaves is already twice a screen tall.
DRAWN_NODES = 15


def _draw(
    structure: TreeStructure,
    key: str,
    highlight: list[int] | None = None,
    max_nodes: int = DRAWN_NODES,
) -> None:
    """The tree drawing, collapsed below a readable depth, with a control to show more and
    a sentence on what is hidden."""
    nodes = structure.nodes
    readable = readable_depth(nodes, max_nodes)
    collapse: int | None = None
    if structure.depth > readable:
        collapse = st.slider(
            "Depth drawn",
            min_value=1,
            max_value=structure.depth,
            value=readable,
            key=key,
            help="Nodes deeper than this are folded into dashed boxes. Deep trees take a "
            "moment to lay out.",
        )
        if collapse >= structure.depth:
            collapse = None
    drawing = tree_dot(structure, collapse_depth=collapse, highlight=highlight or ())
    if drawing.hidden:
        text = (
            f"Drawn to depth {collapse} of {structure.depth}: {drawing.shown} of "
            f"{structure.n_nodes} nodes; {drawing.hidden} nodes are hidden below the dashed "
            "boxes. Raise **Depth drawn** to see more; the tables list every node, and "
            "Reproduce has the whole tree as an SVG file."
        )
        if drawing.path_hidden:
            text += f" {drawing.path_hidden} nodes of this row's path are below the drawn depth."
        st.caption(text)
    elif structure.depth > readable:  # the control above drew the whole tree: say so
        st.caption(f"All {structure.n_nodes} nodes drawn (depth {structure.depth}).")
    elif structure.n_nodes == 1:
        st.caption("The tree is a single leaf: nothing to draw but the root.")
    # A small tree, drawn whole without asking, needs no sentence: nothing is hidden.
    dot = left_to_right(drawing.dot) if sideways(nodes, collapse) else drawing.dot
    st.graphviz_chart(dot, width="content")


#: Rough size of a node box in the drawing, in pixels: its width and its rank's step down.
BOX_WIDTH, BOX_STEP = 110, 150


def sideways(nodes: pd.DataFrame, collapse: int | None) -> bool:
    """Whether the drawing reads better from left to right.

    ``st.graphviz_chart`` shrinks a drawing to its column. Top-down, a tree is as wide as
    its most crowded depth; sideways, as wide as its number of depths. Whichever is
    narrower keeps the labels larger: a small tree stays top-down, a bushy one (8 or 16
    nodes at its deepest drawn level) turns sideways, its leaves stacked.
    """
    drawn = nodes["depth"] if collapse is None else nodes["depth"][nodes["depth"] <= collapse]
    widest = int(drawn.value_counts().max())
    return widest * BOX_WIDTH > (int(drawn.max()) + 1) * BOX_STEP


def left_to_right(dot: str) -> str:
    """The DOT text laid out from left to right (a graph statement after the opening line:
    ``core.families.decision_tree.drawing.tree_dot`` has no layout option)."""
    head, _, body = dot.partition("\n")
    return f"{head}\n  rankdir=LR;\n{body}"


def split_table(structure: TreeStructure, scaled: bool) -> pd.DataFrame:
    """The internal nodes as shown: feature, threshold in the features' own units (and as
    held when standardised), impurity, samples and children."""
    nodes = structure.nodes
    internal = nodes[~nodes["is_leaf"]].reset_index()
    table = pd.DataFrame(
        {
            "node": internal["node"],
            "depth": internal["depth"],
            "feature": internal["feature_name"],
            "threshold": internal["threshold_raw"],
        }
    )
    if scaled:
        table["threshold (standardised)"] = internal["threshold"]
    table[structure.criterion] = internal["impurity"]
    table["samples"] = internal["samples"]
    table["yes (<=) node"] = internal["left"]
    table["no (>) node"] = internal["right"]
    return table


def leaf_table(structure: TreeStructure) -> pd.DataFrame:
    """The leaves as shown: samples, impurity and the value (regressor), or the predicted
    class with each class's count and fraction (classifier)."""
    nodes = structure.nodes
    leaves = nodes[nodes["is_leaf"]].reset_index()
    columns = ["node", "depth", "samples", "impurity"]
    if structure.classes is None:
        columns.append("value")
    else:
        columns.append("prediction")
        columns += [f"count: {c}" for c in structure.classes]
        columns += [f"fraction: {c}" for c in structure.classes]
    return leaves[columns].rename(columns={"impurity": structure.criterion})


# --- the learned-parameters panel --------------------------------------------------------
def tree_panel(page: PageFit, learned: LearnedParameters) -> None:
    """A tree's learned parameters: the counts, the drawing (collapsed), every split and
    every leaf."""
    structure: TreeStructure = learned.detail
    per_leaf = len(structure.classes) if structure.classes is not None else 1
    # Four numbers share half of a 1280 px page: "Learned parameters" beside three more
    # labels does not fit, so the heading above says "learned" and the help says it again.
    c1, c2, c3, c4 = st.columns([3, 2, 2, 2])
    c1.metric(
        "Parameters",
        f"{learned.n_parameters:,}",
        help="Learned parameters: a feature and a threshold per split, and "
        + (f"{per_leaf} class fractions" if structure.classes is not None else "one value")
        + " per leaf. The tree's shape follows from the splits and is not counted again; "
        "feature importances are computed afterwards, not learned.",
    )
    c2.metric("Splits", structure.n_splits, help="Internal nodes: one question each.")
    c3.metric("Leaves", structure.n_leaves, help="The nodes that predict.")
    c4.metric("Depth", structure.depth, help="The most questions from the root to a leaf.")
    st.caption(
        f"Counted: {structure.n_splits} splits × 2 (feature, threshold) + "
        f"{structure.n_leaves} leaves × {per_leaf} "
        + ("(class fractions)" if structure.classes is not None else "(prediction)")
        + f" = {structure.n_parameters:,}."
    )
    _draw(structure, key="tree_drawn")
    scaled = "scale" in page.fit.pipeline.named_steps
    st.markdown(f"**Splits** ({structure.n_splits}): *yes* when a row's value <= the threshold")
    if structure.n_splits:
        splits = split_table(structure, scaled)
        show_table(
            splits,
            hide_index=True,
            height=min(35 * len(splits) + 38, 282),
            column_config=hiding(
                {
                    "threshold": st.column_config.NumberColumn(
                        format="%.6g", help="In the feature's own units."
                    ),
                    "threshold (standardised)": st.column_config.NumberColumn(
                        "as held",
                        format="%.4g",
                        help="The threshold as the tree holds it: the page standardises.",
                    ),
                    structure.criterion: NUMBER,
                },
                SPLIT_DETAIL,
            ),
        )
    else:
        st.caption("No split: the root is a leaf and predicts the same for every row.")
    leaf_columns = _leaves_table(structure, page.fit.target)
    # One sentence for both tables: the first screen is at most 2,500 px.
    hidden = ["depth", "samples", "child nodes"] if structure.n_splits else []
    hidden += [c for c in leaf_columns if c not in hidden]
    st.caption(more_columns_note(hidden, tables=2 if structure.n_splits else 1))
    if scaled:
        st.caption(
            "The features are standardised for this fit: thresholds are shown in each "
            "feature's own units, and as the tree holds them. Standardising never changes "
            "a tree's splits, only the numbers it stores."
        )


def _leaves_table(structure: TreeStructure, target: str) -> list[str]:
    """Every leaf: a classifier's class fractions (its learned numbers, one column per
    class) or a regressor's value, with the statistics behind them a click away; returns
    what those hidden columns hold."""
    leaves = leaf_table(structure)
    classes = structure.classes or ()
    if classes:
        what = "each class's share of its rows"
        # Four or more columns of counts and statistics beside the fractions do not fit
        # half of a 1280 px page; the drawing shows them, the column menu brings them back.
        hidden = ["depth", structure.criterion, "prediction", *(f"count: {c}" for c in classes)]
        note = ["depth", structure.criterion, "predicted class", "counts"]
    else:
        what = f"its rows' mean {escape_markdown(target)}"
        hidden, note = ["depth"], ["depth"]
    st.markdown(f"**Leaves** ({structure.n_leaves}): {what}")
    show_table(
        leaves,
        hide_index=True,
        height=min(35 * len(leaves) + 38, 282),
        column_config=hiding(
            {
                structure.criterion: NUMBER,
                "value": st.column_config.NumberColumn(format="%.5g"),
                **{f"count: {c}": st.column_config.NumberColumn(format="%.4g") for c in classes},
                **{
                    # A header is drawn as plain text; the help is Markdown.
                    f"fraction: {c}": st.column_config.NumberColumn(
                        str(c),
                        format="%.3f",
                        help=f"The share of its training rows that are {escape_markdown(c)}.",
                    )
                    for c in classes
                },
            },
            hidden,
        ),
    )
    return note


# --- Depth view: how max_depth and pruning move the tree ---------------------------------
def alpha_to_request(alphas: list[float], index: int) -> float:
    """A ``ccp_alpha`` that prunes to the subtree of ``alphas[index]`` and survives the
    3-significant-digit rounding of :func:`ui.widgets.request_setting`.

    Pruning keeps cutting while a subtree's effective alpha is at most ``ccp_alpha``, so
    any value in ``[alphas[index], alphas[index + 1])`` gives the same tree: the alpha
    rounded *up* to 3 digits is taken when it stays below the next one.
    """
    alpha = float(alphas[index])
    if alpha <= 0:
        return 0.0
    digits = 2 - math.floor(math.log10(alpha))
    up = math.ceil(alpha * 10**digits) / 10**digits
    up = float(f"{up:.3g}")
    following = alphas[index + 1] if index + 1 < len(alphas) else math.inf
    return up if alpha <= up < following else grid_value(alpha)


def _sweep_warnings(sweep: TreeSweep) -> None:
    if sweep.warnings:
        st.caption(escape_markdown(f"scikit-learn warned during the refits: {sweep.warnings[0]}"))


def depth_view(page: PageFit, learned: LearnedParameters) -> None:
    """Splits, leaves, depth and scores over max_depth and along the pruning path, from
    real refits, with controls that make a depth or an alpha the current setting."""
    st.caption(
        "Every point is a real refit of this tree on the same training rows, with one "
        "hyperparameter changed and every other setting kept. The dashed line marks the "
        "current setting; the dotted grey line (right axis) counts the leaves."
    )
    left, right = st.columns(2, gap="large")
    with left:
        _depth_part(page)
    with right:
        _pruning_part(page)


def _depth_part(page: PageFit) -> None:
    from ui.sweep_panel import use_value_button  # plotly: when the view opens

    st.markdown("**Over max_depth**")
    fit, dataset = page.fit, page.choice.dataset
    sweep_key = page.setting.without("max_depth")

    def warm() -> float:
        return depth_sweep_seconds(
            dataset, page.setting, cached_warm_fit_seconds(page.setting, dataset)
        )

    seconds = depth_sweep_seconds(dataset, page.setting, fit.fit_seconds)
    if not confirm_long_work(repr(("depth", sweep_key)), seconds, "The depth sweep", warm):
        return
    sweep = cached_depth_sweep(sweep_key, fit, dataset)
    current = page.values.get("max_depth")
    st.plotly_chart(
        _depth_figure(sweep, current), key="depth_chart", config={"displayModeBar": False}
    )
    st.caption(escape_markdown(sweep.note))
    _sweep_warnings(sweep)
    depths = sweep.table["max_depth"].astype(int).tolist()
    chosen = st.select_slider(
        "max_depth to use",
        depths,
        value=current if current in depths else depths[-1],
        key="depth_pick",
    )
    row = sweep.table.set_index("max_depth").loc[chosen]
    use_value_button(
        "max_depth",
        int(chosen),
        key="depth_use",
        label=f"Use max_depth = {chosen}",
        disabled=current == chosen,
        help=f"{int(row['splits'])} splits, {int(row['leaves'])} leaves, "
        f"{sweep.score} {row['train']:.3f} train"
        + ("" if np.isnan(row["test"]) else f", {row['test']:.3f} test"),
    )
    with st.expander("Table"):
        show_table(
            sweep.table,
            hide_index=True,
            column_config={"train": NUMBER, "test": NUMBER},
        )


def _pruning_part(page: PageFit) -> None:
    from ui.sweep_panel import use_value_button  # plotly: when the view opens

    st.markdown("**Over the cost-complexity pruning path (ccp_alpha)**")
    fit, dataset = page.fit, page.choice.dataset
    sweep_key = page.setting.without("ccp_alpha")

    def warm() -> float:
        return pruning_sweep_seconds(
            dataset, page.setting, cached_warm_fit_seconds(page.setting, dataset)
        )

    seconds = pruning_sweep_seconds(dataset, page.setting, fit.fit_seconds)
    if not confirm_long_work(repr(("pruning", sweep_key)), seconds, "The pruning sweep", warm):
        return
    sweep = cached_pruning_sweep(sweep_key, fit, dataset)
    current = float(page.values.get("ccp_alpha") or 0.0)
    st.plotly_chart(
        _pruning_figure(sweep, current), key="pruning_chart", config={"displayModeBar": False}
    )
    st.caption(
        escape_markdown(sweep.note)
        + " Each alpha is where one more subtree is cut away: a larger ccp_alpha gives a "
        "smaller tree. Pruning starts from the tree the other settings grow (max_depth "
        "included)."
    )
    _sweep_warnings(sweep)
    table = sweep.table
    alphas = table["ccp_alpha"].astype(float).tolist()
    # The refit whose alpha is the largest at or below the current value: the current tree.
    at_or_below = [i for i, a in enumerate(alphas) if a <= current * (1 + 1e-9) + 1e-15]
    index_now = at_or_below[-1] if at_or_below else 0

    def describe(i: int) -> str:
        return f"{format_number(alphas[i])} ({int(table['leaves'].iloc[i])} leaves)"

    chosen = st.select_slider(
        "ccp_alpha to use (leaves after pruning)",
        list(range(len(alphas))),
        value=index_now,
        format_func=describe,
        key="alpha_pick",
    )
    value = alpha_to_request(alphas, chosen)
    use_value_button(
        "ccp_alpha",
        value,
        key="alpha_use",
        label=f"Use ccp_alpha = {value:g}",
        disabled=value == current,
        help=f"Prunes to {int(table['leaves'].iloc[chosen])} leaves: {sweep.score} "
        f"{table['train'].iloc[chosen]:.3f} train"
        + (
            ""
            if np.isnan(table["test"].iloc[chosen])
            else f", {table['test'].iloc[chosen]:.3f} test"
        ),
    )
    with st.expander("Table"):
        show_table(
            table,
            hide_index=True,
            column_config={
                "ccp_alpha": st.column_config.NumberColumn(format="%.4g"),
                "total_leaf_impurity": st.column_config.NumberColumn(
                    "total leaf impurity", format="%.5g"
                ),
                "train": NUMBER,
                "test": NUMBER,
            },
        )


def _depth_figure(sweep: TreeSweep, current: int | None):
    from core.families.decision_tree.figures import (
        depth_sweep_figure,  # plotly: imported when the tab opens
    )

    return depth_sweep_figure(sweep, current)


def _pruning_figure(sweep: TreeSweep, current: float):
    from core.families.decision_tree.figures import pruning_figure

    return pruning_figure(sweep, current)


# --- Importance view ---------------------------------------------------------------------
def importance_view(page: PageFit, learned: LearnedParameters) -> None:
    """Feature importances, with the caveat that they are computed, not learned."""
    from core.families.decision_tree.figures import importance_figure

    structure: TreeStructure = learned.detail
    st.info(IMPORTANCE_CAVEAT, icon=":material/info:")
    if not structure.n_splits:
        st.caption("The tree made no split, so no feature has any importance.")
        return
    table = importance_table(page.fit)
    left, right = st.columns([3, 2])
    with left:
        st.plotly_chart(
            importance_figure(table), key="importance_chart", config={"displayModeBar": False}
        )
    with right:
        show_table(
            table,
            hide_index=True,
            column_config={
                "importance": st.column_config.ProgressColumn(
                    format="%.3f", min_value=0.0, max_value=1.0
                ),
                "splits": st.column_config.NumberColumn(help="Internal nodes using it."),
            },
        )
    unused = int((table["splits"] == 0).sum())
    if unused:
        st.caption(
            f"{unused} of the {len(table)} features are never used by a split and have "
            "importance 0; that does not mean they carry no information (another feature "
            "may have asked the same question first)."
        )
