"""Capabilities are objects that shared code calls: an estimator's path tracer, a family's
``resampled_terms``, an estimator's ``inference``; and the paths, the path curve and the
resamples take one Setting."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from core.data.prepare import load_dataset
from core.family import Terms
from core.fitting import fit_model, training_sd
from core.linear.inference import InferenceError, logit_inference, ols_inference
from core.linear.parameters import INTERCEPT, linear_terms
from core.linear.path_curve import path_validation_curve_table
from core.linear.paths import penalty_paths
from core.linear.resampling import resample_coefficients, resample_intervals
from core.linear.tracers import ENET_PATH, PATH_METHODS, RIDGE_SVD, WARM_START
from core.registry import LINEAR_REGRESSION, LOGISTIC_REGRESSION
from core.setting import Setting
from core.sweeps import validation_curve_table


def with_estimator(family, estimator_id, **changes):
    """The family with one estimator's capabilities changed (a family no page shows)."""
    estimators = tuple(
        dataclasses.replace(e, **changes) if e.id == estimator_id else e for e in family.estimators
    )
    return dataclasses.replace(family, estimators=estimators)


# --- the path tracer ------------------------------------------------------------------------
def test_each_penalised_estimator_carries_a_tracer_object():
    paths = {e.id: e.path for e in (*LINEAR_REGRESSION.estimators, *LOGISTIC_REGRESSION.estimators)}
    assert paths == {
        "ols": None,
        "ridge": RIDGE_SVD,
        "lasso": ENET_PATH,
        "elasticnet": ENET_PATH,
        "logistic": WARM_START,
    }
    assert PATH_METHODS[RIDGE_SVD.name] == RIDGE_SVD.description


def test_any_tracer_object_is_called_without_shared_code_knowing_it(diabetes):
    """A tracer the shared code has never seen (ridge's, renamed and with a 7-point default
    grid) traces the path: the paths module calls it and never asks which it is."""
    own = dataclasses.replace(RIDGE_SVD, name="svd_again", default_points=7)
    family = with_estimator(LINEAR_REGRESSION, "ridge", path=own)
    setting = Setting.on(diabetes, family.id, "ridge", {"alpha": 2.0})
    (path,) = penalty_paths(family, setting, diabetes)
    assert path.method == "svd_again"
    assert path.n_values == 8 and 2.0 in path.values  # 7 default points and the current alpha
    (reference,) = penalty_paths(LINEAR_REGRESSION, setting, diabetes, values=path.values)
    np.testing.assert_array_equal(path.coef, reference.coef)
    np.testing.assert_array_equal(path.intercept, reference.intercept)


def test_a_tracer_says_whether_its_path_zeroes_coefficients(diabetes):
    lasso = Setting.on(diabetes, LINEAR_REGRESSION.id, "lasso", {})
    elastic_l2 = Setting.on(diabetes, LINEAR_REGRESSION.id, "elasticnet", {"l1_ratio": 0.0})
    (sparse,) = penalty_paths(LINEAR_REGRESSION, lasso, diabetes, n_values=10)
    (dense,) = penalty_paths(LINEAR_REGRESSION, elastic_l2, diabetes, values=[0.1, 1.0])
    assert sparse.zero_at is not None and sparse.method == "enet_path"
    assert dense.zero_at is None and dense.method == "enet_path"


