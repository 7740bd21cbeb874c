"""The toy family: scikit-learn's ``HuberRegressor``, built only from the blocks the other
families use (``FamilySpec``, ``ParamSpec``, the linear families' parameters in
``core/linear``, the one over-fitting verdict).

It learns ``coef_`` and ``intercept_`` like any linear model, and one number of its own,
``scale_``: the residuals' scale, which the loss divides by before deciding which rows are
outliers (``|residual| > epsilon × scale_``).
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import HuberRegressor

from core.data.tables import Dataset
from core.family import EstimatorSpec, FamilySpec
from core.fit_verdict import fit_verdict_sentence
from core.fitting import FitResult
from core.learned import LearnedParameters, ParameterGroup
from core.linear.parameters import (
    LINEAR_CAVEATS,
    LINEAR_MEANING,
    LINEAR_SCRIPT,
    extract_linear_parameters,
    linear_learned,
    linear_terms,
)
from core.specs import ParamSpec
from core.text import Sentence

EPSILON = ParamSpec(
    name="epsilon",
    label="epsilon (outlier threshold)",
    kind="float",
    default=1.35,
    low=1.05,
    high=5.0,
    step=0.05,
    help="Residuals larger than epsilon times the learned scale count only in proportion, "
    "not squared. Smaller values treat more rows as outliers.",
)
ALPHA = ParamSpec(
    name="alpha",
    label="alpha (L2 penalty)",
    kind="float",
    default=1e-4,
    low=1e-6,
    high=1e4,
    log=True,
    step=0.1,
    help="Strength of the squared penalty on the coefficients, added to the loss summed over "
    "the training rows: larger values pull every coefficient toward zero.",
)

#: The residual scale's term in tables and comparisons.
SCALE_TERM = "(residual scale)"


def extract(fit: FitResult) -> LearnedParameters:
    """``coef_`` and ``intercept_`` as every linear family reads them, then ``scale_``."""
    linear = linear_learned(extract_linear_parameters(fit))
    scale = ParameterGroup(
        "scale_",
        "scale of the residuals",
        np.array([float(fit.model.scale_)]),
        ((fit.target,),),
        axis_names=("output",),
        term_labels=(SCALE_TERM,),
    )
    return LearnedParameters(groups=(*linear.groups, scale), detail=linear.detail)


def interpret(fit: FitResult, dataset: Dataset, learned: LearnedParameters) -> list[Sentence]:
    """Where the loss stops squaring, how many training rows lie beyond it, the strongest
    coefficient, and the over-fitting verdict."""
    model = fit.model
    scale = float(model.scale_)
    n_out = int(np.count_nonzero(model.outliers_))
    params = learned.detail
    per_sd = params.coef_per_sd[0]
    strongest = int(np.argmax(np.abs(per_sd)))
    out = [
        Sentence(
            f"Residuals up to epsilon × scale_ = {model.epsilon:g} × {scale:.4g} = "
            f"{model.epsilon * scale:.4g} {fit.target} count squared; the {n_out} of "
            f"{len(model.outliers_)} training rows beyond that count only in proportion, so "
            "they pull on the coefficients less than in least squares."
        ),
        Sentence(
            f"The strongest effect is {params.feature_names[strongest]}: "
            f"{per_sd[strongest]:+.4g} {fit.target} per standard deviation."
        ),
    ]
    verdict = fit_verdict_sentence(fit, "a larger alpha may narrow the gap")
    return out if verdict is None else [*out, verdict]


def measures(fit: FitResult) -> dict[str, float]:
    """What a sweep shows moving: each coefficient per SD of its feature, and ``scale_``."""
    params = extract_linear_parameters(fit)
    per_sd = params.coef_per_sd[0]
    out = {str(f): float(v) for f, v in zip(params.feature_names, per_sd, strict=True)}
    out["scale_"] = float(fit.model.scale_)
    return out


FAMILY = FamilySpec(
    id="toy",
    title="Huber regression",
    icon=":material/shield:",
    tasks=("regression",),
    summary="A weighted sum of the features, fitted with a loss that caps the pull of "
    "outlying rows.",
    estimators=(
        EstimatorSpec(
            "huber",
            "Huber regression",
            HuberRegressor,
            ("epsilon", "alpha"),
            "squared loss for small residuals, absolute loss for large ones.",
            penalty="alpha",
        ),
    ),
    hyperparameters=(EPSILON, ALPHA),
    learned="coef_ (one weight per feature), intercept_ and scale_",
    default_dataset="diabetes",
    extract=extract,
    interpret=interpret,
    script_parameters=LINEAR_SCRIPT + 'learned["scale_"] = [float(model.scale_)]\n',
    resampled_terms=linear_terms,
    capacity="alpha",
    sweep_measures=measures,
    parameter_meaning=LINEAR_MEANING,
    caveats=LINEAR_CAVEATS,
)
