"""Hyperparameter specs every linear family shares (fit_intercept, the stopping tolerance)."""

from __future__ import annotations

from core.specs import ParamSpec

FIT_INTERCEPT = ParamSpec(
    name="fit_intercept",
    label="fit_intercept",
    kind="bool",
    default=True,
    help="Learn an intercept. Off forces the fitted plane through the origin.",
)

TOL = ParamSpec(
    name="tol",
    label="tol (stopping tolerance)",
    kind="float",
    default=1e-4,
    low=1e-12,
    high=0.1,
    log=True,
    step=1e-4,
    role="optimizer",
    help="The solver stops once its progress falls below this. Smaller values find the "
    "optimum more precisely and take longer; the optimum itself does not change.",
)
