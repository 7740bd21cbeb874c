"""Sweeps: how a hyperparameter moves the learned parameters and the scores.

Everything here is computed on the training rows only, with the preprocessing of
:func:`core.fitting.build_pipeline` (median imputation when values are missing, then
optional standardisation), so a sweep describes the same model the page fits.

- The grids a sweep visits are in :mod:`core.sweep_grids`.
- Coefficient paths (:func:`coefficient_path`, :func:`logistic_coefficient_path`) give every
  coefficient as a function of the penalty, computed the cheap way: one SVD for ridge,
  warm-started coordinate descent (``enet_path``) for lasso and elastic net, warm-started
  ``LogisticRegression`` fits for logistic regression.
- Validation curves (:func:`validation_curve_table`, and the path-based
  :func:`path_validation_curve_table` for the penalty) give training and cross-validated
  scores against a hyperparameter, with the whole pipeline refitted inside each fold.
- :func:`sweep` is the one refit-over-a-grid engine: each value refitted through the
  registry on the page's training rows, scored on its training and test rows (and by
  cross-validation when asked), with what the family's ``sweep_measures`` reads off the
  learned parameters; :func:`sweep_seconds` estimates its time, prediction included.
- :mod:`core.sweep_diagnosis` reads a validation curve (the best value, the verdict).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.model_selection import validation_curve

from core.data.tables import Dataset
from core.family import FamilySpec
from core.fitting import (
    FitError,
    build_pipeline,
    captured_warnings,
    fit_model,
    single_blas_thread,
    split_data,
    warning_text,
)
from core.scoring import TASK_SCORING
from core.setting import Setting
from core.specs import ParamSpec, resolve
from core.sweep_grids import sweep_values

#: Columns of a validation-curve table, in order.
CURVE_COLUMNS = ("value", "train_mean", "train_std", "cv_mean", "cv_std", "note")
#: Columns of a :func:`sweep` table before the family's measures, in order.
SWEEP_COLUMNS = ("value", "train", "test", *CURVE_COLUMNS[1:], "warnings")
#: Without an estimate from the family, scoring a refit is taken to cost this share of
#: its fit on top of it.
SCORING_SHARE = 0.2


# --- shared plumbing -----------------------------------------------------------------------
@contextmanager
def collect_warnings(shown: list[str]) -> Iterator[None]:
    """Record warnings into ``shown`` (one line per kind, with a count), as fit_model does.

    Deprecation and future warnings are re-raised after the block so that they reach the
    test suite, which turns them into errors, instead of being swallowed.
    """
    counts: dict[str, int] = {}
    texts: dict[str, str] = {}
    with captured_warnings() as records:
        yield
    for record in records:
        text = warning_text(record)
        # Convergence warnings differ only in their numbers (duality gap, tolerance); one
        # line per kind keeps a 100-point path from listing 100 warnings.
        key = text.splitlines()[0].split(". ")[0]
        counts[key] = counts.get(key, 0) + 1
        texts.setdefault(key, text)
    for key, text in texts.items():
        more = counts[key] - 1
        shown.append(text if more == 0 else f"{text} (and {more} more like it along the sweep)")


def param_spec(family: FamilySpec, estimator_id: str, name: str) -> ParamSpec:
    for spec in family.hyperparameters_for(estimator_id):
        if spec.name == name:
            return spec
    label = family.get_estimator(estimator_id).label
    raise ValueError(f"{label} has no hyperparameter {name!r} to sweep.")


def training_rows(dataset: Dataset, test_size: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Training features (float, NaN kept for the imputer) and target as NumPy arrays.

    Arrays rather than frames: with a few hundred rows, scikit-learn's per-fit pandas dtype
    checks cost as much as the fits themselves (about half of a validation curve's time).
    The numbers are the same either way.
    """
    rows = split_data(dataset, test_size, seed).train
    y = dataset.y.to_numpy(dtype=float) if dataset.task == "regression" else dataset.y.to_numpy()
    return dataset.X.to_numpy(dtype=float)[rows], y[rows]


