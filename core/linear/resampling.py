"""How much the coefficients move when the rows change: refits on bootstrap or repeated
k-fold resamples, their intervals, and what their warnings mean."""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
import pandas as pd
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import BaseEstimator, clone
from sklearn.model_selection import RepeatedKFold, RepeatedStratifiedKFold
from threadpoolctl import threadpool_limits

from core.data.tables import Dataset
from core.family import FamilySpec
from core.fitting import (
    FitError,
    build_pipeline,
    captured_warnings,
    split_data,
    training_sd,
)
from core.linear.parameters import (
    INTERCEPT,
    LinearParameters,
    raw_linear_coefficients,
)
from core.specs import resolve

ResampleMethod = Literal["bootstrap", "kfold"]


# --- resampling -----------------------------------------------------------------------------
def _fit_resamples(
    prototype: BaseEstimator,
    X: np.ndarray,
    y: np.ndarray,
    scale: bool,
    tasks: list[tuple[int, np.ndarray, int]],
) -> list[dict[str, Any]]:
    """Refit the pipeline once per task ``(resample, row positions, random_state)``."""
    out = []
    # Each refit is tiny: BLAS threads cost more in start-up and contention than they save,
    # and joblib workers would multiply them.
    with threadpool_limits(limits=1, user_api="blas"):
        for resample, rows, random_state in tasks:
            out.append(_fit_one(prototype, X, y, scale, resample, rows, random_state))
    return out


def _fit_one(
    prototype: BaseEstimator,
    X: np.ndarray,
    y: np.ndarray,
    scale: bool,
    resample: int,
    rows: np.ndarray,
    random_state: int,
) -> dict[str, Any]:
    """Refit the pipeline on some training rows; return raw-unit coefficients and warnings."""
    model = clone(prototype)
    if "random_state" in model.get_params():
        # Shuffling solvers (sag, saga; random coordinate descent) get a seed of their own
        # per resample, drawn from the resampling seed, so resamples are repeatable.
        model.set_params(random_state=random_state)
    X_rows, y_rows = X[rows], y[rows]
    pipeline = build_pipeline(model, scale=scale, impute=bool(np.isnan(X_rows).any()))
    with captured_warnings() as records:
        try:
            pipeline.fit(X_rows, y_rows)
        except (ValueError, np.linalg.LinAlgError) as exc:
            raise FitError(f"scikit-learn could not fit resample {resample + 1}: {exc}") from None
    coef, intercept, _, _ = raw_linear_coefficients(pipeline)
    return {
        "resample": resample,
        "coef": coef,
        "intercept": intercept,
        "classes": getattr(pipeline.named_steps["model"], "classes_", None),
        "warnings": [(r.category, str(r.message).strip()) for r in records],
    }


def _resample_rows(
    y: pd.Series,
    classification: bool,
    method: ResampleMethod,
    n_resamples: int,
    n_splits: int,
    rng: np.random.Generator,
    seed: int,
) -> list[np.ndarray]:
    """Row positions (into the training rows) of each resample."""
    n = len(y)
    if method == "bootstrap":
        if not classification:
            return [rng.integers(0, n, size=n) for _ in range(n_resamples)]
        # Stratified: resample within each class, so every class keeps its count and every
        # refit sees all classes (and the same outputs).
        groups = [np.flatnonzero((y == c).to_numpy()) for c in pd.unique(y)]
        return [
            np.sort(np.concatenate([rng.choice(g, size=len(g), replace=True) for g in groups]))
            for _ in range(n_resamples)
        ]
    if method == "kfold":
        if n_splits < 2 or n_splits > n:
            raise ValueError(f"K-fold needs 2 to {n} folds, got {n_splits}.")
        n_repeats = math.ceil(n_resamples / n_splits)
        if classification:
            smallest = int(y.value_counts().min())
            if smallest < n_splits:
                raise ValueError(
                    f"Stratified {n_splits}-fold needs at least {n_splits} training rows of "
                    f"every class; the rarest has {smallest}. Use fewer folds or the bootstrap."
                )
            splitter: Any = RepeatedStratifiedKFold(
                n_splits=n_splits, n_repeats=n_repeats, random_state=seed
            )
        else:
            splitter = RepeatedKFold(n_splits=n_splits, n_repeats=n_repeats, random_state=seed)
        folds = [train for train, _ in splitter.split(np.zeros(n), y)]
        return folds[:n_resamples]
    raise ValueError(f"Unknown resampling method {method!r}: use 'bootstrap' or 'kfold'.")


