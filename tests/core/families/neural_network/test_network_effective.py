"""A network's effective number of parameters: its Jacobian against finite differences of
scikit-learn's own predictions, its Gauss–Newton curvature against scikit-learn's own loss,
its limits in alpha, and an independent dense hat-matrix trace."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import StandardScaler

from core.families.neural_network import effective as network_effective
from core.families.neural_network.effective import (
    MAX_JACOBIAN_VALUES,
    effective_network_parameters,
    gauss_newton_factor,
    output_jacobian,
    parameter_count,
)
from core.families.neural_network.layers import model_with_weights

ACTIVATIONS = ["identity", "relu", "tanh", "logistic"]
TASKS = ["regression", "binary", "multiclass"]


# --- data and fitted networks ------------------------------------------------------------------


@functools.cache
def data(task: str) -> tuple[np.ndarray, np.ndarray]:
    """Standardised rows and targets: diabetes, breast cancer's first 6 features, iris."""
    if task == "multiclass":
        X, y = load_iris(return_X_y=True)
    elif task == "binary":
        X, y = load_breast_cancer(return_X_y=True)
        X = X[:, :6]
    elif task == "poisson":
        X, y = load_diabetes(return_X_y=True)
        y = y / y.mean()  # positive counts-like rates around 1
    else:
        X, y = load_diabetes(return_X_y=True)
        y = (y - y.mean()) / y.std()
    return StandardScaler().fit_transform(X), y


@functools.cache
def network(task: str, activation: str = "tanh", hidden: tuple = (4, 3), alpha: float = 1.0):
    """A small network trained by scikit-learn (cached: the tests only read it)."""
    X, y = data(task)
    if task in ("regression", "poisson"):
        loss = "poisson" if task == "poisson" else "squared_error"
        model = MLPRegressor(loss=loss, solver="lbfgs")
    else:
        model = MLPClassifier(solver="lbfgs")
    model.set_params(
        hidden_layer_sizes=hidden,
        activation=activation,
        alpha=alpha,
        max_iter=2000,
        random_state=0,
    )
    return model.fit(X, y)


def flat(model) -> np.ndarray:
    """The parameters in the documented order: every weight matrix, then every bias."""
    return np.concatenate([*(w.ravel() for w in model.coefs_), *model.intercepts_])