# --- one Setting ----------------------------------------------------------------------------
def test_the_settings_split_reaches_the_path_the_curve_and_the_resamples(diabetes):
    """Unscaled, 30% held out, seed 4: each of the three reads the split off the Setting, so
    they agree with the page's fit and the grid sweep on those rows."""
    split = {"scale": False, "test_size": 0.3, "seed": 4}
    values = {"alpha": 0.5}
    setting = Setting.on(diabetes, LINEAR_REGRESSION.id, "ridge", values, **split)
    fit = fit_model(LINEAR_REGRESSION, "ridge", values, diabetes, **split)
    (path,) = penalty_paths(LINEAR_REGRESSION, setting, diabetes, values=[0.1, 0.5, 2.0])
    coef = fit.pipeline[-1].coef_
    np.testing.assert_allclose(path.coef[1], coef, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(path.feature_sd, fit.feature_sd)
    grid = [0.1, 1.0, 10.0]
    curve = path_validation_curve_table(LINEAR_REGRESSION, setting, diabetes, grid, cv=3)
    swept = validation_curve_table(
        LINEAR_REGRESSION, "ridge", values, diabetes, "alpha", grid, cv=3, **split
    )
    for column in ("train_mean", "cv_mean"):
        np.testing.assert_allclose(curve[column], swept[column], rtol=1e-8)
    samples = resample_coefficients(LINEAR_REGRESSION, setting, diabetes, n_resamples=4)
    n_terms = diabetes.X.shape[1] + 1
    np.testing.assert_allclose(samples["feature_sd"].iloc[1:n_terms], fit.feature_sd)


def test_a_setting_of_another_family_is_refused(diabetes):
    setting = Setting.on(diabetes, LOGISTIC_REGRESSION.id, "ridge", {})
    with pytest.raises(ValueError, match="cannot be traced"):
        penalty_paths(LINEAR_REGRESSION, setting, diabetes)


# --- resampled terms ------------------------------------------------------------------------
def _intercept_and_bmi(pipeline, feature_names, target) -> Terms:
    """Only two of the linear terms: what a family names is what is resampled."""
    full = linear_terms(pipeline, feature_names, target)
    keep = [full.names.index(INTERCEPT), full.names.index("bmi")]
    return Terms(full.outputs, (INTERCEPT, "bmi"), full.values[:, keep])


def test_the_familys_resampled_terms_are_what_is_resampled(diabetes):
    family = dataclasses.replace(LINEAR_REGRESSION, resampled_terms=_intercept_and_bmi)
    setting = Setting.on(diabetes, family.id, "ridge", {"alpha": 1.0}, seed=3)
    samples = resample_coefficients(family, setting, diabetes, n_resamples=5)
    assert samples["feature"].tolist() == [INTERCEPT, "bmi"] * 5
    full = resample_coefficients(LINEAR_REGRESSION, setting, diabetes, n_resamples=5)
    expected = full[full["feature"].isin([INTERCEPT, "bmi"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(samples, expected)
    # A term named after a feature is read per SD of that feature; the intercept is not.
    fit = fit_model(LINEAR_REGRESSION, "ridge", {"alpha": 1.0}, diabetes, seed=3)
    X_train, _ = fit.split.train_rows(diabetes)
    bmi_sd = training_sd(X_train)[list(X_train.columns).index("bmi")]
    assert samples["feature_sd"].iloc[1] == bmi_sd and np.isnan(samples["feature_sd"].iloc[0])
    # The fitted column is read from the page's fit the same way.
    fitted = _intercept_and_bmi(fit.pipeline, fit.feature_names, fit.target)
    intervals = resample_intervals(samples, fitted=fitted)
    assert intervals["fitted"].tolist() == fitted.values[0].tolist()


def test_a_family_without_resampled_terms_has_nothing_to_resample(diabetes):
    family = dataclasses.replace(LINEAR_REGRESSION, resampled_terms=None)
    setting = Setting.on(diabetes, family.id, "ols", {})
    with pytest.raises(ValueError, match="no terms that keep their meaning"):
        resample_coefficients(family, setting, diabetes, n_resamples=2)


# --- inference as the estimator's capability ------------------------------------------------
def test_a_table_refuses_a_fit_whose_estimator_offers_another():
    data = load_dataset("iris", "classification")
    logistic = fit_model(LOGISTIC_REGRESSION, "logistic", {"C": float("inf")}, data)
    with pytest.raises(InferenceError, match="ols_inference does not serve a Logistic"):
        ols_inference(logistic, data)
    diabetes = load_dataset("diabetes", "regression")
    ols = fit_model(LINEAR_REGRESSION, "ols", {}, diabetes)
    with pytest.raises(InferenceError, match="offers ols_inference"):
        logit_inference(ols, diabetes)
