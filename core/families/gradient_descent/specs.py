"""SGD's hyperparameter specs (learning rate and schedule, penalty, stopping), the
classifier's own defaults."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from core.specs import ParamSpec

#: The learning-rate schedules offered. scikit-learn 1.9 also has ``"pa1"`` and ``"pa2"``
#: (passive-aggressive steps), but only for the hinge and epsilon-insensitive losses, which
#: this family does not use: scikit-learn rejects them with squared error and log loss.
LEARNING_RATES = ("constant", "optimal", "invscaling", "adaptive")


def _decaying_by_power(values: dict[str, Any]) -> bool:
    """power_t is read only by the 'invscaling' schedule (a named function: specs travel
    inside cached fits, which are pickled)."""
    return values.get("learning_rate") == "invscaling"


def _shuffled(values: dict[str, Any]) -> bool:
    """random_state is read only to shuffle the rows."""
    return bool(values.get("shuffle", True))


ETA0 = ParamSpec(
    name="eta0",
    label="eta0 (initial learning rate)",
    kind="float",
    default=0.01,
    start=0.002,
    low=1e-6,
    high=10.0,
    log=True,
    step=0.001,
    role="optimizer",
    help="The step size at the start, for the 'constant', 'invscaling' and 'adaptive' "
    "schedules ('optimal' ignores it). Too small crawls; too large overshoots the valley "
    "and can diverge, most easily on unscaled features. The page starts at 0.002 with a "
    "constant schedule (scikit-learn: 0.01, decaying): on the built-in data sets that walk "
    "settles near the optimum and stops by its own rule.",
)
LEARNING_RATE = ParamSpec(
    name="learning_rate",
    label="learning_rate (schedule)",
    kind="choice",
    default="invscaling",
    start="constant",
    choices=LEARNING_RATES,
    choice_labels=(
        "constant: eta = eta0",
        "optimal: eta = 1 / (alpha (t + t0))",
        "invscaling: eta = eta0 / t^power_t",
        "adaptive: eta0, divided by 5 when progress stalls",
    ),
    role="optimizer",
    help="How the step size changes over the updates (t counts rows seen, from 1). "
    "'optimal' starts large when alpha is small and can overshoot badly on unscaled data; "
    "'adaptive' divides the step by 5 each time tol is missed n_iter_no_change times. The "
    "page starts at 'constant': with rows in a fixed order a constant step settles into a "
    "small loop near the optimum, so the stopping rule fires; 'invscaling' (scikit-learn's "
    "default) keeps shrinking the step, and on diabetes it can creep on for thousands of "
    "epochs before tol stops it.",
)
POWER_T = ParamSpec(
    name="power_t",
    label="power_t (decay exponent)",
    kind="float",
    default=0.25,
    low=0.0,
    high=2.0,
    step=0.05,
    role="optimizer",
    help="For 'invscaling': eta = eta0 / t^power_t, with t the number of rows seen. 0 keeps "
    "the step constant; larger values shrink it faster (0.5 halves it by t = 4).",
    used_when=_decaying_by_power,
)
MAX_ITER = ParamSpec(
    name="max_iter",
    label="max_iter (epochs)",
    kind="int",
    default=1000,
    low=1,
    high=10_000,
    step=50,
    role="optimizer",
    help="Most passes over the training rows. The walk stops earlier once the epoch's mean "
    "objective (loss plus the alpha penalty) has failed to improve by tol for 5 epochs in "
    "a row; running out first is what scikit-learn's ConvergenceWarning means, and the page "
    "then checks whether more epochs would help.",
)
ALPHA = ParamSpec(
    name="alpha",
    label="alpha (L2 penalty)",
    kind="float",
    default=0.0001,
    low=0.0,
    high=10.0,
    log=True,
    step=0.0001,
    help="Strength of the L2 penalty alpha * ½ ||w||² added to the mean loss. It moves the "
    "optimum: SGD heads for Ridge(alpha = n × alpha) or LogisticRegression(C = 1 / (n × "
    "alpha)). 'optimal' also uses it to set the step size, and needs it above 0.",
)
TOL = ParamSpec(
    name="tol",
    label="tol (stopping tolerance)",
    kind="float",
    default=0.001,
    low=0.0,
    high=1.0,
    log=True,
    step=0.001,
    nullable=True,
    role="optimizer",
    help="Stop when the epoch's mean objective (loss plus the alpha penalty) has not "
    "improved by tol for 5 epochs in a row; 'none' always runs max_iter epochs. tol is in "
    "the objective's units: for squared error the target's units squared, so on a target "
    "in the hundreds 0.001 is a tiny change.",
)
SHUFFLE = ParamSpec(
    name="shuffle",
    label="shuffle (each epoch)",
    kind="bool",
    default=True,
    start=False,
    role="optimizer",
    help="Visit the rows in a new random order every epoch. The page starts with it off: "
    "the training rows are already in random order after the split, and without "
    "reshuffling the per-epoch trajectory replays this exact fit.",
)
RANDOM_STATE = ParamSpec(
    name="random_state",
    label="random_state (shuffling seed)",
    kind="int",
    default=None,
    start=0,
    low=0,
    high=2**32 - 1,
    step=1,
    nullable=True,
    role="optimizer",
    help="Seed of the row order when shuffling; 'none' draws a new order on every fit. The "
    "page starts at 0 so a fit can be repeated.",
    # scikit-learn's SGD reads it only to shuffle (this page offers no early_stopping split).
    used_when=_shuffled,
)

#: Every hyperparameter, in widget order, with the regressor's defaults.
HYPERPARAMETERS = (ETA0, LEARNING_RATE, POWER_T, MAX_ITER, ALPHA, TOL, SHUFFLE, RANDOM_STATE)
#: Their names: both estimators take all of them.
SGD_HYPERPARAMETERS = tuple(spec.name for spec in HYPERPARAMETERS)
#: Where ``SGDClassifier`` differs from ``SGDRegressor``: scikit-learn's defaults (the
#: page starts both at ``"constant"``). The classifier's default, "optimal", begins with
#: steps of about 10 for alpha=1e-4 (1 / (alpha t0) with t0 = 1 / (10 alpha)): on the
#: built-in sets it ends further from the optimum than "constant", and its huge first steps
#: magnify rounding until the epoch-by-epoch replay drifts from the fit.
CLASSIFIER_DEFAULTS: dict[str, dict[str, Any]] = {
    "learning_rate": {"default": "optimal"},
    "power_t": {"default": 0.5},
}
#: The classifier's own versions of those specs (its ``EstimatorSpec.overrides``).
CLASSIFIER_SPECS = tuple(
    replace(spec, **CLASSIFIER_DEFAULTS[spec.name])
    for spec in HYPERPARAMETERS
    if spec.name in CLASSIFIER_DEFAULTS
)
