"""Linear regression: ordinary least squares, ridge, lasso and elastic net.

The learned parameters are ``coef_`` (one weight per feature) and ``intercept_``; the
penalised estimators trace a coefficient path over ``alpha``, and ordinary least squares has
classical standard errors (statsmodels OLS).
"""

from __future__ import annotations

from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, Ridge

from core.data.tables import Dataset
from core.families.linear_regression.measures import coefficient_measures
from core.family import EstimatorSpec, FamilySpec, PathTracer
from core.fitting import FitResult, training_features
from core.learned import LearnedParameters
from core.linear.inference import ols_inference
from core.linear.interpretation import linear_sentences, vif_table
from core.linear.parameters import (
    LINEAR_CAVEATS,
    LINEAR_EFFECTIVE,
    LINEAR_MEANING,
    LINEAR_SCRIPT,
    coefficient_table,
    effective_linear_parameters,
    extract_linear,
    linear_terms,
)
from core.linear.row import linear_row_story
from core.linear.specs import FIT_INTERCEPT, TOL
from core.linear.tracers import ENET_PATH, RIDGE_SVD
from core.specs import ParamSpec
from core.text import Sentence

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


def _alpha_sentence(values: dict) -> str:
    return (
        f"Once the penalty hyperparameter is set (alpha={values.get('alpha', 1.0):g}), "
        "classical standard errors and p-values no longer hold: the penalty pulls the "
        "coefficients toward zero by an amount the formulas do not account for, and picking "
        "its strength on the same data adds uncertainty they ignore. Choose ordinary least "
        "squares for classical inference, or look at the resampling spread, which refits the "
        "same penalised model on resampled training rows."
    )


# Module-level functions, not lambdas: a fit carries its estimator spec into Streamlit's
# cache, which pickles it.
def _unpenalised(values: dict) -> bool:
    return True


def _penalised_setting(values: dict) -> bool:
    return False


def _penalised(tracer: PathTracer) -> dict:
    """The capabilities every penalised linear estimator shares: a path over alpha."""
    return {
        "path": tracer,
        "penalty": "alpha",
        "unpenalised": _penalised_setting,
        "penalty_sentence": _alpha_sentence,
    }


def interpret(fit: FitResult, dataset: Dataset, learned: LearnedParameters) -> list[Sentence]:
    """The strongest effects in both units, dropped features, collinearity, fit quality."""
    params = learned.detail
    table = coefficient_table(params, dataset.true_coef)
    return linear_sentences(
        table,
        dataset.target,
        float(params.intercept[0]),
        fit.metrics,
        vif_table(training_features(fit, dataset)),
        in_sample=fit.in_sample,
    )


FAMILY = FamilySpec(
    id="linear_regression",
    title="Linear regression",
    icon=":material/show_chart:",
    tasks=("regression",),
    summary="A weighted sum of the features; penalties trade fit for smaller coefficients.",
    estimators=(
        EstimatorSpec(
            "ols",
            "Ordinary least squares",
            LinearRegression,
            ("fit_intercept",),
            "minimises squared error with no penalty.",
            inference=ols_inference,
            unpenalised=_unpenalised,
        ),
        EstimatorSpec(
            "ridge",
            "Ridge (L2)",
            Ridge,
            ("alpha", "fit_intercept"),
            "adds alpha times the sum of squared coefficients.",
            **_penalised(RIDGE_SVD),
        ),
        EstimatorSpec(
            "lasso",
            "Lasso (L1)",
            Lasso,
            ("alpha", "fit_intercept", "max_iter", "tol"),
            "adds alpha times the sum of absolute coefficients, zeroing some out.",
            **_penalised(ENET_PATH),
        ),
        EstimatorSpec(
            "elasticnet",
            "Elastic net (L1 + L2)",
            ElasticNet,
            ("alpha", "l1_ratio", "fit_intercept", "max_iter", "tol"),
            "mixes the two penalties by l1_ratio.",
            **_penalised(ENET_PATH),
        ),
    ),
    hyperparameters=(ALPHA, L1_RATIO, FIT_INTERCEPT, MAX_ITER, TOL),
    learned="coef_ (one weight per feature) and intercept_",
    default_dataset="diabetes",
    extract=extract_linear,
    interpret=interpret,
    script_parameters=LINEAR_SCRIPT,
    # Ridge first: moving alpha visibly moves every coefficient, where ordinary least
    # squares' only knob (fit_intercept) shows no hyperparameter at work.
    default_estimator="ridge",
    resampled_terms=linear_terms,
    capacity="alpha",
    effective_parameters=effective_linear_parameters,
    sweep_measures=coefficient_measures,
    effective_definition=LINEAR_EFFECTIVE,
    parameter_meaning=LINEAR_MEANING,
    caveats=LINEAR_CAVEATS,
    explain_row=linear_row_story,
)
