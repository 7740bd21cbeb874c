"""One over-fitting rule: every first screen and the Sweeps tab give the same verdict for the
same two scores, state the rule with its threshold, and the Sweeps tab's "best value" is the
one its sentence names."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge
from sklearn.metrics import r2_score
from sklearn.model_selection import KFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from core.data.prepare import load_dataset
from core.fit_verdict import GAP, RULE
from core.fitting import fit_model
from core.linear.interpretation import linear_sentences, logistic_sentences
from core.linear.path_curve import path_validation_curve_table
from core.registry import LINEAR_REGRESSION, get_family
from core.setting import Setting
from core.sweep_diagnosis import best_value, fit_diagnosis
from core.sweep_grids import sweep_values
from core.sweeps import validation_curve_table

SPLIT_OVER = "on this split the model over-fits"
SPLIT_FINE = "on this split the model does not over-fit"
CV_OVER = "on cross-validated folds the model over-fits"
CV_FINE = "on cross-validated folds the model does not over-fit"

#: (train, held-out) pairs: the diabetes ridge split, its cross-validated means, a gap of
#: exactly the threshold, a hair above it, a raw gap above it that prints as 0.100, a
#: held-out score above training, a perfect training score.
PAIRS = [
    (0.555, 0.358),
    (0.559, 0.513),
    (0.8, 0.7),
    (0.9, 0.7985),
    (0.9004, 0.7996),
    (0.5, 0.6),
    (1.0, 0.974),
]


def expected_over_fits(train: float, held_out: float) -> bool:
    """The rule from its sentence, on the scores as the page prints them (three decimals):
    the training score less the held-out score, above 0.1."""
    gap = float(f"{train:.3f}") - float(f"{held_out:.3f}")
    return float(f"{gap:.3f}") > 0.1


def metrics(score: str, train: float, test: float) -> pd.DataFrame:
    return pd.DataFrame({"train": [train], "test": [test]}, index=[score])


def one_row_curve(train: float, held_out: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "value": [1.0],
            "train_mean": [train],
            "train_std": [0.01],
            "cv_mean": [held_out],
            "cv_std": [0.01],
            "note": [""],
        }
    )


def verdict_of(sentences, needle_over: str, needle_fine: str):
    """The one sentence carrying the verdict, and whether it says over-fits."""
    found = [s for s in sentences if needle_over in s.text or needle_fine in s.text]
    assert len(found) == 1, [s.text for s in sentences]
    return found[0], needle_over in found[0].text


@pytest.fixture(scope="module")
def fits():
    """One real fit per family whose first screen judges a split (metrics replaced below)."""
    iris = load_dataset("iris", "classification")
    tree = get_family("decision_tree")
    knn = get_family("nearest_neighbors")
    network = get_family("neural_network")
    descent = get_family("gradient_descent")
    return {
        "gradient_descent": (descent, iris, fit_model(descent, "sgd_classifier", {}, iris)),
        "neural_network": (network, iris, fit_model(network, "mlp_classifier", {}, iris)),
        "decision_tree": (tree, iris, fit_model(tree, "tree_classifier", {}, iris)),
        "nearest_neighbors": (knn, iris, fit_model(knn, "knn_classifier", {}, iris)),
    }


def test_the_rule_is_one_sentence_that_names_its_threshold():
    assert GAP == 0.1
    assert "0.1" in RULE and RULE.count(". ") == 0 and RULE.endswith(".")
    assert "R²" in RULE and "accuracy" in RULE


@pytest.mark.parametrize(("train", "held_out"), PAIRS)
def test_every_first_screen_and_the_sweeps_tab_agree(fits, train, held_out):
    expected = expected_over_fits(train, held_out)
    empty = pd.DataFrame({"feature": [], "vif": []})
    linear = linear_sentences(
        pd.DataFrame(
            {
                "feature": ["x"],
                "coef": [1.0],
                "coef_per_sd": [1.0],
                "zero": [False],
            }
        ),
        "y",
        0.0,
        metrics("R²", train, held_out),
        empty,
        in_sample=False,
    )
    logistic_metrics = pd.concat(
        [metrics("accuracy", train, held_out), metrics("log loss", 0.3, 0.4)]
    )
    logistic = logistic_sentences(
        pd.DataFrame(
            {
                "feature": ["x"],
                "output": ["b"],
                "coef": [0.5],
                "coef_per_sd": [0.5],
                "odds_ratio": [np.exp(0.5)],
                "odds_ratio_per_sd": [np.exp(0.5)],
                "zero": [False],
            }
        ),
        ("a", "b"),
        logistic_metrics,
        empty,
        in_sample=False,
        unpenalised=False,
    )
    pages = [("linear", linear), ("logistic", logistic)]
    for name, (family, data, fit) in fits.items():
        replaced = dataclasses.replace(fit, metrics=metrics("accuracy", train, held_out))
        pages.append((name, family.interpret(replaced, data, family.extract(replaced))))
    for name, sentences in pages:
        sentence, says_over = verdict_of(sentences, SPLIT_OVER, SPLIT_FINE)
        assert says_over == expected, (name, sentence.text)
        assert sentence.level == ("warning" if expected else "info"), name
        assert RULE in sentence.text and "Sweeps tab" in sentence.text, name
        assert f"{train:.3f} against {held_out:.3f}" in sentence.text, name
    sweep = fit_diagnosis(one_row_curve(train, held_out), 1.0, param_name="alpha", score_name="R²")
    assert (CV_OVER in sweep) == expected and (CV_FINE in sweep) != expected, sweep
    assert RULE in sweep and f"{held_out:.3f} against {train:.3f}" in sweep


def test_the_best_value_comparison_never_contradicts_the_rule():
    """The current value fits training folds more closely and held-out folds clearly worse
    than the best value, yet its own gap is within the threshold: no over-fitting is said,
    and the comparison is worded without a verdict."""
    table = pd.DataFrame(
        {
            "value": [0.01, 0.1],
            "train_mean": [0.80, 0.78],
            "train_std": [0.01, 0.01],
            "cv_mean": [0.72, 0.77],
            "cv_std": [0.01, 0.01],
            "note": ["", ""],
        }
    )
    text = fit_diagnosis(table, 0.01, param_name="alpha", score_name="R²")
    assert CV_FINE in text
    rest = text.replace(RULE, "").replace(CV_FINE, "")
    assert "over-fit" not in rest and "under-fit" not in rest
    assert "The best value tried, alpha = 0.1" in text


def test_diabetes_ridge_at_alpha_1_over_fits_on_its_split_but_not_across_folds():
    data = load_dataset("diabetes", "regression")
    fit = fit_model(LINEAR_REGRESSION, "ridge", {"alpha": 1.0}, data)
    # The split's scores, recomputed with scikit-learn.
    X_train, y_train = fit.split.train_rows(data)
    X_test, y_test = data.X.iloc[fit.split.test], data.y.iloc[fit.split.test]
    model = make_pipeline(StandardScaler(), Ridge(alpha=1.0)).fit(X_train, y_train)
    train, test = r2_score(y_train, model.predict(X_train)), r2_score(y_test, model.predict(X_test))
    assert expected_over_fits(train, test)
    first = LINEAR_REGRESSION.interpret(fit, data, LINEAR_REGRESSION.extract(fit))
    sentence, says_over = verdict_of(first, SPLIT_OVER, SPLIT_FINE)
    assert says_over and f"{train:.3f} against {test:.3f}" in sentence.text
    assert "One split is noisy" in sentence.text
    # The Sweeps tab's numbers at alpha = 1, recomputed: 5 unshuffled folds of the training rows.
    scores = cross_validate(
        make_pipeline(StandardScaler(), Ridge(alpha=1.0)),
        X_train,
        y_train,
        cv=KFold(5),
        scoring="r2",
        return_train_score=True,
    )
    cv_train, cv_test = scores["train_score"].mean(), scores["test_score"].mean()
    table = path_validation_curve_table(
        LINEAR_REGRESSION,
        Setting.on(data, LINEAR_REGRESSION.id, "ridge", {}),
        data,
        [0.1, 1.0, 10.0],
    )
    row = table.set_index("value").loc[1.0]
    np.testing.assert_allclose([row["train_mean"], row["cv_mean"]], [cv_train, cv_test])
    text = fit_diagnosis(table, 1.0, param_name="alpha", score_name="R²")
    assert not expected_over_fits(cv_train, cv_test) and CV_FINE in text
    assert f"{cv_test:.3f} against {cv_train:.3f} in training" in text


def test_a_whole_number_grid_holds_the_current_value_and_one_best_value_is_named():
    knn = get_family("nearest_neighbors")
    spec = next(s for s in knn.hyperparameters if s.name == "n_neighbors")
    grid = sweep_values(spec, 13, 1, 89, current=5)
    plain = sweep_values(spec, 13, 1, 89)
    assert 5 not in plain and 5 in grid and sorted(set(plain) | {5}) == list(grid)
    assert 200 not in sweep_values(spec, 13, 1, 89, current=200)  # outside: not added
    iris = load_dataset("iris", "classification")
    # The page's grid up to 9 (the curve's cost is in the rest).
    small = [int(k) for k in grid if k <= 9]
    table = validation_curve_table(knn, "knn_classifier", {}, iris, "n_neighbors", small)
    best = best_value(table)
    text = fit_diagnosis(table, 5, param_name="n_neighbors", score_name="accuracy")
    assert "was not tried" not in text
    if best == 5:
        assert text.startswith("n_neighbors = 5 is the best value tried")
    else:
        assert f"The best value tried, n_neighbors = {best}," in text
        assert "n_neighbors = 5 is the best" not in text


def test_a_value_between_grid_points_is_read_at_the_nearest_one_the_button_names():
    """Off the grid, the sentence names the nearest value tried as the best, never the
    current one (the button offers best_value)."""
    table = pd.DataFrame(
        {
            "value": [4, 6, 8],
            "train_mean": [0.97, 0.96, 0.95],
            "train_std": [0.01] * 3,
            "cv_mean": [0.93, 0.95, 0.94],
            "cv_std": [0.01] * 3,
            "note": [""] * 3,
        }
    )
    text = fit_diagnosis(table, 5.4, param_name="n_neighbors", score_name="accuracy")
    assert best_value(table) == 6
    assert "n_neighbors = 5.4 was not tried; the nearest value tried is n_neighbors = 6." in text
    assert "n_neighbors = 6 is the best value tried" in text
