"""Data-set registry and the cleaning rules every table goes through."""

import numpy as np
import pandas as pd
import pytest

from core.data.catalogue import DATASETS
from core.data.prepare import load_dataset, load_table, make_dataset, target_candidates
from core.data.tables import DataError


@pytest.mark.parametrize("spec", DATASETS, ids=lambda s: s.id)
def test_every_registered_dataset_loads_clean(spec):
    data = load_dataset(spec.id, spec.task)
    assert len(data.X) == len(data.y) >= 16
    assert all(dtype == np.float64 for dtype in data.X.dtypes)
    assert not data.X.isna().any().any()
    if spec.task == "classification":
        assert 2 <= data.y.nunique() <= 20
    else:
        assert data.y.dtype == float


def test_known_shapes_and_raw_units():
    diabetes = load_dataset("diabetes", "regression")
    assert diabetes.X.shape == (442, 10)
    assert diabetes.X["age"].between(19, 79).all()  # years, not scikit-learn's scaled copy
    longley = load_dataset("longley", "regression")
    assert longley.X.shape == (16, 6) and longley.target == "TOTEMP"
    iris = load_dataset("iris", "classification")
    assert sorted(iris.y.unique()) == ["setosa", "versicolor", "virginica"]


def test_synthetic_regression_carries_make_regressions_true_coefficients():
    from sklearn.datasets import make_regression

    table = load_table("synthetic_regression", seed=3, n_features=4, n_informative=2)
    _, _, coef = make_regression(
        n_samples=200,
        n_features=4,
        n_informative=2,
        noise=10.0,
        bias=5.0,
        coef=True,
        random_state=3,
    )
    np.testing.assert_allclose(list(table.true_coef.values()), coef)
    assert sum(c != 0 for c in table.true_coef.values()) == 2
    data = load_dataset("synthetic_regression", "regression", seed=3, n_features=4, n_informative=2)
    assert data.true_coef is not None and data.true_intercept == 5.0


def test_synthetic_correlation_option_correlates_the_features():
    table = load_table("synthetic_regression", n_samples=2000, correlation=0.8)
    corr = table.frame.drop(columns="y").corr().to_numpy()
    off_diagonal = corr[~np.eye(len(corr), dtype=bool)]
    assert off_diagonal.mean() == pytest.approx(0.8, abs=0.05)


def test_generator_options_are_validated_with_a_sentence():
    with pytest.raises(DataError, match="Informative features"):
        load_table("synthetic_regression", n_features=2, n_informative=3)
    with pytest.raises(DataError, match="above the maximum"):
        load_table("synthetic_regression", n_samples=10**9)


def test_other_target_drops_true_coefficients():
    data = load_dataset("synthetic_regression", "regression", target="x1")
    assert data.true_coef is None and data.target == "x1" and "y" in data.X


def test_cleaning_rules_are_explained_in_notes():
    frame = pd.DataFrame(
        {
            "num": [1.0, 2.0, np.nan, 4.0, 5.0, 6.0],
            "empty": [np.nan] * 6,
            "const": [7] * 6,
            "colour": ["red", "blue", "red", "green", "blue", "red"],
            "id": [f"row{i}" for i in range(6)],
            "mostly_numbers": ["1", "2", "3", "4", "5", "n/a"],
            "target": [1.0, np.nan, 2.0, 2.5, 5.5, 6.0],
        }
    )
    # 6 distinct ids is under the category limit, so force the id column past it.
    frame = pd.concat([frame] * 5, ignore_index=True)
    frame["id"] = [f"row{i}" for i in range(len(frame))]
    frame.loc[0, "mostly_numbers"] = "7"
    data = make_dataset(frame, "target", "regression", name="t")
    notes = " ".join(data.notes)
    assert "Dropped 5 rows whose target" in notes
    assert "no values: empty" in notes
    assert "constant columns" in notes and "const" in notes
    assert "One-hot encoded text columns: colour (reference level 'blue')" in notes
    assert "more than 20 distinct values" in notes and "id" in notes
    assert "mostly_numbers" in notes
    assert "imputed with the training rows' median" in notes
    assert list(data.X.columns) == ["num", "colour=green", "colour=red", "mostly_numbers"]
    assert data.X["colour=red"].sum() == 3 * 5  # 3 reds in each of the 5 blocks
    assert len(data.y) == 25


@pytest.mark.parametrize(
    ("frame", "target", "task", "message"),
    [
        (pd.DataFrame({"a": [1, 2, 3], "y": [5, 5, 5]}), "y", "regression", "same value"),
        (pd.DataFrame({"a": [1, 2, 3], "y": ["a", "b", "c"]}), "y", "regression", "holds text"),
        (
            pd.DataFrame({"a": [1, 2, 3], "y": ["k", "k", "k"]}),
            "y",
            "classification",
            "only one class",
        ),
        (pd.DataFrame({"a": range(30), "y": range(30)}), "y", "classification", "at most 20"),
        (pd.DataFrame({"y": [1.0, 2.0, 3.0]}), "y", "regression", "No usable feature"),
        (pd.DataFrame({"a": [1, 2, 3], "y": [1.0, 2.0, 3.0]}), "y", "regression", "at least 5"),
        (
            pd.DataFrame({"a": [1, 2, 3], "y": [1.0, 2.0, 3.0]}),
            "nope",
            "regression",
            "no column named",
        ),
        (
            pd.DataFrame({"a": range(6), "y": list("aabbbc")}),
            "y",
            "classification",
            "at least two rows",
        ),
    ],
)
def test_unusable_tables_are_refused_with_a_reason(frame, target, task, message):
    with pytest.raises(DataError, match=message):
        make_dataset(frame, target, task, name="t")


def test_target_candidates_fit_the_task():
    frame = pd.DataFrame({"n": [1.0, 2.0, 3.0, 4.0], "label": list("abab"), "flag": [0, 1, 0, 1]})
    assert target_candidates(frame, "regression") == ["n"]
    assert target_candidates(frame, "classification") == ["label", "flag"]  # n: 1 row a class


def test_infinite_cells_are_missing_and_name_clashes_are_kept_apart():
    frame = pd.DataFrame(
        {
            "c": ["a", "b"] * 5,
            "c=b": np.arange(10.0),
            "v": [1.0, np.inf, 3, 4, 5, 6, 7, -np.inf, 9, 10],
            "y": np.arange(10.0) * 2 + 1,
        }
    )
    data = make_dataset(frame, "y", "regression", name="t")
    assert list(data.X.columns) == ["c=b'", "c=b", "v"]
    assert data.X["c=b"].tolist() == list(np.arange(10.0))
    assert data.X["v"].isna().sum() == 2
    assert any("infinite values as missing: v (2)" in n for n in data.notes)


def test_too_many_encoded_features_are_refused():
    frame = pd.DataFrame({f"t{i}": list("abcdefghij") * 3 for i in range(60)})
    frame["y"] = np.arange(30.0)
    with pytest.raises(DataError, match="the limit is 500"):
        make_dataset(frame, "y", "regression", name="t")


def test_too_many_values_after_encoding_are_refused(monkeypatch):
    import core.data.prepare

    monkeypatch.setattr(core.data.prepare, "MAX_CELLS", 50)
    frame = pd.DataFrame({"a": np.arange(30.0), "b": np.arange(30.0) % 7, "y": np.arange(30.0)})
    with pytest.raises(DataError, match="30 rows by 2 features is more than this app holds"):
        make_dataset(frame, "y", "regression", name="t")
