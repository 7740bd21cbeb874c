"""Sweeps: how a hyperparameter moves the learned parameters and the scores.

Everything here is computed on the training rows only, with the preprocessing of
:func:`core.fitting.build_pipeline` (median imputation when values are missing, then
optional standardisation), so a sweep describes the same model the page fits.

- :func:`sweep_values` turns a :class:`~core.specs.ParamSpec` into the grid a sweep visits.
- Coefficient paths (:func:`coefficient_path`, :func:`logistic_coefficient_path`) give every
  coefficient as a function of the penalty, computed the cheap way: one SVD for ridge,
  warm-started coordinate descent (``enet_path``) for lasso and elastic net, warm-started
  ``LogisticRegression`` fits for logistic regression.
- Validation curves (:func:`validation_curve_table`, and the path-based
  :func:`path_validation_curve_table` for the penalty) give training and cross-validated
  scores against a hyperparameter, with the whole pipeline refitted inside each fold.
- :func:`best_value` and :func:`fit_diagnosis` read a validation curve.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.linear_model import ElasticNet, LogisticRegression, Ridge, enet_path
from sklearn.metrics import check_scoring
from sklearn.model_selection import check_cv, validation_curve
from sklearn.utils.parallel import Parallel, delayed
from threadpoolctl import ThreadpoolController

from core.datasets import Dataset
from core.fitting import (
    TASK_SCORING,
    WARNINGS_LOCK,
    FitError,
    build_pipeline,
    scaler_shift,
    split_data,
)
from core.registry import EstimatorSpec, FamilySpec
from core.specs import ParamSpec, resolve

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
#: BLAS threads while a sweep runs. A sweep is many fits of small matrices, where
#: multi-threaded BLAS costs more in synchronisation than it saves; on a busy CPU (a shared
#: host, several sessions at once) it is several times slower: a logistic C sweep on breast
#: cancer took 3-4 s with OpenBLAS's 2 threads and 0.6-0.9 s with 1 on a loaded 2-CPU machine.
SWEEP_BLAS_THREADS = 1
#: Columns of a validation-curve table, in order.
CURVE_COLUMNS = ("value", "train_mean", "train_std", "cv_mean", "cv_std", "note")


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
    default = float(spec.default)
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

    Returns
    -------
    ndarray of shape (n_values,)
        ``float`` specs: ``n`` values, geometric for log sweeps (exact powers of ten where
        the grid meets them) and linear otherwise. ``int`` specs: the same grid rounded,
        duplicates removed (so possibly fewer than ``n``). ``bool``: ``[False, True]``.
        ``choice``: the choices in spec order (object dtype).

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
        return np.unique(np.round(grid).astype(int))
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


# --- shared plumbing -----------------------------------------------------------------------
@contextmanager
def _collect_warnings(shown: list[str]) -> Iterator[None]:
    """Record warnings into ``shown`` (one line per kind, with a count), as fit_model does.

    Deprecation and future warnings are re-raised after the block so that they reach the
    test suite, which turns them into errors, instead of being swallowed.
    """
    counts: dict[str, int] = {}
    texts: dict[str, str] = {}
    with WARNINGS_LOCK, warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        yield
    for record in records:
        if issubclass(record.category, (DeprecationWarning, FutureWarning)):
            warnings.warn_explicit(record.message, record.category, record.filename, record.lineno)
            continue
        message = str(record.message).strip()
        # Convergence warnings differ only in their numbers (duality gap, tolerance); one
        # line per kind keeps a 100-point path from listing 100 warnings.
        key = f"{record.category.__name__}: {message.splitlines()[0].split('. ')[0]}"
        counts[key] = counts.get(key, 0) + 1
        texts.setdefault(key, f"{record.category.__name__}: {message}")
    for key, text in texts.items():
        more = counts[key] - 1
        shown.append(text if more == 0 else f"{text} (and {more} more like it along the sweep)")


@functools.cache
def _blas_controller() -> ThreadpoolController:
    # Built once: scanning the loaded libraries costs milliseconds, limiting them does not.
    return ThreadpoolController()


@contextmanager
def _sweep_threads() -> Iterator[None]:
    """Run the block with ``SWEEP_BLAS_THREADS`` BLAS threads, restoring the count after.

    The limit is process-wide while the block runs (BLAS has no per-thread setting).
    Processes started by joblib's loky backend (``n_jobs``) get joblib's own limits.
    """
    with _blas_controller().limit(limits=SWEEP_BLAS_THREADS, user_api="blas"):
        yield


def _param_spec(family: FamilySpec, estimator_id: str, name: str) -> ParamSpec:
    for spec in family.hyperparameters_for(estimator_id):
        if spec.name == name:
            return spec
    label = family.get_estimator(estimator_id).label
    raise ValueError(f"{label} has no hyperparameter {name!r} to sweep.")


def _training_rows(dataset: Dataset, test_size: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Training features (float, NaN kept for the imputer) and target as NumPy arrays.

    Arrays rather than frames: with a few hundred rows, scikit-learn's per-fit pandas dtype
    checks cost as much as the fits themselves (about half of a validation curve's time).
    The numbers are the same either way.
    """
    rows = split_data(dataset, test_size, seed).train
    y = dataset.y.to_numpy(dtype=float) if dataset.task == "regression" else dataset.y.to_numpy()
    return dataset.X.to_numpy(dtype=float)[rows], y[rows]


@dataclass(frozen=True, eq=False)
class _Design:
    """Training features as the model sees them, and how to get back to raw units."""

    X: np.ndarray  # (n_samples, n_features), imputed and (optionally) standardised
    mean: np.ndarray  # (n_features,) scaler means; zeros without a scaler
    scale: np.ndarray  # (n_features,) scaler scales; ones without a scaler
    feature_sd: np.ndarray  # (n_features,) training sd after imputation, ddof=0


