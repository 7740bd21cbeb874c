"""Logistic fits: coefficients, classes, odds ratios, valid solvers and the boundary line."""

import math

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from core.data.prepare import load_dataset
from core.families.logistic_regression.family import valid_solvers
from core.fitting import FitError, confusion_table, fit_model
from core.linear.boundary import boundary_lines, decision_surface, penalty_boundaries
from core.linear.figures import decision_boundary_figure
from core.linear.interpretation import logistic_sentences, vif_table
from core.linear.parameters import class_coefficient_table, extract_linear_parameters
from core.registry import LOGISTIC_REGRESSION as LOGISTIC
from core.setting import Setting


@pytest.fixture(scope="module")
def cancer():
    return load_dataset("breast_cancer", "classification")


@pytest.fixture(scope="module")
def iris():
    return load_dataset("iris", "classification")


def test_coefficients_match_a_tightly_converged_scikit_learn_fit(cancer):
    setting = {"C": 0.5, "max_iter": 10_000, "tol": 1e-10}
    fit = fit_model(LOGISTIC, "logistic", setting, cancer)
    params = extract_linear_parameters(fit)
    X_train, y_train = fit.split.train_rows(cancer)
    scaler = StandardScaler().fit(X_train)
    reference = LogisticRegression(C=0.5, tol=1e-12, max_iter=100_000).fit(
        scaler.transform(X_train), y_train
    )
    np.testing.assert_allclose(params.coef_fitted, reference.coef_, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(params.coef, reference.coef_ / scaler.scale_, rtol=1e-5)
    assert params.outputs == ("malignant",)  # the positive class is classes_[1]
    # With scikit-learn's default tol the optimizer stops earlier: close, not equal.
    loose = extract_linear_parameters(fit_model(LOGISTIC, "logistic", {"C": 0.5}, cancer))
    gap = np.abs(loose.coef_fitted - reference.coef_).max()
    assert 1e-6 < gap < 0.05


def test_multiclass_has_one_coefficient_row_per_class(iris):
    params = extract_linear_parameters(fit_model(LOGISTIC, "logistic", {}, iris))
    assert params.coef.shape == (3, 4)
    assert params.outputs == ("setosa", "versicolor", "virginica")
    assert params.n_parameters == 15
    table = class_coefficient_table(params)
    assert len(table) == 12 and table["output"].nunique() == 3
    # Softmax rows are defined up to a shared shift: odds ratios are against setosa.
    setosa = table[table["output"] == "setosa"]["coef"].to_numpy()
    virginica = table[table["output"] == "virginica"]
    np.testing.assert_allclose(virginica["odds_ratio"], np.exp(virginica["coef"] - setosa))
    assert table[table["output"] == "setosa"]["odds_ratio"].isna().all()
    assert set(table["versus"]) == {"setosa"}
    shifted = class_coefficient_table(
        params.__class__(**{**params.__dict__, "coef": params.coef + 5.0})
    )
    np.testing.assert_allclose(shifted["odds_ratio"], table["odds_ratio"])  # shift-free


def test_infinite_c_means_no_penalty(cancer):
    """C=inf is the unpenalised maximum-likelihood fit (on data without separation)."""
    data = load_dataset("synthetic_classification", "classification", class_sep=0.5)
    free = fit_model(LOGISTIC, "logistic", {"C": math.inf, "max_iter": 5000}, data)
    weak = fit_model(LOGISTIC, "logistic", {"C": 1e6, "max_iter": 5000}, data)
    np.testing.assert_allclose(
        extract_linear_parameters(free).coef, extract_linear_parameters(weak).coef, rtol=1e-3
    )
    assert free.model.l1_ratio == 0.0 and free.model.solver == "lbfgs"


def test_l1_share_zeroes_coefficients_and_uses_saga(cancer):
    fit = fit_model(LOGISTIC, "logistic", {"C": 0.05, "l1_ratio": 1.0, "max_iter": 5000}, cancer)
    assert fit.model.solver == "saga"
    assert (extract_linear_parameters(fit).coef_fitted == 0).sum() > 10


@pytest.mark.parametrize("l1_ratio", [0.0, 0.3, 1.0])
@pytest.mark.parametrize("C", [0.1, 1.0, math.inf])
def test_only_valid_solver_combinations_reach_scikit_learn(cancer, C, l1_ratio):
    """Every solver the UI offers for a penalty fits without scikit-learn refusing it."""
    for solver in valid_solvers(C, l1_ratio):
        fit_model(
            LOGISTIC,
            "logistic",
            {"C": C, "l1_ratio": l1_ratio, "solver": solver, "max_iter": 50},
            cancer.__class__(**{**cancer.__dict__, "X": cancer.X.iloc[:, :4]}),
        )
    offered = LOGISTIC.hyperparameters[4].allowed({"C": C, "l1_ratio": l1_ratio})
    assert offered[0] == "auto" and set(offered[1:]) == set(valid_solvers(C, l1_ratio))


def test_an_invalid_solver_is_refused_with_a_sentence(cancer):
    with pytest.raises(ValueError, match="cannot fit an L1 share"):
        fit_model(LOGISTIC, "logistic", {"l1_ratio": 0.5, "solver": "lbfgs"}, cancer)


def test_metrics_and_confusion_matrix(iris):
    fit = fit_model(LOGISTIC, "logistic", {}, iris)
    assert fit.metrics.at["accuracy", "test"] > 0.9
    assert 0.9 < fit.metrics.at["ROC AUC", "test"] <= 1.0
    matrix, labels = confusion_table(fit, iris)
    assert labels == ["setosa", "versicolor", "virginica"]
    assert matrix.sum() == len(fit.split.test)
    assert np.trace(matrix) / matrix.sum() == pytest.approx(fit.metrics.at["accuracy", "test"])


def test_the_drawn_boundary_line_is_the_fitted_models(cancer):
    features = ("mean radius", "mean texture")
    surface = decision_surface(LOGISTIC, "logistic", {"C": 2.0}, cancer, features, grid=50)
    ((_label, w, _b),) = boundary_lines(surface.params)
    direct = fit_model(
        LOGISTIC,
        "logistic",
        {"C": 2.0},
        cancer.__class__(**{**cancer.__dict__, "X": cancer.X[list(features)]}),
    )
    np.testing.assert_allclose(w, extract_linear_parameters(direct).coef[0], rtol=1e-10)
    # Points on the drawn line have probability 1/2 under the pipeline that made the surface.
    fig = decision_boundary_figure(surface)
    line = next(t for t in fig.data if t.name and t.name.startswith("boundary"))
    import pandas as pd

    on_line = pd.DataFrame({features[0]: line.x, features[1]: line.y})
    np.testing.assert_allclose(surface.fit.pipeline.predict_proba(on_line)[:, 1], 0.5, atol=1e-9)
    assert surface.proba.shape == (50, 50, 2)


def test_boundaries_at_other_c_are_labelled_apart_and_lie_on_their_lines(cancer):
    features = ("mean radius", "mean texture")
    surface = decision_surface(LOGISTIC, "logistic", {"C": 2.0}, cancer, features, grid=40)
    setting = Setting.on(cancer, LOGISTIC.id, "logistic", {})
    others = penalty_boundaries(
        LOGISTIC, setting, cancer, features, "C", (0.01, 0.1, 1.0, 10.0, 100.0)
    )
    fig = decision_boundary_figure(surface, others)
    drawn = {t.name: t for t in fig.data if t.name and t.name.startswith("C=")}
    labels = {a.text: a for a in fig.layout.annotations}
    (x0, x1), (y0, y1) = fig.layout.xaxis.range, fig.layout.yaxis.range
    for label, w, b in others:
        if label not in drawn:  # a line outside the box is not drawn
            continue
        line, note = drawn[label], labels[label]
        # Clipped to the box, still the model's own line, labelled on it in its colour.
        assert min(line.x) >= x0 - 1e-9 and max(line.x) <= x1 + 1e-9
        assert min(line.y) >= y0 - 1e-9 and max(line.y) <= y1 + 1e-9
        np.testing.assert_allclose(
            w[0] * np.array(line.x) + w[1] * np.array(line.y) + b, 0, atol=1e-8
        )
        assert note.x * w[0] + note.y * w[1] + b == pytest.approx(0, abs=1e-8)
        assert note.font.color == line.line.color
    assert len(drawn) >= 3
    assert len({t.line.color for t in drawn.values()}) == len(drawn)  # one shade each


def test_c_sweep_moves_the_boundary(cancer):
    setting = Setting.on(cancer, LOGISTIC.id, "logistic", {})
    lines = penalty_boundaries(
        LOGISTIC, setting, cancer, ("mean radius", "mean texture"), "C", (0.001, 100.0)
    )
    (_, w_small, _), (_, w_large, _) = lines
    assert np.linalg.norm(w_small) < np.linalg.norm(w_large)


def test_boundary_needs_two_different_features(cancer):
    with pytest.raises(ValueError, match="two different features"):
        decision_surface(LOGISTIC, "logistic", {}, cancer, ("mean radius", "mean radius"))


def test_logistic_sentences_speak_in_odds(cancer, iris):
    fit = fit_model(LOGISTIC, "logistic", {}, cancer)
    table = class_coefficient_table(extract_linear_parameters(fit))
    texts = [
        s.text
        for s in logistic_sentences(
            table,
            ("benign", "malignant"),
            fit.metrics,
            vif_table(cancer.X),
            in_sample=False,
            unpenalised=False,
        )
    ]
    assert "multiplies the odds of malignant" in texts[0]
    assert any("not causes" in t for t in texts)
    fit3 = fit_model(LOGISTIC, "logistic", {}, iris)
    table3 = class_coefficient_table(extract_linear_parameters(fit3))
    texts3 = [
        s.text
        for s in logistic_sentences(
            table3,
            ("setosa", "versicolor", "virginica"),
            fit3.metrics,
            vif_table(iris.X),
            in_sample=True,
            unpenalised=False,
        )
    ]
    assert "exp(coef_k - coef_j)" in texts3[0]
    assert any("in-sample" in t for t in texts3)


def test_a_training_split_with_one_class_is_a_clear_error(iris):
    import dataclasses

    one_class = dataclasses.replace(iris, X=iris.X.iloc[:50], y=iris.y.iloc[:50])
    with pytest.raises(FitError, match="could not fit"):
        fit_model(LOGISTIC, "logistic", {}, one_class, test_size=0.0)


def test_multiclass_boundaries_are_drawn_only_where_their_two_classes_lead(iris):
    import pandas as pd

    features = ("sepal length (cm)", "sepal width (cm)")
    surface = decision_surface(LOGISTIC, "logistic", {}, iris, features, grid=40)
    fig = decision_boundary_figure(surface)
    lines = [t for t in fig.data if t.name and t.name.startswith("boundary")]
    assert len(lines) == 3
    for trace in lines:
        pair = trace.name.removeprefix("boundary ").split(" | ")
        x, y = np.asarray(trace.x, dtype=float), np.asarray(trace.y, dtype=float)
        drawn = ~np.isnan(x)
        assert drawn.any()
        cells = pd.DataFrame({features[0]: x[drawn], features[1]: y[drawn]})
        proba = surface.fit.pipeline.predict_proba(cells)
        top_two = np.sort(np.argsort(proba, axis=1)[:, -2:], axis=1)
        expected = sorted(surface.classes.index(c) for c in pair)
        assert (top_two == expected).all()
