"""Validation score against k: leave-one-out on small data, shuffled k-fold otherwise."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import accuracy_score, get_scorer, r2_score
from sklearn.model_selection import (
    KFold,
    LeaveOneOut,
    StratifiedKFold,
    cross_val_predict,
    cross_val_score,
)

from core.data.tables import Dataset
from core.families.nearest_neighbors.stored import one_thread
from core.fitting import FitResult, recorded_warnings
from core.scoring import TASK_SCORING
from core.sweep_diagnosis import best_value

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


def k_validation_curve(
    fit: FitResult,
    dataset: Dataset,
    ks: Sequence[int] | None = None,
    *,
    cv: str | int = "auto",
) -> KCurve:
    """Cross-validate the page's pipeline over ``n_neighbors`` on its training rows.

    The whole pipeline (imputation and scaling too) is refitted inside every fold by
    scikit-learn. Leave-one-out uses ``cross_val_predict`` with ``LeaveOneOut`` and scores
    the pooled held-out predictions once: for accuracy that is exactly the mean of the
    per-row scores ``cross_val_score`` would give, and for regression it is the R² of the
    held-out predictions (the R² of a single row, which ``cross_val_score`` would need, is
    undefined). K-fold uses ``cross_val_score``.

    Parameters
    ----------
    fit : FitResult
        The page's fit; its pipeline and training rows are reused.
    dataset : Dataset
        Its data set.
    ks : sequence of int, optional
        The values of ``n_neighbors``; by default :func:`default_ks` up to the rows of the
        smallest training fold. Values larger than a training fold are dropped.
    cv : "auto", "loo" or int, default="auto"
        ``"loo"``: leave-one-out (every training row is a fold). An int: that many folds
        (stratified for classes), shuffled with seed 0. ``"auto"``: leave-one-out when the
        training rows are at most :data:`LOO_MAX_ROWS` and the fits (rows × values of k)
        at most :data:`LOO_MAX_FITS`, else :data:`KFOLD` folds.

    Returns
    -------
    KCurve
    """
    X_frame, y_frame = fit.split.train_rows(dataset)
    # Plain arrays: scikit-learn's per-fold checks of a DataFrame cost several times the
    # neighbour search itself on small data.
    X_train, y_train = X_frame.to_numpy(dtype=float), y_frame.to_numpy()
    n = len(y_train)
    classify = dataset.task == "classification"
    if cv == "auto":
        n_ks = len(ks) if ks is not None else len(default_ks(n - 1, None, LOO_POINTS))
        cv = choose_cv(n, n_ks)
    if cv == "loo":
        splitter: Any = LeaveOneOut()
        fold_rows = n - 1
        label = f"leave-one-out ({n} folds of one row each)"
        points = LOO_POINTS
    else:
        folds = int(cv)
        if classify:
            folds = min(folds, int(y_frame.value_counts().min()))
        if folds < 2:
            raise ValueError("Too few training rows per class for cross-validation.")
        kind = StratifiedKFold if classify else KFold
        splitter = kind(n_splits=folds, shuffle=True, random_state=0)
        fold_rows = n - int(np.ceil(n / folds))
        label = f"{folds}-fold{' stratified' if classify else ''} cross-validation"
        points = CURVE_POINTS
    current = int(fit.model.n_neighbors)
    ks = default_ks(fold_rows, current, points) if ks is None else sorted({int(k) for k in ks})
    ks = [k for k in ks if 1 <= k <= fold_rows]
    if not ks:
        raise ValueError(f"No n_neighbors fits the {fold_rows} rows of a training fold.")
    scoring = TASK_SCORING[dataset.task]
    scorer = get_scorer(scoring.scorer)
    rows = []
    with recorded_warnings() as shown, one_thread():
        for k in ks:
            pipeline = clone(fit.pipeline).set_params(model__n_neighbors=k)
            train = float(scorer(clone(pipeline).fit(X_train, y_train), X_train, y_train))
            if cv == "loo":
                held_out = cross_val_predict(pipeline, X_train, y_train, cv=splitter)
                metric = accuracy_score if classify else r2_score
                valid, sd = float(metric(y_train, held_out)), np.nan
            else:
                scores = cross_val_score(
                    pipeline, X_train, y_train, cv=splitter, scoring=scoring.scorer
                )
                valid, sd = float(scores.mean()), float(scores.std())
            rows.append(
                {"n_neighbors": k, "train": train, "validation": valid, "validation_sd": sd}
            )
    table = pd.DataFrame(rows)
    # The same "best value" as every sweep's (the page's sentence and its button use it).
    best = int(best_value(table.rename(columns={"n_neighbors": "value", "validation": "cv_mean"})))
    return KCurve(table, scoring.primary, label, best, tuple(shown))
