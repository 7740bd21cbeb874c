"""The two-parameter optimiser: learning-rate schedules, momentum, Nesterov, mini-batches.

Written out in numpy because no scikit-learn estimator exposes a two-parameter walk with
momentum and batches; its momentum and Nesterov updates are those of scikit-learn's MLP
``sgd`` solver (``v ← μ v − η g``; ``θ ← θ + v``, or with Nesterov ``θ ← θ + μ v − η g``).
Every run stops safely: at the epochs asked for, at :data:`MAX_STEPS` updates, or at
divergence, and every array it returns is finite.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy.special import expit

from core.families.gradient_descent.loss import SquaredErrorMoments, evaluate, loss_value
from core.families.gradient_descent.problem import DescentProblem

#: Most parameter updates one run makes (one row per update on 442 rows for 45 epochs),
#: so a link cannot ask for minutes of work.
MAX_STEPS = 20_000
#: A run diverged once its full-data loss exceeds this multiple of the loss at the start.
DIVERGENCE_FACTOR = 1e6

Schedule = Literal["constant", "invscaling", "step_decay"]


@dataclass(frozen=True)
class DescentSettings:
    """One run of the two-parameter optimiser.

    Parameters
    ----------
    eta0 : float
        Initial learning rate.
    schedule : {"constant", "invscaling", "step_decay"}
        ``constant``: ``η = eta0``. ``invscaling``: ``η_t = eta0 / t^power_t`` with ``t``
        the update number from 1 (scikit-learn's SGD formula, whose ``t`` counts rows since
        it updates once per row). ``step_decay``: ``η = eta0 · drop^⌊epoch / every⌋``, with
        ``epoch`` counted from 0.
    power_t, drop, every : float, float, int
        Schedule parameters.
    momentum : float in [0, 0.99]
        ``μ``: ``v ← μ v − η g``, then ``θ ← θ + v``.
    nesterov : bool
        Nesterov's momentum, in scikit-learn's MLP form: ``θ ← θ + μ v − η g`` after the
        velocity update (classical Nesterov evaluated at the look-ahead point).
    batch_size : int or None
        Rows per update; ``None`` is the full batch. The rows are reshuffled every epoch
        (seeded by ``seed``); the last batch of an epoch may be smaller.
    epochs : int
        Passes over the data.
    slope0, intercept0 : float
        Start point.
    seed : int
        Seed of the row order.
    """

    eta0: float = 0.05
    schedule: Schedule = "constant"
    power_t: float = 0.5
    drop: float = 0.5
    every: int = 50
    momentum: float = 0.0
    nesterov: bool = False
    batch_size: int | None = None
    epochs: int = 200
    slope0: float = 0.0
    intercept0: float = 0.0
    seed: int = 0


def learning_rates(settings: DescentSettings, n_steps: int, steps_per_epoch: int) -> np.ndarray:
    """The learning rate of each update ``t = 1 .. n_steps`` (see :class:`DescentSettings`)."""
    t = np.arange(1, n_steps + 1, dtype=float)
    if settings.schedule == "invscaling":
        return settings.eta0 / t**settings.power_t
    if settings.schedule == "step_decay":
        epoch = (np.arange(n_steps) // steps_per_epoch).astype(float)
        return settings.eta0 * settings.drop ** np.floor(epoch / settings.every)
    return np.full(n_steps, float(settings.eta0))


@dataclass(frozen=True, eq=False)
class DescentPath:
    """A run of the optimiser, every array finite.

    Parameters
    ----------
    params : ndarray of shape (T + 1, 2)
        (slope, intercept) at the start and after each update.
    loss : ndarray of shape (T + 1,)
        Full-data loss at each point (whatever the batch size).
    grad_norm : ndarray of shape (T + 1,)
        Norm of the full-data gradient at each point.
    learning_rate : ndarray of shape (T,)
        The rate of each update.
    epoch : ndarray of shape (T + 1,)
        Epochs completed at each point (fractions within an epoch).
    steps_per_epoch, batch_size : int
    diverged : bool
    stop : {"epochs", "cap", "diverged"}
        Why it stopped: every epoch ran, the :data:`MAX_STEPS` cap, or divergence.
    message : str
        The reason in a sentence.
    settings : DescentSettings
    """

    params: np.ndarray
    loss: np.ndarray
    grad_norm: np.ndarray
    learning_rate: np.ndarray
    epoch: np.ndarray
    steps_per_epoch: int
    batch_size: int
    diverged: bool
    stop: Literal["epochs", "cap", "diverged"]
    message: str
    settings: DescentSettings

    @property
    def n_steps(self) -> int:
        """Updates made (T)."""
        return len(self.params) - 1

    @property
    def final(self) -> np.ndarray:
        """Where the run ended: ``[slope, intercept]``."""
        return self.params[-1]


def _batch_gradient(
    squared: bool, w: float, b: float, xb: np.ndarray, yb: np.ndarray
) -> tuple[float, float]:
    """Mean gradient over one batch of rows."""
    z = w * xb + b
    r = z - yb if squared else expit(z) - yb
    return float(np.dot(r, xb)) / len(xb), float(r.sum()) / len(xb)


def _row_gradient(squared: bool, w: float, b: float, xi: float, yi: float) -> tuple[float, float]:
    """The gradient on one row, in plain floats (one-row batches run 20,000 of these)."""
    z = w * xi + b
    if squared:
        r = z - yi
    elif z >= 0:
        r = 1.0 / (1.0 + math.exp(-z)) - yi
    else:
        e = math.exp(z)  # z < 0: no overflow, unlike exp(-z)
        r = e / (1.0 + e) - yi
    return r * xi, r


def run_descent(problem: DescentProblem, settings: DescentSettings) -> DescentPath:
    """Walk from the start point by (mini-batch) gradient descent and record every step.

    Each update takes the mean gradient over its batch, ``g``, the rate ``η_t`` of
    :func:`learning_rates`, and moves ``v ← μ v − η_t g``; ``θ ← θ + v`` (with Nesterov:
    ``θ ← θ + μ v − η_t g``). The run stops after ``settings.epochs`` epochs, at
    :data:`MAX_STEPS` updates, or once the full-data loss exceeds
    :data:`DIVERGENCE_FACTOR` times the start loss or stops being finite; the returned
    arrays then end at the last finite step, and ``message`` says so. Never raises for a
    large rate and never returns NaN or inf.
    """
    x, y, n = problem.x, problem.y, problem.n
    batch = n if settings.batch_size is None else max(1, min(int(settings.batch_size), n))
    steps_per_epoch = math.ceil(n / batch)
    planned = settings.epochs * steps_per_epoch
    total = min(planned, MAX_STEPS)
    rates = learning_rates(settings, total, steps_per_epoch)
    rng = np.random.default_rng(settings.seed)
    mu = float(settings.momentum)
    w, b = float(settings.slope0), float(settings.intercept0)
    vw = vb = 0.0
    params = np.empty((total + 1, 2))
    params[0] = w, b
    start_loss = float(loss_value(problem, w, b))
    limit = DIVERGENCE_FACTOR * max(start_loss, 1e-12)
    squared = problem.loss == "squared_error"
    # Squared error's full-data loss is a quadratic in (w, b): its moments let every step
    # be checked for divergence in constant time. The log loss's gradient is bounded, so
    # its parameters grow at most linearly and are checked once the run is over.
    moments = SquaredErrorMoments.of(x, y) if squared else None
    if batch == 1:
        gradient: Any = _row_gradient
    elif squared and batch == n:
        gradient = moments.gradient  # the full batch in constant time
    else:
        gradient = _batch_gradient
    k = 0
    blown = False
    while k < total and not blown:
        order = rng.permutation(n) if batch < n else None
        xe = x if order is None else x[order]
        ye = y if order is None else y[order]
        if batch == 1:
            batches = zip(xe.tolist(), ye.tolist(), strict=True)
        else:
            batches = ((xe[i : i + batch], ye[i : i + batch]) for i in range(0, n, batch))
        for xb, yb in batches:
            if k >= total:
                break
            gw, gb = gradient(squared, w, b, xb, yb)
            eta = rates[k]
            vw, vb = mu * vw - eta * gw, mu * vb - eta * gb
            if settings.nesterov:
                w, b = w + mu * vw - eta * gw, b + mu * vb - eta * gb
            else:
                w, b = w + vw, b + vb
            k += 1
            params[k] = w, b
            if not (math.isfinite(w) and math.isfinite(b)):
                blown = True
            elif moments is not None:
                quad = moments.loss(w, b)
                blown = not math.isfinite(quad) or quad > limit
            if blown:
                break
    params = params[: k + 1]
    finite = np.isfinite(params).all(axis=1)
    params = params[: int(np.argmin(finite)) if not finite.all() else len(params)]
    loss, gw, gb = evaluate(problem, params[:, 0], params[:, 1])
    bad = ~np.isfinite(loss) | (loss > limit) | ~np.isfinite(gw) | ~np.isfinite(gb)
    diverged = bool(bad.any()) or len(params) < k + 1
    if bad.any():
        first = int(np.argmax(bad))
        # Keep the first step past the limit when its values are finite: it shows the jump.
        end = first + 1 if np.isfinite(loss[first]) and np.isfinite(gw[first]) else first
        end = max(end, 1)
        params, loss, gw, gb = params[:end], loss[:end], gw[:end], gb[:end]
    steps = len(params) - 1
    epoch = np.arange(steps + 1) / steps_per_epoch
    if diverged:
        message = (
            f"Diverged at update {steps:,} (epoch {epoch[-1]:.3g}): the loss grew past "
            f"{DIVERGENCE_FACTOR:.0e} times its start value ({start_loss:.4g}), so the run "
            "was stopped there. Each step overshoots the valley by more than the last."
        )
        stop: Literal["epochs", "cap", "diverged"] = "diverged"
    elif planned > MAX_STEPS:
        message = (
            f"Stopped at the view's cap of {MAX_STEPS:,} updates ({epoch[-1]:.3g} of "
            f"{settings.epochs} epochs at {steps_per_epoch} updates per epoch); use fewer "
            "epochs or larger batches to see the whole run."
        )
        stop = "cap"
    else:
        message = (
            f"Ran all {settings.epochs} epochs: {steps:,} updates of {batch} "
            f"row{'s' if batch > 1 else ''} each."
        )
        stop = "epochs"
    return DescentPath(
        params=params,
        loss=loss,
        grad_norm=np.hypot(gw, gb),
        learning_rate=rates[:steps],
        epoch=epoch,
        steps_per_epoch=steps_per_epoch,
        batch_size=batch,
        diverged=diverged,
        stop=stop,
        message=message,
        settings=settings,
    )