def _design(X_train: np.ndarray, scale: bool, impute: bool, center: bool = True) -> _Design:
    """Fit the page's preprocessing (``build_pipeline`` minus the model) on training rows;
    ``center`` is the model's ``fit_intercept``, as in ``build_pipeline``."""
    prep = build_pipeline("passthrough", scale=scale, impute=impute, center=center)
    X = np.asarray(prep.fit_transform(X_train), dtype=float)
    scaler = prep.named_steps.get("scale")
    p = X.shape[1]
    if scaler is not None:
        mean = scaler_shift(scaler)
        sd = np.asarray(scaler.scale_, dtype=float)
        return _Design(X=X, mean=mean, scale=sd, feature_sd=sd.copy())
    # Without a scaler the design is the imputed raw data: its sd is the feature sd,
    # computed exactly as core.fitting does for FitResult.feature_sd.
    return _Design(X=X, mean=np.zeros(p), scale=np.ones(p), feature_sd=X.std(axis=0))


def _raw_units(W: np.ndarray, b: np.ndarray, design: _Design) -> tuple[np.ndarray, np.ndarray]:
    """Undo standardisation exactly as :func:`core.parameters.extract_linear_parameters`.

    ``W`` has shape (..., n_features) and ``b`` the matching leading shape.
    """
    coef = W / design.scale
    intercept = b - W @ (design.mean / design.scale)
    return coef, intercept


def _path_kind(estimator: BaseEstimator) -> str | None:
    """Which path algorithm fits this estimator, by its scikit-learn class."""
    if isinstance(estimator, ElasticNet):  # Lasso is an ElasticNet with l1_ratio=1
        return "enet_path"
    if isinstance(estimator, Ridge):
        return "ridge_svd"
    if isinstance(estimator, LogisticRegression):
        return "warm_start"
    return None


#: Human description of each path algorithm, for the page and the docs.
PATH_METHODS = {
    "enet_path": "scikit-learn's enet_path: coordinate descent warm-started from the "
    "previous alpha, from the strongest penalty down",
    "ridge_svd": "one SVD of the centred training design, reused for every alpha",
    "warm_start": "LogisticRegression refitted at each C from the strongest penalty up, "
    "each fit warm-started from the previous coefficients",
}


def penalty_param(family: FamilySpec, estimator_id: str) -> str | None:
    """Name of the penalty hyperparameter whose path :func:`penalty_paths` computes.

    ``"alpha"`` for ridge, lasso and elastic net, ``"C"`` for logistic regression, ``None``
    for estimators without a path (ordinary least squares).
    """
    spec = family.get_estimator(estimator_id)
    kind = _path_kind(spec.make({}))
    if kind is None:
        return None
    return "C" if kind == "warm_start" else "alpha"


def has_penalty_path(family: FamilySpec, estimator_id: str) -> bool:
    """Whether the estimator has a coefficient path over its penalty."""
    return penalty_param(family, estimator_id) is not None


