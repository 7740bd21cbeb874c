"""Every family on one data set: rows, complexity sweeps and their reading, checked against
independent fits."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

import core.comparison
from core.capacity import (
    best_family,
    best_points,
    capacity_grid,
    capacity_points,
    capacity_spec,
    capacity_sweep,
    capacity_sweep_seconds,
    complexity_sentences,
    cv_folds,
    fold_rows,
    sweep_plan,
    sweep_table,
)
from core.comparison import (
    PILOT_GROWTH,
    PILOT_ROWS,
    FamilySetting,
    compare_families,
    comparison_table,
    estimate_fit_seconds,
    families_for,
    initial_setting,
    last_setting,
)
from core.comparison_figures import complexity_figure
from core.data.prepare import load_dataset
from core.fitting import FitError, fit_model, split_data
from core.registry import FAMILIES, get_family
from core.setting import Setting
from core.sweeps import sweep_seconds, validation_curve_table


@pytest.fixture(scope="module")
def diabetes_rows(diabetes):
    settings = [initial_setting(f, "regression") for f in families_for("regression", FAMILIES)]
    return compare_families(settings, diabetes)


def test_only_families_serving_the_task_are_compared():
    regression = families_for("regression", FAMILIES)
    classification = families_for("classification", FAMILIES)
    assert get_family("linear_regression") in regression
    assert get_family("linear_regression") not in classification
    assert get_family("logistic_regression") in classification
    assert all("regression" in f.tasks for f in regression)
    assert all("classification" in f.tasks for f in classification)
    assert {f.id for f in (*regression, *classification)} == {f.id for f in FAMILIES}


def test_each_rows_scores_and_counts_equal_fit_model(diabetes, diabetes_rows):
    assert [r.family for r in diabetes_rows] == list(families_for("regression", FAMILIES))
    for row in diabetes_rows:
        setting = row.setting
        fit = fit_model(setting.family, setting.estimator_id, setting.values, diabetes)
        assert row.problem is None
        assert row.train == pytest.approx(fit.metrics.at["R²", "train"], rel=1e-9)
        assert row.test == pytest.approx(fit.metrics.at["R²", "test"], rel=1e-9)
        learned = setting.family.extract(fit)
        assert row.n_learned == learned.n_parameters
        specs = setting.family.hyperparameters_for(setting.estimator_id)
        assert row.n_hyperparameters == len(specs)
        assert row.n_model_hyperparameters == sum(s.role == "model" for s in specs)
        assert row.fit_seconds > 0
    by_id = {r.family.id: r for r in diabetes_rows}
    assert by_id["linear_regression"].n_learned == 11  # 10 coefficients + intercept
    assert by_id["linear_regression"].n_stored is None
    knn = by_id["nearest_neighbors"]
    n_train = len(split_data(diabetes, 0.25, 0).train)
    assert knn.n_learned == 0 and knn.n_stored == n_train * 10 == 3310


def test_effective_parameters_equal_the_familys_function(diabetes, diabetes_rows):
    for row in diabetes_rows:
        family, setting = row.family, row.setting
        fit = fit_model(family, setting.estimator_id, setting.values, diabetes)
        if family.effective_parameters is not None:
            expected = family.effective_parameters(fit, diabetes)
        else:
            expected = family.extract(fit).n_parameters
        assert row.effective == pytest.approx(expected, rel=1e-12)
    by_id = {r.family.id: r for r in diabetes_rows}
    n_train = len(split_data(diabetes, 0.25, 0).train)
    assert by_id["nearest_neighbors"].effective == pytest.approx(n_train / 5)
    assert 10 < by_id["linear_regression"].effective < 11  # ridge shrinks below 10 + 1


def test_the_table_has_one_row_per_family_with_the_counts(diabetes_rows):
    table = comparison_table(diabetes_rows, "regression").set_index("family")
    assert list(table.index) == [r.family.title for r in diabetes_rows]
    assert table.at["Linear regression", "learned parameters"] == 11
    assert table.at["Nearest neighbours", "learned parameters"] == 0
    assert table.at["Nearest neighbours", "stored values"] == 3310
    assert table.at["Linear regression", "stored values"] == 0  # as the home table says
    assert table.at["Linear regression", "setting"] == "alpha=1, fit_intercept=true"
    assert set(table["from"]) == {"page start"}
    assert {"train R²", "test R²", "fit time", "shape the model"} <= set(table.columns)


# --- current settings ------------------------------------------------------------------
def _run(family_id: str, estimator: str, **values):
    setting = Setting.of(
        family_id,
        estimator,
        values,
        data={"dataset": "diabetes"},
        data_key="diabetes",
        target="target",
        scale=True,
        test_size=0.25,
        seed=0,
    )
    return {"family": family_id, "setting": setting}


def test_last_setting_is_the_familys_last_run_for_the_task():
    linear = get_family("linear_regression")
    tree = get_family("decision_tree")
    history = [
        _run("linear_regression", estimator="ridge", alpha=3.0, fit_intercept=True),
        _run("decision_tree", estimator="tree_regressor", max_depth=4),
        _run("linear_regression", estimator="lasso", alpha=0.5, fit_intercept=False),
        _run("decision_tree", estimator="tree_classifier", max_depth=2),  # classes
    ]
    setting = last_setting(linear, "regression", history)
    assert setting.source == "history" and setting.estimator_id == "lasso"
    assert setting.values["alpha"] == 0.5 and setting.values["fit_intercept"] is False
    # values the run did not record take the page's initial values
    assert setting.values["max_iter"] == 1000
    # a classification tree says nothing about a regression tree: the earlier run counts
    regression_tree = last_setting(tree, "regression", history)
    assert regression_tree.estimator_id == "tree_regressor"
    assert regression_tree.values["max_depth"] == 4
    assert last_setting(tree, "classification", history).values["max_depth"] == 2
    # no run: the page's start; a run whose value no longer passes its spec is skipped
    knn = get_family("nearest_neighbors")
    assert last_setting(knn, "regression", history).source == "initial"
    bad = [_run("nearest_neighbors", estimator="knn_regressor", n_neighbors=-3)]
    assert last_setting(knn, "regression", bad).values["n_neighbors"] == 5


def test_initial_setting_is_what_the_page_opens_on():
    tree = get_family("decision_tree")
    setting = initial_setting(tree, "regression")
    assert setting.estimator_id == "tree_regressor"
    assert setting.values["max_depth"] == 3  # the spec's start, not scikit-learn's None
    assert setting.source == "initial"


# --- refusals --------------------------------------------------------------------------
def test_a_family_that_cannot_fit_the_data_is_a_row_with_a_sentence():
    data = load_dataset("synthetic_regression", "regression")
    assert (data.y < 0).any()
    tree = get_family("decision_tree")
    poisson = FamilySetting(
        tree,
        "tree_regressor",
        {**initial_setting(tree, "regression").values, "criterion": "poisson"},
        "history",
    )
    rows = compare_families([poisson, initial_setting(tree, "regression")], data)
    assert rows[0].problem and "oisson" in rows[0].problem
    assert math.isnan(rows[0].test) and rows[0].n_learned is None
    assert rows[1].problem is None
    table = comparison_table(rows, "regression")
    assert table.loc[0, "note"] == rows[0].problem


def test_too_few_rows_for_the_neighbours_is_a_row_with_a_sentence():
    data = load_dataset("diabetes", "regression")
    small = replace(data, X=data.X.iloc[:12], y=data.y.iloc[:12])
    knn = get_family("nearest_neighbors")
    setting = FamilySetting(
        knn,
        "knn_regressor",
        {**initial_setting(knn, "regression").values, "n_neighbors": 50},
        "history",
    )
    (row,) = compare_families([setting], small)
    assert row.problem and "n_neighbors" in row.problem


def test_a_fitter_that_raises_becomes_a_row():
    linear = get_family("linear_regression")
    data = load_dataset("diabetes", "regression")

    def refuse(setting):
        raise FitError("Too slow for this page.")

    (row,) = compare_families([initial_setting(linear, "regression")], data, fitter=refuse)
    assert row.problem == "Too slow for this page."


# --- the complexity sweep --------------------------------------------------------------
def test_the_capacity_grid_follows_the_spec():
    ridge = capacity_spec(get_family("linear_regression"), "ridge")
    grid = capacity_grid(ridge)
    assert grid[0] == pytest.approx(1e-3) and grid[-1] == pytest.approx(1e3)
    assert np.allclose(np.diff(np.log10(grid)), 0.5)  # a log grid, half a decade apart
    assert capacity_spec(get_family("linear_regression"), "ols") is None  # no alpha
    depth = capacity_spec(get_family("decision_tree"), "tree_regressor")
    depths = capacity_grid(depth)
    assert depths[0] == 1 and depths[-1] == 100 and depths == sorted(set(depths))
    assert depths[:6] == [1, 2, 3, 5, 7, 10]  # geometric, whole numbers
    k = capacity_spec(get_family("nearest_neighbors"), "knn_regressor")
    ks = capacity_grid(k, max_value=80)
    assert ks[0] == 1 and ks[-1] == 80 and all(isinstance(v, int) for v in ks)


def _key(setting: FamilySetting, dataset, **changes) -> Setting:
    """The Setting of a family's values on a data set (fit_model's default split)."""
    values = {**setting.values, **changes}
    return Setting.on(dataset, setting.family.id, setting.estimator_id, values)


def test_the_plan_marks_or_adds_the_current_setting(diabetes):
    tree = get_family("decision_tree")
    start = initial_setting(tree, "regression")
    plan = sweep_plan(tree, _key(start, diabetes, max_depth=None), 200)
    assert plan.current == len(plan.grid) - 1 and plan.grid[-1] is None
    assert plan.param == "max_depth" and plan.capacity
    linear = initial_setting(get_family("linear_regression"), "regression")  # alpha 1
    plan = sweep_plan(linear.family, _key(linear, diabetes))
    assert plan.grid[plan.current] == pytest.approx(1.0) and len(plan.grid) == 13
    sgd = initial_setting(get_family("gradient_descent"), "regression")
    plan = sweep_plan(sgd.family, _key(sgd, diabetes))
    # no capacity: the current setting alone, swept over a value it already has
    assert not plan.capacity and plan.current == 0 and len(plan.grid) == 1
    assert plan.grid[0] == sgd.values[plan.param]


def test_the_sweeps_points_equal_independent_refits(diabetes):
    family = get_family("linear_regression")
    setting = initial_setting(family, "regression")
    table = capacity_sweep(family, _key(setting, diabetes), diabetes, n=5, folds=5)
    assert list(table["value"]) == pytest.approx([1e-3, 10**-1.5, 1.0, 10**1.5, 1e3])
    alphas = table["value"].to_numpy(dtype=float)
    train_rows = split_data(diabetes, 0.25, 0).train
    X = diabetes.X.iloc[train_rows].to_numpy(dtype=float)
    y = diabetes.y.iloc[train_rows].to_numpy(dtype=float)
    for _, point in table.iterrows():
        values = {**setting.values, "alpha": point["value"]}
        fit = fit_model(family, "ridge", values, diabetes)
        assert point["test"] == pytest.approx(fit.metrics.at["R²", "test"], rel=1e-9)
        assert point["train"] == pytest.approx(fit.metrics.at["R²", "train"], rel=1e-9)
        assert point["effective"] == pytest.approx(family.effective_parameters(fit, diabetes))
        # cross-validation by hand: scaler and ridge refitted in each of 5 unshuffled folds
        model = make_pipeline(StandardScaler(), Ridge(alpha=point["value"]))
        scores = cross_val_score(model, X, y, cv=KFold(5), scoring="r2")
        assert point["cv_mean"] == pytest.approx(scores.mean(), rel=1e-9)
        assert point["cv_std"] == pytest.approx(scores.std(), rel=1e-9)
    # one validation curve over the whole grid gives the same numbers as point by point
    curve = validation_curve_table(family, "ridge", setting.values, diabetes, "alpha", alphas)
    np.testing.assert_allclose(curve["cv_mean"], table["cv_mean"], rtol=1e-12)
    assert table["current"].sum() == 1
    assert table.loc[table["current"], "value"].item() == pytest.approx(1.0)


def test_a_tree_sweeps_leaves_and_a_neighbour_sweep_rows_over_k(diabetes):
    tree = initial_setting(get_family("decision_tree"), "regression")
    table = capacity_sweep(tree.family, _key(tree, diabetes), diabetes, n=5)
    for _, point in table.iterrows():
        fit = fit_model(
            tree.family, "tree_regressor", {**tree.values, "max_depth": point["value"]}, diabetes
        )
        assert point["effective"] == fit.model.get_n_leaves()
    knn = initial_setting(get_family("nearest_neighbors"), "regression")
    table = capacity_sweep(knn.family, _key(knn, diabetes), diabetes, n=5)
    n_train = len(split_data(diabetes, 0.25, 0).train)
    np.testing.assert_allclose(table["effective"], n_train / table["value"].astype(float))
    assert table["value"].max() <= fold_rows(n_train, 5)  # every fold can find k rows
    assert table["cv_mean"].notna().all()


def test_a_classification_tree_sweep_equals_direct_scikit_learn_fits():
    """Through the one sweep engine: each depth's test accuracy and stratified 5-fold
    score equal a DecisionTreeClassifier's fitted by hand (no scaling, the page's start)."""
    iris = load_dataset("iris", "classification")
    tree = initial_setting(get_family("decision_tree"), "classification")
    key = Setting.on(iris, "decision_tree", tree.estimator_id, tree.values, scale=False)
    table = capacity_sweep(tree.family, key, iris, n=5)
    split = split_data(iris, 0.25, 0)
    X_train, y_train = split.train_rows(iris)
    X_test, y_test = split.test_rows(iris)
    for _, point in table.iterrows():
        model = DecisionTreeClassifier(max_depth=point["value"], random_state=0)
        assert point["test"] == model.fit(X_train, y_train).score(X_test, y_test)
        assert point["effective"] == model.get_n_leaves()
        scores = cross_val_score(
            model, X_train.to_numpy(), y_train.to_numpy(), cv=StratifiedKFold(5)
        )
        assert point["cv_mean"] == pytest.approx(scores.mean(), rel=1e-12)
        assert point["cv_std"] == pytest.approx(scores.std(), rel=1e-12)


def test_a_point_that_cannot_be_cross_validated_says_why(diabetes):
    knn = initial_setting(get_family("nearest_neighbors"), "regression")
    n_train = len(split_data(diabetes, 0.25, 0).train)
    # enough rows for the page's fit, too many for a fold's
    (result,) = capacity_points(
        knn.family, _key(knn, diabetes), diabetes, "n_neighbors", [n_train - 5], folds=5
    )
    assert math.isfinite(result["test"]) and math.isnan(result["cv_mean"])
    assert "not cross-validated" in result["note"] and "n_neighbors" in result["note"]


def test_the_sweeps_estimate_is_the_engines(diabetes):
    knn = initial_setting(get_family("nearest_neighbors"), "regression")
    key = _key(knn, diabetes)
    plan = sweep_plan(knn.family, key, 100, 5)
    seconds = capacity_sweep_seconds(knn.family, key, diabetes, plan, 5, fit_seconds=0.01)
    engine = sweep_seconds(knn.family, key, diabetes, "n_neighbors", plan.grid, cv=5)
    assert seconds == engine > 0
    # without an estimate of its own, the engine scales the measured fit: one fit and five
    # on four fifths of the rows per value, scored
    linear = initial_setting(get_family("linear_regression"), "regression")
    key = _key(linear, diabetes)
    plan = sweep_plan(linear.family, key, None, 5)
    seconds = capacity_sweep_seconds(linear.family, key, diabetes, plan, 5, fit_seconds=0.01)
    assert seconds == pytest.approx(len(plan.grid) * 0.01 * 1.2 * 5)


# --- estimating the current fits ------------------------------------------------------
def test_a_familys_own_estimate_is_used_and_a_refused_setting_costs_nothing(diabetes):
    knn = initial_setting(get_family("nearest_neighbors"), "regression")
    key = _key(knn, diabetes)
    X_train, y_train = split_data(diabetes, 0.25, 0).train_rows(diabetes)
    own = knn.family.estimate_seconds("knn_regressor", knn.values, X_train, y_train)
    assert estimate_fit_seconds(knn.family, key, diabetes) == own > 0
    too_many = _key(knn, diabetes, n_neighbors=len(y_train) + 1)  # the family's check
    assert estimate_fit_seconds(knn.family, too_many, diabetes) == 0.0
    tree = initial_setting(get_family("decision_tree"), "regression")
    data = load_dataset("synthetic_regression", "regression")
    poisson = _key(tree, data, criterion="poisson")  # negative targets
    assert estimate_fit_seconds(tree.family, poisson, data) == 0.0


def test_pilots_fit_growing_samples_with_every_class(monkeypatch):
    """The estimate of a family without its own fits samples of the training rows through
    fit_model: 1,000 rows first, then four times as many, each with a class of three rows
    among 20,000."""
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(20_000, 4)), columns=list("abcd"))
    y = pd.Series(np.where(X["a"] > 0, "up", "down"), name="y")
    y.iloc[[5, 500, 5000]] = "rare"
    data = replace(load_dataset("iris", "classification"), X=X, y=y, name="rare")
    seen: list[tuple[int, set[str]]] = []
    real = core.comparison.fit_model

    def spy(family, estimator_id, values, sample, **kwargs):
        seen.append((len(sample.y), set(sample.y)))
        return real(family, estimator_id, values, sample, **kwargs)

    monkeypatch.setattr(core.comparison, "fit_model", spy)
    logistic = initial_setting(get_family("logistic_regression"), "classification")
    seconds = estimate_fit_seconds(logistic.family, _key(logistic, data), data)
    assert 0 < seconds < math.inf
    sizes = [n for n, _ in seen]
    n_train = len(split_data(data, 0.25, 0).train)
    assert sizes[:2] == [PILOT_ROWS, PILOT_ROWS]  # the first size twice: a warm-up
    grown = [min(PILOT_ROWS * PILOT_GROWTH**k, n_train) for k in range(1, len(sizes) - 1)]
    assert sizes[2:] == grown  # how far it grows depends on the machine's speed
    assert all(classes == {"up", "down", "rare"} for _, classes in seen)


def test_a_fits_fixed_cost_is_not_scaled_up_with_the_rows():
    line = core.comparison._line
    assert line([1000, 4000], [0.02, 0.02], 150_000) == 0.02  # all fixed cost
    assert line([1000, 4000], [0.02, 0.05], 10_000) == pytest.approx(0.11)  # 10 µs a row
    assert line([1000], [0.02], 4000) == pytest.approx(0.08)  # one size: scaled


def test_cv_folds_respect_the_smallest_class():
    iris = load_dataset("iris", "classification")
    assert cv_folds(iris, 0.25, 0) == 5
    assert cv_folds(iris, 0.25, 0, most=10) == 10
    # 5 setosa, 50 versicolor, 5 virginica: a fold needs one of each class
    small = replace(iris, X=iris.X.iloc[45:105], y=iris.y.iloc[45:105])
    train = small.y.iloc[split_data(small, 0.25, 0).train]
    assert cv_folds(small, 0.25, 0) == train.value_counts().min() < 5


@pytest.fixture(scope="module")
def iris_sweep():
    iris = load_dataset("iris", "classification")
    settings = [
        initial_setting(f, "classification") for f in families_for("classification", FAMILIES)
    ]
    frames = [capacity_sweep(s.family, _key(s, iris), iris, n=5) for s in settings]
    return iris, settings, pd.concat(frames, ignore_index=True)


def test_the_best_family_has_the_highest_cross_validated_score(iris_sweep):
    _, settings, table = iris_sweep
    assert set(table["family_id"]) == {s.family.id for s in settings}
    top = table.loc[table["cv_mean"].idxmax()]
    assert best_family(table) == top["family_id"]
    best = best_points(table)
    assert best.iloc[0]["cv_mean"] == table["cv_mean"].max()
    assert list(best["cv_mean"]) == sorted(best["cv_mean"], reverse=True)
    assert best_family(table, "test") == table.loc[table["test"].idxmax(), "family_id"]
    sentences = complexity_sentences(table, "classification", 38)
    assert sentences[0].startswith(
        f"By cross-validation on the training rows, {get_family(top['family_id']).title} does best"
    )
    assert f"{top['cv_mean']:.3f}" in sentences[0]


def test_the_reading_names_the_winner_and_how_close_simpler_ones_come():
    rows = [
        # family, value, effective, test, cv mean, cv sd
        ("big", 1.0, 100.0, 0.80, 0.90, 0.02),
        ("big", 2.0, 50.0, 0.82, 0.85, 0.02),
        ("small", 1, 5.0, 0.86, 0.89, 0.05),
        ("tiny", 1, 2.0, 0.70, 0.70, 0.05),
    ]
    table = sweep_table(
        [
            {
                "family_id": f,
                "family": f.title(),
                "estimator": "e",
                "param": "p",
                "value": v,
                "effective": e,
                "train": 1.0,
                "test": t,
                "cv_mean": m,
                "cv_std": s,
                "current": False,
                "note": "",
            }
            for f, v, e, t, m, s in rows
        ]
    )
    assert best_family(table) == "big" and best_family(table, "test") == "small"
    text = " ".join(complexity_sentences(table, "regression", 50))
    assert "Big does best: R² 0.900 ± 0.020 at p = 1, with 100 effective parameters" in text
    assert "Small is simpler at its best: R² 0.890 with 5 effective parameters" in text
    assert "0.010 below (within one fold-to-fold standard deviation" in text
    assert "Tiny is simpler at its best: R² 0.700 with 2 effective parameters" in text
    assert "a real gap" in text
    assert "The test rows (50 rows) pick Small instead" in text


# --- the figure ------------------------------------------------------------------------
def test_the_figure_has_one_legend_entry_per_family_and_marks_each_setting(iris_sweep):
    _, settings, table = iris_sweep
    figure = complexity_figure(table, "accuracy", [f.id for f in FAMILIES])
    legend = [t for t in figure.data if t.showlegend is not False]
    assert [t.name for t in legend] == [s.family.title for s in settings]
    for setting in settings:
        points = table[table["family_id"] == setting.family.id].sort_values(
            ["effective", "current"], kind="stable"
        )
        (line,) = [t for t in legend if t.name == setting.family.title]
        np.testing.assert_allclose(line.x, points["effective"])
        np.testing.assert_allclose(line.y, points["cv_mean"])
        (test,) = [t for t in figure.data if t.name == f"{setting.family.title}: test"]
        np.testing.assert_allclose(test.y, points["test"])
        (star,) = [t for t in figure.data if t.name == f"{setting.family.title}: your setting"]
        current = points[points["current"]].iloc[0]
        assert list(star.x) == [current["effective"]] * 2
        assert list(star.y) == pytest.approx([current["cv_mean"], current["test"]])
    colours = {t.line.color for t in legend}
    assert len(colours) == len(legend)
    assert figure.layout.xaxis.type == "log"
