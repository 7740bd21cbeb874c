"""One row through a fitted model: the result types every family's ``explain_row`` returns,
and the parts every family shares (the row as the model sees it, where each value sits in
the training distribution, what a what-if edit changed).

A family supplies ``explain_row(fit, dataset, row) -> RowStory`` (:class:`core.family.
FamilySpec`); :mod:`core.row_predict` picks it (or a story any model with ``coef_`` and
``intercept_`` can tell) and adds the shared parts. Every number a story shows is recomputed
from the fitted estimator's public attributes and ends exactly at what the estimator itself
predicts for the row; the tests check both against scikit-learn.

Sentences here are plain text (feature names and class labels come from users' files): the
page escapes them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from core.text import format_number


@dataclass(frozen=True)
class StoryMetric:
    """A headline number of a story (``Questions asked``, ``Neighbours``); ``value`` is the
    raw value (a number or a class label) and the page formats it."""

    label: str
    value: Any
    help: str = ""


@dataclass(frozen=True, eq=False)
class StoryTable:
    """One step of a story as a table (a layer's units, the path's questions)."""

    title: str
    frame: pd.DataFrame
    caption: str = ""


@dataclass(frozen=True, eq=False)
class StoryFigure:
    """One plotly chart of a story, built by a ``@figure_builder``; ``label`` names it in a
    choice when the story offers several views of one thing (:attr:`RowStory.choose`)."""

    label: str
    figure: Any


@dataclass(frozen=True, eq=False)
class RowStory:
    """How a fitted model turns one row into its prediction.

    Parameters
    ----------
    prediction : object
        What ``predict`` returns for the row (a number or a class label).
    probabilities : Series or None
        ``predict_proba`` for the row, indexed by class (as text); ``None`` for a regressor.
    sentences : tuple of str
        What the parameters did with this row, with its numbers (plain text).
    tables : tuple of StoryTable
        The steps, in order.
    figures : tuple of StoryFigure
        Charts of the steps.
    choose : bool, default=False
        Whether ``figures`` are alternative views of one step (the page offers a choice)
        rather than steps shown one after another.
    dot : str, optional
        A Graphviz drawing (a tree's path).
    metrics : tuple of StoryMetric
        Headline numbers besides the prediction.
    trace : mapping
        What a what-if edit can move, by name (a path, the units that are on, the
        neighbours): read by ``changes``.
    changes : callable, optional
        ``changes(before, after) -> list of str``: what moved between two stories of the
        same model (the family's own terms); the prediction's move is shared.
    method : str
        One sentence on how the story is computed (cited on the page).
    """

    prediction: Any
    probabilities: pd.Series | None = None
    sentences: tuple[str, ...] = ()
    tables: tuple[StoryTable, ...] = ()
    figures: tuple[StoryFigure, ...] = ()
    choose: bool = False
    dot: str | None = None
    metrics: tuple[StoryMetric, ...] = ()
    trace: Mapping[str, Any] = field(default_factory=dict)
    changes: Callable[[RowStory, RowStory], list[str]] | None = field(default=None, repr=False)
    method: str = ""


# --- the row as the model sees it -----------------------------------------------------------
def model_input(pipeline: Pipeline, row: pd.DataFrame) -> np.ndarray:
    """Rows after every step but the model (imputation, scaling), as floats."""
    prep = pipeline[:-1]
    return np.asarray(prep.transform(row) if len(prep) else row, dtype=float)


def model_rows(model: Any, z: np.ndarray) -> Any:
    """Rows as the final estimator takes them: with its feature names when it was fitted on
    a named frame (a pipeline without imputation or scaling), else the array."""
    z = np.atleast_2d(np.asarray(z, dtype=float))
    names = getattr(model, "feature_names_in_", None)
    return pd.DataFrame(z, columns=names) if names is not None else z


def imputed_row(pipeline: Pipeline, row: pd.DataFrame) -> np.ndarray:
    """Rows in the features' own units after the pipeline's imputation (before scaling)."""
    if "impute" in pipeline.named_steps:
        return np.asarray(pipeline.named_steps["impute"].transform(row), dtype=float)
    return row.to_numpy(dtype=float)


def edited_row(X: pd.DataFrame, position: int, edits: Mapping[str, float]) -> pd.DataFrame:
    """Row ``position`` of ``X`` as a one-row frame, with ``edits`` (column to value) applied."""
    if not 0 <= position < len(X):
        raise ValueError(f"Row {position} does not exist; the data have {len(X)} rows.")
    row = X.iloc[[position]].copy()
    for column, value in edits.items():
        if column not in row.columns:
            raise ValueError(f"The data have no feature {column!r}.")
        row[column] = float(value)
    return row.astype(float)


def feature_position_table(
    training: pd.DataFrame,
    row: pd.DataFrame,
    original: pd.DataFrame,
    model_row: np.ndarray | None = None,
    imputed: np.ndarray | None = None,
) -> pd.DataFrame:
    """Where each of the row's values sits among the training rows' values of its feature.

    Parameters
    ----------
    training : DataFrame
        The training features as the model's scaler saw them (imputed, not scaled).
    row, original : DataFrame of one row
        The row as predicted (after any edit) and as in the data.
    model_row : ndarray of shape (n_features,), optional
        The row as the model sees it (scaled), shown when the pipeline scales.
    imputed : ndarray of shape (n_features,), optional
        The row after imputation: a missing value is predicted with it.

    Returns
    -------
    DataFrame
        One row per feature: ``feature``, ``value``, ``in the data`` (the unedited value),
        ``edited``, ``scaled`` (when given), ``training min``, ``training max``,
        ``percentile`` (the share of training values at or below the value, in percent) and
        ``where`` (``"extrapolation: below/above the training range"``, ``"missing:
        imputed"``, or ``""``).
    """
    values = row.iloc[0].to_numpy(dtype=float)
    used = values if imputed is None else np.asarray(imputed, dtype=float)
    data = original.iloc[0].to_numpy(dtype=float)
    train = training.to_numpy(dtype=float)
    low, high = np.nanmin(train, axis=0), np.nanmax(train, axis=0)
    n = np.sum(~np.isnan(train), axis=0)
    at_or_below = np.sum(train <= used[None, :], axis=0)
    percentile = 100.0 * at_or_below / np.maximum(n, 1)
    where = []
    for j in range(len(values)):
        if np.isnan(values[j]):
            where.append(f"missing: imputed as {format_number(used[j])}")
        elif used[j] < low[j]:
            where.append("extrapolation: below the training range")
        elif used[j] > high[j]:
            where.append("extrapolation: above the training range")
        else:
            where.append("")
    table = pd.DataFrame(
        {
            "feature": [str(c) for c in row.columns],
            "value": values,
            "in the data": data,
            "edited": ~((values == data) | (np.isnan(values) & np.isnan(data))),
        }
    )
    if model_row is not None:
        table["scaled"] = np.asarray(model_row, dtype=float)
    table["training min"] = low
    table["training max"] = high
    table["percentile"] = percentile
    table["where"] = where
    return table


def extrapolation_sentence(positions: pd.DataFrame) -> str | None:
    """A sentence naming the values outside the training range, or ``None``."""
    outside = positions[positions["where"].str.startswith("extrapolation")]
    if outside.empty:
        return None
    names = ", ".join(
        f"{f} = {format_number(v)}"
        for f, v in zip(outside["feature"], outside["value"], strict=True)
    )
    return (
        f"Outside the training range: {names}. The model never saw such values; its "
        "prediction there extrapolates what it learned elsewhere."
    )


# --- what a what-if edit changed ------------------------------------------------------------
def value_text(value: Any) -> str:
    """A prediction as text: a number shortened, a class label as it is."""
    if isinstance(value, float | np.floating):
        return format_number(float(value))
    return str(value)


def prediction_change(before: RowStory, after: RowStory) -> str:
    """How the prediction moved between two stories of the same model, in a sentence."""
    if before.probabilities is not None and after.probabilities is not None:
        top = str(after.prediction)
        p0 = float(before.probabilities.get(top, np.nan))
        p1 = float(after.probabilities.get(top, np.nan))
        if before.prediction == after.prediction:
            return (
                f"The prediction stays {top}; its probability moved from {p0:.3f} to "
                f"{p1:.3f} ({p1 - p0:+.3f})."
            )
        return (
            f"The prediction changed from {before.prediction} to {top}: the probability of "
            f"{top} moved from {p0:.3f} to {p1:.3f}."
        )
    if before.probabilities is None and after.probabilities is None:
        try:
            b, a = float(before.prediction), float(after.prediction)
        except (TypeError, ValueError):
            b = a = np.nan
        if np.isfinite(b) and np.isfinite(a):
            if a == b:
                return f"The prediction stays {format_number(a)}."
            return (
                f"The prediction moved from {format_number(b)} to {format_number(a)} "
                f"({a - b:+.4g})."
            )
    if before.prediction == after.prediction:
        return f"The prediction stays {value_text(after.prediction)}."
    return (
        f"The prediction changed from {value_text(before.prediction)} to "
        f"{value_text(after.prediction)}."
    )


def what_changed(before: RowStory, after: RowStory) -> list[str]:
    """The prediction's move, then what the family says moved inside the model."""
    out = [prediction_change(before, after)]
    if after.changes is not None:
        out += after.changes(before, after)
    return out


def probability_series(model: Any, X: np.ndarray) -> pd.Series | None:
    """``predict_proba`` of one row by class (as text), or ``None`` without it."""
    if not hasattr(model, "classes_") or not hasattr(model, "predict_proba"):
        return None
    try:
        proba = model.predict_proba(model_rows(model, X))[0]
    except (AttributeError, ValueError):  # a loss without probabilities
        return None
    return pd.Series(proba, index=[str(c) for c in model.classes_], dtype=float)
