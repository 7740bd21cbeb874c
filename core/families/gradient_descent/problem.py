"""The two-parameter problem: one feature and the target, and which feature to open on.

Regression data give squared error on the target; classification data give log loss on one
class against the rest. A feature that splits the chosen class from the rest perfectly has
no finite log-loss optimum and is refused with a :class:`DescentError` that says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from core.data.tables import Dataset

LossKind = Literal["squared_error", "log_loss"]


class DescentError(ValueError):
    """The chosen feature and class make no descent problem; the message says why."""


@dataclass(frozen=True, eq=False)
class DescentProblem:
    """One feature and a target: the data the two-parameter model is fitted to.

    Parameters
    ----------
    x : ndarray of shape (n,)
        The feature as the model sees it: standardised when ``scaled``.
    y : ndarray of shape (n,)
        The target (float); for log loss 1.0 for ``positive_class`` and 0.0 otherwise.
    loss : {"squared_error", "log_loss"}
        Which loss the parameters minimise.
    feature, target : str
        Column names.
    scaled : bool
        Whether ``x`` is standardised.
    center, scale : float
        ``x = (raw − center) / scale`` (0 and 1 when not scaled).
    positive_class : str, optional
        The class counted as 1 (log loss).
    notes : tuple of str
        What was done to the data (one class against the rest, rows dropped).
    """

    x: np.ndarray
    y: np.ndarray
    loss: LossKind
    feature: str
    target: str
    scaled: bool
    center: float = 0.0
    scale: float = 1.0
    positive_class: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def n(self) -> int:
        """Number of rows."""
        return len(self.x)

    def to_raw(self, slope: Any, intercept: Any) -> tuple[Any, Any]:
        """Slope and intercept in the feature's own units (per unit of the raw feature):
        ``w / scale`` and ``b − w · center / scale``; unchanged when not scaled."""
        slope = np.asarray(slope, dtype=float)
        intercept = np.asarray(intercept, dtype=float)
        return slope / self.scale, intercept - slope * self.center / self.scale

    @property
    def loss_definition(self) -> str:
        """The loss in one sentence, as the page states it."""
        x = f"standardised {self.feature}" if self.scaled else self.feature
        if self.loss == "squared_error":
            return (
                f"Loss: mean over the {self.n} rows of ½(y − (w·x + b))², with x = {x} and y "
                f"= {self.target}; scikit-learn's SGDRegressor uses the same ½(y − p)²."
            )
        return (
            f"Loss: mean log loss over the {self.n} rows, log(1 + e^z) − y·z with z = w·x + b, "
            f"x = {x} and y = 1 for {self.positive_class}, 0 otherwise; scikit-learn's "
            "SGDClassifier(loss='log_loss') uses the same loss."
        )


def numeric_columns(X: pd.DataFrame) -> list[str]:
    """Columns with at least two distinct finite values (a constant has no slope)."""
    out = []
    for name in X.columns:
        values = X[name].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        if len(values) > 1 and np.ptp(values) > 0:
            out.append(str(name))
    return out


def _separable(x: np.ndarray, y01: np.ndarray) -> bool:
    """Whether a threshold on ``x`` splits the two groups perfectly (ties included): then
    the log loss keeps falling as the slope grows and has no finite optimum."""
    ones, zeros = x[y01 == 1], x[y01 == 0]
    if len(ones) == 0 or len(zeros) == 0:
        return True
    return bool(ones.max() <= zeros.min() or zeros.max() <= ones.min())


def class_labels(y: pd.Series) -> list[Any]:
    """Class labels in scikit-learn's order (sorted, as ``classes_``)."""
    return list(np.unique(y.dropna().to_numpy()))


def _abs_corr(x: np.ndarray, y: np.ndarray) -> float:
    mask = np.isfinite(x) & np.isfinite(y)
    if mask.sum() < 2 or np.ptp(x[mask]) == 0 or np.ptp(y[mask]) == 0:
        return 0.0
    return float(abs(np.corrcoef(x[mask], y[mask])[0, 1]))


