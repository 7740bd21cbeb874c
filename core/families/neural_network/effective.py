"""The effective number of parameters of a fitted multilayer perceptron: the network analogue
of ridge regression's hat-matrix trace, by MacKay's Gauss–Newton definition.

A network with ``P`` weights and biases and an L2 penalty ``alpha`` on its weights does not
use all ``P`` of them freely: the penalty pulls the directions the data barely constrain back
to zero. Linearise the network around its fitted parameters, replace the loss by its
Gauss–Newton curvature, and what remains is a ridge regression whose hat-matrix trace counts
the directions the data determine. With ``J_i`` the Jacobian of row ``i``'s output logits with
respect to the parameters and ``C_i`` the curvature of the loss with respect to those logits,

    M = stacked rows C_i^{1/2} J_i                       (shape (n_rows * n_outputs, P))
    df = trace((MᵀM + Λ)⁺ MᵀM),   Λ = alpha on every weight, 0 on every bias.

Biases are not penalised, so ``df`` is computed without ever forming the ``P × P`` matrix, by
the partially penalised ridge identity: split ``M = [M_b | M_w]`` into bias and weight columns
and project the bias columns' span out of the weight columns (``Q = I - proj(M_b)``); then

    df = rank(M_b) + Σ_j e_j / (e_j + alpha),   e_j = squared singular values of Q M_w.

The objective this refers to is scikit-learn's, multiplied by the number of rows (see
:func:`gauss_newton_factor` for what was checked in scikit-learn 1.9's source). Parameters are
flattened as scikit-learn packs them (and
:func:`core.families.neural_network.layers.parameter_arrays` lists them):
every ``coefs_[i].ravel()`` (C order) in layer order, then every ``intercepts_[i]``.

The definition is MacKay's number of well-determined parameters (D. J. C. MacKay, "A practical
Bayesian framework for backpropagation networks", Neural Computation 4(3), 1992), with the
Gauss–Newton curvature in place of the full Hessian. It describes one set of fitted weights:
for those weights a larger ``alpha`` gives a smaller count, but a network refitted at another
``alpha`` has other weights, so a sweep's count need not fall as ``alpha`` grows.

A diagnostic only: it reads the fitted weights and never predicts for the app, whose
predictions always come from the estimator itself.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from sklearn.neural_network import MLPClassifier, MLPRegressor

from core.families.neural_network.layers import hidden_activations

#: Largest Jacobian (rows × outputs × parameters values) this module forms. 20 million float64
#: values are 160 MB, and the computation holds two or three arrays of that size at once (the
#: Jacobian or its curvature-weighted copy, the projected weight columns, the SVD's own copy
#: of them), so a larger one risks exhausting a shared server's memory. Above it
#: :func:`effective_network_parameters` returns NaN and callers fall back to the nominal count.
MAX_JACOBIAN_VALUES = 20_000_000

# d(activation)/d(pre-activation), from the activation's own output, as scikit-learn's
# DERIVATIVES compute it (relu's is 0 at and below the kink).
_DERIVATIVES = {
    "identity": lambda a: np.ones_like(a),
    "relu": lambda a: (a > 0).astype(float),
    "tanh": lambda a: 1.0 - a**2,
    "logistic": lambda a: a * (1.0 - a),
}

MLP = MLPClassifier | MLPRegressor


def parameter_count(model: MLP) -> int:
    """How many weights and biases the network holds (the nominal count ``P``)."""
    return sum(w.size for w in model.coefs_) + sum(b.size for b in model.intercepts_)


def _bias_count(model: MLP) -> int:
    """How many of the parameters are biases: the last ones in the flattened order."""
    return sum(b.size for b in model.intercepts_)


def _rows(model: MLP, X: Any) -> np.ndarray:
    """``X`` as a 2-D float64 array with the network's number of inputs."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != model.coefs_[0].shape[0]:
        raise ValueError(f"X must have shape (n_rows, {model.coefs_[0].shape[0]}), not {X.shape}")
    return X


