"""The model-family registry: one declarative spec per page.

Widgets, URL keys, fitting, parameter extraction and tests are generated from these specs;
pages look a family up by its stable id and never branch on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge

from core.specs import ParamSpec

Task = Literal["regression", "classification"]


@dataclass(frozen=True)
class EstimatorSpec:
    """One scikit-learn estimator a family offers.

    Parameters
    ----------
    id : str
        Stable id, used as the ``estimator`` URL value.
    label : str
        Display name.
    estimator : type
        The scikit-learn estimator class.
    hyperparameters : tuple of str
        Names of the family's hyperparameter specs this estimator takes.
    summary : str
        One sentence on what it does differently.
    resolve : callable, optional
        ``resolve(values) -> values``: fills values that follow from others (such as an
        automatic solver) so that scikit-learn only ever sees a valid combination.
    """

    id: str
    label: str
    estimator: type[BaseEstimator]
    hyperparameters: tuple[str, ...]
    summary: str
    resolve: Callable[[dict[str, Any]], dict[str, Any]] | None = field(default=None, repr=False)

    def estimator_params(self, values: dict[str, Any]) -> dict[str, Any]:
        """The keyword arguments passed to scikit-learn for these hyperparameter values."""
        params = {k: values[k] for k in self.hyperparameters if k in values}
        return self.resolve(params) if self.resolve else params

    def make(self, values: dict[str, Any]) -> BaseEstimator:
        """Return an unfitted estimator with the given hyperparameters (others ignored)."""
        return self.estimator(**self.estimator_params(values))


@dataclass(frozen=True)
class FamilySpec:
    """A model family: one page of the app.

    Parameters
    ----------
    id : str
        Stable id; also the page's URL path and ``app_pages/<id>.py``.
    title, icon : str
        Navigation title and Material icon.
    task : {"regression", "classification"}
        Which data sets fit the family.
    summary : str
        One sentence for the home page.
    estimators : tuple of EstimatorSpec
        The estimators offered; the first is the default.
    hyperparameters : tuple of ParamSpec
        Every hyperparameter any of the estimators takes.
    learned : str
        Which fitted attributes are the learned parameters, in scikit-learn's names.
    default_dataset : str
        Data-set id used by default and for the home page's parameter counts.
    """

    id: str
    title: str
    icon: str
    task: Task
    summary: str
    estimators: tuple[EstimatorSpec, ...]
    hyperparameters: tuple[ParamSpec, ...]
    learned: str
    default_dataset: str

    @property
    def page_path(self) -> str:
        """Path of the page script, relative to the repository root."""
        return f"app_pages/{self.id}.py"

    @property
    def estimator_spec(self) -> ParamSpec:
        """The ``estimator`` choice as a spec, so it is a widget and URL key like the rest."""
        return ParamSpec(
            name="estimator",
            label="Estimator",
            kind="choice",
            default=self.estimators[0].id,
            choices=tuple(e.id for e in self.estimators),
            choice_labels=tuple(e.label for e in self.estimators),
            help=" ".join(f"{e.label}: {e.summary}" for e in self.estimators),
        )

    def get_estimator(self, estimator_id: str) -> EstimatorSpec:
        """Return the estimator spec with this id; raise ``KeyError`` if absent."""
        for spec in self.estimators:
            if spec.id == estimator_id:
                return spec
        raise KeyError(f"{self.id} has no estimator {estimator_id!r}")

    def hyperparameters_for(self, estimator_id: str) -> tuple[ParamSpec, ...]:
        """The hyperparameter specs the given estimator takes, in family order."""
        names = self.get_estimator(estimator_id).hyperparameters
        return tuple(p for p in self.hyperparameters if p.name in names)


ALPHA = ParamSpec(
    name="alpha",
    label="alpha (penalty strength)",
    kind="float",
    default=1.0,
    low=1e-6,
    high=1e6,
    log=True,
    step=0.1,
    help="How strongly large coefficients are penalised. 0 would be ordinary least squares; "
    "larger values pull every coefficient toward zero (and Lasso sets some exactly to zero).",
)
L1_RATIO = ParamSpec(
    name="l1_ratio",
    label="l1_ratio (L1 share of the penalty)",
    kind="float",
    default=0.5,
    low=0.0,
    high=1.0,
    step=0.05,
    help="Elastic net's mix: 0 is a pure L2 (ridge) penalty, 1 a pure L1 (lasso) penalty.",
)
FIT_INTERCEPT = ParamSpec(
    name="fit_intercept",
    label="fit_intercept",
    kind="bool",
    default=True,
    help="Learn an intercept. Off forces the fitted plane through the origin.",
)
MAX_ITER = ParamSpec(
    name="max_iter",
    label="max_iter (solver iterations)",
    kind="int",
    default=1000,
    low=1,
    high=100_000,
    step=100,
    role="optimizer",
    help="Coordinate-descent iterations before giving up. It changes only how the optimum "
    "is searched for, not which model is best; too few leaves the fit unconverged.",
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

LINEAR_REGRESSION = FamilySpec(
    id="linear_regression",
    title="Linear regression",
    icon=":material/show_chart:",
    task="regression",
    summary="A weighted sum of the features; penalties trade fit for smaller coefficients.",
    estimators=(
        EstimatorSpec(
            "ols",
            "Ordinary least squares",
            LinearRegression,
            ("fit_intercept",),
            "minimises squared error with no penalty.",
        ),
        EstimatorSpec(
            "ridge",
            "Ridge (L2)",
            Ridge,
            ("alpha", "fit_intercept"),
            "adds alpha times the sum of squared coefficients.",
        ),
        EstimatorSpec(
            "lasso",
            "Lasso (L1)",
            Lasso,
            ("alpha", "fit_intercept", "max_iter", "tol"),
            "adds alpha times the sum of absolute coefficients, zeroing some out.",
        ),
        EstimatorSpec(
            "elasticnet",
            "Elastic net (L1 + L2)",
            ElasticNet,
            ("alpha", "l1_ratio", "fit_intercept", "max_iter", "tol"),
            "mixes the two penalties by l1_ratio.",
        ),
    ),
    hyperparameters=(ALPHA, L1_RATIO, FIT_INTERCEPT, MAX_ITER, TOL),
    learned="coef_ (one weight per feature) and intercept_",
    default_dataset="diabetes",
)

# --- logistic regression ----------------------------------------------------------------
#: Solvers by the penalties they support (scikit-learn 1.9); "auto" picks among them.
SOLVERS_L2_ONLY = ("lbfgs", "newton-cg", "newton-cholesky", "sag")
SOLVERS_ANY_PENALTY = ("saga",)


def valid_solvers(C: float, l1_ratio: float) -> tuple[str, ...]:
    """Solvers that accept this penalty. No penalty (``C=inf``) or pure L2 (``l1_ratio=0``)
    suits every L2 solver; any L1 share needs ``saga``. (``liblinear`` is left out: it is
    binary-only and fits its intercept with a penalty.)"""
    if np.isinf(C) or l1_ratio == 0:
        return (*SOLVERS_L2_ONLY, *SOLVERS_ANY_PENALTY)
    return SOLVERS_ANY_PENALTY


def resolve_logistic(values: dict[str, Any]) -> dict[str, Any]:
    """Pick the solver for ``solver="auto"`` (lbfgs when it can, else saga), map the
    ``class_weight`` choice ``"none"`` to ``None``, drop the L1 share when there is no
    penalty, seed the shuffling solvers, and reject a solver that cannot handle the penalty
    with a plain sentence."""
    out = dict(values)
    C, l1_ratio = out.get("C", 1.0), out.get("l1_ratio", 0.0)
    allowed = valid_solvers(C, l1_ratio)
    solver = out.get("solver", "auto")
    if solver == "auto":
        out["solver"] = allowed[0]
    elif solver not in allowed:
        raise ValueError(
            f"The {solver} solver cannot fit an L1 share of {l1_ratio:g}; use "
            f"{' or '.join(allowed)}, or set l1_ratio to 0."
        )
    if out.get("class_weight") == "none":
        out["class_weight"] = None
    if np.isinf(C) and "l1_ratio" in out:
        # Without a penalty the mix means nothing, and scikit-learn warns if it is set.
        out["l1_ratio"] = 0.0
    if out["solver"] in ("sag", "saga"):
        # These solvers shuffle; a fixed seed makes every fit (and its script) reproducible.
        out["random_state"] = 0
    return out


LOGISTIC_REGRESSION = FamilySpec(
    id="logistic_regression",
    title="Logistic regression",
    icon=":material/call_split:",
    task="classification",
    summary="A weighted sum of the features turned into class probabilities; C sets how "
    "little the weights are penalised.",
    estimators=(
        EstimatorSpec(
            "logistic",
            "Logistic regression",
            LogisticRegression,
            ("C", "l1_ratio", "fit_intercept", "class_weight", "solver", "max_iter", "tol"),
            "models the log-odds of each class as a linear function of the features.",
            resolve=resolve_logistic,
        ),
    ),
    hyperparameters=(
        ParamSpec(
            name="C",
            label="C (inverse penalty strength)",
            kind="float",
            default=1.0,
            low=1e-4,
            high=float("inf"),
            log=True,
            step=0.1,
            help="Smaller C means a stronger penalty and smaller coefficients; C=inf (type "
            "'inf') removes the penalty, which gives classical maximum likelihood.",
        ),
        ParamSpec(
            name="l1_ratio",
            label="l1_ratio (L1 share of the penalty)",
            kind="float",
            default=0.0,
            low=0.0,
            high=1.0,
            step=0.05,
            help="0 is an L2 (ridge) penalty, 1 an L1 (lasso) penalty that zeroes "
            "coefficients; between is elastic net. Ignored when C is inf.",
        ),
        FIT_INTERCEPT,
        ParamSpec(
            name="class_weight",
            label="class_weight",
            kind="choice",
            default="none",
            choices=("none", "balanced"),
            help="'balanced' weights each class inversely to its frequency, so rare classes "
            "count as much as common ones.",
        ),
        ParamSpec(
            name="solver",
            label="solver",
            kind="choice",
            default="auto",
            choices=("auto", *SOLVERS_L2_ONLY, *SOLVERS_ANY_PENALTY),
            allowed=lambda values: (
                "auto",
                *valid_solvers(values.get("C", 1.0), values.get("l1_ratio", 0.0)),
            ),
            role="optimizer",
            help="The optimisation algorithm. 'auto' uses lbfgs for L2 or no penalty and saga "
            "when the penalty has an L1 share. It changes how the optimum is found, not "
            "which one.",
        ),
        ParamSpec(
            name="max_iter",
            label="max_iter (solver iterations)",
            kind="int",
            default=100,
            low=1,
            high=100_000,
            step=100,
            role="optimizer",
            help="Iterations before the solver gives up; too few leaves it unconverged.",
        ),
        TOL,
    ),
    learned="coef_ (one weight per feature and class) and intercept_",
    default_dataset="breast_cancer",
)

FAMILIES: tuple[FamilySpec, ...] = (LINEAR_REGRESSION, LOGISTIC_REGRESSION)
#: Every family spec, including any whose page is still being built (not in navigation).
ALL_FAMILIES: tuple[FamilySpec, ...] = FAMILIES


def get_family(family_id: str) -> FamilySpec:
    """Return the family with this id; raise ``KeyError`` if there is none."""
    for family in ALL_FAMILIES:
        if family.id == family_id:
            return family
    raise KeyError(f"no model family {family_id!r}")
