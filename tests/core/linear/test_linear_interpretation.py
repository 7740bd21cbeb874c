"""Interpretation sentences, collinearity diagnostics, figures and A/B comparison."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.stats.outliers_influence import variance_inflation_factor

from core.compare import compare_metrics, compare_settings, compare_terms, make_snapshot
from core.fitting import fit_model, training_features
from core.linear.figures import coefficient_bar_figure
from core.linear.interpretation import condition_number, linear_sentences, vif_table
from core.linear.parameters import coefficient_table, extract_linear_parameters
from core.palette import NEGATIVE, POSITIVE, ZERO
from core.registry import LINEAR_REGRESSION as LINEAR
from core.setting import Setting


def on(dataset, fit) -> Setting:
    """The Setting of a test's fit on a data set (default split, scaled)."""
    return Setting.on(dataset, fit.family_id, fit.estimator_id, fit.hyperparameters)


def _explain(dataset, estimator="ols", test_size=0.25, **hyper):
    fit = fit_model(LINEAR, estimator, hyper, dataset, test_size=test_size)
    params = extract_linear_parameters(fit)
    table = coefficient_table(params, dataset.true_coef)
    sentences = linear_sentences(
        table,
        dataset.target,
        params.intercept[0],
        fit.metrics,
        vif_table(training_features(fit, dataset)),
        in_sample=fit.in_sample,
    )
    return fit, params, table, [s.text for s in sentences], sentences


def test_vif_matches_statsmodels(longley):
    exog = sm.add_constant(longley.X).to_numpy()
    expected = [variance_inflation_factor(exog, j) for j in range(1, exog.shape[1])]
    got = vif_table(longley.X)
    np.testing.assert_allclose(got["vif"], expected, rtol=1e-6)
    assert got["vif"].max() > 1000  # GNP


def test_vif_edge_cases():
    x = np.arange(10.0)
    exact = pd.DataFrame({"a": x, "b": 2 * x + 1, "c": np.sin(x)})
    assert np.isinf(vif_table(exact)["vif"]).all()
    single = vif_table(pd.DataFrame({"a": x}))
    assert single["vif"].tolist() == [1.0]
    with_constant = vif_table(pd.DataFrame({"a": x, "k": np.ones(10), "c": np.cos(x)}))
    assert np.isnan(with_constant["vif"][1]) and np.isfinite(with_constant["vif"][0])


def test_condition_number_flags_longley_and_not_independent_features(longley, rng):
    assert condition_number(longley.X) > 30
    assert condition_number(rng.normal(size=(500, 4))) < 2


def test_sentences_describe_the_strongest_feature_with_its_numbers(diabetes):
    _, _, table, texts, _ = _explain(diabetes)
    strongest = table.loc[table["coef_per_sd"].abs().idxmax()]
    first = texts[0]
    assert strongest.feature in first
    assert f"{strongest.coef:+.4g}" in first and f"{strongest.coef_per_sd:+.4g}" in first
    assert any("not causes" in t for t in texts)


def test_lasso_zeros_are_named(diabetes):
    _, _, table, texts, _ = _explain(diabetes, "lasso", alpha=5.0)
    zeros = table.loc[table["zero"], "feature"].tolist()
    sentence = next(t for t in texts if "exactly zero" in t)
    assert f"{len(zeros)} of 10" in sentence
    assert all(z in sentence for z in zeros)


def test_all_zero_lasso_says_the_model_predicts_the_intercept(diabetes):
    *_, sentences = _explain(diabetes, "lasso", alpha=1e4)
    warning = next(s for s in sentences if "Every coefficient is exactly zero" in s.text)
    assert warning.level == "warning"


def test_collinearity_and_in_sample_warnings_on_longley(longley):
    *_, sentences = _explain(longley, test_size=0.0)
    levels = {s.text.split(":")[0]: s.level for s in sentences}
    assert levels["Strongly correlated features"] == "warning"
    assert any("in-sample only" in s.text and s.level == "warning" for s in sentences)


