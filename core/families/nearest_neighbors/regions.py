"""The predicted class over a grid of two features, for a few k."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import clone

from core.data.tables import Dataset
from core.families.nearest_neighbors.stored import one_thread
from core.fitting import FitResult, recorded_warnings
from core.scoring import TASK_SCORING

#: Grid points per axis of :func:`neighbor_regions`.
REGION_GRID = 80


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


def neighbor_regions(
    fit: FitResult,
    dataset: Dataset,
    features: tuple[str, str],
    ks: Sequence[int],
    *,
    grid: int = REGION_GRID,
) -> NeighborRegions:
    """Refit the page's pipeline on two features for each ``k`` and predict over a grid.

    Same training rows, preprocessing and other hyperparameters as the page; only the
    features and ``n_neighbors`` change. The grid spans the training rows plus 5 % a side.
    """
    if len(set(features)) != 2 or any(f not in dataset.X.columns for f in features):
        raise ValueError("Pick two different features of this data set.")
    columns = list(features)
    X_train, y_train = fit.split.train_rows(dataset)
    X_train = X_train[columns]
    test = fit.split.test_rows(dataset)
    lows, highs = X_train.min().to_numpy(float), X_train.max().to_numpy(float)
    pad = 0.05 * np.where(highs > lows, highs - lows, 1.0)
    x = np.linspace(lows[0] - pad[0], highs[0] + pad[0], grid)
    y = np.linspace(lows[1] - pad[1], highs[1] + pad[1], grid)
    xx, yy = np.meshgrid(x, y)
    cells = pd.DataFrame({features[0]: xx.ravel(), features[1]: yy.ravel()})
    scorer = TASK_SCORING[dataset.task]
    usable = [int(k) for k in ks if int(k) <= len(y_train)]
    skipped = tuple(int(k) for k in ks if int(k) > len(y_train))
    predictions, scores = [], []
    classes = None
    with recorded_warnings(), one_thread():
        for k in usable:
            pipeline = clone(fit.pipeline).set_params(model__n_neighbors=k)
            pipeline.fit(X_train, y_train)
            predicted = pipeline.predict(cells)
            model = pipeline.named_steps["model"]
            if hasattr(model, "classes_"):
                classes = tuple(str(c) for c in model.classes_)
                predicted = np.searchsorted(model.classes_, predicted)
            predictions.append(np.asarray(predicted, dtype=float).reshape(grid, grid))
            train = scorer.metrics(pipeline, X_train, y_train)[scorer.primary]
            tested = (
                scorer.metrics(pipeline, test[0][columns], test[1])[scorer.primary]
                if test is not None
                else np.nan
            )
            scores.append({"n_neighbors": k, "train": train, "test": tested})
    points = X_train.assign(target=y_train.to_numpy())
    return NeighborRegions(
        features=(features[0], features[1]),
        x=x,
        y=y,
        ks=tuple(usable),
        predictions=np.array(predictions).reshape(len(usable), grid, grid),
        classes=classes,
        points=points,
        scores=pd.DataFrame(scores, columns=["n_neighbors", "train", "test"]),
        skipped=skipped,
    )
