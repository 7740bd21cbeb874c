"""How much the learned terms move when the rows change: refits on bootstrap or repeated
k-fold resamples, their intervals, and what their warnings mean.

Which terms are read off each refit is the family's ``resampled_terms`` capability (for a
linear model the intercept and the raw-unit coefficients); nothing here names a family.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import BaseEstimator, clone
from sklearn.model_selection import RepeatedKFold, RepeatedStratifiedKFold
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from core.data.tables import Dataset
from core.family import FamilySpec, Terms
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
)
from core.setting import Setting
from core.specs import resolve

ResampleMethod = Literal["bootstrap", "kfold"]


@dataclass(frozen=True)
class _TermsOf:
    """Reads a refitted pipeline's terms; a plain object, so joblib's workers receive it."""

    read: Callable[[Pipeline, tuple[str, ...], str], Terms]
    feature_names: tuple[str, ...]
    target: str

    def __call__(self, pipeline: Pipeline) -> Terms:
        return self.read(pipeline, self.feature_names, self.target)


def terms_reader(family: FamilySpec) -> Callable[..., Terms] | None:
    """The family's ``resampled_terms``, or None when its terms cannot be resampled."""
    return family.resampled_terms


# --- resampling -----------------------------------------------------------------------------
def _fit_resamples(
    prototype: BaseEstimator,
    X: np.ndarray,
    y: np.ndarray,
    scale: bool,
    tasks: list[tuple[int, np.ndarray, int]],
    read: Callable[[Pipeline], Terms],
) -> list[dict[str, Any]]:
    """Refit the pipeline once per task ``(resample, row positions, random_state)``."""
    out = []
    # Each refit is tiny: BLAS threads cost more in start-up and contention than they save,
    # and joblib workers would multiply them.
    with threadpool_limits(limits=1, user_api="blas"):
        for resample, rows, random_state in tasks:
            out.append(_fit_one(prototype, X, y, scale, resample, rows, random_state, read))
    return out


def _fit_one(
    prototype: BaseEstimator,
    X: np.ndarray,
    y: np.ndarray,
    scale: bool,
    resample: int,
    rows: np.ndarray,
    random_state: int,
    read: Callable[[Pipeline], Terms],
) -> dict[str, Any]:
    """Refit the pipeline on some training rows; return its terms (``read`` from the
    refitted pipeline) and warnings."""
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
    return {
        "resample": resample,
        "terms": read(pipeline),
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
    setting: Setting,
    dataset: Dataset,
    *,
    method: ResampleMethod = "bootstrap",
    n_resamples: int = 100,
    n_splits: int = 5,
    n_jobs: int | None = None,
) -> pd.DataFrame:
    """Refit one setting on resampled training rows and collect its learned terms.

    The training rows are the same as :func:`core.fitting.fit_model`'s for the setting's
    split; the whole pipeline (imputation, scaling, model) is refitted on each resample, so
    the spread includes everything the fit learns from the data. Each refit's terms are
    read by the family's ``resampled_terms`` (for a linear model: the intercept and the
    raw-unit coefficients).

    Parameters
    ----------
    family : FamilySpec
        A family whose terms keep their meaning across refits (``resampled_terms``).
    setting : Setting
        The estimator, its values (resolved as in ``fit_model``) and the split: ``scale``
        standardises features inside each refit, ``test_size`` rows are left out before
        resampling (0 resamples all rows), and ``seed`` is the random state of the split
        and of the resampling; equal seeds give equal results, whatever ``n_jobs``.
    dataset : Dataset
        Prepared features and target.
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
        ``feature`` (the term: ``"(intercept)"`` first when fitted, then the features),
        ``coef`` (raw units), ``feature_sd`` (training standard deviation of the term's
        feature, NaN for the intercept; ``coef * feature_sd`` is the effect per standard
        deviation), ``n_warnings`` (how many warnings scikit-learn raised in that
        resample's fit) and ``warning`` (the first of them, or ``""``).

    Raises
    ------
    FitError
        If scikit-learn rejects the setting on a resample.
    ValueError
        If a hyperparameter or the method is invalid, or the family has no terms to
        resample.
    """
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be at least 1, got {n_resamples}.")
    read_terms = terms_reader(family)
    if read_terms is None:
        raise ValueError(
            f"{family.title} learns no terms that keep their meaning across refits, so "
            "there is no spread across resamples to show."
        )
    if setting.family_id != family.id:
        raise ValueError(f"A {setting.family_id} setting cannot be resampled as {family.id}.")
    estimator_id, seed = setting.estimator_id, setting.seed
    spec = family.get_estimator(estimator_id)
    resolved = resolve(family.hyperparameters_for(estimator_id), setting.values)
    prototype = spec.make(resolved.values)
    split = split_data(dataset, setting.test_size, seed)
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
    feature_names = tuple(map(str, X.columns))
    read = _TermsOf(read_terms, feature_names, dataset.target)
    n_chunks = min(len(tasks), effective_n_jobs(n_jobs))
    chunks = [tasks[i::n_chunks] for i in range(n_chunks)]
    results = Parallel(n_jobs=n_jobs)(
        delayed(_fit_resamples)(prototype, X_values, y_values, setting.scale, chunk, read)
        for chunk in chunks
    )
    fits = sorted((r for chunk in results for r in chunk), key=lambda r: r["resample"])

    first: Terms = fits[0]["terms"]
    for f in fits:
        terms: Terms = f["terms"]
        if terms.outputs != first.outputs or terms.names != first.names:
            raise FitError(
                f"Resample {f['resample'] + 1} saw other classes than the first; "
                "every resample must contain every class."
            )
    outputs, features = list(first.outputs), list(first.names)
    # A term named after a feature is its weight: its spread per standard deviation of
    # that feature (on all training rows) reads in comparable units.
    sd_of = dict(zip(feature_names, training_sd(X), strict=True))
    sd_column = np.array([sd_of.get(name, np.nan) for name in features], dtype=float)
    n_out, n_terms = len(outputs), len(features)
    values = np.stack([f["terms"].values for f in fits])  # (n_resamples, n_outputs, n_terms)
    n_warn = np.array([len(f["warnings"]) for f in fits])
    first_warning = [
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
            "warning": np.repeat(first_warning, n_out * n_terms),
        }
    )


def resample_intervals(
    samples: pd.DataFrame,
    level: float = 0.95,
    fitted: Terms | LinearParameters | None = None,
) -> pd.DataFrame:
    """Summarise resampled coefficients per output and feature.

    Parameters
    ----------
    samples : DataFrame
        From :func:`resample_coefficients`.
    level : float, default=0.95
        Coverage of the percentile interval, in (0, 1).
    fitted : Terms, optional
        The terms of the fit on all training rows (the family's ``resampled_terms`` of
        its pipeline), added as a ``fitted`` column. A :class:`LinearParameters` is still
        read, for callers not yet moved.

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
        if isinstance(fitted, LinearParameters):
            fitted = Terms(
                fitted.outputs,
                (INTERCEPT, *fitted.feature_names),
                np.column_stack([fitted.intercept, fitted.coef]),
            )
        for i, output in enumerate(fitted.outputs):
            for j, name in enumerate(fitted.names):
                lookup[(output, name)] = float(fitted.values[i, j])
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
