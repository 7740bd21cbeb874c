"""Classical inference against statsmodels and NIST, separation, and resampling spread."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import warnings
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from sklearn.base import clone

from core.data.prepare import load_dataset, load_table, make_dataset
from core.fitting import fit_model, training_features
from core.linear import inference, resampling
from core.linear.inference import (
    InferenceError,
    coefficient_inference,
    inference_applies,
    is_unpenalised,
    logit_inference,
    ols_inference,
)
from core.linear.inference_figures import coefficient_spread_figure
from core.linear.parameters import INTERCEPT, extract_linear_parameters
from core.linear.resampling import resample_coefficients, resample_intervals, resample_warning_note
from core.linear.separation import find_separation
from core.registry import LINEAR_REGRESSION, LOGISTIC_REGRESSION
from core.setting import Setting

ROOT = Path(__file__).resolve().parents[3]
UNPENALISED = {"C": np.inf, "max_iter": 10_000}

#: NIST StRD certified values for Longley (1967), in statsmodels' column order and units
#: (statsmodels/regression/tests/results/results_regression.py holds the same numbers).
LONGLEY_COEF = {
    INTERCEPT: -3482258.63459582,
    "GNPDEFL": 15.0618722713733,
    "GNP": -0.358191792925910e-01,
    "UNEMP": -2.02022980381683,
    "ARMED": -1.03322686717359,
    "POP": -0.511041056535807e-01,
    "YEAR": 1829.15146461355,
}
LONGLEY_SE = {
    INTERCEPT: 890420.383607373,
    "GNPDEFL": 84.9149257747669,
    "GNP": 0.334910077722432e-01,
    "UNEMP": 0.488399681651699,
    "ARMED": 0.214274163161675,
    "POP": 0.226073200069370,
    "YEAR": 455.478499142212,
}
LONGLEY_R2 = 0.995479004577296


# --- fixtures -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def diabetes():
    return load_dataset("diabetes", "regression")


@pytest.fixture(scope="module")
def longley():
    return load_dataset("longley", "regression")


@pytest.fixture(scope="module")
def overlapping_binary():
    """Two classes that overlap, so the maximum-likelihood estimate exists."""
    return load_dataset("synthetic_classification", "classification", seed=3, class_sep=0.5)


@pytest.fixture(scope="module")
def overlapping_three():
    return load_dataset(
        "synthetic_classification", "classification", seed=4, class_sep=0.5, n_classes=3
    )


@pytest.fixture(scope="module")
def breast_cancer():
    return load_dataset("breast_cancer", "classification")


def subset(dataset_id: str, columns: list[str], classes: list[str] | None = None):
    frame = load_table(dataset_id).frame
    if classes is not None:
        frame = frame[frame["class"].isin(classes)]
    return make_dataset(frame[[*columns, "class"]], "class", "classification", dataset_id)


def statsmodels_design(fit, dataset, constant=True):
    X = training_features(fit, dataset)
    return sm.add_constant(X, has_constant="add") if constant else X


def assert_matches(table, result, statistic):
    """Every column of an inference table equals statsmodels' own result to 1e-6."""
    ci = np.asarray(result.conf_int())
    np.testing.assert_allclose(table["coef"], np.asarray(result.params), rtol=1e-6)
    np.testing.assert_allclose(table["std_err"], np.asarray(result.bse), rtol=1e-6)
    np.testing.assert_allclose(table[statistic], np.asarray(result.tvalues), rtol=1e-6)
    np.testing.assert_allclose(table["p_value"], np.asarray(result.pvalues), rtol=1e-6)
    np.testing.assert_allclose(table["ci_low"], ci[:, 0], rtol=1e-6)
    np.testing.assert_allclose(table["ci_high"], ci[:, 1], rtol=1e-6)