def feature_ranking(dataset: Dataset) -> pd.DataFrame:
    """Every usable (feature, class) pair by how strongly the feature tracks the target.

    Returns
    -------
    DataFrame
        Columns ``feature``, ``class`` (``None`` for regression; for classification the
        class counted as 1), ``abs_corr`` (absolute correlation of the feature with the
        target, or with the 0/1 indicator of the class) and ``separable`` (the feature
        splits that class from the rest perfectly: no finite log-loss optimum). Sorted by
        ``abs_corr``, strongest first. Binary data list only the second class, as
        scikit-learn's binary models count it as 1.
    """
    columns = numeric_columns(dataset.X)
    rows = []
    if dataset.task == "regression":
        y = dataset.y.to_numpy(dtype=float)
        for name in columns:
            x = dataset.X[name].to_numpy(dtype=float)
            rows.append((name, None, _abs_corr(x, y), False))
    else:
        classes = class_labels(dataset.y)
        positives = classes[1:] if len(classes) == 2 else classes
        labels = dataset.y.to_numpy()
        for positive in positives:
            y01 = (labels == positive).astype(float)
            for name in columns:
                x = dataset.X[name].to_numpy(dtype=float)
                mask = np.isfinite(x)
                rows.append((name, positive, _abs_corr(x, y01), _separable(x[mask], y01[mask])))
    table = pd.DataFrame(rows, columns=["feature", "class", "abs_corr", "separable"])
    return table.sort_values("abs_corr", ascending=False, kind="stable").reset_index(drop=True)


def default_choice(dataset: Dataset) -> tuple[str, Any]:
    """The feature (and, for classification, the class) the view opens on: the strongest
    correlation with the target among pairs that have a finite optimum.

    Raises
    ------
    DescentError
        If no feature varies, or every feature separates every class perfectly.
    """
    table = feature_ranking(dataset)
    usable = table[~table["separable"]]
    if usable.empty:
        raise DescentError(
            "No feature of this data set fits a one-feature model here: either none varies, "
            "or each one splits the classes perfectly, so the log loss has no finite optimum."
        )
    first = usable.iloc[0]
    return str(first["feature"]), first["class"]


def make_problem(
    dataset: Dataset,
    feature: str | None = None,
    *,
    scale: bool = True,
    positive_class: Any = None,
    rows: np.ndarray | None = None,
) -> DescentProblem:
    """Build the one-feature problem the two-parameter view descends on.

    Parameters
    ----------
    dataset : Dataset
        Regression data give squared error; classification data give log loss.
    feature : str, optional
        The feature; default :func:`default_choice`'s.
    scale : bool, default=True
        Standardise the feature (mean 0, standard deviation 1 over the rows used,
        ``ddof=0`` as ``StandardScaler``). The target is never scaled.
    positive_class : optional
        The class counted as 1; default the second class for two classes, else
        :func:`default_choice`'s. With three or more classes the problem is that class
        against the rest, and a note says so.
    rows : ndarray of int, optional
        Row positions to use (the training rows); default every row.

    Raises
    ------
    DescentError
        For an unknown or constant feature, or a class the feature separates perfectly.
    """
    X = dataset.X if rows is None else dataset.X.iloc[rows]
    y = dataset.y if rows is None else dataset.y.iloc[rows]
    if feature is None:
        feature, best_class = default_choice(dataset)
        if positive_class is None:
            positive_class = best_class
    if feature not in X.columns:
        raise DescentError(f"The data set has no feature named {feature!r}.")
    raw = X[feature].to_numpy(dtype=float)
    notes: list[str] = []
    keep = np.isfinite(raw)
    if not keep.all():
        notes.append(f"{int((~keep).sum())} rows without a value of {feature} are left out.")
    raw = raw[keep]
    if len(raw) < 2 or np.ptp(raw) == 0:
        raise DescentError(f"{feature} takes a single value here: a constant has no slope.")
    if dataset.task == "regression":
        target = y.to_numpy(dtype=float)[keep]
        loss: LossKind = "squared_error"
        label = None
    else:
        classes = class_labels(y)
        if positive_class is None:
            positive_class = classes[1] if len(classes) == 2 else default_choice(dataset)[1]
        matches = [c for c in classes if c == positive_class or str(c) == str(positive_class)]
        if not matches:
            raise DescentError(f"{positive_class!r} is not one of the classes.")
        positive = matches[0]
        target = (y.to_numpy()[keep] == positive).astype(float)
        loss = "log_loss"
        label = str(positive)
        if len(classes) > 2:
            notes.append(
                f"The data have {len(classes)} classes; this view fits one binary model, "
                f"{label} (1) against the rest (0), as SGDClassifier does for each class."
            )
        if _separable(raw, target):
            raise DescentError(
                f"{feature} separates {label} from the rest perfectly: the log loss keeps "
                "falling as the slope grows, so there is no optimum to walk to. Pick another "
                "feature or class."
            )
    center, spread = (float(raw.mean()), float(raw.std())) if scale else (0.0, 1.0)
    return DescentProblem(
        x=(raw - center) / spread,
        y=target,
        loss=loss,
        feature=str(feature),
        target=dataset.target,
        scaled=scale,
        center=center,
        scale=spread,
        positive_class=label,
        notes=tuple(notes),
    )
