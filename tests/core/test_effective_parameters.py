"""Each family's effective number of parameters equals an independent computation."""

from __future__ import annotations

import numpy as np
import pytest

from core.datasets import load_dataset
from core.fitting import fit_model
from core.registry import get_family


@pytest.fixture(scope="module")
def small():
    """A small regression problem, so the hat matrix can be formed whole."""
    data = load_dataset("diabetes", "regression")
    return data


@pytest.mark.parametrize("alpha", [0.01, 1.0, 100.0])
def test_ridge_effective_parameters_are_the_hat_matrix_trace(small, alpha):
    family = get_family("linear_regression")
    fit = fit_model(family, "ridge", {"alpha": alpha}, small)
    X = small.X.iloc[fit.split.train].to_numpy(dtype=float)
    X = (X - X.mean(axis=0)) / X.std(axis=0)  # as the pipeline's scaler: centred, scaled
    hat = X @ np.linalg.solve(X.T @ X + alpha * np.eye(X.shape[1]), X.T)
    n = len(X)
    centring = np.ones((n, n)) / n  # the intercept's own column of the hat matrix
    expected = np.trace(hat) + np.trace(centring)
    assert family.effective_parameters(fit, small) == pytest.approx(expected, rel=1e-10)


def test_lasso_effective_parameters_count_non_zero_coefficients(small):
    family = get_family("linear_regression")
    fit = fit_model(family, "lasso", {"alpha": 2.0}, small)
    nonzero = int(np.count_nonzero(fit.model.coef_))
    assert 0 < nonzero < 10
    assert family.effective_parameters(fit, small) == nonzero + 1


def test_a_tree_has_as_many_effective_parameters_as_leaves():
    iris = load_dataset("iris", "classification")
    family = get_family("decision_tree")
    fit = fit_model(family, "tree_classifier", {"max_depth": 3}, iris, scale=False)
    assert family.effective_parameters(fit, iris) == fit.model.tree_.n_leaves


def test_nearest_neighbours_have_n_over_k():
    iris = load_dataset("iris", "classification")
    family = get_family("nearest_neighbors")
    fit = fit_model(family, "knn_classifier", {"n_neighbors": 7}, iris)
    assert family.effective_parameters(fit, iris) == pytest.approx(len(fit.split.train) / 7)


def test_ridge_without_any_preprocessing_still_has_a_hat_matrix(small):
    """Unscaled and with no missing values the pipeline is the model alone."""
    family = get_family("linear_regression")
    fit = fit_model(family, "ridge", {"alpha": 1.0}, small, scale=False)
    X = small.X.iloc[fit.split.train].to_numpy(dtype=float)
    X = X - X.mean(axis=0)
    hat = X @ np.linalg.solve(X.T @ X + np.eye(X.shape[1]), X.T)
    assert family.effective_parameters(fit, small) == pytest.approx(np.trace(hat) + 1, rel=1e-10)
