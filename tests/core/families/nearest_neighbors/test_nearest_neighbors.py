"""The nearest-neighbours family: nothing learned, what is stored, one row's neighbours and
vote, the validation curve over k, search algorithms that change speed only, and regions."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import get_scorer
from sklearn.model_selection import (
    KFold,
    LeaveOneOut,
    StratifiedKFold,
    cross_val_score,
    validation_curve,
)
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

from core.data.prepare import load_dataset
from core.data.tables import Dataset
from core.families.nearest_neighbors import cost as knn_cost
from core.families.nearest_neighbors import figures as knn_figures
from core.families.nearest_neighbors import k_curve, speed
from core.families.nearest_neighbors import regions as knn_regions
from core.families.nearest_neighbors import stored as knn_stored
from core.families.nearest_neighbors.family import (
    FAMILY,
    extract,
    interpret,
    resolve_neighbors,
    setting_problem,
)
from core.fitting import fit_model
from core.setting import Setting
from core.sweep_diagnosis import best_value
from core.sweeps import sweep_seconds, validation_curve_table


@pytest.fixture(scope="module")
def iris():
    return load_dataset("iris", "classification")


@pytest.fixture(scope="module")
def iris_fit(iris):
    return fit_model(FAMILY, "knn_classifier", {}, iris)


@pytest.fixture(scope="module")
def small_iris(iris):
    """Every third iris row: leave-one-out on it is quick."""
    return Dataset("small iris", "classification", iris.X.iloc[::3], iris.y.iloc[::3], "")


@pytest.fixture(scope="module")
def diabetes_fit(diabetes):
    return fit_model(FAMILY, "knn_regressor", {"n_neighbors": 3}, diabetes, scale=False)


def setting_of(fit, dataset, scale=True):
    """The Setting of a test's fit (its resolved values, the data set, the default split)."""
    return Setting.on(dataset, fit.family_id, fit.estimator_id, fit.hyperparameters, scale=scale)


# --- specs -----------------------------------------------------------------------------------
def test_defaults_are_scikit_learns_and_search_settings_are_optimizer_only():
    for estimator in FAMILY.estimators:
        sk_defaults = estimator.estimator().get_params()
        for spec in FAMILY.hyperparameters_for(estimator.id):
            assert sk_defaults[spec.name] == spec.default, (estimator.id, spec.name)
    roles = {s.name: s.role for s in FAMILY.hyperparameters}
    assert roles["algorithm"] == roles["leaf_size"] == "optimizer"
    assert roles["n_neighbors"] == roles["weights"] == roles["metric"] == "model"
    assert FAMILY.resampled_terms is None and FAMILY.default_dataset == "iris"


def test_p_with_another_metric_is_a_sentence_not_silently_ignored():
    # scikit-learn ignores p unless the metric is minkowski: the model below is euclidean.
    ignored = KNeighborsClassifier(metric="manhattan", p=3).fit([[0.0], [1.0]], [0, 1])
    assert ignored.effective_metric_ == "manhattan"
    with pytest.raises(ValueError, match="p = 3 is the power of the Minkowski distance"):
        resolve_neighbors({"metric": "manhattan", "p": 3.0})
    assert resolve_neighbors({"metric": "manhattan", "p": 2.0})["metric"] == "manhattan"
    assert resolve_neighbors({"metric": "minkowski", "p": 1.5})["p"] == 1.5


def test_every_offered_metric_and_search_fits_without_warnings(iris):
    names = {s.name: s for s in FAMILY.hyperparameters}
    estimator = FAMILY.get_estimator("knn_classifier")
    for metric in names["metric"].choices:
        for algorithm in names["algorithm"].choices:
            p = 1.5 if metric == "minkowski" else 2.0
            values = {"metric": metric, "algorithm": algorithm, "p": p}
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                model = estimator.make(values).fit(iris.X.to_numpy(), iris.y)
                model.predict(iris.X.to_numpy()[:5])
            assert caught == [] and model.effective_metric_ in (metric, "minkowski")