def unflat(model, theta: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The weight matrices and biases held in ``theta`` (the inverse of :func:`flat`)."""
    arrays, start = [], 0
    for a in [*model.coefs_, *model.intercepts_]:
        arrays.append(theta[start : start + a.size].reshape(a.shape))
        start += a.size
    assert start == len(theta)
    n = len(model.coefs_)
    return arrays[:n], arrays[n:]


def is_weight(model) -> np.ndarray:
    """True on weights (penalised), False on biases (not), in the documented order."""
    n_weights = sum(w.size for w in model.coefs_)
    return np.arange(parameter_count(model)) < n_weights


def sklearn_logits(model, theta: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Output logits by scikit-learn's own forward pass, for the parameters ``theta``.

    A copy with the identity as output activation: its ``predict_proba`` (binary: column 1)
    or ``predict`` then returns the output layer's values before the softmax, sigmoid or exp.
    """
    twin = model_with_weights(model, *unflat(model, theta))
    twin.out_activation_ = "identity"
    if isinstance(model, MLPClassifier):
        values = twin.predict_proba(X)
        return values[:, 1:] if model.n_outputs_ == 1 else values
    return twin.predict(X).reshape(len(X), -1)


def sklearn_objective(model, theta: np.ndarray, X: np.ndarray, Y: np.ndarray):
    """scikit-learn's own penalised loss and its gradient at ``theta``, both times n.

    ``_backprop`` is what every solver calls, so it is the objective the fit minimises. It is
    private: if a scikit-learn upgrade changes it, this test must be looked at again anyway.
    """
    twin = model_with_weights(model, *unflat(model, theta))
    layers = twin.n_layers_
    activations = [X] + [None] * (layers - 1)
    empty = [None] * (layers - 1)
    loss, coef_grads, intercept_grads = twin._backprop(
        X, Y, None, activations, list(empty), list(empty), list(empty)
    )
    gradient = np.concatenate([*(g.ravel() for g in coef_grads), *intercept_grads])
    return len(X) * loss, len(X) * gradient


def own_targets(model, X: np.ndarray) -> np.ndarray:
    """The network's own outputs as (soft) targets: every residual is 0, so the Hessian of the
    loss has no second-derivative-of-the-network term and equals the Gauss–Newton matrix."""
    if isinstance(model, MLPClassifier):
        p = model.predict_proba(X)
        return p[:, 1:] if model.n_outputs_ == 1 else p
    return model.predict(X).reshape(len(X), -1)


def central_differences(f, theta: np.ndarray, step: float) -> np.ndarray:
    """d f / d theta by central differences; the parameter is the last axis."""
    columns = []
    for j in range(len(theta)):
        up, down = theta.copy(), theta.copy()
        up[j] += step
        down[j] -= step
        columns.append((f(up) - f(down)) / (2 * step))
    return np.stack(columns, axis=-1)


# --- the Jacobian ------------------------------------------------------------------------------


def test_sklearn_logits_are_what_the_output_activation_is_applied_to():
    """The finite-difference reference itself: sigmoid / softmax of it is predict_proba."""
    binary, multiclass = network("binary"), network("multiclass")
    X = data("binary")[0]
    z = sklearn_logits(binary, flat(binary), X)[:, 0]
    np.testing.assert_allclose(1 / (1 + np.exp(-z)), binary.predict_proba(X)[:, 1], rtol=1e-12)
    X = data("multiclass")[0]
    z = sklearn_logits(multiclass, flat(multiclass), X)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(p, multiclass.predict_proba(X), rtol=1e-10)


@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_jacobian_equals_finite_differences_of_sklearn_logits(task, activation):
    model = network(task, activation)
    X = data(task)[0]
    theta, step = flat(model), 1e-6
    if activation == "relu":
        # Finite differences straddling a kink would be wrong: keep the rows where no unit
        # sits near 0 (rows are independent; most of them qualify).
        values, clear = X, np.ones(len(X), dtype=bool)
        for W, b in zip(model.coefs_[:-1], model.intercepts_[:-1], strict=True):
            pre = values @ W + b
            clear &= np.abs(pre).min(axis=1) > 1e-3
            values = np.maximum(pre, 0)
        assert clear.mean() > 0.9
        X = X[clear]
    expected = central_differences(lambda t: sklearn_logits(model, t, X), theta, step)
    jacobian = output_jacobian(model, X)
    assert jacobian.shape == (len(X), model.n_outputs_, len(theta))
    scale = np.abs(expected).max()
    np.testing.assert_allclose(jacobian, expected, rtol=1e-5, atol=1e-7 * scale)


# --- the Gauss–Newton curvature against scikit-learn's loss -----------------------------------


@pytest.mark.parametrize(
    ("task", "activation"),
    [("regression", "identity"), ("regression", "tanh"), ("binary", "logistic"),
     ("multiclass", "tanh"), ("multiclass", "relu"), ("poisson", "tanh")],
)  # fmt: skip
def test_gauss_newton_matrix_is_the_hessian_of_sklearn_objective_at_zero_residuals(
    task, activation
):
    """With the network's own outputs as targets, the Hessian of n × scikit-learn's objective
    (loss + penalty) is exactly MᵀM + Λ: this pins the curvature in the logits and the
    scaling of alpha against the loss."""
    model = network(task, activation)
    X = data(task)[0]
    Y, theta = own_targets(model, X), flat(model)
    M = gauss_newton_factor(model, X)
    expected = M.T @ M + np.diag(np.where(is_weight(model), model.alpha, 0.0))

    _, gradient = sklearn_objective(model, theta, X, Y)
    assert np.abs(gradient - model.alpha * np.where(is_weight(model), theta, 0)).max() < 1e-8
    hessian = central_differences(lambda t: sklearn_objective(model, t, X, Y)[1], theta, 1e-5)
    np.testing.assert_allclose(hessian, expected, rtol=1e-5, atol=1e-6 * np.abs(expected).max())

    # The loss values themselves, not only scikit-learn's gradient: second differences
    # along a few random directions.
    rng = np.random.default_rng(0)
    for _ in range(3):
        v = rng.normal(size=len(theta))
        v /= np.linalg.norm(v)
        h = 1e-4
        values = [sklearn_objective(model, theta + s * h * v, X, Y)[0] for s in (-1, 0, 1)]
        second = (values[0] - 2 * values[1] + values[2]) / h**2
        assert second == pytest.approx(v @ expected @ v, rel=1e-4)


def test_with_real_residuals_the_hessian_is_not_the_gauss_newton_matrix():
    """Why the test above uses zero residuals: even with the identity activation a network is
    bilinear in its weights, so the true Hessian has a residual term Gauss–Newton drops."""
    model = network("regression", "identity")
    X, y = data("regression")
    theta, M = flat(model), gauss_newton_factor(model, X)
    gauss_newton = M.T @ M + np.diag(np.where(is_weight(model), model.alpha, 0.0))
    hessian = central_differences(
        lambda t: sklearn_objective(model, t, X, y.reshape(-1, 1))[1], theta, 1e-5
    )
    scale = np.abs(gauss_newton).max()
    # At zero residuals the two agree to 1e-6 of the scale (the test above); here they do not.
    assert np.abs(hessian - gauss_newton).max() > 1e-4 * scale


def test_two_target_regression_is_fitted_on_the_sum_over_targets():
    """scikit-learn's squared loss averages over targets but its gradient sums over them; the
    fit zeroes the gradient, so the curvature per target is 1 (not 1/k)."""
    X, y = data("regression")
    Y = np.column_stack([y, np.tanh(y)])
    model = MLPRegressor(
        hidden_layer_sizes=(4,), activation="tanh", alpha=0.5, solver="lbfgs", max_iter=2000,
        random_state=0,
    ).fit(X, Y)  # fmt: skip
    theta, penalised = flat(model), np.where(is_weight(model), model.alpha, 0.0)
    loss, gradient = sklearn_objective(model, theta, X, Y)
    residual = model.predict(X) - Y
    jacobian = output_jacobian(model, X)
    summed = np.einsum("ikp,ik->p", jacobian, residual) + penalised * theta
    np.testing.assert_allclose(gradient, summed, rtol=1e-8, atol=1e-10)
    n_targets = Y.shape[1]
    penalty = 0.5 * model.alpha * (theta[is_weight(model)] ** 2).sum()
    reported = 0.5 * (residual**2).sum() / n_targets + penalty
    assert loss == pytest.approx(reported, rel=1e-10)
    M = gauss_newton_factor(model, X)
    np.testing.assert_allclose(
        M.T @ M, np.einsum("ikp,ikq->pq", jacobian, jacobian), rtol=1e-12, atol=1e-12
    )


# --- the effective count -----------------------------------------------------------------------


def dense_effective_parameters(model, X: np.ndarray, alpha: float) -> float:
    """trace((G + Λ)⁺ G) with G = Σ_i J_iᵀ C_i J_i, C_i from predict_proba / predict: the
    P × P formula, with no square root, projection or SVD of the module's."""
    jacobian = output_jacobian(model, X)
    if isinstance(model, MLPClassifier) and model.n_outputs_ > 1:
        p = model.predict_proba(X)
        curvature = np.einsum("ij,jk->ijk", p, np.eye(p.shape[1])) - np.einsum("ij,ik->ijk", p, p)
    elif isinstance(model, MLPClassifier):
        p = model.predict_proba(X)[:, 1]
        curvature = (p * (1 - p))[:, None, None]
    else:
        curvature = np.ones((len(X), 1, 1))
    G = np.einsum("ikp,ikl,ilq->pq", jacobian, curvature, jacobian)
    penalty = np.diag(np.where(is_weight(model), alpha, 0.0))
    return float(np.trace(np.linalg.pinv(G + penalty) @ G))


@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("alpha", [1e-2, 1.0, 30.0])
def test_effective_parameters_equal_the_dense_hat_matrix_trace(task, alpha):
    model = network(task, "tanh", hidden=(3,), alpha=1.0)
    X = data(task)[0]
    expected = dense_effective_parameters(model, X, alpha)
    assert 0 < expected < parameter_count(model)
    assert effective_network_parameters(model, X, alpha=alpha) == pytest.approx(expected, rel=1e-6)


def test_alpha_defaults_to_the_model_penalty():
    model = network("multiclass", "tanh", hidden=(3,), alpha=0.3)
    X = data("multiclass")[0]
    assert effective_network_parameters(model, X) == effective_network_parameters(
        model, X, alpha=0.3
    )
    assert effective_network_parameters(model, X) != effective_network_parameters(
        model, X, alpha=3.0
    )


@pytest.mark.parametrize("task", TASKS)
def test_effective_parameters_run_from_the_biases_alone_to_the_jacobian_rank(task):
    model = network(task, "tanh", hidden=(5,), alpha=0.1)
    X = data(task)[0]
    M = gauss_newton_factor(model, X)
    n_biases = int((~is_weight(model)).sum())
    bias_rank = np.linalg.matrix_rank(M[:, -n_biases:])
    full_rank = np.linalg.matrix_rank(M)
    # Held fixed, a tanh network's hidden biases each move the output differently; softmax
    # outputs lose one direction (adding the same to every logit changes nothing).
    lost = 1 if task == "multiclass" else 0
    assert bias_rank == n_biases - lost
    if task == "multiclass":
        # Also null: one row of output weights added to every class (a hidden unit feeding
        # every logit alike), and the output biases likewise; k - 1 directions per row.
        n_hidden = model.coefs_[-1].shape[0]
        bound = min(len(X) * (model.n_outputs_ - 1), parameter_count(model) - n_hidden - 1)
    else:
        bound = min(M.shape)
    assert full_rank <= bound

    # Down to 1e-20: confident rows have curvatures near 1e-14 (iris is nearly separable), and
    # those directions count fully only once alpha is far below them.
    alphas = np.logspace(-20, 12, 33)
    counts = np.array([effective_network_parameters(model, X, alpha=a) for a in alphas])
    assert np.all(np.diff(counts) <= 0)  # every step up in alpha shrinks the count...
    middle = (alphas >= 1e-4) & (alphas <= 1e4)
    assert np.all(np.diff(counts[middle]) < 0)  # ... visibly, where rounding cannot hide it
    assert counts[-1] == pytest.approx(bias_rank, abs=1e-6)
    assert counts[0] == pytest.approx(full_rank, abs=1e-3)
    assert effective_network_parameters(model, X, alpha=0.0) == full_rank


def test_a_network_of_identity_units_counts_at_most_a_linear_model():
    """With the identity activation the output is linear in the inputs: every Jacobian column
    lies in the span of the features and the constant, however many units it has."""
    model = network("regression", "identity", hidden=(8,), alpha=1e-3)
    X = data("regression")[0]
    n_features = X.shape[1]
    assert parameter_count(model) > 5 * (n_features + 1)
    assert effective_network_parameters(model, X, alpha=0.0) == n_features + 1
    assert 1 < effective_network_parameters(model, X) <= n_features + 1
    # Only the output bias is a constant column here.
    assert effective_network_parameters(model, X, alpha=1e12) == pytest.approx(1, abs=1e-6)


def test_iris_network_has_a_finite_count_below_its_parameters():
    model = network("multiclass", "relu", hidden=(5,), alpha=1e-2)
    X = data("multiclass")[0]
    count = effective_network_parameters(model, X)
    assert np.isfinite(count)
    assert 0 < count < parameter_count(model)


def test_integer_sample_weights_count_as_repeated_rows():
    model = network("multiclass", "tanh", hidden=(3,), alpha=1.0)
    X = data("multiclass")[0]
    weights = np.arange(len(X)) % 3
    weighted = effective_network_parameters(model, X, sample_weight=weights)
    repeated = effective_network_parameters(model, np.repeat(X, weights, axis=0))
    assert weighted == pytest.approx(repeated, rel=1e-9)
    assert weighted != pytest.approx(effective_network_parameters(model, X), rel=1e-3)


def test_bad_arguments_are_refused():
    model = network("binary", "tanh", hidden=(3,))
    X = data("binary")[0]
    with pytest.raises(ValueError, match="alpha"):
        effective_network_parameters(model, X, alpha=-1.0)
    with pytest.raises(ValueError, match="shape"):
        effective_network_parameters(model, X[:, :3])
    with pytest.raises(ValueError, match="sample_weight"):
        effective_network_parameters(model, X, sample_weight=np.ones(3))


def test_too_large_a_jacobian_is_not_formed(monkeypatch):
    model = network("multiclass", "tanh", hidden=(3,))
    X = data("multiclass")[0]
    size = len(X) * model.n_outputs_ * parameter_count(model)
    assert size < MAX_JACOBIAN_VALUES
    monkeypatch.setattr(network_effective, "MAX_JACOBIAN_VALUES", size)
    assert np.isfinite(effective_network_parameters(model, X))
    monkeypatch.setattr(network_effective, "MAX_JACOBIAN_VALUES", size - 1)
    assert np.isnan(effective_network_parameters(model, X))
