"""Linear fits: correct numbers against make_regression's truth, statsmodels and NIST."""

import itertools

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from sklearn.datasets import make_regression
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score

from core.data.prepare import load_dataset, make_dataset
from core.fitting import FitError, fit_model, split_data
from core.linear.parameters import coefficient_table, extract_linear_parameters
from core.registry import LINEAR_REGRESSION as LINEAR


def _fit(dataset, estimator="ols", scale=True, test_size=0.25, seed=0, **hyper):
    fit = fit_model(LINEAR, estimator, hyper, dataset, scale=scale, test_size=test_size, seed=seed)
    return fit, extract_linear_parameters(fit)


def test_ols_recovers_make_regressions_true_coefficients():
    X, y, coef = make_regression(
        n_samples=2000, n_features=6, n_informative=4, noise=0.5, coef=True, random_state=1
    )
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(6)]).assign(y=y)
    data = make_dataset(frame, "y", "regression", name="t")
    _, params = _fit(data)
    np.testing.assert_allclose(params.coef[0], coef, atol=0.05)
    assert params.intercept[0] == pytest.approx(0.0, abs=0.05)


def test_synthetic_dataset_truth_is_recovered_through_the_registry():
    data = load_dataset("synthetic_regression", "regression", n_samples=3000, noise=1.0)
    _, params = _fit(data, test_size=0.2)
    np.testing.assert_allclose(params.coef[0], data.true_coef.to_numpy(), atol=0.1)
    assert params.intercept[0] == pytest.approx(data.true_intercept, abs=0.1)


def test_ridge_with_tiny_alpha_matches_ols(diabetes):
    _, ols = _fit(diabetes)
    _, ridge = _fit(diabetes, "ridge", alpha=1e-6)
    # diabetes' serum measurements s1-s3 are nearly collinear, so even alpha=1e-6 moves
    # their coefficients by about 1e-5 relative.
    np.testing.assert_allclose(ridge.coef, ols.coef, rtol=1e-4)
    np.testing.assert_allclose(ridge.intercept, ols.intercept, rtol=1e-6)


@pytest.mark.parametrize("estimator", ["ridge", "lasso", "elasticnet"])
def test_coefficient_norm_shrinks_as_alpha_grows(diabetes, estimator):
    norms = [
        np.linalg.norm(_fit(diabetes, estimator, alpha=a, max_iter=10_000)[1].coef_fitted)
        for a in (0.01, 0.1, 1.0, 10.0, 100.0)
    ]
    assert all(a > b for a, b in itertools.pairwise(norms)), norms


def test_raw_units_from_a_standardised_fit_equal_an_unstandardised_fit(diabetes):
    _, scaled = _fit(diabetes, scale=True)
    _, raw = _fit(diabetes, scale=False)
    np.testing.assert_allclose(scaled.coef, raw.coef, rtol=1e-9)
    np.testing.assert_allclose(scaled.intercept, raw.intercept, rtol=1e-9)
    # Per standard deviation is exactly what the standardised model holds.
    np.testing.assert_allclose(scaled.coef_per_sd, scaled.coef_fitted, rtol=1e-12)
    np.testing.assert_allclose(raw.coef_per_sd, scaled.coef_fitted, rtol=1e-9)


@pytest.mark.parametrize("scale", [True, False])
def test_ols_on_longley_matches_statsmodels(longley, scale):
    _, params = _fit(longley, scale=scale, test_size=0.0)
    reference = sm.OLS(longley.y, sm.add_constant(longley.X)).fit()
    np.testing.assert_allclose(params.coef[0], reference.params.iloc[1:].to_numpy(), rtol=1e-8)
    assert params.intercept[0] == pytest.approx(reference.params.iloc[0], rel=1e-8)


def test_ols_on_longley_matches_nist_certified_values(longley):
    """NIST StRD certified coefficients for Longley (to 15 significant digits)."""
    certified = {
        "const": -3482258.63459582,
        "GNPDEFL": 15.0618722713733,
        "GNP": -0.358191792925910e-01,
        "UNEMP": -2.02022980381683,
        "ARMED": -1.03322686717359,
        "POP": -0.511041056535807e-01,
        "YEAR": 1829.15146461355,
    }
    _, params = _fit(longley, test_size=0.0)
    learned = dict(zip(params.feature_names, params.coef[0], strict=True))
    for name, value in certified.items():
        got = params.intercept[0] if name == "const" else learned[name]
        assert got == pytest.approx(value, rel=1e-8), name


def test_lasso_zeroes_coefficients_and_a_huge_alpha_predicts_the_mean(diabetes):
    fit, params = _fit(diabetes, "lasso", alpha=5.0)
    table = coefficient_table(params)
    assert 0 < table["zero"].sum() < len(table)
    fit, params = _fit(diabetes, "lasso", alpha=1e4)
    assert (params.coef_fitted == 0).all()
    y_train = diabetes.y.iloc[fit.split.train]
    assert params.intercept[0] == pytest.approx(y_train.mean(), rel=1e-12)
    assert params.n_parameters == 11