def test_n_neighbors_beyond_the_training_rows_is_a_sentence(iris):
    n_train = 112  # 150 rows, a quarter held out
    assert (
        setting_problem("knn_classifier", {"n_neighbors": n_train}, None, iris.y[:n_train]) is None
    )
    text = setting_problem("knn_classifier", {"n_neighbors": 200}, None, iris.y[:n_train])
    assert text.startswith("n_neighbors is 200, but there are only 112 training rows")
    # scikit-learn fits such a model and refuses only when it predicts.
    model = KNeighborsClassifier(n_neighbors=200).fit(iris.X[:n_train], iris.y[:n_train])
    with pytest.raises(ValueError, match="Expected n_neighbors <= n_samples_fit"):
        model.predict(iris.X[:1])


# --- nothing learned; the data stored --------------------------------------------------------
def test_extract_learns_nothing_and_measures_the_stored_rows(iris_fit, iris):
    learned = extract(iris_fit)
    assert learned.groups == () and learned.n_parameters == 0
    model = iris_fit.model
    X_train, _ = iris_fit.split.train_rows(iris)
    np.testing.assert_array_equal(model._fit_X, iris_fit.pipeline[:-1].transform(X_train))
    stored = learned.stored
    assert (stored.n_rows, stored.n_features) == (112, 4) and stored.n_values == 448
    assert stored.n_bytes == model._fit_X.nbytes + model._y.nbytes
    assert learned.headline() == "no learned parameters; stores 448 values"
    assert learned.detail.search == model._fit_method
    assert learned.detail.effective_metric == "euclidean"


@pytest.mark.parametrize("test_size", [0.0, 0.25])
def test_the_stored_matrix_is_never_the_users_frame(iris, test_size):
    fit = fit_model(FAMILY, "knn_classifier", {}, iris, scale=False, test_size=test_size)
    assert not np.shares_memory(fit.model._fit_X, iris.X.to_numpy())
    np.testing.assert_array_equal(fit.model._fit_X, iris.X.to_numpy()[fit.split.train])


def test_parametric_count_is_what_the_parametric_models_learn(iris, diabetes):
    multinomial = LogisticRegression(max_iter=2000).fit(iris.X, iris.y)
    count = knn_stored.parametric_count(4, 3)
    assert count.count == multinomial.coef_.size + multinomial.intercept_.size == 15
    binary_y = iris.y == "setosa"
    binary = LogisticRegression(max_iter=2000).fit(iris.X, binary_y)
    assert (
        knn_stored.parametric_count(4, 2).count == binary.coef_.size + binary.intercept_.size == 5
    )
    linear = LinearRegression().fit(diabetes.X, diabetes.y)
    assert (
        knn_stored.parametric_count(10).count
        == linear.coef_.size + np.size(linear.intercept_)
        == 11
    )


def test_script_lines_agree_with_extract(iris_fit, iris):
    X_train, y_train = iris_fit.split.train_rows(iris)
    namespace = {
        "pipeline": iris_fit.pipeline,
        "model": iris_fit.model,
        "X_train": X_train,
        "y_train": y_train,
        "SCALE": True,
        "feature_names": list(iris_fit.feature_names),
    }
    exec(FAMILY.script_parameters, namespace)
    assert namespace["learned"] == {}
    stored = extract(iris_fit).stored
    assert namespace["stored"] == {"n_rows": stored.n_rows, "n_features": stored.n_features}


# --- one row's neighbours --------------------------------------------------------------------
@pytest.mark.parametrize("weights", ["uniform", "distance"])
def test_neighbours_are_kneighbors_and_their_vote_is_the_prediction(iris, weights):
    fit = fit_model(FAMILY, "knn_classifier", {"n_neighbors": 7, "weights": weights}, iris)
    for position in list(fit.split.test[:6]) + list(fit.split.train[:3]):
        vote = knn_stored.neighbor_vote(fit, iris, int(position))
        query = fit.pipeline[:-1].transform(iris.X.iloc[[position]])
        distances, indices = fit.model.kneighbors(query)
        np.testing.assert_array_equal(vote.neighbors["distance"], distances[0])
        np.testing.assert_array_equal(vote.neighbors["train_index"], indices[0])
        np.testing.assert_array_equal(vote.neighbors["row"], fit.split.train[indices[0]])
        assert list(vote.neighbors["target"]) == list(iris.y.iloc[fit.split.train[indices[0]]])
        proba = fit.pipeline.predict_proba(iris.X.iloc[[position]])[0]
        np.testing.assert_allclose(vote.votes["share"], proba, rtol=0, atol=1e-12)
        assert vote.prediction == fit.pipeline.predict(iris.X.iloc[[position]])[0]
        assert vote.is_training_row == (position in fit.split.train)