@dataclass(frozen=True, eq=False)
class _RidgeSVD:
    """The one decomposition a ridge path needs: ``X - x_mean = U diag(s) V^T``."""

    x_mean: np.ndarray  # (n_features,)
    y_mean: float
    s: np.ndarray  # (k,) singular values
    Vt: np.ndarray  # (k, n_features)
    Uty: np.ndarray  # (k,) U^T (y - y_mean)

    @classmethod
    def of(cls, X: np.ndarray, y: np.ndarray, fit_intercept: bool) -> _RidgeSVD:
        X = np.asarray(X, dtype=float)
        y = np.asarray(y, dtype=float)
        if fit_intercept:
            x_mean, y_mean = X.mean(axis=0), float(y.mean())
        else:
            x_mean, y_mean = np.zeros(X.shape[1]), 0.0
        U, s, Vt = np.linalg.svd(X - x_mean, full_matrices=False)
        return cls(x_mean=x_mean, y_mean=y_mean, s=s, Vt=Vt, Uty=U.T @ (y - y_mean))

    def path(self, alphas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Coefficients (n_alphas, n_features) and intercepts (n_alphas,)."""
        alphas = np.asarray(alphas, dtype=float)
        # As Ridge's own svd solver: singular values at rounding level count as zero, so
        # alpha=0 gives the minimum-norm least-squares solution instead of a division by 0.
        keep = self.s > 1e-15
        d = np.zeros((len(alphas), len(self.s)))
        d[:, keep] = self.s[keep] / (self.s[keep] ** 2 + alphas[:, None])
        coef = (d * self.Uty) @ self.Vt
        return coef, self.y_mean - coef @ self.x_mean

    def default_alphas(self, n: int) -> np.ndarray:
        """From about OLS to about zero: s_min^2 / 100 to 100 s_max^2 (at most 12 decades).

        The shrinkage factor along singular direction k is s_k^2 / (s_k^2 + alpha), so this
        range takes every direction from kept (~0.99) to removed (~0.01).
        """
        s = self.s[self.s > 1e-15]
        if s.size == 0:
            return np.geomspace(1e-3, 1e3, n)
        high = 100.0 * s.max() ** 2
        low = max(s.min() ** 2 / 100.0, high * 10**-RIDGE_MAX_DECADES)
        return np.geomspace(low, high, n)


def ridge_svd_path(
    X: np.ndarray, y: np.ndarray, alphas: np.ndarray, fit_intercept: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Ridge coefficients for many alphas from one SVD.

    With the centred design ``X = U diag(s) V^T``, ridge's solution is
    ``w(alpha) = V diag(s / (s^2 + alpha)) U^T y``: one decomposition serves every alpha.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Features in model space.
    y : ndarray of shape (n_samples,)
        Target.
    alphas : ndarray of shape (n_alphas,)
        Penalties, any order.
    fit_intercept : bool, default=True
        Centre ``X`` and ``y`` first, as ``Ridge`` does.

    Returns
    -------
    coef : ndarray of shape (n_alphas, n_features)
    intercept : ndarray of shape (n_alphas,)
    """
    return _RidgeSVD.of(X, y, fit_intercept).path(alphas)


def _cd_default_alphas(
    X: np.ndarray, y: np.ndarray, n: int, l1_ratio: float, fit_intercept: bool
) -> np.ndarray:
    """scikit-learn's grid: ``alpha_max`` (every coefficient exactly 0) down 3 decades."""
    Xc = X - X.mean(axis=0) if fit_intercept else X
    yc = y - y.mean() if fit_intercept else y
    # A pure L2 elastic net has no alpha_max; a 1e-3 floor keeps the grid finite.
    alpha_max = np.abs(Xc.T @ yc).max() / (len(y) * max(l1_ratio, 1e-3))
    if not np.isfinite(alpha_max) or alpha_max <= 0:
        return np.geomspace(1e-3, 1e3, n)
    return np.geomspace(alpha_max * PATH_EPS, alpha_max, n)


def _with_current(grid: np.ndarray, current: float | None) -> np.ndarray:
    """Stretch a geometric grid to reach the current value and insert it exactly, so the
    path holds the very model the page fits at the current setting."""
    if current is None or not math.isfinite(current) or current <= 0:
        return np.unique(grid)
    lo, hi = min(grid[0], current), max(grid[-1], current)
    if lo < grid[0] or hi > grid[-1]:
        grid = np.geomspace(lo, hi, len(grid))
    return np.unique(np.append(grid, current))


def _ascending_values(values: Sequence[float] | np.ndarray, spec: ParamSpec) -> np.ndarray:
    out = np.unique(np.asarray([spec.validate(v) for v in values], dtype=float))
    if out.size == 0:
        raise ValueError(f"{spec.label}: a path needs at least one value.")
    return out


def _model_space_path(
    est_spec: EstimatorSpec,
    base: dict[str, Any],
    param: str,
    values: np.ndarray,
    X: np.ndarray,
    y: np.ndarray,
    tol: float | None,
    ridge: _RidgeSVD | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Fit the whole path in model space (``ridge``: a decomposition already made).

    Returns
    -------
    W : ndarray of shape (n_values, n_outputs, n_features)
    b : ndarray of shape (n_values, n_outputs)
    classes : ndarray or None
        ``classes_`` for classifiers.
    """
    template = est_spec.make({**base, param: values[0]})
    if tol is not None:
        template.set_params(tol=tol)
    kind = _path_kind(template)
    params = template.get_params()
    if kind == "ridge_svd":
        ridge = ridge or _RidgeSVD.of(X, y, params["fit_intercept"])
        coef, intercept = ridge.path(values)
        return coef[:, None, :], intercept[:, None], None
    if kind == "enet_path":
        y_arr = np.asarray(y, dtype=float)
        if params["fit_intercept"]:
            x_mean, y_mean = X.mean(axis=0), y_arr.mean()
        else:
            x_mean, y_mean = np.zeros(X.shape[1]), 0.0
        # The same solver call ElasticNet.fit makes, once for the whole grid (strongest
        # penalty first, each alpha starting from the previous solution), with the
        # estimator's own settings so the path and the page's fit agree.
        # check_input=False: the centred copy below is already float64 and Fortran-ordered,
        # which is all the solver's input checks would ensure (ElasticNet.fit does the same).
        alphas_desc, coefs, _ = enet_path(
            np.asfortranarray(X - x_mean),
            np.ascontiguousarray(y_arr - y_mean),
            check_input=False,
            l1_ratio=template.l1_ratio,
            alphas=values[::-1],
            precompute=params["precompute"],
            tol=params["tol"],
            max_iter=params["max_iter"],
            positive=params["positive"],
            selection=params["selection"],
            random_state=params["random_state"],
        )
        order = np.argsort(alphas_desc)
        W = coefs.T[order]
        return W[:, None, :], (y_mean - W @ x_mean)[:, None], None
    if kind == "warm_start":
        model: LogisticRegression | None = None
        W_rows, b_rows = [], []
        # Strong penalty first: its small coefficients are the best start for the next C.
        for value in values:
            # Resolve each value through the registry: the automatic solver can change
            # with C (C=inf with an L1 share switches saga to lbfgs).
            fresh = est_spec.make({**base, param: value})
            if tol is not None:
                fresh.set_params(tol=tol)
            if model is None:
                model = clone(fresh)
            else:
                model.set_params(**fresh.get_params())
            model.set_params(warm_start=True)
            model.fit(X, y)
            W_rows.append(np.atleast_2d(model.coef_).copy())
            b_rows.append(np.atleast_1d(model.intercept_).astype(float).copy())
        if model is None:
            raise ValueError("A path needs at least one value.")
        return np.stack(W_rows), np.stack(b_rows), model.classes_
    raise ValueError(f"{est_spec.label} has no coefficient path over a penalty.")


def _zero_and_entry(
    values: np.ndarray, coef: np.ndarray, penalty_grows: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Where each coefficient leaves and enters along a path, in the swept units.

    ``zero_at`` is the weakest penalty from which the coefficient stays exactly zero as the
    penalty strengthens (NaN if it is non-zero even at the strongest penalty);
    ``enters_at`` the strongest penalty at which it is non-zero (NaN if never).
    """
    order = np.arange(len(values)) if penalty_grows else np.arange(len(values))[::-1]
    strength_values = values[order]
    nonzero = coef[order] != 0.0
    n_features = coef.shape[1]
    zero_at = np.full(n_features, np.nan)
    enters_at = np.full(n_features, np.nan)
    for j in range(n_features):
        idx = np.flatnonzero(nonzero[:, j])
        if idx.size == 0:
            zero_at[j] = strength_values[0]
            continue
        last = idx[-1]
        enters_at[j] = strength_values[last]
        if last + 1 < len(values):
            zero_at[j] = strength_values[last + 1]
    return zero_at, enters_at


# --- coefficient paths -----------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class PathResult:
    """Coefficients of one output along a penalty path.

    Parameters
    ----------
    family_id, estimator_id : str
        Which registry entries were swept.
    param_name : {"alpha", "C"}
        The swept penalty hyperparameter.
    values : ndarray of shape (n_values,)
        Its values, ascending. For ``alpha`` the penalty grows along the axis; for ``C``
        (the inverse penalty) it weakens.
    penalty_grows : bool
        True when a larger value means a stronger penalty (``alpha``), False for ``C``.
    coef : ndarray of shape (n_values, n_features)
        Coefficients per unit of each feature (raw units), one row per value.
    coef_per_sd : ndarray of shape (n_values, n_features)
        Coefficients per training standard deviation of each feature.
    intercept : ndarray of shape (n_values,)
        Raw-unit intercepts.
    feature_names : tuple of str
        Column order of ``coef``.
    feature_sd : ndarray of shape (n_features,)
        Training standard deviation of each feature after imputation (``ddof=0``).
    output : str
        The target, or the class whose coefficients these are.
    current_value : float or None
        The value of ``param_name`` in the page's setting (also a grid point when the grid
        was built by default and it is finite and positive).
    zero_at : ndarray of shape (n_features,) or None
        For penalties with an L1 share: the weakest penalty (in ``param_name`` units) from
        which each coefficient stays exactly zero; NaN if it never does on the grid.
    enters_at : ndarray of shape (n_features,) or None
        For penalties with an L1 share: the strongest penalty at which each coefficient is
        non-zero, so where it enters the model as the penalty relaxes; NaN if never.
    method : str
        Key of :data:`PATH_METHODS`: how the path was computed.
    warnings : tuple of str
        Warnings the solver raised along the path (convergence and the like).
    """

    family_id: str
    estimator_id: str
    param_name: str
    values: np.ndarray
    penalty_grows: bool
    coef: np.ndarray
    coef_per_sd: np.ndarray
    intercept: np.ndarray
    feature_names: tuple[str, ...]
    feature_sd: np.ndarray
    output: str
    current_value: float | None
    zero_at: np.ndarray | None
    enters_at: np.ndarray | None
    method: str
    warnings: tuple[str, ...]

    @property
    def alphas(self) -> np.ndarray:
        """The swept values, ascending (``alpha`` for linear paths, ``C`` for logistic)."""
        return self.values

    @property
    def n_values(self) -> int:
        """Number of points on the path."""
        return len(self.values)

    def index_of(self, value: float) -> int:
        """Index of the grid point nearest to ``value`` on a log scale (for a clicked point)."""
        if not math.isfinite(value):
            return int(np.argmax(self.values)) if value > 0 else int(np.argmin(self.values))
        return int(np.argmin(np.abs(np.log(self.values) - math.log(max(value, 1e-300)))))


def _path_results(
    family: FamilySpec,
    estimator_id: str,
    param: str,
    values: np.ndarray,
    W: np.ndarray,
    b: np.ndarray,
    outputs: tuple[str, ...],
    design: _Design,
    feature_names: tuple[str, ...],
    current: float | None,
    sparse: bool,
    method: str,
    shown: list[str],
) -> tuple[PathResult, ...]:
    penalty_grows = param != "C"
    coef, intercept = _raw_units(W, b, design)
    results = []
    for k, output in enumerate(outputs):
        zero_at = enters_at = None
        if sparse:
            zero_at, enters_at = _zero_and_entry(values, W[:, k, :], penalty_grows)
        results.append(
            PathResult(
                family_id=family.id,
                estimator_id=estimator_id,
                param_name=param,
                values=values,
                penalty_grows=penalty_grows,
                coef=coef[:, k, :],
                coef_per_sd=coef[:, k, :] * design.feature_sd,
                intercept=intercept[:, k],
                feature_names=feature_names,
                feature_sd=design.feature_sd,
                output=output,
                current_value=current,
                zero_at=zero_at,
                enters_at=enters_at,
                method=method,
                warnings=tuple(shown),
            )
        )
    return tuple(results)


def coefficient_path(
    family: FamilySpec,
    estimator_id: str,
    hyperparameters: dict[str, Any],
    dataset: Dataset,
    *,
    scale: bool = True,
    test_size: float = 0.25,
    seed: int = 0,
    alphas: Sequence[float] | np.ndarray | None = None,
    n_alphas: int = 100,
    tol: float | None = None,
) -> PathResult:
    """Every coefficient of a ridge, lasso or elastic-net model as a function of ``alpha``.

    Fitted on the training rows of ``split_data(dataset, test_size, seed)`` after the page's
    preprocessing, with every other hyperparameter as set. Ridge uses one SVD of the
    centred design for all alphas (:func:`ridge_svd_path`); lasso and elastic net use
    scikit-learn's ``enet_path`` (warm-started coordinate descent) on the centred design with
    the estimator's own ``tol``, ``max_iter`` and ``precompute``, the intercept recovered as
    ``y_mean - x_mean . w``. Coefficients are reported in raw units with the same
    back-transform as :func:`core.parameters.extract_linear_parameters`.

    Parameters
    ----------
    family : FamilySpec
        A regression family (the linear one).
    estimator_id : str
        ``"ridge"``, ``"lasso"`` or ``"elasticnet"``; any estimator whose class is a
        ``Ridge`` or an ``ElasticNet``.
    hyperparameters : dict
        The page's values by scikit-learn name; absent ones take the spec default.
    dataset : Dataset
        Prepared features and target.
    scale : bool, default=True
        Standardise features on the training rows first.
    test_size : float, default=0.25
        Share of held-out rows (not used by the path, only excluded from it).
    seed : int, default=0
        Random state of the split.
    alphas : array-like, optional
        The grid (sorted ascending, duplicates dropped). By default ``n_alphas`` values:
        for lasso and elastic net from ``alpha_max`` (every coefficient zero) down three
        decades, as scikit-learn does; for ridge from ``s_min^2 / 100`` to
        ``100 s_max^2`` of the centred design's singular values (from about OLS to about
        zero). The default grid is stretched to reach the current alpha, which is inserted
        exactly, so it has up to ``n_alphas + 1`` points.
    n_alphas : int, default=100
        Size of the default grid.
    tol : float, optional
        Override the coordinate-descent tolerance (default: the estimator's, 1e-4).

    Returns
    -------
    PathResult

    Raises
    ------
    ValueError
        If the estimator has no penalty path, or a value is outside its spec.
    FitError
        If scikit-learn rejects the data.
    """
    est_spec = family.get_estimator(estimator_id)
    specs = family.hyperparameters_for(estimator_id)
    base = resolve(specs, hyperparameters).values
    template = est_spec.make(base)
    kind = _path_kind(template)
    if kind not in ("ridge_svd", "enet_path"):
        raise ValueError(
            f"{est_spec.label} has no alpha to trace; coefficient paths need ridge, lasso or "
            "elastic net."
        )
    current = float(base["alpha"])
    X_train, y = _training_rows(dataset, test_size, seed)
    fit_intercept = bool(template.fit_intercept)
    design = _design(X_train, scale, impute=dataset.has_missing, center=fit_intercept)
    # Ridge: the decomposition that places the default grid also gives every coefficient.
    ridge = _RidgeSVD.of(design.X, y, fit_intercept) if kind == "ridge_svd" else None
    if alphas is not None:
        grid = _ascending_values(alphas, _param_spec(family, estimator_id, "alpha"))
    else:
        if ridge is not None:
            grid = ridge.default_alphas(n_alphas)
        else:
            l1_ratio = float(template.l1_ratio)
            grid = _cd_default_alphas(design.X, y, n_alphas, l1_ratio, fit_intercept)
        grid = _with_current(grid, current)
    shown: list[str] = []
    with _collect_warnings(shown), _sweep_threads():
        try:
            W, b, _ = _model_space_path(est_spec, base, "alpha", grid, design.X, y, tol, ridge)
        except (ValueError, np.linalg.LinAlgError) as exc:
            raise FitError(f"scikit-learn could not fit this path: {exc}") from None
    sparse = kind == "enet_path" and float(template.l1_ratio) > 0
    (result,) = _path_results(
        family,
        estimator_id,
        "alpha",
        grid,
        W,
        b,
        (dataset.target,),
        design,
        tuple(map(str, dataset.X.columns)),
        current,
        sparse,
        str(kind),
        shown,
    )
    return result


def logistic_coefficient_path(
    family: FamilySpec,
    estimator_id: str,
    hyperparameters: dict[str, Any],
    dataset: Dataset,
    *,
    scale: bool = True,
    test_size: float = 0.25,
    seed: int = 0,
    Cs: Sequence[float] | np.ndarray | None = None,
    n_Cs: int = 40,
    tol: float | None = None,
) -> tuple[PathResult, ...]:
    """Every coefficient of a logistic regression as a function of ``C``, one path per output.

    Computed by refitting ``LogisticRegression`` at each ``C`` in ascending order (strongest
    penalty first) with ``warm_start=True``, so each fit starts from the previous
    coefficients. ``LogisticRegressionCV.coefs_paths_`` is not used: it holds per-fold paths
    only, not the path on all training rows the page's model is fitted on. Each value is
    resolved through the registry (the automatic solver follows the penalty).

    Parameters
    ----------
    family, estimator_id, hyperparameters, dataset, scale, test_size, seed
        As :func:`coefficient_path`.
    Cs : array-like, optional
        The grid (sorted ascending, duplicates dropped; ``inf`` allowed). Default:
        ``n_Cs`` values from :func:`sweep_values` of the ``C`` spec (1e-3..1e3), stretched to
        reach a finite current ``C``, which is inserted exactly.
    n_Cs : int, default=40
        Size of the default grid.
    tol : float, optional
        Override the solver tolerance (default: the estimator's, 1e-4).

    Returns
    -------
    tuple of PathResult
        One per output: a single path for two classes (the coefficients of the second
        class's log-odds), one per class otherwise. ``values`` are ``C``, ascending, so the
        penalty weakens along the axis (``penalty_grows`` is False).

    Raises
    ------
    ValueError
        If the estimator is not a logistic regression, or a value is outside its spec.
    FitError
        If scikit-learn rejects the setting or the data.
    """
    est_spec = family.get_estimator(estimator_id)
    if penalty_param(family, estimator_id) != "C":
        raise ValueError(f"{est_spec.label} has no C to trace.")
    c_spec = _param_spec(family, estimator_id, "C")
    specs = family.hyperparameters_for(estimator_id)
    base = resolve(specs, hyperparameters).values
    current = float(base["C"])
    if Cs is not None:
        grid = _ascending_values(Cs, c_spec)
    else:
        grid = _with_current(sweep_values(c_spec, n_Cs), current)
    X_train, y_train = _training_rows(dataset, test_size, seed)
    center = bool(base.get("fit_intercept", True))
    design = _design(X_train, scale, impute=dataset.has_missing, center=center)
    shown: list[str] = []
    with _collect_warnings(shown), _sweep_threads():
        try:
            W, b, classes = _model_space_path(est_spec, base, "C", grid, design.X, y_train, tol)
        except (ValueError, np.linalg.LinAlgError) as exc:
            raise FitError(f"scikit-learn could not fit this path: {exc}") from None
    classes = np.asarray(classes)
    outputs = tuple(map(str, classes)) if len(classes) > 2 else (str(classes[1]),)
    sparse = float(base.get("l1_ratio", 0.0)) > 0
    return _path_results(
        family,
        estimator_id,
        "C",
        grid,
        W,
        b,
        outputs,
        design,
        tuple(map(str, dataset.X.columns)),
        current,
        sparse,
        "warm_start",
        shown,
    )


def penalty_paths(
    family: FamilySpec,
    estimator_id: str,
    hyperparameters: dict[str, Any],
    dataset: Dataset,
    *,
    scale: bool = True,
    test_size: float = 0.25,
    seed: int = 0,
    values: Sequence[float] | np.ndarray | None = None,
    n_values: int | None = None,
    tol: float | None = None,
) -> tuple[PathResult, ...]:
    """The coefficient path(s) of any estimator with a penalty, one per output.

    Dispatches on the estimator's class to :func:`coefficient_path` (``alpha``) or
    :func:`logistic_coefficient_path` (``C``), so a page needs no branch on the family.
    ``n_values`` defaults to each function's own default grid size.
    """
    param = penalty_param(family, estimator_id)
    common = {"scale": scale, "test_size": test_size, "seed": seed, "tol": tol}
    if param == "alpha":
        n = 100 if n_values is None else n_values
        path = coefficient_path(
            family, estimator_id, hyperparameters, dataset, alphas=values, n_alphas=n, **common
        )
        return (path,)
    if param == "C":
        n = 40 if n_values is None else n_values
        return logistic_coefficient_path(
            family, estimator_id, hyperparameters, dataset, Cs=values, n_Cs=n, **common
        )
    label = family.get_estimator(estimator_id).label
    raise ValueError(f"{label} has no penalty, so there is no coefficient path to trace.")


def path_table(path: PathResult) -> pd.DataFrame:
    """The path as a tidy long table, one row per (value, feature), for download.

    Columns: ``<param_name>``, ``feature``, ``coef``, ``coef_per_sd``, ``zero``.
    """
    n, p = path.coef.shape
    return pd.DataFrame(
        {
            path.param_name: np.repeat(path.values, p),
            "feature": np.tile(np.asarray(path.feature_names, dtype=object), n),
            "coef": path.coef.ravel(),
            "coef_per_sd": path.coef_per_sd.ravel(),
            "zero": path.coef.ravel() == 0.0,
        }
    )


def entry_table(path: PathResult) -> pd.DataFrame:
    """For sparse paths: where each feature enters and leaves, in order of entry.

    Columns ``feature``, ``enters_at``, ``zero_at``; the first row is the feature that
    survives the strongest penalty. Empty for paths without an L1 share.
    """
    if path.enters_at is None or path.zero_at is None:
        return pd.DataFrame(columns=["feature", "enters_at", "zero_at"])
    table = pd.DataFrame(
        {"feature": path.feature_names, "enters_at": path.enters_at, "zero_at": path.zero_at}
    )
    return table.sort_values(
        "enters_at", ascending=not path.penalty_grows, na_position="last", kind="stable"
    ).reset_index(drop=True)


# --- validation curves -----------------------------------------------------------------------
def _display_value(spec: ParamSpec, value: Any) -> Any:
    """Numbers stay numbers; bool and choice values become strings (one dtype per column)."""
    if spec.kind in ("bool", "choice"):
        return str(value)
    return int(value) if spec.kind == "int" else float(value)


def _curve_frame(
    spec: ParamSpec,
    values: Sequence[Any],
    train: np.ndarray,
    test: np.ndarray,
    notes: Sequence[str],
) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "value": [_display_value(spec, v) for v in values],
            "train_mean": train.mean(axis=1),
            "train_std": train.std(axis=1),
            "cv_mean": test.mean(axis=1),
            "cv_std": test.std(axis=1),
            "note": list(notes),
        }
    )
    return frame[list(CURVE_COLUMNS)]


