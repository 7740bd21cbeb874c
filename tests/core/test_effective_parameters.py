"""Each family's effective number of parameters equals an independent computation."""

from __future__ import annotations

import numpy as np
import pytest

from core.data.prepare import load_dataset
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


# --- logistic regression: tr[(H + Λ)⁺ H] -------------------------------------------------
def _logistic_fit(dataset_id, C, **extra):
    family = get_family("logistic_regression")
    data = load_dataset(dataset_id, "classification")
    fit = fit_model(family, "logistic", {"C": C, "max_iter": 5000, "tol": 1e-10, **extra}, data)
    return family, data, fit


def _design(fit, data):
    from core.fitting import model_features

    Z = model_features(fit, data)
    return np.column_stack([Z, np.ones(len(Z))])


@pytest.mark.parametrize(("dataset_id", "class_weight"), [("iris", "none"), ("wine", "balanced")])
def test_the_penalty_scale_is_scikit_learns_objective(dataset_id, class_weight):
    """At scikit-learn's optimum the gradient of C·Σ wᵢ lossᵢ + ½‖W‖² is zero: the Λ = I/C the
    effective count uses is the penalty scikit-learn minimised with."""
    from sklearn.utils.class_weight import compute_sample_weight

    _, data, fit = _logistic_fit(dataset_id, 0.5, class_weight=class_weight)
    Z, model = _design(fit, data), fit.model
    y = data.y.iloc[fit.split.train].to_numpy()
    onehot = (y[:, None] == model.classes_[None, :]).astype(float)
    weights = (
        compute_sample_weight("balanced", y) if class_weight == "balanced" else np.ones(len(y))
    )
    proba = model.predict_proba(Z[:, :-1])
    W = np.column_stack([model.coef_, model.intercept_])
    gradient = 0.5 * (Z.T @ ((proba - onehot) * weights[:, None])).T + np.column_stack(
        [model.coef_, np.zeros(len(model.classes_))]
    )
    assert np.abs(gradient).max() < 1e-5 * np.abs(W).max()


def test_the_hessian_is_the_log_losss_second_derivative():
    """Finite differences of scikit-learn's own summed log loss give the same Hessian."""
    from sklearn.metrics import log_loss

    from core.families.logistic_regression.family import logistic_hessian

    _, data, fit = _logistic_fit("iris", 1.0)
    Z, model = _design(fit, data), fit.model
    y = data.y.iloc[fit.split.train].to_numpy()
    W0 = np.column_stack([model.coef_, model.intercept_])  # classes × (features + 1)

    def loss(flat):
        scores = Z @ flat.reshape(W0.shape).T
        proba = np.exp(scores - scores.max(axis=1, keepdims=True))
        proba /= proba.sum(axis=1, keepdims=True)
        return log_loss(y, proba, labels=model.classes_, normalize=False)

    scores = Z @ W0.T
    proba = np.exp(scores - scores.max(axis=1, keepdims=True))
    proba /= proba.sum(axis=1, keepdims=True)
    H = logistic_hessian(Z, proba, np.ones(len(Z)))
    h, flat = 1e-4, W0.ravel()
    numeric = np.empty_like(H)
    for a in range(len(flat)):
        for b in range(len(flat)):
            e_a, e_b = np.eye(len(flat))[a] * h, np.eye(len(flat))[b] * h
            numeric[a, b] = (
                loss(flat + e_a + e_b)
                - loss(flat + e_a - e_b)
                - loss(flat - e_a + e_b)
                + loss(flat - e_a - e_b)
            ) / (4 * h * h)
    np.testing.assert_allclose(H, numeric, rtol=1e-4, atol=1e-4 * np.abs(H).max())


def test_logistic_effective_parameters_run_from_the_intercepts_to_the_count():
    family, data, tiny = _logistic_fit("iris", 1e-4)  # the smallest C the page offers
    # A vanishing C leaves only the intercepts free: K − 1 of them are identifiable.
    assert family.effective_parameters(tiny, data) == pytest.approx(2.0, abs=0.05)
    counts = [family.effective_parameters(_logistic_fit("iris", C)[2], data) for C in (0.01, 1.0)]
    assert 2.0 < counts[0] < counts[1] < (3 - 1) * (4 + 1)  # (K − 1)(p + 1) = 10
    _, _, free = _logistic_fit("iris", np.inf)
    assert family.effective_parameters(free, data) == 3 * 5  # no penalty: the count


def test_binary_effective_parameters_are_the_newton_hat_trace():
    """Two classes: the trace of W½ Z (ZᵀWZ + Λ)⁻¹ Zᵀ W½ from the fitted probabilities (at
    the optimum: Newton's method, since lbfgs at tol 1e-10 stops 1e-8 short in the count)."""
    family, data, fit = _logistic_fit("breast_cancer", 0.05, solver="newton-cholesky")
    Z = _design(fit, data)
    p = fit.model.predict_proba(Z[:, :-1])[:, 1]
    root = np.sqrt(p * (1 - p))[:, None] * Z
    penalty = np.diag([1 / 0.05] * (Z.shape[1] - 1) + [0.0])
    hat = root @ np.linalg.solve(root.T @ root + penalty, root.T)
    assert family.effective_parameters(fit, data) == pytest.approx(np.trace(hat), rel=1e-8)


def test_a_networks_effective_parameters_fall_as_alpha_grows():
    """The family counts its network's well-determined parameters
    (core.families.neural_network.effective),
    so the all-families chart moves a network along its x axis as alpha changes."""
    from core.families.neural_network.effective import effective_network_parameters
    from core.fitting import model_features

    family = get_family("neural_network")
    data = load_dataset("iris", "classification")
    counts = []
    for alpha in (1e-4, 1.0, 10.0):
        fit = fit_model(family, "mlp_classifier", {"alpha": alpha}, data)
        count = family.effective_parameters(fit, data)
        assert count == effective_network_parameters(fit.model, model_features(fit, data))
        assert 0 < count < family.extract(fit).n_parameters
        counts.append(count)
    assert counts[0] > counts[1] > counts[2]
