"""Tracing coefficients over the penalty: one SVD for ridge, coordinate descent's own path
for the lasso and elastic net, warm-started refits otherwise.

Each way is a tracer object (:data:`RIDGE_SVD`, :data:`ENET_PATH`, :data:`WARM_START`) that
an estimator carries as its ``path`` (:class:`core.family.PathTracer`): it knows how to
trace, where its default grid lies, whether its path zeroes coefficients, and what its
penalty means for the effective number of parameters. Code that reads paths calls the
tracer and never asks which one it holds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.linear_model import enet_path

from core.family import EstimatorSpec
from core.fitting import (
    FitResult,
    build_pipeline,
    scaler_shift,
    training_sd,
)
from core.linear.parameters import elastic_net_l2, hat_trace, to_raw_units
from core.specs import ParamSpec
from core.sweep_grids import PATH_EPS, RIDGE_MAX_DECADES, sweep_values


@dataclass(frozen=True, eq=False)
class PathDesign:
    """Training features as the model sees them, and how to get back to raw units."""

    X: np.ndarray  # (n_samples, n_features), imputed and (optionally) standardised
    mean: np.ndarray  # (n_features,) scaler means; zeros without a scaler
    scale: np.ndarray  # (n_features,) scaler scales; ones without a scaler
    feature_sd: np.ndarray  # (n_features,) training sd after imputation, ddof=0


def path_design(X_train: np.ndarray, scale: bool, impute: bool, center: bool = True) -> PathDesign:
    """Fit the page's preprocessing (``build_pipeline`` minus the model) on training rows;
    ``center`` is the model's ``fit_intercept``, as in ``build_pipeline``."""
    prep = build_pipeline("passthrough", scale=scale, impute=impute, center=center)
    X = np.asarray(prep.fit_transform(X_train), dtype=float)
    scaler = prep.named_steps.get("scale")
    p = X.shape[1]
    if scaler is not None:
        mean = scaler_shift(scaler)
        sd = np.asarray(scaler.scale_, dtype=float)
        return PathDesign(X=X, mean=mean, scale=sd, feature_sd=sd.copy())
    # Without a scaler the design is the imputed raw data: its sd is the feature sd.
    return PathDesign(X=X, mean=np.zeros(p), scale=np.ones(p), feature_sd=training_sd(X))


def raw_units(W: np.ndarray, b: np.ndarray, design: PathDesign) -> tuple[np.ndarray, np.ndarray]:
    """Undo the design's standardisation (:func:`core.linear.parameters.to_raw_units`)."""
    return to_raw_units(W, b, design.mean, design.scale)


@dataclass(frozen=True, eq=False)
class RidgeSVD:
    """The one decomposition a ridge path needs: ``X - x_mean = U diag(s) V^T``."""

    x_mean: np.ndarray  # (n_features,)
    y_mean: float
    s: np.ndarray  # (k,) singular values
    Vt: np.ndarray  # (k, n_features)
    Uty: np.ndarray  # (k,) U^T (y - y_mean)

    @classmethod
    def of(cls, X: np.ndarray, y: np.ndarray, fit_intercept: bool) -> RidgeSVD:
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
    return RidgeSVD.of(X, y, fit_intercept).path(alphas)


