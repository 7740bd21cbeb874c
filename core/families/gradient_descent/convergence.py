"""Why scikit-learn's SGD ran out of epochs, and which change lets it finish, checked.

scikit-learn 1.9's SGD stops once the mean objective over an epoch (each row's loss plus
``alpha ½‖w‖²``, summed as the rows are visited) has improved by less than ``tol`` for
``n_iter_no_change`` (5) epochs in a row; when ``max_iter`` epochs pass first, ``fit`` warns
"Maximum number of iteration reached before convergence. Consider increasing max_iter".
That advice can be wrong: under a decaying schedule the objective may keep creeping down by
more than ``tol`` for thousands of epochs, and ``tol`` is in the objective's own units (for
squared error, the target's units squared), so a default ``tol`` is tiny next to a large
target. :func:`convergence_check` does not guess: it refits the page's pipeline on the same
training rows with a longer ``max_iter`` and, when that does not finish either, with the
changes that could (the ``"adaptive"`` schedule, a larger ``tol``), and says in the user's
numbers which of them lets the walk stop by its own rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import clone

from core.data.tables import Dataset
from core.families.gradient_descent.family import (
    DIVERGED_LOSS_FACTOR,
    objective,
    ran_out_of_epochs,
    reference_model,
    training_loss,
)
from core.families.gradient_descent.specs import ETA0, MAX_ITER, TOL
from core.fitting import FitResult, model_features, recorded_warnings

#: Wall time the longer refit may take (estimated from the page's fit before running).
CHECK_SECONDS = 2.0
#: A larger ``tol`` tried when more epochs do not help: this many times the fit's.
TOL_FACTOR = 10


@dataclass(frozen=True)
class Trial:
    """One refit of the page's pipeline on its training rows with some values changed.

    Parameters
    ----------
    change : dict
        The hyperparameters changed from the page's fit, by scikit-learn name.
    max_iter : int
        The refit's ``max_iter``.
    epochs : int
        Epochs it ran (``n_iter_``).
    stopped : bool
        Whether its stopping rule fired before ``max_iter`` (no ConvergenceWarning).
    objective : float
        What SGD minimises (:func:`core.families.gradient_descent.family.objective`) at its end.
    """

    change: dict[str, Any]
    max_iter: int
    epochs: int
    stopped: bool
    objective: float


@dataclass(frozen=True)
class ConvergenceCheck:
    """What the refits showed about a fit that used all its epochs.

    Parameters
    ----------
    max_iter : int
        The page's ``max_iter`` (all used).
    tol : float
        The page's ``tol``.
    objective : float
        The page's fit's objective (mean loss plus ``alpha ½‖w‖²``, in the model's units).
    optimum : float or None
        The objective at its exact optimum (the closed-form model of the same penalty,
        :func:`core.families.gradient_descent.family.reference_model`); None when diverged.
    diverged : bool
        The fit's training loss is past :data:`DIVERGED_LOSS_FACTOR` times the all-zero
        model's: more epochs cannot help, and no refit was run.
    longer : Trial or None
        The refit with a longer ``max_iter``; None when there was no room (``max_iter`` at
        the spec's bound) or time (see :data:`CHECK_SECONDS`) for one.
    alternatives : tuple of Trial
        Refits with the page's ``max_iter`` and another schedule, ``tol`` or ``eta0``, run
        only when the longer refit did not finish (or could not run).
    repeatable : bool
        False when shuffle is on and ``random_state`` is none: every refit visits the rows
        in another order, so the epoch counts are one draw.
    sentence : str
        All of it in plain words with these numbers.
    """

    max_iter: int
    tol: float
    objective: float
    optimum: float | None
    diverged: bool
    longer: Trial | None
    alternatives: tuple[Trial, ...]
    repeatable: bool
    sentence: str


def _setting_text(change: dict[str, Any]) -> str:
    return ", ".join(
        f"{k} = '{v}'" if isinstance(v, str) else f"{k} = {v:g}" for k, v in change.items()
    )


def above(epochs: int) -> int:
    """A round ``max_iter`` strictly above ``epochs``: two significant digits (1477 -> 1500,
    337 -> 340, 99 -> 100). scikit-learn warns when ``n_iter_ == max_iter`` even if the
    rule fired on that very epoch, so the value must be larger than the epochs needed."""
    step = 10 ** max(len(str(max(epochs, 1))) - 2, 0)
    return (epochs // step + 1) * step


def round_up(x: float) -> float:
    """``x`` rounded up to one significant digit (0.742 -> 0.8, 1.48 -> 2)."""
    if not np.isfinite(x) or x <= 0:
        return 0.0
    scale = 10.0 ** math.floor(math.log10(x))
    return float(math.ceil(round(x / scale, 9)) * scale)


def _trial(fit: FitResult, dataset: Dataset, change: dict[str, Any], X_model: np.ndarray) -> Trial:
    """Refit the page's pipeline (imputer, scaler and all) on its training rows."""
    pipeline = clone(fit.pipeline)
    pipeline.set_params(**{f"model__{k}": v for k, v in change.items()})
    X, y = fit.split.train_rows(dataset)
    with recorded_warnings():  # the ConvergenceWarning is the answer here, read from n_iter_
        pipeline.fit(X, y)
    model = pipeline.named_steps["model"]
    max_iter = int(model.max_iter)
    epochs = int(np.max(model.n_iter_))
    with np.errstate(over="ignore", invalid="ignore"):
        value = objective(
            np.atleast_2d(model.coef_),
            np.atleast_1d(model.intercept_),
            X_model,
            y.to_numpy(),
            fit.task,
            float(model.alpha),
            getattr(model, "classes_", None),
        )
    return Trial(dict(change), max_iter, epochs, epochs < max_iter, value)


def convergence_check(
    fit: FitResult, dataset: Dataset, *, seconds: float = CHECK_SECONDS
) -> ConvergenceCheck | None:
    """Refit to find what lets an SGD fit that used all its epochs stop by its own rule.

    First the same setting with ``max_iter`` raised to ``MAX_ITER.high``, the most the page
    allows (fewer when that would take more than about ``seconds``, estimated from the
    page's fit). If that stops, the answer is a ``max_iter`` above its epoch count. If it
    does not, raising ``max_iter`` does not help, and the check refits with the page's
    ``max_iter`` and each of: learning_rate ``"adaptive"`` (unless already chosen); ``tol``
    at least :data:`TOL_FACTOR` times larger and past the objective's measured fall per
    epoch; and, when the objective was still falling (a crawl), ``eta0`` ten times larger.
    It reports which of them stop, and how far above the optimum's objective each ends.

    Parameters
    ----------
    fit : FitResult
        A fit of the gradient-descent family.
    dataset : Dataset
        The data it was fitted on (its training rows are refitted).
    seconds : float, default=2.0
        Budget for the longer refit.

    Returns
    -------
    ConvergenceCheck or None
        None when the fit stopped by its own rule (or ``tol`` is none, so it never stops
        early and nothing ran out).
    """
    if not ran_out_of_epochs(fit):
        return None
    values = fit.hyperparameters
    model = fit.model
    max_iter = int(values.get("max_iter", MAX_ITER.default))
    tol = float(values.get("tol", TOL.default))
    X_model = model_features(fit, dataset)
    y = dataset.y.iloc[fit.split.train].to_numpy()
    classes = getattr(model, "classes_", None)
    coef, intercept = np.atleast_2d(model.coef_), np.atleast_1d(model.intercept_)
    alpha = float(model.alpha)
    with np.errstate(over="ignore", invalid="ignore"):
        loss = training_loss(coef, intercept, X_model, y, fit.task, classes)
        value = objective(coef, intercept, X_model, y, fit.task, alpha, classes)
    zero = training_loss(
        np.zeros_like(coef), np.zeros_like(intercept), X_model, y, fit.task, classes
    )
    repeatable = not (values.get("shuffle", True) and values.get("random_state") is None)
    schedule = values.get("learning_rate")
    eta0 = float(values.get("eta0", ETA0.default))
    if not np.isfinite(loss) or loss > DIVERGED_LOSS_FACTOR * max(zero, 1e-300):
        sentence = (
            f"SGD diverged (its training loss is {loss:.3g}, against {zero:.3g} for an "
            "all-zero model), so more epochs cannot help. "
            + (
                "'optimal' starts with huge steps when alpha is small: choose 'constant' or "
                "'adaptive' with a small eta0"
                if schedule == "optimal"
                else f"Lower eta0 (now {eta0:g})"
            )
            + (", or standardise the features." if "scale" not in fit.pipeline.named_steps else ".")
        )
        return ConvergenceCheck(max_iter, tol, value, None, True, None, (), repeatable, sentence)
    with recorded_warnings():
        ref = reference_model(X_model, y, fit.task, alpha, classes)
    optimum = objective(ref.coef, ref.intercept, X_model, y, fit.task, alpha, classes)
    per_epoch = fit.fit_seconds / max(int(np.max(model.n_iter_)), 1)
    affordable = int(seconds / max(per_epoch, 1e-9))
    step = 10 ** max(len(str(max(affordable, 1))) - 2, 0)
    longest = min(MAX_ITER.high, affordable // step * step)  # two significant digits
    longer = _trial(fit, dataset, {"max_iter": longest}, X_model) if longest > max_iter else None
    alternatives: list[Trial] = []
    # Up to three refits with the page's max_iter, each about as long as the page's fit.
    if (longer is None or not longer.stopped) and 3 * fit.fit_seconds <= 2 * seconds:
        drop = (value - longer.objective) / (longer.max_iter - max_iter) if longer else None
        if schedule != "adaptive":
            alternatives.append(_trial(fit, dataset, {"learning_rate": "adaptive"}, X_model))
        # Past the measured fall per epoch, the rule can fire.
        larger = max(TOL_FACTOR * tol, round_up(2 * drop) if drop is not None else 0.0)
        alternatives.append(_trial(fit, dataset, {"tol": larger}, X_model))
        if schedule != "optimal" and (drop is None or drop > tol) and eta0 < ETA0.high:
            faster = min(10 * eta0, ETA0.high)
            alternatives.append(_trial(fit, dataset, {"eta0": faster}, X_model))
    sentence = _sentence(
        max_iter, tol, value, optimum, longer, alternatives, repeatable, fit.task, zero
    )
    return ConvergenceCheck(
        max_iter, tol, value, optimum, False, longer, tuple(alternatives), repeatable, sentence
    )


def _gap(value: float, optimum: float) -> str:
    return f"{value - optimum:.3g} above the optimum's"


def _sentence(
    max_iter: int,
    tol: float,
    value: float,
    optimum: float,
    longer: Trial | None,
    alternatives: list[Trial],
    repeatable: bool,
    task: str,
    zero: float,
) -> str:
    """The check in plain words: what was refitted, what stopped, what to change."""
    now = f"now {_gap(value, optimum)}"
    if longer is None and not alternatives:
        return (
            f"Refitting to check what would let SGD finish would take too long on these rows. "
            f"Its objective is now {_gap(value, optimum)}; raising max_iter helps only if the "
            "objective settles within the extra epochs, and a larger tol makes the rule fire "
            "sooner."
        )
    parts = ["Checked by refitting the same training rows:"]
    if longer is not None and longer.stopped:
        parts.append(
            f"with max_iter = {longer.max_iter:,} SGD stops by its own rule after "
            f"{longer.epochs:,} epochs, its objective then {_gap(longer.objective, optimum)} "
            f"({now}). So max_iter = {above(longer.epochs):,} (anything above "
            f"{longer.epochs:,}) lets it finish."
        )
    else:
        if longer is not None:
            drop = (value - longer.objective) / (longer.max_iter - max_iter)
            trend = (
                f"its objective still fell by {drop:.3g} per epoch on average from epoch "
                f"{max_iter:,} to {longer.max_iter:,}, more than tol = {tol:g}"
                if drop > tol
                else f"its objective after epoch {longer.max_iter:,} is "
                + (
                    f"{-drop * (longer.max_iter - max_iter):.3g} higher than"
                    if drop < 0
                    else "hardly lower than"
                )
                + f" after epoch {max_iter:,}: the steps bounce around the valley floor "
                "instead of settling"
            )
            parts.append(
                f"even max_iter = {longer.max_iter:,}, the most this page allows, runs out, "
                f"so raising max_iter does not help here: {trend}."
                if longer.max_iter >= MAX_ITER.high
                else f"even max_iter = {longer.max_iter:,} runs out (a longer check would take "
                f"too long on these rows): {trend}."
            )
        elif max_iter >= MAX_ITER.high:
            parts.append(f"max_iter = {max_iter:,} is already the most this page allows.")
        else:
            parts.append("a longer max_iter would take too long to check on these rows.")
        units = "the target's units squared" if task == "regression" else "log-loss units"
        parts.append(
            f"The rule compares the epoch's mean objective with tol, in {units}: the "
            f"objective is {value:.4g} here ({now}), so tol = {tol:g} asks for a change of "
            f"{tol / max(abs(value), 1e-300):.2g} of it."
        )
        finished = [
            a
            for a in alternatives
            if a.stopped and np.isfinite(a.objective) and a.objective < DIVERGED_LOSS_FACTOR * zero
        ]
        if finished:
            parts.append(
                f"What does let it finish within max_iter = {max_iter:,}: "
                + "; ".join(
                    f"{_setting_text(a.change)} stops after {a.epochs:,} epochs, "
                    f"{_gap(a.objective, optimum)}"
                    for a in finished
                )
                + "."
            )
        if any(a.change.get("learning_rate") == "adaptive" for a in finished):
            parts.append(
                "'adaptive' divides the step by 5 each time the objective stalls, until it "
                "falls below 1e-6, so the walk settles and the rule fires."
            )
        others = [a for a in alternatives if a not in finished]
        if others:
            names = [_setting_text(a.change) for a in others]
            either = " either" if not finished else ""
            parts.append(
                f"Neither {' nor '.join(names)} stops within max_iter = {max_iter:,}{either}."
                if len(names) > 1
                else f"{names[0]} does not stop within max_iter = {max_iter:,}{either}."
            )
        if not finished:
            parts.append(
                "With tol = none SGD runs exactly max_iter epochs and does not warn; the "
                "interpretation below says how far from the optimum that leaves the "
                "coefficients."
            )
    if not repeatable:
        parts.append(
            "random_state is none and shuffle is on, so every refit visits the rows in "
            "another order: these epoch counts are one draw."
        )
    return " ".join(parts)