def validation_curve_table(
    family: FamilySpec,
    estimator_id: str,
    hyperparameters: dict[str, Any],
    dataset: Dataset,
    param_name: str,
    values: Sequence[Any] | np.ndarray | None = None,
    *,
    scale: bool = True,
    test_size: float = 0.25,
    seed: int = 0,
    cv: Any = 5,
    n_jobs: int | None = None,
    scoring: str | None = None,
) -> pd.DataFrame:
    """Training and cross-validated scores against one hyperparameter.

    Runs ``sklearn.model_selection.validation_curve`` on the training rows with the whole
    pipeline (imputation and scaling are refitted inside every fold). Rather than sweeping
    ``"model__<name>"`` directly, it sweeps ``"model"`` over complete estimators built by
    :meth:`EstimatorSpec.make` for each value, so every value is resolved the way the page
    resolves it (a ``C`` or ``l1_ratio`` sweep can change the automatic solver). Where the
    registry's resolution is a no-op, the numbers are those of sweeping ``"model__<name>"``.

    Parameters
    ----------
    family : FamilySpec
        Any family.
    estimator_id : str
        One of its estimators.
    hyperparameters : dict
        The page's values; the swept one is overridden.
    dataset : Dataset
        Prepared features and target.
    param_name : str
        A hyperparameter the estimator takes (its spec name = scikit-learn's name).
    values : array-like, optional
        Values to try, in the order given, each validated by the spec. Default
        :func:`sweep_values` of the spec.
    scale, test_size, seed
        As :func:`core.fitting.fit_model`.
    cv : int or cross-validation splitter, default=5
        Folds: an int means (stratified for classification) ``KFold`` without shuffling,
        as scikit-learn does; the training rows are already shuffled by the split.
    n_jobs : int, optional
        Fits run in parallel over folds and values (joblib).
    scoring : str, optional
        A scikit-learn scorer name; default R² for regression, accuracy for classification.

    Returns
    -------
    DataFrame
        One row per value: ``value`` (numbers for numeric specs, strings for bool and
        choice specs), ``train_mean``, ``train_std``, ``cv_mean``, ``cv_std`` (mean and
        standard deviation, ``ddof=0``, over folds) and ``note``: empty, or the reason a
        value could not be fitted (its scores are then NaN).

    Raises
    ------
    ValueError
        If ``param_name`` is not the estimator's, or a value is outside its spec.
    FitError
        If scikit-learn could fit no value at all.

    Notes
    -----
    Warnings from the fits (convergence, folds with few members of a class) are not caught:
    they reach the caller.
    """
    est_spec = family.get_estimator(estimator_id)
    spec = _param_spec(family, estimator_id, param_name)
    base = resolve(family.hyperparameters_for(estimator_id), hyperparameters).values
    raw = sweep_values(spec) if values is None else values
    checked = [spec.validate(v) for v in raw]
    estimators: list[BaseEstimator] = []
    notes: list[str] = []
    for value in checked:
        try:
            estimators.append(est_spec.make({**base, param_name: value}))
            notes.append("")
        except ValueError as exc:  # the registry refuses the combination, in a sentence
            notes.append(str(exc))
    # Values the registry refuses keep NaN scores and their reason in ``note``.
    train = test = np.full((len(checked), 1), np.nan)
    if estimators:
        X_train, y_train = _training_rows(dataset, test_size, seed)
        # Centre only if every swept model fits an intercept (see build_pipeline); a model
        # with an intercept learns the same coefficients from uncentred features.
        center = all(getattr(e, "fit_intercept", True) for e in estimators)
        pipeline = build_pipeline(
            estimators[0], scale=scale, impute=dataset.has_missing, center=center
        )
        try:
            with _sweep_threads():
                ok_train, ok_test = validation_curve(
                    pipeline,
                    X_train,
                    y_train,
                    param_name="model",
                    param_range=estimators,
                    cv=cv,
                    scoring=scoring or TASK_SCORING[family.task].scorer,
                    n_jobs=n_jobs,
                )
        except ValueError as exc:
            raise FitError(f"scikit-learn could not fit this sweep: {exc}") from None
        ok = [i for i, note in enumerate(notes) if not note]
        train = np.full((len(checked), ok_train.shape[1]), np.nan)
        test = train.copy()
        train[ok], test[ok] = ok_train, ok_test
    return _curve_frame(spec, checked, train, test, notes)


