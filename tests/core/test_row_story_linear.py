"""One row through a linear model (#22): the intercept plus coefficient × value, recomputed
here from ``coef_``, ``intercept_`` and the scaler's ``mean_`` / ``scale_``, sums to
``predict`` (regressors) or ``decision_function`` and then ``predict_proba`` (classifiers)
within 1e-9; an edit moves exactly the edited feature's contribution."""

from __future__ import annotations

import importlib.util
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import HuberRegressor

from core.data.prepare import load_dataset
from core.fitting import fit_model
from core.linear.row import contribution_waterfall_figure, linear_row_story
from core.registry import get_family
from core.row_predict import NO_STORY, compare_row, predict_row, row_story
from core.row_story import edited_row


def _toy_family():
    """The toy family's spec, read from its file (its package expects to be copied into
    core/families/ first, as tests/app/test_any_family.py does)."""
    path = Path(__file__).resolve().parents[1] / "app" / "toy_family" / "family.py"
    spec = importlib.util.spec_from_file_location("toy_family_spec", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.FAMILY


TOY = _toy_family()

CASES = [
    ("linear_regression", "ridge", "diabetes", "regression", True),
    ("linear_regression", "ols", "longley", "regression", False),
    ("linear_regression", "lasso", "diabetes", "regression", True),
    ("gradient_descent", "sgd_regressor", "diabetes", "regression", True),
    ("logistic_regression", "logistic", "breast_cancer", "classification", True),
    ("logistic_regression", "logistic", "iris", "classification", True),
    ("gradient_descent", "sgd_classifier", "iris", "classification", True),
    ("gradient_descent", "sgd_classifier", "breast_cancer", "classification", True),
]
IDS = [f"{c[1]}-{c[2]}" for c in CASES]


def _fit(family_id, estimator, dataset_id, task, scale):
    family = get_family(family_id)
    data = load_dataset(dataset_id, task)
    values = {s.name: s.initial for s in family.hyperparameters_for(estimator)}
    return family, data, fit_model(family, estimator, values, data, scale=scale)


def _by_hand(fit, row):
    """The model's input and its contributions, from the public attributes alone."""
    x = row.to_numpy(dtype=float)[0]
    scaler = fit.pipeline.named_steps.get("scale")
    if scaler is not None:
        mean = scaler.mean_ if scaler.with_mean else np.zeros_like(x)
        z = (x - mean) / scaler.scale_
    else:
        mean, z = np.zeros_like(x), x
    W = np.atleast_2d(fit.model.coef_)
    b = np.atleast_1d(fit.model.intercept_)
    scale = scaler.scale_ if scaler is not None else np.ones_like(x)
    raw_coef = W / scale
    raw_intercept = b - W @ (mean / scale)
    return x, z, W, b, W * z, raw_coef * x, raw_intercept


@pytest.mark.parametrize(("family_id", "estimator", "dataset_id", "task", "scale"), CASES, ids=IDS)
def test_contributions_sum_to_the_estimators_own_numbers(
    family_id, estimator, dataset_id, task, scale
):
    family, data, fit = _fit(family_id, estimator, dataset_id, task, scale)
    for position in (int(fit.split.train[3]), int(fit.split.test[0])):
        row = edited_row(data.X, position, {})
        story = family.explain_row(fit, data, row)
        _, _, W, b, fitted_parts, raw_parts, raw_intercept = _by_hand(fit, row)
        own = (
            np.atleast_1d(fit.pipeline.decision_function(row)[0])
            if task == "classification"
            else np.atleast_1d(fit.pipeline.predict(row)[0])
        )
        # The sums, in both units, end at the estimator's number.
        tolerance = 1e-9 * max(1.0, np.abs(raw_parts).sum(), np.abs(raw_intercept).max())
        np.testing.assert_allclose(b + fitted_parts.sum(axis=1), own, rtol=0, atol=1e-9)
        np.testing.assert_allclose(
            raw_intercept + raw_parts.sum(axis=1), own, rtol=0, atol=tolerance
        )
        # The page's table holds exactly these contributions, output by output.
        table = story.tables[0].frame
        n_out = W.shape[0]
        blocks = np.array_split(table.to_numpy(), n_out) if n_out > 1 else [table.to_numpy()]
        fitted = table["contribution (as fitted)"].to_numpy().reshape(n_out, -1)
        raw = table["contribution (raw units)"].to_numpy().reshape(n_out, -1)
        assert len(blocks) == n_out
        np.testing.assert_allclose(fitted[:, 0], b, rtol=1e-12)
        np.testing.assert_allclose(fitted[:, 1:-1], fitted_parts, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(fitted[:, -1], own, rtol=0, atol=1e-9)
        np.testing.assert_allclose(raw[:, 0], raw_intercept, rtol=1e-9, atol=tolerance)
        np.testing.assert_allclose(raw[:, 1:-1], raw_parts, rtol=1e-9, atol=1e-12)
        # Every waterfall ends at the estimator's number: start + steps == end.
        for figure in story.figures:
            trace = figure.figure.data[0]
            steps = np.asarray(trace.y[:-1], dtype=float)
            end = float(trace.customdata[-1])
            assert trace.measure[-1] == "total"
            assert steps.sum() == pytest.approx(end, abs=tolerance)
            assert any(end == pytest.approx(o, abs=1e-9) for o in own)
        if task == "regression":
            assert story.prediction == pytest.approx(fit.pipeline.predict(row)[0], abs=1e-9)
            assert story.probabilities is None


@pytest.mark.parametrize(
    ("family_id", "estimator", "dataset_id", "task", "scale"),
    [c for c in CASES if c[3] == "classification"],
    ids=[i for i, c in zip(IDS, CASES, strict=True) if c[3] == "classification"],
)
def test_the_link_turns_the_scores_into_predict_proba(
    family_id, estimator, dataset_id, task, scale
):
    family, data, fit = _fit(family_id, estimator, dataset_id, task, scale)
    row = edited_row(data.X, int(fit.split.test[1]), {})
    story = family.explain_row(fit, data, row)
    _, _, _, b, fitted_parts, _, _ = _by_hand(fit, row)
    scores = b + fitted_parts.sum(axis=1)
    proba = fit.pipeline.predict_proba(row)[0]
    if scores.size == 1:
        p = 1 / (1 + np.exp(-scores[0]))
        expected, name = np.array([1 - p, p]), "sigmoid"
    elif estimator == "logistic":
        e = np.exp(scores - scores.max())
        expected, name = e / e.sum(), "softmax"
    else:
        s = 1 / (1 + np.exp(-scores))
        expected, name = s / s.sum(), "one-vs-rest sigmoid"
    np.testing.assert_allclose(expected, proba, rtol=0, atol=1e-9)
    np.testing.assert_allclose(story.probabilities.to_numpy(), proba, rtol=0, atol=1e-12)
    link = story.tables[1]
    assert link.title == f"Scores to probabilities: {name}"
    np.testing.assert_allclose(link.frame[name], proba, rtol=0, atol=1e-9)
    assert story.prediction == fit.pipeline.predict(row)[0]


@pytest.mark.parametrize(("family_id", "estimator", "dataset_id", "task", "scale"), CASES, ids=IDS)
def test_an_edit_moves_exactly_the_edited_features_contribution(
    family_id, estimator, dataset_id, task, scale
):
    family, data, fit = _fit(family_id, estimator, dataset_id, task, scale)
    position = int(fit.split.test[2])
    j = 1
    feature = str(data.X.columns[j])
    old = float(data.X.iloc[position, j])
    new = old + 2 * float(data.X.iloc[:, j].std())
    result = predict_row(family, fit, data, position, {feature: new})
    before = result.original.trace["contributions"]
    after = result.story.trace["contributions"]
    scaler = fit.pipeline.named_steps.get("scale")
    step = (new - old) / (scaler.scale_[j] if scaler is not None else 1.0)
    W = np.atleast_2d(fit.model.coef_)
    others = np.arange(before.shape[1]) != j
    np.testing.assert_array_equal(after[:, others], before[:, others])
    np.testing.assert_allclose(after[:, j] - before[:, j], W[:, j] * step, rtol=1e-9, atol=1e-12)
    moved = [s for s in result.changed if "contribution (as fitted) moved" in s]
    assert len(moved) == 1 and moved[0].startswith(f"{feature}'s contribution")
    assert result.features.loc[result.features["feature"] == feature, "edited"].item()
    assert result.features["edited"].sum() == 1
    # The edited row's prediction is the estimator's own on the edited values.
    row = edited_row(data.X, position, {feature: new})
    assert result.story.prediction == pytest.approx(fit.pipeline.predict(row)[0], abs=1e-9)


def test_a_coefficient_of_zero_takes_an_edit_without_moving_anything():
    family, data, fit = _fit("linear_regression", "lasso", "diabetes", "regression", True)
    zero = np.flatnonzero(fit.model.coef_ == 0)
    assert len(zero), "lasso at its default alpha zeroes a feature of diabetes"
    feature = str(data.X.columns[zero[0]])
    result = predict_row(family, fit, data, 0, {feature: 1.0})
    assert result.story.prediction == result.original.prediction
    assert result.changed[0].startswith("The prediction stays")


def test_a_model_with_coef_and_intercept_gets_the_linear_story_without_declaring_it():
    """The toy family (HuberRegressor) declares no explain_row: its numbers show it is
    linear, so its row story is the linear one."""
    data = load_dataset("diabetes", "regression")
    values = {s.name: s.initial for s in TOY.hyperparameters_for("huber")}
    fit = fit_model(TOY, "huber", values, data)
    assert TOY.explain_row is None and isinstance(fit.model, HuberRegressor)
    row = edited_row(data.X, 5, {})
    story = row_story(TOY, fit, data, row)
    _, _, _, b, fitted_parts, _, _ = _by_hand(fit, row)
    assert story.prediction == pytest.approx(fit.pipeline.predict(row)[0], abs=1e-9)
    assert b[0] + fitted_parts.sum() == pytest.approx(story.prediction, abs=1e-9)
    assert story.tables[0].title.startswith("Contributions")


def test_a_family_without_a_story_and_without_coefficients_gets_a_sentence():
    tree = get_family("decision_tree")
    bare = replace(tree, explain_row=None)
    data = load_dataset("iris", "classification")
    values = {s.name: s.initial for s in tree.hyperparameters_for("tree_classifier")}
    fit = fit_model(tree, "tree_classifier", values, data, scale=False)
    row = edited_row(data.X, 0, {})
    story = row_story(bare, fit, data, row)
    assert story.sentences == (NO_STORY,)
    assert story.prediction == fit.pipeline.predict(row)[0]
    np.testing.assert_allclose(story.probabilities, fit.pipeline.predict_proba(row)[0])
    assert linear_row_story is not None  # the linear story is offered only where it holds


def test_the_waterfall_keeps_the_largest_terms_and_sums_the_rest():
    fig = contribution_waterfall_figure(
        [f"f{j}" for j in range(5)],
        np.array([1.0, -4.0, 0.5, 3.0, -0.25]),
        10.0,
        10.25,
        max_terms=2,
    )
    trace = fig.data[0]
    assert list(trace.x) == ["(intercept)", "f1", "f3", "3 other features", "prediction"]
    np.testing.assert_allclose(trace.y, [10.0, -4.0, 3.0, 1.25, 0.0])
    assert trace.customdata[-1] == 10.25


def test_one_row_under_a_and_b_splits_the_move_into_the_terms_that_made_it():
    family = get_family("linear_regression")
    data = load_dataset("diabetes", "regression")
    values = {s.name: s.initial for s in family.hyperparameters_for("ridge")}
    fit_a = fit_model(family, "ridge", {**values, "alpha": 1.0}, data)
    fit_b = fit_model(family, "ridge", {**values, "alpha": 100.0}, data)
    row = edited_row(data.X, 7, {})
    comparison = compare_row(
        family.explain_row(fit_a, data, row), family.explain_row(fit_b, data, row)
    )
    terms = comparison.terms.set_index("term")
    for side, fit in (("A", fit_a), ("B", fit_b)):
        _, _, _, b, parts, _, _ = _by_hand(fit, row)
        np.testing.assert_allclose(terms.loc[list(data.X.columns), side], parts[0], rtol=1e-12)
        assert terms.at["(intercept)", side] == pytest.approx(b[0], rel=1e-12)
        assert terms.at["= sum", side] == pytest.approx(fit.pipeline.predict(row)[0], abs=1e-9)
    moved = fit_b.pipeline.predict(row)[0] - fit_a.pipeline.predict(row)[0]
    assert terms.drop("= sum")["B − A"].sum() == pytest.approx(moved, abs=1e-9)
    top = terms.drop("= sum")["B − A"].abs()
    assert top.is_monotonic_decreasing
    assert comparison.sentences[0].startswith("From A to B the prediction moved from")
    assert top.index[0] in comparison.sentences[1]


def test_fits_whose_terms_are_not_the_same_things_are_compared_by_prediction_only():
    tree = get_family("decision_tree")
    data = load_dataset("iris", "classification")
    values = {s.name: s.initial for s in tree.hyperparameters_for("tree_classifier")}
    a = fit_model(tree, "tree_classifier", {**values, "max_depth": 1}, data, scale=False)
    b = fit_model(tree, "tree_classifier", {**values, "max_depth": 3}, data, scale=False)
    row = edited_row(data.X, 60, {})
    comparison = compare_row(tree.explain_row(a, data, row), tree.explain_row(b, data, row))
    assert comparison.terms is None and len(comparison.sentences) == 1