def _display_value(spec: ParamSpec, value: Any) -> Any:
    """Numbers stay numbers; bool and choice values become strings (one dtype per column)."""
    if value is None:  # a nullable spec's "none" (max_depth: no limit)
        return None
    if spec.kind in ("bool", "choice"):
        return str(value)
    if spec.kind == "layers":  # an architecture: its link text, "8,4"
        return spec.format(value)
    return int(value) if spec.kind == "int" else float(value)


def curve_frame(
    spec: ParamSpec,
    values: Sequence[Any],
    train: np.ndarray,
    test: np.ndarray,
    notes: Sequence[str],
) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "value": [_display_value(spec, v) for v in values],
            "train_mean": train.mean(axis=1),
            "train_std": train.std(axis=1),
            "cv_mean": test.mean(axis=1),
            "cv_std": test.std(axis=1),
            "note": list(notes),
        }
    )
    return frame[list(CURVE_COLUMNS)]


def validation_curve_table(
    family: FamilySpec,
    estimator_id: str,
    hyperparameters: dict[str, Any],
    dataset: Dataset,
    param_name: str,
    values: Sequence[Any] | np.ndarray | None = None,
    *,
    scale: bool = True,
    test_size: float = 0.25,
    seed: int = 0,
    cv: Any = 5,
    n_jobs: int | None = None,
    scoring: str | None = None,
) -> pd.DataFrame:
    """Training and cross-validated scores against one hyperparameter.

    Runs ``sklearn.model_selection.validation_curve`` on the training rows with the whole
    pipeline (imputation and scaling are refitted inside every fold). Rather than sweeping
    ``"model__<name>"`` directly, it sweeps ``"model"`` over complete estimators built by
    :meth:`EstimatorSpec.make` for each value, so every value is resolved the way the page
    resolves it (a ``C`` or ``l1_ratio`` sweep can change the automatic solver). Where the
    registry's resolution is a no-op, the numbers are those of sweeping ``"model__<name>"``.

    Parameters
    ----------
    family : FamilySpec
        Any family.
    estimator_id : str
        One of its estimators.
    hyperparameters : dict
        The page's values; the swept one is overridden.
    dataset : Dataset
        Prepared features and target.
    param_name : str
        A hyperparameter the estimator takes (its spec name = scikit-learn's name).
    values : array-like, optional
        Values to try, in the order given, each validated by the spec. Default
        :func:`sweep_values` of the spec.
    scale, test_size, seed
        As :func:`core.fitting.fit_model`.
    cv : int or cross-validation splitter, default=5
        Folds: an int means (stratified for classification) ``KFold`` without shuffling,
        as scikit-learn does; the training rows are already shuffled by the split.
    n_jobs : int, optional
        Fits run in parallel over folds and values (joblib).
    scoring : str, optional
        A scikit-learn scorer name; default R² for regression, accuracy for classification.

    Returns
    -------
    DataFrame
        One row per value: ``value`` (numbers for numeric specs, strings for bool and
        choice specs), ``train_mean``, ``train_std``, ``cv_mean``, ``cv_std`` (mean and
        standard deviation, ``ddof=0``, over folds) and ``note``: empty, or the reason a
        value could not be fitted (its scores are then NaN).

    Raises
    ------
    ValueError
        If ``param_name`` is not the estimator's, or a value is outside its spec.
    FitError
        If scikit-learn could fit no value at all.

    Notes
    -----
    Warnings from the fits (convergence, folds with few members of a class) are not caught:
    they reach the caller.
    """
    est_spec = family.get_estimator(estimator_id)
    spec = param_spec(family, estimator_id, param_name)
    base = resolve(family.hyperparameters_for(estimator_id), hyperparameters).values
    raw = sweep_values(spec) if values is None else values
    checked = [spec.validate(v) for v in raw]
    estimators: list[BaseEstimator] = []
    notes: list[str] = []
    for value in checked:
        try:
            estimators.append(est_spec.make({**base, param_name: value}))
            notes.append("")
        except ValueError as exc:  # the registry refuses the combination, in a sentence
            notes.append(str(exc))
    # Values the registry refuses keep NaN scores and their reason in ``note``.
    train = test = np.full((len(checked), 1), np.nan)
    if estimators:
        X_train, y_train = training_rows(dataset, test_size, seed)
        # Centre only if every swept model fits an intercept (see build_pipeline); a model
        # with an intercept learns the same coefficients from uncentred features.
        center = all(getattr(e, "fit_intercept", True) for e in estimators)
        pipeline = build_pipeline(
            estimators[0], scale=scale, impute=dataset.has_missing, center=center
        )
        try:
            with single_blas_thread():
                ok_train, ok_test = validation_curve(
                    pipeline,
                    X_train,
                    y_train,
                    param_name="model",
                    param_range=estimators,
                    cv=cv,
                    scoring=scoring or TASK_SCORING[dataset.task].scorer,
                    n_jobs=n_jobs,
                )
        except ValueError as exc:
            raise FitError(f"scikit-learn could not fit this sweep: {exc}") from None
        ok = [i for i, note in enumerate(notes) if not note]
        train = np.full((len(checked), ok_train.shape[1]), np.nan)
        test = train.copy()
        train[ok], test[ok] = ok_train, ok_test
    return curve_frame(spec, checked, train, test, notes)