def cd_default_alphas(
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


def with_current(grid: np.ndarray, current: float | None) -> np.ndarray:
    """Stretch a geometric grid to reach the current value and insert it exactly, so the
    path holds the very model the page fits at the current setting."""
    if current is None or not math.isfinite(current) or current <= 0:
        return np.unique(grid)
    lo, hi = min(grid[0], current), max(grid[-1], current)
    if lo < grid[0] or hi > grid[-1]:
        grid = np.geomspace(lo, hi, len(grid))
    return np.unique(np.append(grid, current))


def ascending_values(values: Sequence[float] | np.ndarray, spec: ParamSpec) -> np.ndarray:
    out = np.unique(np.asarray([spec.validate(v) for v in values], dtype=float))
    if out.size == 0:
        raise ValueError(f"{spec.label}: a path needs at least one value.")
    return out


def model_space_path(
    est_spec: EstimatorSpec,
    base: dict[str, Any],
    param: str,
    values: np.ndarray,
    X: np.ndarray,
    y: np.ndarray,
    tol: float | None,
    prepared: Any = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Fit the whole path in model space with the estimator's own tracer (``prepared``: the
    tracer's work on this design, already done).

    Returns
    -------
    W : ndarray of shape (n_values, n_outputs, n_features)
    b : ndarray of shape (n_values, n_outputs)
    classes : ndarray or None
        ``classes_`` for classifiers.
    """
    if est_spec.path is None:
        raise ValueError(f"{est_spec.label} has no coefficient path over a penalty.")
    return est_spec.path.trace(est_spec, base, param, values, X, y, tol, prepared)


def _template(
    est_spec: EstimatorSpec, base: dict[str, Any], param: str, value: float, tol: float | None
) -> BaseEstimator:
    """The estimator at one value of the path, with the tolerance override."""
    model = est_spec.make({**base, param: value})
    if tol is not None:
        model.set_params(tol=tol)
    return model


# --- the tracers ------------------------------------------------------------------------------
@dataclass(frozen=True)
class RidgeSVDTracer:
    """Ridge: one SVD of the centred design gives the coefficients at every alpha exactly
    (:class:`RidgeSVD`), and places the default grid where each direction is shrunk."""

    name: str = "ridge_svd"
    description: str = "one SVD of the centred training design, reused for every alpha"
    default_points: int = 100

    def prepare(self, X: np.ndarray, y: np.ndarray, fit_intercept: bool) -> RidgeSVD:
        return RidgeSVD.of(X, y, fit_intercept)

    def default_grid(
        self,
        spec: ParamSpec,
        n: int,
        X: np.ndarray,
        y: np.ndarray,
        template: BaseEstimator,
        prepared: RidgeSVD | None,
    ) -> np.ndarray:
        ridge = prepared or self.prepare(X, y, bool(template.get_params()["fit_intercept"]))
        return ridge.default_alphas(n)

    def trace(
        self,
        est_spec: EstimatorSpec,
        base: dict[str, Any],
        param: str,
        values: np.ndarray,
        X: np.ndarray,
        y: np.ndarray,
        tol: float | None,
        prepared: RidgeSVD | None = None,
    ) -> tuple[np.ndarray, np.ndarray, None]:
        params = _template(est_spec, base, param, values[0], tol).get_params()
        ridge = prepared or RidgeSVD.of(X, y, params["fit_intercept"])
        coef, intercept = ridge.path(values)
        return coef[:, None, :], intercept[:, None], None

    def zeroes(self, template: BaseEstimator, values: dict[str, Any]) -> bool:
        return False  # an L2 penalty shrinks every coefficient, never to exactly zero

    def effective_parameters(
        self, fit: FitResult, design: np.ndarray, coef_fitted: np.ndarray
    ) -> float:
        """The hat matrix's trace, ``sum d^2 / (d^2 + alpha)`` (ESL eq. 3.50)."""
        assert fit.estimator_spec is not None and fit.estimator_spec.penalty is not None
        return hat_trace(design, float(fit.hyperparameters[fit.estimator_spec.penalty]))


@dataclass(frozen=True)
class EnetPathTracer:
    """Lasso and elastic net: scikit-learn's ``enet_path``, the solver call their ``fit``
    makes, once for the whole grid from the strongest penalty down."""

    name: str = "enet_path"
    description: str = (
        "scikit-learn's enet_path: coordinate descent warm-started from the "
        "previous alpha, from the strongest penalty down"
    )
    default_points: int = 100

    def prepare(self, X: np.ndarray, y: np.ndarray, fit_intercept: bool) -> None:
        return None

    def default_grid(
        self,
        spec: ParamSpec,
        n: int,
        X: np.ndarray,
        y: np.ndarray,
        template: BaseEstimator,
        prepared: None,
    ) -> np.ndarray:
        fit_intercept = bool(template.get_params()["fit_intercept"])
        return cd_default_alphas(X, y, n, float(template.l1_ratio), fit_intercept)

    def trace(
        self,
        est_spec: EstimatorSpec,
        base: dict[str, Any],
        param: str,
        values: np.ndarray,
        X: np.ndarray,
        y: np.ndarray,
        tol: float | None,
        prepared: None = None,
    ) -> tuple[np.ndarray, np.ndarray, None]:
        template = _template(est_spec, base, param, values[0], tol)
        params = template.get_params()
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

    def zeroes(self, template: BaseEstimator, values: dict[str, Any]) -> bool:
        return float(template.l1_ratio) > 0

    def effective_parameters(
        self, fit: FitResult, design: np.ndarray, coef_fitted: np.ndarray
    ) -> float | None:
        """The hat trace over each output's active set with the L2 weight
        (:func:`elastic_net_l2`); None for the lasso, whose estimate is the non-zero count."""
        l2 = elastic_net_l2(fit.model, len(design))
        if l2 <= 0:
            return None
        return float(sum(hat_trace(design[:, row != 0], l2) for row in coef_fitted))


@dataclass(frozen=True)
class WarmStartTracer:
    """Any estimator with ``warm_start``: refitted at each value from the strongest penalty,
    each fit starting from the previous coefficients (``LogisticRegressionCV`` keeps
    per-fold paths only, not the path on all training rows the page's model sees)."""

    name: str = "warm_start"
    description: str = (
        "LogisticRegression refitted at each C from the strongest penalty up, "
        "each fit warm-started from the previous coefficients"
    )
    default_points: int = 40

    def prepare(self, X: np.ndarray, y: np.ndarray, fit_intercept: bool) -> None:
        return None

    def default_grid(
        self,
        spec: ParamSpec,
        n: int,
        X: np.ndarray,
        y: np.ndarray,
        template: BaseEstimator,
        prepared: None,
    ) -> np.ndarray:
        return sweep_values(spec, n)

    def trace(
        self,
        est_spec: EstimatorSpec,
        base: dict[str, Any],
        param: str,
        values: np.ndarray,
        X: np.ndarray,
        y: np.ndarray,
        tol: float | None,
        prepared: None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        model: BaseEstimator | None = None
        W_rows, b_rows = [], []
        # Strong penalty first: its small coefficients are the best start for the next value.
        for value in values:
            # Resolve each value through the registry: the automatic solver can change
            # with C (C=inf with an L1 share switches saga to lbfgs).
            fresh = _template(est_spec, base, param, value, tol)
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

    def zeroes(self, template: BaseEstimator, values: dict[str, Any]) -> bool:
        return float(values.get("l1_ratio", 0.0)) > 0

    def effective_parameters(
        self, fit: FitResult, design: np.ndarray, coef_fitted: np.ndarray
    ) -> None:
        return None


RIDGE_SVD = RidgeSVDTracer()
ENET_PATH = EnetPathTracer()
WARM_START = WarmStartTracer()

#: Human description of each path algorithm, for the page and the docs.
PATH_METHODS = {t.name: t.description for t in (ENET_PATH, RIDGE_SVD, WARM_START)}


def zero_and_entry(
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