def test_a_training_row_is_its_own_nearest_neighbour_and_decides_alone_by_distance(iris):
    fit = fit_model(FAMILY, "knn_classifier", {"weights": "distance"}, iris)
    position = int(fit.split.train[10])
    vote = knn_stored.neighbor_vote(fit, iris, position)
    first = vote.neighbors.iloc[0]
    assert first["row"] == position and first["distance"] == 0.0
    assert list(vote.neighbors["weight"]) == [1.0, 0.0, 0.0, 0.0, 0.0]
    assert vote.prediction == iris.y.iloc[position]


def test_regression_prediction_is_the_weighted_mean_of_the_neighbours(diabetes):
    fit = fit_model(FAMILY, "knn_regressor", {"n_neighbors": 4, "weights": "distance"}, diabetes)
    for position in fit.split.test[:5]:
        vote = knn_stored.neighbor_vote(fit, diabetes, int(position))
        distances = vote.neighbors["distance"].to_numpy()
        expected = np.sum(vote.neighbors["target"] / distances) / np.sum(1 / distances)
        assert vote.votes is None
        assert vote.prediction == pytest.approx(expected, rel=1e-12)
        predicted = fit.pipeline.predict(diabetes.X.iloc[[position]])[0]
        assert vote.prediction == pytest.approx(predicted, rel=1e-12)


# --- the validation curve ----------------------------------------------------------------------
def test_leave_one_out_curve_is_scikit_learns_cross_validation(small_iris):
    fit = fit_model(FAMILY, "knn_classifier", {}, small_iris)
    n = len(fit.split.train)
    setting = setting_of(fit, small_iris)
    curve = k_curve.k_validation_curve(fit, small_iris, setting, ks=[1, 5, 200], cv="auto")
    assert curve.cv.startswith(f"leave-one-out ({n} folds")
    assert list(curve.table["n_neighbors"]) == [1, 5]  # 200 exceeds a fold's rows
    X_train, y_train = fit.split.train_rows(small_iris)
    for _, row in curve.table.iterrows():
        pipeline = clone(fit.pipeline).set_params(model__n_neighbors=int(row["n_neighbors"]))
        scores = cross_val_score(pipeline, X_train.to_numpy(), y_train, cv=LeaveOneOut())
        assert row["validation"] == pytest.approx(scores.mean(), abs=1e-12)
    at_five = curve.table.set_index("n_neighbors").loc[5]
    assert at_five["train"] == pytest.approx(fit.metrics.loc["accuracy", "train"], abs=1e-12)
    assert curve.table["train"].iloc[0] == 1.0  # k = 1: each row is its own neighbour
    assert curve.best in (1, 5) and curve.score == "accuracy"


