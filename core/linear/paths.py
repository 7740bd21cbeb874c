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

from core.data.tables import Dataset
from core.family import FamilySpec
from core.fitting import (
    FitError,
    single_blas_thread,
)
from core.linear.tracers import (
    PathDesign,
    RidgeSVD,
    ascending_values,
    cd_default_alphas,
    model_space_path,
    path_design,
    raw_units,
    with_current,
    zero_and_entry,
)
from core.specs import resolve
from core.sweep_grids import sweep_values
from core.sweeps import collect_warnings, param_spec, training_rows


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
    design: PathDesign,
    feature_names: tuple[str, ...],
    current: float | None,
    sparse: bool,
    method: str,
    shown: list[str],
) -> tuple[PathResult, ...]:
    penalty_grows = family.get_estimator(estimator_id).penalty_grows
    coef, intercept = raw_units(W, b, design)
    results = []
    for k, output in enumerate(outputs):
        zero_at = enters_at = None
        if sparse:
            zero_at, enters_at = zero_and_entry(values, W[:, k, :], penalty_grows)
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
    back-transform as :func:`core.linear.parameters.extract_linear_parameters`.

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
    design = path_design(X_train, scale, impute=dataset.has_missing, center=fit_intercept)
    # Ridge: the decomposition that places the default grid also gives every coefficient.
    ridge = RidgeSVD.of(design.X, y, fit_intercept) if kind == "ridge_svd" else None
    if alphas is not None:
        grid = ascending_values(alphas, param_spec(family, estimator_id, "alpha"))
    else:
        if ridge is not None:
            grid = ridge.default_alphas(n_alphas)
        else:
            l1_ratio = float(template.l1_ratio)
            grid = cd_default_alphas(design.X, y, n_alphas, l1_ratio, fit_intercept)
        grid = with_current(grid, current)
    shown: list[str] = []
    with collect_warnings(shown), single_blas_thread():
        try:
            W, b, _ = model_space_path(est_spec, base, "alpha", grid, design.X, y, tol, ridge)
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
        grid = ascending_values(Cs, c_spec)
    else:
        grid = with_current(sweep_values(c_spec, n_Cs), current)
    X_train, y_train = training_rows(dataset, test_size, seed)
    center = bool(base.get("fit_intercept", True))
    design = path_design(X_train, scale, impute=dataset.has_missing, center=center)
    shown: list[str] = []
    with collect_warnings(shown), single_blas_thread():
        try:
            W, b, classes = model_space_path(est_spec, base, param, grid, design.X, y_train, tol)
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


# --- reading a curve -------------------------------------------------------------------------