def _fitted_like(
    est_spec: EstimatorSpec,
    values: dict[str, Any],
    coef: np.ndarray,
    intercept: np.ndarray,
    classes: np.ndarray | None,
) -> BaseEstimator:
    """An estimator carrying path coefficients, so any scikit-learn scorer can score them.

    The fitted attributes are the ones the estimator's own ``predict`` and
    ``predict_proba`` read (``coef_``, ``intercept_``, ``classes_``), shaped as ``fit`` leaves
    them.
    """
    model = est_spec.make(values)
    if classes is None:
        model.coef_ = coef[0].copy()
        model.intercept_ = float(intercept[0])
    else:
        model.coef_ = coef.copy()
        model.intercept_ = intercept.copy()
        model.classes_ = classes
    model.n_features_in_ = coef.shape[-1]
    return model


def _fold_path_scores(
    est_spec: EstimatorSpec,
    base: dict[str, Any],
    param: str,
    values: np.ndarray,
    X_fit: np.ndarray,
    y_fit: np.ndarray,
    X_val: np.ndarray,
    y_val: np.ndarray,
    scale: bool,
    impute: bool,
    scoring: str,
    tol: float | None,
) -> tuple[np.ndarray, np.ndarray]:
    """One fold: refit the preprocessing, fit the whole path, score every value."""
    prep = build_pipeline("passthrough", scale=scale, impute=impute)
    Xm_fit = np.asarray(prep.fit_transform(X_fit), dtype=float)
    Xm_val = np.asarray(prep.transform(X_val), dtype=float)
    W, b, classes = _model_space_path(est_spec, base, param, values, Xm_fit, y_fit, tol)
    train, test = np.empty(len(values)), np.empty(len(values))
    for k, value in enumerate(values):
        model = _fitted_like(est_spec, {**base, param: value}, W[k], b[k], classes)
        scorer = check_scoring(model, scoring=scoring)
        train[k] = scorer(model, Xm_fit, y_fit)
        test[k] = scorer(model, Xm_val, y_val)
    return train, test