def resample_coefficients(
    family: FamilySpec,
    estimator_id: str,
    hyperparameters: dict[str, Any],
    dataset: Dataset,
    *,
    scale: bool = True,
    test_size: float = 0.25,
    seed: int = 0,
    method: ResampleMethod = "bootstrap",
    n_resamples: int = 100,
    n_splits: int = 5,
    n_jobs: int | None = None,
) -> pd.DataFrame:
    """Refit one setting on resampled training rows and collect the raw-unit coefficients.

    The training rows are the same as :func:`core.fitting.fit_model`'s for these
    ``test_size`` and ``seed``; the whole pipeline (imputation, scaling, model) is refitted on
    each resample, so the spread includes everything the fit learns from the data.

    Parameters
    ----------
    family : FamilySpec
        A linear model family (the model has ``coef_`` and ``intercept_``).
    estimator_id : str
        Which of the family's estimators.
    hyperparameters : dict
        Values by scikit-learn name, resolved as in ``fit_model``.
    dataset : Dataset
        Prepared features and target.
    scale : bool, default=True
        Standardise features inside each refit.
    test_size : float, default=0.25
        Share of test rows left out before resampling (0 resamples all rows).
    seed : int, default=0
        Random state of the split and of the resampling; equal seeds give equal results,
        whatever ``n_jobs``.
    method : {"bootstrap", "kfold"}, default="bootstrap"
        ``"bootstrap"``: draw as many rows as there are training rows, with replacement
        (stratified by class for classification), which mimics drawing a new sample.
        ``"kfold"``: the training folds of repeated K-fold (stratified for classification);
        the folds share most rows, so this spread shows stability under dropping a fold of
        rows and is narrower than the sampling spread: not a confidence interval.
    n_resamples : int, default=100
        Number of refits.
    n_splits : int, default=5
        K of the K-fold method.
    n_jobs : int or None, default=None
        joblib workers; None runs in this process, which is fastest for small data: a
        linear refit takes milliseconds, while starting worker processes that import
        scikit-learn takes seconds. Use the default process backend; threads would share
        the process-wide warning capture.

    Returns
    -------
    DataFrame
        Long and tidy, one row per resample, output and term: ``resample`` (0-based),
        ``output`` (the target, or the class as in :func:`extract_linear_parameters`),
        ``feature`` (``"(intercept)"`` first when fitted, then the features), ``coef``
        (raw units), ``feature_sd`` (training standard deviation, NaN for the intercept;
        ``coef * feature_sd`` is the effect per standard deviation), ``n_warnings`` (how
        many warnings scikit-learn raised in that resample's fit) and ``warning`` (the first
        of them, or ``""``).

    Raises
    ------
    FitError
        If scikit-learn rejects the setting on a resample.
    ValueError
        If a hyperparameter or the method is invalid.
    """
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be at least 1, got {n_resamples}.")
    spec = family.get_estimator(estimator_id)
    setting = resolve(family.hyperparameters_for(estimator_id), hyperparameters)
    prototype = spec.make(setting.values)
    split = split_data(dataset, test_size, seed)
    X, y = split.train_rows(dataset)
    X, y = X.reset_index(drop=True), y.reset_index(drop=True)
    classification = dataset.task == "classification"
    rng = np.random.default_rng(seed)
    rows = _resample_rows(y, classification, method, n_resamples, n_splits, rng, seed)
    random_states = rng.integers(0, 2**31 - 1, size=len(rows))
    tasks = [(i, r, int(s)) for i, (r, s) in enumerate(zip(rows, random_states, strict=True))]

    # Plain arrays: scikit-learn validates them several times faster than DataFrames, and
    # they pickle small for the workers. One task per chunk of resamples, so each worker
    # receives the training rows once.
    X_values, y_values = X.to_numpy(dtype=float), y.to_numpy()
    n_chunks = min(len(tasks), effective_n_jobs(n_jobs))
    chunks = [tasks[i::n_chunks] for i in range(n_chunks)]
    results = Parallel(n_jobs=n_jobs)(
        delayed(_fit_resamples)(prototype, X_values, y_values, scale, chunk) for chunk in chunks
    )
    fits = sorted((r for chunk in results for r in chunk), key=lambda r: r["resample"])

    if classification:
        expected = np.asarray(fits[0]["classes"])
        for f in fits:
            if not np.array_equal(np.asarray(f["classes"]), expected):
                raise FitError(
                    f"Resample {f['resample'] + 1} saw other classes than the first; "
                    "every resample must contain every class."
                )
        outputs = [str(c) for c in expected] if len(expected) > 2 else [str(expected[1])]
    else:
        outputs = [dataset.target]

    fit_intercept = bool(getattr(prototype, "fit_intercept", True))
    features = [INTERCEPT, *map(str, X.columns)] if fit_intercept else list(map(str, X.columns))
    sd = training_sd(X)
    sd_column = np.r_[np.nan, sd] if fit_intercept else sd
    n_out, n_terms = len(outputs), len(features)
    values = np.stack(
        [np.column_stack([f["intercept"], f["coef"]]) if fit_intercept else f["coef"] for f in fits]
    )  # (n_resamples, n_outputs, n_terms)
    n_warn = np.array([len(f["warnings"]) for f in fits])
    first = [
        f"{f['warnings'][0][0].__name__}: {f['warnings'][0][1]}" if f["warnings"] else ""
        for f in fits
    ]
    n_fits = len(fits)
    return pd.DataFrame(
        {
            "resample": np.repeat(np.arange(n_fits), n_out * n_terms),
            "output": np.tile(np.repeat(outputs, n_terms), n_fits),
            "feature": np.tile(features, n_fits * n_out),
            "coef": values.ravel(),
            "feature_sd": np.tile(sd_column, n_fits * n_out),
            "n_warnings": np.repeat(n_warn, n_out * n_terms),
            "warning": np.repeat(first, n_out * n_terms),
        }
    )


