"""Reading a fitted decision tree: its nodes, one row's path, a drawing, and how depth and
pruning change what it learns.

Everything here reads scikit-learn's own fitted arrays (``tree_.feature``, ``tree_.threshold``,
``tree_.value``, ``tree_.children_left`` ...) and refits real trees; nothing re-implements
the tree.

Facts about scikit-learn 1.9's trees this module relies on:

- ``tree_.feature`` and ``tree_.threshold`` are -2 at leaves; ``children_left`` and
  ``children_right`` are -1 at leaves. A row goes left when its value is ``<= threshold``.
- A classifier's ``tree_.value[node, 0]`` holds the *weighted class fractions* of the
  training rows reaching the node (since 1.4); counts are fractions times
  ``weighted_n_node_samples``. A regressor's holds the node's prediction: the mean target
  (the median with ``criterion="absolute_error"``).
- Thresholds are held in the units the tree saw: standardised units when the page
  standardises. They are mapped back to the features' own units through the fitted scaler
  (an affine map, so the split falls between the same two training values).

Why the drawing is written here rather than by ``sklearn.tree.export_graphviz``: the page
needs two things that function cannot do, collapsing every subtree below a chosen depth
(saying how many nodes are hidden) and highlighting one row's path, and it also inserts
feature names into its quoted labels verbatim, so a column name with a double quote or a
newline (both possible in an uploaded CSV file) breaks the DOT text. Post-processing its
output would mean parsing DOT back; writing it from :func:`node_table` is a few lines of
text generation (DOT is a text format, not a layout engine: Streamlit's
``st.graphviz_chart`` lays it out in the browser, so no Graphviz binary is needed), and the
drawing then shows exactly the numbers of the node table.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import get_scorer
from sklearn.pipeline import Pipeline

from core.data.tables import Dataset
from core.fitting import FitResult, recorded_warnings, scaler_shift
from core.scoring import TASK_SCORING
from core.text import format_number, plural

#: ``children_left`` / ``children_right`` at a leaf (scikit-learn's ``TREE_LEAF``).
LEAF = -1
#: The depth sweep refits at most this many depths (1 .. this bound).
MAX_SWEEP_DEPTH = 20
#: The pruning sweep refits at most this many alphas, evenly spread along the path.
MAX_PRUNING_ALPHAS = 40
#: A leaf holding fewer training rows than this is called "small" by the interpretation.
SMALL_LEAF = 5
#: The drawing's default collapse depth is the deepest that shows at most this many nodes.
READABLE_NODES = 31

IMPORTANCE_CAVEAT = (
    "Feature importances are not learned parameters: scikit-learn computes them after the "
    "fit from the splits, as each feature's total impurity decrease weighted by the rows "
    "reaching its splits, normalised to sum to 1. They favour features with many distinct "
    "values and say nothing about the direction of an effect."
)


# --- the rows as the tree sees them ------------------------------------------------------
def model_input(pipeline: Pipeline, X: pd.DataFrame) -> Any:
    """Rows after every pipeline step but the model (imputation, scaling), as it saw them."""
    if len(pipeline.steps) == 1:
        return X
    return pipeline[:-1].transform(X)


def imputed_features(pipeline: Pipeline, X: pd.DataFrame) -> np.ndarray:
    """Rows in the features' own units after imputation (before any scaling)."""
    if "impute" in pipeline.named_steps:
        return np.asarray(pipeline.named_steps["impute"].transform(X), dtype=float)
    return X.to_numpy(dtype=float)


def raw_thresholds(pipeline: Pipeline, feature: np.ndarray, threshold: np.ndarray) -> np.ndarray:
    """Thresholds in the features' own units.

    Parameters
    ----------
    pipeline : Pipeline
        The fitted pipeline; its ``scale`` step, if any, is inverted.
    feature : ndarray of int
        The split feature of each threshold (entries below 0 are leaves, NaN out).
    threshold : ndarray of float
        Thresholds as the tree holds them.

    Returns
    -------
    ndarray of float
        Same shape; NaN where ``feature < 0``.
    """
    feature = np.asarray(feature)
    out = np.asarray(threshold, dtype=float).copy()
    split = feature >= 0
    if "scale" in pipeline.named_steps:
        scaler = pipeline.named_steps["scale"]
        scale = np.asarray(scaler.scale_, dtype=float)
        shift = scaler_shift(scaler)
        out[split] = out[split] * scale[feature[split]] + shift[feature[split]]
    out[~split] = np.nan
    return out


