"""The Tune tab's search (#21) equals scikit-learn's own searches on the same folds: best
values and best inner score (GridSearchCV), the nested estimate (cross_val_score of the
search), random and halving searches with the same seed, and a loky run with two workers
equal to a serial one. Built independently of the app: plain pipelines on the page's
training rows."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from contextlib import contextmanager

import numpy as np
import pandas as pd
import pytest
from joblib import parallel_config
from sklearn.exceptions import ConvergenceWarning
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.linear_model import ElasticNet, LogisticRegression
from sklearn.model_selection import (
    GridSearchCV,
    HalvingGridSearchCV,
    RandomizedSearchCV,
    cross_val_score,
)
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from core.codegen_search import search_script
from core.data.catalogue import get_dataset_spec
from core.data.prepare import load_dataset
from core.fitting import split_data
from core.registry import FAMILIES, get_family
from core.search import (
    MAX_CANDIDATES,
    SEARCH_OVERHEAD_SECONDS,
    make_plan,
    run_search,
    search_grid,
    search_seconds,
    stability_sentence,
    tunable_specs,
)
from core.setting import Setting
from core.sweeps import SCORING_SHARE

DIABETES = load_dataset("diabetes", "regression")
CANCER = load_dataset("breast_cancer", "classification")
IRIS = load_dataset("iris", "classification")


def setting(family_id, estimator, dataset, dataset_id, **values):
    family = get_family(family_id)
    return Setting.of(
        family_id,
        estimator,
        values,
        data={"dataset": dataset_id},
        data_key=dataset_id,
        target=str(dataset.y.name),
        scale=family.scale_default,
        test_size=0.25,
        seed=0,
    )


def rows(dataset):
    split = split_data(dataset, 0.25, 0)
    X = dataset.X.to_numpy(dtype=float)
    y = dataset.y.to_numpy(dtype=float) if dataset.task == "regression" else dataset.y.to_numpy()
    return X[split.train], y[split.train], X[split.test], y[split.test]


def scaled(model):
    return Pipeline([("scale", StandardScaler()), ("model", model)])


def grid_of(plan, names=None):
    return {f"model__{n}": list(g) for n, g in zip(names or plan.params, plan.grids, strict=True)}


def unprefixed(params):
    return {k.removeprefix("model__"): v for k, v in params.items()}


@pytest.fixture(scope="module")
def enet():
    family = get_family("linear_regression")
    s = setting("linear_regression", "elasticnet", DIABETES, "diabetes")
    plan = make_plan(family, s, DIABETES, ["alpha", "l1_ratio"], [5, 3])
    return family, s, plan, run_search(family, s, DIABETES, plan)


def test_a_log_grid_is_geometric_to_three_digits_and_a_choice_offers_every_option():
    ridge = get_family("linear_regression")
    alpha = next(s for s in tunable_specs(ridge, "ridge") if s.name == "alpha")
    assert search_grid(alpha, 7) == (0.001, 0.01, 0.1, 1.0, 10.0, 100.0, 1000.0)
    assert search_grid(alpha, 5) == (0.001, 0.0316, 1.0, 31.6, 1000.0)
    logistic = get_family("logistic_regression")
    weight = next(s for s in tunable_specs(logistic, "logistic") if s.name == "class_weight")
    assert search_grid(weight, 3) == ("none", "balanced")
    knn = get_family("nearest_neighbors")
    k = next(s for s in tunable_specs(knn, "knn_classifier") if s.name == "n_neighbors")
    assert max(search_grid(k, 6, most=71)) == 71  # no k beyond a fold's training rows


def test_what_a_search_can_choose():
    linear = get_family("linear_regression")
    assert tunable_specs(linear, "ols") == []  # only the intercept switch
    names = [s.name for s in tunable_specs(get_family("neural_network"), "mlp_classifier")]
    assert "random_state" not in names and "hidden_layer_sizes" not in names
    assert names[:2] == ["activation", "alpha"]  # model-shaping first
    s = setting("linear_regression", "ols", DIABETES, "diabetes")
    with pytest.raises(ValueError, match="no hyperparameter a search can choose"):
        make_plan(linear, s, DIABETES, [], [])
    s = setting("linear_regression", "ridge", DIABETES, "diabetes")
    with pytest.raises(ValueError, match="cannot tune 'max_iter'"):
        make_plan(linear, s, DIABETES, ["max_iter"], [3])
    s = setting("linear_regression", "elasticnet", DIABETES, "diabetes")
    with pytest.raises(ValueError, match=f"more than the {MAX_CANDIDATES}"):
        make_plan(linear, s, DIABETES, ["alpha", "max_iter"], [20, 21])


def test_grid_search_equals_gridsearchcv_and_nested_equals_cross_val_score(enet):
    _, _, plan, result = enet
    X, y, X_test, y_test = rows(DIABETES)
    reference = GridSearchCV(scaled(ElasticNet()), grid_of(plan), scoring="r2", cv=5)
    reference.fit(X, y)
    assert result.best == unprefixed(reference.best_params_)
    assert result.best_score == pytest.approx(reference.best_score_, rel=1e-12)
    nested = cross_val_score(
        GridSearchCV(scaled(ElasticNet()), grid_of(plan), scoring="r2", cv=5), X, y, cv=5
    )
    np.testing.assert_allclose(result.outer_scores, nested, rtol=1e-12)
    assert result.nested == pytest.approx(nested.mean(), rel=1e-12)
    assert result.test_score == pytest.approx(reference.score(X_test, y_test), rel=1e-12)
    # The surface is cv_results_, one row per candidate, fold spread with ddof=0.
    cv = pd.DataFrame(reference.cv_results_["params"]).rename(columns=lambda c: c[7:])
    cv["mean"] = reference.cv_results_["mean_test_score"]
    cv["std"] = reference.cv_results_["std_test_score"]
    merged = result.surface.merge(cv, on=["alpha", "l1_ratio"], suffixes=("", "_sk"))
    assert len(merged) == len(result.surface) == 15
    np.testing.assert_allclose(merged["mean"], merged["mean_sk"], rtol=1e-12)
    np.testing.assert_allclose(merged["std"], merged["std_sk"], rtol=1e-12)


def test_each_outer_folds_choice_is_that_folds_gridsearchcv(enet):
    from sklearn.model_selection import KFold

    _, _, plan, result = enet
    X, y, _, _ = rows(DIABETES)
    for fold, (train, _) in enumerate(KFold(5).split(X), start=1):
        reference = GridSearchCV(scaled(ElasticNet()), grid_of(plan), scoring="r2", cv=5)
        reference.fit(X[train], y[train])
        row = result.outer_choices[result.outer_choices["fold"] == fold].iloc[0]
        assert {n: row[n] for n in plan.params} == unprefixed(reference.best_params_)
        assert row["inner best"] == pytest.approx(reference.best_score_, rel=1e-12)
    assert result.stability.startswith(("All 5 outer folds", "The 5 outer folds"))


def test_classification_folds_are_stratified_and_scored_by_accuracy():
    family = get_family("logistic_regression")
    s = setting("logistic_regression", "logistic", CANCER, "breast_cancer")
    plan = make_plan(family, s, CANCER, ["C", "class_weight"], [4, 0], outer=3)
    result = run_search(family, s, CANCER, plan)
    X, y, X_test, y_test = rows(CANCER)
    grid = {"model__C": list(plan.grids[0]), "model__class_weight": [None, "balanced"]}
    reference = GridSearchCV(scaled(LogisticRegression()), grid, scoring="accuracy", cv=5)
    reference.fit(X, y)
    best = unprefixed(reference.best_params_)
    assert result.best == {**best, "class_weight": best["class_weight"] or "none"}
    assert result.best_score == pytest.approx(reference.best_score_, rel=1e-12)
    nested = cross_val_score(
        GridSearchCV(scaled(LogisticRegression()), grid, scoring="accuracy", cv=5), X, y, cv=3
    )
    assert result.nested == pytest.approx(nested.mean(), rel=1e-12)
    assert result.test_score == pytest.approx(reference.score(X_test, y_test), rel=1e-12)
    assert result.score_name == "accuracy"


@contextmanager
def reference_warnings():
    """scikit-learn's own searches warn about candidates they cannot score (k past a
    halving round's rows) and about fits that run out of iterations; the page records the
    same warnings as sentences, so the reference's are expected here, not leaked."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def test_random_and_halving_equal_scikit_learns_with_the_same_seed():
    family = get_family("nearest_neighbors")
    s = setting("nearest_neighbors", "knn_classifier", IRIS, "iris")
    X, y, _, _ = rows(IRIS)
    model = scaled(KNeighborsClassifier())
    for strategy in ("random", "halving"):
        plan = make_plan(
            family, s, IRIS, ["n_neighbors", "weights"], [8, 0], strategy=strategy, n_iter=6
        )
        result = run_search(family, s, IRIS, plan)
        common = {"scoring": "accuracy", "cv": 5, "random_state": 0}
        if strategy == "random":
            reference = RandomizedSearchCV(model, grid_of(plan), n_iter=6, **common)
            assert len(result.surface) == 6
        else:
            reference = HalvingGridSearchCV(model, grid_of(plan), **common)
        with reference_warnings():
            reference.fit(X, y)
        assert result.best == unprefixed(reference.best_params_), strategy
        assert result.best_score == pytest.approx(reference.best_score_, rel=1e-12)
        params = reference.cv_results_["params"]
        tried = {(p["model__n_neighbors"], p["model__weights"]) for p in params}
        assert (
            set(zip(result.surface["n_neighbors"], result.surface["weights"], strict=True)) == tried
        )
        with reference_warnings():
            nested = cross_val_score(
                type(reference)(
                    model,
                    grid_of(plan),
                    **common,
                    **({"n_iter": 6} if strategy == "random" else {}),
                ),
                X,
                y,
                cv=5,
            )
        assert result.nested == pytest.approx(nested.mean(), rel=1e-12), strategy