def path_validation_curve_table(
    family: FamilySpec,
    estimator_id: str,
    hyperparameters: dict[str, Any],
    dataset: Dataset,
    values: Sequence[float] | np.ndarray | None = None,
    *,
    scale: bool = True,
    test_size: float = 0.25,
    seed: int = 0,
    cv: Any = 5,
    n_jobs: int | None = None,
    scoring: str | None = None,
    tol: float | None = None,
) -> pd.DataFrame:
    """The validation curve of the penalty (``alpha`` or ``C``), the fast way.

    The same table as :func:`validation_curve_table` for :func:`penalty_param`, but each
    fold fits one regularisation path (one SVD for ridge, ``enet_path`` for lasso and
    elastic net, warm-started fits for logistic) instead of one model per value. This is
    what ``RidgeCV``, ``LassoCV``, ``ElasticNetCV`` and ``LogisticRegressionCV`` do inside;
    they are not called directly because they report no training scores, fix the score
    (``LassoCV``: mean squared error), and, wrapped in the pipeline, would fit the scaler
    outside the folds. Folds match :func:`validation_curve_table`'s for the same ``cv``.

    Parameters
    ----------
    family, estimator_id, hyperparameters, dataset, scale, test_size, seed, cv, scoring
        As :func:`validation_curve_table`.
    values : array-like, optional
        Values of the penalty, sorted ascending (duplicates dropped). Default
        :func:`sweep_values` of its spec.
    n_jobs : int, optional
        Folds run in parallel (joblib).
    tol : float, optional
        Override the solver tolerance.

    Returns
    -------
    DataFrame
        As :func:`validation_curve_table`, rows in ascending order of the value. Agrees with
        it to the solver's tolerance (exactly, to rounding, for ridge).

    Raises
    ------
    ValueError
        If the estimator has no penalty path.
    """
    param = penalty_param(family, estimator_id)
    if param is None:
        label = family.get_estimator(estimator_id).label
        raise ValueError(f"{label} has no penalty, so there is no path to cross-validate.")
    est_spec = family.get_estimator(estimator_id)
    spec = _param_spec(family, estimator_id, param)
    base = resolve(family.hyperparameters_for(estimator_id), hyperparameters).values
    grid = _ascending_values(sweep_values(spec) if values is None else values, spec)
    X_train, y_train = _training_rows(dataset, test_size, seed)
    splitter = check_cv(cv, y_train, classifier=family.task == "classification")
    folds = list(splitter.split(X_train, y_train))
    with _sweep_threads():
        scores = Parallel(n_jobs=n_jobs)(
            delayed(_fold_path_scores)(
                est_spec,
                base,
                param,
                grid,
                X_train[fit],
                y_train[fit],
                X_train[val],
                y_train[val],
                scale,
                dataset.has_missing,
                scoring or TASK_SCORING[family.task].scorer,
                tol,
            )
            for fit, val in folds
        )
    train = np.column_stack([s[0] for s in scores])
    test = np.column_stack([s[1] for s in scores])
    return _curve_frame(spec, list(grid), train, test, [""] * len(grid))