# --- when inference applies -----------------------------------------------------------------
def test_is_unpenalised_only_for_ols_and_logistic_without_penalty(diabetes, overlapping_binary):
    assert is_unpenalised(fit_model(LINEAR_REGRESSION, "ols", {}, diabetes))
    assert not is_unpenalised(fit_model(LINEAR_REGRESSION, "ridge", {"alpha": 1e-6}, diabetes))
    assert not is_unpenalised(fit_model(LINEAR_REGRESSION, "lasso", {}, diabetes))
    assert is_unpenalised(
        fit_model(LOGISTIC_REGRESSION, "logistic", UNPENALISED, overlapping_binary)
    )
    assert not is_unpenalised(
        fit_model(LOGISTIC_REGRESSION, "logistic", {"C": 1e4}, overlapping_binary)
    )


def test_inference_applies_gives_the_reason(diabetes, longley, overlapping_binary):
    assert inference_applies(fit_model(LINEAR_REGRESSION, "ols", {}, diabetes), diabetes) == (
        True,
        "",
    )
    ok, reason = inference_applies(
        fit_model(LINEAR_REGRESSION, "ridge", {"alpha": 2.5}, diabetes), diabetes
    )
    assert not ok
    assert "once the penalty hyperparameter is set (alpha=2.5)" in reason.lower()
    assert "no longer hold" in reason
    ok, reason = inference_applies(
        fit_model(LOGISTIC_REGRESSION, "logistic", {"C": 0.5}, overlapping_binary),
        overlapping_binary,
    )
    assert not ok and "C=0.5" in reason and "inf" in reason
    ok, reason = inference_applies(
        fit_model(
            LOGISTIC_REGRESSION,
            "logistic",
            {**UNPENALISED, "class_weight": "balanced"},
            overlapping_binary,
        ),
        overlapping_binary,
    )
    assert not ok and "class_weight='balanced'" in reason
    # 16 rows with a 0.6 test share leave 6 training rows for 7 coefficients.
    few = fit_model(LINEAR_REGRESSION, "ols", {}, longley, test_size=0.6)
    ok, reason = inference_applies(few, longley)
    assert not ok and "6 training rows and 7 coefficients" in reason


def test_inference_refuses_exactly_collinear_features(diabetes):
    frame = diabetes.X.assign(bmi_twice=2 * diabetes.X["bmi"], progression=diabetes.y)
    tied = make_dataset(frame, "progression", "regression", "tied")
    fit = fit_model(LINEAR_REGRESSION, "ols", {}, tied)
    ok, reason = inference_applies(fit, tied)
    assert not ok
    assert "exact linear combinations" in reason and "bmi_twice" in reason and "bmi," in reason
    with pytest.raises(InferenceError, match="not identified"):
        ols_inference(fit, tied)


# --- ordinary least squares -----------------------------------------------------------------
def test_ols_table_equals_statsmodels_and_sklearn_on_diabetes(diabetes):
    fit = fit_model(LINEAR_REGRESSION, "ols", {}, diabetes, seed=1)
    table = ols_inference(fit, diabetes).table
    y = diabetes.y.iloc[fit.split.train]
    expected = sm.OLS(y, statsmodels_design(fit, diabetes)).fit()
    assert table["term"].tolist() == [INTERCEPT, *diabetes.X.columns]
    assert_matches(table, expected, "t")
    params = extract_linear_parameters(fit)
    np.testing.assert_allclose(table["coef"].iloc[1:], params.coef[0], rtol=1e-6)
    np.testing.assert_allclose(table["coef"].iloc[0], params.intercept[0], rtol=1e-6)
    np.testing.assert_allclose(table["coef_sklearn"], table["coef"], rtol=1e-6)


def test_ols_without_intercept_has_no_constant(diabetes):
    fit = fit_model(LINEAR_REGRESSION, "ols", {"fit_intercept": False}, diabetes)
    result = ols_inference(fit, diabetes)
    y = diabetes.y.iloc[fit.split.train]
    expected = sm.OLS(y, statsmodels_design(fit, diabetes, constant=False)).fit()
    assert INTERCEPT not in result.table["term"].tolist()
    assert_matches(result.table, expected, "t")
    assert result.df_resid == len(fit.split.train) - diabetes.X.shape[1]


