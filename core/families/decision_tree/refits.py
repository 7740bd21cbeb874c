"""Refits of the tree over max_depth and over the cost-complexity pruning path."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import get_scorer

from core.data.tables import Dataset
from core.families.decision_tree.structure import model_input
from core.fitting import FitResult, recorded_warnings
from core.scoring import TASK_SCORING
from core.text import plural

#: The depth sweep refits at most this many depths (1 .. this bound).
MAX_SWEEP_DEPTH = 20
#: The pruning sweep refits at most this many alphas, evenly spread along the path.
MAX_PRUNING_ALPHAS = 40


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
