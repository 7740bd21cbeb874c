"""The penalty's validation curve from regularisation paths: one path per fold."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.metrics import check_scoring
from sklearn.model_selection import check_cv
from sklearn.utils.parallel import Parallel, delayed

from core.data.tables import Dataset
from core.family import EstimatorSpec, FamilySpec
from core.fitting import (
    build_pipeline,
    single_blas_thread,
)
from core.linear.paths import check_setting, penalty_param
from core.linear.tracers import ascending_values, model_space_path
from core.scoring import TASK_SCORING
from core.setting import Setting
from core.specs import resolve
from core.sweep_grids import sweep_values
from core.sweeps import curve_frame, param_spec, training_rows

# --- validation curves -----------------------------------------------------------------------


def _fitted_like(
    est_spec: EstimatorSpec,
    values: dict[str, Any],
    coef: np.ndarray,
    intercept: np.ndarray,
    classes: np.ndarray | None,
) -> BaseEstimator:
    """An estimator carrying path coefficients, so any scikit-learn scorer can score them.

    The fitted attributes are the ones the estimator's own ``predict`` and
    ``predict_proba`` read (``coef_``, ``intercept_``, ``classes_``), shaped as ``fit`` leaves
    them.
    """
    model = est_spec.make(values)
    if classes is None:
        model.coef_ = coef[0].copy()
        model.intercept_ = float(intercept[0])
    else:
        model.coef_ = coef.copy()
        model.intercept_ = intercept.copy()
        model.classes_ = classes
    model.n_features_in_ = coef.shape[-1]
    return model


def _fold_path_scores(
    est_spec: EstimatorSpec,
    base: dict[str, Any],
    param: str,
    values: np.ndarray,
    X_fit: np.ndarray,
    y_fit: np.ndarray,
    X_val: np.ndarray,
    y_val: np.ndarray,
    scale: bool,
    impute: bool,
    scoring: str,
    tol: float | None,
) -> tuple[np.ndarray, np.ndarray]:
    """One fold: refit the preprocessing, fit the whole path, score every value.

    The scaler centres only when the model fits an intercept, as the page's own pipeline
    does (:func:`core.fitting.build_pipeline`): centring a model without an intercept moves
    its origin to the fold's means, a different model (with ridge on diabetes, a
    cross-validated R² near -3 where the page's model scores about 0.45).
    """
    center = bool(base.get("fit_intercept", True))
    prep = build_pipeline("passthrough", scale=scale, impute=impute, center=center)
    Xm_fit = np.asarray(prep.fit_transform(X_fit), dtype=float)
    Xm_val = np.asarray(prep.transform(X_val), dtype=float)
    W, b, classes = model_space_path(est_spec, base, param, values, Xm_fit, y_fit, tol)
    train, test = np.empty(len(values)), np.empty(len(values))
    for k, value in enumerate(values):
        model = _fitted_like(est_spec, {**base, param: value}, W[k], b[k], classes)
        scorer = check_scoring(model, scoring=scoring)
        train[k] = scorer(model, Xm_fit, y_fit)
        test[k] = scorer(model, Xm_val, y_val)
    return train, test


def path_validation_curve_table(
    family: FamilySpec,
    setting: Setting,
    dataset: Dataset,
    values: Sequence[float] | np.ndarray | None = None,
    *,
    cv: Any = 5,
    n_jobs: int | None = None,
    scoring: str | None = None,
    tol: float | None = None,
) -> pd.DataFrame:
    """The validation curve of the penalty (``alpha`` or ``C``), the fast way.

    The same table as :func:`validation_curve_table` for :func:`penalty_param`, but each
    fold fits one regularisation path (one SVD for ridge, ``enet_path`` for lasso and
    elastic net, warm-started fits for logistic) instead of one model per value. This is
    what ``RidgeCV``, ``LassoCV``, ``ElasticNetCV`` and ``LogisticRegressionCV`` do inside;
    they are not called directly because they report no training scores, fix the score
    (``LassoCV``: mean squared error), and, wrapped in the pipeline, would fit the scaler
    outside the folds. Folds match :func:`validation_curve_table`'s for the same ``cv``.

    Parameters
    ----------
    family : FamilySpec
        The setting's family.
    setting : Setting
        The estimator, its values and the split (the training rows the folds divide).
    dataset, cv, scoring
        As :func:`validation_curve_table`.
    values : array-like, optional
        Values of the penalty, sorted ascending (duplicates dropped). Default
        :func:`sweep_values` of its spec.
    n_jobs : int, optional
        Folds run in parallel (joblib).
    tol : float, optional
        Override the solver tolerance.

    Returns
    -------
    DataFrame
        As :func:`validation_curve_table`, rows in ascending order of the value. Agrees with
        it to the solver's tolerance (exactly, to rounding, for ridge).

    Raises
    ------
    ValueError
        If the estimator has no penalty path.
    """
    check_setting(family, setting)
    estimator_id = setting.estimator_id
    param = penalty_param(family, estimator_id)
    if param is None:
        label = family.get_estimator(estimator_id).label
        raise ValueError(f"{label} has no penalty, so there is no path to cross-validate.")
    est_spec = family.get_estimator(estimator_id)
    spec = param_spec(family, estimator_id, param)
    base = resolve(family.hyperparameters_for(estimator_id), setting.values).values
    grid = ascending_values(sweep_values(spec) if values is None else values, spec)
    X_train, y_train = training_rows(dataset, setting.test_size, setting.seed)
    splitter = check_cv(cv, y_train, classifier=dataset.task == "classification")
    folds = list(splitter.split(X_train, y_train))
    with single_blas_thread():
        scores = Parallel(n_jobs=n_jobs)(
            delayed(_fold_path_scores)(
                est_spec,
                base,
                param,
                grid,
                X_train[fit],
                y_train[fit],
                X_train[val],
                y_train[val],
                setting.scale,
                dataset.has_missing,
                scoring or TASK_SCORING[dataset.task].scorer,
                tol,
            )
            for fit, val in folds
        )
    train = np.column_stack([s[0] for s in scores])
    test = np.column_stack([s[1] for s in scores])
    return curve_frame(spec, list(grid), train, test, [""] * len(grid))