@pytest.mark.parametrize("scale", [True, False])
def test_ols_on_longley_matches_statsmodels_and_nist(longley, scale):
    fit = fit_model(LINEAR_REGRESSION, "ols", {}, longley, test_size=0, scale=scale)
    result = ols_inference(fit, longley)
    table = result.table.set_index("term")
    expected = sm.OLS(longley.y, sm.add_constant(longley.X)).fit()
    assert_matches(result.table, expected, "t")
    # NIST certified values; Longley is the classic test of numerical accuracy.
    certified = pd.Series(LONGLEY_COEF)
    np.testing.assert_allclose(table["coef"], certified[table.index], rtol=1e-6)
    np.testing.assert_allclose(table["coef_sklearn"], certified[table.index], rtol=1e-6)
    np.testing.assert_allclose(table["std_err"], pd.Series(LONGLEY_SE)[table.index], rtol=1e-6)
    assert table.loc["GNPDEFL", "coef"] == pytest.approx(15.0618722713733, rel=1e-6)
    assert table.loc["GNP", "coef"] == pytest.approx(-0.358191792925910e-01, rel=1e-6)
    assert result.summary["R²"] == pytest.approx(LONGLEY_R2, rel=1e-9)
    assert result.n_obs == 16 and result.df_resid == 9
    assert result.notes[0].startswith("Computed on all 16 rows (there are no test rows)")
    # The collinearity is named, with its cost in standard error.
    assert any("strongly collinear" in note and "VIF" in note for note in result.notes)


def test_ols_confidence_level_is_honoured(diabetes):
    fit = fit_model(LINEAR_REGRESSION, "ols", {}, diabetes)
    wide = ols_inference(fit, diabetes, level=0.99).table
    narrow = ols_inference(fit, diabetes, level=0.9).table
    y = diabetes.y.iloc[fit.split.train]
    expected = sm.OLS(y, statsmodels_design(fit, diabetes)).fit().conf_int(alpha=0.01)
    np.testing.assert_allclose(wide["ci_low"], expected.iloc[:, 0], rtol=1e-6)
    assert ((wide["ci_high"] - wide["ci_low"]) > (narrow["ci_high"] - narrow["ci_low"])).all()


def test_ols_with_missing_values_uses_imputed_training_features(diabetes):
    frame = diabetes.X.copy()
    frame.loc[::7, "bp"] = np.nan
    gappy = make_dataset(frame.assign(progression=diabetes.y), "progression", "regression", "g")
    fit = fit_model(LINEAR_REGRESSION, "ols", {}, gappy)
    result = ols_inference(fit, gappy)
    y = gappy.y.iloc[fit.split.train]
    expected = sm.OLS(y, statsmodels_design(fit, gappy)).fit()
    assert_matches(result.table, expected, "t")
    np.testing.assert_allclose(result.table["coef_sklearn"], result.table["coef"], rtol=1e-6)
    assert any("medians" in note for note in result.notes)


def test_ols_refuses_a_penalised_fit(diabetes):
    fit = fit_model(LINEAR_REGRESSION, "lasso", {"alpha": 0.1}, diabetes)
    with pytest.raises(InferenceError, match="no longer hold"):
        ols_inference(fit, diabetes)
    with pytest.raises(InferenceError, match="no longer hold"):
        coefficient_inference(fit, diabetes)