def resample_intervals(
    samples: pd.DataFrame,
    level: float = 0.95,
    fitted: LinearParameters | None = None,
) -> pd.DataFrame:
    """Summarise resampled coefficients per output and feature.

    Parameters
    ----------
    samples : DataFrame
        From :func:`resample_coefficients`.
    level : float, default=0.95
        Coverage of the percentile interval, in (0, 1).
    fitted : LinearParameters, optional
        The coefficients of the fit on all training rows, added as a ``fitted`` column.

    Returns
    -------
    DataFrame
        One row per output and feature, in the order of ``samples``: ``output``,
        ``feature``, ``feature_sd``, ``mean``, ``sd`` (standard deviation across resamples,
        the bootstrap standard error), ``low`` and ``high`` (the ``(1 - level) / 2`` and
        ``(1 + level) / 2`` percentiles), ``share_zero`` (share of resamples where the
        coefficient is exactly zero, as Lasso produces), ``share_sign_flip`` (share on the
        minority side of zero: 0 when every resample agrees on the sign, up to 0.5), ``n``
        (resamples) and, with ``fitted``, ``fitted``.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level}.")
    tail = (1 - level) / 2
    grouped = samples.groupby(["output", "feature"], sort=False)["coef"]
    table = grouped.agg(
        mean="mean",
        sd="std",
        low=lambda s: s.quantile(tail),
        high=lambda s: s.quantile(1 - tail),
        share_zero=lambda s: float((s == 0).mean()),
        share_sign_flip=lambda s: float(min((s > 0).mean(), (s < 0).mean())),
        n="size",
    ).reset_index()
    sd = samples.groupby(["output", "feature"], sort=False)["feature_sd"].first().to_numpy()
    table.insert(2, "feature_sd", sd)
    if fitted is not None:
        lookup = {}
        for i, output in enumerate(fitted.outputs):
            lookup[(output, INTERCEPT)] = float(fitted.intercept[i])
            for j, feature in enumerate(fitted.feature_names):
                lookup[(output, feature)] = float(fitted.coef[i, j])
        table["fitted"] = [
            lookup.get(key, np.nan) for key in zip(table["output"], table["feature"], strict=True)
        ]
    return table


def resample_warning_note(samples: pd.DataFrame) -> str | None:
    """One sentence counting the resamples whose refit warned, with the commonest warning."""
    per_resample = samples.groupby("resample", sort=True)[["n_warnings", "warning"]].first()
    warned = per_resample[per_resample["n_warnings"] > 0]
    if warned.empty:
        return None
    # Messages carry per-fit numbers (a duality gap, say); group them by their first sentence.
    first_sentence = warned["warning"].map(lambda text: text.split(". ")[0].rstrip(".") + ".")
    common = first_sentence.value_counts().index[0]
    if common.startswith("ConvergenceWarning"):
        # The raw class name means nothing to a reader; what it means for the spread does.
        return (
            f"{len(warned)} of {len(per_resample)} resampled refits stopped before "
            "converging (the solver used all its max_iter iterations before meeting tol): "
            "their coefficients are where it stopped, so part of this spread is the "
            "solver's, not the data's. A larger max_iter, or a larger tol, on the first "
            "screen lets the refits converge."
        )
    return (
        f"scikit-learn warned in {len(warned)} of {len(per_resample)} resamples "
        f"(most often {common!r}); those refits may not have converged."
    )
