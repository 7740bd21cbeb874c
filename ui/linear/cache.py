"""Bounded caches for the linear families' views: the decision surface and boundary sweep,
classical inference and resamples, coefficient paths and the path validation curve."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.data.tables import Dataset
from core.family import Terms
from core.fitting import FitResult, recorded_warnings
from core.linear.boundary import DecisionSurface, decision_surface, penalty_boundaries
from core.linear.inference import Inference, coefficient_inference
from core.linear.path_curve import path_validation_curve_table
from core.linear.paths import penalty_paths
from core.linear.resampling import resample_coefficients, resample_intervals
from core.registry import get_family
from core.setting import Setting


@st.cache_data(max_entries=32, show_spinner="Drawing the boundary…")
def cached_surface(key: Setting, features: tuple[str, str], _dataset: Dataset) -> DecisionSurface:
    """The two-feature decision surface, keyed like a fit plus the two features."""
    return decision_surface(
        get_family(key.family_id),
        key.estimator_id,
        key.values,
        _dataset,
        features,
        **key.split_settings(),
    )


@st.cache_data(max_entries=32, show_spinner="Refitting the boundary at other values…")
def cached_boundary_sweep(
    key: Setting,
    features: tuple[str, str],
    param: str,
    values: tuple[float, ...],
    _setting: Setting,
    _dataset: Dataset,
) -> list:
    """Two-feature boundaries at other values of one hyperparameter, by the one sweep
    engine; ``key`` is ``_setting`` without that hyperparameter (:meth:`Setting.without`),
    so moving it redraws from the cache."""
    return penalty_boundaries(
        get_family(key.family_id), _setting, _dataset, features, param, values
    )


@st.cache_data(max_entries=16, show_spinner="Computing standard errors with statsmodels…")
def cached_inference(fit_key: Setting, _fit: FitResult, _dataset: Dataset) -> Inference:
    """Classical inference for a fit; ``fit_key`` is the fit's own cache key."""
    return coefficient_inference(_fit, _dataset)


@st.cache_data(max_entries=16, show_spinner="Refitting on resampled rows…")
def cached_resamples(
    fit_key: Setting,
    method: str,
    n_resamples: int,
    _dataset: Dataset,
    _fitted: Terms,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Coefficients across resamples and their intervals; ``_fitted`` is the fit's own
    terms (the family's ``resampled_terms``), the intervals' ``fitted`` column."""
    samples = resample_coefficients(
        get_family(fit_key.family_id),
        fit_key,
        _dataset,
        method=method,
        n_resamples=n_resamples,
    )
    return samples, resample_intervals(samples, fitted=_fitted)


@st.cache_data(max_entries=16, show_spinner="Tracing the coefficient path…")
def cached_paths(fit_key: Setting, _dataset: Dataset):
    """Coefficient paths for the setting ``fit_key`` holds (one per output)."""
    with recorded_warnings() as shown:
        paths = penalty_paths(get_family(fit_key.family_id), fit_key, _dataset)
    return paths, tuple(shown)


@st.cache_data(max_entries=32, show_spinner="Sweeping along the regularisation path…")
def cached_path_curve(
    curve_key: Setting, values: tuple[float, ...], folds: int, _values: dict, _dataset: Dataset
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The penalty's validation curve from one path per fold (as RidgeCV/LassoCV do)."""
    with recorded_warnings() as shown:
        table = path_validation_curve_table(
            get_family(curve_key.family_id),
            curve_key.with_values(_values),
            _dataset,
            values,
            cv=folds,
        )
    return table, tuple(shown)
