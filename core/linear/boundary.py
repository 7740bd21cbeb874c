"""The decision boundary of a classifier fitted on two chosen features.

A boundary can only be drawn in two dimensions, so the model is refitted on the two
features alone, with the same hyperparameters and data settings; the page says so. The
boundaries at other values of the penalty are refits of that two-feature model by the one
sweep engine (:func:`core.sweeps.sweep`), each reading its line.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from core.data.tables import Dataset
from core.family import FamilySpec
from core.fitting import FitResult, fit_model
from core.linear.parameters import LinearParameters, extract_linear_parameters
from core.setting import Setting
from core.sweeps import param_spec, sweep


@dataclass(frozen=True, eq=False)
class DecisionSurface:
    """Predicted probabilities over a grid of two features, with the fitted line(s).

    Parameters
    ----------
    features : tuple of str
        The two features (x axis, y axis).
    x, y : ndarray of shape (n_grid,)
        Grid coordinates in the features' own units.
    proba : ndarray of shape (n_grid, n_grid, n_classes)
        ``proba[i, j, k]`` is P(class k) at ``(x[j], y[i])``.
    classes : tuple of str
        Class labels, in the model's order.
    points : DataFrame
        The training rows: the two features and ``class``.
    params : LinearParameters
        The two-feature model's raw-unit coefficients and intercepts.
    fit : FitResult
        The two-feature fit (for its metrics and warnings).
    """

    features: tuple[str, str]
    x: np.ndarray
    y: np.ndarray
    proba: np.ndarray
    classes: tuple[str, ...]
    points: pd.DataFrame
    params: LinearParameters
    fit: FitResult


def two_feature_dataset(dataset: Dataset, features: tuple[str, str]) -> Dataset:
    """The same rows and target with only the two chosen features."""
    missing = [f for f in features if f not in dataset.X.columns]
    if missing or features[0] == features[1]:
        raise ValueError("Pick two different features of this data set.")
    return dataclasses.replace(dataset, X=dataset.X[list(features)], true_coef=None)


def boundary_lines(params: LinearParameters) -> list[tuple[str, np.ndarray, float]]:
    """The linear boundaries ``w1*x1 + w2*x2 + b = 0`` of a two-feature model, raw units.

    A binary model has one: where the log-odds of the positive class is 0. A multinomial
    model has one per pair of classes, where their scores are equal: ``(w_k - w_j) x +
    (b_k - b_j) = 0``.

    Returns
    -------
    list of (label, w, b)
        ``w`` of shape (2,), ``b`` a float.
    """
    coef, intercept = params.coef, params.intercept
    if coef.shape[0] == 1:
        return [(f"P({params.outputs[0]}) = 0.5", coef[0], float(intercept[0]))]
    lines = []
    for k in range(coef.shape[0]):
        for j in range(k + 1, coef.shape[0]):
            label = f"{params.outputs[k]} | {params.outputs[j]}"
            lines.append((label, coef[k] - coef[j], float(intercept[k] - intercept[j])))
    return lines


def decision_surface(
    family: FamilySpec,
    estimator_id: str,
    hyperparameters: dict[str, Any],
    dataset: Dataset,
    features: tuple[str, str],
    *,
    scale: bool = True,
    test_size: float = 0.25,
    seed: int = 0,
    grid: int = 120,
) -> DecisionSurface:
    """Fit on two features and evaluate the class probabilities on a grid.

    The grid spans the training rows' range plus a 5 % margin on each side.
    """
    data2 = two_feature_dataset(dataset, features)
    fit = fit_model(
        family,
        estimator_id,
        hyperparameters,
        data2,
        scale=scale,
        test_size=test_size,
        seed=seed,
    )
    X_train, y_train = fit.split.train_rows(data2)
    lows, highs = X_train.min().to_numpy(), X_train.max().to_numpy()
    pad = 0.05 * np.where(highs > lows, highs - lows, 1.0)
    x = np.linspace(lows[0] - pad[0], highs[0] + pad[0], grid)
    y = np.linspace(lows[1] - pad[1], highs[1] + pad[1], grid)
    xx, yy = np.meshgrid(x, y)
    cells = pd.DataFrame({features[0]: xx.ravel(), features[1]: yy.ravel()})
    proba = fit.pipeline.predict_proba(cells).reshape(grid, grid, -1)
    points = X_train.assign(**{"class": y_train.astype(str).to_numpy()})
    return DecisionSurface(
        features=features,
        x=x,
        y=y,
        proba=proba,
        classes=tuple(str(c) for c in fit.model.classes_),
        points=points,
        params=extract_linear_parameters(fit),
        fit=fit,
    )


def penalty_boundaries(
    family: FamilySpec,
    setting: Setting,
    dataset: Dataset,
    features: tuple[str, str],
    param: str,
    values: tuple[float, ...],
    progress: Callable[[int, int], None] | None = None,
) -> list[tuple[str, np.ndarray, float]]:
    """The two-feature boundary at other values of one hyperparameter (binary models).

    The two-feature model of :func:`decision_surface` is refitted at each value by the one
    sweep engine (:func:`core.sweeps.sweep`: the setting's other values, rows and split,
    the registry's resolution), which reads each refit's line off its raw-unit
    coefficients.

    Returns
    -------
    list of (label, w, b)
        One per value that can be fitted, in the order given, as :func:`boundary_lines`
        gives them (``label`` is ``"C=0.1"``), so a figure can show how the hyperparameter
        moves the line. A value the other settings rule out (a fixed solver that cannot
        fit this penalty), or outside the spec, simply has no line: the current
        setting's own fit reports errors. A multinomial model has no single line: none.
    """
    data2 = two_feature_dataset(dataset, features)
    spec = param_spec(family, setting.estimator_id, param)
    grid = []
    for value in values:
        try:
            spec.validate(value)
        except ValueError:
            continue
        grid.append(value)

    def line(fit: FitResult) -> dict[str, float]:
        lines = boundary_lines(extract_linear_parameters(fit))
        if len(lines) != 1:
            return {}
        _, w, b = lines[0]
        return {"w_x": float(w[0]), "w_y": float(w[1]), "b": float(b)}

    table = sweep(family, setting, data2, param, grid, measures=False, progress=progress, read=line)
    out = []
    for value, row in zip(grid, table.to_dict("records"), strict=True):
        if row["note"] or not np.isfinite(row.get("b", np.nan)):
            continue
        out.append((f"{param}={value:g}", np.array([row["w_x"], row["w_y"]]), row["b"]))
    return out