# --- logistic regression --------------------------------------------------------------------
def test_logit_table_equals_statsmodels_for_two_classes(overlapping_binary):
    fit = fit_model(LOGISTIC_REGRESSION, "logistic", UNPENALISED, overlapping_binary)
    result = logit_inference(fit, overlapping_binary)
    table = result.table
    classes = fit.model.classes_
    y = (overlapping_binary.y.iloc[fit.split.train] == classes[1]).astype(float)
    expected = sm.Logit(y, statsmodels_design(fit, overlapping_binary)).fit(disp=0)
    assert result.method == "Logit"
    assert set(table["output"]) == {f"{classes[1]} vs {classes[0]}"}
    assert table["term"].tolist() == [INTERCEPT, *overlapping_binary.X.columns]
    assert_matches(table, expected, "z")
    np.testing.assert_allclose(table["odds_ratio"], np.exp(expected.params), rtol=1e-6)
    np.testing.assert_allclose(
        table[["or_ci_low", "or_ci_high"]], np.exp(expected.conf_int()), rtol=1e-6
    )
    assert result.summary["McFadden pseudo-R²"] == pytest.approx(expected.prsquared, rel=1e-6)
    # The app's own fit (lbfgs, default tolerance) is close to the optimum...
    gap = np.abs(table["coef_sklearn"] - table["coef"]).max() / np.abs(table["coef"]).max()
    assert gap < 1e-3


def test_tightly_converged_sklearn_matches_statsmodels_logit(overlapping_binary):
    fit = fit_model(LOGISTIC_REGRESSION, "logistic", UNPENALISED, overlapping_binary)
    X, y = fit.split.train_rows(overlapping_binary)
    tight = clone(fit.pipeline).set_params(model__tol=1e-12, model__max_iter=100_000).fit(X, y)
    params = extract_linear_parameters(dataclasses.replace(fit, pipeline=tight))
    table = logit_inference(fit, overlapping_binary).table
    np.testing.assert_allclose(table["coef"].iloc[0], params.intercept[0], rtol=1e-4)
    np.testing.assert_allclose(table["coef"].iloc[1:], params.coef[0], rtol=1e-4)


def test_logit_on_a_feature_subset_of_breast_cancer(breast_cancer):
    data = subset("breast_cancer", ["mean radius", "mean texture"])
    fit = fit_model(LOGISTIC_REGRESSION, "logistic", UNPENALISED, data, seed=2)
    table = logit_inference(fit, data).table
    y = (data.y.iloc[fit.split.train] == "malignant").astype(float)
    expected = sm.Logit(y, statsmodels_design(fit, data)).fit(disp=0)
    assert table["output"].iloc[0] == "malignant vs benign"
    assert_matches(table, expected, "z")
    # Bigger tumours are more likely malignant: a positive, clearly non-zero coefficient.
    radius = table.set_index("term").loc["mean radius"]
    assert radius["coef"] > 0 and radius["p_value"] < 1e-10 and radius["odds_ratio"] > 1


def test_mnlogit_uses_the_first_class_as_reference(overlapping_three):
    fit = fit_model(LOGISTIC_REGRESSION, "logistic", UNPENALISED, overlapping_three)
    result = logit_inference(fit, overlapping_three)
    table = result.table
    classes = fit.model.classes_
    codes = overlapping_three.y.iloc[fit.split.train].map({c: i for i, c in enumerate(classes)})
    expected = sm.MNLogit(codes, statsmodels_design(fit, overlapping_three)).fit(disp=0)
    assert result.method == "MNLogit"
    assert table["output"].unique().tolist() == [
        f"{classes[1]} vs {classes[0]}",
        f"{classes[2]} vs {classes[0]}",
    ]
    ci = np.asarray(expected.conf_int()).reshape(2, -1, 2)
    for k, (_, rows) in enumerate(table.groupby("output", sort=False)):
        np.testing.assert_allclose(rows["coef"], expected.params.iloc[:, k], rtol=1e-6)
        np.testing.assert_allclose(rows["std_err"], expected.bse.iloc[:, k], rtol=1e-6)
        np.testing.assert_allclose(rows["z"], expected.tvalues.iloc[:, k], rtol=1e-6)
        np.testing.assert_allclose(rows["p_value"], expected.pvalues.iloc[:, k], rtol=1e-6)
        np.testing.assert_allclose(rows[["ci_low", "ci_high"]], ci[k], rtol=1e-6)
    # scikit-learn's one-row-per-class coefficients, as differences from the reference row,
    # are statsmodels' coefficients.
    params = extract_linear_parameters(fit)
    full = np.column_stack([params.intercept, params.coef])
    np.testing.assert_allclose(full.sum(axis=0), 0, atol=1e-8)  # symmetric, sums to zero
    gap = np.abs(table["coef_sklearn"] - table["coef"]).max() / np.abs(table["coef"]).max()
    assert gap < 1e-3
    np.testing.assert_allclose(
        table["coef_sklearn"].iloc[: full.shape[1]], full[1] - full[0], rtol=1e-12
    )


