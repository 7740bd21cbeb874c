"""What a fitted tree learned: its nodes (thresholds in raw units), the path one row takes,
and the feature importances."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from core.data.tables import Dataset
from core.fitting import FitResult, scaler_shift

#: ``children_left`` / ``children_right`` at a leaf (scikit-learn's ``TREE_LEAF``).
LEAF = -1
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
    """The questions one data-set row answers on its way down the tree
    (:func:`row_path_table` of row ``position``)."""
    if not 0 <= position < len(dataset.y):
        raise ValueError(f"Row {position} does not exist; the data have {len(dataset.y)} rows.")
    return row_path_table(fit, dataset.X.iloc[[position]])


def row_path_table(fit: FitResult, row: pd.DataFrame) -> pd.DataFrame:
    """The questions one row answers on its way down the tree.

    Parameters
    ----------
    fit : FitResult
        A fitted tree page.
    row : DataFrame of one row
        The features in their own units (a data-set row, or one with what-if edits).

    Returns
    -------
    DataFrame
        One row per visited node: ``node``, ``depth``, ``feature_name``, ``threshold_raw``,
        ``row_value`` (the row's value of that feature in its own units, after imputation),
        ``goes`` (``"left (<=)"``, ``"right (>)"`` or ``"leaf"``) and ``samples``.
    """
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
