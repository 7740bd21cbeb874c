"""The grids sweeps visit: which values of a hyperparameter a validation curve, a path or
the sweep engine (:mod:`core.sweeps`) refits at, and whether they are spaced geometrically.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from core.family import FamilySpec
from core.specs import ParamSpec

#: Points in a default validation-curve sweep: every half decade over six decades.
DEFAULT_SWEEP_POINTS = 13
#: A default log-scale sweep runs this many decades either side of the spec's default.
SWEEP_DECADES = 3.0
#: A numeric spec whose bounds span at least this ratio is swept geometrically even when
#: it is not marked ``log`` (``max_iter`` from 1 to 100 000: a linear grid would skip
#: every value where the fit is still changing).
WIDE_RANGE = 1e3
#: A default coordinate-descent path runs from ``alpha_max * PATH_EPS`` to ``alpha_max``,
#: scikit-learn's own ``eps`` default.
PATH_EPS = 1e-3
#: A default ridge path spans at most this many decades.
RIDGE_MAX_DECADES = 12.0


# --- sweep grids ---------------------------------------------------------------------------
def _finite(x: float | None) -> bool:
    return x is not None and math.isfinite(x)


def _is_wide(spec: ParamSpec) -> bool:
    if not (_finite(spec.low) and _finite(spec.high)):
        return False
    low, high = float(spec.low), float(spec.high)  # type: ignore[arg-type]
    return low > 0 and high / low >= WIDE_RANGE


def is_log_sweep(spec: ParamSpec) -> bool:
    """Whether sweeps of this spec are spaced geometrically (and plotted on a log axis).

    True for specs marked ``log`` and for numeric specs whose bounds are positive and span
    at least ``WIDE_RANGE`` (three decades); False for bool and choice specs.
    """
    if spec.kind not in ("float", "int"):
        return False
    return spec.log or _is_wide(spec)


def sweep_range(spec: ParamSpec) -> tuple[float, float]:
    """The finite default range a sweep of a numeric spec covers.

    Parameters
    ----------
    spec : ParamSpec
        A ``float`` or ``int`` spec.

    Returns
    -------
    low, high : float
        For a log sweep (:func:`is_log_sweep`): ``SWEEP_DECADES`` decades either side of the
        spec's default (of 1 when the default is not a positive finite number), clipped to
        the spec's bounds, so ``alpha`` and ``C`` (default 1) sweep 1e-3..1e3 and
        ``C=inf`` never enters. Otherwise the spec's bounds, or ten times the default's
        size either side where a bound is missing or infinite. Optional ``sweep_low`` /
        ``sweep_high`` attributes on the spec, when present, override either end.

    Raises
    ------
    ValueError
        For bool and choice specs, which have values rather than a range.
    """
    if spec.kind not in ("float", "int"):
        raise ValueError(f"{spec.label}: only numeric settings have a sweep range.")
    # A nullable spec's default may be None ("no limit": max_depth): no centre to sweep around.
    default = float(spec.default) if spec.default is not None else math.nan
    low_bound = float(spec.low) if _finite(spec.low) else None
    high_bound = float(spec.high) if _finite(spec.high) else None
    if is_log_sweep(spec):
        ref = default if math.isfinite(default) and default > 0 else 1.0
        low, high = ref * 10**-SWEEP_DECADES, ref * 10**SWEEP_DECADES
        if low_bound is not None:
            low = max(low, low_bound)
        if high_bound is not None:
            high = min(high, high_bound)
    else:
        centre = default if math.isfinite(default) else 0.0
        span = 10.0 * max(abs(centre), 1.0)
        low = low_bound if low_bound is not None else centre - span
        high = high_bound if high_bound is not None else centre + span
    # Forward compatible with explicit sweep bounds on ParamSpec, should it grow them.
    override_low = getattr(spec, "sweep_low", None)
    override_high = getattr(spec, "sweep_high", None)
    if override_low is not None:
        low = float(override_low)
    if override_high is not None:
        high = float(override_high)
    return float(low), float(high)


def sweep_values(
    spec: ParamSpec,
    n: int = DEFAULT_SWEEP_POINTS,
    low: float | None = None,
    high: float | None = None,
    *,
    current: Any = None,
) -> np.ndarray:
    """The values a sweep of ``spec`` visits, in ascending order.

    Parameters
    ----------
    spec : ParamSpec
        The hyperparameter to sweep.
    n : int, default=DEFAULT_SWEEP_POINTS
        Number of grid points for numeric specs (ignored for bool and choice specs).
    low, high : float, optional
        Ends of the grid; default :func:`sweep_range`. Both must lie within the spec's
        bounds.
    current : int, optional
        The page's value of an ``int`` spec, added to the grid when it lies between the
        ends, so the sweep reads the very model the page fits (``n_neighbors = 5`` is
        tried, not only its neighbours 4 and 6). Ignored for other kinds, whose nearest
        swept value stands in.

    Returns
    -------
    ndarray of shape (n_values,)
        ``float`` specs: ``n`` values, geometric for log sweeps (exact powers of ten where
        the grid meets them) and linear otherwise. ``int`` specs: the same grid rounded,
        duplicates removed (so possibly fewer than ``n``), with ``current`` added.
        ``bool``: ``[False, True]``. ``choice``: the choices in spec order (object dtype).

    Raises
    ------
    ValueError
        If the range is empty, outside the spec, or not positive for a log sweep.
    """
    if spec.kind == "choice":
        return np.array(spec.choices, dtype=object)
    if spec.kind == "bool":
        return np.array([False, True])
    if n < 1:
        raise ValueError(f"{spec.label}: a sweep needs at least one point, got {n}.")
    default_low, default_high = sweep_range(spec)
    lo = default_low if low is None else float(low)
    hi = default_high if high is None else float(high)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError(f"{spec.label}: a sweep needs finite ends, got {lo:g} to {hi:g}.")
    if lo > hi:
        raise ValueError(f"{spec.label}: the sweep's low end {lo:g} is above its high end {hi:g}.")
    if spec.low is not None and lo < spec.low:
        raise ValueError(f"{spec.label}: {lo:g} is below the minimum {spec.low:g}.")
    if spec.high is not None and hi > spec.high:
        raise ValueError(f"{spec.label}: {hi:g} is above the maximum {spec.high:g}.")
    log = is_log_sweep(spec)
    if log and lo <= 0:
        raise ValueError(f"{spec.label}: a log-scale sweep needs a positive low end, got {lo:g}.")
    if n == 1 or lo == hi:
        grid = np.array([lo])
    elif log:
        # Powers of ten from an exact linear grid of exponents, so 1.0 is 1.0, not 0.99...
        grid = np.power(10.0, np.linspace(math.log10(lo), math.log10(hi), n))
        grid[0], grid[-1] = lo, hi
    else:
        grid = np.linspace(lo, hi, n)
    if spec.kind == "int":
        rounded = np.round(grid).astype(int)
        if (
            isinstance(current, int | float | np.number)
            and not isinstance(current, bool | np.bool_)
            and math.isfinite(current)
            and float(current).is_integer()
            and lo <= current <= hi
        ):
            rounded = np.append(rounded, int(current))
        return np.unique(rounded)
    return grid


def default_sweep_param(family: FamilySpec, estimator_id: str) -> str | None:
    """The hyperparameter a page sweeps first for this estimator.

    The first model-shaping hyperparameter on a log sweep (the penalty: ``alpha``, ``C``),
    else the first model-shaping numeric one, else the first model-shaping one, else
    ``None``. Optimizer settings (``max_iter``, ``solver``) are never the default: they
    change how the optimum is found, not which model is learned.
    """
    model_specs = [p for p in family.hyperparameters_for(estimator_id) if p.role == "model"]
    for accept in (is_log_sweep, lambda p: p.kind in ("float", "int"), lambda p: True):
        for spec in model_specs:
            if accept(spec):
                return spec.name
    return None