# --- the node table ----------------------------------------------------------------------
def node_depths(children_left: np.ndarray, children_right: np.ndarray) -> np.ndarray:
    """Depth of every node (the root is 0), from the child arrays."""
    depth = np.zeros(len(children_left), dtype=int)
    stack = [0]
    while stack:
        node = stack.pop()
        for child in (children_left[node], children_right[node]):
            if child != LEAF:
                depth[child] = depth[node] + 1
                stack.append(child)
    return depth


def node_table(
    model: Any, feature_names: Sequence[str], pipeline: Pipeline | None = None
) -> pd.DataFrame:
    """One row per node of a fitted tree, exactly as ``model.tree_`` holds it.

    Parameters
    ----------
    model : DecisionTreeClassifier or DecisionTreeRegressor
        A fitted tree.
    feature_names : sequence of str
        Names of the columns the tree was fitted on, in order.
    pipeline : Pipeline, optional
        The fitted pipeline around ``model``; its scaler maps thresholds back to the
        features' own units (``threshold_raw``). Without it, ``threshold_raw`` equals
        ``threshold``.

    Returns
    -------
    DataFrame
        Indexed by ``node`` (0 is the root), columns:

        - ``depth``, ``parent`` (-1 at the root), ``is_leaf``;
        - ``feature`` (index into ``feature_names``, -1 at leaves), ``feature_name``
          (empty at leaves), ``threshold`` (as held; NaN at leaves), ``threshold_raw``
          (features' own units; NaN at leaves);
        - ``impurity``, ``samples`` (``n_node_samples``), ``weighted_samples``,
          ``left`` and ``right`` (child ids, -1 at leaves);
        - regressor: ``value`` (the node's prediction);
          classifier: ``prediction`` (the majority class), then ``count: <class>`` and
          ``fraction: <class>`` for every class.
    """
    tree = model.tree_
    left, right = tree.children_left, tree.children_right
    is_leaf = left == LEAF
    parent = np.full(tree.node_count, -1)
    parent[left[~is_leaf]] = np.flatnonzero(~is_leaf)
    parent[right[~is_leaf]] = np.flatnonzero(~is_leaf)
    feature = np.where(is_leaf, -1, tree.feature)
    threshold = np.where(is_leaf, np.nan, tree.threshold)
    raw = threshold.copy() if pipeline is None else raw_thresholds(pipeline, feature, threshold)
    names = np.array([str(n) for n in feature_names] + [""], dtype=object)
    table = pd.DataFrame(
        {
            "depth": node_depths(left, right),
            "parent": parent,
            "is_leaf": is_leaf,
            "feature": feature,
            "feature_name": names[feature],  # -1 picks the trailing ""
            "threshold": threshold,
            "threshold_raw": raw,
            "impurity": tree.impurity,
            "samples": tree.n_node_samples,
            "weighted_samples": tree.weighted_n_node_samples,
            "left": left,
            "right": right,
        },
        index=pd.RangeIndex(tree.node_count, name="node"),
    )
    value = tree.value[:, 0, :]
    if hasattr(model, "classes_"):
        classes = [str(c) for c in model.classes_]
        counts = value * tree.weighted_n_node_samples[:, None]
        table["prediction"] = np.array(classes, dtype=object)[value.argmax(axis=1)]
        for k, name in enumerate(classes):
            table[f"count: {name}"] = counts[:, k]
        for k, name in enumerate(classes):
            table[f"fraction: {name}"] = value[:, k]
    else:
        table["value"] = value[:, 0]
    return table


@dataclass(frozen=True, eq=False)
class TreeStructure:
    """A fitted tree read into a table, with what its readers need alongside.

    Parameters
    ----------
    nodes : DataFrame
        :func:`node_table`.
    feature_names : tuple of str
        The features, in model order.
    classes : tuple of str or None
        The class labels (classifier) or ``None`` (regressor).
    criterion : str
        The split criterion the tree used.
    max_depth : int or None
        The depth limit it was given.
    """

    nodes: pd.DataFrame
    feature_names: tuple[str, ...]
    classes: tuple[str, ...] | None
    criterion: str
    max_depth: int | None

    @property
    def n_nodes(self) -> int:
        """Every node, internal and leaf."""
        return len(self.nodes)

    @property
    def n_leaves(self) -> int:
        """Leaves: the nodes that predict."""
        return int(self.nodes["is_leaf"].sum())

    @property
    def n_splits(self) -> int:
        """Internal nodes: each one split (one feature, one threshold)."""
        return self.n_nodes - self.n_leaves

    @property
    def depth(self) -> int:
        """The longest root-to-leaf path, in splits."""
        return int(self.nodes["depth"].max())

    @property
    def is_classifier(self) -> bool:
        """Whether the leaves hold class fractions (else a number)."""
        return self.classes is not None

    @property
    def n_parameters(self) -> int:
        """Learned numbers: a feature and a threshold per split, and each leaf's values
        (one number for a regressor, one fraction per class for a classifier)."""
        per_leaf = len(self.classes) if self.classes is not None else 1
        return 2 * self.n_splits + per_leaf * self.n_leaves


