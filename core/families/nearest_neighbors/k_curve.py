"""Validation score against k: leave-one-out on small data, shuffled k-fold otherwise.

Every k is refitted by the one sweep engine (:func:`core.sweeps.sweep`) on the page's
training rows: its training score and the family's measures come from that refit, its
k-fold scores from the engine's ``cv`` (a validation curve on the training rows, the
pipeline refitted inside every fold). Leave-one-out is read off each refit instead
(:func:`leave_one_out_score`): its folds hold one row each, and the R² of one row is
undefined, so the held-out predictions are pooled and scored once. The best k is
:func:`core.sweep_diagnosis.best_value`, the Sweeps tab's reading.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import KFold, LeaveOneOut, StratifiedKFold, cross_val_predict

from core.data.tables import Dataset
from core.families.nearest_neighbors.cost import FIT_OVERHEAD, index_seconds, query_seconds
from core.families.nearest_neighbors.family import FAMILY
from core.families.nearest_neighbors.stored import one_thread
from core.fitting import FitResult, recorded_warnings
from core.scoring import TASK_SCORING
from core.setting import Setting
from core.sweep_diagnosis import best_value
from core.sweeps import sweep, sweep_seconds

#: Leave-one-out cross-validation is used up to this many training rows...
LOO_MAX_ROWS = 150
#: ...and this many fits (training rows × values of k); larger data get K-fold. One
#: leave-one-out fold (clone, scale, fit, predict one row) costs 3-12 ms on a busy 2-core
#: host, so this bounds the curve to a few seconds.
LOO_MAX_FITS = 800
#: The default leave-one-out curve visits about this many values of k.
LOO_POINTS = 7
#: Folds when leave-one-out is too costly.
KFOLD = 5
#: The default validation curve visits at most this many values of k.
CURVE_POINTS = 12
#: ...and none larger than this.
CURVE_MAX_K = 100


# --- the validation curve over n_neighbors -----------------------------------------------
@dataclass(frozen=True, eq=False)
class KCurve:
    """Training and cross-validated scores against ``n_neighbors``.

    Parameters
    ----------
    table : DataFrame
        ``n_neighbors``, ``train`` (the pipeline refitted on all training rows and scored
        on them, as the page's training score), ``validation`` (cross-validated) and
        ``validation_sd`` (spread over the folds; NaN with leave-one-out, whose folds are
        single rows).
    score : str
        The page's score: ``"accuracy"`` or ``"R²"``.
    cv : str
        How the rows were split, as a phrase.
    best : int
        The ``n_neighbors`` with the best validation score (the smallest on a tie).
    warnings : tuple of str
        What scikit-learn warned about.
    """

    table: pd.DataFrame
    score: str
    cv: str
    best: int
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class CurvePlan:
    """The values of k and the folds of one curve.

    Parameters
    ----------
    ks : tuple of int
        The values refitted, none larger than a training fold.
    folds : object
        ``"loo"``, or the k-fold splitter (shuffled, seed 0; stratified for classes).
    n_folds : int
        Folds (the training rows, for leave-one-out).
    fold_rows : int
        Rows the smallest training fold holds.
    label : str
        How the rows are split, as a phrase.
    """

    ks: tuple[int, ...]
    folds: Any
    n_folds: int
    fold_rows: int
    label: str


def default_ks(k_max: int, current: int | None = None, points: int = CURVE_POINTS) -> list[int]:
    """About ``points`` values of k from 1 to ``k_max`` (at most :data:`CURVE_MAX_K`),
    geometrically spaced (dense where k is small and every step matters), with ``current``
    added."""
    k_max = max(1, min(k_max, CURVE_MAX_K))
    ks = set(np.unique(np.round(np.geomspace(1, k_max, points)).astype(int)).tolist())
    if current is not None and 1 <= current <= k_max:
        ks.add(int(current))
    return sorted(ks)


def choose_cv(n_rows: int, n_ks: int) -> str | int:
    """``"loo"`` when leave-one-out over ``n_ks`` values of k on ``n_rows`` training rows is
    within :data:`LOO_MAX_ROWS` and :data:`LOO_MAX_FITS`, else :data:`KFOLD`."""
    return "loo" if n_rows <= LOO_MAX_ROWS and n_rows * n_ks <= LOO_MAX_FITS else KFOLD


def curve_grid(n_train: int) -> tuple[tuple[int, ...], str | int]:
    """The values of k and the cross-validation of the curve for ``n_train`` training rows.

    Leave-one-out at :data:`LOO_POINTS` values of k where :func:`choose_cv` allows it,
    else :data:`KFOLD` folds at :data:`CURVE_POINTS` values (values larger than a training
    fold are dropped by the curve). Fixed by the data alone, so the page's cache key for
    the curve leaves the current k out and moving k redraws from the cache.
    """
    loo_ks = default_ks(n_train - 1, None, LOO_POINTS)
    if choose_cv(n_train, len(loo_ks)) == "loo":
        return tuple(loo_ks), "loo"
    fold_rows = n_train - int(np.ceil(n_train / KFOLD))
    return tuple(default_ks(fold_rows, None, CURVE_POINTS)), KFOLD


def k_curve_plan(
    fit: FitResult, dataset: Dataset, ks: Sequence[int] | None = None, cv: str | int = "auto"
) -> CurvePlan:
    """The folds and values of k of :func:`k_validation_curve` (see its parameters).

    Raises
    ------
    ValueError
        When a class has too few training rows for two folds, or no value of k fits a
        training fold.
    """
    y_train = dataset.y.iloc[fit.split.train]
    n = len(y_train)
    classify = dataset.task == "classification"
    if cv == "auto":
        n_ks = len(ks) if ks is not None else len(default_ks(n - 1, None, LOO_POINTS))
        cv = choose_cv(n, n_ks)
    if cv == "loo":
        folds: Any = "loo"
        n_folds, fold_rows = n, n - 1
        label = f"leave-one-out ({n} folds of one row each)"
        points = LOO_POINTS
    else:
        n_folds = int(cv)
        if classify:
            n_folds = min(n_folds, int(y_train.value_counts().min()))
        if n_folds < 2:
            raise ValueError("Too few training rows per class for cross-validation.")
        kind = StratifiedKFold if classify else KFold
        folds = kind(n_splits=n_folds, shuffle=True, random_state=0)
        fold_rows = n - int(np.ceil(n / n_folds))
        label = f"{n_folds}-fold{' stratified' if classify else ''} cross-validation"
        points = CURVE_POINTS
    current = int(fit.model.n_neighbors)
    chosen = default_ks(fold_rows, current, points) if ks is None else sorted({int(k) for k in ks})
    chosen = [k for k in chosen if 1 <= k <= fold_rows]
    if not chosen:
        raise ValueError(f"No n_neighbors fits the {fold_rows} rows of a training fold.")
    return CurvePlan(tuple(chosen), folds, n_folds, fold_rows, label)


def leave_one_out_score(refit: FitResult, dataset: Dataset) -> float:
    """The leave-one-out score of a refit's setting on its training rows.

    ``cross_val_predict`` with ``LeaveOneOut`` refits the whole pipeline without each row
    in turn and predicts it; the pooled held-out predictions are scored once. For
    accuracy that is exactly the mean of the per-row scores ``cross_val_score`` would
    give; for regression it is the R² of the held-out predictions (the R² of a single
    row, which ``cross_val_score`` would need, is undefined).
    """
    X_frame, y_frame = refit.split.train_rows(dataset)
    # Plain arrays: scikit-learn's per-fold checks of a DataFrame cost several times the
    # neighbour search itself on small data.
    X_train, y_train = X_frame.to_numpy(dtype=float), y_frame.to_numpy()
    held_out = cross_val_predict(clone(refit.pipeline), X_train, y_train, cv=LeaveOneOut())
    metric = accuracy_score if dataset.task == "classification" else r2_score
    return float(metric(y_train, held_out))


def k_validation_curve(
    fit: FitResult,
    dataset: Dataset,
    setting: Setting,
    ks: Sequence[int] | None = None,
    *,
    cv: str | int = "auto",
    progress: Callable[[int, int], None] | None = None,
) -> KCurve:
    """Cross-validate the page's pipeline over ``n_neighbors`` on its training rows.

    Each k is a point of the one sweep engine: refitted on the training rows (its
    ``train`` score), with the k-fold scores of the engine's ``cv`` (the whole pipeline,
    imputation and scaling too, refitted inside every fold by scikit-learn), or the
    pooled leave-one-out score of :func:`leave_one_out_score`.

    Parameters
    ----------
    fit : FitResult
        The page's fit; its training rows and resolved settings are reused.
    dataset : Dataset
        Its data set.
    setting : Setting
        The page's setting (its data and split); ``n_neighbors`` is overridden.
    ks : sequence of int, optional
        The values of ``n_neighbors``; by default :func:`default_ks` up to the rows of the
        smallest training fold. Values larger than a training fold are dropped.
    cv : "auto", "loo" or int, default="auto"
        ``"loo"``: leave-one-out (every training row is a fold). An int: that many folds
        (stratified for classes), shuffled with seed 0. ``"auto"``: leave-one-out when the
        training rows are at most :data:`LOO_MAX_ROWS` and the fits (rows × values of k)
        at most :data:`LOO_MAX_FITS`, else :data:`KFOLD` folds.
    progress : callable, optional
        ``progress(done, total)`` after each value of k.

    Returns
    -------
    KCurve

    Raises
    ------
    ValueError
        As :func:`k_curve_plan`, or when the registry refuses a value of k (its sentence).
    """
    plan = k_curve_plan(fit, dataset, ks, cv)
    loo = plan.folds == "loo"

    def read(refit: FitResult) -> dict[str, float]:
        return {"leave_one_out": leave_one_out_score(refit, dataset)}

    with recorded_warnings() as shown, one_thread():
        table = sweep(
            FAMILY,
            setting.with_values(fit.hyperparameters),
            dataset,
            "n_neighbors",
            list(plan.ks),
            cv=None if loo else plan.folds,
            progress=progress,
            read=read if loo else None,
        )
    refused = table.loc[table["note"] != "", "note"]
    if len(refused):
        raise ValueError(str(refused.iloc[0]))
    if loo:
        table = table.assign(cv_mean=table["leave_one_out"], cv_std=np.nan)
    curve = pd.DataFrame(
        {
            "n_neighbors": table["value"].astype(int),
            "train": table["train"].astype(float),
            "validation": table["cv_mean"].astype(float),
            "validation_sd": table["cv_std"].astype(float),
        }
    )
    # The Sweeps tab's "best value", read off the engine's own table.
    best = int(best_value(table))
    warned = dict.fromkeys([*(w for point in table["warnings"] for w in point), *shown])
    return KCurve(curve, TASK_SCORING[dataset.task].primary, plan.label, best, tuple(warned))


def curve_seconds(fit: FitResult, dataset: Dataset, setting: Setting, plan: CurvePlan) -> float:
    """How long :func:`k_validation_curve` will take with this plan.

    The engine's :func:`core.sweeps.sweep_seconds` (each k refitted and scored, and with
    k folds each fold refitted and scored). Leave-one-out adds, at each k, one fit per
    training row that predicts that row alone against the others.
    """
    base = setting.with_values(fit.hyperparameters)
    loo = plan.folds == "loo"
    grid = list(plan.ks)
    total = sweep_seconds(
        FAMILY, base, dataset, "n_neighbors", grid, cv=None if loo else plan.n_folds
    )
    if loo:
        n_features = dataset.X.shape[1]
        for k in grid:
            values = {**fit.hyperparameters, "n_neighbors": k}
            one = (
                FIT_OVERHEAD
                + index_seconds(values, plan.fold_rows, n_features)
                + query_seconds(values, plan.fold_rows, n_features, 1)
            )
            total += plan.n_folds * one
    return float(total)