def test_two_loky_workers_give_the_serial_numbers(enet):
    family, s, plan, serial = enet
    with parallel_config(backend="loky"):
        parallel = run_search(family, s, DIABETES, plan, n_jobs=2)
    assert parallel.best == serial.best
    assert parallel.best_score == serial.best_score
    np.testing.assert_array_equal(parallel.outer_scores, serial.outer_scores)
    assert parallel.test_score == serial.test_score
    pd.testing.assert_frame_equal(parallel.surface, serial.surface)


def test_a_value_scikit_learn_refuses_is_a_sentence_not_a_traceback():
    # The page's automatic solver for l1_ratio = 0 is lbfgs, which takes no L1 share.
    family = get_family("logistic_regression")
    s = setting("logistic_regression", "logistic", CANCER, "breast_cancer")
    plan = make_plan(family, s, CANCER, ["l1_ratio"], [3], outer=2)
    result = run_search(family, s, CANCER, plan)
    assert result.best == {"l1_ratio": 0.0}
    assert result.surface["mean"].isna().sum() == 2
    refused = next(n for n in result.notes if "could not be scored" in n)
    assert "2 of 3 candidates" in refused and "lbfgs" in refused
    assert any("the page would fit with solver = saga" in n for n in result.notes)


def test_the_stability_sentence_names_the_values_and_says_unstable():
    unstable = pd.DataFrame({"alpha": [1.0, 1.0, 10.0, 0.1, 1.0]})
    text = stability_sentence(unstable, ["alpha"])
    assert text.startswith("The 5 outer folds chose 3 values of alpha: 1 (3×), 10 (1×)")
    assert "unstable" in text
    stable = stability_sentence(pd.DataFrame({"alpha": [10.0] * 5}), ["alpha"])
    assert stable.startswith("All 5 outer folds chose alpha = 10.") and "is stable" in stable