def tree_structure(fit: FitResult) -> TreeStructure:
    """The fitted tree of a page's fit, read into a :class:`TreeStructure`."""
    model = fit.model
    classes = tuple(str(c) for c in model.classes_) if hasattr(model, "classes_") else None
    return TreeStructure(
        nodes=node_table(model, fit.feature_names, fit.pipeline),
        feature_names=tuple(fit.feature_names),
        classes=classes,
        criterion=str(model.criterion),
        max_depth=model.max_depth,
    )


# --- one row's path ----------------------------------------------------------------------
def decision_path_nodes(pipeline: Pipeline, row: pd.DataFrame) -> list[int]:
    """Node ids one row visits from the root to its leaf, via ``decision_path``.

    Parameters
    ----------
    pipeline : Pipeline
        The fitted pipeline ending in a tree.
    row : DataFrame of one row
        The row in the features' own units (as in the data set).
    """
    if len(row) != 1:
        raise ValueError("Give exactly one row.")
    indicator = pipeline.named_steps["model"].decision_path(model_input(pipeline, row))
    return [int(i) for i in np.sort(indicator.indices)]


def path_table(fit: FitResult, dataset: Dataset, position: int) -> pd.DataFrame:
    """The questions one row answers on its way down the tree.

    Parameters
    ----------
    fit : FitResult
        A fitted tree page.
    dataset : Dataset
        The data set it was fitted on.
    position : int
        Row position in ``dataset`` (training or test row).

    Returns
    -------
    DataFrame
        One row per visited node: ``node``, ``depth``, ``feature_name``, ``threshold_raw``,
        ``row_value`` (the row's value of that feature in its own units, after imputation),
        ``goes`` (``"left (<=)"``, ``"right (>)"`` or ``"leaf"``) and ``samples``.
    """
    if not 0 <= position < len(dataset.y):
        raise ValueError(f"Row {position} does not exist; the data have {len(dataset.y)} rows.")
    row = dataset.X.iloc[[position]]
    path = decision_path_nodes(fit.pipeline, row)
    nodes = node_table(fit.model, fit.feature_names, fit.pipeline).loc[path]
    raw_row = imputed_features(fit.pipeline, row)[0]
    goes, values = [], []
    for node, record in nodes.iterrows():
        if record["is_leaf"]:
            goes.append("leaf")
            values.append(np.nan)
        else:
            values.append(float(raw_row[record["feature"]]))
            went_left = path[path.index(int(node)) + 1] == record["left"]
            goes.append("left (<=)" if went_left else "right (>)")
    out = nodes[["depth", "feature_name", "threshold_raw", "samples"]].copy()
    out.insert(3, "row_value", values)
    out.insert(4, "goes", goes)
    return out.reset_index()


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


# --- refits: how depth and pruning move the tree -----------------------------------------
@dataclass(frozen=True, eq=False)
class TreeSweep:
    """Real refits of the page's tree over one hyperparameter.

    Parameters
    ----------
    table : DataFrame
        One row per refit (columns depend on the sweep).
    score : str
        The score's name (``"accuracy"`` or ``"R²"``), columns ``train`` and ``test``.
    note : str
        What was refitted and how it was bounded, as a sentence.
    warnings : tuple of str
        What scikit-learn warned about during the refits.
    """

    table: pd.DataFrame
    score: str
    note: str
    warnings: tuple[str, ...]


def _rows(fit: FitResult, dataset: Dataset) -> tuple[Any, Any, Any, Any]:
    X_train, y_train = fit.split.train_rows(dataset)
    test = fit.split.test_rows(dataset)
    X_test, y_test = test if test is not None else (None, None)
    return X_train, y_train, X_test, y_test


def _refit_scores(
    fit: FitResult, dataset: Dataset, params: dict[str, Any], scorer: Any
) -> dict[str, Any]:
    """Refit the page's pipeline with some model parameters changed; the tree's size and
    the train and test scores."""
    X_train, y_train, X_test, y_test = _rows(fit, dataset)
    pipeline = clone(fit.pipeline).set_params(**{f"model__{k}": v for k, v in params.items()})
    pipeline.fit(X_train, y_train)
    model = pipeline.named_steps["model"]
    return {
        "splits": int(model.tree_.node_count - model.get_n_leaves()),
        "leaves": int(model.get_n_leaves()),
        "depth": int(model.get_depth()),
        "train": float(scorer(pipeline, X_train, y_train)),
        "test": float(scorer(pipeline, X_test, y_test)) if X_test is not None else np.nan,
    }


