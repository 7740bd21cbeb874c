"""Coefficient paths: every coefficient of a linear model as a function of its penalty.

Computed the cheap way, chosen by the estimator's ``path`` capability: one SVD for ridge,
warm-started coordinate descent (``enet_path``) for lasso and elastic net, warm-started
``LogisticRegression`` fits over ``C``. The penalty's validation curve comes from one path
per fold (:func:`path_validation_curve_table`), as ``RidgeCV`` and ``LassoCV`` do inside.
Everything is computed on the training rows, with the page's preprocessing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.linear_model import enet_path
from sklearn.metrics import check_scoring
from sklearn.model_selection import check_cv
from sklearn.utils.parallel import Parallel, delayed

from core.data.tables import Dataset
from core.family import EstimatorSpec, FamilySpec
from core.fitting import (
    FitError,
    build_pipeline,
    scaler_shift,
    single_blas_thread,
    training_sd,
)
from core.linear_parameters import to_raw_units
from core.scoring import TASK_SCORING
from core.specs import ParamSpec, resolve
from core.sweeps import (
    PATH_EPS,
    RIDGE_MAX_DECADES,
    collect_warnings,
    curve_frame,
    param_spec,
    sweep_values,
    training_rows,
)


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
    # Without a scaler the design is the imputed raw data: its sd is the feature sd.
    return _Design(X=X, mean=np.zeros(p), scale=np.ones(p), feature_sd=training_sd(X))


def _raw_units(W: np.ndarray, b: np.ndarray, design: _Design) -> tuple[np.ndarray, np.ndarray]:
    """Undo the design's standardisation (:func:`core.linear_parameters.to_raw_units`)."""
    return to_raw_units(W, b, design.mean, design.scale)


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
    return spec.penalty if spec.path is not None else None


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
    kind = est_spec.path
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
        model: BaseEstimator | None = None
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
    penalty_grows = family.get_estimator(estimator_id).penalty_grows
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
    back-transform as :func:`core.linear_parameters.extract_linear_parameters`.

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
    kind = est_spec.path
    if kind not in ("ridge_svd", "enet_path"):
        raise ValueError(
            f"{est_spec.label} has no alpha to trace; coefficient paths need ridge, lasso or "
            "elastic net."
        )
    current = float(base["alpha"])
    X_train, y = training_rows(dataset, test_size, seed)
    fit_intercept = bool(template.fit_intercept)
    design = _design(X_train, scale, impute=dataset.has_missing, center=fit_intercept)
    # Ridge: the decomposition that places the default grid also gives every coefficient.
    ridge = _RidgeSVD.of(design.X, y, fit_intercept) if kind == "ridge_svd" else None
    if alphas is not None:
        grid = _ascending_values(alphas, param_spec(family, estimator_id, "alpha"))
    else:
        if ridge is not None:
            grid = ridge.default_alphas(n_alphas)
        else:
            l1_ratio = float(template.l1_ratio)
            grid = _cd_default_alphas(design.X, y, n_alphas, l1_ratio, fit_intercept)
        grid = _with_current(grid, current)
    shown: list[str] = []
    with collect_warnings(shown), single_blas_thread():
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
    if est_spec.path != "warm_start":
        raise ValueError(f"{est_spec.label} has no warm-started path to trace.")
    param = est_spec.penalty
    c_spec = param_spec(family, estimator_id, param)
    specs = family.hyperparameters_for(estimator_id)
    base = resolve(specs, hyperparameters).values
    current = float(base[param])
    if Cs is not None:
        grid = _ascending_values(Cs, c_spec)
    else:
        grid = _with_current(sweep_values(c_spec, n_Cs), current)
    X_train, y_train = training_rows(dataset, test_size, seed)
    center = bool(base.get("fit_intercept", True))
    design = _design(X_train, scale, impute=dataset.has_missing, center=center)
    shown: list[str] = []
    with collect_warnings(shown), single_blas_thread():
        try:
            W, b, classes = _model_space_path(est_spec, base, param, grid, design.X, y_train, tol)
        except (ValueError, np.linalg.LinAlgError) as exc:
            raise FitError(f"scikit-learn could not fit this path: {exc}") from None
    classes = np.asarray(classes)
    outputs = tuple(map(str, classes)) if len(classes) > 2 else (str(classes[1]),)
    sparse = float(base.get("l1_ratio", 0.0)) > 0
    return _path_results(
        family,
        estimator_id,
        param,
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

    Dispatches on the estimator's ``path`` capability to :func:`coefficient_path`
    (``alpha``: one SVD or coordinate descent's own path) or :func:`logistic_coefficient_path`
    (warm-started refits over ``C``), so a page needs no branch on the family.
    ``n_values`` defaults to each function's own default grid size.
    """
    kind = family.get_estimator(estimator_id).path
    common = {"scale": scale, "test_size": test_size, "seed": seed, "tol": tol}
    if kind in ("ridge_svd", "enet_path"):
        n = 100 if n_values is None else n_values
        path = coefficient_path(
            family, estimator_id, hyperparameters, dataset, alphas=values, n_alphas=n, **common
        )
        return (path,)
    if kind == "warm_start":
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
    """One fold: refit the preprocessing, fit the whole path, score every value.

    The scaler centres only when the model fits an intercept, as the page's own pipeline
    does (:func:`core.fitting.build_pipeline`): centring a model without an intercept moves
    its origin to the fold's means, a different model (with ridge on diabetes, a
    cross-validated R² near -3 where the page's model scores about 0.45).
    """
    center = bool(base.get("fit_intercept", True))
    prep = build_pipeline("passthrough", scale=scale, impute=impute, center=center)
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
    spec = param_spec(family, estimator_id, param)
    base = resolve(family.hyperparameters_for(estimator_id), hyperparameters).values
    grid = _ascending_values(sweep_values(spec) if values is None else values, spec)
    X_train, y_train = training_rows(dataset, test_size, seed)
    splitter = check_cv(cv, y_train, classifier=dataset.task == "classification")
    folds = list(splitter.split(X_train, y_train))
    with single_blas_thread():
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
                scoring or TASK_SCORING[dataset.task].scorer,
                tol,
            )
            for fit, val in folds
        )
    train = np.column_stack([s[0] for s in scores])
    test = np.column_stack([s[1] for s in scores])
    return curve_frame(spec, list(grid), train, test, [""] * len(grid))


# --- reading a curve -------------------------------------------------------------------------