def test_all_breast_cancer_features_are_separated(breast_cancer):
    fit = fit_model(LOGISTIC_REGRESSION, "logistic", UNPENALISED, breast_cancer)
    with warnings.catch_warnings(record=True) as leaked:
        warnings.simplefilter("always")
        with pytest.raises(InferenceError) as error:
            logit_inference(fit, breast_cancer)
    message = str(error.value)
    assert "classes benign and malignant are perfectly separated" in message
    assert "a weighted sum of the 30 features" in message
    assert "run off to infinity and have no finite standard errors" in message
    assert leaked == []  # statsmodels' overflow warnings stay inside


def test_statsmodels_failures_become_inference_errors(breast_cancer, monkeypatch):
    # Without the separation check statsmodels itself fails; that must read as a sentence.
    monkeypatch.setattr(inference, "find_separation", lambda *args: None)
    fit = fit_model(LOGISTIC_REGRESSION, "logistic", UNPENALISED, breast_cancer)
    with warnings.catch_warnings(record=True) as leaked:
        warnings.simplefilter("always")
        with pytest.raises(InferenceError, match="could not find finite maximum-likelihood"):
            logit_inference(fit, breast_cancer)
    assert leaked == []
    iris = load_dataset("iris", "classification")
    fit = fit_model(LOGISTIC_REGRESSION, "logistic", UNPENALISED, iris)
    with pytest.raises(InferenceError, match="could not find finite maximum-likelihood"):
        logit_inference(fit, iris)


def test_separation_names_a_single_separating_feature():
    pair = subset("iris", ["petal length (cm)", "sepal width (cm)"], ["setosa", "versicolor"])
    fit = fit_model(LOGISTIC_REGRESSION, "logistic", UNPENALISED, pair)
    with pytest.raises(InferenceError, match=r"by the feature petal length \(cm\) alone"):
        logit_inference(fit, pair)
    iris = subset("iris", ["sepal length (cm)", "sepal width (cm)"])
    fit = fit_model(LOGISTIC_REGRESSION, "logistic", UNPENALISED, iris)
    with pytest.raises(InferenceError, match="class setosa is perfectly separated from the"):
        logit_inference(fit, iris)


def test_find_separation_tells_complete_from_quasi_and_overlap():
    ones = np.ones(6)
    x = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 5.0])
    codes = np.array([0, 0, 0, 1, 1, 1])
    terms = [INTERCEPT, "x"]
    complete = find_separation(np.column_stack([ones, x]), codes, ["a", "b"], terms)
    assert complete is not None and complete.complete and complete.feature == "x"
    tied = np.array([0.0, 1.0, 2.0, 2.0, 3.0, 4.0])  # one row of each class on the boundary
    quasi = find_separation(np.column_stack([ones, tied]), codes, ["a", "b"], terms)
    assert quasi is not None and not quasi.complete and quasi.feature == "x"
    mixed = np.array([0.0, 2.0, 1.0, 3.0, 1.5, 5.0])
    assert find_separation(np.column_stack([ones, mixed]), codes, ["a", "b"], terms) is None