def depth_sweep(fit: FitResult, dataset: Dataset, bound: int = MAX_SWEEP_DEPTH) -> TreeSweep:
    """Refit the tree at ``max_depth`` = 1, 2, ... with every other setting kept.

    The sweep stops at the depth the tree reaches without a depth limit (other settings
    such as ``min_samples_leaf`` kept), or at ``bound``, whichever comes first: deeper
    limits fit the same tree.

    Returns
    -------
    TreeSweep
        Table columns ``max_depth``, ``splits``, ``leaves``, ``depth``, ``train``, ``test``.
    """
    scoring = TASK_SCORING[dataset.task]
    scorer = get_scorer(scoring.scorer)
    with recorded_warnings() as shown:
        free = _refit_scores(fit, dataset, {"max_depth": None}, scorer)
        last = max(1, min(free["depth"], bound))
        rows = [
            {"max_depth": d, **_refit_scores(fit, dataset, {"max_depth": d}, scorer)}
            for d in range(1, last + 1)
        ]
    note = (
        f"{last} real refits, max_depth 1 to {last}. Without a depth limit this tree grows "
        f"to depth {free['depth']} ({plural(int(free['leaves']), 'leaf', 'leaves')})"
        + (f"; the sweep stops at {bound}." if free["depth"] > bound else ".")
    )
    return TreeSweep(pd.DataFrame(rows), scoring.primary, note, tuple(shown))


def pick_evenly(values: np.ndarray, most: int) -> np.ndarray:
    """At most ``most`` entries of ``values``, evenly spaced by position, first and last
    always kept."""
    if len(values) <= most:
        return values
    positions = np.unique(np.round(np.linspace(0, len(values) - 1, most)).astype(int))
    return values[positions]


def pruning_sweep(fit: FitResult, dataset: Dataset, most: int = MAX_PRUNING_ALPHAS) -> TreeSweep:
    """Minimal cost-complexity pruning: the path's alphas, and a real refit at each.

    ``cost_complexity_pruning_path`` on the training rows (as the model saw them, with the
    page's other settings) gives the effective alphas at which the subtrees are pruned
    away, and the total leaf impurity after each; it does not return trees, so the tree is
    refitted with ``ccp_alpha`` set to each alpha. When the path has more than ``most``
    alphas, ``most`` of them are refitted, evenly spread along the path (first and last
    kept).

    Returns
    -------
    TreeSweep
        Table columns ``ccp_alpha``, ``total_leaf_impurity``, ``splits``, ``leaves``,
        ``depth``, ``train``, ``test``.
    """
    scoring = TASK_SCORING[dataset.task]
    scorer = get_scorer(scoring.scorer)
    X_train, y_train, _, _ = _rows(fit, dataset)
    with recorded_warnings() as shown:
        model = clone(fit.model)
        path = model.cost_complexity_pruning_path(model_input(fit.pipeline, X_train), y_train)
        # Rounding can leave a last alpha a hair below 0; ccp_alpha must be >= 0.
        alphas = np.maximum(np.asarray(path.ccp_alphas, dtype=float), 0.0)
        impurities = np.asarray(path.impurities, dtype=float)
        positions = pick_evenly(np.arange(len(alphas)), most)
        rows = [
            {
                "ccp_alpha": alphas[i],
                "total_leaf_impurity": impurities[i],
                **_refit_scores(fit, dataset, {"ccp_alpha": float(alphas[i])}, scorer),
            }
            for i in positions
        ]
    note = f"The pruning path has {plural(len(alphas), 'alpha')}; " + (
        f"{len(positions)} of them, evenly spread along the path, were refitted."
        if len(positions) < len(alphas)
        else "each was refitted."
    )
    return TreeSweep(pd.DataFrame(rows), scoring.primary, note, tuple(shown))


def importance_table(fit: FitResult) -> pd.DataFrame:
    """``feature_importances_`` by feature, largest first (see :data:`IMPORTANCE_CAVEAT`).

    Returns
    -------
    DataFrame
        Columns ``feature``, ``importance`` (sums to 1 unless the tree has no split) and
        ``splits`` (how many internal nodes split on the feature).
    """
    model = fit.model
    internal = model.tree_.children_left != LEAF
    used = np.bincount(model.tree_.feature[internal], minlength=len(fit.feature_names))
    table = pd.DataFrame(
        {
            "feature": list(fit.feature_names),
            "importance": np.asarray(model.feature_importances_, dtype=float),
            "splits": used,
        }
    )
    return table.sort_values(["importance", "splits"], ascending=False, kind="stable").reset_index(
        drop=True
    )