# --- reading a curve -------------------------------------------------------------------------
def best_value(table: pd.DataFrame) -> Any:
    """The value with the highest mean cross-validated score (the first, on a tie).

    Raises
    ------
    ValueError
        If no row has a score.
    """
    scored = table[np.isfinite(table["cv_mean"].to_numpy(dtype=float))]
    if scored.empty:
        raise ValueError("No value in this sweep could be scored.")
    value = scored.loc[scored["cv_mean"].idxmax(), "value"]
    return value.item() if isinstance(value, np.generic) else value


def _row_for(table: pd.DataFrame, current: Any) -> tuple[int, bool]:
    """Row index of ``current`` (exact match) or of the nearest numeric value."""
    values = table["value"]
    if not pd.api.types.is_numeric_dtype(values):
        matches = np.flatnonzero(values.astype(str).to_numpy() == str(current))
        if matches.size == 0:
            raise ValueError(f"{current!r} is not among the swept values.")
        return int(matches[0]), True
    numbers = values.to_numpy(dtype=float)
    current = float(current)
    exact = np.flatnonzero(np.isclose(numbers, current, rtol=1e-9, atol=0.0))
    if exact.size:
        return int(exact[0]), True
    if not math.isfinite(current):
        return (int(np.argmax(numbers)) if current > 0 else int(np.argmin(numbers))), False
    if (numbers > 0).all() and current > 0:
        distance = np.abs(np.log(numbers) - math.log(current))
    else:
        distance = np.abs(numbers - current)
    return int(np.argmin(distance)), False