def test_coefficient_inference_dispatches(diabetes, overlapping_binary):
    ols = coefficient_inference(fit_model(LINEAR_REGRESSION, "ols", {}, diabetes), diabetes)
    assert ols.method == "OLS" and ols.table["coef"].notna().all()
    fit = fit_model(LOGISTIC_REGRESSION, "logistic", UNPENALISED, overlapping_binary)
    assert coefficient_inference(fit, overlapping_binary).method == "Logit"


# --- resampling -----------------------------------------------------------------------------
def test_bootstrap_is_seeded_and_tidy(diabetes):
    split = {"scale": True, "test_size": 0.25, "seed": 3}
    setting = Setting.on(diabetes, LINEAR_REGRESSION.id, "ridge", {"alpha": 1.0}, **split)
    first = resample_coefficients(LINEAR_REGRESSION, setting, diabetes, n_resamples=12)
    again = resample_coefficients(LINEAR_REGRESSION, setting, diabetes, n_resamples=12)
    pd.testing.assert_frame_equal(first, again)
    reseeded = Setting.on(
        diabetes, LINEAR_REGRESSION.id, "ridge", {"alpha": 1.0}, **{**split, "seed": 4}
    )
    other = resample_coefficients(LINEAR_REGRESSION, reseeded, diabetes, n_resamples=12)
    assert not np.allclose(first["coef"], other["coef"])
    n_terms = diabetes.X.shape[1] + 1
    assert len(first) == 12 * n_terms
    assert first["resample"].tolist() == np.repeat(np.arange(12), n_terms).tolist()
    assert first["feature"].iloc[:n_terms].tolist() == [INTERCEPT, *diabetes.X.columns]
    assert (first["output"] == "progression").all()
    assert first["feature_sd"].iloc[0] != first["feature_sd"].iloc[0]  # NaN for the intercept
    fit = fit_model(LINEAR_REGRESSION, "ridge", {"alpha": 1.0}, diabetes, seed=3)
    np.testing.assert_allclose(first["feature_sd"].iloc[1:n_terms], fit.feature_sd, rtol=1e-12)


def test_resample_on_all_training_rows_reproduces_the_fit(diabetes):
    fit = fit_model(LINEAR_REGRESSION, "lasso", {"alpha": 0.5}, diabetes, seed=5)
    X, y = fit.split.train_rows(diabetes)
    rows = np.arange(len(y))
    # Each refit's terms are read by the family's resampled_terms, as the page's fit's are.
    read = resampling._TermsOf(LINEAR_REGRESSION.resampled_terms, fit.feature_names, fit.target)
    one = resampling._fit_one(fit.model, X.to_numpy(), y.to_numpy(), True, 0, rows, 0, read)
    params = extract_linear_parameters(fit)
    assert one["terms"].names == (INTERCEPT, *fit.feature_names)
    np.testing.assert_allclose(one["terms"].values[:, 1:], params.coef, rtol=1e-10)
    np.testing.assert_allclose(one["terms"].values[:, 0], params.intercept, rtol=1e-10)


def test_bootstrap_spread_of_ols_agrees_with_classical_standard_errors(diabetes):
    fit = fit_model(LINEAR_REGRESSION, "ols", {}, diabetes)
    classical = ols_inference(fit, diabetes).table.set_index("term")
    samples = resample_coefficients(
        LINEAR_REGRESSION,
        Setting.on(diabetes, LINEAR_REGRESSION.id, "ols", {}),
        diabetes,
        n_resamples=100,
    )
    spread = resample_intervals(samples, fitted=extract_linear_parameters(fit))
    spread = spread.set_index("feature")
    ratio = spread["sd"] / classical["std_err"]
    assert ratio.between(0.7, 1.4).all(), ratio
    np.testing.assert_allclose(spread["fitted"], classical["coef"], rtol=1e-6)
    # bmi and s5 are the strong predictors: no resample flips their sign.
    strong = spread.loc[["bmi", "s5"]]
    assert (strong["share_sign_flip"] == 0).all() and (strong["low"] > 0).all()


