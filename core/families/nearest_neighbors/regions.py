"""The predicted class over a grid of two features, for a few k: refits of the one sweep
engine on the data set's two features."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from core.data.tables import Dataset
from core.families.nearest_neighbors.cost import query_seconds
from core.families.nearest_neighbors.family import FAMILY
from core.families.nearest_neighbors.stored import one_thread
from core.fitting import FitResult, recorded_warnings
from core.setting import Setting
from core.sweeps import sweep, sweep_seconds

#: Grid points per axis of :func:`neighbor_regions`.
REGION_GRID = 80


def informative_pair(X: pd.DataFrame, y: pd.Series, task: str) -> tuple[str, str]:
    """The two features that each say most about the target on their own: the largest
    univariate F statistics (scikit-learn's ``f_classif``, the one-way ANOVA F, for
    classes; ``f_regression`` for a number), so the regions open on a pair that separates
    (iris: petal length and width, not the sepal pair that overlaps most). Missing values
    are filled with the column's median for this ranking only; a constant column ranks
    last. Ties keep the data's column order."""
    from sklearn.feature_selection import f_classif, f_regression

    filled = X.fillna(X.median(numeric_only=True)).fillna(0.0)
    with np.errstate(divide="ignore", invalid="ignore"), recorded_warnings():
        scores, _ = (f_classif if task == "classification" else f_regression)(filled, y)
    scores = np.where(np.isfinite(scores), scores, -np.inf)
    order = sorted(range(len(X.columns)), key=lambda i: (-scores[i], i))
    return str(X.columns[order[0]]), str(X.columns[order[1]])


# --- decision regions on two features ----------------------------------------------------
@dataclass(frozen=True, eq=False)
class NeighborRegions:
    """Predictions over a grid of two features, for several values of ``n_neighbors``.

    Parameters
    ----------
    features : tuple of str
        The two features (x axis, y axis).
    x, y : ndarray of shape (grid,)
        Grid coordinates in the features' own units.
    ks : tuple of int
        The values of ``n_neighbors`` refitted.
    predictions : ndarray of shape (len(ks), grid, grid)
        ``predictions[m, i, j]`` at ``(x[j], y[i])`` for ``ks[m]``: the class's index in
        ``classes`` (classifier) or the predicted value (regressor).
    classes : tuple of str or None
        The class labels in the model's order; ``None`` for a regressor.
    points : DataFrame
        The training rows: the two features and ``target``.
    scores : DataFrame
        ``n_neighbors``, ``train``, ``test`` (the page's score, on the two features).
    skipped : tuple of int
        Values of k larger than the training rows, left out.
    """

    features: tuple[str, str]
    x: np.ndarray
    y: np.ndarray
    ks: tuple[int, ...]
    predictions: np.ndarray
    classes: tuple[str, ...] | None
    points: pd.DataFrame
    scores: pd.DataFrame
    skipped: tuple[int, ...]


def two_feature_data(dataset: Dataset, features: tuple[str, str]) -> Dataset:
    """The data set on two of its features: same rows and target, so the same split.

    Raises
    ------
    ValueError
        Unless they are two different features of the data set.
    """
    if len(set(features)) != 2 or any(f not in dataset.X.columns for f in features):
        raise ValueError("Pick two different features of this data set.")
    return replace(dataset, X=dataset.X[list(features)], true_coef=None, true_intercept=None)


def region_ks(fit: FitResult, ks: Sequence[int]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The values of k the regions can refit (at most the training rows), and the others."""
    n = len(fit.split.train)
    return tuple(int(k) for k in ks if int(k) <= n), tuple(int(k) for k in ks if int(k) > n)


def _grid(X_train: pd.DataFrame, features: tuple[str, str], grid: int):
    """Grid coordinates spanning the training rows plus 5 % a side, and its cells."""
    lows, highs = X_train.min().to_numpy(float), X_train.max().to_numpy(float)
    pad = 0.05 * np.where(highs > lows, highs - lows, 1.0)
    x = np.linspace(lows[0] - pad[0], highs[0] + pad[0], grid)
    y = np.linspace(lows[1] - pad[1], highs[1] + pad[1], grid)
    xx, yy = np.meshgrid(x, y)
    return x, y, pd.DataFrame({features[0]: xx.ravel(), features[1]: yy.ravel()})


def neighbor_regions(
    fit: FitResult,
    dataset: Dataset,
    setting: Setting,
    features: tuple[str, str],
    ks: Sequence[int],
    *,
    grid: int = REGION_GRID,
    progress: Callable[[int, int], None] | None = None,
) -> NeighborRegions:
    """Refit the page's pipeline on two features for each ``k`` and predict over a grid.

    Same training rows, preprocessing and other hyperparameters as the page; only the
    features and ``n_neighbors`` change. Each k is a point of the one sweep engine
    (:func:`core.sweeps.sweep`) on :func:`two_feature_data`, which scores it on the
    training and test rows; its predictions over the grid are read off the refit. The
    grid spans the training rows plus 5 % a side.

    Raises
    ------
    ValueError
        Unless ``features`` are two different features; or the registry's sentence when it
        refuses a value of k.
    """
    two = two_feature_data(dataset, features)
    X_train, y_train = fit.split.train_rows(two)
    x, y, cells = _grid(X_train, features, grid)
    usable, skipped = region_ks(fit, ks)
    classes: list[tuple[str, ...]] = []

    def read(refit: FitResult) -> dict[str, Any]:
        predicted = refit.pipeline.predict(cells)
        model = refit.model
        if hasattr(model, "classes_"):
            classes[:] = [tuple(str(c) for c in model.classes_)]
            predicted = np.searchsorted(model.classes_, predicted)
        return {"grid": np.asarray(predicted, dtype=float).reshape(grid, grid)}

    with recorded_warnings(), one_thread():
        table = sweep(
            FAMILY,
            setting.with_values(fit.hyperparameters),
            two,
            "n_neighbors",
            list(usable),
            measures=False,
            progress=progress,
            read=read,
        )
    refused = table.loc[table["note"] != "", "note"]
    if len(refused):
        raise ValueError(str(refused.iloc[0]))
    scores = pd.DataFrame(
        {
            "n_neighbors": table["value"].astype(int),
            "train": table["train"].astype(float),
            "test": table["test"].astype(float),
        },
        columns=["n_neighbors", "train", "test"],
    )
    predictions = np.array(list(table["grid"])) if usable else np.empty((0, grid, grid))
    return NeighborRegions(
        features=(features[0], features[1]),
        x=x,
        y=y,
        ks=usable,
        predictions=predictions.reshape(len(usable), grid, grid),
        classes=classes[0] if classes else None,
        points=X_train.assign(target=y_train.to_numpy()),
        scores=scores,
        skipped=skipped,
    )


def regions_seconds(
    fit: FitResult,
    dataset: Dataset,
    setting: Setting,
    features: tuple[str, str],
    ks: Sequence[int],
    *,
    grid: int = REGION_GRID,
) -> float:
    """How long :func:`neighbor_regions` will take: the engine's estimate for the refits
    on two features (:func:`core.sweeps.sweep_seconds`, scoring included), plus each
    refit predicting the ``grid`` × ``grid`` cells."""
    two = two_feature_data(dataset, features)
    usable, _ = region_ks(fit, ks)
    base = setting.with_values(fit.hyperparameters)
    total = sweep_seconds(FAMILY, base, two, "n_neighbors", list(usable))
    n_train = len(fit.split.train)
    for k in usable:
        values = {**fit.hyperparameters, "n_neighbors": k}
        total += query_seconds(values, n_train, 2, grid * grid)
    return float(total)
