"""Loss, gradient and Hessian of the two-parameter problem, its exact optimum, and the loss
on a grid for a contour plot.

The exact optimum comes from the normal equations (squared error) or from scikit-learn's
``LogisticRegression(C=inf)`` converged to ``tol=1e-12`` (log loss).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.special import expit
from sklearn.linear_model import LogisticRegression

from core.families.gradient_descent.problem import DescentProblem
from core.fitting import recorded_warnings

if TYPE_CHECKING:  # a path only sets the surface's window
    pass
#: Parameter-grid points times rows evaluated at once (memory of one chunk: 16 MB).
_CHUNK_CELLS = 2_000_000


def _softplus(z: np.ndarray) -> np.ndarray:
    """``log(1 + e^z)`` without overflow: ``max(z, 0) + log1p(e^−|z|)``, in place on a
    copy (twice as fast as ``np.logaddexp(0, z)`` on a 60 × 60 grid)."""
    out = np.abs(z)
    np.negative(out, out=out)
    np.exp(out, out=out)
    np.log1p(out, out=out)
    out += np.maximum(z, 0.0)
    return out


def evaluate(
    problem: DescentProblem, slope: Any, intercept: Any, *, gradient: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Full-data loss and gradient at many parameter points at once.

    Parameters
    ----------
    problem : DescentProblem
    slope, intercept : array-like
        Parameter values, broadcast together to one shape.
    gradient : bool, default=True
        Compute the gradient too (False leaves it as zeros, for a faster surface).

    Returns
    -------
    loss, grad_slope, grad_intercept : ndarray
        Of the broadcast shape. Squared error: ``∂L/∂w = mean(r x)``, ``∂L/∂b = mean(r)``
        with ``r = w x + b − y``; log loss the same with ``r = sigmoid(w x + b) − y``.
        Computed in chunks of parameter points, so a 60 × 60 grid on thousands of rows
        stays within a few megabytes.
    """
    w, b = np.broadcast_arrays(np.asarray(slope, dtype=float), np.asarray(intercept, dtype=float))
    shape = w.shape
    w, b = w.ravel(), b.ravel()
    loss, gw, gb = np.empty(w.size), np.zeros(w.size), np.zeros(w.size)
    x, y = problem.x, problem.y
    step = max(1, _CHUNK_CELLS // max(problem.n, 1))
    for start in range(0, w.size, step):
        part = slice(start, start + step)
        z = w[part, None] * x + b[part, None]
        if problem.loss == "squared_error":
            r = z - y
            loss[part] = 0.5 * np.mean(r * r, axis=1)
        else:
            # mean(y z) = w mean(x y) + b mean(y): no second pass over the chunk.
            loss[part] = _softplus(z).mean(axis=1) - (
                w[part] * np.mean(x * y) + b[part] * np.mean(y)
            )
            r = expit(z) - y if gradient else z
        if gradient:
            gw[part] = np.mean(r * x, axis=1)
            gb[part] = np.mean(r, axis=1)
    return loss.reshape(shape), gw.reshape(shape), gb.reshape(shape)


def loss_value(problem: DescentProblem, slope: Any, intercept: Any) -> np.ndarray:
    """Full-data loss at parameter points (see :func:`evaluate`)."""
    return evaluate(problem, slope, intercept, gradient=False)[0]


def loss_gradient(problem: DescentProblem, slope: float, intercept: float) -> np.ndarray:
    """Full-data gradient ``(∂L/∂w, ∂L/∂b)`` at one point (see :func:`evaluate`)."""
    _, gw, gb = evaluate(problem, slope, intercept)
    return np.array([float(gw), float(gb)])


def hessian(problem: DescentProblem, slope: float = 0.0, intercept: float = 0.0) -> np.ndarray:
    """The 2 × 2 Hessian of the loss.

    Squared error: ``[[mean x², mean x], [mean x, 1]]``, the same at every point.
    Log loss: the same moments weighted by ``p (1 − p)`` at the given point, with
    ``p = sigmoid(w x + b)``.
    """
    x = problem.x
    weight = np.ones_like(x)
    if problem.loss == "log_loss":
        p = expit(slope * x + intercept)
        weight = p * (1.0 - p)
    sx, sxx = np.mean(weight * x), np.mean(weight * x * x)
    return np.array([[sxx, sx], [sx, np.mean(weight)]])


def hessian_squared_moments(problem: DescentProblem) -> np.ndarray:
    """``[[mean x², mean x], [mean x, 1]]``: the squared-error Hessian, and four times an
    upper bound of the log-loss Hessian."""
    x = problem.x
    return np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])


@dataclass(frozen=True)
class Optimum:
    """The exact minimiser of the loss: ``slope``, ``intercept``, its ``loss`` and the
    ``method`` that found it (a sentence)."""

    slope: float
    intercept: float
    loss: float
    method: str

    @property
    def point(self) -> np.ndarray:
        """``[slope, intercept]``."""
        return np.array([self.slope, self.intercept])


def optimum(problem: DescentProblem) -> Optimum:
    """The exact optimum of the two-parameter loss.

    Squared error: the normal equations ``[[Σx², Σx], [Σx, n]] (w, b) = (Σxy, Σy)``,
    solved in centred form (``w = cov(x, y) / var(x)``, ``b = mean(y) − w mean(x)``),
    which avoids the cancellation of the raw sums on unscaled features. Log loss:
    scikit-learn's ``LogisticRegression(C=inf, solver="newton-cholesky", tol=1e-12)`` on
    the one feature (no penalty: the plain mean log loss).
    """
    x, y = problem.x, problem.y
    if problem.loss == "squared_error":
        dx = x - x.mean()
        slope = float(np.dot(dx, y - y.mean()) / np.dot(dx, dx))
        intercept = float(y.mean() - slope * x.mean())
        method = "normal equations (closed form)"
    else:
        with recorded_warnings():
            model = LogisticRegression(
                C=math.inf, solver="newton-cholesky", tol=1e-12, max_iter=1000
            ).fit(x[:, None], y.astype(int))
        slope, intercept = float(model.coef_[0, 0]), float(model.intercept_[0])
        method = "scikit-learn LogisticRegression(C=inf, newton-cholesky, tol=1e-12)"
    return Optimum(slope, intercept, float(loss_value(problem, slope, intercept)), method)


@dataclass(frozen=True)
class SquaredErrorMoments:
    """Centred moments of (x, y): squared error's loss and gradient at any (w, b) in
    constant time, without the cancellation of raw sums on an unscaled feature."""

    x_mean: float
    y_mean: float
    x_var: float
    y_var: float
    xy_cov: float

    @classmethod
    def of(cls, x: np.ndarray, y: np.ndarray) -> SquaredErrorMoments:
        dx, dy = x - x.mean(), y - y.mean()
        return cls(
            float(x.mean()),
            float(y.mean()),
            float(np.mean(dx * dx)),
            float(np.mean(dy * dy)),
            float(np.mean(dx * dy)),
        )

    def loss(self, w: Any, b: Any) -> Any:
        """``½ mean((w x + b − y)²) = ½ [var(y − w x) + (mean residual)²]``."""
        shift = w * self.x_mean + b - self.y_mean
        spread = self.y_var - 2 * w * self.xy_cov + w * w * self.x_var
        return 0.5 * (np.maximum(spread, 0.0) + shift * shift)

    def gradient(self, squared: bool, w: float, b: float, *_: Any) -> tuple[float, float]:
        """``(mean(r x), mean(r))`` with ``r = w x + b − y``, from the moments."""
        shift = w * self.x_mean + b - self.y_mean
        return w * self.x_var - self.xy_cov + self.x_mean * shift, shift
