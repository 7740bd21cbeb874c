"""The network's prediction over a grid of two features, at one epoch of the trace."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import is_classifier

from core.data.tables import Dataset
from core.families.neural_network.epochs import EpochTrace, pipeline_at_epoch
from core.fitting import FitResult


# --- a two-feature decision surface ------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Surface:
    """A fitted network's predictions over a grid of its two features.

    Parameters
    ----------
    features : tuple of str
        The two features (x axis, y axis), in the features' own units.
    x, y : ndarray of shape (n_grid,)
        Grid coordinates.
    values : ndarray
        Classification: ``(n_grid, n_grid, n_classes)`` probabilities, ``values[i, j, k]``
        at ``(x[j], y[i])``; regression: ``(n_grid, n_grid)`` predictions.
    classes : tuple of str
        Class labels (empty for regression).
    points : DataFrame
        The training rows: the two features and ``target``.
    epoch : int or None
        The epoch whose weights made the predictions (None: the final model).
    """

    features: tuple[str, str]
    x: np.ndarray
    y: np.ndarray
    values: np.ndarray
    classes: tuple[str, ...]
    points: pd.DataFrame
    epoch: int | None


def prediction_surface(
    fit: FitResult,
    dataset: Dataset,
    trace: EpochTrace | None = None,
    epoch: int | None = None,
    n_grid: int = 80,
) -> Surface:
    """Predictions of the page's network (or its weights at ``epoch``) over two features.

    Only for data with exactly two features (moons, circles): the surface is then the model
    itself, not a refit on two features. The grid spans the training rows plus a margin.

    Raises
    ------
    ValueError
        If the data do not have exactly two features.
    """
    if dataset.X.shape[1] != 2:
        raise ValueError(
            "A decision surface needs data with exactly two features (such as moons); "
            f"this data set has {dataset.X.shape[1]}."
        )
    pipeline = (
        fit.pipeline if trace is None or epoch is None else pipeline_at_epoch(fit, trace, epoch)
    )
    X_train = dataset.X.iloc[fit.split.train]
    axes = []
    for column in X_train.columns:
        values = X_train[column].to_numpy(dtype=float)
        low, high = np.nanmin(values), np.nanmax(values)
        pad = 0.1 * (high - low) or 1.0
        axes.append(np.linspace(low - pad, high + pad, n_grid))
    gx, gy = np.meshgrid(*axes)
    grid = pd.DataFrame({X_train.columns[0]: gx.ravel(), X_train.columns[1]: gy.ravel()})
    if is_classifier(fit.model):
        values = pipeline.predict_proba(grid).reshape(n_grid, n_grid, -1)
        classes = tuple(str(c) for c in fit.model.classes_)
    else:
        values = pipeline.predict(grid).reshape(n_grid, n_grid)
        classes = ()
    points = X_train.copy()
    points["target"] = dataset.y.iloc[fit.split.train].to_numpy()
    return Surface(
        features=(str(X_train.columns[0]), str(X_train.columns[1])),
        x=axes[0],
        y=axes[1],
        values=values,
        classes=classes,
        points=points.reset_index(drop=True),
        epoch=epoch if trace is not None else None,
    )
