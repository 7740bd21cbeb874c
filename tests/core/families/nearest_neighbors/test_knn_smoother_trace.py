"""k-nearest neighbours' effective parameters are its smoother's trace: n / k with uniform
weights, n with weights = distance (each training row is its own neighbour at distance 0)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.neighbors import KNeighborsRegressor

from core.data.prepare import load_dataset, make_dataset
from core.families.nearest_neighbors.stored import model_input
from core.fitting import fit_model
from core.registry import get_family

FAMILY = get_family("nearest_neighbors")


def smoother_trace_by_unit_targets(fit, dataset) -> float:
    """Build the smoother from unit targets: fitted on the training rows with target e_j,
    the predictions on those rows are column j of S (all columns at once, as the outputs
    of one multi-output fit). Return S's trace."""
    X, _ = fit.split.train_rows(dataset)
    Z = np.asarray(model_input(fit.pipeline, X), dtype=float)
    n = len(Z)
    model = KNeighborsRegressor(
        n_neighbors=fit.model.n_neighbors, weights=fit.model.weights, algorithm="brute"
    )
    S = model.fit(Z, np.eye(n)).predict(Z)
    return float(np.trace(S))


@pytest.fixture(scope="module")
def iris():
    return load_dataset("iris", "classification")


@pytest.mark.parametrize(("weights", "per_row"), [("uniform", 1 / 10), ("distance", 1.0)])
def test_iris_k10_effective_parameters_are_the_smoother_trace(iris, weights, per_row):
    fit = fit_model(FAMILY, "knn_classifier", {"n_neighbors": 10, "weights": weights}, iris)
    n = len(fit.split.train)
    count = FAMILY.effective_parameters(fit, iris)
    assert count == pytest.approx(smoother_trace_by_unit_targets(fit, iris), rel=1e-12)
    assert count == pytest.approx(n * per_row, rel=1e-12)  # 11.2 and 112 on iris's 112 rows


def test_duplicated_rows_share_the_weight_of_distance_zero():
    """A row stored three times gives each copy a third of its own prediction: each set of
    copies adds 1 to the trace, which counts the distinct rows."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(40, 2)), columns=["a", "b"])
    frame = pd.concat([frame, frame.iloc[[0, 0, 5]]], ignore_index=True)
    frame["y"] = rng.normal(size=len(frame))
    data = make_dataset(frame, "y", "regression", name="with copies")
    fit = fit_model(
        FAMILY, "knn_regressor", {"n_neighbors": 5, "weights": "distance"}, data, test_size=0
    )
    count = FAMILY.effective_parameters(fit, data)
    assert count == pytest.approx(smoother_trace_by_unit_targets(fit, data), rel=1e-12)
    distinct = len(frame[["a", "b"]].drop_duplicates())
    assert distinct == len(frame) - 3 and count == pytest.approx(distinct, rel=1e-12)


def test_the_definition_says_what_distance_weights_do():
    text = FAMILY.effective_definition
    assert "n / k with uniform weights" in text and "n with weights = distance" in text
