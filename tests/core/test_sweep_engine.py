"""The one sweep engine (core.sweeps.sweep): scores equal scikit-learn's validation_curve on
the same folds, measures equal those read off independent fits, and its time estimate
counts prediction."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold, StratifiedKFold, validation_curve
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from core.data.prepare import load_dataset
from core.data.tables import Dataset
from core.fitting import split_data
from core.registry import get_family
from core.setting import Setting
from core.sweeps import SWEEP_COLUMNS, measure_columns, sweep, sweep_seconds

SETTINGS = {"scale": True, "test_size": 0.25, "seed": 0}


def setting(family: str, estimator: str, values: dict, dataset: Dataset) -> Setting:
    return Setting.on(dataset, family, estimator, values, **SETTINGS)


@pytest.fixture(scope="module")
def iris():
    return load_dataset("iris", "classification")


@pytest.fixture(scope="module")
def diabetes():
    return load_dataset("diabetes", "regression")


def train_rows(dataset):
    rows = split_data(dataset, SETTINGS["test_size"], SETTINGS["seed"])
    X, y = dataset.X.to_numpy(dtype=float), dataset.y.to_numpy()
    return X[rows.train], y[rows.train], X[rows.test], y[rows.test]


def test_tree_scores_equal_validation_curve_and_measures_equal_independent_fits(iris):
    depths = [1, 2, 3, 5]
    folds = StratifiedKFold(4)
    table = sweep(
        get_family("decision_tree"),
        setting("decision_tree", "tree_classifier", {"random_state": 0}, iris),
        iris,
        "max_depth",
        depths,
        cv=folds,
    )
    X, y, X_test, y_test = train_rows(iris)
    pipe = make_pipeline(StandardScaler(), DecisionTreeClassifier(random_state=0))
    train, test = validation_curve(
        pipe, X, y, param_name="decisiontreeclassifier__max_depth", param_range=depths, cv=folds
    )
    np.testing.assert_allclose(table["train_mean"], train.mean(axis=1), rtol=0, atol=1e-12)
    np.testing.assert_allclose(table["cv_mean"], test.mean(axis=1), rtol=0, atol=1e-12)
    np.testing.assert_allclose(table["cv_std"], test.std(axis=1), rtol=0, atol=1e-12)
    assert measure_columns(table) == ["splits", "leaves", "depth"]
    assert list(table.columns[: len(SWEEP_COLUMNS)]) == list(SWEEP_COLUMNS)
    scaler = StandardScaler().fit(X)
    for depth, row in zip(depths, table.itertuples(), strict=True):
        tree = DecisionTreeClassifier(max_depth=depth, random_state=0).fit(scaler.transform(X), y)
        assert row.leaves == tree.get_n_leaves() and row.depth == tree.get_depth()
        assert row.splits == tree.tree_.node_count - tree.get_n_leaves()
        assert row.train == pytest.approx(tree.score(scaler.transform(X), y), abs=1e-12)
        assert row.test == pytest.approx(tree.score(scaler.transform(X_test), y_test), abs=1e-12)


def test_linear_measures_are_coefficients_per_sd_and_unfolded_scores(diabetes):
    alphas = [0.1, 10.0]
    table = sweep(
        get_family("linear_regression"),
        setting("linear_regression", "ridge", {}, diabetes),
        diabetes,
        "alpha",
        alphas,
        cv=5,
    )
    X, y, _, _ = train_rows(diabetes)
    _, cv = validation_curve(
        make_pipeline(StandardScaler(), Ridge()),
        X,
        y,
        param_name="ridge__alpha",
        param_range=alphas,
        cv=KFold(5),
    )
    np.testing.assert_allclose(table["cv_mean"], cv.mean(axis=1), rtol=1e-12)
    names = list(map(str, diabetes.X.columns))
    assert measure_columns(table) == names
    for alpha, (_, row) in zip(alphas, table.iterrows(), strict=True):
        # Per SD of the feature: the coefficient on standardised features.
        model = Ridge(alpha=alpha).fit(StandardScaler().fit_transform(X), y)
        np.testing.assert_allclose(row[names].to_numpy(dtype=float), model.coef_, rtol=1e-9)


def test_network_measures_are_weight_norms_per_layer(iris):
    values = {"hidden_layer_sizes": (5, 3), "max_iter": 50, "random_state": 0}
    # 50 iterations do not converge: the engine records the warning per point.
    table = sweep(
        get_family("neural_network"),
        setting("neural_network", "mlp_classifier", values, iris),
        iris,
        "alpha",
        [1e-3, 1.0],
    )
    assert measure_columns(table) == [
        "input → hidden 1",
        "hidden 1 → hidden 2",
        "hidden 2 → output",
    ]
    X, y, _, _ = train_rows(iris)
    scaled = StandardScaler().fit_transform(X)
    for alpha, (_, row) in zip([1e-3, 1.0], table.iterrows(), strict=True):
        model = MLPClassifier((5, 3), alpha=alpha, max_iter=50, random_state=0)
        with pytest.warns(ConvergenceWarning):
            model.fit(scaled, y)
        norms = [np.linalg.norm(W) for W in model.coefs_]
        np.testing.assert_allclose(row[measure_columns(table)].to_numpy(dtype=float), norms)
        assert any("converge" in w for w in row["warnings"])
    assert table["cv_mean"].isna().all()  # no cv asked


def test_a_refused_value_keeps_its_reason_and_progress_is_reported(iris):
    calls = []
    table = sweep(
        get_family("nearest_neighbors"),
        setting("nearest_neighbors", "knn_classifier", {}, iris),
        iris,
        "n_neighbors",
        [3, 500],
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(1, 2), (2, 2)]
    assert table["note"].iloc[0] == "" and "500" in table["note"].iloc[1]
    assert np.isnan(table["train"].iloc[1])
    X, y, _, _ = train_rows(iris)
    assert table["rows per prediction"].iloc[0] == 3
    assert table["stored values"].iloc[0] == X.shape[0] * X.shape[1]
    knn = make_pipeline(StandardScaler(), KNeighborsClassifier(3)).fit(X, y)
    assert table["train"].iloc[0] == pytest.approx(knn.score(X, y), abs=1e-12)


def synthetic(n_rows: int) -> Dataset:
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(n_rows, 6)), columns=[f"x{i}" for i in range(6)])
    y = pd.Series(np.where(X["x0"] > 0, "a", "b"), name="y")
    return Dataset("synthetic", "classification", X, y, "random rows")


def test_knn_sweep_estimate_counts_prediction_growing_with_rows_squared():
    family = get_family("nearest_neighbors")
    small, large = synthetic(20_000), synthetic(40_000)
    seconds = [
        sweep_seconds(
            family,
            # Brute force compares every row with every row; a tree search scales below.
            setting("nearest_neighbors", "knn_classifier", {"algorithm": "brute"}, data),
            data,
            "n_neighbors",
            [1, 5, 25],
            cv=5,
        )
        for data in (small, large)
    ]
    # Twice the rows, four times the work: prediction compares every row with every row.
    assert seconds[1] / seconds[0] == pytest.approx(4.0, rel=0.01)
    assert seconds[0] > 10  # minutes of search on 15 000 training rows, not a fit's instant


def test_folds_that_cannot_be_scored_leave_a_reason_not_an_exception(iris):
    # 50 stratified folds need 50 rows of each class; iris's training rows hold about 37.
    table = sweep(
        get_family("nearest_neighbors"),
        setting("nearest_neighbors", "knn_classifier", {}, iris),
        iris,
        "n_neighbors",
        [3, 5],
        cv=50,
    )
    assert table["note"].str.contains("n_splits=50").all()
    assert table["cv_mean"].isna().all()
    # the refit on the page's split still scored each value
    assert table["train"].notna().all() and table["test"].notna().all()