def test_without_intercept_the_parameter_count_drops_and_the_fit_passes_origin():
    X = np.arange(1.0, 21.0).reshape(-1, 1)
    frame = pd.DataFrame({"x": X[:, 0], "y": 3 * X[:, 0] + 7})
    data = make_dataset(frame, "y", "regression", name="t")
    _, params = _fit(data, scale=False, fit_intercept=False, test_size=0.0)
    assert params.n_parameters == 1
    assert params.intercept[0] == 0.0
    expected = LinearRegression(fit_intercept=False).fit(X, frame["y"]).coef_
    np.testing.assert_allclose(params.coef[0], expected)


def test_metrics_are_scikit_learns_on_the_held_out_rows(diabetes):
    fit, _ = _fit(diabetes, "ridge", alpha=0.5)
    X_test, y_test = fit.split.test_rows(diabetes)
    assert fit.metrics.at["R²", "test"] == pytest.approx(
        r2_score(y_test, fit.pipeline.predict(X_test)), rel=1e-12
    )
    assert len(fit.split.train) + len(fit.split.test) == len(diabetes.y)
    assert len(fit.split.test) == int(np.ceil(0.25 * 442))


def test_test_share_zero_fits_all_rows_and_reports_in_sample(diabetes):
    fit, _ = _fit(diabetes, test_size=0.0)
    assert fit.in_sample and len(fit.split.train) == 442
    assert np.isnan(fit.metrics["test"]).all()


def test_convergence_warnings_are_returned_not_silenced(diabetes):
    fit, _ = _fit(diabetes, "lasso", alpha=0.01, max_iter=1)
    assert any(w.startswith("ConvergenceWarning") for w in fit.warnings)


def test_missing_feature_values_are_imputed_inside_the_pipeline():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=50), "b": rng.normal(size=50)})
    frame["y"] = 2 * frame["a"] - frame["b"] + rng.normal(scale=0.1, size=50)
    frame.loc[[3, 7, 11], "a"] = np.nan
    data = make_dataset(frame, "y", "regression", name="t")
    fit, params = _fit(data)
    assert list(fit.pipeline.named_steps) == ["impute", "scale", "model"]
    assert params.coef[0][0] == pytest.approx(2.0, abs=0.2)


def test_split_is_stratified_for_classes_and_refuses_too_few_training_rows():
    iris = load_dataset("iris", "classification")
    split = split_data(iris, 0.2, seed=0)
    assert iris.y.iloc[split.test].value_counts().tolist() == [10, 10, 10]
    tiny = make_dataset(
        pd.DataFrame({"a": range(5), "y": [1.0, 3, 2, 5, 4]}), "y", "regression", name="t"
    )
    with pytest.raises(FitError, match="training rows"):
        split_data(tiny, 0.9, seed=0)


@pytest.mark.parametrize("dataset_id", ["iris", "breast_cancer", "wine", "moons"])
@pytest.mark.parametrize("seed", [0, 7])
def test_the_split_is_scikit_learns_stratified_split_of_the_labels(dataset_id, seed):
    """The generated script splits with stratify=y: the app's split must be that one."""
    from sklearn.model_selection import train_test_split

    data = load_dataset(dataset_id, "classification")
    split = split_data(data, 0.3, seed=seed)
    train, test = train_test_split(
        np.arange(len(data.y)), test_size=0.3, random_state=seed, stratify=data.y
    )
    np.testing.assert_array_equal(split.train, train)
    np.testing.assert_array_equal(split.test, test)


@pytest.mark.parametrize("seed", [0, 3])
def test_text_labels_in_any_order_split_as_scikit_learn_splits_them(seed):
    """Text classes met out of sorted order (and integer-like strings) give the split of
    stratify=y: the page's fast class codes are scikit-learn's."""
    from sklearn.model_selection import train_test_split

    rng = np.random.default_rng(seed)
    labels = rng.choice(["zeta", "10", "9", "alpha", "Beta"], size=400, p=[0.4, 0.2, 0.2, 0.1, 0.1])
    frame = pd.DataFrame({"x": rng.normal(size=400), "label": labels})
    data = make_dataset(frame, "label", "classification", name="text labels")
    split = split_data(data, 0.25, seed=seed)
    train, test = train_test_split(
        np.arange(len(data.y)), test_size=0.25, random_state=seed, stratify=data.y
    )
    np.testing.assert_array_equal(split.train, train)
    np.testing.assert_array_equal(split.test, test)


@pytest.mark.parametrize("estimator", ["ols", "ridge"])
def test_without_intercept_standardising_does_not_change_the_model(diabetes, estimator):
    """Centring would move the origin the model is forced through, so it must not centre."""
    hyper = (
        {"fit_intercept": False, "alpha": 1e-6}
        if estimator == "ridge"
        else {"fit_intercept": False}
    )
    scaled_fit, scaled = _fit(diabetes, estimator, scale=True, **hyper)
    raw_fit, raw = _fit(diabetes, estimator, scale=False, **hyper)
    # (ridge's tiny penalty weighs scaled and raw coefficients slightly differently)
    np.testing.assert_allclose(scaled.coef, raw.coef, rtol=1e-4)
    assert scaled.intercept[0] == 0.0 and raw.intercept[0] == 0.0
    assert scaled_fit.metrics.at["R²", "test"] == pytest.approx(
        raw_fit.metrics.at["R²", "test"], rel=1e-5
    )