def test_kfold_spread_is_narrower_than_bootstrap(diabetes):
    setting = Setting.on(diabetes, LINEAR_REGRESSION.id, "ols", {}, seed=1)
    boot = resample_coefficients(LINEAR_REGRESSION, setting, diabetes, n_resamples=40)
    folds = resample_coefficients(
        LINEAR_REGRESSION, setting, diabetes, method="kfold", n_splits=5, n_resamples=40
    )
    assert folds["resample"].nunique() == 40
    sd_boot = resample_intervals(boot).set_index("feature")["sd"]
    sd_folds = resample_intervals(folds).set_index("feature")["sd"]
    # Training folds share 3/4 of their rows with each other, so they vary less.
    assert (sd_folds < sd_boot).all()


def test_lasso_resamples_zero_coefficients_out(diabetes):
    samples = resample_coefficients(
        LINEAR_REGRESSION,
        Setting.on(diabetes, LINEAR_REGRESSION.id, "lasso", {"alpha": 1.0}),
        diabetes,
        n_resamples=20,
    )
    spread = resample_intervals(samples).set_index("feature")
    assert spread["share_zero"].max() > 0.3
    assert spread.loc["bmi", "share_zero"] == 0


def test_classification_bootstrap_keeps_every_class():
    iris = load_dataset("iris", "classification")
    samples = resample_coefficients(
        LOGISTIC_REGRESSION,
        Setting.on(iris, LOGISTIC_REGRESSION.id, "logistic", {"C": 1.0}, seed=2),
        iris,
        n_resamples=10,
    )
    assert samples["output"].unique().tolist() == ["setosa", "versicolor", "virginica"]
    assert len(samples) == 10 * 3 * 5
    fit = fit_model(LOGISTIC_REGRESSION, "logistic", {"C": 1.0}, iris, seed=2)
    spread = resample_intervals(samples, fitted=extract_linear_parameters(fit))
    inside = (spread["fitted"] >= spread["low"]) & (spread["fitted"] <= spread["high"])
    assert inside.mean() > 0.8


def test_resampling_warnings_are_counted_not_flooded(diabetes):
    with warnings.catch_warnings(record=True) as leaked:
        warnings.simplefilter("always")
        samples = resample_coefficients(
            LINEAR_REGRESSION,
            Setting.on(diabetes, LINEAR_REGRESSION.id, "lasso", {"alpha": 0.001, "max_iter": 2}),
            diabetes,
            n_resamples=8,
        )
    assert leaked == []
    per_resample = samples.groupby("resample")["n_warnings"].first()
    assert (per_resample > 0).all()
    note = resample_warning_note(samples)
    assert note.startswith("8 of 8 resampled refits stopped before converging")
    assert "ConvergenceWarning" not in note and "max_iter" in note
    quiet = resample_coefficients(
        LINEAR_REGRESSION,
        Setting.on(diabetes, LINEAR_REGRESSION.id, "ols", {}),
        diabetes,
        n_resamples=3,
    )
    assert resample_warning_note(quiet) is None


def test_parallel_resampling_equals_sequential(diabetes):
    setting = Setting.on(diabetes, LINEAR_REGRESSION.id, "lasso", {"alpha": 0.3}, seed=9)
    sequential = resample_coefficients(LINEAR_REGRESSION, setting, diabetes, n_resamples=6)
    # Results must not depend on how the resamples are shared out. Threads rather than
    # joblib's default worker processes keep this fast: starting processes that import
    # scikit-learn takes 5-15 s on a busy two-core machine. (These resamples raise no
    # warnings, so the process-wide warning capture cannot interleave.)
    with joblib.parallel_config(backend="threading"):
        parallel = resample_coefficients(
            LINEAR_REGRESSION, setting, diabetes, n_resamples=6, n_jobs=2
        )
    pd.testing.assert_frame_equal(sequential, parallel)