def _fmt(value: Any) -> str:
    if isinstance(value, bool | np.bool_ | str):
        return str(value)
    if isinstance(value, int | float | np.number):
        return f"{float(value):.3g}"
    return str(value)


def fit_diagnosis(
    table: pd.DataFrame,
    current_value: Any,
    *,
    param_name: str = "the setting",
    score_name: str = "score",
) -> str:
    """One or two sentences: does the current value under- or over-fit, next to the best?

    The current value is *close to the best* when its mean cross-validated score is within
    one fold-to-fold standard deviation of the best's. Otherwise it scores worse on held-out
    folds, and the training score says why: at least as high a training score as the best
    value means a wider train/CV gap, so it **over-fits** (it learns noise of the training
    folds); a lower training score means both scores are lower, so it **under-fits** (the
    model is too constrained for the signal).

    Parameters
    ----------
    table : DataFrame
        From :func:`validation_curve_table` (or :func:`path_validation_curve_table`).
    current_value : Any
        The page's value; the nearest swept value is used when it was not swept.
    param_name : str, default="the setting"
        Name used in the sentence, e.g. ``"alpha"``.
    score_name : str, default="score"
        Name of the score, e.g. ``"R²"``.

    Returns
    -------
    str
    """
    best = best_value(table)
    best_index, _ = _row_for(table, best)
    index, exact = _row_for(table, current_value)
    cur = table.iloc[index]
    top = table.iloc[best_index]
    here = f"{param_name} = {_fmt(current_value)}"
    if not exact:
        here += f" (nearest value tried: {_fmt(cur['value'])})"
    there = f"{param_name} = {_fmt(top['value'])}"
    if not np.isfinite(cur["cv_mean"]):
        return f"{here} could not be scored: {cur['note'] or 'every fold failed'}."
    scores = f"training {score_name} {cur['train_mean']:.3f}, cross-validated {cur['cv_mean']:.3f}"
    best_scores = f"{top['train_mean']:.3f} and {top['cv_mean']:.3f}"
    if index == best_index:
        return f"{here} is the best value tried ({scores})."
    if top["cv_mean"] - cur["cv_mean"] <= top["cv_std"]:
        return (
            f"{here} scores within one fold-to-fold standard deviation of the best value, "
            f"{there} ({scores}, against {best_scores}): no clear under- or over-fitting."
        )
    if cur["train_mean"] >= top["train_mean"]:
        return (
            f"{here} over-fits: it fits the training folds at least as well as {there} but "
            f"does worse on held-out folds ({scores}, against {best_scores}). The gap "
            "between the two is variance: the model learns noise of the rows it sees."
        )
    return (
        f"{here} under-fits: both scores are lower than at {there} ({scores}, against "
        f"{best_scores}). The model is too constrained to capture the signal."
    )
