"""Refits of the tree over max_depth and over the cost-complexity pruning path, through the
one sweep engine (:func:`core.sweeps.sweep`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from core.data.tables import Dataset
from core.families.decision_tree.family import FAMILY
from core.families.decision_tree.structure import model_input
from core.fitting import FitError, FitResult, recorded_warnings
from core.scoring import TASK_SCORING
from core.setting import Setting
from core.sweeps import sweep, sweep_seconds
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


def _refits(
    fit: FitResult,
    dataset: Dataset,
    setting: Setting,
    parameter: str,
    grid: list,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """The page's tree refitted at each value by the one sweep engine (every other setting
    kept, as the fit resolved it): its size and the train and test scores, one row per
    value, and the warnings."""
    base = setting.with_values(fit.hyperparameters)
    table = sweep(FAMILY, base, dataset, parameter, grid, progress=progress)
    failed = table[table["note"] != ""]
    if len(failed):
        raise FitError(str(failed["note"].iloc[0]))
    out = pd.DataFrame(
        {
            "splits": table["splits"].astype(int),
            "leaves": table["leaves"].astype(int),
            "depth": table["depth"].astype(int),
            "train": table["train"].astype(float),
            "test": table["test"].astype(float),
        }
    )
    shown = list(dict.fromkeys(w for point in table["warnings"] for w in point))
    return out, shown


def depth_sweep(
    fit: FitResult,
    dataset: Dataset,
    setting: Setting,
    bound: int = MAX_SWEEP_DEPTH,
    progress: Callable[[int, int], None] | None = None,
) -> TreeSweep:
    """Refit the tree at ``max_depth`` = 1, 2, ... with every other setting kept.

    The sweep stops at the depth the tree reaches without a depth limit (other settings
    such as ``min_samples_leaf`` kept), or at ``bound``, whichever comes first: deeper
    limits fit the same tree. ``setting`` is the page's (its data and split);
    ``progress(done, total)`` follows the depths' refits.

    Returns
    -------
    TreeSweep
        Table columns ``max_depth``, ``splits``, ``leaves``, ``depth``, ``train``, ``test``.
    """
    free_table, free_shown = _refits(fit, dataset, setting, "max_depth", [None])
    free = free_table.iloc[0]
    last = max(1, min(int(free["depth"]), bound))
    depths = list(range(1, last + 1))
    table, shown = _refits(fit, dataset, setting, "max_depth", depths, progress)
    table.insert(0, "max_depth", depths)
    note = (
        f"{last} real refits, max_depth 1 to {last}. Without a depth limit this tree grows "
        f"to depth {int(free['depth'])} ({plural(int(free['leaves']), 'leaf', 'leaves')})"
        + (f"; the sweep stops at {bound}." if free["depth"] > bound else ".")
    )
    warned = tuple(dict.fromkeys([*free_shown, *shown]))
    return TreeSweep(table, TASK_SCORING[dataset.task].primary, note, warned)


def depth_sweep_seconds(
    dataset: Dataset, setting: Setting, fit_seconds: float, bound: int = MAX_SWEEP_DEPTH
) -> float:
    """How long :func:`depth_sweep` may take: the engine's estimate
    (:func:`core.sweeps.sweep_seconds`) for its refits, the tree without a depth limit and
    every depth up to ``bound`` (fewer when the free tree is shallower), each taking
    ``fit_seconds`` (the page's fit) and scored."""
    grid = [None, *range(1, bound + 1)]
    return sweep_seconds(FAMILY, setting, dataset, "max_depth", grid, fit_seconds=fit_seconds)


def pick_evenly(values: np.ndarray, most: int) -> np.ndarray:
    """At most ``most`` entries of ``values``, evenly spaced by position, first and last
    always kept."""
    if len(values) <= most:
        return values
    positions = np.unique(np.round(np.linspace(0, len(values) - 1, most)).astype(int))
    return values[positions]


def pruning_sweep(
    fit: FitResult,
    dataset: Dataset,
    setting: Setting,
    most: int = MAX_PRUNING_ALPHAS,
    progress: Callable[[int, int], None] | None = None,
) -> TreeSweep:
    """Minimal cost-complexity pruning: the path's alphas, and a real refit at each.

    ``cost_complexity_pruning_path`` on the training rows (as the model saw them, with the
    page's other settings) gives the effective alphas at which the subtrees are pruned
    away, and the total leaf impurity after each; it does not return trees, so the tree is
    refitted with ``ccp_alpha`` set to each alpha. When the path has more than ``most``
    alphas, ``most`` of them are refitted, evenly spread along the path (first and last
    kept). ``progress(done, total)`` follows the refits.

    Returns
    -------
    TreeSweep
        Table columns ``ccp_alpha``, ``total_leaf_impurity``, ``splits``, ``leaves``,
        ``depth``, ``train``, ``test``.
    """
    X_train, y_train, _, _ = _rows(fit, dataset)
    with recorded_warnings() as shown:
        model = clone(fit.model)
        path = model.cost_complexity_pruning_path(model_input(fit.pipeline, X_train), y_train)
    # Rounding can leave a last alpha a hair below 0; ccp_alpha must be >= 0.
    alphas = np.maximum(np.asarray(path.ccp_alphas, dtype=float), 0.0)
    impurities = np.asarray(path.impurities, dtype=float)
    positions = pick_evenly(np.arange(len(alphas)), most)
    refitted, refit_shown = _refits(
        fit, dataset, setting, "ccp_alpha", [float(alphas[i]) for i in positions], progress
    )
    table = pd.concat(
        [
            pd.DataFrame(
                {"ccp_alpha": alphas[positions], "total_leaf_impurity": impurities[positions]}
            ),
            refitted,
        ],
        axis=1,
    )
    note = f"The pruning path has {plural(len(alphas), 'alpha')}; " + (
        f"{len(positions)} of them, evenly spread along the path, were refitted."
        if len(positions) < len(alphas)
        else "each was refitted."
    )
    warned = tuple(dict.fromkeys([*shown, *refit_shown]))
    return TreeSweep(table, TASK_SCORING[dataset.task].primary, note, warned)


def pruning_sweep_seconds(
    dataset: Dataset, setting: Setting, fit_seconds: float, most: int = MAX_PRUNING_ALPHAS
) -> float:
    """How long :func:`pruning_sweep` may take: the engine's estimate
    (:func:`core.sweeps.sweep_seconds`) for ``most`` refits (fewer when the path is
    shorter), each taking ``fit_seconds`` (the page's fit) and scored, and one more for the
    pruning path's own unpruned tree."""
    alpha = setting.values.get("ccp_alpha", 0.0)
    grid = [alpha] * (most + 1)
    return sweep_seconds(FAMILY, setting, dataset, "ccp_alpha", grid, fit_seconds=fit_seconds)