def test_resample_intervals_on_known_values():
    samples = pd.DataFrame(
        {
            "resample": range(5),
            "output": "y",
            "feature": "x",
            "coef": [-1.0, 0.0, 1.0, 2.0, 3.0],
            "feature_sd": 2.0,
            "n_warnings": 0,
            "warning": "",
        }
    )
    row = resample_intervals(samples, level=0.5).iloc[0]
    assert row["mean"] == pytest.approx(1.0)
    assert row["sd"] == pytest.approx(np.std([-1, 0, 1, 2, 3], ddof=1))
    assert (row["low"], row["high"]) == (0.0, 2.0)  # 25th and 75th percentiles
    assert row["share_zero"] == pytest.approx(0.2)
    assert row["share_sign_flip"] == pytest.approx(0.2)  # one negative against three positive
    assert row["feature_sd"] == 2.0 and row["n"] == 5
    with pytest.raises(ValueError, match="level"):
        resample_intervals(samples, level=1.0)


def test_unknown_method_and_too_many_folds_are_refused(diabetes):
    with pytest.raises(ValueError, match="Unknown resampling method"):
        resample_coefficients(
            LINEAR_REGRESSION,
            Setting.on(diabetes, LINEAR_REGRESSION.id, "ols", {}),
            diabetes,
            method="jackknife",
        )
    tiny = subset("iris", ["sepal length (cm)"])
    with pytest.raises(ValueError, match="Stratified 50-fold"):
        resample_coefficients(
            LOGISTIC_REGRESSION,
            Setting.on(tiny, LOGISTIC_REGRESSION.id, "logistic", {}),
            tiny,
            method="kfold",
            n_splits=50,
        )


# --- figure ---------------------------------------------------------------------------------
def test_spread_figure_plots_resamples_per_sd_with_the_fit(diabetes):
    fit = fit_model(LINEAR_REGRESSION, "ridge", {"alpha": 1.0}, diabetes)
    samples = resample_coefficients(
        LINEAR_REGRESSION,
        Setting.on(diabetes, LINEAR_REGRESSION.id, "ridge", {"alpha": 1.0}),
        diabetes,
        n_resamples=10,
    )
    intervals = resample_intervals(samples, fitted=extract_linear_parameters(fit))
    fig = coefficient_spread_figure(samples, intervals)
    box, fitted = fig.data[0], fig.data[1]
    features = samples[samples["feature"] != INTERCEPT]
    assert INTERCEPT not in box.y and len(box.x) == len(features)
    np.testing.assert_allclose(box.x, features["coef"] * features["feature_sd"])
    # Fitted markers, per standard deviation, smallest magnitude at the bottom.
    per_sd = extract_linear_parameters(fit).coef_per_sd[0]
    expected = dict(zip(fit.feature_names, per_sd, strict=True))
    np.testing.assert_allclose(fitted.x, [expected[f] for f in fitted.y], rtol=1e-9)
    means = intervals.set_index("feature").loc[list(fitted.y)]
    sizes = np.abs(means["mean"] * means["feature_sd"]).to_numpy()
    assert (np.diff(sizes) >= 0).all()
    assert list(fig.layout.yaxis.categoryarray) == list(fitted.y)

    raw = coefficient_spread_figure(samples, intervals, units="raw", include_intercept=True)
    assert INTERCEPT in raw.data[0].y
    np.testing.assert_allclose(raw.data[0].x, samples["coef"])


# --- purity ---------------------------------------------------------------------------------
def test_inference_modules_do_not_import_streamlit():
    code = (
        "import sys, core.linear.inference, core.linear.inference_figures; "
        "assert 'streamlit' not in sys.modules, 'streamlit imported'"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