# --- the one engine: refits over a grid ------------------------------------------------------
def sweep(
    family: FamilySpec,
    setting: Setting,
    dataset: Dataset,
    parameter: str,
    grid: Sequence[Any] | np.ndarray,
    *,
    measures: bool = True,
    cv: Any = None,
    progress: Callable[[int, int], None] | None = None,
    n_jobs: int | None = None,
    read: Callable[[Any], dict[str, Any]] | None = None,
) -> pd.DataFrame:
    """Refit the page's setting at every value of one hyperparameter, and read each refit.

    Each value is fitted by :func:`core.fitting.fit_model` (the registry's ``resolve``
    and the family's ``check`` run, so a value that changes the automatic solver gets it,
    and a refused value keeps its reason) on the page's training rows, one BLAS thread per
    fit, and scored on the training and test rows of the page's split. With ``cv``, the
    same value's validation curve on the training rows (:func:`validation_curve_table`,
    the pipeline refitted inside each fold) adds its training and cross-validated means
    and standard deviations.

    Parameters
    ----------
    family : FamilySpec
        The setting's family (what it can measure and estimate).
    setting : Setting
        The page's setting; ``parameter`` is overridden at each point.
    dataset : Dataset
        Prepared features and target.
    parameter : str
        The swept hyperparameter (its spec name).
    grid : array-like
        Values to refit at, in the order given; each is validated by the spec.
    measures : bool, default=True
        Add the family's ``sweep_measures`` of each refit as columns (none when the family
        has no such capability).
    cv : int or cross-validation splitter, optional
        Folds of the training rows for the cross-validated scores (as
        :func:`validation_curve_table`); ``None`` leaves those columns NaN.
    progress : callable, optional
        ``progress(done, total)``, called after each value.
    n_jobs : int, optional
        Parallel fits over the folds of one value (joblib).
    read : callable, optional
        ``read(fit) -> dict``: more columns read off each refit (a view's own, such as
        the iterations a solver used), after the measures and not listed among them.

    Returns
    -------
    DataFrame
        One row per value, columns :data:`SWEEP_COLUMNS` then the measures in the
        family's order: ``value``; ``train`` and ``test`` (the primary score on the page's
        split; ``test`` NaN without test rows); ``train_mean``, ``train_std``, ``cv_mean``,
        ``cv_std`` (over folds, ``ddof=0``); ``note`` (empty, or why the value could not be
        fitted or scored, its numbers then NaN); ``warnings`` (a tuple of what
        scikit-learn warned at that value). ``table.attrs["measures"]`` lists the measure
        columns.

    Raises
    ------
    ValueError
        If ``parameter`` is not the estimator's, or a value is outside its spec.
    """
    estimator_id, values = setting.estimator_id, setting.values
    fit_settings = setting.split_settings()
    spec = param_spec(family, estimator_id, parameter)
    checked = [spec.validate(v.item() if isinstance(v, np.generic) else v) for v in grid]
    primary = TASK_SCORING[dataset.task].primary
    rows: list[dict[str, Any]] = []
    names: list[str] = []
    for done, value in enumerate(checked, start=1):
        row: dict[str, Any] = dict.fromkeys(SWEEP_COLUMNS, np.nan)
        row.update(value=_display_value(spec, value), note="", warnings=())
        point = {**values, parameter: value}
        try:
            with single_blas_thread():
                fit = fit_model(family, estimator_id, point, dataset, **fit_settings)
        except (FitError, ValueError) as exc:
            row["note"] = str(exc)
        else:
            row["train"] = float(fit.metrics.loc[primary, "train"])
            row["test"] = float(fit.metrics.loc[primary, "test"])
            shown = list(fit.warnings)
            if measures and family.sweep_measures is not None:
                measured = family.sweep_measures(fit)
                names += [n for n in measured if n not in names]
                row.update(measured)
            if read is not None:
                row.update(read(fit))
            if cv is not None:
                try:
                    with collect_warnings(shown):
                        curve = validation_curve_table(
                            family,
                            estimator_id,
                            values,
                            dataset,
                            parameter,
                            [value],
                            cv=cv,
                            n_jobs=n_jobs,
                            **fit_settings,
                        )
                except (FitError, ValueError) as exc:
                    # The folds could not be scored at this value (a fold too small for
                    # it): that value's cross-validated scores say why; the rest stand.
                    row["note"] = str(exc)
                else:
                    row.update(curve.iloc[0][list(CURVE_COLUMNS[1:])].to_dict())
            row["warnings"] = tuple(dict.fromkeys(shown))
        rows.append(row)
        if progress is not None:
            progress(done, len(checked))
    extra = [c for row in rows for c in row if c not in SWEEP_COLUMNS and c not in names]
    table = pd.DataFrame(rows, columns=[*SWEEP_COLUMNS, *names, *dict.fromkeys(extra)])
    table.attrs["measures"] = names
    return table