def test_the_time_estimate_counts_candidates_folds_and_searches():
    family = get_family("linear_regression")  # no estimate of its own: the page's fit time
    s = setting("linear_regression", "elasticnet", DIABETES, "diabetes")
    plan = make_plan(family, s, DIABETES, ["alpha", "l1_ratio"], [4, 3], inner=5, outer=4)
    n_train = len(split_data(DIABETES, 0.25, 0).train)
    rows_outer = n_train - -(-n_train // 4)
    rows_fold = rows_outer - -(-rows_outer // 5)
    per_fit = 0.01 * (1 + SCORING_SHARE) * rows_fold / n_train
    expected = 12 * 5 * 5 * per_fit + 5 * 0.01 * (1 + SCORING_SHARE)
    overhead = 5 * SEARCH_OVERHEAD_SECONDS
    assert search_seconds(family, s, DIABETES, plan, fit_seconds=0.01) == pytest.approx(
        expected + overhead
    )
    assert search_seconds(family, s, DIABETES, plan, fit_seconds=0.01, n_jobs=2) == (
        pytest.approx(expected / 2 + overhead)
    )


def test_every_family_can_search_its_default_hyperparameter():
    for family in FAMILIES:
        dataset_id = family.default_dataset
        data = load_dataset(dataset_id, get_dataset_spec(dataset_id).task)
        estimator = family.estimator_spec(data.task).default
        names = [s.name for s in tunable_specs(family, estimator)]
        assert names, family.id
        s = setting(family.id, estimator, data, dataset_id)
        plan = make_plan(family, s, data, names[:1], [2], inner=2, outer=2)
        result = run_search(family, s, data, plan)
        assert set(result.best) == {names[0]}
        assert np.isfinite(result.best_score) and np.isfinite(result.nested), family.id


def _last_json(text):
    decoder, objects, i = json.JSONDecoder(), [], 0
    while i < len(text):
        rest = text[i:].lstrip()
        if not rest:
            break
        obj, n = decoder.raw_decode(rest)
        objects.append(obj)
        i = len(text) - len(rest) + n
    return objects[-1]


@pytest.mark.parametrize(
    ("family_id", "estimator", "dataset", "dataset_id", "params", "points", "strategy"),
    [
        (
            "linear_regression",
            "elasticnet",
            DIABETES,
            "diabetes",
            ["alpha", "l1_ratio"],
            [4, 3],
            "grid",
        ),
        (
            "logistic_regression",
            "logistic",
            CANCER,
            "breast_cancer",
            ["C", "class_weight"],
            [3, 0],
            "random",
        ),
        ("nearest_neighbors", "knn_classifier", IRIS, "iris", ["n_neighbors"], [6], "halving"),
    ],
)
def test_the_search_script_prints_the_same_best_values_and_three_scores(
    tmp_path, family_id, estimator, dataset, dataset_id, params, points, strategy
):
    family = get_family(family_id)
    s = setting(family_id, estimator, dataset, dataset_id)
    plan = make_plan(family, s, dataset, params, points, strategy=strategy, n_iter=4, outer=3)
    result = run_search(family, s, dataset, plan)
    path = tmp_path / "search.py"
    path.write_text(search_script(family, s, plan), encoding="utf-8")
    out = subprocess.run(
        [sys.executable, str(path)], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    printed = _last_json(out.stdout)["search"]
    best = {k: ("none" if v is None else v) for k, v in unprefixed(printed["best"]).items()}
    assert best == result.best
    assert printed["best_inner_score"] == pytest.approx(result.best_score, rel=1e-12)
    assert printed["nested_estimate"] == pytest.approx(result.nested, rel=1e-12)
    assert printed["test_score"] == pytest.approx(result.test_score, rel=1e-12)
    chosen = [
        {k: ("none" if v is None else v) for k, v in unprefixed(c).items()}
        for c in printed["outer_choices"]
    ]
    assert chosen == result.outer_choices[list(params)].to_dict("records")


def test_the_heatmap_frames_the_chosen_cell_and_leaves_its_score_readable(enet):
    from core.search_figures import search_heatmap_figure

    family, _, _, result = enet
    specs = {s.name: s for s in family.hyperparameters_for("elasticnet")}
    fig = search_heatmap_figure(result, specs["alpha"], specs["l1_ratio"])
    heat, frame = fig.data[0], fig.layout.shapes[0]
    # The frame's edges are a cell's (index ± 0.5) and that cell holds the best mean score.
    j, i = frame.x0 + 0.5, frame.y0 + 0.5
    assert (j, i) == (round(j), round(i)) and (frame.x1 - frame.x0, frame.y1 - frame.y0) == (1, 1)
    z = np.asarray(heat.z, dtype=float)
    assert z[int(i), int(j)] == pytest.approx(result.best_score, rel=1e-12)
    assert z[int(i), int(j)] == np.nanmax(z)
    # Nothing is drawn on the cell's text: the legend entry has no points.
    chosen = fig.data[1]
    assert chosen.name.startswith("chosen: alpha = ") and list(chosen.x) == [None]
    assert len(fig.data) == 2


def test_a_knob_the_setting_does_not_read_is_not_offered_for_a_search():
    from core.search_plan import tunable_specs

    descent = get_family("gradient_descent")
    values = {s.name: s.initial for s in descent.hyperparameters_for("sgd_regressor")}
    assert values["learning_rate"] == "constant"
    names = [s.name for s in tunable_specs(descent, "sgd_regressor", values)]
    assert "power_t" not in names and "eta0" in names
    decaying = {**values, "learning_rate": "invscaling"}
    assert "power_t" in [s.name for s in tunable_specs(descent, "sgd_regressor", decaying)]
    network = get_family("neural_network")
    lbfgs = {s.name: s.initial for s in network.hyperparameters_for("mlp_classifier")}
    lbfgs["solver"] = "lbfgs"
    names = [s.name for s in tunable_specs(network, "mlp_classifier", lbfgs)]
    assert "learning_rate_init" not in names and "alpha" in names
    # A link that asks for such a search gets the sentence, not a search of nothing.
    s = setting("gradient_descent", "sgd_regressor", DIABETES, "diabetes", **values)
    with pytest.raises(ValueError, match="cannot tune 'power_t' here"):
        make_plan(descent, s, DIABETES, ["power_t"], [5])
