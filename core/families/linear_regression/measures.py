"""What a sweep shows moving in a linear model: each coefficient, per standard deviation of
its feature (the units the Sweeps tab's coefficient path opens in)."""

from __future__ import annotations

from core.fitting import FitResult
from core.linear.parameters import extract_linear_parameters


def coefficient_measures(fit: FitResult) -> dict[str, float]:
    """Every coefficient per standard deviation of its feature, named by its feature (by
    ``class: feature`` when the model has one row of coefficients per class).

    The three linear families' ``sweep_measures``: the same numbers as the coefficient
    path's "per SD" units, read off one refit.
    """
    params = extract_linear_parameters(fit)
    per_sd = params.coef_per_sd
    several = len(params.outputs) > 1
    return {
        (f"{output}: {feature}" if several else str(feature)): float(per_sd[k, j])
        for k, output in enumerate(params.outputs)
        for j, feature in enumerate(params.feature_names)
    }