def test_overfitting_is_called_out_when_train_beats_test():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(40, 25)), columns=[f"f{i}" for i in range(25)])
    frame["y"] = frame["f0"] + rng.normal(size=40)
    from core.data.prepare import make_dataset

    data = make_dataset(frame, "y", "regression", name="t")
    *_, texts, _ = _explain(data, test_size=0.5)
    assert any("over-fits" in t for t in texts)


def test_true_coefficients_are_compared_on_synthetic_data():
    from core.data.prepare import load_dataset

    data = load_dataset("synthetic_regression", "regression")
    _, _, table, texts, _ = _explain(data)
    assert "true_coef" in table and "true_coef_per_sd" in table
    assert any("true coefficients that generated the data" in t for t in texts)


def test_coefficient_bar_figure_sorts_by_magnitude_and_colours_by_sign():
    table = pd.DataFrame(
        {
            "feature": ["a", "b", "c", "d"],
            "coef": [1.0, -3.0, 0.0, 2.0],
            "coef_per_sd": [0.5, -4.0, 0.0, 1.0],
            "zero": [False, False, True, False],
        }
    )
    fig = coefficient_bar_figure(table, "coef_per_sd")
    bars = fig.data[0]
    assert list(bars.y) == ["c", "a", "d", "b"]  # smallest at the bottom
    assert list(bars.x) == [0.0, 0.5, 1.0, -4.0]
    assert list(bars.marker.color) == [ZERO, POSITIVE, POSITIVE, NEGATIVE]
    assert len(fig.data) == 1
    truth = coefficient_bar_figure(table.assign(true_coef=[1, 1, 1, 1]), "coef")
    assert truth.data[1].name == "true" and list(truth.data[1].x) == [1, 1, 1, 1]


def test_compare_a_and_b(diabetes):
    snaps = []
    for alpha in (0.1, 10.0):
        fit = fit_model(LINEAR, "ridge", {"alpha": alpha}, diabetes)
        snaps.append(make_snapshot(fit, LINEAR.extract(fit), on(diabetes, fit)))
    a, b = snaps
    settings = compare_settings(a, b).set_index("setting")
    assert settings.loc["alpha", "changed"] and not settings.loc["scale", "changed"]
    coefs = compare_terms(a, b, "value")
    assert coefs["term"].iloc[-1] == "(intercept)"
    np.testing.assert_allclose(coefs["B - A"], coefs["B"] - coefs["A"])
    # Per SD has no intercept row: an intercept has no feature to scale by.
    per_sd = compare_terms(a, b, "value_per_sd")
    assert "(intercept)" not in set(per_sd["term"]) and len(per_sd) == 10
    metrics = compare_metrics(a, b).set_index("metric")
    assert metrics.loc["R² (train)", "A"] > metrics.loc["R² (train)", "B"]
    assert metrics.loc["learned parameters", "B - A"] == 0
    assert b.terms["value_per_sd"].abs().sum() < a.terms["value_per_sd"].abs().sum()


def test_compare_flags_features_present_on_one_side_only(diabetes, longley):
    fa = fit_model(LINEAR, "ols", {}, diabetes)
    fb = fit_model(LINEAR, "ols", {}, longley)
    a = make_snapshot(fa, LINEAR.extract(fa), on(diabetes, fa))
    b = make_snapshot(fb, LINEAR.extract(fb), on(longley, fb))
    coefs = compare_terms(a, b, "value_per_sd")
    assert len(coefs) == 16 and coefs["B - A"].isna().all()


@pytest.mark.parametrize("estimator", ["ols", "ridge", "lasso", "elasticnet"])
def test_every_estimator_yields_a_full_table(diabetes, estimator):
    _, params, table, texts, _ = _explain(diabetes, estimator)
    assert params.coef.shape == (1, 10) and len(table) == 10
    assert texts


def test_odds_sentence_leads_per_sd_when_per_unit_is_astronomical():
    from core.linear.interpretation import odds_sentence

    huge = odds_sentence("mean area", "malignant", 1.16e7, 3.2)
    assert huge.text.startswith("One standard deviation more of mean area multiplies")
    assert "3.2" in huge.text and "1.16e+07" in huge.text
    plain = odds_sentence("age", "yes", 1.5, 2.0)
    assert plain.text.startswith("Each extra unit of age multiplies the odds of yes by 1.5")
