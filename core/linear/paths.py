"""Coefficient paths: every coefficient of a linear model as a function of its penalty.

Computed the cheap way by the estimator's ``path`` tracer (:mod:`core.linear.tracers`): one
SVD for ridge, warm-started coordinate descent (``enet_path``) for lasso and elastic net,
warm-started refits over ``C``. The penalty's validation curve comes from one path
per fold (:func:`path_validation_curve_table`), as ``RidgeCV`` and ``LassoCV`` do inside.
Everything is computed on the training rows, with the page's preprocessing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

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
    ascending_values,
    model_space_path,
    path_design,
    raw_units,
    with_current,
    zero_and_entry,
)
from core.setting import Setting
from core.specs import resolve
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


def check_setting(family: FamilySpec, setting: Setting) -> None:
    """Refuse a setting of another family (a caller's mistake, not the user's)."""
    if setting.family_id != family.id:
        raise ValueError(f"A {setting.family_id} setting cannot be traced as {family.id}.")


def penalty_paths(
    family: FamilySpec,
    setting: Setting,
    dataset: Dataset,
    *,
    values: Sequence[float] | np.ndarray | None = None,
    n_values: int | None = None,
    tol: float | None = None,
) -> tuple[PathResult, ...]:
    """Every coefficient of a penalised linear model as a function of its penalty, one path
    per output.

    The estimator's own tracer (its ``path``, :mod:`core.linear.tracers`) computes the path
    on the training rows of ``setting``'s split after the page's preprocessing, with every
    other hyperparameter as set: one SVD of the centred design for ridge, scikit-learn's
    ``enet_path`` (warm-started coordinate descent, the estimator's own ``tol``,
    ``max_iter`` and ``precompute``) for the lasso and elastic net, warm-started refits over
    ``C`` for logistic regression (each value resolved through the registry, so the
    automatic solver follows the penalty). Coefficients are reported in raw units with the
    same back-transform as :func:`core.linear.parameters.extract_linear_parameters`.

    Parameters
    ----------
    family : FamilySpec
        The setting's family.
    setting : Setting
        The estimator, its values (absent ones take the spec default) and the split.
    dataset : Dataset
        Prepared features and target.
    values : array-like, optional
        The grid of the penalty (sorted ascending, duplicates dropped; ``inf`` allowed for
        ``C``). By default the tracer's ``default_points`` values where its path changes
        (for the lasso and elastic net from ``alpha_max``, every coefficient zero, down
        three decades, as scikit-learn does; for ridge from ``s_min^2 / 100`` to
        ``100 s_max^2`` of the centred design's singular values; for ``C`` the spec's sweep
        range), stretched to reach the current value, which is inserted exactly.
    n_values : int, optional
        Size of the default grid (default: the tracer's, 100 for ``alpha``, 40 for ``C``).
    tol : float, optional
        Override the solver tolerance (default: the estimator's).

    Returns
    -------
    tuple of PathResult
        One per output: the target, a single path for two classes (the coefficients of
        the second class's log-odds), one per class otherwise.

    Raises
    ------
    ValueError
        If the estimator has no penalty path, or a value is outside its spec.
    FitError
        If scikit-learn rejects the setting or the data.
    """
    check_setting(family, setting)
    estimator_id = setting.estimator_id
    est_spec = family.get_estimator(estimator_id)
    tracer, param = est_spec.path, est_spec.penalty
    if tracer is None or param is None:
        raise ValueError(
            f"{est_spec.label} has no penalty, so there is no coefficient path to trace."
        )
    spec = param_spec(family, estimator_id, param)
    base = resolve(family.hyperparameters_for(estimator_id), setting.values).values
    template = est_spec.make(base)
    current = float(base[param])
    X_train, y_train = training_rows(dataset, setting.test_size, setting.seed)
    fit_intercept = bool(template.get_params().get("fit_intercept", True))
    design = path_design(X_train, setting.scale, impute=dataset.has_missing, center=fit_intercept)
    # Work the grid and the path share (ridge: the one decomposition both need).
    prepared = tracer.prepare(design.X, y_train, fit_intercept)
    if values is not None:
        grid = ascending_values(values, spec)
    else:
        n = tracer.default_points if n_values is None else n_values
        default = tracer.default_grid(spec, n, design.X, y_train, template, prepared)
        grid = with_current(default, current)
    shown: list[str] = []
    with collect_warnings(shown), single_blas_thread():
        try:
            W, b, classes = model_space_path(
                est_spec, base, param, grid, design.X, y_train, tol, prepared
            )
        except (ValueError, np.linalg.LinAlgError) as exc:
            raise FitError(f"scikit-learn could not fit this path: {exc}") from None
    if classes is None:
        outputs: tuple[str, ...] = (dataset.target,)
    else:
        classes = np.asarray(classes)
        outputs = tuple(map(str, classes)) if len(classes) > 2 else (str(classes[1]),)
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
        tracer.zeroes(template, base),
        tracer.name,
        shown,
    )


def coefficient_path(
    family: FamilySpec,
    setting: Setting,
    dataset: Dataset,
    *,
    alphas: Sequence[float] | np.ndarray | None = None,
    n_alphas: int = 100,
    tol: float | None = None,
) -> PathResult:
    """The one coefficient path of a single-output estimator (ridge, lasso, elastic net):
    :func:`penalty_paths` with its grid as ``alphas`` and ``n_alphas``.

    Raises
    ------
    ValueError
        If the estimator has no penalty path, or it gives one path per class.
    """
    est_spec = family.get_estimator(setting.estimator_id)
    if est_spec.path is None:
        raise ValueError(
            f"{est_spec.label} has no alpha to trace; coefficient paths need ridge, lasso or "
            "elastic net."
        )
    paths = penalty_paths(family, setting, dataset, values=alphas, n_values=n_alphas, tol=tol)
    if len(paths) != 1:
        raise ValueError(f"{est_spec.label} has one path per class here: use penalty_paths.")
    return paths[0]


def logistic_coefficient_path(
    family: FamilySpec,
    setting: Setting,
    dataset: Dataset,
    *,
    Cs: Sequence[float] | np.ndarray | None = None,
    n_Cs: int = 40,
    tol: float | None = None,
) -> tuple[PathResult, ...]:
    """:func:`penalty_paths` with its grid as ``Cs`` and ``n_Cs`` (the older name, kept for
    callers that trace ``C``)."""
    return penalty_paths(family, setting, dataset, values=Cs, n_values=n_Cs, tol=tol)


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