def measure_columns(table: pd.DataFrame) -> list[str]:
    """The measure columns of a :func:`sweep` table, in order."""
    return list(table.attrs.get("measures", ()))


def sweep_seconds(
    family: FamilySpec,
    setting: Setting,
    dataset: Dataset,
    parameter: str,
    grid: Sequence[Any] | np.ndarray,
    *,
    cv: int | None = None,
    fit_seconds: float = 0.0,
) -> float:
    """How long :func:`sweep` will take, fitting and predicting both counted.

    Per value, one fit on the training rows and, with ``cv`` folds, one fit per fold on
    its ``(cv - 1) / cv`` of them, each scored. A family with ``estimate_seconds`` says
    what each costs at that value on that many rows (nearest neighbours: predicting every
    scored row against every stored one, rows² × features; a network: its epochs); the
    held-out rows of each fold add their share, ``1 / (cv - 1)`` of the fold's own
    scoring. Without it, each fit takes ``fit_seconds`` (the page's measured fit), plus
    :data:`SCORING_SHARE` of it for the scoring, scaled by its share of the rows.
    """
    estimator_id, values = setting.estimator_id, setting.values
    spec = param_spec(family, estimator_id, parameter)
    specs = family.hyperparameters_for(estimator_id)
    rows = split_data(dataset, setting.test_size, setting.seed).train
    X_train, y_train = dataset.X.iloc[rows], dataset.y.iloc[rows]
    folds = int(cv) if cv is not None else 0
    fold_rows = len(rows) - -(-len(rows) // folds) if folds else 0
    total = 0.0
    for value in grid:
        value = value.item() if isinstance(value, np.generic) else value
        if family.estimate_seconds is not None:
            try:
                point = resolve(specs, {**values, parameter: spec.validate(value)}).values
            except ValueError:
                continue  # refused before any fitting: no time
            total += family.estimate_seconds(estimator_id, point, X_train, y_train)
            if folds:
                one = family.estimate_seconds(
                    estimator_id, point, X_train.iloc[:fold_rows], y_train.iloc[:fold_rows]
                )
                total += folds * one * (1 + 1 / (folds - 1))
        else:
            per_fit = fit_seconds * (1 + SCORING_SHARE)
            total += per_fit * (1 + (folds - 1 if folds else 0))
    return float(total)