def test_auto_uses_leave_one_out_only_on_small_data(diabetes_fit, diabetes):
    setting = setting_of(diabetes_fit, diabetes, scale=False)
    curve = k_curve.k_validation_curve(diabetes_fit, diabetes, setting, ks=[3])
    assert curve.cv == "5-fold cross-validation"
    few = Dataset("few", "regression", diabetes.X.iloc[:40], diabetes.y.iloc[:40], "")
    fit = fit_model(FAMILY, "knn_regressor", {}, few)
    curve = k_curve.k_validation_curve(fit, few, setting_of(fit, few), ks=[3])
    assert curve.cv.startswith("leave-one-out (30 folds")
    assert k_curve.choose_cv(30, k_curve.LOO_MAX_FITS // 30) == "loo"
    assert k_curve.choose_cv(30, k_curve.LOO_MAX_FITS // 30 + 1) == k_curve.KFOLD
    assert k_curve.choose_cv(k_curve.LOO_MAX_ROWS + 1, 1) == k_curve.KFOLD


def test_regression_leave_one_out_r2_is_built_from_the_held_out_errors(diabetes):
    small = Dataset("small", "regression", diabetes.X.iloc[:80], diabetes.y.iloc[:80], "")
    fit = fit_model(FAMILY, "knn_regressor", {}, small)
    curve = k_curve.k_validation_curve(fit, small, setting_of(fit, small), ks=[3], cv="auto")
    assert curve.cv.startswith("leave-one-out (60 folds")
    X_train, y_train = fit.split.train_rows(small)
    mse = -cross_val_score(
        clone(fit.pipeline).set_params(model__n_neighbors=3),
        X_train.to_numpy(),
        y_train,
        cv=LeaveOneOut(),
        scoring="neg_mean_squared_error",
    ).mean()
    y = y_train.to_numpy()
    expected = 1 - len(y) * mse / np.sum((y - y.mean()) ** 2)
    assert curve.table["validation"].iloc[0] == pytest.approx(expected, rel=1e-10)
    assert curve.score == "R²"


def test_k_fold_curve_matches_cross_val_score_and_defaults_to_bounded_ks(iris_fit, iris):
    curve = k_curve.k_validation_curve(iris_fit, iris, setting_of(iris_fit, iris), cv=5)
    ks = list(curve.table["n_neighbors"])
    assert ks == sorted(ks) and ks[0] == 1 and 5 in ks and len(ks) <= k_curve.CURVE_POINTS + 1
    assert max(ks) <= 112 - 23  # the smallest training fold
    X_train, y_train = iris_fit.split.train_rows(iris)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    pipeline = clone(iris_fit.pipeline)
    scores = cross_val_score(
        pipeline.set_params(model__n_neighbors=ks[2]), X_train.to_numpy(), y_train, cv=folds
    )
    row = curve.table.iloc[2]
    assert row["validation"] == pytest.approx(scores.mean(), abs=1e-12)
    assert row["validation_sd"] == pytest.approx(scores.std(), abs=1e-12)
    fig = knn_figures.k_curve_figure(curve, current=5)
    assert list(fig.data[1].y) == list(curve.table["validation"])


@pytest.mark.parametrize(
    ("name", "task", "estimator"),
    [("iris", "classification", "knn_classifier"), ("diabetes", "regression", "knn_regressor")],
)
def test_k_fold_curve_is_scikit_learns_validation_curve_with_the_sweeps_best_k(
    name, task, estimator
):
    """Every number of the k-fold curve is scikit-learn's own on the same shuffled folds,
    and its best k is the one the Sweeps tab reads off its own table on those folds."""
    data = load_dataset(name, task)
    fit = fit_model(FAMILY, estimator, {}, data)
    curve = k_curve.k_validation_curve(fit, data, setting_of(fit, data), cv=5)
    ks = curve.table["n_neighbors"].tolist()
    X_frame, y_frame = fit.split.train_rows(data)
    X_train, y_train = X_frame.to_numpy(dtype=float), y_frame.to_numpy()
    kind = StratifiedKFold if task == "classification" else KFold
    folds = kind(n_splits=5, shuffle=True, random_state=0)
    scorer = "accuracy" if task == "classification" else "r2"
    _, held_out = validation_curve(
        clone(fit.pipeline),
        X_train,
        y_train,
        param_name="model__n_neighbors",
        param_range=ks,
        cv=folds,
        scoring=scorer,
    )
    np.testing.assert_allclose(curve.table["validation"], held_out.mean(axis=1), rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        curve.table["validation_sd"], held_out.std(axis=1), rtol=0, atol=1e-12
    )
    for k, train in zip(ks, curve.table["train"], strict=True):
        refit = clone(fit.pipeline).set_params(model__n_neighbors=k).fit(X_train, y_train)
        assert train == pytest.approx(get_scorer(scorer)(refit, X_train, y_train), abs=1e-12)
    sweeps_table = validation_curve_table(
        FAMILY, estimator, fit.hyperparameters, data, "n_neighbors", ks, cv=folds
    )
    np.testing.assert_allclose(sweeps_table["cv_mean"], curve.table["validation"], atol=1e-12)
    assert curve.best == best_value(sweeps_table)


def test_every_k_of_the_curve_is_one_point_of_the_sweep_engine(iris_fit, iris, monkeypatch):
    calls = []
    engine = k_curve.sweep

    def spy(family, setting, dataset, parameter, grid, **kwargs):
        calls.append((family.id, setting, parameter, list(grid), kwargs["cv"]))
        return engine(family, setting, dataset, parameter, grid, **kwargs)

    monkeypatch.setattr(k_curve, "sweep", spy)
    done = []
    curve = k_curve.k_validation_curve(
        iris_fit,
        iris,
        setting_of(iris_fit, iris),
        ks=[1, 5, 9],
        cv=3,
        progress=lambda *a: done.append(a),
    )
    ((family_id, setting, parameter, grid, folds),) = calls
    assert (family_id, parameter, grid) == ("nearest_neighbors", "n_neighbors", [1, 5, 9])
    assert setting.values == iris_fit.hyperparameters and folds.get_n_splits() == 3
    assert done == [(1, 3), (2, 3), (3, 3)]
    assert curve.table["n_neighbors"].tolist() == [1, 5, 9]


def test_the_curve_estimate_is_the_engines_plus_one_fit_per_left_out_row(small_iris):
    fit = fit_model(FAMILY, "knn_classifier", {}, small_iris)
    setting = setting_of(fit, small_iris)
    plan = k_curve.k_curve_plan(fit, small_iris, [1, 5], "loo")
    n = len(fit.split.train)
    assert (plan.ks, plan.n_folds, plan.fold_rows) == ((1, 5), n, n - 1)
    engine = sweep_seconds(FAMILY, setting, small_iris, "n_neighbors", [1, 5])
    folds = 2 * n * knn_cost.FIT_OVERHEAD
    seconds = k_curve.curve_seconds(fit, small_iris, setting, plan)
    assert engine + folds < seconds < engine + 1.01 * folds  # + predicting one row each
    k_fold = k_curve.k_curve_plan(fit, small_iris, [1, 5], 3)
    assert k_curve.curve_seconds(fit, small_iris, setting, k_fold) == pytest.approx(
        sweep_seconds(FAMILY, setting, small_iris, "n_neighbors", [1, 5], cv=3)
    )


def test_default_ks_are_geometric_bounded_and_include_the_current_k():
    ks = k_curve.default_ks(500, current=37)
    assert ks[0] == 1 and max(ks) == k_curve.CURVE_MAX_K and 37 in ks
    assert k_curve.default_ks(3) == [1, 2, 3]


# --- algorithm and leaf_size change speed only -------------------------------------------------
def test_every_search_finds_the_same_neighbours_and_predictions(iris_fit, iris):
    table = speed.algorithm_comparison(iris_fit, iris, leaf_sizes=(2, 100), repeats=1)
    assert set(table["algorithm"]) == set(speed.ALGORITHMS)
    assert len(table) == len(speed.ALGORITHMS) + 4  # two more leaf sizes for each tree search
    assert table["same_answer"].all()
    assert (table["max_distance_difference"] <= 1e-12).all()
    assert (table["differing_untied"] == 0).all()
    explicit = table[table["algorithm"] != "auto"]
    assert list(explicit["used"]) == list(explicit["algorithm"])
    assert (table["fit_ms"] > 0).all() and (table["query_ms"] > 0).all()


@pytest.mark.parametrize(("repeat_seconds", "runs"), [(0.0, 1), (math.inf, 3)])
def test_a_search_longer_than_the_repeat_limit_runs_once(
    iris_fit, iris, monkeypatch, repeat_seconds, runs
):
    fits = []
    original = KNeighborsClassifier.fit
    monkeypatch.setattr(
        KNeighborsClassifier, "fit", lambda self, *a, **k: fits.append(1) or original(self, *a, **k)
    )
    monkeypatch.setattr(speed, "REPEAT_SECONDS", repeat_seconds)
    done = []
    table = speed.algorithm_comparison(
        iris_fit, iris, leaf_sizes=(2,), repeats=3, progress=lambda *a: done.append(a)
    )
    searches = speed.searches(iris_fit, (2,))  # brute force first, then 4 + 2
    assert searches[0] == ("brute", 30) and len(searches) == len(table) + 1 == 7
    assert done == [(i, 7) for i in range(1, 8)]
    assert len(fits) == runs * 7


def test_the_speed_estimate_adds_each_searchs_runs(iris_fit, iris):
    searches = speed.searches(iris_fit, (5, 100))
    runs = [speed.search_run_seconds(iris_fit, 4, a, leaf) for a, leaf in searches]
    assert all(run < speed.REPEAT_SECONDS for run in runs)  # short: three runs each
    reference = knn_cost.query_seconds(
        {**iris_fit.hyperparameters, "algorithm": "brute"}, 112, 4, 38
    )
    seconds = speed.comparison_seconds(iris_fit, iris, leaf_sizes=(5, 100))
    assert seconds == pytest.approx(3 * sum(runs) + reference)
    tree = {**iris_fit.hyperparameters, "algorithm": "kd_tree", "leaf_size": 5}
    assert speed.search_run_seconds(iris_fit, 4, "kd_tree", 5) == pytest.approx(
        knn_cost.FIT_OVERHEAD
        + knn_cost.index_seconds(tree, 112, 4)
        + 2 * knn_cost.query_seconds(tree, 112, 4, 38)  # kneighbors, then predict
    )


def test_ties_are_the_only_disagreements():
    """Duplicated rows with different labels tie at the same distance: which one is the
    k-th neighbour then depends on the search; the comparison flags those rows as tied."""
    rng = np.random.default_rng(0)
    base = rng.integers(0, 4, size=(40, 2)).astype(float)  # a coarse grid: many ties
    X = pd.DataFrame(np.vstack([base, base]), columns=["a", "b"])
    y = pd.Series(["x"] * 40 + ["y"] * 40, name="label")
    data = Dataset("ties", "classification", X, y, "")
    fit = fit_model(FAMILY, "knn_classifier", {"n_neighbors": 3}, data, scale=False)
    table = speed.algorithm_comparison(fit, data, repeats=1)
    assert (table["tied_rows"] > 0).all()
    assert (table["differing_untied"] == 0).all()
    assert (table["max_distance_difference"] == 0).all()


# --- regions -----------------------------------------------------------------------------------
def test_regions_are_real_refits_on_two_features(iris_fit, iris):
    features = ("petal length (cm)", "petal width (cm)")
    setting = setting_of(iris_fit, iris)
    regions = knn_regions.neighbor_regions(
        iris_fit, iris, setting, features, ks=(1, 15, 112, 500), grid=30
    )
    assert regions.ks == (1, 15, 112) and regions.skipped == (500,)
    assert regions.predictions.shape == (3, 30, 30)
    two = knn_regions.two_feature_data(iris, features)
    X_two, y_train = iris_fit.split.train_rows(two)
    pipeline = clone(iris_fit.pipeline).set_params(model__n_neighbors=15)
    pipeline.fit(X_two, y_train)
    j, i = 7, 22
    cell = pd.DataFrame({features[0]: [regions.x[j]], features[1]: [regions.y[i]]})
    predicted = pipeline.predict(cell)[0]
    assert regions.classes[int(regions.predictions[1, i, j])] == predicted
    # k = every training row: the majority class everywhere (ties go to the first class).
    assert len(np.unique(regions.predictions[2])) == 1
    assert regions.scores["train"].iloc[1] == pipeline.score(X_two, y_train)
    # Each k is the page's own fit on the two features: its scores, to the last digit.
    page_fit = fit_model(
        FAMILY, "knn_classifier", {**iris_fit.hyperparameters, "n_neighbors": 15}, two
    )
    assert (
        regions.scores.iloc[1][["train", "test"]].tolist()
        == page_fit.metrics.loc["accuracy", ["train", "test"]].tolist()
    )
    fig = knn_figures.regions_figure(regions, 1)
    assert np.array_equal(np.asarray(fig.data[0].z), regions.predictions[1])
    with pytest.raises(ValueError, match="two different features"):
        knn_regions.neighbor_regions(iris_fit, iris, setting, (features[0], features[0]), ks=(1,))


def test_the_regions_estimate_is_the_engines_and_the_grids_predictions(iris_fit, iris):
    features = ("petal length (cm)", "petal width (cm)")
    setting = setting_of(iris_fit, iris)
    two = knn_regions.two_feature_data(iris, features)
    seconds = knn_regions.regions_seconds(iris_fit, iris, setting, features, (1, 15, 500), grid=30)
    engine = sweep_seconds(FAMILY, setting, two, "n_neighbors", [1, 15])  # 500 is skipped
    grid = sum(
        knn_cost.query_seconds({**iris_fit.hyperparameters, "n_neighbors": k}, 112, 2, 900)
        for k in (1, 15)
    )
    assert seconds == pytest.approx(engine + grid)


# --- what the work costs -------------------------------------------------------------------------
@pytest.mark.parametrize("n_features", [2, 15, 16])
@pytest.mark.parametrize("values", [{}, {"n_neighbors": 25}, {"algorithm": "ball_tree"}])
def test_the_cost_model_resolves_auto_as_scikit_learn_does(n_features, values):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(50, n_features)), rng.normal(size=50)
    model = KNeighborsRegressor(**values).fit(X, y)
    assert knn_cost.search_used(values, 50, n_features) == model._fit_method


@pytest.mark.parametrize(
    "values",
    [{}, {"p": 1.0}, {"p": 1.5}, {"p": 20.0}]
    + [{"metric": m} for m in ("euclidean", "manhattan", "chebyshev")],
)
def test_the_cost_model_prices_the_distance_scikit_learn_computes(values):
    model = KNeighborsRegressor(**values).fit(np.eye(3), [0.0, 1.0, 2.0])
    kinds = {"euclidean": "euclidean", "manhattan": "absolute", "chebyshev": "absolute"}
    assert knn_cost.distance_kind(values) == kinds.get(model.effective_metric_, "power")


def test_issue_20s_slow_settings_are_estimated_slow():
    """Issue #20: on 3,750 stored rows × 50 features, p = 1.5 fitted for 32 s and
    ball_tree with leaf_size = 1 for 4.5 s where the defaults took 0.5 s; the old estimate
    (rows² × features) gave all three 0.4 s. Two features on many rows, where a kd tree
    prunes nearly every row, cost far less than brute force."""
    X, y = pd.DataFrame(np.zeros((3750, 50))), pd.Series(np.zeros(3750))

    def fit_seconds(**values):
        return knn_cost.search_seconds("knn_regressor", values, X, y)

    default = fit_seconds()
    assert 0.2 < default < 1.0
    assert fit_seconds(p=1.5) > 50 * default and fit_seconds(p=1.0) > 3 * default
    assert fit_seconds(algorithm="ball_tree", leaf_size=1) > 4.0 > 4 * default
    assert fit_seconds(algorithm="kd_tree", leaf_size=1) > fit_seconds(algorithm="kd_tree")
    classifier = knn_cost.search_seconds("knn_classifier", {}, X, y)  # predict, then proba
    assert classifier - knn_cost.FIT_OVERHEAD == pytest.approx(
        2 * (default - knn_cost.FIT_OVERHEAD)
    )
    wide = pd.DataFrame(np.zeros((150_000, 2)))
    brute = knn_cost.search_seconds("knn_regressor", {"algorithm": "brute"}, wide, y)
    assert knn_cost.search_seconds("knn_regressor", {}, wide, y) < brute / 100


def test_interpretation_states_nothing_learned_and_the_user_numbers(iris_fit, iris):
    learned = extract(iris_fit)
    sentences = interpret(iris_fit, iris, learned)
    text = " ".join(s.text for s in sentences)
    assert "learned nothing: 0 parameters" in text
    assert "112 training rows × 4 features (448 numbers" in text
    assert "LogisticRegression on the same data would learn 15 numbers" in text
    assert "n_neighbors = 5 is purely a hyperparameter" in text
    assert "5 of the 112 stored rows (4.5%)" in text
    assert "never which" in text


def test_interpretation_warns_of_unscaled_distances_and_of_k_1(diabetes_fit, diabetes):
    sentences = interpret(diabetes_fit, diabetes, extract(diabetes_fit))
    scale = next(s for s in sentences if "not standardised" in s.text)
    sd = diabetes_fit.feature_sd
    assert scale.level == "warning"
    assert f"a factor of {sd.max() / sd.min():,.0f}" in scale.text
    assert diabetes_fit.feature_names[int(np.argmax(sd))] in scale.text
    wine = load_dataset("wine", "classification")
    one = fit_model(FAMILY, "knn_classifier", {"n_neighbors": 1}, wine)
    texts = " ".join(s.text for s in interpret(one, wine, extract(one)))
    assert "its own nearest neighbour at distance 0" in texts