def _jacobian_and_logits(model: MLP, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The output Jacobian (n_rows, n_outputs, P) and the output logits (n_rows, n_outputs).

    Backpropagation run once per output at the same time: ``delta`` holds d(logit)/d(each
    pre-activation of one layer) for every row and output, starting from the identity at the
    output layer. A weight ``coefs_[l][p, q]`` then has derivative ``a_l[p] * delta[q]`` and a
    bias ``intercepts_[l][q]`` has ``delta[q]``.
    """
    coefs = [np.asarray(w, dtype=float) for w in model.coefs_]
    intercepts = [np.asarray(b, dtype=float) for b in model.intercepts_]
    layers = [X, *hidden_activations(model, X)]  # inputs of each weight matrix
    logits = layers[-1] @ coefs[-1] + intercepts[-1]
    n, k = logits.shape
    derivative = _DERIVATIVES[model.activation]

    sizes = [w.size for w in coefs] + [b.size for b in intercepts]
    starts = np.concatenate([[0], np.cumsum(sizes)])
    n_layers = len(coefs)
    jacobian = np.empty((n, k, int(starts[-1])))
    delta = np.broadcast_to(np.eye(k), (n, k, k))
    for layer in reversed(range(n_layers)):
        inputs = layers[layer]
        weights = slice(starts[layer], starts[layer + 1])
        jacobian[:, :, weights] = (inputs[:, None, :, None] * delta[:, :, None, :]).reshape(
            n, k, -1
        )
        biases = slice(starts[n_layers + layer], starts[n_layers + layer + 1])
        jacobian[:, :, biases] = delta
        if layer > 0:
            delta = (delta @ coefs[layer].T) * derivative(inputs)[:, None, :]
    return jacobian, logits


def output_jacobian(model: MLP, X: Any) -> np.ndarray:
    """d(output logits)/d(parameters) of a fitted network, row by row.

    The logits are the output layer's values before its output activation: the prediction of
    a regressor with squared error, the log-odds of a binary classifier, the softmax inputs of
    a multiclass one (the log mean of a Poisson regressor).

    Parameters
    ----------
    model : MLPClassifier or MLPRegressor
        A fitted network.
    X : array of shape (n_rows, n_features)
        Rows exactly as the network sees them (after any scaling in front of it).

    Returns
    -------
    ndarray of shape (n_rows, n_outputs, n_params)
        Parameters in scikit-learn's packing order:
        ``np.concatenate([*(W.ravel() for W in model.coefs_), *model.intercepts_])``.
        No size guard here: the caller asked for the whole array.
    """
    jacobian, _ = _jacobian_and_logits(model, _rows(model, X))
    return jacobian


def _curvature_root(out_activation: str, logits: np.ndarray) -> np.ndarray:
    """Per row, the symmetric square root of the loss's curvature in the logits.

    Shape (n_rows, n_outputs) when the curvature is diagonal, (n_rows, k, k) for softmax. Each
    is the derivative of the output activation, which for these canonical loss–link pairs is
    the Hessian of the loss in the logits (and the Gauss–Newton matrix of the network).
    Confident rows have probabilities within 1e-10 of 1, so ``1 - p`` is never formed by
    subtraction: it would keep only a few digits of a curvature that small.
    """
    if out_activation == "identity":  # squared error: ½ Σ_outputs (y - z)²
        return np.ones_like(logits)
    if out_activation == "logistic":  # binary (or multilabel) log loss: p (1 - p)
        small = np.exp(-np.abs(logits))  # p (1 - p) = e^-|z| / (1 + e^-|z|)²
        return np.sqrt(small) / (1.0 + small)
    if out_activation == "exp":  # Poisson deviance: the mean exp(z)
        return np.exp(0.5 * logits)
    if out_activation == "softmax":  # multiclass log loss: diag(p) - p pᵀ
        return _softmax_curvature_root(logits)
    raise ValueError(f"unknown output activation {out_activation!r}")


def _softmax_curvature_root(logits: np.ndarray) -> np.ndarray:
    """Symmetric square roots of ``diag(p) - p pᵀ``, ``p = softmax(z)``, one per row.

    Adding the same number to every logit changes no probability, so each curvature has the
    constant vector as an exact null direction. The square root is taken in the orthonormal
    complement of that vector, so the direction stays exactly null: an eigenvalue that
    rounding left at 1e-17 would otherwise become a square root of 3e-9, and a spurious rank.
    """
    k = logits.shape[1]
    unnormalised = np.exp(logits - logits.max(axis=1, keepdims=True))
    total = unnormalised.sum(axis=1, keepdims=True)
    p = unnormalised / total
    off_diagonal = 1.0 - np.eye(k)
    others = (unnormalised @ off_diagonal) / total  # 1 - p, summed without cancelling
    # p (1 - p) on the diagonal, -p_j p_l off it.
    curvature = np.einsum("ij,jk->ijk", p * others, np.eye(k))
    curvature -= p[:, :, None] * p[:, None, :] * off_diagonal
    complement = np.linalg.svd(np.ones((1, k)))[2][1:].T  # k × (k - 1), orthogonal to 1
    reduced = complement.T @ curvature @ complement
    values, vectors = np.linalg.eigh(reduced)
    roots = np.sqrt(np.clip(values, 0.0, None))  # rounding can leave tiny negative ones
    reduced_root = (vectors * roots[:, None, :]) @ vectors.transpose(0, 2, 1)
    return complement @ reduced_root @ complement.T


def gauss_newton_factor(model: MLP, X: Any, *, sample_weight: Any = None) -> np.ndarray:
    """``M``, stacked rows ``C_i^{1/2} J_i``, so that ``MᵀM`` is the Gauss–Newton matrix.

    ``MᵀM + Λ`` is the Gauss–Newton approximation of the Hessian of
    ``Σ_i w_i loss_i + (alpha / 2) Σ ‖coefs_‖²``, scikit-learn 1.9's objective multiplied by
    ``Σ_i w_i`` (the number of rows without weights). Checked in
    ``sklearn/neural_network/_multilayer_perceptron.py`` (``_backprop``): the penalty is
    ``0.5 * alpha * Σ ‖coefs_‖² / sw_sum`` on weights only, and the gradient is
    ``(aᵀ delta + alpha W) / sw_sum`` with ``delta = act(z) - y`` for every output. For log
    loss and Poisson, ``_base.py`` averages over rows and sums over outputs, matching that
    gradient. For squared error ``squared_loss`` also averages over the outputs, so with
    ``k > 1`` targets the reported loss is the gradient's objective divided by ``k``; training
    zeroes the gradient, so the fitted network is a stationary point of the sum over outputs,
    and that is the curvature used here (one per output).

    Returns
    -------
    ndarray of shape (n_rows * n_outputs, n_params)
        Row ``i * n_outputs + j`` belongs to row ``i``'s ``j``-th curvature direction.
    """
    X = _rows(model, X)
    jacobian, logits = _jacobian_and_logits(model, X)
    root = _curvature_root(model.out_activation_, logits)
    if root.ndim == 2:
        jacobian *= root[:, :, None]  # in place: the Jacobian is not needed again
    else:
        jacobian = root @ jacobian
    if sample_weight is not None:
        weight = np.asarray(sample_weight, dtype=float)
        if weight.shape != (len(X),) or np.any(weight < 0):
            raise ValueError("sample_weight must be one non-negative weight per row")
        jacobian *= np.sqrt(weight)[:, None, None]
    return jacobian.reshape(-1, jacobian.shape[2])


def effective_network_parameters(
    model: MLP, X: Any, *, alpha: float | None = None, sample_weight: Any = None
) -> float:
    """The effective number of parameters of a fitted network with L2 penalty ``alpha``.

    MacKay's Gauss–Newton count: the trace of ``(MᵀM + Λ)⁺ MᵀM`` (see the module docstring),
    between ``rank(M_b)`` (the biases alone, as ``alpha`` grows with the network held fixed)
    and ``rank(M)`` (at ``alpha = 0``), and never above the nominal count ``P``.

    Parameters
    ----------
    model : MLPClassifier or MLPRegressor
        A fitted network.
    X : array of shape (n_rows, n_features)
        The training rows exactly as the network saw them (already scaled; without the rows
        early stopping held out for validation).
    alpha : float, optional
        The penalty to count at; defaults to ``model.alpha``. The network is not refitted:
        other values describe the same fitted weights under another penalty.
    sample_weight : array of shape (n_rows,), optional
        The weights the network was fitted with, if any.

    Returns
    -------
    float
        The effective count, or NaN when the Jacobian would hold more than
        :data:`MAX_JACOBIAN_VALUES` values; callers then fall back to the nominal count.
    """
    alpha = float(model.alpha if alpha is None else alpha)
    if not alpha >= 0:
        raise ValueError(f"alpha must be non-negative, not {alpha}")
    X = _rows(model, X)
    n_params = parameter_count(model)
    if len(X) * model.n_outputs_ * n_params > MAX_JACOBIAN_VALUES:
        return math.nan
    M = gauss_newton_factor(model, X, sample_weight=sample_weight)
    if alpha == 0:
        return float(np.linalg.matrix_rank(M))

    n_weights = n_params - _bias_count(model)
    bias_part = M[:, n_weights:]
    # An orthonormal basis of the bias columns' span; numpy's matrix_rank tolerance decides
    # which directions are real (softmax outputs leave one exactly null per row).
    basis, singular, _ = np.linalg.svd(bias_part, full_matrices=False)
    tolerance = singular.max(initial=0.0) * max(bias_part.shape) * np.finfo(float).eps
    basis = basis[:, singular > tolerance]
    # (Q M_w)ᵀ: unpenalised biases absorb whatever they can span, so only the rest of each
    # weight column is shrunk by alpha. Transposed and contiguous because LAPACK's SVD runs
    # faster on it, and M is released before the SVD makes its own copy.
    projected = M[:, :n_weights].T.copy()
    del M, bias_part
    projected -= (projected @ basis) @ basis.T
    # Singular values of Q M_w rather than eigenvalues of a Gram matrix: squaring the matrix
    # would square its condition number, and the small directions are the ones alpha weighs.
    e = np.linalg.svd(projected, compute_uv=False) ** 2
    return float(basis.shape[1] + np.sum(e / (e + alpha)))
